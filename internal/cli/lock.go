package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/suggest"
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
	return withExits(cmd, fail.Config, fail.Mismatch, fail.Fetch)
}

// checkName returns nil when name is one of valid, else a config error
// made of msg, the nearest valid names and the valid ones.
func checkName(name string, valid []string, msg string) error {
	if slices.Contains(valid, name) {
		return nil
	}
	if h := suggest.Hint(name, valid); h != "" {
		msg += ", " + h
	}
	if len(valid) == 0 {
		return fail.New(fail.Config, "%s (the config has none)", msg)
	}
	return fail.New(fail.Config, "%s (valid: %s)", msg, strings.Join(slices.Sorted(slices.Values(valid)), ", "))
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
	r := o.reporter()
	p, release, err := pipeline.Open(ctx, r, o.file)
	if err != nil {
		return err
	}
	defer release()
	valid := []string{source.CoreName}
	for _, pl := range p.Config.Enabled() {
		valid = append(valid, pl.Name)
	}
	for _, n := range o.Names {
		if err := checkName(n, valid, "--upgrade "+n+": no enabled plug has that name"); err != nil {
			return err
		}
	}
	if err := p.UseLock(pipeline.LockOptions{Locked: o.Locked, Upgrade: o.Upgrade, UpgradeNames: o.Names}); err != nil {
		return err
	}
	if err := p.Resolve(ctx); err != nil {
		return err
	}
	if err := p.Generate(ctx, p.State("gen")); err != nil {
		return err
	}
	saved, err := p.SaveLock()
	if err != nil {
		return err
	}
	res.File, res.Changed, res.Changes = saved.Path, saved.Written, saved.Changes
	lf := p.Lock()
	core := lockComponent{component(p.Set.Core, p.Config.Core.Source), lf.Core.Origin, lf.Core.Hash}
	res.Core = &core
	for i, c := range p.Set.Plugs {
		e, _ := lf.Plugin(c.Name)
		res.Plugs = append(res.Plugs, lockComponent{component(c, p.Config.Enabled()[i].Source), e.Origin, e.Hash})
	}
	if o.json {
		return nil
	}
	if !saved.Written {
		fmt.Fprintf(o.ios.Out, "%s: up to date\n", p.LockName())
		return nil
	}
	fmt.Fprintf(o.ios.Out, "%s: written\n", p.LockName())
	for _, c := range saved.Changes {
		fmt.Fprintf(o.ios.Out, "  %s\n", pipeline.DescribeChange(c))
	}
	return nil
}

// saveLock writes the project's lock when building or generating changed
// it (or there was none), and says so on stderr.
func saveLock(p *pipeline.Project) error {
	res, err := p.SaveLock()
	if err != nil {
		return err
	}
	if res.Written {
		msg := p.LockName() + ": written"
		for _, c := range res.Changes {
			msg += "\n  " + pipeline.DescribeChange(c)
		}
		p.R.Note(msg)
	}
	return nil
}
