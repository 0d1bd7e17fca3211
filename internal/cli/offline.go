package cli

import (
	"context"
	"path/filepath"

	"github.com/plugctl/plugctl/internal/bundle"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/report"
)

// load loads the project build works on: the config named by -f, or the
// config inside the --bundle. The returned function removes what loading
// left behind (the unpacked bundle).
func (o *buildOptions) load(ctx context.Context, r report.Reporter) (*pipeline.Project, func(), error) {
	if o.Bundle == "" {
		if err := o.findConfig(); err != nil {
			return nil, nil, err
		}
		p, err := pipeline.Load(ctx, r, o.file)
		return p, func() {}, err
	}
	p, tree, cleanup, err := loadBundle(ctx, r, o.Bundle)
	if err != nil {
		return nil, nil, err
	}
	o.bundleTree = tree
	return p, cleanup, nil
}

// buildOffline builds targets from the vendor tree — the unpacked bundle's,
// or the project's — after verifying it: nothing is resolved, fetched or
// generated; no go get, no go mod tidy, no git. Artifacts whose inputs (the
// vendor manifest among them) did not change are reused. With --locked, the
// lock must exist, agree with the config, and be the one the tree was made
// with; with --verify-key, the tree must be signed by one of the keys.
func (o *buildOptions) buildOffline(ctx context.Context, p *pipeline.Project, targets []platform.Target) ([]pipeline.Artifact, error) {
	dir, lockPath := p.VendorDir(), p.LockPath()
	if o.bundleTree != "" {
		dir, lockPath = o.bundleTree, filepath.Join(filepath.Dir(o.bundleTree), bundle.LockName)
	} else if o.Locked {
		// Reads the lock and the config only: no network.
		if err := p.UseLock(pipeline.LockOptions{Locked: true}); err != nil {
			return nil, err
		}
	}
	if _, err := p.UseVendor(ctx, dir, lockPath, o.keys); err != nil {
		return nil, err
	}
	if o.Locked && !exists(lockPath) {
		// UseVendor compared the lock with the tree only because it exists.
		return nil, fail.New(fail.Mismatch, "%s does not exist, and --locked requires the lock the vendor tree was made with", lockPath)
	}
	return p.Build(ctx, dir, targets, o.Output, o.Force)
}
