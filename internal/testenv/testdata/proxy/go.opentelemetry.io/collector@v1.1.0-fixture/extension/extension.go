// Package extension is a fixture of the collector's extension API.
package extension

import "go.opentelemetry.io/collector/component"

// Factory makes extensions: only a extension factory has CreateExtension, so the
// generated components cannot wire a factory as another kind.
type Factory interface {
	component.Factory
	CreateExtension() string
}

type factory struct{ t component.Type }

func (f factory) Type() component.Type    { return f.t }
func (f factory) CreateExtension() string { return "extension " + f.t.String() }

// NewFactory returns the factory of the extension type t.
func NewFactory(t component.Type) Factory { return factory{t} }
