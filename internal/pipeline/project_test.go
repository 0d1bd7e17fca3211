package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/signing"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/testenv"
)

// hermetic gives the test the environment plugctl's own tests use: the
// test module proxy, a module cache, HOME and user cache of its own, the
// shared build cache, and git without the developer's configuration.
func hermetic(t *testing.T) {
	t.Helper()
	useProxy(t)
	home := t.TempDir()
	t.Setenv("GOCACHE", testenv.GoCache(t))
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, "gitconfig"))
	t.Setenv("CGO_ENABLED", "0")
}

// project writes files into a new directory — "$REPO" in them becomes the
// repository's root — and returns the path of its plugconfig.yaml.
func project(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	root := testenv.RepoRoot(t)
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(body, "$REPO", root)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "plugconfig.yaml")
}

// runSteps runs steps for a command asking o and returns the state, what was
// reported and the error; the state is closed (its locks given back).
func runSteps(t *testing.T, o Options, steps []Step) (*State, *recorder, error) {
	t.Helper()
	r := &recorder{}
	s := New(r, o)
	defer s.Close()
	err := Run(context.Background(), s, steps)
	return s, r, err
}

// local is a plug module built from a directory of the project, on the
// test proxy's core.
var local = map[string]string{
	"local/go.mod":   "module example.com/local\n\ngo 1.22\n\nrequire example.com/server v1.4.2\n",
	"local/local.go": "package local\n",
}

// proxied is a config whose core and first plug come from the test proxy
// and whose second plug is a local directory.
const proxied = `schema: 1
name: acme
core:
  module: example.com/server
  version: ^1.4.0
  main: example.com/server/app
plugins:
  - name: metrics
    module: example.com/metrics
    version: ~0.2.0
  - name: local
    source: ./local
`

