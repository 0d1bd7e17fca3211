package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/modshape"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/run"
	"github.com/plugctl/plugctl/internal/source"
)

// LocalDir is the directory of the build module that holds one symbolic link
// per module built from a local directory. The generated go.mod replaces
// those modules by "./local/NAME", never by a path that depends on where the
// project or the sources live: the replace target is recorded in the
// binary's build information, and -trimpath only rewrites file names.
const LocalDir = "local"

// genStateFile, inside the build module, records what the module was
// generated from, so an unchanged module is not generated (and tidied) again.
const genStateFile = ".plugctl-gen.json"

// genState is the content of genStateFile.
type genState struct {
	Key   string            `json:"key"`   // digest of the inputs of go mod tidy
	Files map[string]string `json:"files"` // go.mod, go.sum and the main package's files -> sha256
	Links map[string]string `json:"links"` // local/NAME -> absolute source directory
}

// genModule is the build module before go mod tidy.
type genModule struct {
	// base is its go.mod before the graph is known: the core and the
	// plugs required, the local ones and the replace map replaced; goMod
	// renders it.
	base  codegen.Module
	goMod []byte
	// main are the files of the main package: its templates' and the
	// build description (codegen.Package), sorted by name.
	main []codegen.File
	// sum seeds go.sum with the lock's hashes, which go mod tidy then
	// verifies every download against.
	sum   []byte
	links map[string]string // link name under LocalDir -> absolute directory
}

// names returns the files of m the build module holds, go.sum aside.
func (m *genModule) names() []string {
	out := []string{"go.mod"}
	for _, f := range m.main {
		out = append(out, f.Name)
	}
	return out
}

