package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/vendortree"
)

// mirror writes the module mirror of the vendor tree being assembled in
// tmp (vendortree.MirrorDir): every module version the build module's
// go.sum lists — the go.mod of each, the zip of those whose files it
// hashes — from the module cache, where generate and go mod vendor left
// them checked against go.sum; a zip missing there is downloaded first.
func (s *State) mirror(ctx context.Context, tmp string) error {
	mods := sumModules(filepath.Join(tmp, "go.sum"))
	if len(mods) == 0 {
		return nil
	}
	out, err := gotool.Go(ctx, s.R, tmp, nil, "env", "GOMODCACHE")
	if err != nil {
		return fmt.Errorf("finding the module cache: %w", err)
	}
	cache := strings.TrimSpace(string(out))
	var missing []string
	for _, m := range mods {
		ev, _ := module.EscapeVersion(m.Version)
		if m.Zip && !exists(filepath.Join(cache, "cache", "download", escaped(m.Path), "@v", ev+".zip")) {
			missing = append(missing, m.Path+"@"+m.Version)
		}
	}
	if len(missing) > 0 {
		if _, err := gotool.Query(ctx, s.R, tmp, append([]string{"mod", "download"}, missing...)...); err != nil {
			if ctx.Err() != nil {
				return err
			}
			return fail.Wrap(fail.Fetch, fmt.Errorf("downloading the modules of the mirror: %w", err))
		}
	}
	if err := vendortree.WriteMirror(tmp, cache, mods); err != nil {
		return fail.Wrap(fail.Fetch, err)
	}
	return nil
}

// escaped is a module path as the module cache spells its directory; the
// path as it is when it cannot be escaped (WriteMirror then says why).
func escaped(path string) string {
	if e, err := module.EscapePath(path); err == nil {
		return filepath.FromSlash(e)
	}
	return path
}

// sumModules lists the module versions of the go.sum file name, in its
// order: each with Zip set when go.sum hashes its files, not only its
// go.mod.
func sumModules(name string) []vendortree.MirrorModule {
	data, _ := os.ReadFile(name) // none when every module is local
	var mods []vendortree.MirrorModule
	index := map[string]int{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		version, modOnly := strings.CutSuffix(f[1], "/go.mod")
		key := f[0] + " " + version
		i, ok := index[key]
		if !ok {
			i = len(mods)
			index[key] = i
			mods = append(mods, vendortree.MirrorModule{Path: f[0], Version: version})
		}
		if !modOnly {
			mods[i].Zip = true
		}
	}
	return mods
}

// lockSums are the hashes the lock f pins, keyed as go.sum keys them:
// "path version" for a module's files, "path version/go.mod" for its
// go.mod.
func lockSums(f *lock.File) map[string]string {
	sums := map[string]string{}
	for _, m := range f.Modules {
		if m.Hash != "" {
			sums[m.Path+" "+m.Version] = m.Hash
		}
		if m.GoModHash != "" {
			sums[m.Path+" "+m.Version+"/go.mod"] = m.GoModHash
		}
	}
	return sums
}

// treeSums are the hashes of the go.sum of the tree at dir, keyed as
// lockSums keys them.
func treeSums(dir string) map[string]string {
	data, _ := os.ReadFile(filepath.Join(dir, "go.sum"))
	sums := map[string]string{}
	for _, line := range slices.Collect(strings.Lines(string(data))) {
		if f := strings.Fields(line); len(f) == 3 {
			sums[f[0]+" "+f[1]] = f[2]
		}
	}
	return sums
}

// offlineMirror returns, for an offline build from a tree with a module
// mirror, the mirror compile builds from and a module cache of this run's
// own (under the state directory, removed by Close): "" for a build that
// is not offline, or from a tree made before trees held a mirror, which
// builds with -mod=vendor.
func (s *State) offlineMirror() (mirror, modcache string, err error) {
	if !s.Offline || s.Tree == nil || !s.Tree.Manifest.HasMirror() {
		return "", "", nil
	}
	modcache, err = files.TempDir(s.statePath("modcache"))
	if err != nil {
		return "", "", err
	}
	s.onClose(func() { os.RemoveAll(modcache) })
	return filepath.Join(s.moduleDir(), vendortree.MirrorDir), modcache, nil
}
