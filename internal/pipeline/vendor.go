package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/digest"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/modhash"
	"github.com/plugctl/plugctl/internal/signing"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/vendortree"
)

// VendorResult says what vendor did.
type VendorResult struct {
	Dir     string // the vendor tree
	Files   int    // files the manifest lists
	Changed bool   // false when the tree already held exactly this content
	// Manifest is the SHA-256 of the manifest's bytes, which pins every file
	// of the tree.
	Manifest string
	// SignedBy are the IDs of the keys whose signatures the tree carries
	// after vendor --sign: its keys', and those kept from before.
	SignedBy []string
}

// vendor (the vendor step) writes the vendor tree (see package
// vendortree) to the config's vendor directory from the build module
// generate wrote. The tree is assembled in a temporary sibling of the
// directory and renamed into place only when complete and hashed, so an
// interrupted or killed run leaves the previous tree as it was (the next
// run sweeps the leftovers). When the new tree is byte for byte the
// existing one, the existing one is kept untouched. With --sign, the tree
// carries a signature of its manifest and lock by each key, keeping the
// signatures it had of the same.
func (s *State) vendor(ctx context.Context) error {
	gen, dir := s.GenDir, s.VendorDir()
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	tmp, err := files.TempDir(dir)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	m, err := s.assemble(ctx, gen, dir, tmp)
	if err != nil {
		return err
	}
	data, err := vendortree.Write(tmp, m)
	if err != nil {
		return err
	}
	res := &VendorResult{Dir: dir, Files: len(m.Files), Changed: true, Manifest: sha256hex(data)}
	s.Vendored = res
	keys := s.Opts.Sign
	var existing []byte
	if len(keys) > 0 {
		existing, _ = files.ReadFile(filepath.Join(dir, vendortree.SignatureName), 64<<10)
	}
	sig, err := signTree(m, data, existing, keys)
	if err != nil {
		return err
	}
	res.SignedBy = vendortree.Signers(sig)
	if _, old, err := vendortree.Verify(dir); err == nil && bytes.Equal(old, data) {
		res.Changed = false
		s.R.Note("vendor tree unchanged: " + dir)
		if sig != nil {
			return files.WriteFile(filepath.Join(dir, vendortree.SignatureName), sig, 0o644)
		}
		return nil
	}
	if sig != nil {
		if err := os.WriteFile(filepath.Join(tmp, vendortree.SignatureName), sig, 0o644); err != nil {
			return err
		}
	}
	return files.ReplaceDir(tmp, dir)
}

// Sign returns the signature of the verified tree by keys (its
// plugctl-vendor.sig), keeping the signatures it has of the same text.
func (t *VerifiedTree) Sign(keys []*signing.Key) ([]byte, error) {
	var existing []byte
	if t.Signature != nil {
		existing = t.Signature.Data
	}
	return signTree(t.Manifest, t.Data, existing, keys)
}

// signTree returns the signature of the tree whose manifest is m, with the
// bytes data, by keys (nil without keys), keeping those of existing that
// sign the same. A tree holding a copy of a key (a local source that
// contains it) is not signed: the key would travel with the tree and its
// bundles.
func signTree(m *vendortree.Manifest, data, existing []byte, keys []*signing.Key) ([]byte, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	sums := make(map[string]string, len(m.Files))
	for _, f := range m.Files {
		sums[f.Path] = f.SHA256
	}
	signers := make([]note.Signer, len(keys))
	for i, k := range keys {
		if path, ok := k.CopyIn(sums); ok {
			return nil, fail.New(fail.Config, "signing key %s is in the vendor tree as %s (a source plugctl copies holds it): it would travel with the tree; move it out of the source's directory", k.Path, path)
		}
		signers[i] = k
	}
	return vendortree.Sign(data, m.Lock, existing, signers...)
}

