package fetch

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/modhash"
)

// Tree is a fetched source tree holding one module.
type Tree struct {
	Dir    string        // absolute directory of the module (where its go.mod is)
	Module string        // the module path its go.mod declares
	GoMod  *modfile.File // its go.mod, parsed
	// Time is the commit time of a git tree (UTC), zero for an archive.
	Time time.Time
	// Sums are the digests of the tree's files, read once as the tree was
	// written: its module hash at any version and its content hash come
	// from them, with no other read of the tree.
	Sums *modhash.Sums
}

// readTree hashes the tree at dir (once: see modhash) and reads its root
// go.mod from what was hashed.
func readTree(dir string, keep []string) (*Tree, error) {
	sums, err := modhash.Dir(dir, keep...)
	if err != nil {
		return nil, err
	}
	data, ok := sums.Kept("go.mod")
	if !ok {
		// Not a file, or too large to keep: say why as reading it does.
		data, err = os.ReadFile(filepath.Join(dir, "go.mod"))
		if os.IsNotExist(err) {
			return nil, fail.New(fail.Config, "no go.mod at the root of the source")
		}
		if err != nil {
			return nil, err
		}
	}
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		return nil, fail.Wrap(fail.Config, err)
	}
	if f.Module == nil {
		return nil, fail.New(fail.Config, "go.mod has no module line")
	}
	if err := module.CheckPath(f.Module.Mod.Path); err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("go.mod: %w", err))
	}
	return &Tree{Dir: dir, Module: f.Module.Mod.Path, GoMod: f, Sums: sums}, nil
}

// ModuleVersion returns the version to require the tree's module at, given
// the semver tag the git version resolved to (Pin.Version; "" when none):
// the tag itself when it fits the module path, else a pseudo-version
// vN.0.0-yyyymmddhhmmss-abcdefabcdef made from the commit's time and hash,
// N being the module path's major version. A tag that does not fit the
// module path (v2.1.0 for a module without /v2) is a fail.Config error.
func (t *Tree) ModuleVersion(tag, commit string) (string, error) {
	if tag != "" {
		if err := module.Check(t.Module, tag); err != nil {
			return "", fail.New(fail.Config, "tag %s does not fit module path %s (a module at v2 or above has a path ending in /vN)", tag, t.Module)
		}
		return tag, nil
	}
	_, pathMajor, ok := module.SplitPathVersion(t.Module)
	if !ok {
		return "", fail.New(fail.Config, "invalid module path %s", t.Module)
	}
	if len(commit) < 12 {
		return "", fmt.Errorf("commit %q is too short for a pseudo-version", commit)
	}
	return module.PseudoVersion(module.PathMajorPrefix(pathMajor), "", t.Time, commit[:12]), nil
}
