package scaffold

import (
	"bytes"
	"fmt"
	"go/format"
	"go/token"
	"io/fs"
	"strings"
	"text/template"

	"golang.org/x/mod/modfile"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/templates"
)

// Plug is what plugctl new plug makes a module from. Its values are checked
// by the caller: Name by source.NamePattern, Module and SDKVersion by
// golang.org/x/mod/module.
type Plug struct {
	// Name is the plug's name, as the plug config and the SDK know it.
	Name string
	// Module is the new module's path.
	Module string
	// Source is the module's directory as a plug config names it
	// (./audit), for the README's example.
	Source string
	// GoVersion is the go line of go.mod: the toolchain's language version.
	GoVersion string
	// SDKVersion is the SDK version go.mod requires.
	SDKVersion string
	// SDKReplace is a local copy of the SDK for go.mod's replace, as go.mod
	// wants it; "" for none.
	SDKReplace string
}

// Package is the Go package name of the plug: its name with '-' and '_'
// dropped, and a keyword given a suffix.
func (p Plug) Package() string {
	pkg := strings.NewReplacer("-", "", "_", "").Replace(p.Name)
	if token.IsKeyword(pkg) {
		pkg += "plug"
	}
	return pkg
}

// Description is the one-line description the scaffold starts with.
func (p Plug) Description() string {
	return "TODO: say in one line what " + p.Name + " does"
}

// DefaultMessage is the default of the example setting.
func (p Plug) DefaultMessage() string {
	return "hello from " + p.Name
}

// plugFiles maps each template of templates.NewPlug to the file it writes.
func plugFiles(p Plug) map[string]string {
	return map[string]string{
		"plug.go.tmpl":      p.Package() + ".go",
		"plug_test.go.tmpl": p.Package() + "_test.go",
		"plugin.yaml.tmpl":  "plugin.yaml",
		"README.md.tmpl":    "README.md",
	}
}

// PlugModule renders the files of a new plug module, by file name: go.mod,
// a package that registers the plug with the SDK and reads its settings, a
// test that passes, plugin.yaml and a README. Go files are gofmt'd.
func PlugModule(p Plug) (map[string][]byte, error) {
	gomod, err := plugGoMod(p)
	if err != nil {
		return nil, fmt.Errorf("writing go.mod: %w", err)
	}
	out := map[string][]byte{"go.mod": gomod}
	for tmpl, name := range plugFiles(p) {
		b, err := render(tmpl, p)
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", name, err)
		}
		out[name] = b
	}
	return out, nil
}

// plugGoMod writes the new module's go.mod with golang.org/x/mod.
func plugGoMod(p Plug) ([]byte, error) {
	f := &modfile.File{}
	if err := f.AddModuleStmt(p.Module); err != nil {
		return nil, err
	}
	if err := f.AddGoStmt(p.GoVersion); err != nil {
		return nil, err
	}
	if err := f.AddRequire(config.SDKModule, p.SDKVersion); err != nil {
		return nil, err
	}
	if p.SDKReplace != "" {
		if err := f.AddReplace(config.SDKModule, "", p.SDKReplace, ""); err != nil {
			return nil, err
		}
	}
	f.Cleanup()
	return f.Format()
}

// render executes one newplug template.
func render(name string, p Plug) ([]byte, error) {
	src, err := fs.ReadFile(templates.NewPlug, "newplug/"+name)
	if err != nil {
		return nil, err
	}
	t, err := template.New(name).Funcs(Funcs).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, p); err != nil {
		return nil, err
	}
	if strings.HasSuffix(name, ".go.tmpl") {
		return format.Source(b.Bytes())
	}
	return b.Bytes(), nil
}