// moduleFiles returns the files of the build module in dir that plugctl
// writes: go.mod, go.sum when there is one, every .go file and
// Windows version resource (codegen.VersionResources) of the main package,
// and the embedded files below codegen.EmbedDir (build.embed), sorted. The
// vendor tree copies them and an artifact's record hashes them.
func moduleFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := []string{"go.mod"}
	for _, e := range ents {
		if n := e.Name(); e.Type().IsRegular() && (n == "go.sum" || strings.HasSuffix(n, ".go") || codegen.IsVersionResource(n)) {
			out = append(out, n)
		}
	}
	emb := filepath.Join(dir, codegen.EmbedDir)
	if fi, err := os.Lstat(emb); err == nil && fi.IsDir() {
		err := filepath.WalkDir(emb, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.Type().IsRegular() {
				rel, err := filepath.Rel(dir, p)
				if err != nil {
					return err
				}
				out = append(out, filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(out[1:])
	return out, nil
}

// writeNested writes data to name, making its directory first: the
// embedded files sit in directories below the build module.
func writeNested(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, data, 0o644)
}

// genDir is where generate writes the build module: generate -o, or
// .plugctl/gen.
func (s *State) genDir() string {
	if s.Opts.GenDir != "" {
		return s.Opts.GenDir
	}
	return s.statePath("gen")
}

// generate (the generate step) writes the build module into genDir:
// go.mod and go.sum, the generated main package and the local/ links.
// From an up-to-date lock, go.mod and go.sum are written from the graph it
// records (gomod.go); otherwise go mod tidy completes them, verifying
// every download against the hashes the lock has, and the drift check
// follows. The module is assembled in a sibling temporary directory and
// its files renamed into place, so an interrupted run never leaves a
// half-written module. When the directory already holds the module the
// same inputs produce (genKey) it is left alone.
func (s *State) generate(ctx context.Context) error {
	dir, err := filepath.Abs(s.genDir())
	if err != nil {
		return err
	}
	s.GenDir = dir
	m, err := s.module()
	if err != nil {
		return err
	}
	graph, fromLock, err := s.lockedGraph()
	if err != nil {
		return err
	}
	var goMod []byte
	if fromLock {
		if goMod, err = graphGoMod(m.base, m.main, graph); err != nil {
			return err
		}
	}
	key, err := s.genKey(m, graph, fromLock)
	if err != nil {
		return err
	}
	fresh := genFresh(dir, key, m)
	if !fresh && fromLock {
		// A module tidied before from these inputs because the lock's
		// graph did not load as it was written (below) is as good.
		tidyKey, err := s.genKey(m, graph, false)
		if err != nil {
			return err
		}
		if genFresh(dir, tidyKey, m) {
			fresh, fromLock, key = true, false, tidyKey
		}
	}
	if fresh {
		// Made from the same inputs before, drift check included.
		if err := s.readGraph(dir); err != nil {
			return err
		}
		if fromLock {
			keepRequires(s.lock.graph, graph)
		} else {
			tidied, err := os.ReadFile(filepath.Join(dir, "go.mod"))
			if err != nil {
				return err
			}
			if _, err := recordRequires(m.base, m.main, s.lock.graph, tidied); err != nil {
				return err
			}
		}
		return s.findRaises(ctx, dir)
	}
	tmp, err := files.TempDir(dir)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := m.write(tmp); err != nil {
		return err
	}
	if fromLock {
		// The lock was made from this config, its graph passed the drift
		// check then, and the local sources need nothing it lacks: no go
		// mod tidy.
		missing, err := s.checkCached(graph)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(tmp, "go.mod"), goMod, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(tmp, "go.sum"), graphSum(graph), 0o644); err != nil {
			return err
		}
		why, err := s.graphHolds(ctx, tmp, goMod, graph)
		if err != nil {
			return err
		}
		if why == "" && missing > 0 {
			// A fresh module cache: the modules the build needs are
			// downloaded here, where a hash the lock records that
			// does not match is an integrity failure naming the module,
			// not a failed compile.
			err = s.download(ctx, tmp, missing)
		}
		if err != nil {
			return err
		}
		if why != "" {
			// The safety net: go mod tidy writes the module instead,
			// from the same seed, and the lock is held to what it finds
			// (save-lock; --locked refuses a lock that differs).
			s.R.Note(fmt.Sprintf("%s: the build module written from its graph %s: go mod tidy writes it", s.LockName(), why))
			if key, err = s.genKey(m, graph, false); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(tmp, "go.mod"), m.goMod, 0o644); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(tmp, "go.sum"), m.sum, 0o644); err != nil {
				return err
			}
			fromLock = false
		}
	}
	if !fromLock {
		if err := s.tidy(ctx, tmp); err != nil {
			return err
		}
		// Before anything is written: a build module that moves the core
		// or a plug off its version must not replace a good one.
		if err := s.checkDrift(ctx, tmp); err != nil {
			return err
		}
	}
	if err := s.findRaises(ctx, tmp); err != nil {
		return err
	}
	if err := s.readGraph(tmp); err != nil {
		return err
	}
	if fromLock {
		keepRequires(s.lock.graph, graph)
	} else {
		// The lock this run writes records how go mod tidy required each
		// module (lock.Module.Require), so that a build from it writes
		// this go.mod and go.sum again byte for byte, with no tidy; and
		// the next run, from the lock, finds this module as it is.
		tidied, err := os.ReadFile(filepath.Join(tmp, "go.mod"))
		if err != nil {
			return err
		}
		ok, err := recordRequires(m.base, m.main, s.lock.graph, tidied)
		if err != nil {
			return err
		}
		if ok {
			again, err := graphGoMod(m.base, m.main, s.lock.graph)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(tmp, "go.mod"), again, 0o644); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(tmp, "go.sum"), graphSum(s.lock.graph), 0o644); err != nil {
				return err
			}
			if key, err = s.genKey(m, s.lock.graph, true); err != nil {
				return err
			}
		}
	}
	st := genState{Key: key, Files: map[string]string{}, Links: m.links}
	// The state goes first: should the run stop half-way, the module
	// no longer matches it and is generated again.
	_ = os.Remove(filepath.Join(dir, genStateFile))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := files.ReplaceDir(filepath.Join(tmp, LocalDir), filepath.Join(dir, LocalDir)); err != nil {
		return err
	}
	for _, name := range append(m.names(), "go.sum") {
		data, err := os.ReadFile(filepath.Join(tmp, name))
		if os.IsNotExist(err) && name == "go.sum" {
			data, err = nil, nil
		}
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := files.WriteFile(target, data, 0o644); err != nil {
			return err
		}
		st.Files[name] = sha256hex(data)
	}
	// A file of the main package that these inputs no longer make (a
	// profile's template, a file of an earlier plugctl) would be compiled
	// in: remove every generated .go file but those just written.
	if err := removeStale(dir, st.Files); err != nil {
		return err
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return files.WriteFile(filepath.Join(dir, genStateFile), append(data, '\n'), 0o644)
}

