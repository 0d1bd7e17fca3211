// Package resolve turns the core and plugs of a config into exact module
// versions with a place on disk to build them from.
//
// Go module components (no source in the config) are resolved through the go
// command with the user's own environment, so GOPROXY lists (off and direct
// included), GOPRIVATE, GONOPROXY, GONOSUMDB, GOFLAGS and .netrc mean what
// they mean to go itself. Constraints are matched with Masterminds/semver/v3
// against the versions the proxy lists; exact versions, pseudo-versions and
// "latest" are handed to go as queries. git and archive sources are resolved
// and fetched by internal/fetch into Options.Sources (a git version pinned to
// a full commit, an archive by its checksum) and built from there like local
// directories, which are used as they are. Every component gets its module's
// h1: hash.
//
// A Pin (from the lock file) replaces resolution: the component is fetched
// at exactly the pinned version or commit, whatever newer version its
// constraint would allow; a pinned git tag that moved is a mismatch. Lookups
// run in parallel.
package resolve

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/mod/modfile"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/fetch"
	"github.com/plugctl/plugctl/internal/modhash"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/report"
)

// LocalVersion is the version a module built from a directory is required at.
const LocalVersion = "v0.0.0"

// CoreName is the name the core goes by where plugs go by theirs (pins,
// the lock, messages).
const CoreName = "core"

// The kinds of origin, as the lock file writes them.
const (
	OriginProxy   = "proxy"   // fetched by the go command (module proxy or, per GOPRIVATE/direct, its VCS)
	OriginGit     = "git"     // a git repository
	OriginArchive = "archive" // an archive URL
	OriginLocal   = "local"   // a local directory
)

// Component is the core or one plug, resolved.
type Component struct {
	Name      string // plug name; CoreName for the core
	Kind      config.SourceKind
	Module    string // module path
	Requested string // version or constraint as the config wrote it
	Version   string // resolved version (LocalVersion for directories)
	Import    string // package to import (plugs) or that holds the entry (core)
	// Dir is the source directory of a local, git or archive component. The
	// generated go.mod replaces Module with it; it is empty for modules the
	// go command fetches.
	Dir string
	// Root is where the component's files are on disk: Dir, or the module
	// cache directory of a fetched module. Manifests are read from it.
	Root   string
	GoMod  *modfile.File
	Origin Origin
	// Hash is the module's h1: hash, as go.sum writes it: go's own for a
	// fetched module, the hash of the files a module zip of Dir would hold
	// otherwise.
	Hash string
	// Sums are the digests of Dir's files, read once by this resolution
	// (nil for a module the go command fetches): the hashes of Dir, and
	// the bytes of its go.mod and manifest, come from them.
	Sums *modhash.Sums
}

// Origin says where a component's bytes came from.
type Origin struct {
	Kind   string // OriginProxy, OriginGit, OriginArchive or OriginLocal
	URL    string // git or archive URL (credentials redacted); for a fetched module, the VCS URL when go went direct
	Commit string // full commit hash, when known
	Ref    string // the git ref the version named (refs/tags/v1.2.0, refs/heads/main); "" for a commit
	SHA256 string // archive checksum, "sha256:<hex>"
	Path   string // local directory as the config wrote it
}

// Pin fixes the resolution of one component to what a lock recorded.
type Pin struct {
	Version string // exact module version
	Commit  string // full commit hash, for git sources
	// Ref is the git ref the commit was resolved from. A tag is checked
	// again: a tag that moved since the lock was made is a mismatch.
	Ref string
}

// Options steer a resolution.
type Options struct {
	// Pins by component name (CoreName for the core). A pinned component
	// is resolved to exactly its pin. The caller decides which lock entries
	// still apply to the config.
	Pins map[string]Pin
	// Parallel bounds the lookups running at once; 0 means DefaultParallel.
	Parallel int
	// Sources is the directory git and archive sources are fetched into,
	// one subdirectory per component name; required when the config has
	// such sources.
	Sources string
	// Fetcher fetches git and archive sources; nil means a default one
	// reporting to the resolution's Reporter.
	Fetcher *fetch.Fetcher
	// Hashes holds the Sums of the directories this run has read, to be
	// shared with the caller's other steps; nil means a cache of the
	// resolution's own. Trees fetched are put in it.
	Hashes *modhash.Cache
}

// DefaultParallel is how many lookups run at once by default: they wait
// on the network far more than they compute.
const DefaultParallel = 4

// Set is everything a build is made of.
type Set struct {
	Core  Component
	Plugs []Component // enabled plugs, config order
	// SDK reports whether the core uses the plugctl SDK: only then does the
	// generated main deliver settings.
	SDK bool
}

// All returns the core followed by the plugs.
func (s *Set) All() []Component {
	return append([]Component{s.Core}, s.Plugs...)
}