func with(files map[string]string, more map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range files {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// TestLockSteps runs plugctl lock's steps: the lock written, then up to
// date; what --locked, --upgrade and an edited lock do.
func TestLockSteps(t *testing.T) {
	hermetic(t)
	cfg := project(t, with(local, map[string]string{"plugconfig.yaml": proxied}))
	lockPath := filepath.Join(filepath.Dir(cfg), "plugconfig.lock")

	s, r, err := runSteps(t, Options{File: cfg}, LockSteps)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.steps(); got != "load state-lock use-lock resolve fetch check generate save-lock" {
		t.Errorf("steps %s", got)
	}
	if !s.Saved.Written || len(s.Saved.Changes) != 3 || DescribeChange(s.Saved.Changes[0]) != "core: added at v1.6.0" {
		t.Errorf("saved %+v", s.Saved)
	}
	if r.lines("note") != nil {
		t.Errorf("the lock command notes nothing itself: %v", r.lines("note"))
	}
	f, err := lock.Load(lockPath, "plugconfig.lock")
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := f.Plugin("metrics"); e.Version != "v0.2.1" || f.Core.Version != "v1.6.0" || len(f.Modules) == 0 {
		t.Errorf("lock %+v", f)
	}
	// fetch counts in what each kind fetches: "2 modules, 1 directory".
	counts := r.lines("count")
	if !slices.Contains(counts, "count resolve 2/2") || !slices.Contains(counts, "count fetch 2/2 modules") || !slices.Contains(counts, "count fetch 1/1 directories") {
		t.Errorf("counts %v", counts)
	}

	// Again: nothing changes, nothing is written.
	s, _, err = runSteps(t, Options{File: cfg}, LockSteps)
	if err != nil || s.Saved.Written || len(s.Saved.Changes) != 0 {
		t.Fatalf("second lock: %v, %+v", err, s.Saved)
	}
	if _, _, err := runSteps(t, Options{File: cfg, Lock: LockOptions{Locked: true}}, LockSteps); err != nil {
		t.Errorf("lock --locked of an up-to-date lock: %v", err)
	}

	// --upgrade names only what the config has, and not with --locked.
	_, _, err = runSteps(t, Options{File: cfg, Lock: LockOptions{Upgrade: true, UpgradeNames: []string{"metrcs"}}}, LockSteps)
	if want := `--upgrade metrcs: no enabled plug has that name, did you mean "metrics"? (valid: core, local, metrics)`; err == nil || err.Error() != want || fail.KindOf(err) != fail.Config {
		t.Errorf("unknown --upgrade name: %v", err)
	}
	_, _, err = runSteps(t, Options{File: cfg, Lock: LockOptions{Locked: true, Upgrade: true}}, LockSteps)
	if fail.KindOf(err) != fail.Config || !strings.Contains(err.Error(), "contradict") {
		t.Errorf("--locked --upgrade: %v", err)
	}
	if _, _, err := runSteps(t, Options{File: cfg, Lock: LockOptions{Upgrade: true, UpgradeNames: []string{"metrics"}}}, LockSteps); err != nil {
		t.Errorf("--upgrade metrics: %v", err)
	}

	// A lock whose entry no longer satisfies the config: resolved again
	// with a note, refused with --locked.
	good, err := os.ReadFile(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(good), `"version": "v0.2.1"`, `"version": "v0.3.0"`, 1)
	if bad == string(good) {
		t.Fatal("no metrics version in the lock")
	}
	write(t, lockPath, bad)
	_, _, err = runSteps(t, Options{File: cfg, Lock: LockOptions{Locked: true}}, LockSteps)
	if fail.KindOf(err) != fail.Mismatch || !strings.Contains(err.Error(), "--locked forbids resolving it again") {
		t.Errorf("--locked with an unsatisfied entry: %v", err)
	}
	s, r, err = runSteps(t, Options{File: cfg}, LockSteps)
	if err != nil {
		t.Fatal(err)
	}
	if notes := r.lines("note"); len(notes) != 1 || !strings.Contains(notes[0], "resolving it again") {
		t.Errorf("notes %v", notes)
	}
	if !s.Saved.Written || DescribeChange(s.Saved.Changes[0]) != `plug "metrics": v0.3.0 → v0.2.1` {
		t.Errorf("relocked %+v", s.Saved.Changes)
	}

	// A hash that differs from the module's is an integrity failure.
	write(t, lockPath, strings.Replace(string(good), `"hash": "h1:`, `"hash": "h1:AAAA`, 1))
	_, _, err = runSteps(t, Options{File: cfg}, LockSteps)
	if fail.KindOf(err) != fail.Mismatch {
		t.Errorf("an edited hash: %v", err)
	}

	// A config that moved on: --locked says how, without it the lock
	// follows.
	write(t, lockPath, string(good))
	write(t, cfg, strings.Replace(proxied, "~0.2.0", "v0.2.0", 1))
	_, _, err = runSteps(t, Options{File: cfg, Lock: LockOptions{Locked: true}}, LockSteps)
	if fail.KindOf(err) != fail.Mismatch || !strings.Contains(err.Error(), `plug "metrics": version "v0.2.0" in the config, "~0.2.0" in the lock`) {
		t.Errorf("--locked with a changed config: %v", err)
	}
	s, _, err = runSteps(t, Options{File: cfg}, LockSteps)
	if err != nil || DescribeChange(s.Saved.Changes[0]) != `plug "metrics": v0.2.1 → v0.2.0` {
		t.Errorf("relock: %v %+v", err, s.Saved)
	}

	// A lock that is not one.
	write(t, lockPath, "{\n")
	_, _, err = runSteps(t, Options{File: cfg}, LockSteps)
	if fail.KindOf(err) != fail.Mismatch || !strings.Contains(err.Error(), "is written by plugctl") {
		t.Errorf("a broken lock: %v", err)
	}
	os.Remove(lockPath)
	_, _, err = runSteps(t, Options{File: cfg, Lock: LockOptions{Locked: true}}, LockSteps)
	if fail.KindOf(err) != fail.Mismatch || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("--locked without a lock: %v", err)
	}
}

func write(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGenerateSteps: the build module is written, and left alone (no go
// mod tidy) while nothing that feeds it changes.
func TestGenerateSteps(t *testing.T) {
	hermetic(t)
	cfg := project(t, with(local, map[string]string{"plugconfig.yaml": proxied}))
	dir := filepath.Dir(cfg)
	s, r, err := runSteps(t, Options{File: cfg}, GenerateSteps)
	if err != nil {
		t.Fatal(err)
	}
	if s.GenDir != filepath.Join(dir, StateDir, "gen") || !r.ran("go mod tidy") {
		t.Errorf("gen %s, tidied %v", s.GenDir, r.ran("go mod tidy"))
	}
	main, err := os.ReadFile(filepath.Join(s.GenDir, "main.go"))
	if err != nil || !strings.Contains(string(main), `_ "example.com/metrics"`) || !strings.Contains(string(main), `_ "example.com/local"`) {
		t.Errorf("main.go: %v\n%s", err, main)
	}
	if notes := r.lines("note"); len(notes) != 1 || !strings.Contains(notes[0], "plugconfig.lock: written\n  core: added at v1.6.0\n") {
		t.Errorf("notes %v", notes)
	}
	// From the lock the first run made, the module is written from the
	// lock's graph: go mod tidy does not run again, and the files are those
	// go mod tidy wrote.
	gomod, _ := os.ReadFile(filepath.Join(s.GenDir, "go.mod"))
	gosum, _ := os.ReadFile(filepath.Join(s.GenDir, "go.sum"))
	_, r, err = runSteps(t, Options{File: cfg}, GenerateSteps)
	if err != nil || r.ran("go mod tidy") {
		t.Errorf("from the lock: %v, tidied %v", err, r.ran("go mod tidy"))
	}
	// So too in a fresh checkout: no .plugctl yet.
	if err := os.RemoveAll(filepath.Join(dir, StateDir)); err != nil {
		t.Fatal(err)
	}
	_, r, err = runSteps(t, Options{File: cfg}, GenerateSteps)
	if err != nil || r.ran("go mod tidy") {
		t.Errorf("from the lock, no .plugctl: %v, tidied %v", err, r.ran("go mod tidy"))
	}
	gomod2, _ := os.ReadFile(filepath.Join(s.GenDir, "go.mod"))
	gosum2, _ := os.ReadFile(filepath.Join(s.GenDir, "go.sum"))
	if !bytes.Equal(gomod, gomod2) || !bytes.Equal(gosum, gosum2) {
		t.Errorf("go.mod or go.sum written from the lock differ from the tidied ones:\n%s\n%s\n%s\n%s", gomod, gomod2, gosum, gosum2)
	}
	lockData, _ := os.ReadFile(filepath.Join(dir, "plugconfig.lock"))
	// An edit to the body of a local source's code changes nothing the
	// graph depends on, nor the lock, which holds the source's path; nor
	// does an import the graph provides.
	for _, code := range []string{
		"package local\n\nconst X = 1\n",
		"package local\n\nimport _ \"example.com/metrics\"\n\nconst X = 1\n",
	} {
		write(t, filepath.Join(dir, "local", "local.go"), code)
		_, r, err = runSteps(t, Options{File: cfg}, GenerateSteps)
		if err != nil || r.ran("go mod tidy") {
			t.Errorf("edited local source: %v, tidied %v\n%s", err, r.ran("go mod tidy"), code)
		}
		if now, _ := os.ReadFile(filepath.Join(dir, "plugconfig.lock")); !bytes.Equal(now, lockData) {
			t.Errorf("the lock changed:\n%s", now)
		}
	}
	// An import of a module the graph lacks is found by go mod tidy, and
	// the lock records it.
	write(t, filepath.Join(dir, "local", "local.go"), "package local\n\nimport _ \"example.com/audit\"\n")
	_, r, err = runSteps(t, Options{File: cfg}, GenerateSteps)
	if err != nil || !r.ran("go mod tidy") {
		t.Errorf("a new import: %v, tidied %v", err, r.ran("go mod tidy"))
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "plugconfig.lock")); !bytes.Contains(now, []byte(`"path": "example.com/audit"`)) {
		t.Errorf("the lock lacks the new module:\n%s", now)
	}
	// go mod tidy downloaded it, counted as it came.
	if c := r.lines("count"); !slices.Contains(c, "count generate 1/0 modules downloaded") {
		t.Errorf("counts %v", c)
	}

	// generate -o refuses a directory holding what plugctl did not write.
	other := t.TempDir()
	write(t, filepath.Join(other, "go.mod"), "module mine\n")
	_, _, err = runSteps(t, Options{File: cfg, GenDir: other}, GenerateSteps)
	if fail.KindOf(err) != fail.Config || !strings.Contains(err.Error(), "was not written by plugctl") {
		t.Errorf("generate -o over a module: %v", err)
	}
	_, _, err = runSteps(t, Options{File: cfg, GenDir: filepath.Join(other, "go.mod")}, GenerateSteps)
	if fail.KindOf(err) != fail.Config || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("generate -o a file: %v", err)
	}
	_, _, err = runSteps(t, Options{File: cfg, GenDir: filepath.Join(dir, ".plugctl", "vendor", "x")}, GenerateSteps)
	if err != nil {
		t.Errorf("generate -o a new directory: %v", err)
	}
	out := t.TempDir()
	if _, _, err := runSteps(t, Options{File: cfg, GenDir: out}, GenerateSteps); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runSteps(t, Options{File: cfg, GenDir: out}, GenerateSteps); err != nil {
		t.Errorf("generate -o where generate wrote before: %v", err)
	}
}

// TestChecks: the check step's refusals, each a problem at its place in
// the config, found before anything is generated.
func TestChecks(t *testing.T) {
	hermetic(t)
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"replace of a module built from its source", with(local, map[string]string{"plugconfig.yaml": proxied + "replace:\n  example.com/local: ./elsewhere\n"}),
			`plugconfig.yaml:14:3: replace example.com/local: the module is already built from its source in the config (by plug "local"); remove the entry`},
		{"a plug needing a newer Go", map[string]string{"plugconfig.yaml": proxied, "local/go.mod": "module example.com/local\n\ngo 1.99\n", "local/local.go": "package local\n"},
			`plugconfig.yaml:11:3: plug "local": example.com/local needs Go 1.99 or newer`},
		{"settings for a core without the SDK", with(local, map[string]string{"plugconfig.yaml": proxied + "    settings: {a: 1}\n"}),
			`plugconfig.yaml:13:5: plug "local": has settings, but core example.com/server does not use the plugctl SDK`},
		{"an import outside the module", with(local, map[string]string{"plugconfig.yaml": strings.Replace(proxied, "    version: ~0.2.0\n", "    version: ~0.2.0\n    import: example.com/other\n", 1)}),
			`plugconfig.yaml:11:13: plug "metrics": import "example.com/other" is not in module "example.com/metrics"`},
		{"two settings a manifest refuses", map[string]string{"plugconfig.yaml": `schema: 1
name: hello
core:
  source: $REPO/examples/core
  main: github.com/plugctl/plugctl/examples/core/app
plugins:
  - name: greeter
    source: $REPO/examples/plugins/greeter
    settings:
      greeting: 5
      shout: loud
replace:
  github.com/plugctl/plugctl/plug: $REPO/plug
`}, `plugconfig.yaml:10:7: plug "greeter": setting "greeting" must be a string, got an int`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, r, err := runSteps(t, Options{File: project(t, tt.files)}, ValidateSteps)
			if fail.KindOf(err) != fail.Config || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v\nwant %s", err, tt.want)
			}
			if strings.Contains(tt.name, "two settings") {
				var l diag.List
				if !errors.As(err, &l) || len(l) != 2 {
					t.Errorf("want both settings' problems: %v", err)
				}
			}
			if r.ran("go mod tidy") {
				t.Error("the build module was generated")
			}
		})
	}
}

