package adopt

import (
	"fmt"

	"github.com/plugctl/plugctl/internal/lock"
)

// Check compares a lock made from r's config with the binary r was read
// from: the core at its version, and every module the binary links at the
// version and h1: hash it was built with (a module it built from a
// directory aside). It returns every difference.
func Check(r *Result, f *lock.File) []string {
	var bad []string
	if f.Core.Module != r.Core || f.Core.Version != r.CoreVersion {
		bad = append(bad, fmt.Sprintf("the core: the binary has %s@%s, the lock %s@%s", r.Core, r.CoreVersion, f.Core.Module, f.Core.Version))
	}
	locked := map[string]string{}
	for _, m := range f.Modules {
		locked[m.Path+"@"+m.Version] = m.Hash
	}
	for _, e := range append([]lock.Entry{f.Core}, f.Plugins...) {
		if e.Hash != "" {
			locked[e.Module+"@"+e.Version] = e.Hash
		}
	}
	for _, d := range r.Modules {
		path, version, sum := d.Path, d.Version, d.Sum
		if d.Replace != nil {
			if isDir(d.Replace) {
				continue // a directory: the lock pins it by its path
			}
			path, version, sum = d.Replace.Path, d.Replace.Version, d.Replace.Sum
		}
		h, ok := locked[path+"@"+version]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("module %s@%s: in the binary, not in the lock", path, version))
		case sum != "" && h != "" && h != sum:
			bad = append(bad, fmt.Sprintf("module %s@%s: the binary was built with %s, the lock has %s", path, version, sum, h))
		}
	}
	return bad
}
