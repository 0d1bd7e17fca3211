package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/testenv"
)

const full = `description: Exposes metrics
requires:
  core: ">=1.4.0"
  plugins:
    auth: "^1.2"
    store:
conflicts: [legacy, another]
settings:
  listen:
    type: string
    required: true
    description: Address to serve on
  sample_rate: {type: float, default: 0.5}
  labels: {type: map, default: {env: prod, n: 3}}
  hosts: {type: list, default: [a, "b"]}
  verbose: {type: bool, default: false}
  anything: {}
`

func TestParse(t *testing.T) {
	m, err := Parse("plugin.yaml", []byte(full))
	if err != nil {
		t.Fatal(err)
	}
	if m.Description != "Exposes metrics" {
		t.Errorf("description %q", m.Description)
	}
	if rc := m.Requires.Core; rc == nil || rc.Text != ">=1.4.0" || rc.Pos != (diag.Pos{Line: 3, Col: 9}) {
		t.Errorf("requires.core = %+v", rc)
	}
	var reqs []string
	for _, r := range m.Requires.Plugins {
		v := "*"
		if r.Version != nil {
			v = r.Version.Text
		}
		reqs = append(reqs, r.Name+" "+v)
	}
	if got := strings.Join(reqs, ", "); got != "auth ^1.2, store *" {
		t.Errorf("requires.plugins = %s", got)
	}
	if len(m.Conflicts) != 2 || m.Conflicts[0].Name != "another" || m.Conflicts[1].Name != "legacy" {
		t.Errorf("conflicts = %+v", m.Conflicts)
	}
	want := map[string]Setting{
		"listen":      {Type: TypeString, Required: true, Description: "Address to serve on", Pos: diag.Pos{Line: 9, Col: 3}},
		"sample_rate": {Type: TypeFloat, Default: 0.5, HasDefault: true, Pos: diag.Pos{Line: 13, Col: 3}},
		"labels":      {Type: TypeMap, Default: map[string]any{"env": "prod", "n": int64(3)}, HasDefault: true, Pos: diag.Pos{Line: 14, Col: 3}},
		"hosts":       {Type: TypeList, Default: []any{"a", "b"}, HasDefault: true, Pos: diag.Pos{Line: 15, Col: 3}},
		"verbose":     {Type: TypeBool, Default: false, HasDefault: true, Pos: diag.Pos{Line: 16, Col: 3}},
		"anything":    {Type: TypeAny, Pos: diag.Pos{Line: 17, Col: 3}},
	}
	if !reflect.DeepEqual(m.Settings, want) {
		t.Errorf("settings =\n%#v\nwant\n%#v", m.Settings, want)
	}

	gen, err := Parse("plugin.yaml", []byte("generate:\n  - [go, run, ./gen]\n  - [\"sh\", \"-c\", \"echo $HOME; x\", \"\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := Commands(gen.Generate); !reflect.DeepEqual(got, [][]string{{"go", "run", "./gen"}, {"sh", "-c", "echo $HOME; x", ""}}) || gen.Generate[1].Pos != (diag.Pos{Line: 3, Col: 5}) {
		t.Errorf("generate = %q at %v", got, gen.Generate[1].Pos)
	}

	list, err := Parse("plugin.yaml", []byte("requires: {plugins: [b, a]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if ps := list.Requires.Plugins; len(ps) != 2 || ps[0].Name != "a" || ps[0].Version != nil || ps[1].Name != "b" {
		t.Errorf("list requires.plugins = %+v", ps)
	}
	for _, empty := range []string{"", "# nothing\n", "---\n", "settings:\n"} {
		m, err := Parse("plugin.yaml", []byte(empty))
		if err != nil {
			t.Errorf("Parse(%q): %v", empty, err)
			continue
		}
		if empty == "settings:\n" && (m.Settings == nil || len(m.Settings) != 0) {
			t.Errorf("settings: with no value = %#v, want an empty schema", m.Settings)
		}
		if empty != "settings:\n" && m.Settings != nil {
			t.Errorf("Parse(%q).Settings = %#v, want nil", empty, m.Settings)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"unknown top-level key", "descripton: x\n",
			`plugin.yaml:1:1: unknown key "descripton", did you mean "description"? (valid: description, requires, conflicts, settings, core, generate)`},
		{"core section key", "core:\n  modules: [a.b/c]\n",
			`plugin.yaml:2:3: unknown key "modules" in core (valid keys: defaults, description, embed, entry, imports, kinds, ldflags, main, order, tags, templates)`},
		{"core section entry", "core:\n  entry: os.Exit(1)\n",
			`plugin.yaml:2:10: "os.Exit" is not an exported function of core.main (a call names one, like Run)`},
		{"unknown requires key", "requires:\n  go: \">=1.22\"\n",
			`plugin.yaml:2:3: unknown key "go" in requires (valid: core, plugins)`},
		{"unknown setting field", "settings:\n  port: {type: int, min: 1}\n",
			`plugin.yaml:2:21: unknown key "min" in settings.port (valid: type, required, default, description)`},
		{"duplicate key", "description: a\ndescription: b\n",
			`plugin.yaml:2:1: duplicate key "description" (first at 1:1)`},
		{"core constraint as a number", "requires:\n  core: 1.5\n",
			`plugin.yaml:2:9: requires.core must be a string, got 1.5 (quote it: "1.5")`},
		{"bad core constraint", "requires:\n  core: \"newest\"\n",
			`plugin.yaml:2:9: requires.core: invalid version constraint "newest" (valid: a semver constraint like >=1.4.0, ^1.2 or ~1.2.3)`},
		{"bad plug constraint", "requires:\n  plugins: {auth: \"> >\"}\n",
			`plugin.yaml:2:19: requires.plugins.auth: invalid version constraint "> >" (valid: a semver constraint like >=1.4.0, ^1.2 or ~1.2.3)`},
		{"bad plug name", "requires:\n  plugins: [Auth]\n",
			`plugin.yaml:2:13: requires.plugins: invalid plug name "Auth" (valid: ^[a-z][a-z0-9_-]{0,62}$)`},
		{"plugins as a string", "requires:\n  plugins: auth\n",
			`plugin.yaml:2:12: requires.plugins must be a mapping of plug name to version constraint, or a list of plug names, got "auth"`},
		{"conflicts as a mapping", "conflicts: {a: b}\n",
			`plugin.yaml:1:12: conflicts must be a list of plug names, got a mapping`},
		{"conflict listed twice", "conflicts: [a, a]\n",
			`plugin.yaml:1:16: conflicts: "a" is listed twice`},
		{"unknown type", "settings:\n  port: {type: integer}\n",
			`plugin.yaml:2:16: settings.port: unknown type "integer" (valid: string, bool, int, float, list, map, any)`},
		{"default of the wrong type", "settings:\n  port: {type: int, default: \"9090\"}\n",
			`plugin.yaml:2:30: settings.port: default "9090" is not an int`},
		{"float default for an int", "settings:\n  port: {type: int, default: 1.5}\n",
			`plugin.yaml:2:30: settings.port: default 1.5 is not an int`},
		{"required with a default", "settings:\n  port: {type: int, required: true, default: 1}\n",
			`plugin.yaml:2:46: settings.port: a required setting cannot have a default (drop one of them)`},
		{"required not a bool", "settings:\n  port: {required: yes}\n",
			`plugin.yaml:2:20: settings.port.required must be true or false, got "yes"`},
		{"settings as a list", "settings: [a]\n",
			`plugin.yaml:1:11: settings must be a mapping of setting name to its schema, got a list`},
		{"description not a string", "description: [a]\n",
			`plugin.yaml:1:14: description must be a string, got a list`},
		{"top level a list", "- a\n",
			`plugin.yaml:1:1: a manifest must be a mapping, got a list`},
		{"anchor", "description: &d x\nconflicts: [*d]\n",
			"plugin.yaml:1:14: anchors and aliases are not supported in a manifest\nplugin.yaml:2:13: anchors and aliases are not supported in a manifest"},
		{"tag", "description: !!str x\n",
			`plugin.yaml:1:14: tags (!!str) are not supported in a manifest`},
		{"two documents", "description: a\n---\ndescription: b\n",
			`plugin.yaml:3:1: more than one YAML document: a manifest is a single mapping, without a second ---`},
		{"syntax error", "description: [a\n",
			`plugin.yaml:1:14: invalid YAML: sequence end token ']' not found`},
		{"NUL", "description: \x00\n",
			`plugin.yaml:1:14: NUL byte: a manifest must be text (write "\0" inside double quotes for a NUL character)`},
		{"integer overflow", "settings:\n  n: {type: int, default: 99999999999999999999}\n",
			`plugin.yaml:2:27: integer 99999999999999999999 does not fit in int64`},
		{"too large", "description: \"" + strings.Repeat("x", MaxFileSize) + "\"\n",
			`plugin.yaml:1:1: file is larger than 1048576 bytes (1 MiB)`},
		{"generate not a list", "generate: go run ./gen\n",
			`plugin.yaml:1:11: generate must be a list of commands, each a list of arguments like [go, run, ./gen] (no shell), got "go run ./gen"`},
		{"generate command a string", "generate: [\"go run ./gen\"]\n",
			`plugin.yaml:1:12: generate[0]: generate must be a list of commands, each a list of arguments like [go, run, ./gen] (no shell), got "go run ./gen"`},
		{"generate empty command", "generate: [[]]\n",
			`plugin.yaml:1:12: generate[0]: an empty command (valid: a program and its arguments, like [go, run, ./gen])`},
		{"generate empty program", "generate: [[\"\", x]]\n",
			`plugin.yaml:1:13: generate[0]: the program must not be empty`},
		{"generate number argument", "generate: [[go, run, 1.10]]\n",
			`plugin.yaml:1:22: generate[0][2] must be a string, got 1.10 (quote it)`},
		{"every problem at once", "descripton: x\nrequires:\n  core: 2\nconflicts: [Bad]\n",
			"plugin.yaml:1:1: unknown key \"descripton\", did you mean \"description\"? (valid: description, requires, conflicts, settings, core, generate)\n" +
				"plugin.yaml:3:9: requires.core must be a string, got 2 (quote it: \"2\")\n" +
				"plugin.yaml:4:13: conflicts: invalid plug name \"Bad\" (valid: ^[a-z][a-z0-9_-]{0,62}$)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("plugin.yaml", []byte(tt.in))
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("error\n%s\nwant\n%s", err, tt.want)
			}
			if fail.Code(err) != 2 {
				t.Errorf("exit code %d, want 2", fail.Code(err))
			}
			var es diag.List
			if !errors.As(err, &es) || len(es) == 0 {
				t.Errorf("error is not diag.List")
			}
		})
	}
}

