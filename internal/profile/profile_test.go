package profile

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/mod/modfile"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/entry"
)

// TestShipped reads every profile shipped with plugctl and renders its
// templates with a build of every kind it wires: each file is Go of
// package main.
func TestShipped(t *testing.T) {
	ps, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	if got := Names(); !slices.Equal(got, []string{"benthos", "caddy", "coredns", "otelcol"}) {
		t.Errorf("Names() = %q", got)
	}
	var parsed []string
	for _, p := range ps {
		parsed = append(parsed, p.Name)
	}
	if !slices.Equal(parsed, Names()) {
		t.Errorf("the shipped profiles parsed are %q, Names() %q", parsed, Names())
	}
	for _, p := range ps {
		t.Run(p.Name, func(t *testing.T) {
			if ForModule(p.Modules[0]) != p || ByName(p.Name) != p {
				t.Errorf("not chosen for its module %s or its name", p.Modules[0])
			}
			if p.Example == nil || p.Example.Version == "" {
				t.Errorf("no example for plugctl init --core %s", p.Name)
			}
			d := codegen.Data{Name: "acme", Version: "1.2.3", Description: "Acme \"x\"", Core: codegen.Core{Main: p.Main, Entry: "Run", Call: p.Call}, Order: []string{"a", "b"}}
			if d.Core.Main == "" {
				d.Core.Main = p.Modules[0]
			}
			for i, k := range p.Kinds {
				d.Plugs = append(d.Plugs, codegen.Plug{Name: "p" + k.Name, Kind: k.Name, Module: "example.com/" + k.Name, Version: "v1.0.0", Import: "example.com/" + k.Name, Alias: "plug_p" + k.Name, Position: i})
			}
			files, err := codegen.Package(d, p.Templates)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if codegen.IsVersionResource(f.Name) {
					continue // an object, not Go
				}
				pf, err := parser.ParseFile(token.NewFileSet(), f.Name, f.Data, parser.PackageClauseOnly)
				if err != nil || pf.Name.Name != "main" {
					t.Errorf("%s: not Go of package main: %v\n%s", f.Name, err, f.Data)
				}
			}
		})
	}
}

func TestParseProblems(t *testing.T) {
	fsys := fstest.MapFS{"main.go.tmpl": {Data: []byte("package main")}, "dir.go.tmpl/x": {Data: []byte("x")}}
	for _, tt := range []struct{ name, yaml, want string }{
		{"unknown key", "mian: x\n", `p.yaml:1:1: unknown key "mian" in a profile, did you mean "main"?`},
		{"duplicate", "main: a.b/c\nmain: a.b/d\n", `p.yaml:2:1: duplicate key "main" in a profile (first at 1:1)`},
		{"bad main", "main: 'a b'\n", `p.yaml:1:7: main: invalid import path "a b"`},
		{"bad entry", "entry: os.Exit(1)\n", `p.yaml:1:8: "os.Exit" is not an exported function of core.main`},
		{"bad tag", "tags: [a-b]\n", `p.yaml:1:8: tags[0]: invalid build tag "a-b"`},
		{"bad ldflag", "ldflags: [-o x]\n", `p.yaml:1:11: ldflags[0]:`},
		{"template name", "templates: [Main.go.tmpl]\n", `invalid template name "Main.go.tmpl"`},
		{"template missing", "templates: [other.go.tmpl]\n", `p.yaml:1:13: templates[0]: reading template other.go.tmpl`},
		{"template info", "templates: [plugctl_info.go.tmpl]\n", "plugctl_info.go is the file plugctl writes itself"},
		{"template dir", "templates: [dir.go.tmpl]\n", "is not a regular file"},
		{"templates empty", "templates: []\n", "templates must list at least one template"},
		{"kind name", "kinds: {Bad: null}\n", `p.yaml:1:9: kinds: invalid kind name "Bad"`},
		{"kind max", "kinds: {a: {max: 0}}\n", "kinds.a.max must be an integer from 1 to 1000, got 0"},
		{"default kind", "kinds: {a: null}\ndefaults: [{kind: b, module: a.b/c, version-of: a.b/d}]\n", `p.yaml:2:12: defaults: kind "b" is not one of the profile's kinds (a)`},
		{"default missing", "kinds: {a: null}\ndefaults: [{kind: a}]\n", `defaults[0]: missing required key "module"`},
		{"default import", "kinds: {a: null}\ndefaults: [{kind: a, module: a.b/c, import: a.b/d, version-of: a.b/c}]\n", `import "a.b/d" is not in module "a.b/c"`},
		{"order", "order: {file: ../x.go, var: X}\n", `order.file "../x.go" is not a .go file of the core module`},
		{"order var", "order: {file: x.go, var: 1x}\n", `order.var "1x" is not a Go identifier`},
		{"order half", "order: {file: x.go}\n", "order needs both file and var"},
		{"modules", "modules: [Not_A_Module]\n", "modules[0]: invalid module path"},
		{"anchors", "a: &x 1\n", "anchors"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("p.yaml", "p", []byte(tt.yaml), fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse = %v, want %q", err, tt.want)
			}
		})
	}
}

