// Package envprovider is a fixture of the collector's env provider, at a
// version newer than the one the fixture core requires of confmap: the
// profile builds in the one of the core's confmap, not the newest.
package envprovider

import "go.opentelemetry.io/collector/confmap"

// NewFactory returns the factory of the env provider.
func NewFactory() confmap.ProviderFactory { return confmap.NewProviderFactory("env") }
