package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/manifest"
	"github.com/plugctl/plugctl/internal/modhash"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/source/kinds"
)

// DefaultParallel is how many components are resolved and fetched at once:
// they wait on the network far more than they compute.
const DefaultParallel = 4

// Set is everything a build is made of.
type Set struct {
	Core  source.Component
	Plugs []source.Component // enabled plugs, config order
	// SDK reports whether the core uses the plugctl SDK: only then does the
	// generated main deliver settings.
	SDK bool
}

// All returns the core followed by the plugs.
func (set *Set) All() []source.Component {
	return append([]source.Component{set.Core}, set.Plugs...)
}

// sourceEnv returns what the kinds share in this run, made once; Close
// removes the directory it works in.
func (s *State) sourceEnv() (*source.Env, error) {
	if s.env != nil {
		return s.env, nil
	}
	work, err := files.MkdirTemp("plugctl-resolve-")
	if err != nil {
		return nil, err
	}
	s.onClose(func() { os.RemoveAll(work) })
	s.env = &source.Env{R: s.R, Limits: s.Limits, Hashes: s.hashCache(), Sources: s.statePath("src"), Work: work, ModCache: s.Toolchain.ModCache}
	return s.env, nil
}

// hashCache returns the cache of the Sums of the directories this run
// reads: every step that needs a tree's hashes or its manifest gets them
// from one read of it.
func (s *State) hashCache() *modhash.Cache {
	if s.hashes == nil {
		// The manifests, the list of a git source's submodules
		// (checkPackages) and the files that import the SDK
		// (checkRegistered) are read with the hashes.
		s.hashes = modhash.NewCache(manifest.FileName, gitmodules, modhash.Importers(config.SDKModule))
	}
	return s.hashes
}

// resolvedPin is what resolve found for one request: its kind, the pin to
// fetch, and the lock's pin when the pin is the lock's (checked by
// Verify), which what is fetched must then match (kinds.CheckFetched).
type resolvedPin struct {
	kind   source.Source
	pin    source.Pin
	locked *source.Pin
	err    error // why the component could not be resolved
}

