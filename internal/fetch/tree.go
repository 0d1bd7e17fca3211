package fetch

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"

	"github.com/plugctl/plugctl/internal/fail"
)

// Tree is a fetched source tree holding one module.
type Tree struct {
	Dir    string        // absolute directory of the module (where its go.mod is)
	Module string        // the module path its go.mod declares
	GoMod  *modfile.File // its go.mod, parsed
	// Time is the commit time of a git tree (UTC), zero for an archive.
	Time time.Time
}

// readTree reads the go.mod at the root of dir.
func readTree(dir string) (*Tree, error) {
	name := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(name)
	if os.IsNotExist(err) {
		return nil, fail.New(fail.Config, "no go.mod at the root of the source")
	}
	if err != nil {
		return nil, err
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
	return &Tree{Dir: dir, Module: f.Module.Mod.Path, GoMod: f}, nil
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

// HashDir returns the go.sum hash ("h1:…") of the module modulePath at
// version whose files are in dir: exactly the hash the go command records
// for a module zip made from that directory. As golang.org/x/mod/zip does,
// it leaves out VCS directories (.git, .hg, …), nested modules (directories
// with their own go.mod), vendor directories other than vendor/modules.txt,
// and files that are not regular (symbolic links); and it refuses a
// directory that cannot be a module (file names the go command rejects,
// names that differ only in case, files over the size limit).
func HashDir(dir, modulePath, version string) (string, error) {
	if err := module.Check(modulePath, version); err != nil {
		return "", fail.Wrap(fail.Config, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	cf, err := modzip.CheckDir(abs)
	if err != nil {
		return "", fail.Wrap(fail.Config, fmt.Errorf("hashing %s: %w", dir, err))
	}
	prefix := modulePath + "@" + version + "/"
	names := make([]string, len(cf.Valid))
	paths := make(map[string]string, len(cf.Valid))
	for i, p := range cf.Valid {
		rel, err := filepath.Rel(abs, p)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", fmt.Errorf("hashing %s: %s is outside it", dir, p)
		}
		names[i] = prefix + filepath.ToSlash(rel)
		paths[names[i]] = p
	}
	return dirhash.Hash1(names, func(name string) (io.ReadCloser, error) {
		return os.Open(paths[name])
	})
}
