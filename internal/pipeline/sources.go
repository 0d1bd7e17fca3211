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
func (s *Set) All() []source.Component {
	return append([]source.Component{s.Core}, s.Plugs...)
}

// sourceEnv returns what the kinds share in this run, and the function
// that removes what it made.
func (p *Project) sourceEnv() (*source.Env, func(), error) {
	work, err := files.MkdirTemp("plugctl-resolve-")
	if err != nil {
		return nil, nil, err
	}
	env := &source.Env{R: p.R, Limits: p.Limits, Hashes: p.hashCache(), Sources: p.State("src"), Work: work}
	return env, func() { os.RemoveAll(work) }, nil
}

// hashCache returns the cache of the Sums of the directories this run
// reads: every step that needs a tree's hashes or its manifest gets them
// from one read of it.
func (p *Project) hashCache() *modhash.Cache {
	if p.hashes == nil {
		p.hashes = modhash.NewCache(manifest.FileName)
	}
	return p.hashes
}

// resolveSources resolves and fetches the core and every enabled plug
// through its kind (internal/source/kinds), at most DefaultParallel at
// once. A component the lock pins is held to the config first
// (source.Source.Verify): with --locked an entry that does not satisfy the
// config fails the command; otherwise it is resolved again, and a note
// says why.
func (p *Project) resolveSources(ctx context.Context) (*Set, error) {
	reqs := p.Config.Requests()
	env, done, err := p.sourceEnv()
	if err != nil {
		return nil, err
	}
	defer done()
	comps := make([]source.Component, len(reqs))
	errs := make([]error, len(reqs))
	sem := make(chan struct{}, DefaultParallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	finished := 0
	for i := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			comps[i], errs[i] = p.component(ctx, env, &reqs[i])
			if i > 0 { // the step counts plugs; the core is not one
				mu.Lock()
				finished++
				p.R.Progress("resolve", finished, len(reqs)-1)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	set := &Set{Core: comps[0], Plugs: comps[1:]}
	return set, checkSDK(p.Config, set)
}

// component resolves (or takes from the lock, checked) and fetches the
// component r asks for.
func (p *Project) component(ctx context.Context, env *source.Env, r *source.Request) (source.Component, error) {
	k, ok := kinds.For(r)
	if !ok {
		return source.Component{}, fail.New(fail.Config, "%s: source %q is not supported", source.Label(r.Name), redact.String(r.Source))
	}
	var c *source.Component
	if locked, ok := p.lockedPin(r.Name); ok {
		pin, err := kinds.Verify(ctx, env, r, locked)
		if err == nil {
			c, err = k.Fetch(ctx, env, r, pin)
		}
		if err == nil {
			err = kinds.CheckFetched(r, c, locked)
		}
		if err != nil {
			c = nil
		}
		if err = p.unsatisfied(r.Name, err); err != nil {
			return source.Component{}, err
		}
	}
	if c == nil {
		np, err := k.Resolve(ctx, env, r)
		if err != nil {
			return source.Component{}, err
		}
		if c, err = k.Fetch(ctx, env, r, np); err != nil {
			return source.Component{}, err
		}
	}
	c.Name, c.Kind, c.Requested, c.Import = r.Name, k.Kind(), r.Version, r.Import
	if c.Import == "" {
		c.Import = c.Module
	}
	if c.Import != c.Module && !isBelow(c.Import, c.Module) {
		return *c, fail.New(fail.Config, "%s: import path %s is not inside module %s", source.Label(r.Name), c.Import, c.Module)
	}
	return *c, nil
}

// unsatisfied decides what the lock entry of the component name that does
// not satisfy the config does (err, from checking and fetching the lock's
// pin): with --locked it fails the command; otherwise the entry is
// resolved again (nil is returned, and the pin dropped) and a note says
// why. Any other error passes through.
func (p *Project) unsatisfied(name string, err error) error {
	var u *source.Unsatisfied
	if err == nil || !errors.As(err, &u) {
		return err
	}
	if p.lock.opts.Locked {
		return fail.Wrap(fail.Mismatch, fmt.Errorf("%s: %w; --locked forbids resolving it again (plugctl lock updates the lock)", p.LockName(), u))
	}
	p.lock.unpin(name)
	p.R.Note(fmt.Sprintf("%s: %s; resolving it again", p.LockName(), u))
	return nil
}

// rules returns the rules of kind k; the zero Rules for a kind plugctl
// does not know.
func rules(k source.Kind) source.Rules {
	if s, ok := kinds.Lookup(k); ok {
		return s.Rules()
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