// request is what the config asks for one component.
type request struct {
	name, mod, version, source, checksum, imp string
	versionPos                                config.Pos
	// modulePos and sourcePos are where the config sets module and
	// source (the entry's own position when it does not).
	modulePos, sourcePos config.Pos
}

// Resolve resolves the core and the enabled plugs of cfg.
func Resolve(ctx context.Context, r report.Reporter, cfg *config.Config, o Options) (*Set, error) {
	c := cfg.Core
	reqs := []request{{CoreName, c.Module, c.Version, c.Source, c.Checksum, c.Main, keyPos(c.KeyPos, "version", c.Pos), keyPos(c.KeyPos, "module", c.Pos), keyPos(c.KeyPos, "source", c.Pos)}}
	for _, p := range cfg.Enabled() {
		reqs = append(reqs, request{p.Name, p.Module, p.Version, p.Source, p.Checksum, p.Import, keyPos(p.KeyPos, "version", p.Pos), keyPos(p.KeyPos, "module", p.Pos), keyPos(p.KeyPos, "source", p.Pos)})
	}
	res, err := newResolver(r, cfg, o)
	if err != nil {
		return nil, err
	}
	defer res.close()

	comps := make([]Component, len(reqs))
	errs := make([]error, len(reqs))
	sem := make(chan struct{}, res.parallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for i, q := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			comps[i], errs[i] = res.component(ctx, q)
			if i > 0 { // the step counts plugs; the core is not one
				mu.Lock()
				done++
				r.Progress("resolve", done, len(reqs)-1)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	set := &Set{Core: comps[0], Plugs: comps[1:]}
	return set, checkSDK(cfg, set)
}

func keyPos(m map[string]config.Pos, key string, def config.Pos) config.Pos {
	if p, ok := m[key]; ok {
		return p
	}
	return def
}

// joinErrors combines the failures of several components: when every one is
// a config problem they become one diag.List (so all are listed the way the
// loader lists them); otherwise they are joined in config order, and the
// first decides the exit code.
func joinErrors(errs []error) error {
	var all []error
	var cfgErrs diag.List
	problemsOnly := true
	for _, err := range errs {
		if err == nil {
			continue
		}
		all = append(all, err)
		problems, others := diag.Collect(err)
		cfgErrs = append(cfgErrs, problems...)
		problemsOnly = problemsOnly && fail.KindOf(err) == fail.Config && len(problems) > 0 && len(others) == 0
	}
	switch {
	case len(all) == 0:
		return nil
	case len(all) == 1:
		return all[0]
	case problemsOnly:
		return fail.Wrap(fail.Config, cfgErrs)
	}
	return &joined{all}
}

// joined is several failures; its kind is the first one's.
type joined struct{ errs []error }

func (j *joined) Error() string {
	s := ""
	for i, e := range j.errs {
		if i > 0 {
			s += "\n"
		}
		s += e.Error()
	}
	return s
}

func (j *joined) Unwrap() []error { return j.errs }

// checkSDK decides whether the core uses the SDK and refuses settings that
// nothing would read otherwise.
func checkSDK(cfg *config.Config, set *Set) error {
	core := set.Core
	if core.GoMod != nil {
		for _, req := range core.GoMod.Require {
			if req.Mod.Path == config.SDKModule {
				set.SDK = true
			}
		}
	}
	if core.Module == config.SDKModule {
		set.SDK = true
	}
	if set.SDK {
		return nil
	}
	var errs diag.List
	for _, p := range cfg.Enabled() {
		if len(p.Settings) > 0 {
			errs = append(errs, &diag.Problem{File: cfg.File, Pos: p.KeyPos["settings"], Subject: p.Name,
				Msg: fmt.Sprintf("has settings, but core %s does not use the plugctl SDK (%s), so nothing would read them; remove the settings or configure the plug the way the core expects", core.Module, config.SDKModule)})
		}
	}
	if len(errs) > 0 {
		return fail.Wrap(fail.Config, errs)
	}
	return nil
}

// resolver holds what the lookups of one resolution share.
type resolver struct {
	r        report.Reporter
	cfg      *config.Config
	pins     map[string]Pin
	parallel int
	sources  string
	fetcher  *fetch.Fetcher
	hashes   *modhash.Cache
	// work is an empty directory the go command runs in, so that no go.mod
	// of the user's (or of /tmp) takes part in a query.
	work string
}

func newResolver(r report.Reporter, cfg *config.Config, o Options) (*resolver, error) {
	work, err := os.MkdirTemp("", "plugctl-resolve-")
	if err != nil {
		return nil, err
	}
	p := o.Parallel
	if p <= 0 {
		p = DefaultParallel
	}
	h := o.Hashes
	if h == nil {
		h = modhash.NewCache()
	}
	f := o.Fetcher
	if f == nil {
		f = &fetch.Fetcher{R: r, Keep: h.Keep()}
	}
	return &resolver{r: r, cfg: cfg, pins: o.Pins, parallel: p, work: work, sources: o.Sources, fetcher: f, hashes: h}, nil
}

func (res *resolver) close() { os.RemoveAll(res.work) }

func (res *resolver) component(ctx context.Context, q request) (Component, error) {
	c := Component{Name: q.name, Kind: config.KindOf(q.source), Module: q.mod, Requested: q.version, Import: q.imp}
	var pin *Pin
	if p, ok := res.pins[q.name]; ok {
		pin = &p
	}
	var err error
	switch c.Kind {
	case config.SourceLocal:
		err = res.local(&c, q)
	case config.SourceModule:
		err = res.module(ctx, &c, q, pin)
	case config.SourceGit:
		err = res.git(ctx, &c, q, pin)
	case config.SourceArchive:
		err = res.archive(ctx, &c, q, q.checksum)
	default:
		err = fail.New(fail.Config, "%s: source %q is not supported", Label(q.name), redact.String(q.source))
	}
	if err != nil {
		return c, err
	}
	if c.Import == "" {
		c.Import = c.Module
	}
	if c.Import != c.Module && !isBelow(c.Import, c.Module) {
		return c, fail.New(fail.Config, "%s: import path %s is not inside module %s", Label(q.name), c.Import, c.Module)
	}
	return c, nil
}

// local resolves a component built from a directory as it is.
func (res *resolver) local(c *Component, q request) error {
	source := q.source
	dir := source
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(res.cfg.Dir, dir)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return res.errorAt(q, q.sourcePos, "source %s is not a directory (valid: the directory of a Go module, relative to the config)", source)
	}
	gomod := strings.TrimSuffix(source, "/") + "/go.mod" // as the config names it, for messages
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); errors.Is(err, fs.ErrNotExist) {
		return res.errorAt(q, q.sourcePos, "source %s has no go.mod (valid: the directory of a Go module)", source)
	}
	sums, err := res.hashes.Dir(dir)
	if err != nil {
		return fail.Wrap(fail.Config, fmt.Errorf("%s %s: hashing the directory: %w", Label(c.Name), source, err))
	}
	f, err := sumsGoMod(sums, filepath.Join(dir, "go.mod"))
	if err != nil {
		return res.errorAt(q, q.sourcePos, "%s", strings.ReplaceAll(err.Error(), filepath.Join(dir, "go.mod"), gomod))
	}
	if c.Module != "" && c.Module != f.Module.Mod.Path {
		return res.errorAt(q, q.modulePos, "the config says module %s but %s says %s", c.Module, gomod, f.Module.Mod.Path)
	}
	c.Module, c.Version, c.Dir, c.Root, c.GoMod, c.Sums = f.Module.Mod.Path, DirVersion(f.Module.Mod.Path), dir, dir, f, sums
	c.Origin = Origin{Kind: OriginLocal, Path: source}
	c.Hash, err = sums.Module(c.Module, c.Version)
	if err != nil {
		return fail.Wrap(fail.Config, fmt.Errorf("%s %s: hashing the directory: %w", Label(c.Name), source, err))
	}
	return nil
}

