// Package otelcol is a fixture of the OpenTelemetry Collector's otelcol
// package, with the API the collector builder's generated main uses, for
// plugctl's tests of the otelcol profile. Its command lists the
// components (components), says its version (--version), or checks a
// config's URI against its providers and starts (--config URI).
package otelcol

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/service/telemetry"
)

// Factories are the factories of every component of a collector.
type Factories struct {
	Receivers  map[component.Type]receiver.Factory
	Processors map[component.Type]processor.Factory
	Exporters  map[component.Type]exporter.Factory
	Extensions map[component.Type]extension.Factory
	Connectors map[component.Type]connector.Factory
	Telemetry  telemetry.Factory

	ReceiverModules  map[component.Type]string
	ProcessorModules map[component.Type]string
	ExporterModules  map[component.Type]string
	ExtensionModules map[component.Type]string
	ConnectorModules map[component.Type]string
}

// MakeFactoryMap maps each factory's type to it; two of one type are an
// error.
func MakeFactoryMap[T component.Factory](factories ...T) (map[component.Type]T, error) {
	out := map[component.Type]T{}
	for _, f := range factories {
		if _, ok := out[f.Type()]; ok {
			return nil, fmt.Errorf("duplicate component factory %q", f.Type())
		}
		out[f.Type()] = f
	}
	return out, nil
}

// ConfigProviderSettings say how a collector reads its config.
type ConfigProviderSettings struct {
	ResolverSettings confmap.ResolverSettings
}

// CollectorSettings are everything a collector is made of.
type CollectorSettings struct {
	BuildInfo              component.BuildInfo
	Factories              func() (Factories, error)
	ConfigProviderSettings ConfigProviderSettings
	ProviderModules        map[string]string
	ConverterModules       []string
}

// Command is the collector's command line.
type Command struct{ set CollectorSettings }

// NewCommand returns the collector's command line.
func NewCommand(set CollectorSettings) *Command { return &Command{set} }

// Execute runs the command the process's arguments name.
func (c *Command) Execute() error {
	args := os.Args[1:]
	f, err := c.set.Factories()
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return err
	}
	switch {
	case len(args) == 1 && args[0] == "components":
		c.components(os.Stdout, f)
	case len(args) == 1 && args[0] == "--version":
		fmt.Printf("%s version %s\n", c.set.BuildInfo.Command, c.set.BuildInfo.Version)
	case len(args) == 1 && strings.HasPrefix(args[0], "--config="):
		uri := strings.TrimPrefix(args[0], "--config=")
		scheme, _, _ := strings.Cut(uri, ":")
		for _, p := range c.set.ConfigProviderSettings.ResolverSettings.ProviderFactories {
			if p.Create(confmap.ProviderSettings{}).Scheme() == scheme {
				fmt.Printf("Starting %s (%s), telemetry %s\n", c.set.BuildInfo.Command, c.set.BuildInfo.Description, f.Telemetry.CreateTelemetry())
				fmt.Println("Everything is ready. Begin running and processing data.")
				return nil
			}
		}
		err := fmt.Errorf("cannot resolve the configuration: no provider for the scheme %q of %q", scheme, uri)
		fmt.Fprintln(os.Stderr, "Error:", err)
		return err
	default:
		err := fmt.Errorf("usage: %s components | --version | --config=URI", c.set.BuildInfo.Command)
		fmt.Fprintln(os.Stderr, "Error:", err)
		return err
	}
	return nil
}

// components writes what the real command writes, as YAML: the build
// information and every component with its module.
func (c *Command) components(w io.Writer, f Factories) {
	b := c.set.BuildInfo
	fmt.Fprintf(w, "buildinfo:\n    command: %s\n    description: %s\n    version: %s\n", b.Command, b.Description, b.Version)
	list := func(kind string, types []component.Type, modules map[component.Type]string) {
		sort.Slice(types, func(i, j int) bool { return types[i].String() < types[j].String() })
		if len(types) == 0 {
			fmt.Fprintf(w, "%s: []\n", kind)
			return
		}
		fmt.Fprintf(w, "%s:\n", kind)
		for _, t := range types {
			fmt.Fprintf(w, "    - name: %s\n      module: %s\n", t, modules[t])
		}
	}
	list("receivers", keys(f.Receivers), f.ReceiverModules)
	list("processors", keys(f.Processors), f.ProcessorModules)
	list("exporters", keys(f.Exporters), f.ExporterModules)
	list("connectors", keys(f.Connectors), f.ConnectorModules)
	list("extensions", keys(f.Extensions), f.ExtensionModules)
	var schemes []string
	for s := range c.set.ProviderModules {
		schemes = append(schemes, s)
	}
	sort.Strings(schemes)
	fmt.Fprintf(w, "providers:\n")
	for _, s := range schemes {
		fmt.Fprintf(w, "    - scheme: %s\n      module: %s\n", s, c.set.ProviderModules[s])
	}
	if len(c.set.ConverterModules) > 0 {
		fmt.Fprintf(w, "converters:\n")
		for _, m := range c.set.ConverterModules {
			fmt.Fprintf(w, "    - module: %s\n", m)
		}
	}
}

func keys[T any](m map[component.Type]T) []component.Type {
	out := make([]component.Type, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
