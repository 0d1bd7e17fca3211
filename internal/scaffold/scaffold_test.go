package scaffold

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/plugctl/plugctl/internal/config"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

// starters are the starter configs of the golden tests: each branch of the
// template at least once.
var starters = []struct {
	name string
	s    Starter
}{
	{"minimal", Starter{File: "plugconfig.yaml", Name: "app", Core: StarterCore{Module: "github.com/acme/server", Version: "latest", Entry: "Main"}}},
	{"example", Starter{File: "plugconfig.yaml", Name: "hello",
		Core:    StarterCore{Source: "./examples/core", Main: "github.com/plugctl/plugctl/examples/core/app", Entry: "Main"},
		Plugs:   []StarterPlug{{Name: "greeter", Source: "./examples/plugins/greeter"}, {Name: "stamp", Source: "./examples/plugins/stamp"}},
		Replace: map[string]string{"github.com/plugctl/plugctl/plug": "./plug"}}},
	{"full", Starter{File: "caddy.yaml", Name: "caddy",
		Core: StarterCore{Module: "github.com/caddyserver/caddy/v2", Version: "^2.8", Main: "github.com/caddyserver/caddy/v2/cmd", Entry: "Main",
			Imports: []string{"github.com/caddyserver/caddy/v2/modules/standard", "github.com/acme/extra"}},
		Plugs: []StarterPlug{
			{Name: "cloudflare", Module: "github.com/caddy-dns/cloudflare", Version: "^0.2"},
			{Name: "geo", Source: "git::https://git.example.com/geoip.git", Version: "v2.1.0"},
		},
		Replace: map[string]string{"github.com/plugctl/plugctl/plug": "../plug", "example.com/b": "v1.2.3"},
		Targets: []string{"linux/amd64", "darwin/arm64"}}},
	{"profile-caddy", Starter{File: "plugconfig.yaml", Name: "caddy",
		Core: StarterCore{Module: "github.com/caddyserver/caddy/v2", Version: "v2.11.9", Entry: "Main", Profile: &StarterProfile{
			Name: "caddy", Description: "Caddy, built as xcaddy builds it", Main: "github.com/caddyserver/caddy/v2/cmd", Entry: "Main",
			Imports: []string{"github.com/caddyserver/caddy/v2/modules/standard"}, Tags: []string{"nobadger", "nomysql", "nopgx"}, Ldflags: []string{"-s", "-w"}}},
		Plugs: []StarterPlug{{Name: "cloudflare", Module: "github.com/caddy-dns/cloudflare", Version: "v0.2.1"}}}},
	{"profile-otelcol", Starter{File: "plugconfig.yaml", Name: "otelcol",
		Core: StarterCore{Module: "go.opentelemetry.io/collector/otelcol", Version: "v0.165.0", Entry: "Main", Profile: &StarterProfile{
			Name: "otelcol", Description: "OpenTelemetry Collector, built as ocb builds a distribution", Ldflags: []string{"-s", "-w"}}},
		Plugs: []StarterPlug{{Name: "otlp", Module: "go.opentelemetry.io/collector/receiver/otlpreceiver", Version: "v0.165.0", Kind: "receiver"}}}},
	{"profile-coredns", Starter{File: "plugconfig.yaml", Name: "coredns",
		Core: StarterCore{Module: "github.com/coredns/coredns", Version: "v1.15.0", Entry: "Main", Profile: &StarterProfile{
			Name: "coredns", Description: "CoreDNS", Main: "github.com/coredns/coredns/coremain", Entry: "Run",
			Imports: []string{"github.com/coredns/coredns/core/plugin"}, Order: true}},
		Plugs: []StarterPlug{{Name: "hello", Source: "./hello", After: "log"}}}},
	{"profile-benthos", Starter{File: "plugconfig.yaml", Name: "benthos",
		Core: StarterCore{Module: "github.com/redpanda-data/benthos/v4", Version: "v4.60.0", Entry: "Main", Profile: &StarterProfile{
			Name: "benthos", Description: "Benthos", Main: "github.com/redpanda-data/benthos/v4/public/service", Entry: "RunCLI(context.Background())"}}}},
	{"git-core", Starter{File: "plugconfig.yaml", Name: "gitty", Core: StarterCore{Source: "git::https://git.example.com/core.git", Version: "main", Entry: "Run"},
		Targets: []string{"windows/amd64"}}},
}

func TestConfigGolden(t *testing.T) {
	for _, tt := range starters {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Config(tt.s)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "starter_"+tt.name+".yaml", got)
			if again, _ := Config(tt.s); !bytes.Equal(got, again) {
				t.Error("two renders of the same input differ")
			}
		})
	}
}

// example matches a commented line that holds configuration rather than
// prose: a key (or a list item) and a colon, at a key's indentation.
var example = regexp.MustCompile(`^( *)# ( *(- )?[A-Za-z0-9_./-]+:( |$).*)$`)