// core writes a core module into a temporary directory: its go.mod, a
// package cmd with Main and Run(ctx), and an ordered list.
func core(t *testing.T) (string, *modfile.File) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gomod := "module example.com/core\n\ngo 1.26\n\nrequire example.com/companion v1.7.0\n"
	write("go.mod", gomod)
	write("core.go", "package core\n\nfunc Main() {}\n")
	write("cmd/cmd.go", "package cmd\n\nimport \"context\"\n\nfunc Main() {}\n\nfunc Run(ctx context.Context, args ...string) {}\n")
	write("order/z.go", "package order\n\nvar List = []string{\"root\", \"log\", \"cache\", \"forward\"}\n")
	f, err := modfile.Parse("go.mod", []byte(gomod), nil)
	if err != nil {
		t.Fatal(err)
	}
	return dir, f
}

func spec(t *testing.T, yaml string) *Spec {
	t.Helper()
	fsys := fstest.MapFS{"main.go.tmpl": {Data: []byte("package main\n")}}
	s, err := Parse("prof.yaml", "prof", []byte(yaml), fsys)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDecideLayers(t *testing.T) {
	dir, gomod := core(t)
	prof := spec(t, "main: example.com/core/cmd\nentry: Run(context.Background())\nimports: [example.com/core/std]\ntags: [a]\nldflags: [-s]\n")
	man := spec(t, "tags: [b]\n")
	in := func(u User, man *Spec) Input {
		u.File = "plugconfig.yaml"
		return Input{User: u, Manifest: man, Module: "example.com/core", Version: "v1.0.0", Root: dir, GoMod: gomod}
	}
	// The profile file stands for a shipped profile: Decide takes it by
	// path; the test calls the layering directly.
	for _, tt := range []struct {
		name       string
		u          User
		man        *Spec
		main, call string
		tags       []string
		ldflags    []string
		imports    []string
		from       string
	}{
		{name: "profile", main: "example.com/core/cmd", call: "Run(context.Background())", tags: []string{"a"}, ldflags: []string{"-s"}, imports: []string{"example.com/core/std"}, from: "profile prof"},
		{name: "manifest over profile", man: man, main: "example.com/core/cmd", call: "Run(context.Background())", tags: []string{"b"}, ldflags: []string{"-s"}, imports: []string{"example.com/core/std"}, from: "the core's plugin.yaml"},
		{name: "config over all", man: man, u: User{Main: "example.com/core/cmd", Entry: "Main", Tags: []string{}, Ldflags: []string{"-w"}, Imports: []string{"example.com/x"}},
			main: "example.com/core/cmd", call: "Run(context.Background())", tags: []string{}, ldflags: []string{"-w"}, imports: []string{"example.com/x"}, from: "the config"},
		{name: "config entry", u: User{Entry: "Main()"}, main: "example.com/core/cmd", call: "Main()", tags: []string{"a"}, ldflags: []string{"-s"}, imports: []string{"example.com/core/std"}, from: "the config"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := &Build{Main: "example.com/core", CallsEntry: true, from: map[string]string{}}
			b.Call, _ = entry.Parse("Main")
			b.Profile = "prof"
			b.apply(prof, "profile prof")
			if tt.man != nil {
				b.apply(tt.man, "the core's plugin.yaml")
			}
			u := tt.u
			b.applyUser(&u, "example.com/core")
			if b.Main != tt.main || b.Call.String() != tt.call || !slices.Equal(b.Tags, tt.tags) || (b.Tags == nil) != (tt.tags == nil) || !slices.Equal(b.Ldflags, tt.ldflags) || !slices.Equal(b.Imports, tt.imports) {
				t.Errorf("got main %s, call %s, tags %q, ldflags %q, imports %q", b.Main, b.Call, b.Tags, b.Ldflags, b.Imports)
			}
			if probs := b.checkEntry(in(u, tt.man)); len(probs) > 0 {
				t.Errorf("checkEntry: %v", probs)
			}
			if got := b.From("tags"); !strings.Contains(tt.from+"|profile prof|the core's plugin.yaml", got) {
				t.Errorf("From(tags) = %q", got)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	dir, gomod := core(t)
	profDir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(profDir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.go.tmpl", "package main\n")
	write("kinds.yaml", `templates: [main.go.tmpl]
kinds: {receiver: {suffix: receiver}, exporter: {suffix: exporter}, telemetry: {max: 1}}
defaults:
  - {kind: exporter, module: example.com/stdexporter, version-of: example.com/companion}
  - {kind: telemetry, module: example.com/core, import: example.com/core/telemetry, version-of: example.com/core}
`)
	write("order.yaml", "main: example.com/core/cmd\nentry: Main\norder: {file: order/z.go, var: List}\n")
	write("badorder.yaml", "order: {file: order/none.go, var: List}\n")
	write("badentry.yaml", "main: example.com/core/cmd\nentry: Run(1)\n")
	write("nomain.yaml", "main: example.com/core/none\n")
	write("nodefault.yaml", "kinds: {a: null}\ndefaults: [{kind: a, module: example.com/a, version-of: example.com/absent}]\n")
	run := func(profile string, plugs ...Plug) (*Build, error) {
		return Decide(Input{
			User:   User{File: "plugconfig.yaml", Dir: profDir, Profile: profile, Pos: map[string]diag.Pos{"": {Line: 3, Col: 1}, "entry": {Line: 6, Col: 3}}},
			Module: "example.com/core", Version: "v1.0.0", Root: dir, GoMod: gomod, Plugs: plugs,
		})
	}
	p := func(name, imp string, more ...string) Plug {
		pl := Plug{Name: name, Module: imp, Import: imp, Version: "v0.1.0", Pos: diag.Pos{Line: 10, Col: 5}, KindPos: diag.Pos{Line: 11, Col: 11}, PositionPos: diag.Pos{Line: 12, Col: 15}}
		for i := 0; i+1 < len(more); i += 2 {
			switch more[i] {
			case "kind":
				pl.Kind = more[i+1]
			case "before":
				pl.Before = more[i+1]
			case "after":
				pl.After = more[i+1]
			}
		}
		return pl
	}

	t.Run("kinds and defaults", func(t *testing.T) {
		b, err := run("./kinds.yaml", p("otlp", "example.com/otlpreceiver"), p("t", "example.com/t", "kind", "telemetry"))
		if err != nil {
			t.Fatal(err)
		}
		if b.Kind["otlp"] != "receiver" || b.Kind["t"] != "telemetry" {
			t.Errorf("Kind = %v", b.Kind)
		}
		want := []Component{{Kind: "exporter", Module: "example.com/stdexporter", Version: "v1.7.0", Import: "example.com/stdexporter"}}
		if !slices.Equal(b.Defaults, want) {
			t.Errorf("Defaults = %v, want %v", b.Defaults, want)
		}
		if b.CallsEntry {
			t.Error("a profile's own templates call no entry")
		}
		b, err = run("./kinds.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Defaults) != 2 || b.Defaults[1].Version != "v1.0.0" {
			t.Errorf("Defaults = %v, want the exporter and the telemetry at the core's version", b.Defaults)
		}
	})
	t.Run("order", func(t *testing.T) {
		b, err := run("./order.yaml", p("b", "example.com/b", "after", "a"), p("a", "example.com/a", "before", "forward"), p("c", "example.com/c", "before", "forward"), p("z", "example.com/z", "after", "root"))
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"root", "z", "log", "cache", "a", "b", "c", "forward"}; !slices.Equal(b.Order, want) {
			t.Errorf("Order = %q, want %q", b.Order, want)
		}
	})
	for _, tt := range []struct {
		name    string
		profile string
		plugs   []Plug
		want    []string
	}{
		{"no kind", "./kinds.yaml", []Plug{p("x", "example.com/x")}, []string{`plugconfig.yaml:10:5: plug "x": the core (profile ./kinds.yaml) wires each plug as one of receiver, exporter, telemetry; say which this one is with kind:`}},
		{"unknown kind", "./kinds.yaml", []Plug{p("x", "example.com/x", "kind", "recevier")}, []string{`plugconfig.yaml:11:11: plug "x": unknown kind "recevier" (valid for the core (profile ./kinds.yaml): receiver, exporter, telemetry)`}},
		{"too many", "./kinds.yaml", []Plug{p("t1", "example.com/t1", "kind", "telemetry"), p("t2", "example.com/t2", "kind", "telemetry")}, []string{"plugconfig.yaml:3:1: core: the core (profile ./kinds.yaml) takes at most 1 plug of kind telemetry, the config has 2 (t1, t2)"}},
		{"kind without kinds", "none", []Plug{p("x", "example.com/x", "kind", "receiver")}, []string{`plugconfig.yaml:11:11: plug "x": kind "receiver": the core wires no kinds of plug: leave kind out`}},
		{"position without order", "none", []Plug{p("x", "example.com/x", "before", "forward")}, []string{`plugconfig.yaml:12:15: plug "x": position: the core keeps no order of its plugins: leave position out`}},
		{"no position", "./order.yaml", []Plug{p("x", "example.com/x")}, []string{`plugconfig.yaml:10:5: plug "x": the core (profile ./order.yaml) runs its plugins in order, and a plug out of order never runs: say where this one goes with position: {before: NAME} or {after: NAME}, NAME one of the core's (root, log, cache, forward) or another plug`}},
		{"anchor missing", "./order.yaml", []Plug{p("x", "example.com/x", "before", "forwrad")}, []string{`plugconfig.yaml:12:15: plug "x": position: "forwrad" is not one of the plugins in the order of the core (profile ./order.yaml) at v1.0.0 (root, log, cache, forward), nor a plug; did you mean "forward"?`}},
		{"name taken", "./order.yaml", []Plug{p("cache", "example.com/x", "before", "forward")}, []string{`plug "cache": the core (profile ./order.yaml) already has a plugin named "cache" in its order`}},
		{"self", "./order.yaml", []Plug{p("x", "example.com/x", "before", "x")}, []string{"position: a plug cannot be placed relative to itself"}},
		{"cycle", "./order.yaml", []Plug{p("x", "example.com/x", "before", "y"), p("y", "example.com/y", "after", "x")}, []string{`plug "x": position: "x" is placed relative to "y"`, `plug "y": position: "y" is placed relative to "x"`}},
		{"order file missing", "./badorder.yaml", nil, []string{"plugconfig.yaml:3:1: core: the core (profile ./badorder.yaml) keeps the order of its plugins in order/none.go, var List, and the core at hand does not: reading order/none.go"}},
		{"entry arguments", "./badentry.yaml", nil, []string{"plugconfig.yaml:3:1: core: entry Run(1) (from profile ./badentry.yaml): example.com/core@v1.0.0/cmd/cmd.go:7:6: argument 1 of Run(ctx context.Context, args ...string) is an integer; the parameter is context.Context"}},
		{"main missing", "./nomain.yaml", nil, []string{"plugconfig.yaml:3:1: core: main: package example.com/core/none does not exist (no directory example.com/core@v1.0.0/none)"}},
		{"default without version", "./nodefault.yaml", nil, []string{"builds in example.com/a as its default a at the version it requires of example.com/absent, and its go.mod requires none"}},
		{"unknown profile", "cady", nil, []string{`plugconfig.yaml:3:1: core: unknown profile "cady" (valid: benthos, caddy, coredns, otelcol, none, or the path of a profile file)`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := run(tt.profile, tt.plugs...)
			if err == nil {
				t.Fatalf("Decide: no error, want %q", tt.want)
			}
			got := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Decide:\n%s\nwant a problem containing\n%s", got, w)
				}
			}
		})
	}
	t.Run("a named profile over the core's plugin.yaml", func(t *testing.T) {
		man := spec(t, "tags: [m]\nldflags: [-w]\n")
		write("named.yaml", "tags: [p]\n")
		for _, tt := range []struct{ profile, tags, ldflags string }{{"./named.yaml", "p", "-w"}, {"", "m", "-w"}, {"none", "", ""}} {
			b, err := Decide(Input{User: User{File: "plugconfig.yaml", Dir: profDir, Profile: tt.profile}, Manifest: man,
				Module: "example.com/core", Version: "v1.0.0", Root: dir, GoMod: gomod})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(b.Tags, ",") != tt.tags || strings.Join(b.Ldflags, ",") != tt.ldflags || b.Manifest != (tt.profile != "none") {
				t.Errorf("profile %q: tags %q, ldflags %q, manifest %v", tt.profile, b.Tags, b.Ldflags, b.Manifest)
			}
		}
	})
	t.Run("plain core by module", func(t *testing.T) {
		b, err := run("")
		if err != nil {
			t.Fatal(err)
		}
		if b.Profile != "" || b.Main != "example.com/core" || b.Call.String() != "Main" || b.Templates != nil || !b.CallsEntry {
			t.Errorf("plain build: %+v", b)
		}
	})
	t.Run("entry of the config checked", func(t *testing.T) {
		_, err := Decide(Input{
			User:   User{File: "plugconfig.yaml", Main: "example.com/core/cmd", Entry: "Run()", Pos: map[string]diag.Pos{"": {Line: 3, Col: 1}, "entry": {Line: 6, Col: 3}}},
			Module: "example.com/core", Version: "v1.0.0", Root: dir, GoMod: gomod,
		})
		if err == nil || !strings.Contains(err.Error(), "plugconfig.yaml:6:3: core: entry Run(): example.com/core@v1.0.0/cmd/cmd.go:7:6: Run(ctx context.Context, args ...string) takes at least 1 argument, the entry gives 0") {
			t.Errorf("Decide = %v", err)
		}
	})
}
