// Package yamlprovider is a fixture of the collector's yaml provider.
package yamlprovider

import "go.opentelemetry.io/collector/confmap"

// NewFactory returns the factory of the yaml provider.
func NewFactory() confmap.ProviderFactory { return confmap.NewProviderFactory("yaml") }
