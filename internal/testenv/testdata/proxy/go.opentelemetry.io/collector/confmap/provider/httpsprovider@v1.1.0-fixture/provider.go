// Package httpsprovider is a fixture of the collector's https provider.
package httpsprovider

import "go.opentelemetry.io/collector/confmap"

// NewFactory returns the factory of the https provider.
func NewFactory() confmap.ProviderFactory { return confmap.NewProviderFactory("https") }
