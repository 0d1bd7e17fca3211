package resolve

import (
	"path/filepath"

	"github.com/plugctl/plugctl/internal/fetch"
)

// HashDir returns the h1: hash of the module mod@version whose files are in
// dir, as fetch.HashDir computes it, after following dir itself if it is a
// symbolic link (a checkout linked into a project): the module zip rules
// would otherwise see a link, not a directory.
func HashDir(dir, mod, version string) (string, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	return fetch.HashDir(real, mod, version)
}