// keepRequires sets the Require of each module of graph, read back from
// the build module written from the lock, to the lock's (from).
func keepRequires(graph, from []lock.Module) {
	req := map[module.Version]string{}
	for _, m := range from {
		req[module.Version{Path: m.Path, Version: m.Version}] = m.Require
	}
	for i := range graph {
		graph[i].Require = req[module.Version{Path: graph[i].Path, Version: graph[i].Version}]
	}
}

// module renders the build module's go.mod and main package and decides its
// local links.
func (s *State) module() (*genModule, error) {
	set := s.Set
	g := &genModule{links: map[string]string{}}
	// The go line is the toolchain's own version: no module the toolchain
	// builds can ask for a higher one, so go mod tidy never raises it,
	// and a build from the lock writes the line tidy wrote.
	m := codegen.Module{Path: "plugctl.build/" + s.Config.Name, Go: s.Toolchain.GoLine()}
	taken := map[string]bool{}
	link := func(mod, abs string) string {
		name := strings.ReplaceAll(mod, "/", "_")
		for i := 2; taken[name]; i++ {
			name = fmt.Sprintf("%s~%d", strings.ReplaceAll(mod, "/", "_"), i)
		}
		taken[name] = true
		g.links[name] = abs
		return "./" + LocalDir + "/" + name
	}
	replaced := map[string]bool{}
	required := map[string]bool{}
	for _, c := range append([]source.Component{set.Core}, set.Plugs...) {
		m.Require = append(m.Require, module.Version{Path: c.Module, Version: c.Version})
		required[c.Module] = true
		if c.Dir != "" {
			m.Replace = append(m.Replace, codegen.Replace{Old: module.Version{Path: c.Module}, New: module.Version{Path: link(c.Module, c.Dir)}})
			replaced[c.Module] = true
		}
	}
	// The profile's default components at the versions it chose: left to
	// go mod tidy, they would be the newest the proxy has.
	for _, d := range s.build().Defaults {
		if !required[d.Module] {
			m.Require = append(m.Require, module.Version{Path: d.Module, Version: d.Version})
			required[d.Module] = true
		}
	}
	for _, r := range s.Config.Replace {
		if replaced[r.Path] {
			return nil, fail.Wrap(fail.Config, &diag.Problem{File: s.Config.File, Pos: r.Pos, Msg: fmt.Sprintf("replace %s: the module is already built from its source in the config", r.Path)})
		}
		to := r.Path
		if r.Module != "" {
			to = r.Module // a fork
		}
		rep := codegen.Replace{Old: module.Version{Path: r.Path}, New: module.Version{Path: to, Version: r.Version}}
		if r.Dir != "" {
			rep.New = module.Version{Path: link(r.Path, s.abs(r.Dir))}
		}
		m.Replace = append(m.Replace, rep)
	}
	for _, e := range s.Config.Exclude {
		m.Exclude = append(m.Exclude, module.Version{Path: e.Path, Version: e.Version})
	}
	inherited, err := s.inheritReplaces()
	if err != nil {
		return nil, err
	}
	s.inherited = inherited
	for _, in := range inherited {
		rep := codegen.Replace{Old: in.old, New: in.new}
		if in.dir != "" {
			rep.New = module.Version{Path: link(in.old.Path, in.dir)}
		}
		m.Replace = append(m.Replace, rep)
	}
	g.base = m
	g.goMod, err = codegen.GoMod(m)
	if err != nil {
		return nil, fmt.Errorf("writing go.mod: %w", err)
	}
	if _, err := s.embedded(); err != nil {
		return nil, err
	}
	d := s.Data()
	tmpls := s.build().Templates
	if len(d.Embedded) > 0 && len(s.build().Embed) > 0 {
		// The profile hands the files to the core its own way, beside
		// the main package's templates (the built-in one when none).
		if len(tmpls) == 0 {
			tmpls = []codegen.Template{codegen.BuiltinMain()}
		}
		tmpls = append(slices.Clone(tmpls), s.build().Embed...)
	}
	g.main, err = codegen.Package(d, tmpls)
	if err != nil {
		return nil, fail.Wrap(fail.Config, err)
	}
	g.sum = s.seedGoSum()
	return g, nil
}

// removeStale removes the .go files, version resources and embedded files
// of dir that plugctl generated and keep does not list.
func removeStale(dir string, keep map[string]string) error {
	names, err := moduleFiles(dir)
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, ok := keep[n]; ok || !codegen.IsVersionResource(n) && !codegen.IsEmbedded(n) && (!strings.HasSuffix(n, ".go") || !generatedFile(filepath.Join(dir, n))) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, n)); err != nil {
			return err
		}
	}
	for n := range keep {
		if codegen.IsEmbedded(n) {
			return nil
		}
	}
	// No embedded files: no directories left of earlier ones either.
	return os.RemoveAll(filepath.Join(dir, codegen.EmbedDir))
}

