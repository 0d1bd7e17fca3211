package config

import (
	"reflect"
	"testing"
)

func TestKindOf(t *testing.T) {
	for _, tt := range []struct {
		source string
		want   SourceKind
	}{
		{"", SourceModule},
		{"git::https://h.example/r.git", SourceGit},
		{"git::ssh://git@h.example/r.git", SourceGit},
		{"git::file:///srv/r.git//sub", SourceGit},
		{"git::", SourceGit},
		{"https://h.example/a.tar.gz", SourceArchive},
		{"file:///tmp/a.zip", SourceArchive},
		{"./a", SourceLocal},
		{"../a", SourceLocal},
		{"/abs/a", SourceLocal},
		{".", SourceLocal},
		{"..", SourceLocal},
		{".a", SourceUnknown},
		{"a/b", SourceUnknown},
		{"http://h.example/a.zip", SourceUnknown},
		{"ext::sh", SourceUnknown},
		{"-x", SourceUnknown},
	} {
		t.Run(tt.source, func(t *testing.T) {
			if got := KindOf(tt.source); got != tt.want {
				t.Errorf("KindOf(%q) = %v, want %v", tt.source, got, tt.want)
			}
		})
	}
}

func TestSourceKindString(t *testing.T) {
	got := []string{SourceModule.String(), SourceGit.String(), SourceArchive.String(), SourceLocal.String(), SourceUnknown.String()}
	if want := []string{"module", "git", "archive", "local", "unknown"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestCheckVersion(t *testing.T) {
	for _, tt := range []struct {
		name    string
		version string
		kind    SourceKind
		ok      bool
	}{
		{"exact", "v1.2.3", SourceModule, true},
		{"prerelease", "v1.2.3-rc.1", SourceModule, true},
		{"pseudo", "v0.0.0-20191109021931-daa7c04131f5", SourceModule, true},
		{"incompatible", "v2.0.0+incompatible", SourceModule, true},
		{"latest", "latest", SourceModule, true},
		{"caret", "^1.2", SourceModule, true},
		{"tilde", "~1.2.3", SourceModule, true},
		{"range", ">=1.0 <2", SourceModule, true},
		{"or", "^1.2 || ^2.0", SourceModule, true},
		{"short v", "v1.2", SourceModule, true},
		{"no v", "1.2.3", SourceModule, true},
		{"branch for module", "main", SourceModule, false},
		{"build metadata", "v1.2.3+meta", SourceModule, true}, // a constraint to Masterminds
		{"leading dash", "-v1", SourceModule, false},
		{"branch", "main", SourceGit, true},
		{"branch with slash", "feature/x-y", SourceGit, true},
		{"commit", "0123456789abcdef0123456789abcdef01234567", SourceGit, true},
		{"caret is a constraint for git", "^1.2", SourceGit, true},
		{"dash for git", "--upload-pack=evil", SourceGit, false},
		{"dotdot", "a..b", SourceGit, false},
		{"space", "a b", SourceGit, false},
		{"newline", "a\nb", SourceGit, false},
		{"caret inside ref", "HEAD^", SourceGit, false},
		{"reflog", "main@{1}", SourceGit, false},
		{"lock suffix", "x.lock", SourceGit, false},
		{"trailing slash", "x/", SourceGit, false},
		{"hidden component", "a/.b", SourceGit, false},
		{"backslash", `a\b`, SourceGit, false},
		{"question", "a?", SourceGit, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := checkVersion(tt.version, tt.kind)
			if (err == nil) != tt.ok {
				t.Errorf("checkVersion(%q, %v) = %v, want ok: %v", tt.version, tt.kind, err, tt.ok)
			}
		})
	}
}

func TestCheckSource(t *testing.T) {
	for _, tt := range []struct {
		source string
		ok     bool
	}{
		{"", true},
		{"git::https://h.example/r.git", true},
		{"git::https://user:token@h.example/r.git", true},
		{"git::ssh://git@h.example:2222/r.git", true},
		{"git::file:///srv/git/r.git", true},
		{"git::https://h.example/r.git//sub/dir", true},
		{"git::https://h.example/r.git//../x", false},
		{"git::https://h.example/r.git?ref=v1", false},
		{"git::https://h.example/r.git#frag", false},
		{"git::ext::sh -c x", false},
		{"git::s3::https://x", false},
		{"git::", false},
		{"git::https://", false},
		{"git::https:///r.git", false},
		{"git::ssh://-oProxyCommand=x/r", false},
		{"git::ssh://-oProxyCommand=x@h/r", false},
		{"https://h.example/a.tar.gz", true},
		{"https://h.example/a.tgz", true},
		{"file:///tmp/a.zip", true},
		{"https://h.example/a.tar.gz?archive=zip", false},
		{"https://h.example/a.tar", false},
		{"https:///a.zip", false},
		{"./a", true},
		{"./a b", true},
		{"/abs", true},
		{"./a\x00b", false},
		{"-rf", false},
		{"ext::sh", false},
		{"fd::0", false},
		{"s3::https://bucket/x.zip", false},
		{"github.com/a/b", false},
		{"git@github.com:a/b.git", false},
		{"C:\\plugs\\a", false},
	} {
		t.Run(tt.source, func(t *testing.T) {
			err := checkSource(tt.source)
			if (err == nil) != tt.ok {
				t.Errorf("checkSource(%q) = %v, want ok: %v", tt.source, err, tt.ok)
			}
		})
	}
}
