package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/signing"
)

// buildOptions are the inputs of plugctl build.
type buildOptions struct {
	*globals
	// Targets override build.targets ("os/arch"); repeatable.
	Targets []string
	// Output overrides build.output; it may hold the same placeholders.
	Output string
	// Force rebuilds every artifact even when nothing that feeds it changed.
	Force bool
	// Locked fails instead of creating or changing plugconfig.lock.
	Locked bool
	// Offline builds from the verified vendor tree, never touching the
	// network (see offline.go).
	Offline bool
	// Bundle builds offline from a bundle made by plugctl bundle.
	Bundle string
	// VerifyKeys are verifier keys (FILE.pub); with --offline or --bundle
	// the vendor tree must be signed by one of them. Repeatable.
	VerifyKeys []string

	fileSet    bool              // -f was given
	targets    []platform.Target // Targets, parsed by validate
	bundleTree string            // the unpacked bundle's vendor tree
	keys       *signing.Keys     // VerifyKeys, read by buildRun
}

// validate checks what the flags say on their own, before anything is
// loaded: a usage error is reported before any work is done. buildRun
// calls it first.
func (o *buildOptions) validate() error {
	if o.Bundle != "" && o.fileSet {
		return usage(errors.New("--bundle and -f cannot be used together: the bundle holds its config"))
	}
	if len(o.VerifyKeys) > 0 && !o.Offline && o.Bundle == "" {
		return usage(errors.New("--verify-key checks a vendor tree's signature: use it with --offline or --bundle"))
	}
	if len(o.Targets) > 0 {
		targets, err := platform.ParseList(o.Targets)
		if err != nil {
			return usage(fmt.Errorf("--target: %w", err))
		}
		o.targets = targets
	}
	return nil
}

func newCmdBuild(g *globals, runF func(context.Context, *buildOptions) error) *cobra.Command {
	o := &buildOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "build [--target os/arch]... [--offline] [--bundle FILE] [-o PATH]",
		Short: "Resolve, generate and compile: one static binary per target",
		Long: `build runs the whole pipeline: it loads the config, resolves every version (keeping
those plugconfig.lock pins, and writing the lock when it changes), generates the build
module and compiles one static binary per target (build.targets, or --target), in
parallel. Each artifact gets a .sha256 file, a CycloneDX SBOM and a record of what it
was built from; when nothing that feeds an artifact changed, it is reused at once.

--locked fails instead of changing the lock. --offline builds from the vendor tree
(plugctl vendor) with the network off, after checking the tree against its manifest;
--bundle FILE does the same from a bundle made by plugctl bundle, whose config it uses.
With --verify-key KEY.pub (repeatable), the tree must also carry a signature by one of
the keys over its manifest and lock (plugctl vendor --sign, plugctl bundle --sign).
On a terminal a table of the artifacts ends the output; elsewhere one line each:
target, path and sha256.`,
		Example: `  plugctl build
  plugctl build --target linux/amd64 --target darwin/arm64 -o 'dist/{name}_{os}_{arch}'
  plugctl build --locked --offline
  plugctl build --bundle site.tar.gz
  plugctl build --bundle site.tar.gz --verify-key release.key.pub`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.fileSet = cmd.Flags().Changed("file")
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return buildRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringArrayVar(&o.Targets, "target", nil, "os/arch to build for, repeatable (default: build.targets)")
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "artifact path; may use {name} {os} {arch} {version}")
	cmd.Flags().BoolVar(&o.Force, "force", false, "rebuild even artifacts whose inputs did not change")
	cmd.Flags().BoolVar(&o.Offline, "offline", false, "build from the vendor tree (plugctl vendor) with the network off")
	cmd.Flags().StringVar(&o.Bundle, "bundle", "", "build offline from a bundle (plugctl bundle) instead of the config")
	cmd.Flags().StringArrayVar(&o.VerifyKeys, "verify-key", nil, "with --offline or --bundle: the tree must be signed by this verifier key (FILE.pub), repeatable: any one")
	_ = cmd.MarkFlagFilename("verify-key", "pub")
	_ = cmd.RegisterFlagCompletionFunc("target", completeTargets)
	addLockedFlag(cmd, &o.Locked)
	return withExits(cmd, fail.Config, fail.Mismatch, fail.Fetch, fail.Compile)
}

