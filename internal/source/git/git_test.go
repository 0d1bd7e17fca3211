package git

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/testenv"
)

// fixture is a repository with lightweight, annotated, pre-release and
// non-semver tags, two branches, a module in a subdirectory with its own
// sub/dir/vX.Y.Z tags, a symbolic link, an executable and attributes that
// would change an exported tree.
type fixture struct {
	*repo
	c0, c1, c2, c3, c4 string // c0 untagged; main is at c3, dev at c4
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	r := newRepo(t)
	f := &fixture{repo: r}
	f.c0 = r.commit("init", map[string]string{"README": "geo\n"})
	f.c1 = r.commit("v1.0.0", map[string]string{
		"go.mod": "module example.com/geo\n\ngo 1.22\n",
		"geo.go": "package geo\n",
	})
	r.run("tag", "v1.0.0")
	f.c2 = r.commit("v1.1.0", map[string]string{
		"geo.go":                     "package geo\n\nconst V = 1\n",
		"run.sh":                     "#!/bin/sh\necho hi\n",
		"link":                       "->geo.go",
		".gitattributes":             "ign.txt export-ignore\ncrlf.txt text eol=crlf\nsubst.txt export-subst\n",
		"ign.txt":                    "kept\n",
		"crlf.txt":                   "a\nb\n",
		"subst.txt":                  "$Format:%H$\n",
		"plugins/metrics/go.mod":     "module example.com/geo/plugins/metrics\n\ngo 1.22\n",
		"plugins/metrics/metrics.go": "package metrics\n",
	})
	r.run("tag", "-a", "-m", "release 1.1.0", "v1.1.0")
	r.run("tag", "plugins/metrics/v0.3.0")
	f.c3 = r.commit("v1.2.0-rc.1", map[string]string{
		"geo.go":                     "package geo\n\nconst V = 2\n",
		"plugins/metrics/metrics.go": "package metrics\n\nconst V = 4\n",
	})
	r.run("tag", "-a", "-m", "rc", "v1.2.0-rc.1")
	r.run("tag", "plugins/metrics/v0.4.0")
	r.run("tag", "release-x")
	r.run("checkout", "--quiet", "-b", "dev")
	f.c4 = r.commit("dev work", map[string]string{"dev.go": "package geo\n"})
	r.run("checkout", "--quiet", "main")
	r.push()
	return f
}

func TestRefs(t *testing.T) {
	f := newFixture(t)
	refs, err := Refs(context.Background(), nil, f.URL())
	if err != nil {
		t.Fatal(err)
	}
	want := []Ref{
		{"refs/heads/dev", f.c4},
		{"refs/heads/main", f.c3},
		{"refs/tags/plugins/metrics/v0.3.0", f.c2},
		{"refs/tags/plugins/metrics/v0.4.0", f.c3},
		{"refs/tags/release-x", f.c3},
		{"refs/tags/v1.0.0", f.c1},
		{"refs/tags/v1.1.0", f.c2}, // annotated: peeled to the commit
		{"refs/tags/v1.2.0-rc.1", f.c3},
	}
	if !slices.Equal(refs, want) {
		t.Errorf("Refs =\n%v\nwant\n%v", refs, want)
	}
}

