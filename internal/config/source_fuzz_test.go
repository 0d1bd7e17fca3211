package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	msemver "github.com/Masterminds/semver/v3"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/plugctl/plugctl/internal/fetch"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/versions"
)

// corpusConfigs returns the plugconfig.yaml of every case of the CLI's
// hostile-input corpus (internal/cli/testdata/hostile), so that the fuzz
// targets start from every input a test already pins down.
func corpusConfigs(tb testing.TB) [][]byte {
	files, err := filepath.Glob(filepath.Join("..", "cli", "testdata", "hostile", "*.txtar"))
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, name := range files {
		a, err := txtar.ParseFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range a.Files {
			if strings.HasSuffix(f.Name, ".yaml") {
				out = append(out, f.Data)
			}
		}
	}
	if len(out) < 40 {
		tb.Fatalf("only %d configs in the hostile-input corpus", len(out))
	}
	return out
}

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
//   - KindOf never panics, and a source the config accepts has a kind;
//   - an accepted source or version never begins with '-', and a remote one
//     holds no space or control character;
//   - the config and the fetcher agree: a git or archive source the config
//     accepts is one internal/fetch accepts (else validation would pass and
//     the fetch fail later), with no query, fragment, foreign transport or
//     subdirectory climbing out;
//   - a git version the config accepts is one git could not read as an
//     option or a revision expression;
//   - no message about a source shows the credentials of its URL.
func FuzzSource(f *testing.F) {
	for _, s := range sourceSeeds {
		f.Add(s.source, s.version)
	}
	f.Fuzz(func(t *testing.T, source, version string) {
		kind := KindOf(source)
		err := checkSource(source)
		if err != nil {
			if msg := err.Error(); msg != redact.String(msg) {
				t.Fatalf("checkSource(%q) = %q shows credentials", source, msg)
			}
		} else {
			if kind == SourceUnknown {
				t.Fatalf("checkSource accepts %q of unknown kind", source)
			}
			if strings.HasPrefix(source, "-") {
				t.Fatalf("checkSource accepts %q", source)
			}
			for _, r := range source {
				if unicode.IsControl(r) || kind != SourceLocal && unicode.IsSpace(r) {
					t.Fatalf("checkSource accepts %q, with a space or control character", source)
				}
			}
			switch kind {
			case SourceGit:
				g, ferr := fetch.ParseGit(source)
				if ferr != nil {
					t.Fatalf("the config accepts git source %q, the fetcher refuses it: %v", source, ferr)
				}
				if strings.HasPrefix(g.URL, "-") || strings.ContainsAny(g.URL, "?#") || forcedRE.MatchString(g.URL) {
					t.Fatalf("git source %q gives URL %q", source, g.URL)
				}
				if g.Subdir == ".." || strings.HasPrefix(g.Subdir, "../") || strings.Contains(g.Subdir, "/../") || strings.HasSuffix(g.Subdir, "/..") || strings.HasPrefix(g.Subdir, "/") {
					t.Fatalf("git source %q gives subdirectory %q", source, g.Subdir)
				}
			case SourceArchive:
				u, _, ferr := fetch.ParseArchive(source)
				if ferr != nil {
					t.Fatalf("the config accepts archive source %q, the fetcher refuses it: %v", source, ferr)
				}
				if u.RawQuery != "" || u.Fragment != "" || (u.Scheme != "https" && u.Scheme != "file") {
					t.Fatalf("archive source %q gives URL %q", source, u)
				}
			}
		}
		for _, k := range []SourceKind{SourceModule, SourceGit} {
			verr := checkVersion(version, k)
			if verr != nil {
				if msg := verr.Error(); msg != redact.String(msg) {
					t.Fatalf("checkVersion(%q) = %q shows credentials", version, msg)
				}
				continue
			}
			if strings.HasPrefix(version, "-") {
				t.Fatalf("checkVersion accepts %q for %v", version, k)
			}
			if _, cerr := msemver.NewConstraint(version); k == SourceGit && cerr != nil && !versions.IsExact(version) && version != "latest" {
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

// TestCorpusParses runs every config of the hostile-input corpus through
// Parse on its own, so that a panic or hang in the loader shows here with
// the file's name, not only in the CLI's scripts.
func TestCorpusParses(t *testing.T) {
	for _, data := range corpusConfigs(t) {
		if _, err := Parse("plugconfig.yaml", data, t.TempDir()); err != nil && !strings.Contains(err.Error(), "plugconfig.yaml:") {
			t.Errorf("error without a position: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join("..", "cli", "testdata", "hostile")); err != nil {
		t.Fatal(err)
	}
}
