// Package receiver is a fixture of the collector's receiver API.
package receiver

import "go.opentelemetry.io/collector/component"

// Factory makes receivers: only a receiver factory has CreateReceiver, so the
// generated components cannot wire a factory as another kind.
type Factory interface {
	component.Factory
	CreateReceiver() string
}

type factory struct{ t component.Type }

func (f factory) Type() component.Type   { return f.t }
func (f factory) CreateReceiver() string { return "receiver " + f.t.String() }

// NewFactory returns the factory of the receiver type t.
func NewFactory(t component.Type) Factory { return factory{t} }
