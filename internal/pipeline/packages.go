package pipeline

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"go/build"
	"go/parser"
	"go/scanner"
	"go/token"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/source"
)

// This file holds the checks of the check step that find, in what was
// fetched, what go mod tidy (run by generate) would refuse with raw go
// output: two components with one module path, a replace directory that is
// not the module it replaces, and an import that names no package of its
// module — a plug's import, a core.imports entry, or an import in a source
// plugctl fetched, such as one into a git submodule, which git sources
// leave out as module zips do. Each is a config problem at the position of
// the entry concerned (exit 2), found by validate.

// checkModules refuses two components that build one module path, at
// both: the build module can hold a module once, so one of them would be
// silently left out while the lock and inspect list both.
func (s *State) checkModules() error {
	comps := s.Set.All()
	first := map[string]int{}
	var errs diag.List
	for i, c := range comps {
		j, ok := first[c.Module]
		if !ok {
			first[c.Module] = i
			continue
		}
		a, b := &s.requests[j], &s.requests[i]
		pa, pb := sourceAt(a), sourceAt(b)
		errs = append(errs,
			&diag.Problem{File: a.File, Pos: pa, Subject: a.Name, Msg: fmt.Sprintf("module %s is also built by %s (%s:%d:%d): a module is built from one source; remove one of them", c.Module, who(b.Name), b.File, pb.Line, pb.Col)},
			&diag.Problem{File: b.File, Pos: pb, Subject: b.Name, Msg: fmt.Sprintf("module %s is also built by %s (%s:%d:%d): a module is built from one source; remove one of them", c.Module, who(a.Name), a.File, pa.Line, pa.Col)})
	}
	if len(errs) > 0 {
		return fail.Wrap(fail.Config, errs.Sort())
	}
	return nil
}

// sourceAt is where the config says where r comes from: its source, else
// its module.
func sourceAt(r *source.Request) diag.Pos {
	if r.Source != "" {
		return r.At("source")
	}
	return r.At("module")
}

// who names a component in a message: the core, or plug "name".
func who(name string) string {
	if name == source.CoreName {
		return "the core"
	}
	return fmt.Sprintf("plug %q", name)
}

// checkReplaceDirs refuses a replace entry whose directory is not the
// module it replaces: no directory, no go.mod, or a go.mod naming another
// module.
func (s *State) checkReplaceDirs() error {
	var errs diag.List
	for _, r := range s.Config.Replace {
		if r.Dir == "" {
			continue
		}
		add := func(format string, args ...any) {
			errs = append(errs, &diag.Problem{File: s.Config.File, Pos: r.Pos, Msg: fmt.Sprintf("replace %s: ", r.Path) + fmt.Sprintf(format, args...)})
		}
		dir := s.abs(r.Dir)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			add("%s is not a directory (valid: the directory of a Go module, relative to the config)", r.Dir)
			continue
		}
		gomod := strings.TrimSuffix(r.Dir, "/") + "/go.mod"
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
			add("%s has no go.mod: go takes only a module as a replacement (go mod init %s there makes it one)", r.Dir, r.Path)
			continue
		}
		sums, err := s.hashCache().Dir(dir)
		if err != nil {
			add("%v", err)
			continue
		}
		f, err := source.SumsGoMod(sums, filepath.Join(dir, "go.mod"))
		switch {
		case err != nil:
			add("%s", strings.ReplaceAll(err.Error(), filepath.Join(dir, "go.mod"), gomod))
		case f.Module == nil:
			add("%s has no module line", gomod)
		case f.Module.Mod.Path != r.Path:
			add("%s says module %s: a replacement must be the module it replaces", gomod, f.Module.Mod.Path)
		}
	}
	if len(errs) > 0 {
		return fail.Wrap(fail.Config, errs.Sort())
	}
	return nil
}

// maxWalked bounds the packages checkPackages reads in one source: it
// reads import clauses only, but a source could hold any number.
const maxWalked = 5000