// buildResult is the --json document of build (docs/json.md).
type buildResult struct {
	envelope
	// Artifacts are the targets that were built, in target order; on a
	// failure, those that succeeded.
	Artifacts []artifactResult `json:"artifacts"`
}

// artifactResult is one artifact in the --json output of build.
type artifactResult struct {
	Target string `json:"target"`
	Path   string `json:"path"` // absolute
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Reused is true when nothing that feeds the artifact changed and it
	// was not rebuilt.
	Reused bool `json:"reused"`
}

func buildRun(ctx context.Context, o *buildOptions) error {
	res := &buildResult{Artifacts: []artifactResult{}}
	o.result = res
	if err := o.validate(); err != nil {
		return err
	}
	keys, err := loadVerifiers(o.VerifyKeys)
	if err != nil {
		return err
	}
	o.keys = keys
	r := o.reporter()
	p, cleanup, err := o.load(ctx, r)
	if err != nil {
		return err
	}
	defer cleanup()
	targets := p.Config.Build.Targets
	if len(o.targets) > 0 {
		targets = o.targets
	}
	if err := config.CheckOutput(o.Output, len(targets)); err != nil {
		return fail.Wrap(fail.Config, fmt.Errorf("-o: %w", err))
	}
	if o.Output == "" && config.CheckOutput(p.Config.Build.Output, len(targets)) != nil {
		// --target asked for more targets than build.output can name apart.
		if p.Config.Build.Output != config.DefaultOutput {
			return fail.Wrap(fail.Config, fmt.Errorf("build.output %q: %w", p.Config.Build.Output, config.CheckOutput(p.Config.Build.Output, len(targets))))
		}
		o.Output = config.DefaultMultiOutput
	}
	if o.Bundle != "" && o.Output == "" {
		if err := p.CheckBundleOutput(); err != nil {
			return err
		}
	}
	// Before anything is written: an artifact never replaces the config,
	// the lock or a file plugctl did not build.
	if err := p.CheckOutputs(o.Output, targets); err != nil {
		return err
	}
	release, err := p.LockState(ctx)
	if err != nil {
		return err
	}
	defer release()
	var arts []pipeline.Artifact
	if o.Offline || o.Bundle != "" {
		arts, err = o.buildOffline(ctx, p, targets)
	} else {
		arts, err = artifacts(ctx, p, targets, o.Output, o.Force, o.Locked)
	}
	var rows []summaryRow
	for _, a := range arts {
		res.Artifacts = append(res.Artifacts, artifactResult{Target: a.Target.String(), Path: a.Path, SHA256: a.SHA256, Size: a.Size, Reused: a.Reused})
		rows = append(rows, summaryRow{Artifact: a.Path, Target: a.Target.String(), Size: a.Size, SHA256: a.SHA256, Took: a.Duration, Cached: a.Reused})
	}
	o.printArtifacts(rows)
	return err
}

// artifacts runs the pipeline after load for targets: it reuses the
// artifacts when nothing that feeds them changed (unless force), and
// resolves, generates and compiles otherwise. On a failure it returns the
// artifacts that were built.
func artifacts(ctx context.Context, p *pipeline.Project, targets []platform.Target, output string, force, locked bool) ([]pipeline.Artifact, error) {
	// The lock is read first: --locked must fail on a missing or stale
	// lock even when the artifacts could be reused.
	if err := p.UseLock(pipeline.LockOptions{Locked: locked}); err != nil {
		return nil, err
	}
	if !force {
		if arts, ok := p.Reuse(targets, output); ok {
			return arts, nil
		}
	}
	dir := p.State("gen")
	if err := p.Prepare(ctx, dir); err != nil {
		return nil, err
	}
	if err := saveLock(p); err != nil {
		return nil, err
	}
	return p.Build(ctx, dir, targets, output, force)
}

// printArtifacts shows the artifacts built: a table on a terminal, and one
// "target<TAB>path<TAB>sha256:hex" line each on stdout for scripts, unless
// the table already went to the same terminal. -q draws no table (it is
// part of the progress display), but the lines, results, are printed.
func (g *globals) printArtifacts(rows []summaryRow) {
	if g.json {
		return
	}
	drawn := g.progress.Summary(rows)
	if drawn && g.ios.OutTTY {
		return
	}
	for _, r := range rows {
		fmt.Fprintf(g.ios.Out, "%s\t%s\tsha256:%s\n", r.Target, r.Artifact, r.SHA256)
	}
}
