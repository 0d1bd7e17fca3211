// Package confmap is a fixture of the collector's confmap API.
package confmap

// ProviderSettings are the settings of a provider.
type ProviderSettings struct{}

// Provider reads configuration from the URIs of its scheme.
type Provider interface{ Scheme() string }

// ProviderFactory makes providers.
type ProviderFactory interface {
	Create(ProviderSettings) Provider
}

// ConverterFactory makes converters.
type ConverterFactory interface{ CreateConverter() string }

// ResolverSettings are the providers and converters of a collector.
type ResolverSettings struct {
	ProviderFactories  []ProviderFactory
	ConverterFactories []ConverterFactory
	DefaultScheme      string
}

type scheme string

func (s scheme) Scheme() string { return string(s) }

type providerFactory string

func (f providerFactory) Create(ProviderSettings) Provider { return scheme(f) }

// NewProviderFactory returns the factory of the providers of scheme.
func NewProviderFactory(s string) ProviderFactory { return providerFactory(s) }