func TestResolveGit(t *testing.T) {
	f := newFixture(t)
	sub := f.URL() + "//plugins/metrics"
	tests := []struct {
		name, src, version string
		want               testPin
	}{
		{"default branch", f.URL(), "", testPin{f.c3, "v1.2.0-rc.1", "HEAD"}},
		{"lightweight tag", f.URL(), "v1.0.0", testPin{f.c1, "v1.0.0", "refs/tags/v1.0.0"}},
		{"annotated tag", f.URL(), "v1.1.0", testPin{f.c2, "v1.1.0", "refs/tags/v1.1.0"}},
		{"non-semver tag", f.URL(), "release-x", testPin{f.c3, "", "refs/tags/release-x"}},
		{"caret skips pre-releases", f.URL(), "^1.0", testPin{f.c2, "v1.1.0", "refs/tags/v1.1.0"}},
		{"tilde", f.URL(), "~1.0.0", testPin{f.c1, "v1.0.0", "refs/tags/v1.0.0"}},
		{"range", f.URL(), ">=1.0.0 <1.1.0", testPin{f.c1, "v1.0.0", "refs/tags/v1.0.0"}},
		{"pre-release asked for", f.URL(), ">=1.2.0-0", testPin{f.c3, "v1.2.0-rc.1", "refs/tags/v1.2.0-rc.1"}},
		{"latest is the highest release", f.URL(), "latest", testPin{f.c2, "v1.1.0", "refs/tags/v1.1.0"}},
		{"branch", f.URL(), "dev", testPin{f.c4, "", "refs/heads/dev"}},
		{"branch at a tag", f.URL(), "main", testPin{f.c3, "v1.2.0-rc.1", "refs/heads/main"}},
		{"full commit", f.URL(), f.c1, testPin{f.c1, "v1.0.0", ""}},
		{"short commit at a tip", f.URL(), f.c4[:8], testPin{f.c4, "", ""}},
		{"short commit inside history", f.URL(), f.c0[:10], testPin{f.c0, "", ""}},
		{"subdirectory tags", sub, ">=0.3", testPin{f.c3, "v0.4.0", "refs/tags/plugins/metrics/v0.4.0"}},
		{"caret below v1", sub, "^0.3", testPin{f.c2, "v0.3.0", "refs/tags/plugins/metrics/v0.3.0"}},
		{"subdirectory exact tag", sub, "v0.3.0", testPin{f.c2, "v0.3.0", "refs/tags/plugins/metrics/v0.3.0"}},
		{"subdirectory branch", sub, "dev", testPin{f.c4, "", "refs/heads/dev"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolveGit(context.Background(), tt.src, tt.version)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ResolveGit(%q) = %+v, want %+v", tt.version, got, tt.want)
			}
		})
	}
}

func TestResolveGitErrors(t *testing.T) {
	f := newFixture(t)
	u := "git::file://" + f.bare
	tests := []struct {
		name, src, version string
		code               int
		want               string
	}{
		{"no match", f.URL(), "^3.0", 2,
			`resolving ` + u + ` at "^3.0": no version matches "^3.0" (versions: v1.2.0-rc.1, v1.1.0, v1.0.0)`},
		{"nothing named so", f.URL(), "nope", 2,
			`resolving ` + u + ` at "nope": no tag, branch or commit is named "nope" (versions: v1.2.0-rc.1, v1.1.0, v1.0.0; branches: dev, main)`},
		{"unknown short commit", f.URL(), "abcdef0", 2,
			`resolving ` + u + ` at "abcdef0": no commit abcdef0 in the repository (or it is ambiguous: give more digits)`},
		{"leading dash", f.URL(), "--upload-pack=touch x", 2,
			`invalid version "--upload-pack=touch x": it must not begin with '-' (valid: an exact version like v1.2.3, a constraint like ^1.2, ~1.2.3 or >=1.0 <2, latest, or a pseudo-version, or a branch, tag or commit)`},
		{"missing repository", "git::file://" + filepath.Join(t.TempDir(), "none.git"), "v1.0.0", 4, "resolving git::file://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := resolveGit(context.Background(), tt.src, tt.version)
			if err == nil {
				t.Fatal("no error")
			}
			if got := fail.Code(err); got != tt.code {
				t.Errorf("exit code %d, want %d (%v)", got, tt.code, err)
			}
			if tt.code == 4 {
				if !strings.HasPrefix(err.Error(), tt.want) || !strings.Contains(err.Error(), "does not appear to be a git repository") {
					t.Errorf("error %q, want it to start %q and carry git's stderr", err, tt.want)
				}
				return
			}
			if err.Error() != tt.want {
				t.Errorf("error\n%s\nwant\n%s", err, tt.want)
			}
		})
	}
}

