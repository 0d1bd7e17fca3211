// Package component is a fixture of the OpenTelemetry Collector's
// component API, at its import path, for plugctl's tests of the otelcol
// profile. The collector keeps it in a module of its own; the fixture
// keeps the component packages in one.
package component

// Type is a component's type, the name configs use for it.
type Type struct{ name string }

// MustNewType returns the type named s.
func MustNewType(s string) Type { return Type{s} }

func (t Type) String() string { return t.name }

// Factory makes components of one type.
type Factory interface{ Type() Type }

// BuildInfo describes the collector binary.
type BuildInfo struct {
	Command     string
	Description string
	Version     string
}
