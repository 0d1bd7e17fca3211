package lock

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/fail"

	"github.com/plugctl/plugctl/internal/source"
)

func TestParseRoundTrip(t *testing.T) {
	data, err := os.ReadFile("testdata/valid.lock")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("valid.lock", data)
	if err != nil {
		t.Fatal(err)
	}
	if f.Core.Version != "v1.4.2" || len(f.Plugins) != 2 || len(f.Modules) != 2 {
		t.Fatalf("parsed %+v", f)
	}
	out, err := Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, data) {
		t.Errorf("Marshal(Parse(x)) != x:\n%s", out)
	}
}

// TestFormat2 reads and writes a lock of format 2: Module.Require round
// trips, Format says 2, and Format1 is the same lock as format 1 holds it,
// whose digest vendor trees made before the rewrite record.
func TestFormat2(t *testing.T) {
	data, err := os.ReadFile("testdata/valid.lock")
	if err != nil {
		t.Fatal(err)
	}
	f1, err := Parse("valid.lock", data)
	if err != nil {
		t.Fatal(err)
	}
	if f1.Format() != 1 {
		t.Errorf("Format of a lock without require: %d, want 1", f1.Format())
	}
	v2 := strings.Replace(strings.Replace(string(data), `"go_mod_hash": "h1:RJ42fuStBob1DQbL2XPai6wL9BrASWgHOdqsaubDSPE="`,
		`"go_mod_hash": "h1:RJ42fuStBob1DQbL2XPai6wL9BrASWgHOdqsaubDSPE=",
      "require": "none"`, 1), `"lock_version": 1`, `"lock_version": 2`, 1)
	f2, err := Parse("v2.lock", []byte(v2))
	if err != nil {
		t.Fatal(err)
	}
	if f2.Modules[0].Require != RequireNone || f2.Format() != 2 {
		t.Fatalf("parsed %+v, format %d", f2.Modules[0], f2.Format())
	}
	out, err := Marshal(f2)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != v2 {
		t.Errorf("Marshal(Parse(x)) != x:\n%s", out)
	}
	if !Equal(f2.Format1(), f1) {
		t.Error("Format1 of the format 2 lock is not the format 1 lock")
	}
	if f2.Modules[0].Require != RequireNone {
		t.Error("Format1 changed its receiver")
	}
	want, _ := f1.ContentDigest()
	if !slices.Contains(f2.ContentDigests(), want) {
		t.Error("ContentDigests of the format 2 lock leave out the format 1 lock's digest")
	}
}

// TestParseLegacyKind reads a lock written when the module kind was spelled
// "proxy": it reads as the module kind, and is written as such.
func TestParseLegacyKind(t *testing.T) {
	data, err := os.ReadFile("testdata/valid.lock")
	if err != nil {
		t.Fatal(err)
	}
	legacy := bytes.ReplaceAll(data, []byte(`"kind": "module"`), []byte(`"kind": "proxy"`))
	if bytes.Equal(legacy, data) {
		t.Fatal("testdata/valid.lock has no module origin")
	}
	f, err := Parse("legacy.lock", legacy)
	if err != nil {
		t.Fatal(err)
	}
	if f.Core.Origin.Kind != source.Module {
		t.Errorf("core origin kind %q, want %q", f.Core.Origin.Kind, source.Module)
	}
	out, err := Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, data) {
		t.Errorf("Marshal(Parse(legacy)) is not the lock in today's spelling:\n%s", out)
	}
}

