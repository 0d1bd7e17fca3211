package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
)

// generateOptions are the inputs of plugctl generate.
type generateOptions struct {
	*globals
	// Dir is where the build module is written; default .plugctl/gen beside
	// the config.
	Dir string
	// Locked fails instead of creating or changing plugconfig.lock.
	Locked bool
}

func newCmdGenerate(g *globals, runF func(context.Context, *generateOptions) error) *cobra.Command {
	o := &generateOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "generate [-o DIR]",
		Short: "Write the generated build module (go.mod, go.sum, the main package) without compiling",
		Long: `generate resolves as build does and writes the build module build would compile —
go.mod with every plug and replacement, go.sum, and the generated main package (main.go,
the build description plugctl_info.go, and the other files of a core profile's
templates) — to DIR (default .plugctl/gen beside the config), without compiling it: to
read what plugctl builds, or to build it with go build yourself (with the tags and
linker flags validate --json shows). It writes the lock as build does.`,
		Example: `  plugctl generate
  plugctl generate -o /tmp/gen && (cd /tmp/gen && go build -o app .)`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return generateRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVarP(&o.Dir, "output", "o", "", "directory to write the build module to (default .plugctl/gen)")
	addLockedFlag(cmd, &o.Locked)
	return withExits(cmd, fail.Config, fail.Mismatch, fail.Fetch, fail.Policy)
}

// generateResult is the --json document of generate (docs/json.md).
type generateResult struct {
	envelope
	// Dir is the build module's directory, absolute.
	Dir string `json:"dir"`
}

func generateRun(ctx context.Context, o *generateOptions) error {
	res := &generateResult{}
	o.result = res
	if err := o.findConfig(); err != nil {
		return err
	}
	s := o.newState(pipeline.Options{File: o.file, GenDir: o.Dir, Lock: pipeline.LockOptions{Locked: o.Locked}})
	defer s.Close()
	if err := pipeline.Run(ctx, s, pipeline.GenerateSteps); err != nil {
		return err
	}
	res.Dir = s.GenDir
	if !o.json {
		dir := o.Dir
		if dir == "" {
			dir = s.GenDir
		}
		fmt.Fprintln(o.ios.Out, dir)
	}
	return nil
}
