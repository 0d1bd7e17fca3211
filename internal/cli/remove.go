package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/configedit"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/suggest"
)

// removeOptions are the inputs of plugctl remove.
type removeOptions struct {
	*globals
	// Name is the plug to remove, enabled or not.
	Name string
}

func newCmdRemove(g *globals, runF func(context.Context, *removeOptions) error) *cobra.Command {
	o := &removeOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a plug from the config, keeping its comments and layout",
		Long: `remove deletes the plug NAME (enabled or not) from the plugins list of the config:
its item and the lines inside it, and nothing else: the comments and blank lines
around it stay, as does the rest of the file. The result is checked as validate
checks a config before anything resolves, and the file is replaced in one step;
when the result would not be a valid config (another plug requires this one, say),
nothing is written. The lock keeps the plug until plugctl lock (or build) runs.
To leave a plug out of the build but keep it in the file, set enabled: false.`,
		Example: `  plugctl remove metrics
  plugctl remove -f site.yaml audit`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return removeRun(cmd.Context(), o)
		},
	}
	cmd.ValidArgsFunction = completeNames(g, false, true)
	return withExits(cmd, fail.Config)
}

func removeRun(ctx context.Context, o *removeOptions) error {
	res := &editResult{}
	o.result = res
	if err := o.findConfig(); err != nil {
		return err
	}
	res.File = o.file
	ed, err := openEdit(ctx, o.globals)
	if err != nil {
		return err
	}
	defer ed.release()
	var names []string
	for _, p := range ed.cfg.Plugins {
		names = append(names, p.Name)
	}
	if err := checkName(o.Name, names, fmt.Sprintf("no plug is named %q in %s", o.Name, o.file)); err != nil {
		return err
	}
	p, _ := ed.plug(o.Name)
	out, err := configedit.Remove(ed.data, o.Name)
	if err != nil {
		return fail.Wrap(fail.Config, fmt.Errorf("%s: %w", o.file, err))
	}
	if _, err := ed.write(out, fmt.Sprintf("removing plug %q would make an invalid config, nothing written:", o.Name)); err != nil {
		return err
	}
	c := plugComponent(p)
	res.Plug = &c
	if !o.json {
		fmt.Fprintf(o.ios.Out, "removed plug %q from %s\n", o.Name, o.file)
	}
	if !o.json && !o.quiet {
		if exists(lock.PathFor(o.file)) {
			fmt.Fprintf(o.ios.ErrOut, "next: plugctl lock%s drops it from %s\n", fileFlag(o.file), lock.PathFor(o.file))
		}
	}
	return nil
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
