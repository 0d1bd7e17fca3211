// Package envprovider is a fixture of the collector's env provider.
package envprovider

import "go.opentelemetry.io/collector/confmap"

// NewFactory returns the factory of the env provider.
func NewFactory() confmap.ProviderFactory { return confmap.NewProviderFactory("env") }