// TestParseLocalHashes reads a lock written when local directories were
// locked by their content too: it means what it meant — a local plug is
// its path, a replaced directory its path — and is written without those
// hashes, while a vendor tree made with it still matches it.
func TestParseLocalHashes(t *testing.T) {
	data, err := os.ReadFile("testdata/valid.lock")
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(string(data), `        "path": "./local"
      }
    },`, `        "path": "./local"
      },
      "hash": "h1:RLyrEIOdTLybmHF1weuNmyowpYjPWadW1FvUNDwaw54="
    },`, 1)
	old = strings.Replace(old, `  "modules": [
`, `  "modules": [
    {
      "path": "example.com/a",
      "version": "v0.0.0",
      "hash": "h1:RLyrEIOdTLybmHF1weuNmyowpYjPWadW1FvUNDwaw54=",
      "dir": "./a"
    },
`, 1)
	if old == string(data) {
		t.Fatal("testdata/valid.lock changed shape")
	}
	f, err := Parse("old.lock", []byte(old))
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := f.Plugin("local"); e.Hash != "" || f.Modules[0].Hash != "" || f.Modules[0].Dir != "./a" {
		t.Errorf("content hashes kept: %+v, %+v", e, f.Modules[0])
	}
	out, err := Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(string(data), `  "modules": [
`, `  "modules": [
    {
      "path": "example.com/a",
      "version": "v0.0.0",
      "dir": "./a"
    },
`, 1)
	if string(out) != want {
		t.Errorf("Marshal(Parse(old)):\n%s\nwant\n%s", out, want)
	}
	// A vendor tree made with the old lock recorded the digest of what it
	// held: still one of the lock's.
	var asWritten File
	if err := json.Unmarshal([]byte(old), &asWritten); err != nil {
		t.Fatal(err)
	}
	d, err := asWritten.ContentDigest()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(f.ContentDigests(), d) {
		t.Errorf("ContentDigests %q lacks the old lock's %s", f.ContentDigests(), d)
	}
	now, _ := f.ContentDigest()
	if now == d || !slices.Contains(f.ContentDigests(), now) {
		t.Errorf("ContentDigest %s: the lock without the hashes must be its content", now)
	}
}

