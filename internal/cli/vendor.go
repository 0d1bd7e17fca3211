package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
)

// vendorOptions are the inputs of plugctl vendor.
type vendorOptions struct {
	*globals
	// Locked fails instead of creating or changing plugconfig.lock.
	Locked bool
	// Sign are signing keys (plugctl key generate) that sign the tree;
	// repeatable.
	Sign []string
	// VulnDB is a vulnerability database directory the tree carries for
	// plugctl audit --offline.
	VulnDB string
}

func newCmdVendor(g *globals, runF func(context.Context, *vendorOptions) error) *cobra.Command {
	o := &vendorOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "vendor",
		Short: "Write the vendor tree: everything a build needs with no network, no module cache and no git",
		Long: `Write the vendor tree (the config's vendor key, default .plugctl/vendor): the generated
build module, copies of the sources of the core and of the git, archive and local
plugs, every module of the build graph in Go's vendor/ layout, and a manifest with the
SHA-256 of every file. Like build, it locks first when there is no lock (or the config
changed), and vendors what the lock pins. plugctl build --offline and plugctl bundle
use the tree. With --vulndb DIR, the tree also carries a copy of the vulnerability
database in DIR (index/db.json, index/modules.json, ID/<ID>.json), listed in the
manifest like every file, which plugctl audit --offline reads.`,
		Example: `  plugctl vendor
  plugctl vendor --locked && plugctl build --offline
  plugctl vendor --vulndb ./vulndb && plugctl audit --offline`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return vendorRun(cmd.Context(), o)
		},
	}
	addLockedFlag(cmd, &o.Locked)
	cmd.Flags().StringArrayVar(&o.Sign, "sign", nil, "sign the tree with this signing key (plugctl key generate), repeatable")
	_ = cmd.MarkFlagFilename("sign")
	cmd.Flags().StringVar(&o.VulnDB, "vulndb", "", "also carry the vulnerability database in this directory, for plugctl audit --offline")
	_ = cmd.MarkFlagDirname("vulndb")
	return withExits(cmd, fail.Config, fail.Mismatch, fail.Fetch, fail.Policy)
}

// vendorResult is the --json document of vendor (docs/json.md).
type vendorResult struct {
	envelope
	// Dir is the vendor tree's directory.
	Dir string `json:"dir"`
	// Changed is false when the tree already held exactly this content and
	// was left alone.
	Changed bool `json:"changed"`
	// Files is the number of files the manifest lists.
	Files int `json:"files"`
	// ManifestSHA256 is the SHA-256 of plugctl-vendor.json, which pins
	// every file of the tree.
	ManifestSHA256 string `json:"manifest_sha256"`
	// SignedBy are the IDs of the keys of --sign (empty without).
	SignedBy []string `json:"signed_by"`
}

func vendorRun(ctx context.Context, o *vendorOptions) error {
	res := &vendorResult{SignedBy: []string{}}
	o.result = res
	if err := o.findConfig(); err != nil {
		return err
	}
	// The keys first: a key others can read stops everything at once.
	keys, err := loadSigners(o.Sign)
	if err != nil {
		return err
	}
	s := o.newState(pipeline.Options{File: o.file, Lock: pipeline.LockOptions{Locked: o.Locked}, Sign: keys, VulnDB: o.VulnDB})
	defer s.Close()
	if err := pipeline.Run(ctx, s, pipeline.VendorSteps); err != nil {
		return err
	}
	v := s.Vendored
	res.Dir, res.Changed, res.Files, res.ManifestSHA256, res.SignedBy = v.Dir, v.Changed, v.Files, v.Manifest, signedBy(v.SignedBy)
	if !o.json {
		fmt.Fprintln(o.ios.Out, v.Dir)
	}
	return nil
}
