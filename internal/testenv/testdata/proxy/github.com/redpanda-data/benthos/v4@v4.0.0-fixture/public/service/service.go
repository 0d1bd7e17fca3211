// Package service is a fixture of Benthos's public service API, for
// plugctl's tests of the benthos profile and of entries with arguments:
// RunCLI takes a context and options, as Benthos's does.
package service

import (
	"context"
	"fmt"
	"os"
	"sort"
)

// CLIOptBuilder collects what the options set.
type CLIOptBuilder struct{ binaryName string }

// CLIOptFunc sets an option of RunCLI.
type CLIOptFunc func(*CLIOptBuilder)

// CLIOptSetBinaryName sets the name the help text gives the program.
func CLIOptSetBinaryName(n string) CLIOptFunc {
	return func(b *CLIOptBuilder) { b.binaryName = n }
}

var processors = map[string]func(string) string{}

// RegisterProcessor registers a processor under a name.
func RegisterProcessor(name string, fn func(string) string) { processors[name] = fn }

// RunCLI runs the command its arguments name: list processors, or run
// NAME TEXT (the processor NAME applied to TEXT).
func RunCLI(ctx context.Context, opts ...CLIOptFunc) {
	if ctx == nil {
		panic("RunCLI: nil context")
	}
	b := &CLIOptBuilder{binaryName: "benthos"}
	for _, o := range opts {
		o(b)
	}
	args := os.Args[1:]
	switch {
	case len(args) == 2 && args[0] == "list" && args[1] == "processors":
		var names []string
		for n := range processors {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Println(n)
		}
	case len(args) == 3 && args[0] == "run":
		fn, ok := processors[args[1]]
		if !ok {
			fmt.Fprintf(os.Stderr, "%s: no processor %q\n", b.binaryName, args[1])
			os.Exit(1)
		}
		fmt.Println(fn(args[2]))
	default:
		fmt.Fprintf(os.Stderr, "usage: %s list processors | run NAME TEXT\n", b.binaryName)
		os.Exit(2)
	}
}
