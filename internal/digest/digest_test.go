package digest

import (
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/config"
)

func parse(t *testing.T, yaml string) *config.Config {
	t.Helper()
	c, err := config.Parse("plugconfig.yaml", []byte(yaml), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// full sets every key a digest may cover.
const full = `schema: 1
name: acme
core:
  module: example.com/server
  version: ^1.4.0
  main: example.com/server/app
  imports: [example.com/server/std]
plugins:
  - name: metrics
    module: example.com/metrics
    version: ~0.2.0
    import: example.com/metrics/plug
    settings: {listen: ":9090", rate: 0.5, n: 1, token: {env: TOK}, list: [a, 1, true]}
  - name: geo
    source: git::https://user:secret@git.example.com/geo.git
    version: v2.1.0
  - name: pack
    source: https://example.com/p.tar.gz
    checksum: sha256:0000000000000000000000000000000000000000000000000000000000000000
  - name: audit
    source: ./audit
  - name: off
    module: example.com/off
    version: v1.0.0
    enabled: false
replace:
  example.com/x: ./x
  example.com/y: v1.2.3
build:
  targets: [linux/amd64, darwin/arm64]
  output: dist/{name}_{os}_{arch}
  tags: [netgo]
  ldflags: [-s, -w]
`

// TestValuesKept pins the value of each digest: locks, vendor trees and
// artifact records written before the digests moved here still match.
// The values are those lock.Digest, vendortree.ConfigDigest and the
// pipeline's configDigest returned for this config, but for Vendor and
// Artifact, which changed once when token: {env: TOK} became a reference
// (a setting.Ref, encoded as a plug.Ref) rather than a mapping.
func TestValuesKept(t *testing.T) {
	c := parse(t, full)
	for _, tt := range []struct{ name, got, want string }{
		{"Resolution", Resolution(c), "sha256:938defa401f43da4e77c922682506a2bdf19ca1a2815fea49bb8f8582434022f"},
		{"Vendor", Vendor(c), "sha256:c1e95cf5cf4bce2b6017a9a729cc42b18e6cf63f32996ad436da4725278fb5ee"},
		{"Artifact", Artifact(c), "4acf63874c56afde2f7ce0db3baa3986d2e2ada60c8ec00f0c651c32920d7855"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %s, want %s", tt.name, tt.got, tt.want)
		}
	}
}

// TestCoverage holds each digest to the table in the package doc: for an
// edit of the config, which digests change.
func TestCoverage(t *testing.T) {
	type change struct{ resolution, vendor, artifact bool }
	const base = `schema: 1
name: hello
core:
  module: example.com/server
  version: ^1.4.0
  main: example.com/server/app
plugins:
  - name: greeter
    source: ./greeter
    settings: {greeting: Hello, repeat: 1}
  - name: metrics
    module: example.com/metrics
    version: ~0.2.0
  - name: off
    module: example.com/off
    version: v1.0.0
    enabled: false
`
	tests := []struct {
		name string
		yaml string
		want change
	}{
		{"reformatted", "# a comment\n" + strings.ReplaceAll(base, "  - name: greeter\n", "\n  - name: greeter\n"), change{}},
		{"plug order", strings.Replace(base, "  - name: greeter\n    source: ./greeter\n    settings: {greeting: Hello, repeat: 1}\n", "", 1) +
			"  - name: greeter\n    source: ./greeter\n    settings: {greeting: Hello, repeat: 1}\n", change{false, true, true}},
		{"targets and output", base + "build:\n  targets: [linux/arm64]\n  output: out/{name}\n", change{}},
		{"tags", base + "build:\n  tags: [x]\n", change{false, false, true}},
		{"ldflags", base + "build:\n  ldflags: [-s]\n", change{false, false, true}},
		{"vendor key", base + "vendor: elsewhere\n", change{false, false, true}},
		{"name", strings.Replace(base, "name: hello", "name: bye", 1), change{false, true, true}},
		{"entry", strings.Replace(base, "  main: example.com/server/app\n", "  main: example.com/server/app\n  entry: Run\n", 1), change{false, true, true}},
		{"setting value", strings.Replace(base, "Hello", "Howdy", 1), change{false, true, true}},
		{"setting type", strings.Replace(base, "repeat: 1}", "repeat: 1.0}", 1), change{false, true, true}},
		{"version", strings.Replace(base, "~0.2.0", "~0.3.0", 1), change{true, true, true}},
		{"import", strings.Replace(base, "    version: ~0.2.0\n", "    version: ~0.2.0\n    import: example.com/metrics/plug\n", 1), change{true, true, true}},
		{"source", strings.Replace(base, "./greeter", "./greeter2", 1), change{true, true, true}},
		{"disabled plug edited", strings.Replace(base, "v1.0.0", "v1.0.1", 1), change{true, false, true}},
		{"plug enabled", strings.Replace(base, "    enabled: false\n", "", 1), change{false, true, true}},
		{"replace", base + "replace:\n  example.com/x: ./x\n", change{true, true, true}},
		{"distribution version", base + "version: 1.0.0\n", change{false, true, true}},
		{"description", base + "description: Hello\n", change{false, true, true}},
		{"profile", strings.Replace(base, "  main: example.com/server/app\n", "  main: example.com/server/app\n  profile: none\n", 1), change{false, true, true}},
		{"kind", strings.Replace(base, "    version: ~0.2.0\n", "    version: ~0.2.0\n    kind: exporter\n", 1), change{false, true, true}},
		{"position", strings.Replace(base, "    version: ~0.2.0\n", "    version: ~0.2.0\n    position: {before: log}\n", 1), change{false, true, true}},
		{"hooks allowed", strings.Replace(base, "    source: ./greeter\n", "    source: ./greeter\n    hooks: allow\n", 1), change{false, true, true}},
		{"tags set to none", base + "build:\n  tags: []\n", change{false, false, true}},
	}
	c0 := parse(t, base)
	r0, v0, a0 := Resolution(c0), Vendor(c0), Artifact(c0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := parse(t, tt.yaml)
			got := change{Resolution(c) != r0, Vendor(c) != v0, Artifact(c) != a0}
			if got != tt.want {
				t.Errorf("changed (resolution, vendor, artifact) = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestNoSecrets: the digests the lock and the vendor manifest record do
// not depend on the credentials of a source URL.
func TestNoSecrets(t *testing.T) {
	a := parse(t, strings.Replace(full, "user:secret@", "user:other@", 1))
	b := parse(t, full)
	if Resolution(a) != Resolution(b) {
		t.Error("Resolution depends on the credentials in a URL")
	}
	if Vendor(a) != Vendor(b) {
		t.Error("Vendor depends on the credentials in a URL")
	}
}

// TestPositionsLeftOut moves every key of the config to another line and
// column: no digest changes.
func TestPositionsLeftOut(t *testing.T) {
	moved := "\n\n" + strings.NewReplacer(
		"core:\n", "core:\n  # core\n",
		"    settings: {", "    # settings\n    settings: {",
		"replace:\n", "replace:\n  # replaced\n",
		"  output:", "  # out\n  output:",
	).Replace(full)
	a, b := parse(t, full), parse(t, moved)
	if a.Core.Pos == b.Core.Pos || a.Build.OutputPos == b.Build.OutputPos || a.Plugins[0].SettingPos["rate"] == b.Plugins[0].SettingPos["rate"] {
		t.Fatal("the variant moved no position")
	}
	if Resolution(a) != Resolution(b) || Vendor(a) != Vendor(b) || Artifact(a) != Artifact(b) {
		t.Error("a digest depends on where keys are in the file")
	}
}
