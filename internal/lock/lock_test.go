package lock

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/config"
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
		{"trailing data", string(valid) + "{}", []string{"x.lock:51:1: unexpected data after the lock's JSON object"}},
		{"unknown field", edit(`"go": `, `"when": "now", "go": `), []string{`x.lock:4:3: unknown field "when" (valid: lock_version, config_digest, go, core, plugins, modules)`}},
		{"unknown origin field", edit(`"kind": "module"`, `"kind": "module", "mirror": "x"`), []string{`x.lock:10:25: unknown field "mirror" (valid: kind, url, commit, ref, sha256, path)`}},
		{"duplicate field", edit(`"go": `, `"go": "go1.1", "go": `), []string{`x.lock:4:18: duplicate field "go"`}},
		{"wrong type", edit(`"lock_version": 1`, `"lock_version": "1"`), []string{`x.lock:2:19: lock_version: want a JSON int, got string`}},
		{"future format", edit(`"lock_version": 1`, `"lock_version": 2`), []string{"x.lock: lock_version: unsupported lock format 2 (this plugctl reads 1)"}},
		{"bad digest", edit(`"config_digest": "sha256:`, `"config_digest": "md5:`), []string{"config_digest: invalid digest"}},
		{"bad toolchain", edit(`"go": "go1.26.8"`, `"go": "1.26"`), []string{`go: invalid toolchain version "1.26"`}},
		{"bad hash", edit(`"hash": "h1:`, `"hash": "h2:`), []string{"core.hash: invalid hash"}},
		{"bad version", edit(`"version": "v1.4.2"`, `"version": "1.4.2"`), []string{`core.version: invalid version "1.4.2" for module example.com/server`}},
		{"bad origin", edit(`"kind": "module"`, `"kind": "ftp"`), []string{`core.origin.kind: invalid origin kind "ftp" (valid: module, git, archive, local)`}},
		{"path on a module origin", edit(`"kind": "module"`, `"kind": "module", "path": "./x"`), []string{"core.origin.path: not allowed for a module origin"}},
		{"path on a proxy origin", edit(`"kind": "module"`, `"kind": "proxy", "path": "./x"`), []string{"core.origin.path: not allowed for a module origin"}},
		{"unsorted plugins", edit(`"name": "local"`, `"name": "zzz"`), []string{`plugins[1] ("metrics"): plugins must be sorted by name, without duplicates (after "zzz")`}},
		{"plug named core", edit(`"name": "local"`, `"name": "core"`), []string{`plugins[0] ("core").name: plug name "core" is reserved`}},
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

func cfg(t *testing.T, yaml string) *config.Config {
	t.Helper()
	c, err := config.Parse("plugconfig.yaml", []byte(yaml), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const base = `schema: 1
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
  - name: old
    module: example.com/old
    version: v1.0.0
    enabled: false
`

func TestDigestCoversResolutionInputsOnly(t *testing.T) {
	d := Digest(cfg(t, base))
	same := []string{
		strings.Replace(base, "name: acme", "name: other", 1),
		strings.Replace(base, "  main: example.com/server/app\n", "  main: example.com/server/app\n  entry: Run\n", 1),
		"# a comment\n" + base + "build:\n  tags: [x]\n",
		// Plug order in the file does not matter: the digest sorts.
		strings.Replace(base, "  - name: local\n    source: ./local\n", "", 1) + "  - name: local\n    source: ./local\n",
	}
	for i, y := range same {
		if got := Digest(cfg(t, y)); got != d {
			t.Errorf("variant %d changed the digest", i)
		}
	}
	differ := []string{
		strings.Replace(base, "~0.2.0", "~0.3.0", 1),
		strings.Replace(base, "source: ./local", "source: ./local2", 1),
		strings.Replace(base, "version: v1.0.0", "version: v1.1.0", 1), // a disabled plug counts
		base + "replace:\n  example.com/x: v1.0.0\n",
		strings.Replace(base, "    version: ~0.2.0\n", "    version: ~0.2.0\n    import: example.com/metrics/plug\n", 1),
	}
	for i, y := range differ {
		if got := Digest(cfg(t, y)); got == d {
			t.Errorf("variant %d kept the digest", i)
		}
	}
}

func TestDigestNeverHoldsSecrets(t *testing.T) {
	a := Digest(cfg(t, strings.Replace(base, "source: ./local", "source: git::https://user:token1@git.example.com/x.git", 1)))
	b := Digest(cfg(t, strings.Replace(base, "source: ./local", "source: git::https://user:token2@git.example.com/x.git", 1)))
	if a != b {
		t.Error("the digest depends on the credentials in a URL")
	}
}

func TestDiff(t *testing.T) {
	c := cfg(t, base)
	f := &File{
		ConfigDigest: Digest(c),
		Core:         Entry{Module: "example.com/server", Requested: "^1.4.0", Version: "v1.6.0", Origin: source.Origin{Kind: source.Module}},
		Plugins: []Entry{
			{Name: "local", Module: "example.com/local", Version: "v0.0.0", Origin: source.Origin{Kind: source.Local, Path: "./local"}},
			{Name: "metrics", Module: "example.com/metrics", Requested: "~0.2.0", Version: "v0.2.1", Origin: source.Origin{Kind: source.Module}},
		},
	}
	if d := Diff(c, f); len(d) != 0 {
		t.Fatalf("a matching lock differs: %v", d)
	}
	changed := cfg(t, strings.Replace(strings.Replace(base, "~0.2.0", "~0.3.0", 1), "source: ./local", "source: ./elsewhere", 1)+
		"  - name: audit\n    module: example.com/audit\n    version: ^0.1.0\n")
	want := []string{
		`plug "metrics": version "~0.3.0" in the config, "~0.2.0" in the lock`,
		`plug "local": source "./elsewhere" in the config, "./local" in the lock`,
		`plug "audit": in the config, not in the lock`,
	}
	if got := Diff(changed, f); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	disabled := cfg(t, strings.Replace(base, "    version: ~0.2.0\n", "    version: ~0.2.0\n    enabled: false\n", 1))
	if got := Diff(disabled, f); len(got) != 1 || got[0] != `plug "metrics": disabled in the config, in the lock` {
		t.Errorf("Diff with a disabled plug: %v", got)
	}
	replaced := cfg(t, base+"replace:\n  example.com/x: v1.0.0\n")
	if got := Diff(replaced, f); len(got) != 1 || !strings.Contains(got[0], "replace map") {
		t.Errorf("Diff with a new replace: %v", got)
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
