package manifest

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/setting"
)

func mustParse(t *testing.T, src string) *Manifest {
	t.Helper()
	m, err := Parse("plugin.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCheck(t *testing.T) {
	metrics := mustParse(t, `
requires:
  core: ">=1.5.0"
  plugins: {auth: "^1.2", store: }
conflicts: [legacy]
settings:
  listen: {type: string, required: true, description: Address to serve on}
  port: {type: int, default: 9090}
  rate: {type: float, default: 0.5}
  tags: {type: list, default: [a]}
`)
	auth := mustParse(t, "settings: {}\n")
	tests := []struct {
		name string
		set  Set
		want string // every problem, one a line; "" for none
	}{
		{"core too old", Set{CoreVersion: "v1.4.2", Plugs: []Plug{
			{Name: "metrics", Version: "v0.3.0", Manifest: metrics, Settings: map[string]any{"listen": ":9090"}},
			{Name: "auth", Version: "v1.2.0"}, {Name: "store"},
		}}, `plug "metrics": requires core >=1.5.0, but the core is v1.4.2`},
		{"core pseudo-version after v1.5.0", Set{CoreVersion: "v1.5.1-0.20240101000000-abcdefabcdef", Plugs: []Plug{
			{Name: "metrics", Manifest: metrics, Settings: map[string]any{"listen": ":9090"}},
			{Name: "auth"}, {Name: "store"},
		}}, ``},
		{"local core is not checked", Set{CoreVersion: "", Plugs: []Plug{
			{Name: "metrics", Manifest: metrics, Settings: map[string]any{"listen": ":9090"}},
			{Name: "auth"}, {Name: "store"},
		}}, ``},
		{"missing and too old plugs", Set{CoreVersion: "v1.5.0", Plugs: []Plug{
			{Name: "metrics", Manifest: metrics, Settings: map[string]any{"listen": ":9090"}},
			{Name: "auth", Version: "v1.1.9"},
		}}, `plug "metrics": requires plug "auth" ^1.2, but it is v1.1.9` + "\n" +
			`plug "metrics": requires plug "store", which is not enabled in the config`},
		{"conflict", Set{CoreVersion: "v1.5.0", Plugs: []Plug{
			{Name: "legacy"},
			{Name: "metrics", Manifest: metrics, Settings: map[string]any{"listen": ":9090"}},
			{Name: "auth"}, {Name: "store"},
		}}, `plug "metrics": conflicts with plug "legacy"; remove or disable one of them`},
		{"settings", Set{CoreVersion: "v1.5.0", Plugs: []Plug{
			{Name: "metrics", Manifest: metrics, Settings: map[string]any{"port": "9090", "rate": int64(1), "lisen": ":1", "tags": nil}},
			{Name: "auth", Manifest: auth, Settings: map[string]any{"x": true}},
			{Name: "store"},
		}}, `plug "metrics": setting "lisen" is unknown`},
		{"core manifest", Set{CoreVersion: "v1.5.0",
			Core:  mustParse(t, "requires: {core: \">=1\", plugins: [auth]}\nconflicts: [legacy]\nsettings: {a: {}}\n"),
			Plugs: []Plug{{Name: "legacy"}}},
			"core: requires plug \"auth\", which is not enabled in the config\n" +
				"core: conflicts with plug \"legacy\"; remove or disable one of them\n" +
				"core: its manifest has requires.core, which only a plug's manifest may have\n" +
				"core: its manifest declares settings, which only a plug's manifest may have"},
		{"hooks not allowed", Set{Plugs: []Plug{
			{Name: "gen", Manifest: mustParse(t, "generate: [[go, run, ./gen], [go, generate, ./...]]\n")},
			{Name: "allowed", Manifest: mustParse(t, "generate: [[go, run, ./gen]]\n"), Hooks: true},
		}}, `plug "gen": its manifest declares build-time hooks (generate: go run ./gen; go generate ./...), which run code while building and run only when the config allows them: add hooks: allow to the plug's entry (after reading what they run)`},
		{"core with hooks", Set{Core: mustParse(t, "generate: [[go, run, ./gen]]\n")},
			`core: its manifest declares generate hooks, which only a plug's manifest may have`},
		{"plug with a core section", Set{Plugs: []Plug{{Name: "p", Manifest: mustParse(t, "core: {tags: [x]}\n")}}},
			`plug "p": its manifest has a core section, which only the core's manifest may have`},
	}
	// The settings case's exact problems, in order. "lisen" misspells the
	// required "listen", which is then not also reported missing.
	tests[5].want = strings.Join([]string{
		`plug "metrics": setting "port" must be an int, got a string`,
		`plug "metrics": setting "tags" must be a list, got null`,
		`plug "metrics": unknown setting "lisen", did you mean "listen"? (valid: listen, port, rate, tags)`,
		`plug "auth": unknown setting "x" (the plug takes no settings)`,
	}, "\n")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Check(tt.set)
			got := ""
			if err != nil {
				got = err.Error()
				if fail.Code(err) != 2 {
					t.Errorf("exit code %d, want 2", fail.Code(err))
				}
				var ps diag.List
				if !errors.As(err, &ps) {
					t.Errorf("error is not a diag.List")
				}
			}
			if got != tt.want {
				t.Errorf("problems\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestCheckDefaults(t *testing.T) {
	m := mustParse(t, `
settings:
  greeting: {type: string, default: Hello}
  shout: {type: bool, default: false}
  extra: {type: map}
  limits: {type: map, default: {max: 3}}
`)
	got, err := Check(Set{Plugs: []Plug{
		{Name: "greeter", Manifest: m, Settings: map[string]any{"greeting": "Hi"}},
		{Name: "plain", Settings: map[string]any{"anything": int64(1)}},
		{Name: "none"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]any{
		"greeter": {"greeting": "Hi", "shout": false, "limits": map[string]any{"max": int64(3)}},
		"plain":   {"anything": int64(1)},
		"none":    nil,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("settings =\n%#v\nwant\n%#v", got, want)
	}
}

func TestCheckPositions(t *testing.T) {
	cfg, err := config.Parse("plugconfig.yaml", []byte(`schema: 1
name: app
core:
  module: example.com/core
  version: v1.4.2
plugins:
  - name: metrics
    module: example.com/metrics
    version: v0.3.0
    settings: {port: "x"}
  - name: legacy
    module: example.com/legacy
    version: v1.0.0
`), "/tmp")
	if err != nil {
		t.Fatal(err)
	}
	m := mustParse(t, "requires: {core: \">=1.5.0\"}\nconflicts: [legacy]\nsettings: {port: {type: int}, host: {type: string, required: true}}\n")
	core := mustParse(t, "requires: {plugins: [auth]}\n")
	_, err = Check(Set{CoreVersion: "v1.4.2", Core: core, Locate: cfg.Locate, Plugs: []Plug{
		{Name: "metrics", Version: "v0.3.0", Manifest: m, Settings: cfg.Plugins[0].Settings},
		{Name: "legacy", Version: "v1.0.0"},
	}})
	want := strings.Join([]string{
		`plugconfig.yaml:5:3: core: requires plug "auth", which is not enabled in the config`,
		`plugconfig.yaml:7:3: plug "metrics": requires core >=1.5.0, but the core is v1.4.2`,
		`plugconfig.yaml:7:3: plug "metrics": conflicts with plug "legacy"; remove or disable one of them`,
		// A setting the config sets is at its key, one it lacks at settings.
		`plugconfig.yaml:10:5: plug "metrics": missing required setting "host" (string)`,
		`plugconfig.yaml:10:16: plug "metrics": setting "port" must be an int, got a string`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("problems\n%v\nwant\n%s", err, want)
	}
}

// TestCheckRefs gives each reference the type its schema declares, for the
// SDK to check the value read against, and checks its default now; a plug
// with no schema leaves its references untyped.
func TestCheckRefs(t *testing.T) {
	m := mustParse(t, `
settings:
  token: {type: string, required: true}
  port: {type: int, default: 9090}
  ratio: {type: float}
  tags: {type: list}
  extra: {type: any}
`)
	got, err := Check(Set{Plugs: []Plug{
		{Name: "api", Manifest: m, Settings: map[string]any{
			"token": setting.Ref{Env: "TOKEN"},
			"port":  setting.Ref{Env: "PORT", HasDefault: true, Default: int64(80)},
			"ratio": setting.Ref{File: "/r", HasDefault: true, Default: int64(1)},
			"tags":  setting.Ref{Env: "TAGS", HasDefault: true},
			"extra": setting.Ref{Env: "EXTRA"},
		}},
		{Name: "plain", Settings: map[string]any{"key": setting.Ref{File: "k"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]any{
		"api": {
			"token": setting.Ref{Env: "TOKEN", Type: "string"},
			"port":  setting.Ref{Env: "PORT", HasDefault: true, Default: int64(80), Type: "int"},
			"ratio": setting.Ref{File: "/r", HasDefault: true, Default: int64(1), Type: "float"},
			"tags":  setting.Ref{Env: "TAGS", HasDefault: true, Type: "list"},
			"extra": setting.Ref{Env: "EXTRA", Type: "any"},
		},
		"plain": {"key": setting.Ref{File: "k"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("settings =\n%#v\nwant\n%#v", got, want)
	}

	_, err = Check(Set{Plugs: []Plug{{Name: "api", Manifest: m, Settings: map[string]any{
		"token": setting.Ref{Env: "TOKEN", HasDefault: true, Default: int64(1)},
		"port":  setting.Ref{Env: "PORT", HasDefault: true, Default: "80"},
	}}}})
	wantErr := `plug "api": setting "port": the default of {env: PORT} must be an int, got a string` + "\n" +
		`plug "api": setting "token": the default of {env: TOKEN} must be a string, got an int`
	if err == nil || err.Error() != wantErr {
		t.Errorf("errors:\n%v\nwant:\n%s", err, wantErr)
	}
}
