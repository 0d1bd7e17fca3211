package pipeline

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/plugctl/plugctl/internal/bundle"
	"github.com/plugctl/plugctl/internal/vendortree"
)

// BundleResult says what bundle wrote.
type BundleResult struct {
	// Path is the bundle, as plugctl bundle -o named it.
	Path string
	// SHA256 is the bundle's SHA-256, hex, also in SumPath.
	SHA256  string
	SumPath string
	// Files is the number of files packed: config, lock, manifest,
	// signature and tree.
	Files int
	// SignedBy are the IDs of the keys whose signatures the bundled tree
	// carries: those of --sign, and those the tree had for this very
	// manifest (not checked here: build --verify-key does).
	SignedBy []string
}

// bundle (the bundle step) packs the config, its credentials removed
// (redactedConfig), the lock when there is one and the vendor tree verify
// checked into one deterministic archive, with its checksum beside it.
// The tree's signature goes with it: a new one with --sign (keeping the
// tree's for the same manifest), or the tree's own when it signs this
// manifest and lock.
func (s *State) bundle(context.Context) error {
	vt := s.Tree
	var sig []byte
	switch {
	case len(s.Opts.Sign) > 0:
		var err error
		if sig, err = vt.Sign(s.Opts.Sign); err != nil {
			return err
		}
	case vt.Signature.Present && vt.Signature.Current:
		sig = vt.Signature.Data
	case vt.Signature.Present:
		s.R.Note(fmt.Sprintf("%s signs another manifest or lock: not bundled (sign the bundle with --sign)", vendortree.SignatureName))
	}
	cfg, err := s.redactedConfig()
	if err != nil {
		return err
	}
	list := []bundle.File{{Name: bundle.ConfigName, Data: cfg}}
	if lock := s.lockPath(); exists(lock) {
		list = append(list, bundle.File{Name: bundle.LockName, Source: lock})
	}
	// The manifest as verified, not read again.
	list = append(list, bundle.File{Name: bundle.VendorDir + "/" + vendortree.ManifestName, Data: vt.Data})
	res := &BundleResult{Path: s.BundlePath, SumPath: s.BundlePath + bundle.SumSuffix}
	if sig != nil {
		list = append(list, bundle.File{Name: bundle.VendorDir + "/" + vendortree.SignatureName, Data: sig})
		res.SignedBy = vendortree.Signers(sig)
	}
	for _, f := range vt.Manifest.Files {
		list = append(list, bundle.File{Name: bundle.VendorDir + "/" + f.Path, Source: filepath.Join(vt.Dir, filepath.FromSlash(f.Path))})
	}
	if res.SHA256, err = bundle.Create(s.BundlePath, list); err != nil {
		return err
	}
	res.Files = len(list)
	s.Bundled = res
	return nil
}
