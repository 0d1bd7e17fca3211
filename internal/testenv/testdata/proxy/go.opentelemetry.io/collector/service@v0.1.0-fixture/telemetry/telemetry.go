// Package telemetry is a fixture of the collector's telemetry API.
package telemetry

// Factory makes the collector's own telemetry.
type Factory interface{ CreateTelemetry() string }
