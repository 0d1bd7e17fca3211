// Package otlpreceiver is a fixture of the collector's otlp receiver.
package otlpreceiver

import (
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/receiver"
)

// NewFactory returns the factory of the otlp receiver.
func NewFactory() receiver.Factory { return receiver.NewFactory(component.MustNewType("otlp")) }
