// Package fileprovider is a fixture of the collector's file provider.
package fileprovider

import "go.opentelemetry.io/collector/confmap"

// NewFactory returns the factory of the file provider.
func NewFactory() confmap.ProviderFactory { return confmap.NewProviderFactory("file") }
