package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"golang.org/x/mod/semver"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/fetch"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/resolve"
	"github.com/plugctl/plugctl/internal/versions"
)

// Available is what plugctl outdated reports for the core or one plug
// (docs/json.md).
type Available struct {
	Name   string `json:"name"` // plug name or "core"
	Kind   string `json:"kind"` // module, git, archive or local
	Module string `json:"module"`
	// Requested is the version or constraint in the config.
	Requested string `json:"constraint"`
	// Locked is the version in the lock; "" when not locked.
	Locked string `json:"current"`
	// InConstraint is the newest version the requested constraint allows
	// (the requested version itself when it is exact); "" when unknown.
	InConstraint string `json:"wanted"`
	// Newest is the newest version of the module overall, as the go
	// command's "latest" means it; "" when unknown.
	Newest string `json:"latest"`
	// Upgradable is true when plugctl lock --upgrade NAME would move the
	// locked version.
	Upgradable bool `json:"upgradable"`
}

// Outdated looks up, for the core and every enabled plug fetched by the go
// command, the newest version inside its constraint and overall, beside
// the locked one. Components built from a directory have no versions to
// compare and are listed with their kind only.
func (p *Project) Outdated(ctx context.Context) ([]Available, error) {
	var old *lock.File
	data, err := lock.ReadFile(p.LockPath())
	switch {
	case err == nil:
		if old, err = lock.Parse(p.LockName(), data); err != nil {
			return nil, fail.Wrap(fail.Mismatch, err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, fail.Wrap(fail.Mismatch, fmt.Errorf("reading the lock: %w", err))
	}
	wants := lock.Wants(p.Config)
	out := make([]Available, len(wants))
	errs := make([]error, len(wants))
	work, err := os.MkdirTemp("", "plugctl-outdated-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	sem := make(chan struct{}, resolve.DefaultParallel)
	var wg sync.WaitGroup
	for i, w := range wants {
		a := Available{Name: w.Name, Module: w.Module, Kind: config.KindOf(w.Source).String(), Requested: w.Requested}
		if old != nil {
			e, ok := old.Core, true
			if w.Name != resolve.CoreName {
				e, ok = old.Plugin(w.Name)
			}
			if ok {
				a.Locked = e.Version
				if a.Module == "" {
					a.Module = e.Module
				}
			}
		}
		out[i] = a
		kind := config.KindOf(w.Source)
		if kind != config.SourceModule && kind != config.SourceGit {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if kind == config.SourceGit {
				errs[i] = p.availableGit(ctx, w.Source, &out[i])
				return
			}
			errs[i] = p.available(ctx, work, &out[i])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// available fills in the versions of one module component.
func (p *Project) available(ctx context.Context, work string, a *Available) error {
	available, err := resolve.Versions(ctx, p.R, work, a.Module)
	if err != nil {
		return fail.Wrap(fail.Fetch, fmt.Errorf("%s (%s): %w", resolve.Label(a.Name), a.Module, err))
	}
	a.Newest = versions.Newest(available)
	if a.Newest == "" {
		// Only pseudo-versions: the go command knows the newest.
		d, err := resolve.Query(ctx, p.R, work, a.Module, versions.Latest)
		if err != nil {
			return fail.Wrap(fail.Fetch, fmt.Errorf("%s (%s): %w", resolve.Label(a.Name), a.Module, err))
		}
		a.Newest = d
	}
	a.wanted(available)
	return nil
}

// wanted fills in the newest of versions the request allows, and whether
// the lock is behind it.
func (a *Available) wanted(available []string) {
	switch {
	case a.Requested == versions.Latest:
		a.InConstraint = a.Newest
	case versions.IsExact(a.Requested):
		a.InConstraint = a.Requested
	default:
		if v, ok, err := versions.Match(a.Requested, available); err == nil && ok {
			a.InConstraint = v
		}
	}
	a.Upgradable = a.Locked != "" && a.InConstraint != "" && semver.Compare(a.InConstraint, a.Locked) > 0
}

// availableGit fills in the versions of a git component from the semver
// tags of its repository: for a source in a subdirectory, the tags
// prefixed with it (Go's convention) when there are any. A branch or a
// commit has no newer version inside it; only the newest tag is told.
func (p *Project) availableGit(ctx context.Context, source string, a *Available) error {
	f := p.fetcher()
	refs, err := f.Refs(ctx, source)
	if err != nil {
		return fmt.Errorf("%s: %w", resolve.Label(a.Name), err)
	}
	gs, err := fetch.ParseGit(source)
	if err != nil {
		return fail.Wrap(fail.Config, err)
	}
	var plain, prefixed []string
	for _, r := range refs {
		tag, ok := r.Tag()
		if !ok {
			continue
		}
		if gs.Subdir != "" {
			if v, ok := strings.CutPrefix(tag, gs.Subdir+"/"); ok && semver.IsValid(v) {
				prefixed = append(prefixed, v)
				continue
			}
		}
		if versions.IsCanonical(tag) {
			plain = append(plain, tag)
		}
	}
	tags := plain
	if len(prefixed) > 0 {
		tags = prefixed
	}
	a.Newest = versions.Newest(tags)
	if a.Requested == versions.Latest || versions.IsExact(a.Requested) || versions.IsConstraint(a.Requested) {
		a.wanted(tags)
	}
	return nil
}