// TestDrift: a plug whose go.mod moves the core off the version the config
// pins fails generate, naming the plug, and leaves nothing behind.
func TestDrift(t *testing.T) {
	hermetic(t)
	cfg := project(t, map[string]string{"plugconfig.yaml": `schema: 1
name: acme
core:
  module: example.com/server
  version: v1.4.2
  main: example.com/server/app
plugins:
  - name: audit
    module: example.com/audit
    version: v0.2.0
`})
	s, r, err := runSteps(t, Options{File: cfg}, GenerateSteps)
	want := `plugconfig.yaml:8:3: plug "audit": example.com/audit@v0.2.0 requires example.com/server v1.6.0, moving the core off v1.4.2 that the config resolves to; pin the core to v1.6.0 or use an older plug`
	if fail.KindOf(err) != fail.Config || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if !r.ran("go mod graph") || s.Saved != nil {
		t.Errorf("graph read %v, lock saved %+v", r.ran("go mod graph"), s.Saved)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), StateDir, "gen", "go.mod")); err == nil {
		t.Error("a drifted build module was written")
	}
}

// TestGitPlug locks a plug from a local git repository: a tree fetched,
// its commit in the lock.
func TestGitPlug(t *testing.T) {
	hermetic(t)
	repo := t.TempDir()
	write(t, filepath.Join(repo, "go.mod"), "module example.com/geo\n\ngo 1.22\n\nrequire example.com/server v1.4.2\n")
	write(t, filepath.Join(repo, "geo.go"), "package geo\n")
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "v1"}, {"tag", "v1.0.0"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	cfg := project(t, map[string]string{"plugconfig.yaml": `schema: 1
name: acme
core:
  module: example.com/server
  version: v1.4.2
  main: example.com/server/app
plugins:
  - name: geo
    source: git::file://` + filepath.ToSlash(repo) + `
    version: v1.0.0
`})
	s, r, err := runSteps(t, Options{File: cfg}, LockSteps)
	if err != nil {
		t.Fatal(err)
	}
	if c := r.lines("count"); !slices.Contains(c, "count fetch 1/1 modules") || !slices.Contains(c, "count fetch 1/1 trees") {
		t.Errorf("counts %v", c)
	}
	geo := s.Set.Plugs[0]
	if geo.Kind != source.Git || len(geo.Origin.Commit) != 40 || geo.Version != "v1.0.0" || geo.Origin.Ref != "refs/tags/v1.0.0" {
		t.Errorf("geo %+v", geo)
	}
	// Locked: the lock's pin is verified and fetched again, not resolved.
	s, _, err = runSteps(t, Options{File: cfg, Lock: LockOptions{Locked: true}}, LockSteps)
	if err != nil || s.Set.Plugs[0].Origin.Commit != geo.Origin.Commit {
		t.Errorf("locked: %v", err)
	}
}

