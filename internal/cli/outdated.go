package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
)

// outdatedOptions are the inputs of plugctl outdated.
type outdatedOptions struct {
	*globals
}

func newCmdOutdated(g *globals, runF func(context.Context, *outdatedOptions) error) *cobra.Command {
	o := &outdatedOptions{globals: g}
	return withExits(&cobra.Command{
		Use:   "outdated",
		Short: "Show newer versions of the core and plugs, inside and outside their constraints",
		Long: "outdated lists, for the core and every enabled plug, the version in plugconfig.lock, the\n" +
			"newest version its constraint allows (what plugctl lock --upgrade NAME would pick) and the\n" +
			"newest version overall. It changes nothing.",
		Example: `  plugctl outdated
  plugctl outdated --json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return outdatedRun(cmd.Context(), o)
		},
	}, fail.Config, fail.Mismatch, fail.Fetch)
}

// outdatedResult is the --json document of outdated (docs/json.md).
type outdatedResult struct {
	envelope
	// Plugs are the core, then the enabled plugs in config order.
	Plugs []pipeline.Available `json:"plugs"`
}

func outdatedRun(ctx context.Context, o *outdatedOptions) error {
	res := &outdatedResult{Plugs: []pipeline.Available{}}
	o.result = res
	if err := o.findConfig(); err != nil {
		return err
	}
	s := pipeline.New(o.reporter(), pipeline.Options{File: o.file})
	defer s.Close()
	if err := pipeline.Run(ctx, s, pipeline.OutdatedSteps); err != nil {
		return err
	}
	avail := s.Available
	res.Plugs = avail
	if o.json {
		return nil
	}
	tw := tabwriter.NewWriter(o.ios.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tREQUESTED\tLOCKED\tIN CONSTRAINT\tNEWEST")
	for _, a := range avail {
		mark := ""
		if a.Upgradable {
			mark = "  (lock --upgrade " + a.Name + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s%s\n", a.Name, a.Kind, dash(a.Requested), dash(a.Locked), dash(a.InConstraint), dash(a.Newest), mark)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