func TestFetchGit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dst := filepath.Join(t.TempDir(), "src", "geo@"+f.c2)
	// A stale tree in the way is replaced as a whole.
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "stale.go"), []byte("package stale\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tree, err := FetchTree(ctx, nil, f.URL(), f.c2, dst, false)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		".gitattributes":             "ign.txt export-ignore\ncrlf.txt text eol=crlf\nsubst.txt export-subst\n",
		"README":                     "geo\n",
		"crlf.txt":                   "a\nb\n",        // no end-of-line conversion
		"ign.txt":                    "kept\n",        // export-ignore has no effect
		"subst.txt":                  "$Format:%H$\n", // nor export-subst
		"geo.go":                     "package geo\n\nconst V = 1\n",
		"go.mod":                     "module example.com/geo\n\ngo 1.22\n",
		"plugins":                    "/",
		"plugins/metrics":            "/",
		"plugins/metrics/go.mod":     "module example.com/geo/plugins/metrics\n\ngo 1.22\n",
		"plugins/metrics/metrics.go": "package metrics\n",
		"run.sh":                     "#!/bin/sh\necho hi\n*",
		// no "link": symbolic links are left out, as in a module zip
	}
	if got := testenv.TreeFiles(t, dst); !maps.Equal(got, want) {
		t.Errorf("tree =\n%q\nwant\n%q", got, want)
	}
	if tree.Dir != dst || tree.Module != "example.com/geo" {
		t.Errorf("tree = %s %s, want %s example.com/geo", tree.Dir, tree.Module, dst)
	}
	if want := time.Date(2024, 1, 1, 0, 3, 0, 0, time.UTC); !tree.Time.Equal(want) {
		t.Errorf("tree.Time = %v, want %v", tree.Time, want)
	}
	if v, err := tree.ModuleVersion("v1.1.0", f.c2); err != nil || v != "v1.1.0" {
		t.Errorf("ModuleVersion(v1.1.0) = %q, %v", v, err)
	}
	if v, err := tree.ModuleVersion("", f.c2); err != nil || v != "v0.0.0-20240101000300-"+f.c2[:12] {
		t.Errorf("ModuleVersion(\"\") = %q, %v", v, err)
	}
	if _, err := tree.ModuleVersion("v2.0.0", f.c2); err == nil || err.Error() != "tag v2.0.0 does not fit module path example.com/geo (a module at v2 or above has a path ending in /vN)" {
		t.Errorf("ModuleVersion(v2.0.0) error = %v", err)
	}
	// Nothing is left beside the tree.
	ents, _ := os.ReadDir(filepath.Dir(dst))
	if len(ents) != 1 {
		t.Errorf("%s holds %d entries, want only the tree", filepath.Dir(dst), len(ents))
	}
}

func TestFetchGitSubdir(t *testing.T) {
	f := newFixture(t)
	dst := filepath.Join(t.TempDir(), "metrics")
	tree, err := FetchTree(context.Background(), nil, f.URL()+"//plugins/metrics", f.c3, dst, false)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"go.mod":     "module example.com/geo/plugins/metrics\n\ngo 1.22\n",
		"metrics.go": "package metrics\n\nconst V = 4\n",
	}
	if got := testenv.TreeFiles(t, dst); !maps.Equal(got, want) {
		t.Errorf("tree = %q, want %q", got, want)
	}
	if tree.Module != "example.com/geo/plugins/metrics" {
		t.Errorf("module %s", tree.Module)
	}
}

