package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/config"
)

// TestInitAsks answers init's questions as a person at a terminal would and
// checks the config written from the answers.
func TestInitAsks(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plugconfig.yaml")
	answers := strings.Join([]string{
		"acme",                       // name
		"github.com/acme/server",     // core
		"^1.4",                       // version
		"github.com/acme/server/cmd", // package with the entry function
		"",                           // entry: default Main
		"not a plug!",                // refused, asked again
		"github.com/acme/metrics@v0.3.1",
		"audit=./plugins/audit",
		"", // done
	}, "\n") + "\n"
	var stderr bytes.Buffer
	g := &globals{file: file, ios: &IOStreams{In: strings.NewReader(answers), Out: &bytes.Buffer{}, ErrOut: &stderr, InTTY: true}}
	if err := initRun(context.Background(), &initOptions{globals: g}); err != nil {
		t.Fatalf("init: %v\n%s", err, stderr.String())
	}
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Name != "acme" || cfg.Core.Module != "github.com/acme/server" || cfg.Core.Version != "^1.4" ||
		cfg.Core.Main != "github.com/acme/server/cmd" || cfg.Core.Entry != "Main" {
		t.Errorf("config %+v", cfg)
	}
	if len(cfg.Plugins) != 2 || cfg.Plugins[0].Name != "metrics" || cfg.Plugins[0].Version != "v0.3.1" ||
		cfg.Plugins[1].Name != "audit" || cfg.Plugins[1].Source != "./plugins/audit" {
		t.Errorf("plugins %+v", cfg.Plugins)
	}
	for _, q := range []string{"Name of the binary [", "Core program: ", "Core version [latest]: ", "Entry function [Main]: ", "Add a plug: "} {
		if !strings.Contains(stderr.String(), q) {
			t.Errorf("question %q not asked:\n%s", q, stderr.String())
		}
	}
	if !strings.Contains(stderr.String(), "want MODULE[@VERSION], ./DIR or git::URL") {
		t.Errorf("a bad plug was not explained:\n%s", stderr.String())
	}
}

// TestInitInputEnds checks that init stops cleanly, writing nothing, when
// stdin ends mid-way through its questions.
func TestInitInputEnds(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plugconfig.yaml")
	g := &globals{file: file, ios: &IOStreams{In: strings.NewReader("acme\n"), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}, InTTY: true}}
	err := initRun(context.Background(), &initOptions{globals: g})
	if !errors.Is(err, errNoAnswer) {
		t.Errorf("got %v, want errNoAnswer", err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("a file was written: %v", err)
	}
}

func TestParseWith(t *testing.T) {
	tests := []struct {
		in   string
		want starterPlug
		err  string
	}{
		{"github.com/acme/metrics", starterPlug{Name: "metrics", Module: "github.com/acme/metrics", Version: "latest"}, ""},
		{"github.com/caddy-dns/cloudflare@^0.2", starterPlug{Name: "cloudflare", Module: "github.com/caddy-dns/cloudflare", Version: "^0.2"}, ""},
		{"github.com/acme/Geo.IP/v3@v3.0.1", starterPlug{Name: "geo-ip", Module: "github.com/acme/Geo.IP/v3", Version: "v3.0.1"}, ""},
		{"m=github.com/acme/metrics", starterPlug{Name: "m", Module: "github.com/acme/metrics", Version: "latest"}, ""},
		{"./plugins/audit/", starterPlug{Name: "audit", Source: "./plugins/audit/"}, ""},
		{"git::ssh://git@example.com/org/geoip.git@v2.1.0", starterPlug{Name: "geoip", Source: "git::ssh://git@example.com/org/geoip.git", Version: "v2.1.0"}, ""},
		{"git::https://example.com/org/geoip.git", starterPlug{Name: "geoip", Source: "git::https://example.com/org/geoip.git"}, ""},
		{"https://example.com/dl/bundle.tar.gz", starterPlug{Name: "bundle", Source: "https://example.com/dl/bundle.tar.gz"}, ""},
		{"not a plug", starterPlug{}, "want MODULE[@VERSION]"},
		{"./123", starterPlug{}, "cannot make a plug name"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseWith(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("got %+v, %v; want error %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// starterFile is a starter config init writes, kept among the config
// package's test files so that its schema tests check it: the file init
// writes must be one the JSON Schema accepts too. The -update flag (of the
// script tests) rewrites it.
const starterFile = "../config/testdata/starter.yaml"

func TestInitStarterFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plugconfig.yaml")
	g := &globals{file: file, ios: &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}}
	o := &initOptions{globals: g, Name: "caddy",
		CoreModule: "github.com/caddyserver/caddy/v2", CoreVersion: "v2.8.4",
		CoreMain:    "github.com/caddyserver/caddy/v2/cmd",
		CoreImports: []string{"github.com/caddyserver/caddy/v2/modules/standard"},
		With:        []string{"github.com/caddy-dns/cloudflare@^0.2", "./plugins/audit", "geo=git::https://git.example.com/geoip.git@v2.1.0"},
		Replace:     []string{"github.com/plugctl/plugctl/plug=../plug"},
		Targets:     []string{"linux/amd64", "darwin/arm64"},
	}
	if err := initRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(starterFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(starterFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("init wrote\n%s\nwant (%s; -update to refresh)\n%s", got, starterFile, want)
	}
}
