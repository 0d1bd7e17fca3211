package pipeline

import (
	"context"
	"errors"
	"fmt"
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
	// Locked is the version in the lock, once its entry was held to the
	// config (source.Source.Verify); "" when not locked, or when the entry
	// does not satisfy the config (Note says so).
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
	// Upgrade says how to move to a newer version, when there is one to
	// move to: the command, or for an exact version (which lock --upgrade
	// keeps) where to edit it.
	Upgrade string `json:"upgrade,omitempty"`
	// Note says why the lock's entry is not shown as current.
	Note string `json:"note,omitempty"`
	// Error is why the versions of the component could not be listed.
	Error string `json:"error,omitempty"`
}

// outdated (the outdated step) looks up, for the core and every enabled
// plug of a kind with versions (a module, a git repository), the newest
// version inside its constraint and overall, beside the locked one, through
// the kind's own rules (source.Source.Available): what it reports is what
// lock --upgrade would pick. The lock's entry is held to the config first
// (source.Source.Verify), as every command that uses it does: one that
// does not satisfy the config is not shown as current. Components built
// from a directory or an archive have no versions to compare and are
// listed with their kind only.
//
// A component whose versions cannot be listed gets a row with its error,
// and the others are listed: the step fails (with every error, in config
// order) only when no lookup succeeded.
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
		out[i] = Available{Name: r.Name, Module: r.Module, Kind: string(k.Kind()), Requested: r.Version}
	}
	env, err := s.sourceEnv()
	if err != nil {
		return err
	}
	asked := map[string]want{}
	for _, w := range wants(s.Config) {
		asked[w.Name] = w
	}
	looked := 0 // components with versions to look up
	errs := s.parallel(len(reqs), true, nil, func(i int) error {
		r, a := &reqs[i], &out[i]
		if old != nil {
			if err := a.current(ctx, env, r, asked[r.Name], old); err != nil {
				a.Error = err.Error()
				return err
			}
		}
		if !kind[i].Rules().Versioned {
			return nil
		}
		av, err := kind[i].Available(ctx, env, r)
		if err != nil {
			a.Error = err.Error()
			return err
		}
		if av == nil {
			return nil
		}
		a.Newest = av.Newest
		if versions.IsQuery(a.Requested) {
			a.wanted(av.Versions)
		}
		a.upgrade(r)
		return nil
	})
	s.Available = out
	failed := 0
	for i := range reqs {
		if kind[i].Rules().Versioned {
			looked++
		}
		if errs[i] != nil {
			failed++
		}
	}
	if failed > 0 && failed >= looked {
		// Nothing could be listed: the rows say why, and so does the run.
		return joinErrors(errs)
	}
	return nil
}

// current fills in the lock's version of the component r asks for (w,
// as the lock compares it), once the lock's entry in old is held to r as
// use-lock and resolve hold it: made for the config as it is, and
// satisfying it. An entry that is not is noted instead. It fails when the
// entry cannot be checked.
func (a *Available) current(ctx context.Context, env *source.Env, r *source.Request, w want, old *lock.File) error {
	e, ok := old.Core, true
	if r.Name != source.CoreName {
		e, ok = old.Plugin(r.Name)
	}
	if !ok {
		return nil
	}
	if diff := w.differences(e); len(diff) > 0 {
		a.Note = "the lock's entry is not used: it was made for another config (" + diff[0] + ")"
		a.Upgrade = "plugctl lock"
		return nil
	}
	if a.Module == "" {
		a.Module = e.Module
	}
	pin, err := kinds.Verify(ctx, env, r, source.Pin{Version: e.Version, Origin: e.Origin, Locked: true})
	var u *source.Unsatisfied
	switch {
	case errors.As(err, &u):
		a.Note = fmt.Sprintf("the lock's entry is not used: %s", u.Rule)
		a.Upgrade = "plugctl lock"
		return nil
	case err != nil:
		return err
	}
	a.Locked = pin.Version
	if a.Locked == "" {
		a.Locked = e.Version // a directory's: what its go.mod says, checked when fetched
	}
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

// upgrade says how to move the component r asks for to a newer version,
// when there is one: lock --upgrade inside the constraint; for an exact
// version, which lock --upgrade keeps, an edit of the config.
func (a *Available) upgrade(r *source.Request) {
	switch {
	case a.Upgrade != "":
	case a.Upgradable:
		a.Upgrade = "plugctl lock --upgrade " + a.Name
	case versions.IsExact(a.Requested) && a.Newest != "" && semver.Compare(a.Newest, a.Requested) > 0:
		p := r.At("version")
		a.Upgrade = fmt.Sprintf("edit the version at %s:%d:%d: lock --upgrade keeps an exact version", r.File, p.Line, p.Col)
	}
}
