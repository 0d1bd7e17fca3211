package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/bundle"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/vendortree"
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
	return withExits(cmd, fail.Config, fail.Mismatch)
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
	r := o.reporter()
	p, release, err := pipeline.Open(ctx, r, o.file)
	if err != nil {
		return err
	}
	defer release()
	out := o.Output
	if out == "" {
		out = p.Config.Name + "-bundle.tar.gz"
	}
	if err := p.CheckBundlePath(out, out+bundle.SumSuffix); err != nil {
		return err
	}
	tree := p.VendorDir()
	vt, err := p.UseVendor(ctx, tree, p.LockPath(), nil)
	if err != nil {
		return err
	}
	// The signature: a new one (keeping the tree's for the same manifest),
	// or the tree's own when it signs this manifest and lock.
	var sig []byte
	switch {
	case len(keys) > 0:
		if sig, err = vt.Sign(keys); err != nil {
			return err
		}
	case vt.Signature.Present && vt.Signature.Current:
		sig = vt.Signature.Data
	case vt.Signature.Present:
		r.Note(fmt.Sprintf("%s signs another manifest or lock: not bundled (sign the bundle with --sign)", vendortree.SignatureName))
	}
	cfg, err := p.RedactedConfig()
	if err != nil {
		return err
	}
	files := []bundle.File{{Name: bundle.ConfigName, Data: cfg}}
	if lock := p.LockPath(); exists(lock) {
		files = append(files, bundle.File{Name: bundle.LockName, Source: lock})
	}
	// The manifest as verified, not read again.
	files = append(files, bundle.File{Name: bundle.VendorDir + "/" + vendortree.ManifestName, Data: vt.Data})
	if sig != nil {
		files = append(files, bundle.File{Name: bundle.VendorDir + "/" + vendortree.SignatureName, Data: sig})
		res.SignedBy = signedBy(vendortree.Signers(sig))
	}
	for _, f := range vt.Manifest.Files {
		files = append(files, bundle.File{Name: bundle.VendorDir + "/" + f.Path, Source: filepath.Join(tree, filepath.FromSlash(f.Path))})
	}
	var sum string
	err = pipeline.Step(r, "bundle", out, func() error {
		var err error
		sum, err = bundle.Create(out, files)
		return err
	})
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	res.Bundle, res.SHA256, res.ChecksumFile, res.Files = abs, sum, abs+bundle.SumSuffix, len(files)
	if !o.json {
		fmt.Fprintf(o.ios.Out, "%s\tsha256:%s\n", out, sum)
	}
	return nil
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return !errors.Is(err, fs.ErrNotExist)
}

// loadBundle checks and unpacks the bundle at path into a temporary
// directory and loads its config as if it lived in the current directory,
// so that build.output lands there. It returns the project, the unpacked
// vendor tree and the function that removes what was unpacked.
func loadBundle(ctx context.Context, r report.Reporter, path string) (*pipeline.Project, string, func(), error) {
	var tmp string
	err := pipeline.Step(r, "unpack", path, func() error {
		var err error
		tmp, err = bundle.Unpack(ctx, path, bundle.DefaultLimits)
		return err
	})
	if err != nil {
		return nil, "", nil, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	root := filepath.Join(tmp, bundle.Root)
	data, err := os.ReadFile(filepath.Join(root, bundle.ConfigName))
	if err != nil {
		cleanup()
		return nil, "", nil, fail.New(fail.Mismatch, "bundle %s holds no %s: it was not made by plugctl bundle", path, bundle.ConfigName)
	}
	cwd, err := os.Getwd()
	if err != nil {
		cleanup()
		return nil, "", nil, err
	}
	p, err := pipeline.LoadData(ctx, r, path+":"+bundle.ConfigName, data, cwd)
	if err != nil {
		cleanup()
		return nil, "", nil, err
	}
	return p, filepath.Join(root, bundle.VendorDir), cleanup, nil
}