// checkPackages checks that every package the generated main imports from
// a component plugctl has the source of is a package there — a plug's
// import, an entry of core.imports (core.main is the core profile's to
// check) — and, in the sources built from a directory (git, archive,
// local), that every import of their packages into their own module
// names a package they hold: git sources leave submodules out, so an
// import into one finds nothing.
func (s *State) checkPackages() error {
	ctxs := s.buildContexts()
	comps := s.Set.All()
	owner := func(imp string) int {
		best := -1
		for i, c := range comps {
			if c.Root != "" && (imp == c.Module || strings.HasPrefix(imp, c.Module+"/")) && (best < 0 || len(c.Module) > len(comps[best].Module)) {
				best = i
			}
		}
		return best
	}
	var errs diag.List
	roots := make([][]string, len(comps)) // the packages to walk from, by component
	// A package the main imports: it must be there.
	imported := func(imp string, r *source.Request, pos diag.Pos, what string) {
		i := owner(imp)
		if i < 0 {
			return // in a module of the build graph: go finds it
		}
		c := comps[i]
		if why, _ := newSrcTree(c, ctxs).problem(imp); why != "" {
			errs = append(errs, &diag.Problem{File: r.File, Pos: pos, Subject: r.Name, Msg: fmt.Sprintf("%s %s is not a package of %s (%s): %s", what, imp, c.Module, modDisplay(c), why)})
			return
		}
		roots[i] = append(roots[i], imp)
	}
	for i := range comps[1:] {
		r := &s.requests[i+1]
		pos := r.At("import")
		if r.Import == "" {
			pos = sourceAt(r)
		}
		imported(comps[i+1].Import, r, pos, "import")
	}
	core := &s.requests[0]
	b := s.build()
	for _, imp := range b.Imports {
		pos, ok := s.Config.Core.ImportPos[imp]
		if !ok {
			pos = core.Pos // the profile's
		}
		imported(imp, core, pos, "imports entry")
	}
	if i := owner(b.Main); i >= 0 {
		if why, _ := newSrcTree(comps[i], ctxs).problem(b.Main); why == "" {
			roots[i] = append(roots[i], b.Main)
		}
	}
	// The imports inside each source built from a directory.
	for i, c := range comps {
		if c.Dir == "" || len(roots[i]) == 0 {
			continue
		}
		r := &s.requests[i]
		for _, m := range newSrcTree(c, ctxs).walk(roots[i]) {
			errs = append(errs, &diag.Problem{File: r.File, Pos: sourceAt(r), Subject: r.Name, Msg: m})
		}
	}
	if len(errs) > 0 {
		return fail.Wrap(fail.Config, errs.Sort())
	}
	return nil
}

// buildContexts are the go/build contexts of the targets the config
// builds (the host when it names none), with its tags: a file counts when
// any of them builds it.
func (s *State) buildContexts() []build.Context {
	targets := s.Config.Build.Targets
	if len(targets) == 0 {
		targets = []platform.Target{platform.Host()}
	}
	tags, _ := s.BuildFlags()
	var out []build.Context
	for _, t := range targets {
		ctx := build.Default
		ctx.GOOS, ctx.GOARCH, ctx.CgoEnabled = t.OS, t.Arch, false
		ctx.BuildTags = tags
		out = append(out, ctx)
	}
	return out
}

// modDisplay names the source of component c in messages: a local
// directory as the config names it, else module@version.
func modDisplay(c source.Component) string {
	switch {
	case c.Kind == source.Local && c.Origin.Path != "":
		return strings.TrimSuffix(c.Origin.Path, "/")
	case c.Version == "":
		return c.Module
	}
	return c.Module + "@" + c.Version
}

// inSource names the slash path rel of component c's source in messages.
func inSource(c source.Component, rel string) string {
	if rel == "" || rel == "." {
		return modDisplay(c)
	}
	return modDisplay(c) + "/" + rel
}

// srcTree reads the Go files of a component's source for checkPackages:
// through the heads its Sums kept (modhash.Sums.GoHead) when it has them,
// so that a fetched tree is still read once in a run.
type srcTree struct {
	c    source.Component
	ctxs []build.Context
	subs []string // the paths of a git source's submodules
}

// newSrcTree returns the source of c, read for the build contexts ctxs.
func newSrcTree(c source.Component, ctxs []build.Context) srcTree {
	return srcTree{c: c, ctxs: ctxs, subs: submodules(c)}
}

// goFile is what checkPackages needs of a Go file: its package clause and
// its imports, with their positions.
type goFile struct {
	name, pkg string
	imports   []goImport
	// err is why its head does not parse: "line:col: msg".
	err string
}

type goImport struct {
	path      string
	line, col int
}

// head returns the head of the Go file at slash path rel of the source:
// build constraints, package clause and imports.
func (t srcTree) head(rel string) ([]byte, error) {
	if t.c.Sums != nil {
		if b, ok := t.c.Sums.GoHead(rel); ok {
			return b, nil
		}
	}
	return os.ReadFile(filepath.Join(t.c.Root, filepath.FromSlash(rel)))
}

// files returns the Go files of the package at slash path rel that any of
// the build contexts builds, test files left out, sorted by name; a file
// whose head does not parse is left to the compiler.
func (t srcTree) files(rel string) []goFile {
	dir := filepath.Join(t.c.Root, filepath.FromSlash(rel))
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []goFile
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		name := path.Join(rel, n)
		data, err := t.head(name)
		if err != nil {
			continue
		}
		built := false
		for i := range t.ctxs {
			ctx := t.ctxs[i]
			ctx.OpenFile = func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
			if ok, err := ctx.MatchFile(dir, n); err == nil && ok {
				built = true
				break
			}
		}
		if !built {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, n, data, parser.ImportsOnly)
		var list scanner.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			out = append(out, goFile{name: n, err: fmt.Sprintf("%d:%d: %s", list[0].Pos.Line, list[0].Pos.Column, list[0].Msg)})
			continue
		}
		if err != nil || f.Name == nil {
			continue
		}
		g := goFile{name: n, pkg: f.Name.Name}
		for _, spec := range f.Imports {
			if imp, err := strconv.Unquote(spec.Path.Value); err == nil {
				p := fset.Position(spec.Path.Pos())
				g.imports = append(g.imports, goImport{imp, p.Line, p.Column})
			}
		}
		out = append(out, g)
	}
	return out
}