// TestExamples keeps the manifests of the bundled example plugs valid.
// TestCoreSection: a core's manifest says how it is built, its templates
// beside it.
func TestCoreSection(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go.tmpl"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Parse(filepath.Join(dir, FileName), []byte("core:\n  main: example.com/core/cmd\n  entry: Run(context.Background())\n  tags: [netgo]\n  templates: [main.go.tmpl]\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := m.Core
	if c == nil || c.Main != "example.com/core/cmd" || c.Call.String() != "Run(context.Background())" || len(c.Tags) != 1 || len(c.Templates) != 1 || c.Templates[0].Text != "package main\n" {
		t.Errorf("Core = %+v", c)
	}
	if !c.Has("tags") || c.Has("ldflags") {
		t.Errorf("Has: tags %v, ldflags %v", c.Has("tags"), c.Has("ldflags"))
	}
}

func TestExamples(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(testenv.RepoRoot(t), "examples", "plugins", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no example plugs: %v", err)
	}
	for _, dir := range dirs {
		m, err := Load(dir)
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		if m == nil || m.Description == "" || len(m.Settings) == 0 {
			t.Errorf("%s: manifest %+v lacks a description or settings", dir, m)
		}
	}
	if m, err := Load(t.TempDir()); m != nil || err != nil {
		t.Errorf("Load of a directory without a manifest = %v, %v; want nil, nil", m, err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("bogus: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(dir)
	want := filepath.Join(dir, FileName) + `:1:1: unknown key "bogus" (valid: description, requires, conflicts, settings, core, generate)`
	if err == nil || err.Error() != want {
		t.Errorf("Load error = %v, want %s", err, want)
	}
}
