// Package otelconftelemetry is a fixture of the collector's default
// telemetry.
package otelconftelemetry

import "go.opentelemetry.io/collector/service/telemetry"

type factory struct{}

func (factory) CreateTelemetry() string { return "otelconf" }

// NewFactory returns the factory of the default telemetry.
func NewFactory() telemetry.Factory { return factory{} }
