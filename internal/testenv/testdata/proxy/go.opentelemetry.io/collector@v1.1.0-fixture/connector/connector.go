// Package connector is a fixture of the collector's connector API.
package connector

import "go.opentelemetry.io/collector/component"

// Factory makes connectors: only a connector factory has CreateConnector, so the
// generated components cannot wire a factory as another kind.
type Factory interface {
	component.Factory
	CreateConnector() string
}

type factory struct{ t component.Type }

func (f factory) Type() component.Type    { return f.t }
func (f factory) CreateConnector() string { return "connector " + f.t.String() }

// NewFactory returns the factory of the connector type t.
func NewFactory(t component.Type) Factory { return factory{t} }