// assemble writes the vendor tree meant for dir into tmp and returns its
// manifest, files not yet listed. The build module is the one Generate wrote
// to gen — go.mod, go.sum and the main package byte for byte, the same ./local/NAME
// replace paths — but local/ holds copies of the sources instead of links
// to them, and go mod vendor adds vendor/.
func (s *State) assemble(ctx context.Context, gen, dir, tmp string) (*vendortree.Manifest, error) {
	m, err := s.module()
	if err != nil {
		return nil, err
	}
	names, err := moduleFiles(gen)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(gen, name))
		if err != nil {
			return nil, err
		}
		if err := writeNested(filepath.Join(tmp, filepath.FromSlash(name)), data); err != nil {
			return nil, err
		}
	}
	// Never copy plugctl's state (the tree being written among it) into the
	// tree, when a source is the project directory itself. CopyModule hands
	// skip paths with links resolved, so compare with resolved paths.
	vdir := filepath.Join(resolved(filepath.Dir(dir)), filepath.Base(dir))
	skip := func(d string) bool {
		return filepath.Base(d) == StateDir || d == vdir ||
			(filepath.Dir(d) == filepath.Dir(vdir) && strings.HasPrefix(filepath.Base(d), "."+filepath.Base(vdir)+"."))
	}
	local := map[string]string{} // absolute source directory -> path in the tree
	for _, name := range slices.Sorted(maps.Keys(m.links)) {
		sums, err := s.hashCache().Dir(m.links[name])
		if err != nil {
			return nil, fail.Wrap(fail.Config, err)
		}
		if err := vendortree.CopyModule(sums, filepath.Join(tmp, LocalDir, name), skip); err != nil {
			return nil, fail.Wrap(fail.Config, err)
		}
		local[m.links[name]] = LocalDir + "/" + name
	}
	// go.mod and go.sum are complete (Generate tidied them against the
	// lock); go mod vendor only copies, from the module cache, downloading
	// what is missing there and checking it against go.sum.
	if _, err := gotool.Go(ctx, s.R, tmp, nil, "mod", "vendor"); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fail.Wrap(fail.Fetch, fmt.Errorf("vendoring the module graph: %w", err))
	}
	if err := s.mirror(ctx, tmp); err != nil {
		return nil, err
	}
	if err := vendortree.Normalize(tmp); err != nil {
		return nil, err
	}
	vc := func(c source.Component) vendortree.Component {
		return vendortree.Component{Name: c.Name, Kind: c.Kind, Module: c.Module, Version: c.Version, Import: c.Import, Dir: local[c.Dir],
			Origin: c.Origin, Hash: c.Hash}
	}
	man := &vendortree.Manifest{
		Toolchain: s.Toolchain.Version,
		Config:    digest.Vendor(s.Config),
		Name:      s.Config.Name,
		SDK:       s.Set.SDK,
		Core:      vc(s.Set.Core),
		Plugs:     []vendortree.Component{},
	}
	if man.Lock, err = s.Lock().ContentDigest(); err != nil {
		return nil, err
	}
	for _, c := range s.Set.Plugs {
		man.Plugs = append(man.Plugs, vc(c))
	}
	if b := s.build(); len(b.LayerTags)+len(b.LayerLdflags) > 0 {
		man.Build = &vendortree.Build{Tags: b.LayerTags, Ldflags: b.LayerLdflags}
	}
	if db := s.Opts.VulnDB; db != "" {
		if _, err := vendortree.CopyVulnDB(db, filepath.Join(tmp, vendortree.VulnDBDir)); err != nil {
			return nil, err
		}
		man.VulnDB = vendortree.VulnDBDir
	}
	for _, r := range s.Config.Replace {
		if r.Dir != "" {
			if man.Replaced == nil {
				man.Replaced = map[string]string{}
			}
			man.Replaced[r.Path] = local[s.abs(r.Dir)]
		}
	}
	return man, nil
}