// errorAt is a config problem of the component q at pos, listed with the
// loader's problems' shape: file:line:col: plug "name": msg.
func (res *resolver) errorAt(q request, pos config.Pos, format string, args ...any) error {
	return fail.Wrap(fail.Config, diag.List{{File: res.cfg.File, Pos: pos, Subject: q.name, Msg: fmt.Sprintf(format, args...)}})
}

// Label names a component in messages: `core` or `plug "name"`.
func Label(name string) string {
	if name == CoreName {
		return "core"
	}
	return fmt.Sprintf("plug %q", name)
}

func isBelow(pkg, mod string) bool {
	return len(pkg) > len(mod) && pkg[:len(mod)] == mod && pkg[len(mod)] == '/'
}

func readGoMod(path string) (*modfile.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading go.mod: %w", err)
	}
	return parseGoMod(path, data)
}

// sumsGoMod parses the go.mod at path from the bytes sums read and hashed,
// reading it only when sums did not keep it.
func sumsGoMod(sums *modhash.Sums, path string) (*modfile.File, error) {
	if data, ok := sums.Kept("go.mod"); ok {
		return parseGoMod(path, data)
	}
	return readGoMod(path)
}

func parseGoMod(path string, data []byte) (*modfile.File, error) {
	f, err := modfile.ParseLax(path, data, nil)
	if err != nil {
		return nil, err
	}
	if f.Module == nil {
		return nil, fmt.Errorf("%s has no module line", path)
	}
	return f, nil
}