// template returns the text of core.template, or "" for the built-in one.
func (s *State) template() (string, error) {
	t := s.Config.Core.Template
	if t == "" {
		return "", nil
	}
	b, err := files.ReadFile(s.abs(t), codegen.MaxTemplateSize)
	if err != nil {
		return "", fail.Wrap(fail.Config, fmt.Errorf("core.template: %w", err))
	}
	return string(b), nil
}

// write writes m into dir as it is before its graph is known: go.mod,
// the main package, go.sum seeded with the lock's hashes, and the local/
// links.
func (m *genModule) write(dir string) error {
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), m.goMod, 0o644); err != nil {
		return err
	}
	for _, f := range m.main {
		if err := writeNested(filepath.Join(dir, filepath.FromSlash(f.Name)), f.Data); err != nil {
			return err
		}
	}
	if len(m.sum) > 0 {
		if err := os.WriteFile(filepath.Join(dir, "go.sum"), m.sum, 0o644); err != nil {
			return err
		}
	}
	if err := os.Mkdir(filepath.Join(dir, LocalDir), 0o755); err != nil {
		return err
	}
	for name, target := range m.links {
		if err := os.Symlink(target, filepath.Join(dir, LocalDir, name)); err != nil {
			return err
		}
	}
	return nil
}

// tidy completes the module write wrote into tmp with go mod tidy, which
// verifies every download against the hashes seeded from the lock,
// counting the modules it downloads.
func (s *State) tidy(ctx context.Context, tmp string) error {
	// Each module whose files go downloads it says as it starts ("go:
	// downloading example.com/m v1.2.3"): counted, it shows where a long
	// tidy is (a first lock of Caddy downloads hundreds).
	n := s.waitGraphDownload()
	count := func(line string) bool {
		if strings.HasPrefix(line, "go: downloading ") {
			n++
			s.Count(report.Downloads, n, 0)
		}
		return true
	}
	if _, err := gotool.Run(ctx, s.R, run.Cmd{Dir: tmp, StderrLine: count}, map[string]string{"GOFLAGS": "-mod=mod"}, "mod", "tidy"); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return tidyError(s, err)
	}
	return nil
}

// graphHolds checks the build module written from the lock's graph in
// dir (its go.mod goMod) before it is used, and says why not when it
// must not be ("" when it holds): the go command must load its module
// graph as it is, with no update to go.mod or go.sum (go list -m all,
// -mod=readonly: it reads the go.mod files of the graph, from the module
// cache or downloaded and checked against go.sum — tens of milliseconds
// when the cache holds them), and every requirement must be one a go.mod
// of the build asks for (unjustified). A go.mod or module that does not
// match the hash the lock records is an integrity failure (exit 3).
func (s *State) graphHolds(ctx context.Context, dir string, goMod []byte, graph []lock.Module) (string, error) {
	_, err := gotool.Run(ctx, s.R, run.Cmd{Dir: dir}, map[string]string{"GOFLAGS": "-mod=readonly"}, "list", "-m", "all")
	if err != nil {
		if ctx.Err() != nil {
			return "", err
		}
		if mismatch(err) {
			return "", tidyError(s, err)
		}
		msg := err.Error()
		var re *run.Error
		if errors.As(err, &re) && strings.TrimSpace(re.Stderr) != "" {
			msg = strings.TrimSpace(re.Stderr)
		}
		first, _, _ := strings.Cut(msg, "\n")
		return "does not load (" + first + ")", nil
	}
	mv, bad, err := s.unjustified(goMod, graph)
	if err != nil {
		return "", err
	}
	if bad {
		return fmt.Sprintf("requires %s, a version no module of the build asks for", mv), nil
	}
	return "", nil
}