// TestOutdatedSteps lists newer versions beside the locked ones.
func TestOutdatedSteps(t *testing.T) {
	hermetic(t)
	cfg := project(t, with(local, map[string]string{"plugconfig.yaml": proxied}))
	s, _, err := runSteps(t, Options{File: cfg}, OutdatedSteps)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Available) != 3 || s.Available[1].InConstraint != "v0.2.1" || s.Available[1].Newest != "v1.0.0" || s.Available[1].Locked != "" || s.Available[2].Kind != "local" {
		t.Errorf("before locking: %+v", s.Available)
	}
	// Locked at an older version: upgradable.
	write(t, cfg, strings.Replace(proxied, "~0.2.0", "v0.2.0", 1))
	if _, _, err := runSteps(t, Options{File: cfg}, LockSteps); err != nil {
		t.Fatal(err)
	}
	write(t, cfg, proxied)
	// The lock was made for another config: its entry is not current.
	s, _, err = runSteps(t, Options{File: cfg}, OutdatedSteps)
	if err != nil || s.Available[1].Locked != "" || s.Available[1].Upgrade != "plugctl lock" || !strings.Contains(s.Available[1].Note, "made for another config") {
		t.Errorf("after the config changed: %v %+v", err, s.Available)
	}
	// A lock made for this config when v0.2.0 was the newest in ~0.2.0.
	lockFile := filepath.Join(filepath.Dir(cfg), "plugconfig.lock")
	data, err := os.ReadFile(lockFile)
	if err != nil {
		t.Fatal(err)
	}
	write(t, lockFile, strings.Replace(string(data), `"requested": "v0.2.0"`, `"requested": "~0.2.0"`, 1))
	s, _, err = runSteps(t, Options{File: cfg}, OutdatedSteps)
	if err != nil || s.Available[1].Locked != "v0.2.0" || !s.Available[1].Upgradable || s.Available[1].Upgrade != "plugctl lock --upgrade metrics" || s.Available[0].InConstraint != "v1.6.0" {
		t.Errorf("after locking: %v %+v", err, s.Available)
	}
	// Locked outside the constraint: not current.
	write(t, lockFile, strings.Replace(string(data), `"requested": "v0.2.0"`, `"requested": "~0.3.0"`, 1))
	write(t, cfg, strings.Replace(proxied, "~0.2.0", "~0.3.0", 1))
	s, _, err = runSteps(t, Options{File: cfg}, OutdatedSteps)
	if err != nil || s.Available[1].Locked != "" || !strings.Contains(s.Available[1].Note, "does not satisfy") {
		t.Errorf("locked outside the constraint: %v %+v", err, s.Available)
	}
	write(t, lockFile, "[")
	if _, _, err := runSteps(t, Options{File: cfg}, OutdatedSteps); fail.KindOf(err) != fail.Mismatch {
		t.Errorf("a broken lock: %v", err)
	}
}

