package pipeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/parser"
	"go/token"
	"go/version"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/digest"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/modcache"
	"github.com/plugctl/plugctl/internal/modshape"
)

// From an up-to-date lock the build module's go.mod and go.sum are written
// from the build graph the lock records (generate), not by go mod tidy:
// go.sum holds the graph's hashes as they are, and go.mod requires the
// core, the plugs and, marked indirect, every module of the graph whose
// files the build reads, at the version minimal version selection chose.
// go mod tidy runs only to find a graph the lock does not hold — no lock
// yet, a config that changed, an upgrade, a local source whose go.mod or
// imports need a module the graph lacks — or when the module cache lacks
// the go.mod file of a module of the graph (a fresh machine: tidy fetches
// it). The module graph of who requires what is graph.go's.

// localDir is a directory the build reads as it is: a local core or plug,
// or a directory the replace map names.
type localDir struct {
	module string // its module path
	shape  *modshape.Shape
	goMod  *modfile.File
}

// localDirs returns the build's local directories with their shapes.
func (s *State) localDirs() ([]localDir, error) {
	var out []localDir
	add := func(dir, mod string) error {
		sh, err := s.shape(dir)
		if err != nil {
			return err
		}
		sums, err := s.hashCache().Dir(dir)
		if err != nil {
			return fail.Wrap(fail.Config, err)
		}
		var f *modfile.File
		if data, ok := sums.Kept("go.mod"); ok {
			if f, err = modfile.ParseLax(filepath.Join(dir, "go.mod"), data, nil); err != nil {
				return fail.Wrap(fail.Config, err)
			}
		}
		out = append(out, localDir{module: mod, shape: sh, goMod: f})
		return nil
	}
	for _, c := range s.Set.All() {
		if live(c.Kind) && c.Dir != "" {
			if err := add(c.Dir, c.Module); err != nil {
				return nil, err
			}
		}
	}
	for _, r := range s.Config.Replace {
		if r.Dir != "" {
			if err := add(s.abs(r.Dir), r.Path); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// lockedGraph returns the build graph of the lock in use when the build
// module can be written from it alone: the lock was made from this config
// (its resolution inputs), pins every component, and the local directories
// need no module the graph lacks. A config that replaces a module by
// another module or version, excludes one, or inherits a plug's replaces
// is left to go mod tidy.
func (s *State) lockedGraph() ([]lock.Module, bool, error) {
	if s.lock == nil || s.lock.old == nil || s.lock.opts.Upgrade || len(s.lock.opts.UpgradeNames) > 0 {
		return nil, false, nil
	}
	old := s.lock.old
	if old.ConfigDigest != digest.Resolution(s.Config) || len(s.Config.Exclude) > 0 || len(s.inherited) > 0 {
		return nil, false, nil
	}
	for _, r := range s.Config.Replace {
		if r.Dir == "" {
			return nil, false, nil
		}
	}
	for _, c := range s.Set.All() {
		if !s.lock.pinned(c.Name) {
			return nil, false, nil
		}
	}
	locals, err := s.localDirs()
	if err != nil {
		return nil, false, err
	}
	if !covers(old.Modules, s.Set, locals) {
		return nil, false, nil
	}
	return old.Modules, true, nil
}

// selected returns the version minimal version selection chose for each
// module path of graph: the highest it holds.
func selected(graph []lock.Module) map[string]string {
	sel := map[string]string{}
	for _, m := range graph {
		if v, ok := sel[m.Path]; !ok || semver.Compare(m.Version, v) > 0 {
			sel[m.Path] = m.Version
		}
	}
	return sel
}

// covers reports whether graph holds everything the local directories
// need: every module their go.mod files require, at that version or a
// higher one, and a module providing every package they import that is
// neither in the standard library nor in a component or local directory.
func covers(graph []lock.Module, set *Set, locals []localDir) bool {
	sel := selected(graph)
	zips := map[string]bool{} // modules whose files the graph holds, at the selected version
	for _, m := range graph {
		if (m.Hash != "" || m.Dir != "") && sel[m.Path] == m.Version {
			zips[m.Path] = true
		}
	}
	own := map[string]bool{} // the components, built from their own trees
	for _, c := range set.All() {
		own[c.Module] = true
	}
	for _, l := range locals {
		own[l.module] = true
	}
	provided := func(pkg string) bool {
		first, _, _ := strings.Cut(pkg, "/")
		if !strings.Contains(first, ".") {
			return true // the standard library (or "C")
		}
		for p := pkg; ; {
			if own[p] || zips[p] {
				return true
			}
			i := strings.LastIndex(p, "/")
			if i < 0 {
				return false
			}
			p = p[:i]
		}
	}
	for _, l := range locals {
		if l.goMod != nil {
			for _, r := range l.goMod.Require {
				if own[r.Mod.Path] {
					continue
				}
				if v, ok := sel[r.Mod.Path]; !ok || semver.Compare(v, r.Mod.Version) < 0 {
					return false
				}
			}
		}
		for _, imp := range l.shape.Imports {
			if !provided(imp) {
				return false
			}
		}
	}
	return true
}

// graphGoMod renders the build module's go.mod from base (its module,
// components and replaces) and graph. It reads the go.mod file of every
// module of the graph it would require from the module cache: a module
// whose requirements the graph does not hold as they are (a version above
// the one selected, or one whose go.mod hash it lacks) is left out, as go
// mod tidy leaves out the modules it keeps only to check that an import is
// not ambiguous. ok is false when the cache lacks a go.mod file.
func (s *State) graphGoMod(base codegen.Module, main []codegen.File, graph []lock.Module) (goMod []byte, ok bool, err error) {
	pkgs, err := imports(main)
	if err != nil {
		return nil, false, err
	}
	cache := modcache.Cache(s.Toolchain.ModCache)
	sel := selected(graph)
	direct := providers(pkgs, sel)
	have := map[module.Version]bool{} // go.mod files go.sum holds
	for _, m := range graph {
		if m.GoModHash != "" {
			have[module.Version{Path: m.Path, Version: m.Version}] = true
		}
	}
	m := base
	required := map[string]bool{}
	for _, r := range m.Require {
		required[r.Path] = true
	}
	for _, g := range graph {
		if required[g.Path] || sel[g.Path] != g.Version || g.Hash == "" && g.Dir == "" {
			continue
		}
		mv := module.Version{Path: g.Path, Version: g.Version}
		if g.Dir == "" {
			data, err := cache.GoMod(mv)
			if err != nil {
				return nil, false, nil
			}
			f, err := modfile.ParseLax("go.mod", data, nil)
			if err != nil {
				return nil, false, fmt.Errorf("reading the go.mod of %s: %w", mv, err)
			}
			if !held(f, sel, have) {
				continue
			}
		}
		// Required directly when the main package imports a package of
		// it (a profile's components, the SDK), as go mod tidy writes it.
		if direct[g.Path] {
			m.Require = append(m.Require, mv)
		} else {
			m.Indirect = append(m.Indirect, mv)
		}
		required[g.Path] = true
	}
	goMod, err = codegen.GoMod(m)
	if err != nil {
		return nil, false, fmt.Errorf("writing go.mod: %w", err)
	}
	return goMod, true, nil
}

// held reports whether every requirement of the go.mod f is in the graph
// as it is: at or below the version selected, and, for a module whose
// graph go does not prune (go before 1.17), with its go.mod hash recorded.
func held(f *modfile.File, sel map[string]string, have map[module.Version]bool) bool {
	pruned := f.Go != nil && version.Compare("go"+f.Go.Version, "go1.17") >= 0
	for _, r := range f.Require {
		v, ok := sel[r.Mod.Path]
		if !ok || semver.Compare(r.Mod.Version, v) > 0 || !pruned && !have[r.Mod] {
			return false
		}
	}
	return true
}

// imports returns the import paths of the main package's files.
func imports(main []codegen.File) ([]string, error) {
	var out []string
	for _, f := range main {
		if !strings.HasSuffix(f.Name, ".go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f.Name, f.Data, parser.ImportsOnly)
		if err != nil {
			return nil, fmt.Errorf("reading the imports of the generated %s: %w", f.Name, err)
		}
		for _, is := range af.Imports {
			if p, err := strconv.Unquote(is.Path.Value); err == nil {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// providers returns the modules of sel holding the packages pkgs: for
// each, the longest module path that is the package's or a prefix of it.
func providers(pkgs []string, sel map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, p := range pkgs {
		for q := p; ; {
			if _, ok := sel[q]; ok {
				out[q] = true
				break
			}
			i := strings.LastIndex(q, "/")
			if i < 0 {
				break
			}
			q = q[:i]
		}
	}
	return out
}

// checkCached holds the modules of graph the module cache already has to
// the hashes graph records (the lock's): the go command checks them too,
// but only once it compiles, and as a compile error. A module that does
// not match is an integrity failure, as when go mod tidy downloads one.
func (s *State) checkCached(graph []lock.Module) error {
	cache := modcache.Cache(s.Toolchain.ModCache)
	var bad []string
	for _, m := range graph {
		if m.Hash == "" || m.Dir != "" {
			continue
		}
		mv := module.Version{Path: m.Path, Version: m.Version}
		if sum, err := cache.ZipHash(mv); err == nil && sum != m.Hash {
			bad = append(bad, fmt.Sprintf("%s: checksum mismatch\n\tmodule cache: %s\n\t%s: %s", mv, sum, s.LockName(), m.Hash))
		}
	}
	if len(bad) > 0 {
		return fail.New(fail.Mismatch, "a module does not match the hash %s records:\n%s", s.LockName(), strings.Join(bad, "\n"))
	}
	return nil
}

// graphSum renders the go.sum of graph: its hashes as go.sum holds them,
// sorted as go writes them.
func graphSum(graph []lock.Module) []byte {
	var lines []string
	for _, m := range graph {
		if m.Dir != "" {
			continue // replaced by a directory: not in go.sum
		}
		if m.Hash != "" {
			lines = append(lines, m.Path+" "+m.Version+" "+m.Hash+"\n")
		}
		if m.GoModHash != "" {
			lines = append(lines, m.Path+" "+m.Version+"/go.mod "+m.GoModHash+"\n")
		}
	}
	slices.Sort(lines)
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l)
	}
	return b.Bytes()
}

// graphDigest digests graph, for the inputs of the build module.
func graphDigest(graph []lock.Module) string {
	h := sha256.New()
	h.Write(graphSum(graph))
	for _, m := range graph {
		if m.Dir != "" {
			fmt.Fprintf(h, "dir %s %s %s\n", m.Path, m.Version, m.Dir)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
