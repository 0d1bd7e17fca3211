package pipeline

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/testenv"
)

// useProxy points the go command at the test module proxy, with a module
// cache of the test's own.
func useProxy(t *testing.T) {
	t.Helper()
	t.Setenv("GOPROXY", testenv.Proxy(t))
	t.Setenv("GOSUMDB", "off")
	t.Setenv("GOMODCACHE", testenv.ModCache(t))
	t.Setenv("GOPATH", filepath.Join(t.TempDir(), "gopath"))
	t.Setenv("GOTOOLCHAIN", "local")
	t.Setenv("GOFLAGS", "")
	t.Setenv("GOPRIVATE", "")
}

func parse(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("plugconfig.yaml", []byte(yaml), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

const constraints = `schema: 1
name: acme
core:
  module: example.com/server
  version: ^1.4.0
  main: example.com/server/app
plugins:
  - name: metrics
    module: example.com/metrics
    version: ~0.2.0
  - name: metrics2
    module: example.com/metrics/v2
    version: ">=2.1.0-0"
  - name: tip
    module: example.com/tip
    version: latest
  - name: audit
    module: example.com/audit
    version: v0.1.0
`

// resolveSet resolves the sources of cfg, as the resolve step does, with the
// lock's pins when old is set.
func resolveSet(t *testing.T, cfg *config.Config, old *lock.File) (*Set, error) {
	t.Helper()
	s := New(report.Discard, Options{})
	s.Config = cfg
	if old != nil {
		s.lock = &lockState{old: old, pins: map[string]bool{}}
		for _, r := range cfg.Requests() {
			s.lock.pins[r.Name] = true
		}
	}
	return runSet(t, s)
}

// runSet runs resolve and fetch on s and returns the set they make.
func runSet(t *testing.T, s *State) (*Set, error) {
	t.Helper()
	defer s.Close()
	err := Run(context.Background(), s, []Step{resolveStep, fetchStep})
	return s.Set, err
}

func TestResolveModules(t *testing.T) {
	useProxy(t)
	set, err := resolveSet(t, parse(t, constraints), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"core":     "v1.6.0",
		"metrics":  "v0.2.1",
		"metrics2": "v2.1.0-beta.1",
		"tip":      "v0.0.0-20240102030405-abcdefabcdef",
		"audit":    "v0.1.0",
	}
	for _, c := range set.All() {
		if c.Version != want[c.Name] {
			t.Errorf("%s resolved to %s, want %s", c.Name, c.Version, want[c.Name])
		}
		if !strings.HasPrefix(c.Hash, "h1:") || c.Root == "" || c.Dir != "" || c.GoMod == nil {
			t.Errorf("%s: hash %q, root %q, dir %q, go.mod %v: want a fetched module", c.Name, c.Hash, c.Root, c.Dir, c.GoMod != nil)
		}
		if c.Origin.Kind != source.Module {
			t.Errorf("%s: origin %q", c.Name, c.Origin.Kind)
		}
	}
	if set.Plugs[0].Name != "metrics" || set.Plugs[3].Name != "audit" {
		t.Errorf("plugs out of config order: %v", set.Plugs)
	}
}

func TestResolvePinned(t *testing.T) {
	useProxy(t)
	old := &lock.File{
		Core:    lock.Entry{Version: "v1.4.2", Origin: source.Origin{Kind: source.Module}},
		Plugins: []lock.Entry{{Name: "metrics", Version: "v0.2.0", Origin: source.Origin{Kind: source.Module}}},
	}
	cfg := parse(t, constraints)
	s := New(report.Discard, Options{})
	s.Config, s.lock = cfg, &lockState{old: old, pins: map[string]bool{"core": true, "metrics": true}}
	set, err := runSet(t, s)
	if err != nil {
		t.Fatal(err)
	}
	if set.Core.Version != "v1.4.2" || set.Plugs[0].Version != "v0.2.0" {
		t.Errorf("pins not followed: core %s, metrics %s", set.Core.Version, set.Plugs[0].Version)
	}
	if set.Plugs[1].Version != "v2.1.0-beta.1" {
		t.Errorf("an unpinned plug: %s", set.Plugs[1].Version)
	}
}

func TestResolveNoMatch(t *testing.T) {
	useProxy(t)
	cfg := parse(t, `schema: 1
name: acme
core:
  module: example.com/server
  version: ^3.0.0
  main: example.com/server/app
plugins:
  - name: metrics
    module: example.com/metrics
    version: v0.2.9
`)
	_, err := resolveSet(t, cfg, nil)
	if fail.KindOf(err) != fail.Config {
		t.Fatalf("kind %v, want config: %v", fail.KindOf(err), err)
	}
	var errs diag.List
	if !errors.As(err, &errs) || len(errs) != 2 {
		t.Fatalf("want both problems listed: %v", err)
	}
	want := []string{
		`plugconfig.yaml:5:3: core: no version of example.com/server matches "^3.0.0" (nearest available: v1.4.2, v1.5.0, v1.6.0, v1.7.0-rc.1)`,
		`plugconfig.yaml:10:5: plug "metrics": no version of example.com/metrics matches "v0.2.9" (nearest available: v0.2.1, v0.2.2-rc.1, v0.3.0, v1.0.0)`,
	}
	for i, e := range errs {
		if e.Error() != want[i] {
			t.Errorf("problem %d:\n got %s\nwant %s", i, e, want[i])
		}
	}
}

func TestResolveFetchFailure(t *testing.T) {
	useProxy(t)
	t.Setenv("GOPROXY", "off")
	_, err := resolveSet(t, parse(t, constraints), nil)
	if fail.KindOf(err) != fail.Fetch {
		t.Fatalf("kind %v, want fetch: %v", fail.KindOf(err), err)
	}
	for _, name := range []string{"core", `plug "metrics"`, `plug "tip"`} {
		if !strings.Contains(err.Error(), name+" (example.com/") {
			t.Errorf("error does not name %s:\n%v", name, err)
		}
	}
}
