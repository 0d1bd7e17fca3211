package pipeline

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/plugctl/plugctl/internal/modcache"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/vendortree"
)

// locate is build.Options.Locate: how a compile error shows the file at
// path, which go names inside the build module (local/NAME, the links to
// the sources; vendor/ offline), a source directory or the module cache. A
// local source's file is shown where the user edits it, relative to the
// current directory; any other module's as module@version/path, the way
// go names a module's files; the generated main package relative to the
// current directory. "" for a path it does not know.
func (s *State) locate(path string) string {
	path = filepath.Clean(path)
	mod := s.moduleDir()
	if rest, ok := below(path, filepath.Join(mod, LocalDir)); ok {
		name, rest, _ := strings.Cut(rest, string(filepath.Separator))
		if c := s.linked(filepath.Join(mod, LocalDir, name)); c != nil {
			return s.showIn(c, rest)
		}
	}
	if rest, ok := below(path, filepath.Join(mod, "vendor")); ok {
		if p, v, file, ok := s.inGraph(filepath.ToSlash(rest)); ok {
			return p + "@" + v + "/" + file
		}
	}
	for _, c := range s.Set.All() {
		if c.Dir == "" {
			continue
		}
		if rest, ok := below(path, c.Dir); ok {
			return s.showIn(&c, rest)
		}
		if rest, ok := below(path, resolved(c.Dir)); ok {
			return s.showIn(&c, rest)
		}
	}
	if m, file, ok := modcache.Cache(s.Toolchain.ModCache).File(path); ok {
		return m.Path + "@" + m.Version + "/" + file
	}
	if _, ok := below(path, mod); ok {
		return fromCwd(path)
	}
	return ""
}

// linked returns the component whose directory the build module's
// local/NAME is: the link generate made, or offline the tree's copy.
func (s *State) linked(dir string) *source.Component {
	all := s.Set.All()
	if target, err := os.Readlink(dir); err == nil {
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(dir), target)
		}
		for i, c := range all {
			if c.Dir != "" && filepath.Clean(c.Dir) == filepath.Clean(target) {
				return &all[i]
			}
		}
		return nil
	}
	if s.Tree != nil {
		m := s.Tree.Manifest
		// The core, then the plugs: the manifest's order and the set's.
		for i, vc := range append([]vendortree.Component{m.Core}, m.Plugs...) {
			if vc.Dir != "" && i < len(all) && filepath.Join(s.moduleDir(), filepath.FromSlash(vc.Dir)) == filepath.Clean(dir) {
				return &all[i]
			}
		}
	}
	return nil
}

// showIn shows the file rest inside component c: where the user edits it
// for a local source, module@version/rest otherwise.
func (s *State) showIn(c *source.Component, rest string) string {
	if live(c.Kind) && c.Origin.Path != "" {
		return fromCwd(filepath.Join(s.abs(c.Origin.Path), rest))
	}
	return c.Module + "@" + c.Version + "/" + filepath.ToSlash(rest)
}

// inGraph finds the module of the build graph that vendor/rest is in: its
// path and version, and the file inside it.
func (s *State) inGraph(rest string) (path, version, file string, ok bool) {
	versions := map[string]string{}
	for k := range s.vendorSums {
		p, v, _ := strings.Cut(k, " ")
		versions[p] = strings.TrimSuffix(v, "/go.mod")
	}
	if s.lock != nil {
		for _, m := range s.lock.graph {
			versions[m.Path] = m.Version
		}
	}
	for p, v := range versions {
		if f, ok := strings.CutPrefix(rest, p+"/"); ok && len(p) > len(path) {
			path, version, file = p, v, f
		}
	}
	return path, version, file, path != ""
}

// below reports whether path is inside dir, and its path relative to dir.
func below(path, dir string) (string, bool) {
	if dir == "" {
		return "", false
	}
	rel, err := filepath.Rel(dir, path)
	if err != nil || !filepath.IsLocal(rel) {
		return "", false
	}
	return rel, true
}

// fromCwd is path relative to the current directory, ../ included, or
// path itself when it cannot be.
func fromCwd(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil {
		return rel
	}
	return path
}
