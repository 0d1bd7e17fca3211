// Package cli is plugctl's command-line interface: one file per command, each
// an options struct, a constructor and a run function a test can call.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/run"
)

// Main runs plugctl with the process's arguments and streams and returns the
// exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, System(), os.Args[1:])
}

// Run executes one plugctl command line and returns its exit code.
func Run(ctx context.Context, ios *IOStreams, args []string) int {
	g := &globals{ios: ios}
	root := NewRoot(g)
	root.SetArgs(args)
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	if ctx.Err() != nil {
		err = fmt.Errorf("interrupted: %w", context.Canceled)
	}
	printError(ios, err)
	return fail.Code(err)
}

// globals are the flags every command takes.
type globals struct {
	ios     *IOStreams
	file    string
	json    bool
	quiet   bool
	verbose bool
}

func (g *globals) reporter() report.Reporter {
	if g.json && !g.verbose {
		return newProgress(g.ios, quiet)
	}
	switch {
	case g.quiet:
		return newProgress(g.ios, quiet)
	case g.verbose:
		return newProgress(g.ios, verbose)
	}
	return newProgress(g.ios, normal)
}

// printJSON writes v as indented JSON on stdout.
func (g *globals) printJSON(v any) error {
	enc := json.NewEncoder(g.ios.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// NewRoot builds the command tree.
func NewRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "plugctl",
		Short:         "Build custom binaries from a core Go program and its plugs",
		Long:          "plugctl reads a plug config naming a core Go program and the plugs to compile into it,\nresolves and pins their versions, and builds one static binary per target.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVarP(&g.file, "file", "f", "plugconfig.yaml", "the plug config")
	root.PersistentFlags().BoolVar(&g.json, "json", false, "print a machine-readable result on stdout")
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "print only errors")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "also show every go and git command")
	root.MarkFlagsMutuallyExclusive("quiet", "verbose")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return fail.Wrap(fail.Config, err) })
	root.AddCommand(
		newCmdValidate(g, nil),
		newCmdGenerate(g, nil),
		newCmdBuild(g, nil),
		newCmdVersion(g, nil),
	)
	for _, c := range root.Commands() {
		c.Args = usageArgs(c.Args)
	}
	return root
}

// usageArgs makes argument-count errors exit 2 like every other usage error.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	if check == nil {
		check = cobra.NoArgs
	}
	return func(cmd *cobra.Command, args []string) error {
		return fail.Wrap(fail.Config, check(cmd, args))
	}
}

// printError writes err to stderr, one config problem per line.
func printError(ios *IOStreams, err error) {
	var errs config.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Fprintln(ios.ErrOut, run.Redact(e.Error()))
		}
		fmt.Fprintf(ios.ErrOut, "plugctl: %d problem(s) in the config\n", len(errs))
		return
	}
	fmt.Fprintln(ios.ErrOut, "plugctl: "+run.Redact(err.Error()))
}