// parallel runs fn for the indexes below n, at most DefaultParallel at
// once, and returns their errors by index. As each succeeds it reports the
// running step's progress — a failed one is not done: of every index, or
// with plugs of those above 0 (the core, first, is not a plug); with unit
// set, in the unit of each index, counted apart.
func (s *State) parallel(n int, plugs bool, unit func(i int) report.Unit, fn func(i int) error) []error {
	errs := make([]error, n)
	first := 0
	if plugs {
		first = 1
	}
	units := make([]report.Unit, n)
	totals := map[report.Unit]int{}
	var order []report.Unit
	for i := first; i < n; i++ {
		if unit != nil {
			units[i] = unit(i)
		}
		if totals[units[i]] == 0 {
			order = append(order, units[i])
		}
		totals[units[i]]++
	}
	done := map[report.Unit]int{}
	count := func(u report.Unit) {
		if unit == nil {
			s.Progress(done[u], totals[u])
		} else {
			s.Count(u, done[u], totals[u])
		}
	}
	for _, u := range order {
		count(u)
	}
	sem := make(chan struct{}, DefaultParallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = fn(i)
			if i >= first && errs[i] == nil {
				mu.Lock()
				done[units[i]]++
				count(units[i])
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errs
}

// resolve (the resolve step) pins the core and every enabled plug to one
// content through its kind (internal/source/kinds), nothing fetched but
// what a kind must read to decide. A component the lock pins is held to
// the config first (source.Source.Verify): with --locked an entry that
// does not satisfy the config fails the command; otherwise it is resolved
// again, and a note says why. A component that cannot be resolved does
// not stop the others, nor the fetch of theirs: every problem is listed
// at once.
func (s *State) resolve(ctx context.Context) error {
	s.requests = s.Config.Requests()
	env, err := s.sourceEnv()
	if err != nil {
		return err
	}
	s.pins = make([]resolvedPin, len(s.requests))
	errs := s.parallel(len(s.requests), true, nil, func(i int) error {
		p, err := s.resolveOne(ctx, env, &s.requests[i])
		p.err = err
		s.pins[i] = p
		return err
	})
	return partial(joinErrors(errs))
}

// resolveOne resolves the component r asks for, or takes the lock's pin,
// checked.
func (s *State) resolveOne(ctx context.Context, env *source.Env, r *source.Request) (resolvedPin, error) {
	k, ok := kinds.For(r)
	if !ok {
		return resolvedPin{}, fail.New(fail.Config, "%s: source %q is not supported", source.Label(r.Name), redact.String(r.Source))
	}
	if locked, ok := s.lockedPin(r.Name); ok {
		pin, err := kinds.Verify(ctx, env, r, locked)
		if err == nil {
			return resolvedPin{kind: k, pin: pin, locked: &locked}, nil
		}
		if err = s.unsatisfied(r.Name, err); err != nil {
			return resolvedPin{}, err
		}
	}
	pin, err := k.Resolve(ctx, env, r)
	if err != nil {
		return resolvedPin{}, err
	}
	return resolvedPin{kind: k, pin: pin}, nil
}

// fetch (the fetch step) brings every pin onto disk, or finds it there,
// hashed: the core and the plugs of the build, counted in what each kind
// fetches (source.Rules.Fetches): "2 modules, 1 tree, 1 directory". When resolve could not pin
// them all, it fetches the others and fails with every component's
// failure, resolve's included, in config order: all are listed at once.
func (s *State) fetch(ctx context.Context) error {
	env, err := s.sourceEnv()
	if err != nil {
		return err
	}
	comps := make([]source.Component, len(s.requests))
	unit := func(i int) report.Unit {
		if k := s.pins[i].kind; k != nil {
			return k.Rules().Fetches
		}
		if k, ok := kinds.For(&s.requests[i]); ok { // not resolved
			return k.Rules().Fetches
		}
		return report.Sources
	}
	errs := s.parallel(len(s.requests), false, unit, func(i int) error {
		if s.pins[i].err != nil {
			return s.pins[i].err
		}
		var err error
		comps[i], err = s.fetchOne(ctx, env, &s.requests[i], s.pins[i])
		return err
	})
	if err := joinErrors(errs); err != nil {
		return err
	}
	set := &Set{Core: comps[0], Plugs: comps[1:]}
	s.Set = set
	return checkSDK(s.Config, set)
}

// fetchOne fetches the component r asks for at rp. What is fetched for
// the lock's pin must be what the lock records; when it is not, the
// component is resolved again (or, with --locked, the command fails).
func (s *State) fetchOne(ctx context.Context, env *source.Env, r *source.Request, rp resolvedPin) (source.Component, error) {
	k := rp.kind
	c, err := k.Fetch(ctx, env, r, rp.pin)
	if err == nil && rp.locked != nil {
		err = kinds.CheckFetched(r, c, *rp.locked)
	}
	if err != nil && rp.locked != nil {
		if err = s.unsatisfied(r.Name, err); err != nil {
			return source.Component{}, err
		}
		pin, rerr := k.Resolve(ctx, env, r)
		if rerr != nil {
			return source.Component{}, rerr
		}
		c, err = k.Fetch(ctx, env, r, pin)
	}
	if err != nil {
		return source.Component{}, err
	}
	c.Name, c.Kind, c.Requested, c.Import = r.Name, k.Kind(), r.Version, r.Import
	if c.Import == "" {
		c.Import = c.Module
	}
	if c.Import != c.Module && !isBelow(c.Import, c.Module) {
		key, pos := "import", r.At("import")
		if p, ok := s.Config.Core.ValPos["main"]; ok && r.Name == source.CoreName {
			key, pos = "main", p
		}
		return *c, fail.Wrap(fail.Config, diag.List{{File: r.File, Pos: pos, Subject: r.Name,
			Msg: fmt.Sprintf("%s: package %s is not inside module %s (%s), whose source this is; name a package of it", key, c.Import, c.Module, modDisplay(*c))}})
	}
	return *c, nil
}

// check (the check step) holds what was fetched to the config, the lock
// and the manifests before anything is generated: one source per module,
// no replace entry for a module built from a source, a replace directory
// that is the module it replaces, no component needing a newer Go, the
// hashes the lock records, every manifest's requirements and settings,
// how the core is built, and every package the build imports from a
// source plugctl has (packages.go), the name each plug registers with the
// SDK (registered.go); last, as it asks the module proxy, that the SDK the
// build needs can be fetched (sdk.go); first, the module paths the
// config did not name held to its policy (policy.go).
func (s *State) check(ctx context.Context) error {
	for _, check := range []func() error{s.checkPolicy, s.checkModules, s.checkReplaces, s.checkReplaceDirs, s.checkGoVersions, s.checkPins, s.checkManifests, s.decideCore, s.checkPackages, s.checkRegistered} {
		if err := check(); err != nil {
			return err
		}
	}
	return s.sdkServed(ctx)
}

// unsatisfied decides what the lock entry of the component name that does
// not satisfy the config does (err, from checking and fetching the lock's
// pin): with --locked it fails the command; otherwise the entry is
// resolved again (nil is returned, and the pin dropped) and a note says
// why. Any other error passes through.
func (s *State) unsatisfied(name string, err error) error {
	var u *source.Unsatisfied
	if err == nil || !errors.As(err, &u) {
		return err
	}
	if s.lock.opts.Locked {
		return fail.Wrap(fail.Mismatch, fmt.Errorf("%s: %w; --locked forbids resolving it again (plugctl lock updates the lock)", s.LockName(), u))
	}
	s.lock.unpin(name)
	s.R.Note(fmt.Sprintf("%s: %s; resolving it again", s.LockName(), u))
	return nil
}

// rules returns the rules of kind k; the zero Rules for a kind plugctl
// does not know.
func rules(k source.Kind) source.Rules {
	if src, ok := kinds.Lookup(k); ok {
		return src.Rules()
	}
	return source.Rules{}
}

// live reports whether the content of a component of kind k can change
// with no change to the config or the lock (source.Rules.Live).
func live(k source.Kind) bool { return rules(k).Live }

func isBelow(pkg, mod string) bool {
	return len(pkg) > len(mod) && pkg[:len(mod)] == mod && pkg[len(mod)] == '/'
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
