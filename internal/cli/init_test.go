package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/fail"
)

// TestInitAsks answers init's questions as a person at a terminal would and
// checks the config written from the answers. A wrong answer is refused when
// it is given, with what is wrong, and the question asked again.
func TestInitAsks(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeModule(t, "plugins/audit", "example.com/me/audit")
	answers := strings.Join([]string{
		"Acme",                       // refused: not a valid name
		"acme",                       // name
		"github.com/acme/server",     // core
		"^^1.4",                      // refused: not a version
		"^1.4",                       // version
		"github.com/other/cmd",       // refused: not in the core module
		"github.com/acme/server/cmd", // package with the entry function
		"main",                       // refused: not exported
		"",                           // entry: default Main
		"not a plug!",                // refused, asked again
		"github.com/acme/metrics@v0.3.1",
		"audit=./plugins/nosuch", // refused: no such directory
		"audit=./plugins/audit",
		"metrics=./plugins/audit", // refused: the name is taken
		"",                        // done
	}, "\n") + "\n"
	var stderr bytes.Buffer
	g := &globals{file: "plugconfig.yaml", ios: &IOStreams{In: strings.NewReader(answers), Out: &bytes.Buffer{}, ErrOut: &stderr, InTTY: true}}
	if err := initRun(context.Background(), &initOptions{globals: g}); err != nil {
		t.Fatalf("init: %v\n%s", err, stderr.String())
	}
	cfg, err := config.Load("plugconfig.yaml")
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
	for _, refused := range []string{
		`invalid name "Acme"`,
		`invalid version "^^1.4"`,
		`main "github.com/other/cmd" is not in module "github.com/acme/server"`,
		`entry "main" is not exported`,
		"want MODULE[@VERSION], ./DIR or git::URL",
		"./plugins/nosuch does not exist",
		`a plug is named "metrics" already`,
	} {
		if !strings.Contains(stderr.String(), refused) {
			t.Errorf("a wrong answer was not explained with %q:\n%s", refused, stderr.String())
		}
	}
}

// writeModule writes a Go module with path mod in dir, holding one package
// with files (name -> content) beside go.mod.
func writeModule(t *testing.T, dir, mod string, files ...string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+mod+"\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(files); i += 2 {
		p := filepath.Join(dir, files[i])
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(files[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestInitInputEnds checks that init stops cleanly, writing nothing, when
// stdin ends mid-way through its questions (Ctrl-D at a terminal): like
// Ctrl-C, exit 130.
func TestInitInputEnds(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plugconfig.yaml")
	g := &globals{file: file, ios: &IOStreams{In: strings.NewReader("acme\n"), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}, InTTY: true}}
	err := initRun(context.Background(), &initOptions{globals: g})
	if !errors.Is(err, errNoAnswer) || fail.Code(err) != 130 {
		t.Errorf("got %v (exit %d), want errNoAnswer, exit 130", err, fail.Code(err))
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("a file was written: %v", err)
	}
}

// TestInitCancelled checks that a cancelled context (Ctrl-C) ends a question
// at once, though no line ever comes.
func TestInitCancelled(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plugconfig.yaml")
	r, w := io.Pipe() // input that never ends
	defer w.Close()
	g := &globals{file: file, ios: &IOStreams{In: r, Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}, InTTY: true}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := initRun(ctx, &initOptions{globals: g})
	if fail.Code(err) != 130 {
		t.Errorf("got %v (exit %d), want exit 130", err, fail.Code(err))
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("a file was written: %v", err)
	}
}

// TestInitLocalCore answers with a local core: the package holding its
// entry function is offered from its sources, the SDK it requires is
// asked for since GOPROXY=off cannot provide it, and local paths are written
// relative to the config, not to the working directory.
func TestInitLocalCore(t *testing.T) {
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", "")
	dir := t.TempDir()
	t.Chdir(dir)
	writeModule(t, "src/core", "example.com/core",
		"app/app.go", "package app\n\n// Main runs the core.\nfunc Main() {}\n",
		"cmd/core/main.go", "package main\n\nfunc Main() {}\n\nfunc main() {}\n")
	if err := os.WriteFile("src/core/go.mod", []byte("module example.com/core\n\ngo 1.26\n\nrequire github.com/plugctl/plugctl/plug v0.0.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeModule(t, "plug", config.SDKModule) // as in a clone of plugctl
	answers := strings.Join([]string{
		"",           // name: the directory's
		"./src/core", // core
		"",           // package: the one offered
		"Run",        // refused: no func Run() there
		"",           // entry: Main
		"",           // no plugs
		"./src",      // refused: not the SDK
		"",           // the SDK: the copy offered
	}, "\n") + "\n"
	var stderr bytes.Buffer
	file := "conf/plugconfig.yaml"
	if err := os.Mkdir("conf", 0o755); err != nil {
		t.Fatal(err)
	}
	g := &globals{file: file, ios: &IOStreams{In: strings.NewReader(answers), Out: &bytes.Buffer{}, ErrOut: &stderr, InTTY: true}}
	if err := initRun(context.Background(), &initOptions{globals: g}); err != nil {
		t.Fatalf("init: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{
		"./src/core is module example.com/core",
		"Package with the entry function [example.com/core/app]: ",
		"package example.com/core/app declares no function Run",
		"needs the plugctl SDK (github.com/plugctl/plugctl/plug v0.0.0)",
		"Local copy of the SDK [./plug]: ",
		"./src has no go.mod",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Core.Source != "../src/core" || cfg.Core.Main != "example.com/core/app" {
		t.Errorf("core %+v", cfg.Core)
	}
	if len(cfg.Replace) != 1 || cfg.Replace[0].Path != config.SDKModule || cfg.Replace[0].Dir != "../plug" {
		t.Errorf("replace %+v, want the SDK replaced by ../plug", cfg.Replace)
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
	starter, err := filepath.Abs(starterFile)
	if err != nil {
		t.Fatal(err)
	}
	// Local paths given in flags are relative to the working directory.
	t.Chdir(t.TempDir())
	file := "plugconfig.yaml"
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
		if err := os.WriteFile(starter, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(starter)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("init wrote\n%s\nwant (%s; -update to refresh)\n%s", got, starterFile, want)
	}
}
