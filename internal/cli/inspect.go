package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/inspect"
)

// inspectOptions are the inputs of plugctl inspect.
type inspectOptions struct {
	*globals
	// Binary is the file to inspect; it may be built for any OS and arch.
	Binary string
}

func newCmdInspect(g *globals, runF func(context.Context, *inspectOptions) error) *cobra.Command {
	o := &inspectOptions{globals: g}
	return withExits(&cobra.Command{
		Use:   "inspect BINARY",
		Short: "Show the core, plugs, versions, settings digests and modules of a built binary",
		Long: "inspect reads a binary built by plugctl — for any operating system — and shows what is in it:\n" +
			"the core and the plugs with their versions, sources and settings digests (embedded by plugctl),\n" +
			"and the Go version, target, build settings and every module with its hash (recorded by go).\n" +
			"A file that is not a plugctl binary exits 2.",
		Example: `  plugctl inspect dist/hello
  plugctl inspect --json dist/hello_windows_amd64.exe`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Binary = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return inspectRun(cmd.Context(), o)
		},
	}, fail.Config)
}

// inspectResult is the --json document of inspect (docs/json.md).
type inspectResult struct {
	envelope
	inspect.Report
}

func inspectRun(_ context.Context, o *inspectOptions) error {
	res := &inspectResult{Report: inspect.Report{Path: o.Binary, Plugs: []codegen.InfoPlug{}, Settings: []inspect.Setting{}, Modules: []inspect.Module{}}}
	o.result = res
	r, err := inspect.File(o.Binary)
	if err != nil {
		return err
	}
	res.Report = *r
	if !o.json && !o.quiet {
		fmt.Fprint(o.ios.Out, r.String())
	}
	return nil
}
