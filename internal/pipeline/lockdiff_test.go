package pipeline

import (
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/digest"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/source"
)

func parseConfig(t *testing.T, yaml string) *config.Config {
	t.Helper()
	c, err := config.Parse("plugconfig.yaml", []byte(yaml), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const lockBase = `schema: 1
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

func TestLockDiff(t *testing.T) {
	c := parseConfig(t, lockBase)
	f := &lock.File{
		ConfigDigest: digest.Resolution(c),
		Core:         lock.Entry{Module: "example.com/server", Requested: "^1.4.0", Version: "v1.6.0", Origin: source.Origin{Kind: source.Module}},
		Plugins: []lock.Entry{
			{Name: "local", Module: "example.com/local", Version: "v0.0.0", Origin: source.Origin{Kind: source.Local, Path: "./local"}},
			{Name: "metrics", Module: "example.com/metrics", Requested: "~0.2.0", Version: "v0.2.1", Origin: source.Origin{Kind: source.Module}},
		},
	}
	if d := lockDiff(c, f); len(d) != 0 {
		t.Fatalf("a matching lock differs: %v", d)
	}
	changed := parseConfig(t, strings.Replace(strings.Replace(lockBase, "~0.2.0", "~0.3.0", 1), "source: ./local", "source: ./elsewhere", 1)+
		"  - name: audit\n    module: example.com/audit\n    version: ^0.1.0\n")
	want := []string{
		`plug "metrics": version "~0.3.0" in the config, "~0.2.0" in the lock`,
		`plug "local": source "./elsewhere" in the config, "./local" in the lock`,
		`plug "audit": in the config, not in the lock`,
	}
	if got := lockDiff(changed, f); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	disabled := parseConfig(t, strings.Replace(lockBase, "    version: ~0.2.0\n", "    version: ~0.2.0\n    enabled: false\n", 1))
	if got := lockDiff(disabled, f); len(got) != 1 || got[0] != `plug "metrics": disabled in the config, in the lock` {
		t.Errorf("Diff with a disabled plug: %v", got)
	}
	replaced := parseConfig(t, lockBase+"replace:\n  example.com/x: v1.0.0\n")
	if got := lockDiff(replaced, f); len(got) != 1 || !strings.Contains(got[0], "replace map") {
		t.Errorf("Diff with a new replace: %v", got)
	}
}
