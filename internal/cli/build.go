package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/build"
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
)

// buildOptions are the inputs of plugctl build.
type buildOptions struct {
	*globals
	// Targets override build.targets ("os/arch"); repeatable.
	Targets []string
	// Output overrides build.output; it may hold the same placeholders.
	Output string
}

func newCmdBuild(g *globals, runF func(context.Context, *buildOptions) error) *cobra.Command {
	o := &buildOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "build [--target os/arch]... [-o PATH]",
		Short: "Resolve, generate and compile: one static binary per target",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return buildRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringArrayVar(&o.Targets, "target", nil, "os/arch to build for, repeatable (default: build.targets)")
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "artifact path; may use {name} {os} {arch} {version}")
	return cmd
}

// artifactResult is one artifact in the --json output of build.
type artifactResult struct {
	Target string `json:"target"`
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

func buildRun(ctx context.Context, o *buildOptions) error {
	r := o.reporter()
	p, err := pipeline.Load(ctx, r, o.file)
	if err != nil {
		return err
	}
	targets := p.Config.Build.Targets
	if len(o.Targets) > 0 {
		targets, err = config.ParseTargets(o.Targets)
		if err != nil {
			return fail.Wrap(fail.Config, fmt.Errorf("--target: %w", err))
		}
	}
	if err := config.CheckOutput(o.Output, len(targets)); err != nil {
		return fail.Wrap(fail.Config, fmt.Errorf("-o: %w", err))
	}
	if err := p.Resolve(ctx); err != nil {
		return err
	}
	dir := p.State("gen")
	if err := p.Generate(ctx, dir); err != nil {
		return err
	}
	arts, err := p.Compile(ctx, dir, targets, o.Output)
	var res []artifactResult
	for _, a := range arts {
		ar, herr := describe(a)
		if herr != nil {
			return herr
		}
		res = append(res, ar)
	}
	if o.json {
		if jerr := o.printJSON(map[string]any{"artifacts": res}); jerr != nil {
			return jerr
		}
	} else if !o.quiet {
		for _, a := range res {
			fmt.Fprintf(o.ios.Out, "%s\t%s\tsha256:%s\n", a.Target, a.Path, a.SHA256)
		}
	}
	return err
}

func describe(a build.Artifact) (artifactResult, error) {
	f, err := os.Open(a.Path)
	if err != nil {
		return artifactResult{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return artifactResult{}, err
	}
	return artifactResult{Target: a.Target.String(), Path: a.Path, SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}
