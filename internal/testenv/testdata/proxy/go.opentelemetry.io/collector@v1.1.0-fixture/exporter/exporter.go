// Package exporter is a fixture of the collector's exporter API.
package exporter

import "go.opentelemetry.io/collector/component"

// Factory makes exporters: only a exporter factory has CreateExporter, so the
// generated components cannot wire a factory as another kind.
type Factory interface {
	component.Factory
	CreateExporter() string
}

type factory struct{ t component.Type }

func (f factory) Type() component.Type   { return f.t }
func (f factory) CreateExporter() string { return "exporter " + f.t.String() }

// NewFactory returns the factory of the exporter type t.
func NewFactory(t component.Type) Factory { return factory{t} }
