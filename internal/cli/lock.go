package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
	"github.com/plugctl/plugctl/internal/source"
)

// lockOptions are the inputs of plugctl lock.
type lockOptions struct {
	*globals
	// Upgrade re-resolves the components named in Names (plug names or
	// "core"), or every one when Names is empty, instead of keeping their
	// locked versions.
	Upgrade bool
	Names   []string
	// Locked fails instead of changing the lock: a check that the lock is
	// up to date.
	Locked bool
}

func newCmdLock(g *globals, runF func(context.Context, *lockOptions) error) *cobra.Command {
	o := &lockOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "lock [--upgrade [NAME...]]",
		Short: "Resolve versions and write plugconfig.lock",
		Long: "lock resolves the core and every enabled plug and pins what it found in plugconfig.lock,\n" +
			"beside the config. A component already in the lock keeps its locked version while its\n" +
			"config is unchanged; --upgrade re-resolves every component, --upgrade NAME... only those named\n" +
			"(plug names, or core). --locked changes nothing and fails when the lock is missing or out\n" +
			"of date: a check for CI.",
		Example: `  plugctl lock
  plugctl lock --upgrade metrics
  plugctl lock --locked`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 && !o.Upgrade {
				return fmt.Errorf("names (%s) are only accepted with --upgrade", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Names = args
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return lockRun(cmd.Context(), o)
		},
	}
	cmd.ValidArgsFunction = completePlugNames(g, true)
	cmd.Flags().BoolVar(&o.Upgrade, "upgrade", false, "re-resolve the named components (all when none is named) instead of keeping their locked versions")
	addLockedFlag(cmd, &o.Locked)
	return withExits(cmd, fail.Config, fail.Mismatch, fail.Fetch, fail.Policy)
}

// addLockedFlag adds --locked, shared by every command that may write the
// lock.
func addLockedFlag(cmd *cobra.Command, locked *bool) {
	cmd.Flags().BoolVar(locked, "locked", false, "fail (exit 3) instead of creating or changing plugconfig.lock")
}

// lockResult is the --json document of lock (docs/json.md).
type lockResult struct {
	envelope
	// File is the lock's absolute path.
	File string `json:"file"`
	// Changed is true when the file on disk changed.
	Changed bool `json:"changed"`
	// Core and Plugs are what the lock holds, plugs in config order.
	Core  *lockComponent  `json:"core,omitempty"`
	Plugs []lockComponent `json:"plugs"`
	// Changes lists the components whose entry changed: core first, then
	// plugs by name.
	Changes []pipeline.Change `json:"changes"`
}

// lockComponent is a component with what the lock records of it.
type lockComponent struct {
	jsonComponent
	Origin source.Origin `json:"origin"`
	Hash   string        `json:"hash"`
}

func lockRun(ctx context.Context, o *lockOptions) error {
	res := &lockResult{Plugs: []lockComponent{}, Changes: []pipeline.Change{}}
	o.result = res
	if err := o.findConfig(); err != nil {
		return err
	}
	s := o.newState(pipeline.Options{File: o.file, Lock: pipeline.LockOptions{Locked: o.Locked, Upgrade: o.Upgrade, UpgradeNames: o.Names}})
	defer s.Close()
	if err := pipeline.Run(ctx, s, pipeline.LockSteps); err != nil {
		return err
	}
	saved := s.Saved
	res.File, res.Changed, res.Changes = saved.Path, saved.Written, saved.Changes
	lf := s.Lock()
	core := lockComponent{component(s.Set.Core, s.Config.Core.Source), lf.Core.Origin, lf.Core.Hash}
	res.Core = &core
	for i, c := range s.Set.Plugs {
		e, _ := lf.Plugin(c.Name)
		res.Plugs = append(res.Plugs, lockComponent{component(c, s.Config.Enabled()[i].Source), e.Origin, e.Hash})
	}
	if o.json {
		return nil
	}
	if !saved.Written {
		fmt.Fprintf(o.ios.Out, "%s: up to date\n", s.LockName())
		return nil
	}
	fmt.Fprintf(o.ios.Out, "%s: written\n", s.LockName())
	for _, c := range saved.Changes {
		fmt.Fprintf(o.ios.Out, "  %s\n", pipeline.DescribeChange(c))
	}
	return nil
}
