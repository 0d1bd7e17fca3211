package cli

import (
	"context"
	"fmt"
	"strings"
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
		Long: "outdated lists, for the core and every enabled plug, the version in plugconfig.lock (once\n" +
			"held to the config: an entry that does not satisfy it is not current), the newest version its\n" +
			"constraint allows (what plugctl lock --upgrade NAME would pick), the newest version overall,\n" +
			"and how to move to it (an exact version is edited in the config: lock --upgrade keeps it).\n" +
			"A component whose versions cannot be listed shows its error and the others are listed; the\n" +
			"command fails (exit 4) only when none can be. It changes nothing.",
		Example: `  plugctl outdated
  plugctl outdated --json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return outdatedRun(cmd.Context(), o)
		},
	}, fail.Config, fail.Mismatch, fail.Fetch, fail.Policy)
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
	s := o.newState(pipeline.Options{File: o.file})
	defer s.Close()
	err := pipeline.Run(ctx, s, pipeline.OutdatedSteps)
	if s.Available == nil {
		return err
	}
	// Every row that could be listed, and the others with their error: the
	// run fails only when none could.
	res.Plugs = s.Available
	if o.json {
		return err
	}
	// The columns are named like the keys of --json; what to do about a
	// row follows it, unnamed.
	tw := tabwriter.NewWriter(o.ios.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tCONSTRAINT\tCURRENT\tWANTED\tLATEST")
	for _, a := range s.Available {
		var after []string
		if a.Error != "" {
			after = append(after, "error: "+safeText(a.Error))
		}
		if a.Note != "" {
			after = append(after, a.Note)
		}
		if a.Upgrade != "" {
			after = append(after, a.Upgrade)
		}
		mark := ""
		if len(after) > 0 {
			mark = "  (" + strings.Join(after, "; ") + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s%s\n", a.Name, a.Kind, dash(a.Requested), dash(a.Locked), dash(a.InConstraint), dash(a.Newest), mark)
	}
	if ferr := tw.Flush(); ferr != nil && err == nil {
		return ferr
	}
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