// TestHooksRoundTrip: a plug's hooks are kept as they were written, an
// argument that is empty or holds spaces included.
func TestHooksRoundTrip(t *testing.T) {
	data, err := os.ReadFile("testdata/valid.lock")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("valid.lock", data)
	if err != nil {
		t.Fatal(err)
	}
	hooks := [][]string{{"go", "run", "./gen"}, {"sh", "-c", "echo a b", ""}}
	f.Plugins[0].Hooks = hooks
	out, err := Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Parse("valid.lock", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !reflect.DeepEqual(g.Plugins[0].Hooks, hooks) || g.Plugins[1].Hooks != nil {
		t.Errorf("hooks read back as %q, %q", g.Plugins[0].Hooks, g.Plugins[1].Hooks)
	}
}

func TestMarshalSortsAndEndsWithNewline(t *testing.T) {
	f := &File{LockVersion: 1, Plugins: []Entry{{Name: "b"}, {Name: "a"}},
		Modules: []Module{{Path: "z", Version: "v1.0.0"}, {Path: "a", Version: "v2.0.0"}, {Path: "a", Version: "v1.0.0"}}}
	out, err := Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Index(s, `"name": "a"`) > strings.Index(s, `"name": "b"`) {
		t.Error("plugins not sorted by name")
	}
	if !(strings.Index(s, `"v1.0.0"`) < strings.Index(s, `"v2.0.0"`) && strings.Index(s, `"v2.0.0"`) < strings.Index(s, `"path": "z"`)) {
		t.Error("modules not sorted by path and version")
	}
	if !strings.HasSuffix(s, "}\n") || !strings.HasPrefix(s, "{\n  \"lock_version\": 1,") {
		t.Errorf("layout:\n%s", s)
	}
	if f.Plugins[0].Name != "b" {
		t.Error("Marshal reordered its argument")
	}
}

func TestParseErrors(t *testing.T) {
	valid, err := os.ReadFile("testdata/valid.lock")
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) string {
		if !bytes.Contains(valid, []byte(old)) {
			t.Fatalf("testdata/valid.lock has no %q", old)
		}
		return strings.Replace(string(valid), old, new, 1)
	}
	tests := []struct {
		name, data string
		want       []string
	}{
		{"empty", "", []string{"x.lock:1:1: invalid JSON: unexpected end of file"}},
		{"truncated", string(valid[:200]), []string{"invalid JSON: unexpected end of file"}},
		{"not an object", "[]", []string{"x.lock:1:1: want a JSON lock.File, got array"}},
		{"trailing data", string(valid) + "{}", []string{"x.lock:50:1: unexpected data after the lock's JSON object"}},
		{"unknown field", edit(`"go": `, `"when": "now", "go": `), []string{`x.lock:4:3: unknown field "when" (valid: lock_version, config_digest, go, core, plugins, modules, order)`}},
		{"unknown origin field", edit(`"kind": "module"`, `"kind": "module", "mirror": "x"`), []string{`x.lock:10:25: unknown field "mirror" (valid: kind, url, commit, ref, sha256, path)`}},
		{"duplicate field", edit(`"go": `, `"go": "go1.1", "go": `), []string{`x.lock:4:18: duplicate field "go"`}},
		{"wrong type", edit(`"lock_version": 1`, `"lock_version": "1"`), []string{`x.lock:2:19: lock_version: want a JSON int, got string`}},
		{"future format", edit(`"lock_version": 1`, `"lock_version": 3`), []string{"x.lock: lock_version: unsupported lock format 3 (this plugctl reads 1 and 2)"}},
		{"require in format 1", edit(`"version": "v0.2.1",
      "hash"`, `"version": "v0.2.1",
      "require": "none",
      "hash"`), []string{`modules[0] (example.com/metrics@v0.2.1).require: require is lock format 2, but lock_version is 1`}},
		{"bad require", strings.Replace(edit(`"version": "v0.2.1",
      "hash"`, `"version": "v0.2.1",
      "require": "test",
      "hash"`), `"lock_version": 1`, `"lock_version": 2`, 1), []string{`modules[0] (example.com/metrics@v0.2.1).require: invalid value "test" (valid: none, direct, indirect)`}},
		{"bad digest", edit(`"config_digest": "sha256:`, `"config_digest": "md5:`), []string{"config_digest: invalid digest"}},
		{"bad toolchain", edit(`"go": "go1.26.8"`, `"go": "1.26"`), []string{`go: invalid toolchain version "1.26"`}},
		{"bad hash", edit(`"hash": "h1:`, `"hash": "h2:`), []string{"core.hash: invalid hash"}},
		{"bad version", edit(`"version": "v1.4.2"`, `"version": "1.4.2"`), []string{`core.version: invalid version "1.4.2" for module example.com/server`}},
		{"bad origin", edit(`"kind": "module"`, `"kind": "ftp"`), []string{`core.origin.kind: invalid origin kind "ftp" (valid: module, git, archive, local)`}},
		{"path on a module origin", edit(`"kind": "module"`, `"kind": "module", "path": "./x"`), []string{"core.origin.path: not allowed for a module origin"}},
		{"path on a proxy origin", edit(`"kind": "module"`, `"kind": "proxy", "path": "./x"`), []string{"core.origin.path: not allowed for a module origin"}},
		{"unsorted plugins", edit(`"name": "local"`, `"name": "zzz"`), []string{`plugins[1] ("metrics"): plugins must be sorted by name, without duplicates (after "zzz")`}},
		{"plug named core", edit(`"name": "local"`, `"name": "core"`), []string{`plugins[0] ("core").name: plug name "core" is reserved`}},
		{"empty hook", edit(`"path": "./local"
      }`, `"path": "./local"
      },
      "hooks": [["go", "run", "./gen"], []]`), []string{`plugins[0] ("local").hooks[1]: a hook is a program and its arguments, the program not empty`}},
		{"core hooks", edit(`"kind": "module"
    },`, `"kind": "module"
    },
    "hooks": [["go", "run", "./gen"]],`), []string{`core.hooks: the core runs no build-time hooks`}},
		{"several problems", strings.Replace(edit(`"lock_version": 1`, `"lock_version": 0`), `"go": "go1.26.8"`, `"go": ""`, 1),
			[]string{"lock_version: unsupported lock format 0", `go: invalid toolchain version ""`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.lock", []byte(tt.data))
			if err == nil {
				t.Fatal("Parse accepted it")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not contain\n%s", err, w)
				}
			}
		})
	}
}