// problem says why imp is not a package of the source that the build can
// import, or ""; when it is one, its Go files.
func (t srcTree) problem(imp string) (string, []goFile) {
	c := t.c
	rel := strings.TrimPrefix(strings.TrimPrefix(imp, c.Module), "/")
	if sub, ok := t.inSubmodule(rel); ok {
		return fmt.Sprintf("it is in the git submodule %s, and git sources leave submodules out (as module zips do); make it a module of its own, or copy it into the repository", sub), nil
	}
	fi, err := os.Stat(filepath.Join(c.Root, filepath.FromSlash(rel)))
	if err != nil || !fi.IsDir() {
		return fmt.Sprintf("no directory %s", inSource(c, rel)), nil
	}
	files := t.files(rel)
	if len(files) == 0 {
		return fmt.Sprintf("no Go files that build in %s", inSource(c, rel)), nil
	}
	// What go reads before it compiles anything: the package clauses and
	// imports, which must parse and agree.
	for _, f := range files {
		if f.err != "" {
			return fmt.Sprintf("%s:%s", inSource(c, path.Join(rel, f.name)), f.err), nil
		}
	}
	for _, f := range files[1:] {
		if f.pkg != files[0].pkg {
			return fmt.Sprintf("found packages %s (%s) and %s (%s) in %s", files[0].pkg, files[0].name, f.pkg, f.name, inSource(c, rel)), nil
		}
	}
	if files[0].pkg == "main" {
		return "it is a program (package main), which cannot be imported", nil
	}
	return "", files
}

// walk follows, from the packages roots of the source, every import into
// its own module, and says of each that names no package there where it
// is: "module@version/file.go:line:col imports …: why". Packages of nested
// modules (a directory with a go.mod of its own) are another module's,
// which go finds.
func (t srcTree) walk(roots []string) []string {
	c := t.c
	var out []string
	seen := map[string]bool{}
	queue := slices.Clone(roots)
	for _, r := range roots {
		seen[r] = true
	}
	for n := 0; len(queue) > 0 && n < maxWalked; n++ {
		pkg := queue[0]
		queue = queue[1:]
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, c.Module), "/")
		for _, f := range t.files(rel) {
			for _, imp := range f.imports {
				if seen[imp.path] || !(imp.path == c.Module || strings.HasPrefix(imp.path, c.Module+"/")) || nested(c, imp.path) {
					continue
				}
				seen[imp.path] = true
				if why, _ := t.problem(imp.path); why != "" {
					out = append(out, fmt.Sprintf("%s:%d:%d imports %s: %s", inSource(c, path.Join(rel, f.name)), imp.line, imp.col, imp.path, why))
					continue
				}
				queue = append(queue, imp.path)
			}
		}
	}
	return out
}

// nested reports whether the package imp lies in a module nested in c's
// directory: a directory between c's root and it holds a go.mod.
func nested(c source.Component, imp string) bool {
	rel := strings.TrimPrefix(strings.TrimPrefix(imp, c.Module), "/")
	for d := rel; d != "." && d != "" && d != "/"; d = path.Dir(d) {
		if _, err := os.Stat(filepath.Join(c.Root, filepath.FromSlash(d), "go.mod")); err == nil {
			return true
		}
	}
	return false
}

// submodules returns the paths of the submodules of the git source c, as
// its .gitmodules lists them (kept when its tree was hashed).
func submodules(c source.Component) []string {
	if c.Kind != source.Git {
		return nil
	}
	data, ok := []byte(nil), false
	if c.Sums != nil {
		data, ok = c.Sums.Kept(gitmodules)
	}
	if !ok {
		var err error
		if data, err = os.ReadFile(filepath.Join(c.Root, gitmodules)); err != nil {
			return nil
		}
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if ok && strings.TrimSpace(k) == "path" {
			if sub := strings.Trim(strings.TrimSpace(v), `"/`); sub != "" {
				out = append(out, sub)
			}
		}
	}
	return out
}

// gitmodules is the file that lists a git repository's submodules.
const gitmodules = ".gitmodules"

// inSubmodule reports whether the slash path rel of the source is in one
// of its git submodules, and which.
func (t srcTree) inSubmodule(rel string) (string, bool) {
	for _, sub := range t.subs {
		if rel == sub || strings.HasPrefix(rel, sub+"/") {
			return sub, true
		}
	}
	return "", false
}
