// Package templates holds the text/template sources of every file plugctl
// writes from a template: the generated main package (internal/codegen), the
// core profiles (profiles/NAME: internal/profile), the starter plug config
// of plugctl init and the module of plugctl new plug (internal/scaffold).
// They are embedded so the binary is self-contained; a core may bring its
// own main template through core.template or a profile.
//
// Values reach a template only through an encoder that makes them safe where
// they land — quote, literal, ident and entry for Go source, yaml for YAML, comment
// for a comment line, code and md for Markdown — never as raw text; the
// package's test checks every template for it.
package templates

import "embed"

// Main is the built-in template of the generated main package. It is
// executed with a codegen.Data value; user values reach it only through
// the quote, literal, ident and entry functions (codegen.Funcs). The build
// description is not the template's: codegen writes it beside.
//
//go:embed main.go.tmpl
var Main string

// Starter is the template of the commented starter plug config plugctl init
// writes. It is executed by scaffold.Config.
//
//go:embed init/plugconfig.yaml.tmpl
var Starter string

// NewPlug holds the files plugctl new plug writes into a new plug module:
// plug.go.tmpl, plug_test.go.tmpl, plugin.yaml.tmpl and README.md.tmpl. They
// are executed by scaffold.PlugModule.
//
//go:embed newplug/*.tmpl
var NewPlug embed.FS

// Profiles holds the core profiles shipped with plugctl, one directory
// each under profiles/: its profile.yaml and the templates it lists
// (internal/profile reads them).
//
//go:embed profiles
var Profiles embed.FS
