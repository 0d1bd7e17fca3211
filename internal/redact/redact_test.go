package redact

import (
	"net/url"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"token", "git::https://user:s3cret@example.com/r.git", "git::https://REDACTED@example.com/r.git"},
		{"user only", "ssh://git@example.com/r.git", "ssh://REDACTED@example.com/r.git"},
		{"archive", "https://token@h/a.zip", "https://REDACTED@h/a.zip"},
		{"in a message", "fetch https://x:tok@h/a failed; retry https://h/b", "fetch https://REDACTED@h/a failed; retry https://h/b"},
		{"no credentials", "https://example.com/a.tar.gz", "https://example.com/a.tar.gz"},
		{"not a url", "user@example.com", "user@example.com"},
		{"a path with @", "./a@b", "./a@b"},
		{"@ in the path only", "https://h/x@v1/y", "https://h/x@v1/y"},
		// net/url, git and ssh end the user-info at the last @.
		{"@ in the token", "git::ssh://pre@TOKEN@host/x", "git::ssh://REDACTED@host/x"},
		{"@ in the password", "https://u:p@ss@w@rd@h/r.git", "https://REDACTED@h/r.git"},
		{"@ in a subdirectory", "git::https://u:p@h/r.git//sub@x/y", "git::https://REDACTED@h/r.git//sub@x/y"},
		{"@ after the query", "https://h/a?u=x@y", "https://h/a?u=x@y"},
		{"two urls", "https://a@b@h/x https://c@d@h/y", "https://REDACTED@h/x https://REDACTED@h/y"},
		{"quoted", `"git::https://u:p@x@h/r"`, `"git::https://REDACTED@h/r"`},
		{"empty user-info", "https://@h/x", "https://REDACTED@h/x"},
		{"already redacted", "https://REDACTED@h/x", "https://REDACTED@h/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"plain", "v1.0.0", 10, `"v1.0.0"`},
		{"credentials", "https://u:p@ss@h/x", 100, `"https://REDACTED@h/x"`},
		{"control characters", "a\x1b[2Jb", 10, `"a\x1b[2Jb"`},
		{"shortened", "abcdefghij", 4, `"abcd"…`},
		// Redacted before the cut: the password does not lose its "@".
		{"cut in the password", "https://u:secret@h/x", 14, `"https://REDACT"…`},
		// Quoting makes \x escapes that read as letters: redacted again.
		{"escape made a url", "\xffhttps://u@h", 100, `"\xffhttps://REDACTED@h"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Quote(tt.in, tt.n); got != tt.want {
				t.Errorf("Quote(%q, %d) = %s, want %s", tt.in, tt.n, got, tt.want)
			}
		})
	}
}

func TestArgs(t *testing.T) {
	in := []string{"git", "ls-remote", "--", "https://u:tok@en@h/r.git"}
	got := Args(in)
	if want := "https://REDACTED@h/r.git"; got[3] != want {
		t.Errorf("Args: %q, want %q", got[3], want)
	}
	if in[3] != "https://u:tok@en@h/r.git" {
		t.Error("Args changed its argument")
	}
}

func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:p@h/a.zip":       "https://REDACTED@h/a.zip",
		"https://pre@TOKEN@h/a.zip": "https://REDACTED@h/a.zip",
		"https://h/a.zip":           "https://h/a.zip",
	} {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := URL(u); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

// sourceForms are the forms of a source whose URL carries credentials:
// each makes a source from the fuzzer's text and returns the URL plugctl
// hands to git or to the archive downloader for that source, as
// git.Parse and archive.Parse (internal/source) derive it.
var sourceForms = []struct {
	name   string
	source func(rest string) string
	url    func(source string) (string, bool)
}{
	{"git::https", func(r string) string { return "git::https://" + r }, gitURL},
	{"git::ssh", func(r string) string { return "git::ssh://" + r }, gitURL},
	{"git::file", func(r string) string { return "git::file://" + r }, gitURL},
	{"https archive", func(r string) string { return "https://" + r }, archiveURL},
	{"file archive", func(r string) string { return "file://" + r }, archiveURL},
}

// gitURL is the repository URL of a git::URL[//sub/dir] source.
func gitURL(source string) (string, bool) {
	rest, ok := strings.CutPrefix(source, "git::")
	if !ok {
		return "", false
	}
	scheme, after, ok := strings.Cut(rest, "://")
	if !ok {
		return "", false
	}
	repo, _, _ := strings.Cut(after, "//")
	return scheme + "://" + repo, true
}

// archiveURL is the URL of an archive source: the source itself.
func archiveURL(source string) (string, bool) { return source, true }

// FuzzString holds redaction against net/url: for every source form, the
// user-info url.Parse finds in the URL plugctl would use is exactly what
// redaction replaces — the redacted source parses to the same URL with
// Placeholder as its only user-info — and redacting again changes nothing.
func FuzzString(f *testing.F) {
	for _, seed := range []string{
		"user:s3cret@example.com/r.git",
		"pre@TOKEN@host/x",
		"u:p@ss@w@rd@h:8443/r.git//sub/dir",
		"git@h/r.git",
		"u%40x:p%2F@h/r.git",
		"u:p@[::1]:22/r",
		"@h/x",
		"h/x@v1/y.tar.gz",
		"u:p@h/a.tar.gz?x=@#@",
		"u:p@/abs/path.zip",
		"a@b@c@d@e/f",
		"REDACTED@h/x",
		"u:p@h/x//s@t",
		"h\t@u/x",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		for _, form := range sourceForms {
			source := form.source(rest)
			red := String(source)
			if again := String(red); again != red {
				t.Fatalf("%s: String is not idempotent: %q -> %q -> %q", form.name, source, red, again)
			}
			raw, ok := form.url(source)
			if !ok {
				continue
			}
			u, err := url.Parse(raw)
			if err != nil || u.User == nil {
				continue
			}
			redRaw, ok := form.url(red)
			if !ok {
				t.Fatalf("%s: redacting %q made %q, no longer that form", form.name, source, red)
			}
			r, err := url.Parse(redRaw)
			if err != nil {
				t.Fatalf("%s: redacting %q made %q, which url.Parse refuses: %v", form.name, source, red, err)
			}
			if r.User == nil || r.User.String() != Placeholder {
				t.Fatalf("%s: %q redacts to %q, whose user-info is %v; url.Parse found %q in the source", form.name, source, red, r.User, u.User)
			}
			if r.Scheme != u.Scheme || r.Host != u.Host {
				t.Fatalf("%s: redacting %q changed the host: %q", form.name, source, red)
			}
			// Nothing but the user-info changed, unless what follows it
			// holds another URL-like "scheme://…@" (redacted too).
			off := strings.Index(source, raw)
			start := strings.Index(raw, "://") + len("://")
			auth := raw[start:]
			if end := strings.IndexAny(auth, "/?#"); end >= 0 {
				auth = auth[:end]
			}
			after := off + start + strings.LastIndex(auth, "@") + 1
			if want := source[:off+start] + Placeholder + "@" + source[after:]; red != want && !strings.Contains(source[after:], "://") {
				t.Fatalf("%s: String(%q) = %q, want %q", form.name, source, red, want)
			}
		}
	})
}