// download downloads into the module cache the modules the build module in
// dir requires (go mod download, as many at once as the download of the
// graph fetch starts), checking each against go.sum — the lock's hashes —,
// counting them (n of them were missing).
func (s *State) download(ctx context.Context, dir string, n int) error {
	s.Count(report.Downloads, 0, n)
	var done atomic.Int64
	count := func(line string) bool {
		if zipFetched(line) {
			s.Count(report.Downloads, int(done.Add(1)), n)
		}
		return true
	}
	if _, err := gotool.Run(ctx, s.R, run.Cmd{Dir: dir, StderrLine: count}, map[string]string{"GOFLAGS": "-mod=readonly", "GOMAXPROCS": strconv.Itoa(graphParallel)}, "mod", "download", "-x"); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return tidyError(s, err)
	}
	s.Count(report.Downloads, n, n)
	return nil
}

// genKey digests everything the build module is made from: its go.mod
// before the graph is known and its main package; the graph, when it
// comes from the lock (fromLock), else the go.sum seeded from the lock that
// go mod tidy reads; the content of every fetched tree; the shape of every
// local directory (modshape: its go.mod and the imports of its Go files, not
// the bodies of its code, which the build reads through the links as they
// are); and the toolchain. An edit to a function of a local plug leaves the
// key as it was, so the module is left alone. Modules from the proxy are
// immutable at a version, so their content needs no hash here.
func (s *State) genKey(m *genModule, graph []lock.Module, fromLock bool) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "plugctl-gen/v3\ntoolchain %s\n", s.Toolchain.Version)
	fmt.Fprintf(h, "go.mod %s\n", sha256hex(m.goMod))
	for _, f := range m.main {
		fmt.Fprintf(h, "main %s %s\n", f.Name, sha256hex(f.Data))
	}
	if fromLock {
		// go.mod and go.sum are the graph's: the seed of go.sum is not
		// read.
		fmt.Fprintf(h, "graph %s\n", graphDigest(graph))
	} else {
		fmt.Fprintf(h, "go.sum %s\n", sha256hex(m.sum))
	}
	names := make([]string, 0, len(m.links))
	for n := range m.links {
		names = append(names, n)
	}
	sort.Strings(names)
	// A fetched tree (a git or archive plug) never changes at its
	// version: its content hash, which fetch already took, stands for it.
	fetched := map[string]bool{}
	for _, c := range s.Set.All() {
		if c.Dir != "" && !live(c.Kind) {
			fetched[c.Dir] = true
		}
	}
	for _, n := range names {
		dir := m.links[n]
		if fetched[dir] {
			th, err := s.treeHash(dir)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(h, "tree %s %s\n", n, th)
			continue
		}
		sh, err := s.shape(dir)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "local %s %s %s\n", n, dir, sh.Digest)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// genFresh reports whether dir holds the module generated from key, intact.
func genFresh(dir, key string, m *genModule) bool {
	data, err := os.ReadFile(filepath.Join(dir, genStateFile))
	if err != nil {
		return false
	}
	var st genState
	if json.Unmarshal(data, &st) != nil || st.Key != key || len(st.Links) != len(m.links) || len(st.Files) != len(m.names())+1 {
		return false
	}
	for _, name := range append(m.names(), "go.sum") {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil || sha256hex(data) != st.Files[name] {
			return false
		}
	}
	// A file below the embedded directory that these inputs do not make
	// would be embedded.
	names, err := moduleFiles(dir)
	if err != nil {
		return false
	}
	for _, name := range names {
		if _, ok := st.Files[name]; !ok && codegen.IsEmbedded(name) {
			return false
		}
	}
	for name, target := range m.links {
		if got, err := os.Readlink(filepath.Join(dir, LocalDir, name)); err != nil || got != target {
			return false
		}
	}
	return true
}

// shape returns the shape of the local directory dir (modshape), read from
// the one walk of it this run makes.
func (s *State) shape(dir string) (*modshape.Shape, error) {
	sums, err := s.hashCache().Dir(dir)
	if err != nil {
		return nil, fail.Wrap(fail.Config, err)
	}
	sh, err := modshape.Read(sums)
	if err != nil {
		return nil, fail.Wrap(fail.Config, err)
	}
	return sh, nil
}

// treeHash returns the content hash of dir (modhash), from the one read of
// it this run makes.
func (s *State) treeHash(dir string) (string, error) {
	if h, ok := s.trees[dir]; ok {
		return h, nil
	}
	sums, err := s.hashCache().Dir(dir)
	if err != nil {
		return "", fail.Wrap(fail.Config, err)
	}
	h, err := sums.Content()
	if err != nil {
		return "", fail.Wrap(fail.Config, err)
	}
	if s.trees == nil {
		s.trees = map[string]string{}
	}
	s.trees[dir] = h
	return h, nil
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
