package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/config"
)

// Shell completion comes from cobra's completion command (bash, zsh, fish,
// powershell); the functions here teach it plugctl's own values.

// completePlugNames completes positional arguments with the names of the
// plugs in the config that -f names (plugconfig.yaml by default), leaving out
// names already on the command line. Commands taking plug names (lock
// --upgrade NAME…) use it as their ValidArgsFunction. A config that does not
// load completes nothing rather than printing errors into the shell.
func completePlugNames(g *globals) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		cfg, err := config.Load(g.file)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		given := map[string]bool{}
		for _, a := range args {
			given[a] = true
		}
		var out []cobra.Completion
		for _, p := range cfg.Plugins {
			if !given[p.Name] && strings.HasPrefix(p.Name, toComplete) {
				desc := p.Module
				if desc == "" {
					desc = p.Source
				}
				out = append(out, cobra.CompletionWithDesc(p.Name, desc))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeTargets completes an os/arch flag value with every target Go can
// build for.
func completeTargets(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, t := range config.Targets() {
		if strings.HasPrefix(t.String(), toComplete) {
			out = append(out, t.String())
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
