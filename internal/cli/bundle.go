package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
)

// bundleOptions are the inputs of plugctl bundle.
type bundleOptions struct {
	*globals
	// Output is the bundle's path; its checksum goes to Output.sha256.
	// Default: <name>-bundle.tar.gz in the current directory.
	Output string
	// Sign are signing keys (plugctl key generate) that sign the bundled
	// tree; repeatable.
	Sign []string
}

func newCmdBundle(g *globals, runF func(context.Context, *bundleOptions) error) *cobra.Command {
	o := &bundleOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "bundle [-o FILE]",
		Short: "Pack the config, lock file and vendor tree into one archive for an air-gapped site",
		Long: `Pack the config, the lock file (when there is one) and the verified vendor tree into one
deterministic .tar.gz, and write its SHA-256 beside it as FILE.sha256. On the other side,
plugctl build --bundle FILE checks both and builds with Go alone. Run plugctl vendor first.
With --sign, the bundled tree carries a signature (vendor/plugctl-vendor.sig) that
build --bundle --verify-key and plugctl verify check; a tree signed by plugctl vendor
--sign keeps its signature in the bundle.`,
		Example: `  plugctl vendor && plugctl bundle -o site.tar.gz
  # on the air-gapped machine, with Go alone:
  plugctl build --bundle site.tar.gz
  plugctl bundle -o site.tar.gz --sign ~/.config/plugctl/release.key`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return bundleRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "bundle file to write (default <name>-bundle.tar.gz)")
	cmd.Flags().StringArrayVar(&o.Sign, "sign", nil, "sign the bundled tree with this signing key (plugctl key generate), repeatable")
	_ = cmd.MarkFlagFilename("sign")
	return withExits(cmd, fail.Config, fail.Mismatch, fail.Policy)
}

// bundleResult is the --json document of bundle (docs/json.md).
type bundleResult struct {
	envelope
	// Bundle is the archive written.
	Bundle string `json:"bundle"`
	// SHA256 is the archive's SHA-256, also in ChecksumFile.
	SHA256       string `json:"sha256"`
	ChecksumFile string `json:"checksum_file"`
	// Files is the number of files packed: config, lock, manifest,
	// signature and tree.
	Files int `json:"files"`
	// SignedBy are the IDs of the keys whose signatures the bundle's tree
	// carries: those of --sign, and those the tree had for this very
	// manifest (not checked here: build --verify-key does).
	SignedBy []string `json:"signed_by"`
}

func bundleRun(ctx context.Context, o *bundleOptions) error {
	res := &bundleResult{SignedBy: []string{}}
	o.result = res
	if err := o.findConfig(); err != nil {
		return err
	}
	keys, err := loadSigners(o.Sign)
	if err != nil {
		return err
	}
	s := o.newState(pipeline.Options{File: o.file, BundleOut: o.Output, Sign: keys})
	defer s.Close()
	if err := pipeline.Run(ctx, s, pipeline.BundleSteps); err != nil {
		return err
	}
	b := s.Bundled
	abs, err := filepath.Abs(b.Path)
	if err != nil {
		return err
	}
	sum, err := filepath.Abs(b.SumPath)
	if err != nil {
		return err
	}
	res.Bundle, res.SHA256, res.ChecksumFile, res.Files, res.SignedBy = abs, b.SHA256, sum, b.Files, signedBy(b.SignedBy)
	if !o.json {
		fmt.Fprintf(o.ios.Out, "%s\tsha256:%s\n", b.Path, b.SHA256)
	}
	return nil
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return !errors.Is(err, fs.ErrNotExist)
}