func TestFetchGitErrors(t *testing.T) {
	f := newFixture(t)
	u := "git::file://" + f.bare
	missing := strings.Repeat("0", 40)
	tests := []struct {
		name, src, commit string
		code              int
		want              string
	}{
		{"no such directory", f.URL() + "//plugins/none", f.c3, 2,
			"fetching " + u + "//plugins/none at " + f.c3 + ": commit " + f.c3 + " has no directory plugins/none"},
		{"subdirectory is a file", f.URL() + "//geo.go", f.c3, 2,
			"fetching " + u + "//geo.go at " + f.c3 + ": " + f.c3 + ":geo.go is a blob, not a directory"},
		{"no go.mod", f.URL(), f.c0, 2,
			"fetching " + u + " at " + f.c0 + ": no go.mod at the root of the source"},
		{"no such commit", f.URL(), missing, 4, "fetching " + u + " at " + missing + ": "},
		{"short commit", f.URL(), f.c3[:12], 2, "git source " + u + `: "` + f.c3[:12] + `" is not a full commit hash`},
		{"option as commit", f.URL(), "--upload-pack=touch x", 2, "git source " + u + `: "--upload-pack=touch x" is not a full commit hash`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "dst")
			_, err := FetchTree(context.Background(), nil, tt.src, tt.commit, dst, false)
			if err == nil {
				t.Fatal("no error")
			}
			if got := fail.Code(err); got != tt.code {
				t.Errorf("exit code %d, want %d (%v)", got, tt.code, err)
			}
			if tt.code == 4 {
				if !strings.HasPrefix(err.Error(), tt.want) {
					t.Errorf("error %q, want prefix %q", err, tt.want)
				}
			} else if err.Error() != tt.want {
				t.Errorf("error\n%s\nwant\n%s", err, tt.want)
			}
			if _, err := os.Stat(dst); !os.IsNotExist(err) {
				t.Errorf("%s exists after a failed fetch", dst)
			}
		})
	}
}

func TestMovedTag(t *testing.T) {
	r := newRepo(t)
	c1 := r.commit("one", map[string]string{"go.mod": "module example.com/m\n"})
	r.run("tag", "v1.0.0")
	r.push()
	ctx := context.Background()
	pin, err := resolveGit(ctx, r.URL(), "v1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if err := verifyTag(ctx, r.URL(), pin.Version, pin.Commit); err != nil {
		t.Fatalf("VerifyTag before the move: %v", err)
	}
	c2 := r.commit("two", map[string]string{"a.go": "package m\n"})
	r.run("tag", "--force", "v1.0.0")
	r.push()
	err = verifyTag(ctx, r.URL(), "v1.0.0", c1)
	want := "git::file://" + r.bare + ": tag v1.0.0 moved: the lock pins commit " + c1 + ", the repository now has " + c2
	if err == nil || err.Error() != want || fail.Code(err) != 3 {
		t.Errorf("VerifyTag after the move = %v (exit %d), want %q (exit 3)", err, fail.Code(err), want)
	}
	r.run("tag", "--delete", "v1.0.0")
	r.run("push", "--quiet", "origin", ":refs/tags/v1.0.0")
	err = verifyTag(ctx, r.URL(), "v1.0.0", c1)
	want = "git::file://" + r.bare + ": tag v1.0.0 is gone (the lock pins commit " + c1 + ")"
	if err == nil || err.Error() != want || fail.Code(err) != 3 {
		t.Errorf("VerifyTag after the delete = %v, want %q", err, want)
	}
}

func TestGitCancel(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := resolveGit(ctx, f.URL(), "v1.0.0")
	if !errors.Is(err, context.Canceled) || fail.Code(err) != 130 {
		t.Errorf("cancelled ResolveGit = %v (exit %d), want context.Canceled (exit 130)", err, fail.Code(err))
	}
}

// testPin is what Source.Resolve pins a git version to.
type testPin struct{ Commit, Version, Ref string }

// resolveGit resolves version of the source src.
func resolveGit(ctx context.Context, src, version string) (testPin, error) {
	p, err := resolve(ctx, nil, src, version)
	return testPin{p.Origin.Commit, p.Version, p.Origin.Ref}, err
}