// resolved returns p with its symbolic links resolved, or p when it cannot
// be (it does not exist yet).
func resolved(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// treeDir is the vendor tree verify checks: the unpacked bundle's, or the
// project's.
func (s *State) treeDir() string {
	if s.TreeDir != "" {
		return s.TreeDir
	}
	return s.VendorDir()
}

// verify (the verify step) prepares the run to build offline from the
// vendor tree: it verifies every file against the manifest, checks that
// the tree was made from this config, and takes the resolved core and
// plugs from the manifest, so nothing is resolved, fetched or generated.
// When the lock (the project's, or the bundle's) exists, the tree must
// have been made with it; with --locked it must exist. With --verify-key,
// the tree must be signed by one of the keys (vendortree.CheckSignature).
// Compile then builds with -mod=vendor and the network off.
func (s *State) verify(context.Context) error {
	dir, lockPath := s.treeDir(), s.treeLock
	if lockPath == "" {
		lockPath = s.lockPath()
	}
	s.TreeDir = dir
	vt, err := verifyTree(dir, s.Opts.VerifyKeys)
	if err != nil {
		return err
	}
	m, data := vt.Manifest, vt.Data
	if want := digest.Vendor(s.Config); m.Config != want {
		return fail.New(fail.Mismatch, "vendor tree %s was made from a different config: %s; run plugctl vendor to bring it up to date", dir, configDiff(m, s.Config))
	}
	f, err := lock.Load(lockPath, lockPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case !slices.Contains(f.ContentDigests(), m.Lock):
		made := "with a different lock than " + lockPath
		if m.Lock == "" {
			made = "without a lock, and now there is " + lockPath
		}
		return fail.New(fail.Mismatch, "vendor tree %s was made %s; run plugctl vendor to bring it up to date", dir, made)
	}
	if m.Toolchain != s.Toolchain.Version {
		s.R.Note(fmt.Sprintf("the vendor tree was written with %s and is built with %s: the binary may differ from one built with %s", m.Toolchain, s.Toolchain.Version, m.Toolchain))
	}
	set := &Set{Core: component(m.Core), SDK: m.SDK}
	for _, c := range m.Plugs {
		set.Plugs = append(set.Plugs, component(c))
	}
	s.Set = set
	s.Offline = true
	// What feeds an artifact built from the tree: the manifest pins every
	// byte compiled (sources, generated main, go.mod), so neither the
	// local sources nor the template are read — they may not even be
	// there on an air-gapped machine.
	s.inputs = &artifact.Inputs{
		Plugctl:   artifact.Tool(),
		Toolchain: s.Toolchain.Version,
		Config:    digest.Artifact(s.Config),
		Vendor:    sha256hex(data),
	}
	s.inputs.Tags, s.inputs.Ldflags = s.BuildFlags()
	s.Tree = vt
	if m.HasMirror() {
		// The mirror is built from: its modules must be the lock's (or,
		// with no lock at hand, the tree's go.sum's, which the manifest
		// pins).
		sums := treeSums(dir)
		if f != nil {
			sums = lockSums(f)
		}
		if err := vendortree.CheckMirror(dir, sums); err != nil {
			return err
		}
	}
	if s.Opts.Lock.Locked && !exists(lockPath) {
		// The lock was compared with the tree only because it exists.
		return fail.New(fail.Mismatch, "%s does not exist, and --locked requires the lock the vendor tree was made with", lockPath)
	}
	return nil
}

// snapshot (the snapshot step of build --offline) copies the tree verify
// checked into a directory of this run's own under the state directory —
// mode 0700, a fresh name, removed by Close and, after a killed run, by
// the next one — checking every byte of the copy against the manifest
// verify read (vendortree.Snapshot). Compile builds from the copy: what
// another process writes into the tree from now on is not compiled, and
// what it wrote since verify is refused (exit 3). A bundle's tree needs no
// copy: unpack made it, in a private directory of its own.
func (s *State) snapshot(context.Context) error {
	dir, err := files.TempDir(s.statePath("build"))
	if err != nil {
		return err
	}
	s.onClose(func() { os.RemoveAll(dir) })
	if err := vendortree.Snapshot(s.TreeDir, s.Tree.Manifest, dir); err != nil {
		return err
	}
	s.buildDir = dir
	return nil
}

// treeFacts reads, from the build module compile builds offline (dir),
// what the SBOM records and a binary built with -mod=vendor does not: the
// module hashes of its go.sum, and the content hash of the copies of the
// replaced directories (CopyModule gave them their sources' hash).
func (s *State) treeFacts(dir string) error {
	m := s.Tree.Manifest
	s.vendorSums = goSums(filepath.Join(dir, "go.sum"))
	for _, r := range s.Config.Replace {
		if rel := m.Replaced[r.Path]; r.Dir != "" && rel != "" {
			sums, err := modhash.Dir(filepath.Join(dir, filepath.FromSlash(rel)))
			h := ""
			if err == nil {
				h, err = sums.Content()
			}
			if err != nil {
				return fail.Wrap(fail.Mismatch, err)
			}
			if s.trees == nil {
				s.trees = map[string]string{}
			}
			s.trees[s.abs(r.Dir)] = h
		}
	}
	return nil
}

// verifyAlone (the verify step of plugctl verify DIR) verifies the vendor
// tree at Options.Tree on its own, with no config: every file against its
// manifest and, with --verify-key, its signature over the manifest and
// the lock digest the manifest records. verify checks the same and more
// (the config, the lock file).
func (s *State) verifyAlone(context.Context) error {
	vt, err := verifyTree(s.Opts.Tree, s.Opts.VerifyKeys)
	if err != nil {
		return err
	}
	s.Tree, s.TreeDir = vt, vt.Dir
	return nil
}

// verifyTree verifies the tree at dir against its manifest and, with keys,
// its signature.
func verifyTree(dir string, keys *signing.Keys) (*VerifiedTree, error) {
	m, data, err := vendortree.Verify(dir)
	if err != nil {
		return nil, err
	}
	// The signature covers the manifest bytes just verified, so it covers
	// every file they list.
	sig, err := vendortree.CheckSignature(dir, data, m.Lock, keys)
	if err != nil {
		return nil, err
	}
	return &VerifiedTree{Dir: dir, Manifest: m, Data: data, Signature: sig}, nil
}

// VerifiedTree is a vendor tree verify checked.
type VerifiedTree struct {
	Dir      string
	Manifest *vendortree.Manifest
	// Data are the manifest's bytes, as verified: a bundle packs these,
	// and a signature signs their digest.
	Data      []byte
	Signature *vendortree.Signature
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return !errors.Is(err, fs.ErrNotExist)
}

// goSums reads the module hashes of a go.sum file (the lines without
// /go.mod), keyed "path version". The file was verified with the tree.
func goSums(name string) map[string]string {
	data, _ := os.ReadFile(name) // none when every module is local
	sums := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && !strings.HasSuffix(f[1], "/go.mod") {
			sums[f[0]+" "+f[1]] = f[2]
		}
	}
	return sums
}

// component is a vendored component as the build uses it.
func component(c vendortree.Component) source.Component {
	return source.Component{Name: c.Name, Kind: c.Kind, Module: c.Module, Version: c.Version, Import: c.Import, Hash: c.Hash, Origin: c.Origin}
}

// configDiff says in a few words how cfg differs from the config a tree was
// made from.
func configDiff(m *vendortree.Manifest, cfg *config.Config) string {
	var have, want []string
	for _, c := range m.Plugs {
		have = append(have, c.Name)
	}
	for _, p := range cfg.Enabled() {
		want = append(want, p.Name)
	}
	switch {
	case m.Name != cfg.Name:
		return fmt.Sprintf("name %q in the tree, %q in %s", m.Name, cfg.Name, cfg.File)
	case !slices.Equal(have, want):
		return fmt.Sprintf("plugs [%s] in the tree, [%s] in %s", strings.Join(have, " "), strings.Join(want, " "), cfg.File)
	}
	return fmt.Sprintf("the core, a plug's version, source or settings, or a replace entry changed in %s", cfg.File)
}
