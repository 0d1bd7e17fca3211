// Package svc has the shapes of entry functions the tests call.
package svc

import (
	ctxpkg "context"
	"fmt"
)

// Opt configures Run.
type Opt func(*options)

type options struct{ name string }

// Name is a string type.
type Name string

// Runner is an interface with methods.
type Runner interface{ Run() }

// Main takes nothing.
func Main() {}

// Run takes a context and options.
func Run(ctx ctxpkg.Context, opts ...Opt) {}

// WithName is an option.
func WithName(n string) Opt { return nil }

// WithNamed takes a named string type.
func WithNamed(n Name) Opt { return nil }

// WithCount takes an unsigned count.
func WithCount(n uint) Opt { return nil }

// Pair returns two values.
func Pair() (int, error) { return 0, nil }

// Label returns a string.
func Label() string { return "" }

// Takes takes a string, an int, a bool, anything and a runner.
func Takes(s string, i int, b bool, a any, r Runner) {}

// Generic is generic.
func Generic[T any](v T) {}

// Foreign takes a type of another package.
func Foreign(s fmt.Stringer) {}

type runner struct{}

func (*runner) Run() {}

// NewRunner returns a Runner.
func NewRunner() *runner { return nil }

// Any returns anything.
func Any() any { return nil }
