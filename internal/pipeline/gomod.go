package pipeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/parser"
	"go/token"
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

// graphRequires returns what the build module's go.mod requires besides
// base (its module, the components and the replaces), from graph: the
// rule package lock documents — the selected version of each module whose
// files the graph holds (or that a directory replaces), directly when the
// main package imports a package of it — where the module's Require does
// not say otherwise.
func graphRequires(base codegen.Module, direct map[string]bool, graph []lock.Module) (req, indirect []module.Version) {
	sel := selected(graph)
	required := map[string]bool{}
	for _, r := range base.Require {
		required[r.Path] = true
	}
	for _, g := range graph {
		if required[g.Path] {
			continue
		}
		mv := module.Version{Path: g.Path, Version: g.Version}
		switch how := ruleRequire(g, sel, direct); how {
		case lock.RequireDirect:
			req = append(req, mv)
		case lock.RequireIndirect:
			indirect = append(indirect, mv)
		default:
			continue
		}
		required[g.Path] = true
	}
	return req, indirect
}

// ruleRequire is how the build module requires g: its Require, or the
// rule (lock's package doc).
func ruleRequire(g lock.Module, sel map[string]string, direct map[string]bool) string {
	switch {
	case g.Require != "":
		return g.Require
	case sel[g.Path] != g.Version || g.Hash == "" && g.Dir == "":
		return lock.RequireNone
	case direct[g.Path]:
		return lock.RequireDirect
	}
	return lock.RequireIndirect
}

// graphGoMod renders the build module's go.mod from base and graph
// (graphRequires), reading nothing but them: a build from the lock on a
// machine whose module cache is empty writes the same bytes.
func graphGoMod(base codegen.Module, main []codegen.File, graph []lock.Module) ([]byte, error) {
	direct, err := directModules(main, graph)
	if err != nil {
		return nil, err
	}
	m := base
	req, indirect := graphRequires(base, direct, graph)
	m.Require = append(slices.Clone(base.Require), req...)
	m.Indirect = append(slices.Clone(base.Indirect), indirect...)
	goMod, err := codegen.GoMod(m)
	if err != nil {
		return nil, fmt.Errorf("writing go.mod: %w", err)
	}
	return goMod, nil
}

// directModules returns the modules of graph the main package imports a
// package of.
func directModules(main []codegen.File, graph []lock.Module) (map[string]bool, error) {
	pkgs, err := imports(main)
	if err != nil {
		return nil, err
	}
	return providers(pkgs, selected(graph)), nil
}

// recordRequires sets the Require of each module of graph where the
// tidied go.mod (tidied) requires it otherwise than the rule, so that
// graphGoMod renders it again; ok is false when no Require can make
// graphGoMod write tidied's requirements (a requirement go.sum has no line
// for, a component required otherwise than base), and graph is then left
// as the rule has it.
func recordRequires(base codegen.Module, main []codegen.File, graph []lock.Module, tidied []byte) (ok bool, err error) {
	f, err := modfile.ParseLax("go.mod", tidied, nil)
	if err != nil {
		return false, fmt.Errorf("reading the tidied go.mod: %w", err)
	}
	direct, err := directModules(main, graph)
	if err != nil {
		return false, err
	}
	sel := selected(graph)
	want := map[module.Version]string{}
	for _, r := range f.Require {
		how := lock.RequireDirect
		if r.Indirect {
			how = lock.RequireIndirect
		}
		want[r.Mod] = how
	}
	for i := range graph {
		g := &graph[i]
		g.Require = ""
		how, ok := want[module.Version{Path: g.Path, Version: g.Version}]
		if !ok {
			how = lock.RequireNone
		}
		if how != ruleRequire(*g, sel, direct) {
			g.Require = how
		}
	}
	again, err := graphGoMod(base, main, graph)
	if err == nil && goModSame(again, tidied) {
		return true, nil
	}
	for i := range graph {
		graph[i].Require = ""
	}
	return false, err
}

