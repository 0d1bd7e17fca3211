// Package templates holds the text/template sources plugctl generates Go code
// from. They are embedded so the binary is self-contained; a core may bring
// its own main template through core.template.
package templates

import "embed"

// Main is the template of the generated main package. It is executed with a
// codegen.Data value; user values reach it only through the quote and literal
// functions, never as raw text.
//
//go:embed main.go.tmpl
var Main string

// NewPlug holds the files plugctl new plug writes into a new plug module:
// plug.go.tmpl, plug_test.go.tmpl, plugin.yaml.tmpl and README.md.tmpl. They
// are executed with the cli package's scaffold data; names and paths reach
// them only through the quote and yaml functions.
//
//go:embed newplug/*.tmpl
var NewPlug embed.FS
