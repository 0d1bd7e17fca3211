package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/store"
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
	// network (pipeline.OfflineSteps).
	Offline bool
	// Bundle builds offline from a bundle made by plugctl bundle.
	Bundle string
	// VerifyKeys are verifier keys (FILE.pub); with --offline or --bundle
	// the vendor tree must be signed by one of them. Repeatable.
	VerifyKeys []string
	// Store is the artifact store (--store, else PLUGCTL_STORE).
	Store string
	// Sign are signing keys (plugctl key generate) that sign each
	// artifact's provenance (PATH.intoto.jsonl). Repeatable.
	Sign []string

	fileSet bool              // -f was given
	targets []platform.Target // Targets, parsed by validate
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
parallel. Each artifact gets a .sha256 file, CycloneDX 1.6 and SPDX 2.3 SBOMs, an
in-toto SLSA provenance statement (PATH.intoto.jsonl, signed with --sign KEY) and a
record of what it was built from; when nothing that feeds an artifact changed, it is
reused at once. plugctl verify BINARY checks a binary against its provenance. With
policy.audit: build (the config's or the site's --policy), each target is audited
before its artifact is written; a finding at the threshold fails it (exit 6) and
writes nothing.

--locked fails instead of changing the lock. --offline builds from the vendor tree
(plugctl vendor) with the network off, after checking the tree against its manifest;
--bundle FILE does the same from a bundle made by plugctl bundle, whose config it uses.
With --verify-key KEY.pub (repeatable), the tree must also carry a signature by one of
the keys over its manifest and lock (plugctl vendor --sign, plugctl bundle --sign).

--store DIR (or PLUGCTL_STORE) keeps artifacts by the digest of their inputs, for every
machine sharing DIR: an artifact whose inputs were built before is copied from it, its
sha256 checked, instead of compiled; a new one is put into it. A damaged entry is
ignored and replaced, never used.
On a terminal a table of the artifacts ends the output; elsewhere one line each:
target, path and sha256.`,
		Example: `  plugctl build
  plugctl build --target linux/amd64 --target darwin/arm64 -o 'dist/{name}_{os}_{arch}'
  plugctl build --locked --offline
  plugctl build --sign release.key
  plugctl build --bundle site.tar.gz
  plugctl build --bundle site.tar.gz --verify-key release.key.pub
  plugctl build --locked --store /mnt/plugctl-store`,
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
	cmd.Flags().StringVar(&o.Store, "store", "", "artifact store shared across runs and machines: copy an artifact built before, store a new one (default $"+store.EnvStore+")")
	_ = cmd.MarkFlagDirname("store")
	cmd.Flags().StringArrayVar(&o.Sign, "sign", nil, "sign each artifact's provenance with this signing key (plugctl key generate), repeatable")
	_ = cmd.RegisterFlagCompletionFunc("target", completeTargets)
	addLockedFlag(cmd, &o.Locked)
	return withExits(cmd, fail.Config, fail.Mismatch, fail.Fetch, fail.Compile, fail.Policy)
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
	// FromStore is true when it was copied from the artifact store
	// (--store); Reused is then true too.
	FromStore bool `json:"from_store,omitempty"`
	// Audit is what the audit of its build module found before it was
	// written, when a policy has every build audited (policy.audit: build).
	Audit *pipeline.TargetAudit `json:"audit,omitempty"`
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
	if o.Store == "" {
		o.Store = os.Getenv(store.EnvStore)
	}
	signers, err := loadSigners(o.Sign)
	if err != nil {
		return err
	}
	opts := pipeline.Options{Bundle: o.Bundle, Targets: o.targets, Output: o.Output, Force: o.Force,
		Lock: pipeline.LockOptions{Locked: o.Locked}, VerifyKeys: keys, Store: o.Store, Sign: signers}
	steps := pipeline.BuildSteps
	switch {
	case o.Bundle != "":
		steps = pipeline.BundleBuildSteps
	case o.Offline:
		steps = pipeline.OfflineSteps
	}
	if o.Bundle == "" {
		if err := o.findConfig(); err != nil {
			return err
		}
		opts.File = o.file
	}
	s := o.newState(opts)
	defer s.Close()
	err = pipeline.Run(ctx, s, steps)
	var rows []summaryRow
	for _, a := range s.Artifacts() {
		res.Artifacts = append(res.Artifacts, artifactResult{Target: a.Target.String(), Path: a.Path, SHA256: a.SHA256, Size: a.Size, Reused: a.Reused, FromStore: a.FromStore, Audit: a.Audit})
		rows = append(rows, summaryRow{Artifact: a.Path, Target: a.Target.String(), Size: a.Size, SHA256: a.SHA256, Took: a.Duration, Cached: a.Reused})
	}
	o.printArtifacts(rows)
	return err
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
