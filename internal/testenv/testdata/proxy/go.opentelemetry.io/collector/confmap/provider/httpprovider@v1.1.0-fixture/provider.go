// Package httpprovider is a fixture of the collector's http provider.
package httpprovider

import "go.opentelemetry.io/collector/confmap"

// NewFactory returns the factory of the http provider.
func NewFactory() confmap.ProviderFactory { return confmap.NewProviderFactory("http") }
