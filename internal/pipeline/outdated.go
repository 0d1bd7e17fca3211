package pipeline

import (
	"context"
	"errors"
	"os"

	"golang.org/x/mod/semver"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/source/kinds"
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

// outdated (the outdated step) looks up, for the core and every enabled plug of a kind with
// versions (a module, a git repository), the newest version inside its
// constraint and overall, beside the locked one, through the kind's own
// rules (source.Source.Available): what it reports is what lock --upgrade
// would pick. Components built from a directory or an archive have no
// versions to compare and are listed with their kind only.
func (s *State) outdated(ctx context.Context) error {
	old, err := lock.Load(s.lockPath(), s.LockName())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	reqs := s.Config.Requests()
	out := make([]Available, len(reqs))
	kind := make([]source.Source, len(reqs))
	for i := range reqs {
		r := &reqs[i]
		k, ok := kinds.For(r)
		if !ok {
			return fail.New(fail.Config, "%s: source %q is not supported", source.Label(r.Name), redact.String(r.Source))
		}
		kind[i] = k
		a := Available{Name: r.Name, Module: r.Module, Kind: string(k.Kind()), Requested: r.Version}
		if old != nil {
			e, ok := old.Core, true
			if r.Name != source.CoreName {
				e, ok = old.Plugin(r.Name)
			}
			if ok {
				a.Locked = e.Version
				if a.Module == "" {
					a.Module = e.Module
				}
			}
		}
		out[i] = a
	}
	env, err := s.sourceEnv()
	if err != nil {
		return err
	}
	errs := s.parallel(len(reqs), true, nil, func(i int) error {
		if !kind[i].Rules().Versioned {
			return nil
		}
		av, err := kind[i].Available(ctx, env, &reqs[i])
		if err != nil || av == nil {
			return err
		}
		out[i].Newest = av.Newest
		if versions.IsQuery(out[i].Requested) {
			out[i].wanted(av.Versions)
		}
		return nil
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}
	s.Available = out
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