// goModSame reports whether the go.mod files a and b say the same: the
// same module, go and toolchain lines, requirements (and which are
// indirect), replaces and excludes, however laid out.
func goModSame(a, b []byte) bool {
	fa, erra := modfile.ParseLax("a", a, nil)
	fb, errb := modfile.ParseLax("b", b, nil)
	if erra != nil || errb != nil {
		return false
	}
	key := func(f *modfile.File) string {
		var sb strings.Builder
		if f.Module != nil {
			fmt.Fprintf(&sb, "module %s\n", f.Module.Mod.Path)
		}
		if f.Go != nil {
			fmt.Fprintf(&sb, "go %s\n", f.Go.Version)
		}
		if f.Toolchain != nil {
			fmt.Fprintf(&sb, "toolchain %s\n", f.Toolchain.Name)
		}
		var lines []string
		for _, r := range f.Require {
			lines = append(lines, fmt.Sprintf("require %s %s %v", r.Mod.Path, r.Mod.Version, r.Indirect))
		}
		for _, r := range f.Replace {
			lines = append(lines, fmt.Sprintf("replace %s %s => %s %s", r.Old.Path, r.Old.Version, r.New.Path, r.New.Version))
		}
		for _, e := range f.Exclude {
			lines = append(lines, fmt.Sprintf("exclude %s %s", e.Mod.Path, e.Mod.Version))
		}
		slices.Sort(lines)
		sb.WriteString(strings.Join(lines, "\n"))
		return sb.String()
	}
	return key(fa) == key(fb)
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
// It returns how many modules the build module requires whose files the
// cache lacks.
func (s *State) checkCached(graph []lock.Module) (missing int, err error) {
	cache := modcache.Cache(s.Toolchain.ModCache)
	var bad []string
	for _, m := range graph {
		if m.Hash == "" || m.Dir != "" {
			continue
		}
		mv := module.Version{Path: m.Path, Version: m.Version}
		sum, err := cache.ZipHash(mv)
		switch {
		case err != nil:
			if m.Require != lock.RequireNone {
				missing++
			}
		case sum != m.Hash:
			bad = append(bad, fmt.Sprintf("%s: checksum mismatch\n\tmodule cache: %s\n\t%s: %s", mv, sum, s.LockName(), m.Hash))
		}
	}
	if len(bad) > 0 {
		return 0, fail.New(fail.Mismatch, "a module does not match the hash %s records:\n%s", s.LockName(), strings.Join(bad, "\n"))
	}
	return missing, nil
}

// graphSum renders the go.sum of graph: its hashes as go.sum holds them,
// in the order the go command writes them (by path, then version by
// semver, a version's /go.mod line after its files'), so that the go.sum
// of a build from the lock is the one go mod tidy wrote, byte for byte.
func graphSum(graph []lock.Module) []byte {
	type line struct {
		mv   module.Version // Version with "/go.mod" for a go.mod line
		hash string
	}
	var lines []line
	for _, m := range graph {
		if m.Dir != "" {
			continue // replaced by a directory: not in go.sum
		}
		if m.Hash != "" {
			lines = append(lines, line{module.Version{Path: m.Path, Version: m.Version}, m.Hash})
		}
		if m.GoModHash != "" {
			lines = append(lines, line{module.Version{Path: m.Path, Version: m.Version + "/go.mod"}, m.GoModHash})
		}
	}
	mvs := make([]module.Version, len(lines))
	hash := map[module.Version]string{}
	for i, l := range lines {
		mvs[i] = l.mv
		hash[l.mv] = l.hash
	}
	module.Sort(mvs)
	var b bytes.Buffer
	for _, mv := range mvs {
		b.WriteString(mv.Path + " " + mv.Version + " " + hash[mv] + "\n")
	}
	return b.Bytes()
}

// unjustified returns a module version the build module's go.mod (goMod)
// requires although no go.mod of the build requires that version — not a
// component's, a local directory's, nor that of a module of graph the
// module cache holds (go has just read those it needs, checked against
// go.sum) — and is not itself a component; ok is false when there is none.
// go mod tidy requires a module at the version minimal version selection
// picks, which some go.mod of the graph asks for: a requirement only the
// lock makes would raise the module over what the build's modules ask
// for, so the lock's graph is not used (generate tidies instead, and
// --locked refuses the lock).
func (s *State) unjustified(goMod []byte, graph []lock.Module) (mv module.Version, ok bool, err error) {
	f, err := modfile.ParseLax("go.mod", goMod, nil)
	if err != nil {
		return mv, false, fmt.Errorf("reading the generated go.mod: %w", err)
	}
	asked := map[module.Version]bool{}
	ask := func(gm *modfile.File) {
		if gm == nil {
			return
		}
		for _, r := range gm.Require {
			asked[r.Mod] = true
		}
	}
	own := map[string]bool{}
	for _, c := range s.Set.All() {
		own[c.Module] = true
		ask(c.GoMod)
	}
	for _, d := range s.build().Defaults {
		own[d.Module] = true
	}
	locals, err := s.localDirs()
	if err != nil {
		return mv, false, err
	}
	for _, l := range locals {
		ask(l.goMod)
	}
	cache := modcache.Cache(s.Toolchain.ModCache)
	for _, g := range graph {
		if g.GoModHash == "" {
			continue
		}
		data, err := cache.GoMod(module.Version{Path: g.Path, Version: g.Version})
		if err != nil {
			continue // not in the graph go loaded
		}
		gm, err := modfile.ParseLax("go.mod", data, nil)
		if err != nil {
			continue
		}
		ask(gm)
	}
	for _, r := range f.Require {
		if !own[r.Mod.Path] && !asked[r.Mod] {
			return r.Mod, true, nil
		}
	}
	return mv, false, nil
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