// TestOutputs: where a build's artifacts go, decided and checked before
// anything is written.
func TestOutputs(t *testing.T) {
	hermetic(t)
	host := platform.Host()
	other := platform.Target{OS: "linux", Arch: "arm64"}
	if host == other {
		other = platform.Target{OS: "linux", Arch: "amd64"}
	}
	steps := []Step{loadStep, outputsStep}
	tests := []struct {
		name    string
		cfg     string
		opts    Options
		want    string // error, or the output of the first target
		targets int
	}{
		{"default", proxied, Options{}, "dist/acme", 1},
		{"two targets name themselves apart", proxied, Options{Targets: []platform.Target{host, other}}, "dist/acme_" + host.OS + "_" + host.Arch, 2},
		{"-o for two targets without os and arch", proxied, Options{Targets: []platform.Target{host, other}, Output: "out/x"}, "-o: \"out/x\" must contain {os} and {arch} when building 2 targets", 0},
		{"build.output for two targets", proxied + "build:\n  output: out/{name}\n", Options{Targets: []platform.Target{host, other}}, `build.output "out/{name}": "out/{name}" must contain {os} and {arch}`, 0},
		{"the config", proxied, Options{Output: "plugconfig.yaml"}, "is the config: an artifact never replaces", 0},
		{"the state directory", proxied + "build:\n  output: .plugctl/x\n", Options{}, "plugconfig.yaml:14:11: build.output: ", 0},
		{"the vendor tree", proxied + "vendor: v\nbuild:\n  output: v/x\n", Options{}, "is inside the vendor tree", 0},
		{"a directory", proxied + "build:\n  output: local\n", Options{}, "is a directory", 0},
		{"plugctl run: beside the state", proxied + "build:\n  targets: [" + other.String() + "]\n", Options{Host: true}, ".plugctl/run/acme", 1},
		{"plugctl run: build.output for the host", proxied, Options{Host: true}, "dist/acme", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := project(t, with(local, map[string]string{"plugconfig.yaml": tt.cfg}))
			if tt.opts.Output == "plugconfig.yaml" {
				tt.opts.Output = cfg
			}
			tt.opts.File = cfg
			s, _, err := runSteps(t, tt.opts, steps)
			if tt.targets == 0 {
				if fail.KindOf(err) != fail.Config || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("got %v, want %s", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := s.outputFor(s.Targets[0], "")
			if len(s.Targets) != tt.targets || !strings.HasSuffix(filepath.ToSlash(got), "/"+tt.want) {
				t.Errorf("targets %v, output %s, want %s", s.Targets, got, tt.want)
			}
		})
	}

	// A file plugctl did not build is never replaced.
	cfg := project(t, with(local, map[string]string{"plugconfig.yaml": proxied, "dist/acme": "mine"}))
	if _, _, err := runSteps(t, Options{File: cfg}, steps); fail.KindOf(err) != fail.Config || !strings.Contains(err.Error(), "plugctl replaces only what it built") {
		t.Errorf("over a file of the user's: %v", err)
	}
	// Nor a file beside a missing binary.
	cfg = project(t, with(local, map[string]string{"plugconfig.yaml": proxied, "dist/acme.sha256": "mine"}))
	if _, _, err := runSteps(t, Options{File: cfg}, steps); fail.KindOf(err) != fail.Config || !strings.Contains(err.Error(), "plugctl did not write it") {
		t.Errorf("beside a file of the user's: %v", err)
	}
	// A bundle's config does not choose where its artifacts go.
	s := New(nil, Options{Bundle: "b.tar.gz"})
	s.Config = parse(t, proxied+"build:\n  output: ../x\n")
	if err := s.outputs(context.Background()); fail.KindOf(err) != fail.Config || !strings.Contains(err.Error(), "leaves the current directory") {
		t.Errorf("a bundle's output outside: %v", err)
	}
	// The bundle path.
	cfg = project(t, with(local, map[string]string{"plugconfig.yaml": proxied, "acme-bundle.tar.gz": "x"}))
	if _, _, err := runSteps(t, Options{File: cfg}, []Step{loadStep, bundleOutStep}); err != nil {
		t.Errorf("a path relative to the working directory: %v", err)
	}
	s, _, err := runSteps(t, Options{File: cfg, BundleOut: filepath.Join(filepath.Dir(cfg), "acme-bundle.tar.gz")}, []Step{loadStep, bundleOutStep})
	if fail.KindOf(err) != fail.Config || !strings.Contains(err.Error(), "is not a bundle plugctl wrote") {
		t.Errorf("over a file that is not a bundle: %v (%s)", err, s.BundlePath)
	}
	if _, _, err := runSteps(t, Options{File: cfg, BundleOut: cfg}, []Step{loadStep, bundleOutStep}); fail.KindOf(err) != fail.Config {
		t.Errorf("over the config: %v", err)
	}
}

// example is the repository's example project, its sources by absolute
// path.
const example = `schema: 1
name: hello
core:
  source: $REPO/examples/core
  main: github.com/plugctl/plugctl/examples/core/app
plugins:
  - name: greeter
    source: $REPO/examples/plugins/greeter
    settings: {greeting: Hi}
replace:
  github.com/plugctl/plugctl/plug: $REPO/plug
`

// TestBuildVendorBundle builds the example online, vendors it, builds it
// offline, bundles it and builds the bundle elsewhere; each again when
// nothing changed reuses what was made. Three compiles in all.
func TestBuildVendorBundle(t *testing.T) {
	hermetic(t)
	t.Setenv("GOPROXY", "off")
	root := testenv.RepoRoot(t)
	cfg := project(t, map[string]string{"plugconfig.yaml": example})
	dir := filepath.Dir(cfg)
	t.Chdir(dir)

	s, r, err := runSteps(t, Options{File: cfg}, BuildSteps)
	if err != nil {
		t.Fatal(err)
	}
	arts := s.Artifacts()
	if len(arts) != 1 || arts[0].Reused || arts[0].SHA256 == "" {
		t.Fatalf("artifacts %+v", arts)
	}
	bin := arts[0].Path
	for _, f := range []string{bin + ".sha256", bin + ".cdx.json", bin + ".plugctl.json"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("record: %v", err)
		}
	}
	if !slices.Contains(r.lines("count"), "count compile 1/1") || !slices.Contains(r.lines("count"), "count compile 0/1") {
		t.Errorf("compile counts %v", r.lines("count"))
	}
	// Nothing changed: the run ends at reuse, before resolving.
	s, r, err = runSteps(t, Options{File: cfg}, BuildSteps)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.steps(); got != "load outputs state-lock use-lock reuse" || !s.Artifacts()[0].Reused {
		t.Errorf("second build: steps %s, artifacts %+v", got, s.Artifacts())
	}
	if notes := r.lines("note"); len(notes) != 1 || notes[0] != "note reused dist/hello (nothing changed)" {
		t.Errorf("notes %v", notes)
	}

	// The vendor tree, then again: unchanged.
	s, _, err = runSteps(t, Options{File: cfg}, VendorSteps)
	if err != nil {
		t.Fatal(err)
	}
	if v := s.Vendored; !v.Changed || v.Files == 0 || v.Dir != filepath.Join(dir, ".plugctl", "vendor") {
		t.Errorf("vendored %+v", v)
	}
	s, r, err = runSteps(t, Options{File: cfg, Lock: LockOptions{Locked: true}}, VendorSteps)
	if err != nil || s.Vendored.Changed || !slices.Contains(r.lines("note"), "note vendor tree unchanged: "+s.Vendored.Dir) {
		t.Errorf("vendor again: %v %+v %v", err, s.Vendored, r.lines("note"))
	}

	// Signed: the tree carries the key's signature, which verify with the
	// verifier key accepts and another key refuses.
	keyFile := filepath.Join(t.TempDir(), "release.key")
	if _, _, err := signing.Generate(keyFile, "release"); err != nil {
		t.Fatal(err)
	}
	key, err := signing.LoadKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	s, _, err = runSteps(t, Options{File: cfg, Sign: []*signing.Key{key}}, VendorSteps)
	if err != nil || len(s.Vendored.SignedBy) != 1 || s.Vendored.SignedBy[0] != key.ID() {
		t.Fatalf("vendor --sign: %v %+v", err, s.Vendored)
	}
	keys, err := signing.LoadKeys([]string{keyFile + ".pub"})
	if err != nil {
		t.Fatal(err)
	}
	if s, _, err := runSteps(t, Options{File: cfg, VerifyKeys: keys}, VerifySteps); err != nil || !slices.Equal(s.Tree.Signature.Verified, []string{key.ID()}) {
		t.Errorf("verify --verify-key: %v", err)
	}
	otherFile := filepath.Join(t.TempDir(), "other.key")
	if _, _, err := signing.Generate(otherFile, "other"); err != nil {
		t.Fatal(err)
	}
	others, err := signing.LoadKeys([]string{otherFile + ".pub"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := runSteps(t, Options{File: cfg, VerifyKeys: others}, VerifySteps); fail.KindOf(err) != fail.Mismatch {
		t.Errorf("verify with another key: %v", err)
	}

	// Offline: verified, compiled from the tree (its inputs are the
	// tree's), then reused per target.
	s, r, err = runSteps(t, Options{File: cfg, Lock: LockOptions{Locked: true}}, OfflineSteps)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Offline || s.Artifacts()[0].Reused || !slices.Contains(r.lines("start"), "start compile "+platform.Host().String()+" [targets]") {
		t.Errorf("offline build: %+v %v", s.Artifacts(), r.lines("start"))
	}
	s, r, err = runSteps(t, Options{File: cfg}, OfflineSteps)
	if err != nil || r.steps() != "load outputs state-lock verify reuse" || !s.Artifacts()[0].Reused {
		t.Errorf("offline again: %v, steps %s", err, r.steps())
	}

	// Verified as plugctl verify does: the project's, the tree alone.
	if _, _, err := runSteps(t, Options{File: cfg}, VerifySteps); err != nil {
		t.Errorf("verify: %v", err)
	}
	if s, _, err := runSteps(t, Options{Tree: filepath.Join(dir, ".plugctl", "vendor")}, VerifyTreeSteps); err != nil || s.Tree == nil {
		t.Errorf("verify DIR: %v", err)
	}

	// The bundle, verified and built in another directory.
	s, _, err = runSteps(t, Options{File: cfg, BundleOut: "site.tar.gz"}, BundleSteps)
	if err != nil {
		t.Fatal(err)
	}
	if b := s.Bundled; b.Path != "site.tar.gz" || b.Files < 4 || len(b.SHA256) != 64 || b.SumPath != "site.tar.gz.sha256" {
		t.Errorf("bundled %+v", b)
	}
	bundlePath := filepath.Join(dir, "site.tar.gz")
	if _, _, err := runSteps(t, Options{Bundle: bundlePath}, VerifyBundleSteps); err != nil {
		t.Errorf("verify BUNDLE: %v", err)
	}
	site := t.TempDir()
	t.Chdir(site)
	s, r, err = runSteps(t, Options{Bundle: bundlePath, Lock: LockOptions{Locked: true}}, BundleBuildSteps)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.steps(); got != "unpack load outputs state-lock verify reuse compile record" {
		t.Errorf("bundle build steps %s", got)
	}
	if got := s.Artifacts(); len(got) != 1 || got[0].Path != filepath.Join(site, "dist", "hello") || got[0].SHA256 != arts[0].SHA256 {
		t.Errorf("bundle build %+v, want the online binary's bytes at %s", got, filepath.Join(site, "dist", "hello"))
	}
	if !strings.HasSuffix(s.Config.File, "site.tar.gz:plugconfig.yaml") {
		t.Errorf("config named %s", s.Config.File)
	}
	t.Chdir(dir)

	// A tree made from another config, or with another lock, is refused.
	write(t, cfg, strings.ReplaceAll(strings.Replace(example, "greeting: Hi", "greeting: Ho", 1), "$REPO", root))
	_, _, err = runSteps(t, Options{File: cfg}, VerifySteps)
	if fail.KindOf(err) != fail.Mismatch || !strings.Contains(err.Error(), "was made from a different config: the core, a plug's version, source or settings") {
		t.Errorf("another config: %v", err)
	}
	write(t, cfg, strings.ReplaceAll(example, "$REPO", root))
	lockPath := filepath.Join(dir, "plugconfig.lock")
	data, err := os.ReadFile(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	// (The example's sources are all local: its lock holds their paths,
	// not hashes.)
	edited := regexp.MustCompile(`"config_digest": "sha256:[^"]*"`).ReplaceAllString(string(data), `"config_digest": "sha256:`+strings.Repeat("0", 64)+`"`)
	if edited == string(data) {
		t.Fatal("the lock has no config_digest")
	}
	write(t, lockPath, edited)
	_, _, err = runSteps(t, Options{File: cfg}, VerifySteps)
	if fail.KindOf(err) != fail.Mismatch || !strings.Contains(err.Error(), "was made with a different lock than") {
		t.Errorf("another lock: %v", err)
	}
}
