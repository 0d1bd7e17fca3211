// Package debugexporter is a fixture of the collector's debug exporter.
package debugexporter

import (
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
)

// NewFactory returns the factory of the debug exporter.
func NewFactory() exporter.Factory { return exporter.NewFactory(component.MustNewType("debug")) }
