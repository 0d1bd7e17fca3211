package resolve

import (
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

// HashDir returns the h1: hash of the module mod@version whose files are in
// dir: the hash go.sum would record for a module zip made from dir. Only
// the files such a zip holds count — not .git, nested modules, vendor
// directories or symbolic links — so a build output or a checkout's
// metadata beside the code does not change it.
func HashDir(dir, mod, version string) (string, error) {
	// The module zip rules walk dir itself; a symlinked directory (a
	// checkout linked into a project) must be followed to its files.
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	checked, err := modzip.CheckDir(real)
	if err != nil {
		return "", err
	}
	prefix := mod + "@" + version + "/"
	files := make([]string, len(checked.Valid))
	for i, f := range checked.Valid {
		// CheckDir names the files by their path, dir included.
		rel, err := filepath.Rel(real, f)
		if err != nil {
			return "", err
		}
		files[i] = prefix + filepath.ToSlash(rel)
	}
	return dirhash.Hash1(files, func(name string) (io.ReadCloser, error) {
		return os.Open(filepath.Join(real, filepath.FromSlash(strings.TrimPrefix(name, prefix))))
	})
}