func TestPathFor(t *testing.T) {
	for config, want := range map[string]string{
		"plugconfig.yaml":         "plugconfig.lock",
		"plugconfig.example.yaml": "plugconfig.example.lock",
		"deploy/staging.yml":      "deploy/staging.lock",
		"noext":                   "noext.lock",
		"/abs/.hidden":            "/abs/.hidden.lock",
	} {
		if got := PathFor(config); got != want {
			t.Errorf("PathFor(%q) = %q, want %q", config, got, want)
		}
	}
}

// TestContentDigestsLegacy checks that a vendor tree made by a plugctl that
// spelled the module kind "proxy" in its lock still matches that lock,
// read today with the kind spelled "module".
func TestContentDigestsLegacy(t *testing.T) {
	f := &File{LockVersion: 1, Go: "go1.26.8",
		Core:    Entry{Module: "example.com/core", Version: "v1.0.0", Origin: source.Origin{Kind: source.Module}},
		Plugins: []Entry{{Name: "l", Module: "example.com/l", Version: "v0.0.0", Origin: source.Origin{Kind: source.Local, Path: "./l"}}},
	}
	old := *f
	old.Core.Origin.Kind = source.LegacyModule
	then, err := old.ContentDigest()
	if err != nil {
		t.Fatal(err)
	}
	now, err := f.ContentDigest()
	if err != nil {
		t.Fatal(err)
	}
	if got := f.ContentDigests(); !slices.Equal(got, []string{now, then}) {
		t.Errorf("ContentDigests = %v, want [%s %s]", got, now, then)
	}
	if f.Core.Origin.Kind != source.Module {
		t.Error("ContentDigests changed its argument")
	}
	f.Core.Origin.Kind = source.Local
	if got := f.ContentDigests(); len(got) != 1 {
		t.Errorf("ContentDigests of a lock with no module entry = %v, want one digest", got)
	}
}

// TestContentDigest: the digest is of what the lock pins, not of its
// bytes: the same lock laid out another way, or made by another
// toolchain, has the same digest; a changed pin does not.
func TestContentDigest(t *testing.T) {
	data, err := os.ReadFile("testdata/valid.lock")
	if err != nil {
		t.Fatal(err)
	}
	digest := func(data []byte) string {
		t.Helper()
		f, err := Parse("x.lock", data)
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.ContentDigest()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	want := digest(data)
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		t.Fatal(err)
	}
	if got := digest(compact.Bytes()); got != want {
		t.Errorf("the same lock without its indentation digests to %s, want %s", got, want)
	}
	f, err := Parse("x.lock", data)
	if err != nil {
		t.Fatal(err)
	}
	f.Go = "go1.99.0"
	if got, _ := f.ContentDigest(); got != want {
		t.Errorf("another toolchain changed the digest")
	}
	f.Core.Version = "v9.9.9"
	if got, _ := f.ContentDigest(); got == want {
		t.Errorf("another core version kept the digest")
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(filepath.Join(dir, "none.lock"), "none.lock"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing lock = %v, want fs.ErrNotExist", err)
	}
	bad := filepath.Join(dir, "bad.lock")
	if err := os.WriteFile(bad, []byte("{\"lock_version\": 1,\n \"extra\": 1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(bad, "plugconfig.lock")
	if !IsProblem(err) || fail.KindOf(err) != fail.Mismatch || !strings.HasPrefix(err.Error(), "plugconfig.lock:2:2: ") {
		t.Errorf("Load of a lock with an unknown field = %v (problem %v, kind %v)", err, IsProblem(err), fail.KindOf(err))
	}
	if _, err := Load(dir, "dir.lock"); err == nil || IsProblem(err) || fail.KindOf(err) != fail.Mismatch {
		t.Errorf("Load of a directory = %v, want a read failure of kind mismatch", err)
	}
	f, err := Load("testdata/valid.lock", "valid.lock")
	if err != nil || f.Core.Version != "v1.4.2" {
		t.Errorf("Load(valid.lock) = %+v, %v", f, err)
	}
}
