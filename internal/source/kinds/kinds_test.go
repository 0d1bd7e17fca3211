package kinds

import (
	"reflect"
	"testing"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/source"
)

// unknown stands for a source no kind claims, in the tests.
const unknown source.Kind = "unknown"

// kindOf is the kind Classify finds, or unknown.
func kindOf(src string) source.Kind {
	if k, ok := Classify(src); ok {
		return k.Kind()
	}
	return unknown
}

func TestClassify(t *testing.T) {
	for _, tt := range []struct {
		source string
		want   source.Kind
	}{
		{"", source.Module},
		{"git::https://h.example/r.git", source.Git},
		{"git::ssh://git@h.example/r.git", source.Git},
		{"git::file:///srv/r.git//sub", source.Git},
		{"git::", source.Git},
		{"https://h.example/a.tar.gz", source.Archive},
		{"file:///tmp/a.zip", source.Archive},
		{"./a", source.Local},
		{"../a", source.Local},
		{"/abs/a", source.Local},
		{".", source.Local},
		{"..", source.Local},
		{".a", unknown},
		{"a/b", unknown},
		{"http://h.example/a.zip", unknown},
		{"ext::sh", unknown},
		{"-x", unknown},
	} {
		t.Run(tt.source, func(t *testing.T) {
			if got := kindOf(tt.source); got != tt.want {
				t.Errorf("Classify(%q) = %v, want %v", tt.source, got, tt.want)
			}
		})
	}
}

// TestTable checks the table against the Kind constants: one row each, in
// the order the forms are described, and ParseKind reading each name (and
// the old "proxy").
func TestTable(t *testing.T) {
	var got []source.Kind
	for _, k := range All() {
		got = append(got, k.Kind())
		if l, ok := Lookup(k.Kind()); !ok || l.Kind() != k.Kind() {
			t.Errorf("Lookup(%q) = %v, %v", k.Kind(), l, ok)
		}
		if p, ok := source.ParseKind(string(k.Kind())); !ok || p != k.Kind() {
			t.Errorf("ParseKind(%q) = %q, %v", k.Kind(), p, ok)
		}
		if k.Rules().Fetches.Many == "" {
			t.Errorf("kind %q does not say what its fetch brings (Rules.Fetches)", k.Kind())
		}
	}
	if want := kindConstants(t); !reflect.DeepEqual(got, want) {
		t.Errorf("the table lists %v; the Kind constants are %v", got, want)
	}
	if k, ok := source.ParseKind("proxy"); !ok || k != source.Module {
		t.Errorf(`ParseKind("proxy") = %q, %v; want the module kind`, k, ok)
	}
	if _, ok := Lookup("proxy"); ok {
		t.Error(`Lookup("proxy") finds a kind: only ParseKind reads the old name`)
	}
	if want := `"" for the module proxy, git::https://…, git::ssh://… or git::file://… for a git repository, an https:// or file:// URL of a .tar.gz, .tgz or .zip archive, or a local path starting with ./, ../ or /`; Forms() != want {
		t.Errorf("Forms() =\n%s\nwant\n%s", Forms(), want)
	}
}

func TestCheckVersion(t *testing.T) {
	for _, tt := range []struct {
		name    string
		version string
		kind    source.Kind
		ok      bool
	}{
		{"exact", "v1.2.3", source.Module, true},
		{"prerelease", "v1.2.3-rc.1", source.Module, true},
		{"pseudo", "v0.0.0-20191109021931-daa7c04131f5", source.Module, true},
		{"incompatible", "v2.0.0+incompatible", source.Module, true},
		{"latest", "latest", source.Module, true},
		{"caret", "^1.2", source.Module, true},
		{"tilde", "~1.2.3", source.Module, true},
		{"range", ">=1.0 <2", source.Module, true},
		{"or", "^1.2 || ^2.0", source.Module, true},
		{"short v", "v1.2", source.Module, true},
		{"no v", "1.2.3", source.Module, true},
		{"branch for module", "main", source.Module, false},
		{"build metadata", "v1.2.3+meta", source.Module, true}, // a constraint to Masterminds
		{"leading dash", "-v1", source.Module, false},
		{"branch", "main", source.Git, true},
		{"branch with slash", "feature/x-y", source.Git, true},
		{"commit", "0123456789abcdef0123456789abcdef01234567", source.Git, true},
		{"caret is a constraint for git", "^1.2", source.Git, true},
		{"dash for git", "--upload-pack=evil", source.Git, false},
		{"dotdot", "a..b", source.Git, false},
		{"space", "a b", source.Git, false},
		{"newline", "a\nb", source.Git, false},
		{"caret inside ref", "HEAD^", source.Git, false},
		{"reflog", "main@{1}", source.Git, false},
		{"lock suffix", "x.lock", source.Git, false},
		{"trailing slash", "x/", source.Git, false},
		{"hidden component", "a/.b", source.Git, false},
		{"backslash", `a\b`, source.Git, false},
		{"question", "a?", source.Git, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			probs := checkVersion(tt.version, tt.kind)
			if (len(probs) == 0) != tt.ok {
				t.Errorf("version %q of a %v entry: %v, want ok: %v", tt.version, tt.kind, probs, tt.ok)
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
			err := CheckSource(tt.source)
			if (err == nil) != tt.ok {
				t.Errorf("CheckSource(%q) = %v, want ok: %v", tt.source, err, tt.ok)
			}
		})
	}
}

// checkVersion returns the problems CheckEntry finds in an entry of kind k
// with version v (and a module, for the module kind).
func checkVersion(v string, k source.Kind) []diag.Problem {
	src := map[source.Kind]string{source.Module: "", source.Git: "git::https://h.example/r.git"}[k]
	e := &source.Entry{Module: "example.com/m", Fields: map[string]source.Field{
		"module":  {Value: "example.com/m", String: true},
		"version": {Value: v, String: true},
		"source":  {Value: src, String: true},
	}}
	return CheckEntry(e)
}
