package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
	"github.com/plugctl/plugctl/internal/source"
)

// whyOptions are the inputs of plugctl why.
type whyOptions struct {
	*globals
	// Module is the module path asked about.
	Module string
}

func newCmdWhy(g *globals, runF func(context.Context, *whyOptions) error) *cobra.Command {
	o := &whyOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "why MODULE",
		Short: "Show why a module is in the build and who chose its version",
		Long: `why generates the build module as build does (writing no lock) and reads its module
graph: it prints the version of MODULE the build selects, the shortest path of
requirements from the build to it — each module with the core or plug that brings it in —
and every module that requires MODULE, those that chose the selected version first. Use it
when a plug raises a module the core requires (build warns, and build.strict refuses it),
or when the compile fails in a module nobody named.`,
		Example: `  plugctl why go.uber.org/zap/exp
  plugctl why --json github.com/caddyserver/certmagic`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Module = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return whyRun(cmd.Context(), o)
		},
	}
	return withExits(cmd, fail.Config, fail.Mismatch, fail.Fetch, fail.Policy)
}

// whyResult is the --json document of why (docs/json.md).
type whyResult struct {
	envelope
	*pipeline.Why
}

func whyRun(ctx context.Context, o *whyOptions) error {
	res := &whyResult{}
	o.result = res
	if err := o.findConfig(); err != nil {
		return err
	}
	s := o.newState(pipeline.Options{File: o.file, Why: o.Module})
	defer s.Close()
	if err := pipeline.Run(ctx, s, pipeline.WhySteps); err != nil {
		return err
	}
	w := s.Why
	res.Why = w
	if o.json {
		return nil
	}
	out := o.ios.Out
	fmt.Fprintf(out, "%s %s\n", w.Module, w.Version)
	fmt.Fprintln(out, "path:")
	for _, n := range w.Path {
		fmt.Fprintf(out, "  %s\n", whyNode(n))
	}
	for i, r := range w.Requirers {
		switch {
		case i == 0 && r.Chose:
			fmt.Fprintf(out, "version %s chosen by:\n", w.Version)
		case !r.Chose && (i == 0 || w.Requirers[i-1].Chose):
			fmt.Fprintln(out, "also required by:")
		}
		fmt.Fprintf(out, "  %s requires %s\n", whyNode(r.WhyNode), r.Requires)
	}
	return nil
}

// whyNode shows a module version with the component that brings it in.
func whyNode(n pipeline.WhyNode) string {
	s := strings.TrimSpace(n.Module + " " + n.Version)
	switch {
	case n.Version == "":
		return s + " (the build)"
	case n.Component != "":
		return s + " (" + source.Label(n.Component) + ")"
	}
	return s
}