// verifyTag checks that tag still names commit in the repository of src.
func verifyTag(ctx context.Context, src, tag, commit string) error {
	refs, err := Refs(ctx, nil, src)
	if err != nil {
		return err
	}
	s, _ := Parse(src)
	return CheckTag(s.String(), refs, tag, commit)
}

// TestAvailableAgreesWithResolve checks that what plugctl outdated reports
// of a repository is what resolution picks: both read the versions through
// semverTags. They used to disagree: outdated took a subdirectory's tags
// written sub/dir/v1.3 (not a canonical version, which resolution refuses)
// and reported v1.3 as the newest version, one lock --upgrade never picks.
func TestAvailableAgreesWithResolve(t *testing.T) {
	r := newRepo(t)
	r.commit("one", map[string]string{
		"go.mod":             "module example.com/geo\n\ngo 1.22\n",
		"plugins/m/go.mod":   "module example.com/geo/plugins/m\n\ngo 1.22\n",
		"plugins/m/m.go":     "package m\n",
		"plugins/m/extra.go": "package m\n",
	})
	r.run("tag", "v1.0.0")
	r.run("tag", "v1.1")
	r.run("tag", "plugins/m/v1.3")
	r.push()
	ctx := context.Background()
	sub := r.URL() + "//plugins/m"
	a, err := Source{}.Available(ctx, nil, &source.Request{Name: "m", Source: sub})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Versions, []string{"v1.0.0"}) || a.Newest != "v1.0.0" {
		t.Errorf("Available = %v, newest %s; want [v1.0.0], newest v1.0.0", a.Versions, a.Newest)
	}
	for _, v := range []string{"latest", ">=1.0.0"} {
		p, err := resolveGit(ctx, sub, v)
		if err != nil {
			t.Fatal(err)
		}
		if p.Version != a.Newest || p.Ref != "refs/tags/v1.0.0" {
			t.Errorf("resolving %q picks %+v; outdated says the newest is %s", v, p, a.Newest)
		}
	}
}

// TestPseudoVersionBase: a commit no tag names is built at the
// pseudo-version the go command gives it, based on the highest semver tag
// reachable from it that fits the module path.
func TestPseudoVersionBase(t *testing.T) {
	f := newFixture(t)
	v2 := newRepo(t)
	start := v2.commit("start", map[string]string{"go.mod": "module example.com/big/v2\n\ngo 1.22\n"})
	v2.commit("v1", map[string]string{"go.mod": "module example.com/big\n\ngo 1.22\n"})
	v2.run("tag", "v1.9.0")
	v2.commit("v2", map[string]string{"go.mod": "module example.com/big/v2\n\ngo 1.22\n"})
	v2.run("tag", "v2.1.0")
	v2.run("tag", "v2.2.0-beta.1")
	tip := v2.commit("work", map[string]string{"big.go": "package big\n"})
	v2.run("tag", "v3.0.0") // fits no /v2 module
	v2.push()
	tests := []struct {
		name, src, commit, want string
	}{
		{"after a pre-release tag", f.URL(), f.c4, "v1.2.0-rc.1.0.20240101000500-" + f.c4[:12]},
		{"before every tag", v2.URL(), start, "v2.0.0-20240101000100-" + start[:12]},
		{"subdirectory tags", f.URL() + "//plugins/metrics", f.c4, "v0.4.1-0.20240101000500-" + f.c4[:12]},
		{"major version suffix", v2.URL(), tip, "v2.2.0-beta.1.0.20240101000400-" + tip[:12]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree, err := FetchTree(context.Background(), nil, tt.src, tt.commit, filepath.Join(t.TempDir(), "src"), true)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := tree.ModuleVersion("", tt.commit); err != nil || got != tt.want {
				t.Errorf("ModuleVersion = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
