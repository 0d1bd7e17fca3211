package kinds

import (
	"strings"
	"testing"
	"unicode"

	msemver "github.com/Masterminds/semver/v3"

	"github.com/plugctl/plugctl/internal/redact"
	src "github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/source/archive"
	"github.com/plugctl/plugctl/internal/source/git"
	"github.com/plugctl/plugctl/internal/versions"
)

// sourceSeeds are sources and versions that have broken validators before:
// options, transports, go-getter's specials, credentials, homoglyphs.
var sourceSeeds = []struct{ source, version string }{
	{"", "v1.2.3"}, {"", "--help"}, {"", "^1.2 || ~0.3"}, {"", "latest"},
	{"git::https://example.com/r.git", "main"}, {"git::https://example.com/r.git", "--upload-pack=touch x"},
	{"git::ssh://git@example.com/r.git//sub/dir", "v1.0.0"}, {"git::ssh://-oProxyCommand=x/r", ""},
	{"git::file:///tmp/r.git", "0123456789abcdef0123456789abcdef01234567"}, {"git::ext::sh -c x", ""},
	{"git::fd::17", ""}, {"ext::sh", ""}, {"s3::https://b.example.com/a.tar.gz", ""},
	{"git::https://example.com/r.git?sshkey=AAAA", ""}, {"git::https://example.com/r.git//../..", ""},
	{"git::https://u:CANARY@example.com/r.git", "HEAD@{1}"}, {"https://example.com/a.tar.gz?archive=false", ""},
	{"https://example.com/a//b.tar.gz", ""}, {"https://u:CANARY@example.com/a.zip", ""}, {"file:///a.tgz", ""},
	{"http://example.com/a.tar.gz", ""}, {"./local", ""}, {"../../etc", ""}, {"-rf", ""}, {"git::https://gіthub.com/r.git", "v1"},
	{"git::https://example.com/r.git", "refs/heads/main"}, {"git::https://example.com/r.git", "a..b"}, {"git::https://[::1]:22/r.git", ""},
}

// FuzzSource checks the source and version validators that stand between
// the config and git, go-getter and the go command:
//
//   - Classify never panics, and a source the config accepts has a kind;
//   - an accepted source or version never begins with '-', and a remote one
//     holds no space or control character;
//   - a git or archive source the config accepts parses (the kinds hand
//     their parsed form to git and go-getter) into a URL with no query,
//     fragment or foreign transport, and no subdirectory climbing out;
//   - a git version the config accepts is one git could not read as an
//     option or a revision expression;
//   - no message about a source shows the credentials of its URL.
func FuzzSource(f *testing.F) {
	for _, s := range sourceSeeds {
		f.Add(s.source, s.version)
	}
	f.Fuzz(func(t *testing.T, source, version string) {
		k, claimed := Classify(source)
		kind := unknown
		if claimed {
			kind = k.Kind()
		}
		err := CheckSource(source)
		if err != nil {
			if msg := err.Error(); msg != redact.String(msg) {
				t.Fatalf("checkSource(%q) = %q shows credentials", source, msg)
			}
		} else {
			if kind == unknown {
				t.Fatalf("checkSource accepts %q of unknown kind", source)
			}
			if strings.HasPrefix(source, "-") {
				t.Fatalf("checkSource accepts %q", source)
			}
			for _, r := range source {
				if unicode.IsControl(r) || !k.Rules().Spaces && unicode.IsSpace(r) {
					t.Fatalf("checkSource accepts %q, with a space or control character", source)
				}
			}
			switch kind {
			case src.Git:
				g, ferr := git.Parse(source)
				if ferr != nil {
					t.Fatalf("the config accepts git source %q, git.Parse refuses it: %v", source, ferr)
				}
				if strings.HasPrefix(g.URL, "-") || strings.ContainsAny(g.URL, "?#") || forcedRE.MatchString(g.URL) {
					t.Fatalf("git source %q gives URL %q", source, g.URL)
				}
				if g.Subdir == ".." || strings.HasPrefix(g.Subdir, "../") || strings.Contains(g.Subdir, "/../") || strings.HasSuffix(g.Subdir, "/..") || strings.HasPrefix(g.Subdir, "/") {
					t.Fatalf("git source %q gives subdirectory %q", source, g.Subdir)
				}
			case src.Archive:
				u, _, ferr := archive.Parse(source)
				if ferr != nil {
					t.Fatalf("the config accepts archive source %q, archive.Parse refuses it: %v", source, ferr)
				}
				if u.RawQuery != "" || u.Fragment != "" || (u.Scheme != "https" && u.Scheme != "file") {
					t.Fatalf("archive source %q gives URL %q", source, u)
				}
			}
		}
		for _, k := range []src.Kind{src.Module, src.Git} {
			if probs := checkVersion(version, k); len(probs) > 0 {
				for _, p := range probs {
					if p.Msg != redact.String(p.Msg) {
						t.Fatalf("version %q: %q shows credentials", version, p.Msg)
					}
				}
				continue
			}
			if strings.HasPrefix(version, "-") {
				t.Fatalf("checkVersion accepts %q for %v", version, k)
			}
			if _, cerr := msemver.NewConstraint(version); k == src.Git && cerr != nil && !versions.IsExact(version) && version != "latest" {
				// A branch, tag or commit: matched against ls-remote's
				// output in Go, but still never a revision expression.
				if strings.Contains(version, "..") || strings.Contains(version, "@{") {
					t.Fatalf("checkVersion accepts git version %q", version)
				}
				for _, r := range version {
					if unicode.IsSpace(r) || unicode.IsControl(r) {
						t.Fatalf("checkVersion accepts git version %q", version)
					}
				}
			}
		}
	})
}
