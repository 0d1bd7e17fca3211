// Package processor is a fixture of the collector's processor API.
package processor

import "go.opentelemetry.io/collector/component"

// Factory makes processors: only a processor factory has CreateProcessor, so the
// generated components cannot wire a factory as another kind.
type Factory interface {
	component.Factory
	CreateProcessor() string
}

type factory struct{ t component.Type }

func (f factory) Type() component.Type    { return f.t }
func (f factory) CreateProcessor() string { return "processor " + f.t.String() }

// NewFactory returns the factory of the processor type t.
func NewFactory(t component.Type) Factory { return factory{t} }
