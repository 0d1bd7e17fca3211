package git

import (
	"path"
	"strings"
	"testing"
	"unicode"

	"github.com/plugctl/plugctl/internal/redact"
)

// FuzzParseGit checks that a git source Parse accepts can never be read
// by git as an option, never carries spaces, control characters, a query
// or a foreign transport, and names a subdirectory inside the repository;
// and that its refusals never show credentials.
func FuzzParseGit(f *testing.F) {
	for _, s := range []string{
		"git::https://example.com/a/b.git", "git::ssh://git@example.com/a.git//sub/dir", "git::file:///tmp/r.git",
		"git::https://u:p@example.com/r.git", "git::--upload-pack=touch x", "git::ssh://-oProxyCommand=x/r",
		"git::ext::sh -c x", "git::fd::17", "git::https://example.com/r.git?ref=x", "git::https://example.com/r.git//..",
		"git::https://example.com/r.git//a/../../b", "git::file://host/r.git", "git::http://example.com/r.git",
		"git::https://example.com/r.git#frag", "git::https://example.com//", "git::https://[::1]:22/r.git", "git::git+ssh::x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Parse(src)
		if err != nil {
			if msg := err.Error(); msg != redact.String(msg) {
				t.Fatalf("error %q shows credentials", msg)
			}
			return
		}
		if strings.HasPrefix(s.URL, "-") || strings.ContainsAny(s.URL, "?#") || forcedRE.MatchString(s.URL) {
			t.Fatalf("accepted URL %q", s.URL)
		}
		if !strings.HasPrefix(s.URL, "https://") && !strings.HasPrefix(s.URL, "ssh://") && !strings.HasPrefix(s.URL, "file://") {
			t.Fatalf("accepted scheme in %q", s.URL)
		}
		for _, r := range s.URL + s.Subdir {
			if unicode.IsSpace(r) || unicode.IsControl(r) {
				t.Fatalf("accepted %q with a space or control character", src)
			}
		}
		if s.Subdir != "" && (path.IsAbs(s.Subdir) || path.Clean(s.Subdir) != s.Subdir || s.Subdir == ".." || strings.HasPrefix(s.Subdir, "../")) {
			t.Fatalf("accepted subdirectory %q", s.Subdir)
		}
	})
}
