package cli

import (
	"cmp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/platform"
)

// Shell completion comes from cobra's completion command (bash, zsh, fish,
// powershell); the functions here teach it plugctl's own values.

// completePlugNames completes positional arguments with the names of the
// enabled plugs in the config that -f names (plugconfig.yaml by default),
// and "core" first when withCore, leaving out names already on the command
// line. lock --upgrade NAME… uses it as its ValidArgsFunction. A config
// that does not load completes nothing rather than printing errors into the
// shell.
func completePlugNames(g *globals, withCore bool) cobra.CompletionFunc {
	return completeNames(g, withCore, false)
}

// completeNames completes the names of the plugs of the config, disabled
// ones too when withDisabled, and "core" first when withCore.
func completeNames(g *globals, withCore, withDisabled bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		// Completion runs no command: settle the config as one would.
		g.fileSet = g.fileSet || g.file != config.DefaultFile || cmd != nil && cmd.Flags().Changed("file")
		if g.findConfig() != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		cfg, err := config.Load(g.file)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		given := map[string]bool{}
		for _, a := range args {
			given[a] = true
		}
		var out []cobra.Completion
		add := func(name, desc string) {
			if !given[name] && strings.HasPrefix(name, toComplete) {
				out = append(out, cobra.CompletionWithDesc(name, desc))
			}
		}
		if withCore {
			add("core", "the core: "+cmp.Or(cfg.Core.Module, cfg.Core.Source))
		}
		for _, p := range cfg.Plugins {
			if p.Enabled || withDisabled {
				add(p.Name, cmp.Or(p.Module, p.Source))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeTargets completes an os/arch flag value with every target Go can
// build for.
func completeTargets(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, t := range platform.All() {
		if strings.HasPrefix(t.String(), toComplete) {
			out = append(out, t.String())
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