// TestConfigCommentsValid uncomments the commented keys of each starter
// config, each run of them alone and then all at once, and checks that
// every result is a valid config: a user who uncomments a line must not
// break the file.
func TestConfigCommentsValid(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range starters {
		data, err := Config(tt.s)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		// Runs of consecutive commented keys: a list item and its keys go
		// together.
		var runs [][]int
		for i, line := range lines {
			if !example.MatchString(line) {
				continue
			}
			if n := len(runs); n > 0 && runs[n-1][len(runs[n-1])-1] == i-1 {
				runs[n-1] = append(runs[n-1], i)
			} else {
				runs = append(runs, []int{i})
			}
		}
		if len(runs) == 0 {
			t.Fatalf("%s: no commented keys found", tt.name)
		}
		uncomment := func(which [][]int) []byte {
			out := slices.Clone(lines)
			for _, run := range which {
				for _, i := range run {
					out[i] = example.ReplaceAllString(out[i], "$1$2")
				}
			}
			return []byte(strings.Join(out, "\n"))
		}
		check := func(what string, data []byte) {
			if _, err := config.Parse(tt.s.File, data, dir); err != nil {
				t.Errorf("%s, %s uncommented: %v\n%s", tt.name, what, err, data)
			}
		}
		check("nothing", data)
		for _, run := range runs {
			check(strings.TrimSpace(lines[run[0]]), uncomment([][]int{run}))
		}
		check("every commented key", uncomment(runs))
	}
}

// TestConfigHostileValues renders values that would break the file if
// pasted as text, and reads each back, exactly, where it was put.
func TestConfigHostileValues(t *testing.T) {
	hostile := []string{
		"a\nbuild: {output: /etc}", "x # not a comment", `"quoted"`, "'single'", "tab\there",
		"yes", "0x1F", "0o17", "0b101", "1_000", "+1", "-1", ".5", ".inf", "-.Inf", ".NaN", "2024-01-01", "12:30", "1e3", "~", "- item", "{a: b}", "[a]", "&anchor", "*alias", "!tag", "%percent",
		"@at", "`tick`", "trailing ", " leading", "line\u2028sep", "cr\rlf", "nul\x00", "ünïcödé", "",
	}
	for _, v := range hostile {
		s := Starter{File: "plug\nconfig.yaml", Name: v,
			Core:    StarterCore{Module: v, Version: v, Main: v + "/x", Entry: v, Imports: []string{v}},
			Plugs:   []StarterPlug{{Name: v, Module: v, Version: v, Source: v}},
			Replace: map[string]string{v: v}, Targets: []string{v}}
		data, err := Config(s)
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		var got struct {
			Name string `yaml:"name"`
			Core struct {
				Module, Version, Main, Entry string
				Imports                      []string
			} `yaml:"core"`
			Plugins []struct{ Name, Module, Version, Source string } `yaml:"plugins"`
			Replace map[string]string                                `yaml:"replace"`
			Build   struct {
				Targets []string `yaml:"targets"`
				Output  *string  `yaml:"output"`
			} `yaml:"build"`
		}
		if err := yaml.Unmarshal(data, &got); err != nil {
			t.Errorf("%q: the file does not parse: %v\n%s", v, err, data)
			continue
		}
		c := got.Core
		ok := got.Name == v && c.Module == v && c.Version == v && c.Main == v+"/x" && c.Entry == v &&
			slices.Equal(c.Imports, []string{v}) && len(got.Plugins) == 1 && got.Plugins[0] == struct{ Name, Module, Version, Source string }{v, v, v, v} &&
			len(got.Replace) == 1 && got.Replace[v] == v && slices.Equal(got.Build.Targets, []string{v}) && got.Build.Output == nil
		if !ok && v != "" {
			t.Errorf("%q does not read back where it was written:\n%s", v, data)
		}
	}
}

func TestYAML(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/a/b": "github.com/a/b", "v1.2.3": "v1.2.3", "latest": "latest", "./x": "./x",
		"^1.4": `"^1.4"`, "1.10": `"1.10"`, "yes": `"yes"`, "null": `"null"`, "dist/{name}": `"dist/{name}"`,
		"a: b": `"a: b"`, "git::https://x/y.git": `"git::https://x/y.git"`, `say "hi"`: `"say \"hi\""`,
	} {
		if got := YAML(in); got != want {
			t.Errorf("YAML(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestEncoders(t *testing.T) {
	tests := []struct {
		name string
		f    func(string) string
		in   string
		want string
	}{
		{"comment plain", Comment, "hello from audit", "hello from audit"},
		{"comment newline", Comment, "a\nb: c", `"a\nb: c"`},
		{"comment line separator", Comment, "a\u2028b", `"a\u2028b"`},
		{"comment unicode", Comment, "ünï", "ünï"},
		{"code plain", code, "example.com/acme/audit", "`example.com/acme/audit`"},
		{"code backticks", code, "a`b``c", "```a`b``c```"},
		{"code edge backtick", code, "`a", "`` `a ``"},
		{"code newline", code, "a\nb", "`\"a\\nb\"`"},
		{"md plain", markdown, "audit", "audit"},
		{"md specials", markdown, "my_plug *x* [l](u) <b> #h |t| !i `c` \\", `my\_plug \*x\* \[l\](u) \<b\> \#h \|t\| \!i \` + "`c\\`" + ` \\`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f(tt.in); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
