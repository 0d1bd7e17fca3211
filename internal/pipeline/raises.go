package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/source"
)

// Raise is a module the core requires that the build selects at a higher
// version, because a plug's requirements (its own or its dependencies')
// ask for it: the core is then compiled against code it was not released
// with, which is where the README-era Caddy v2.8.4 with caddy-dns/cloudflare
// v0.2.1 broke (undefined: zapslog.HandlerOptions).
type Raise struct {
	Module string `json:"module"`
	// From is the version the core requires, To the one the build selects.
	From string `json:"from"`
	To   string `json:"to"`
	// By names the plugs whose requirements chose To, in config order;
	// empty when the build module itself did (a profile's default
	// component).
	By []string `json:"by"`
}

// findRaises (part of the generate step) fills s.Raises from the build
// module in dir: every requirement of the core's go.mod that the build
// selects at a higher version, with the plugs that raised it, found in the
// module graph. Modules the config replaces, and the core and plugs
// themselves (the drift check's), are left out. Each raise is a warning;
// with build.strict it is a problem of the plug that raised it, at its
// place in the config.
func (s *State) findRaises(ctx context.Context, dir string) error {
	s.Raises = nil
	core := s.Set.Core
	if core.GoMod == nil {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		return fmt.Errorf("reading the build module's go.mod: %w", err)
	}
	selected := map[string]string{}
	for _, r := range f.Require {
		selected[r.Mod.Path] = r.Mod.Version
	}
	skip := map[string]bool{}
	for _, r := range s.Config.Replace {
		skip[r.Path] = true
	}
	for _, c := range s.Set.All() {
		skip[c.Module] = true
	}
	for _, in := range s.inherited {
		skip[in.old.Path] = true
	}
	var raises []Raise
	for _, r := range core.GoMod.Require {
		sel := selected[r.Mod.Path]
		if skip[r.Mod.Path] || sel == "" || semver.Compare(sel, r.Mod.Version) <= 0 {
			continue
		}
		raises = append(raises, Raise{Module: r.Mod.Path, From: r.Mod.Version, To: sel, By: []string{}})
	}
	if len(raises) == 0 {
		return nil
	}
	g, err := s.moduleGraph(ctx, dir)
	if err != nil {
		return err
	}
	owners := s.versionOwners()
	order := map[string]int{}
	for i, c := range s.Set.Plugs {
		order[c.Name] = i
	}
	for i := range raises {
		r := &raises[i]
		for _, from := range g.requirers[r.Module+"@"+r.To] {
			if owner, _ := g.owner(from, owners); owner != "" && owner != source.CoreName && !slices.Contains(r.By, owner) {
				r.By = append(r.By, owner)
			}
		}
		slices.SortFunc(r.By, func(a, b string) int { return order[a] - order[b] })
	}
	slices.SortFunc(raises, func(a, b Raise) int { return strings.Compare(a.Module, b.Module) })
	s.Raises = raises
	problems := s.raiseProblems()
	if s.Config.Build.Strict && s.Opts.Why == "" {
		return fail.Wrap(fail.Config, problems)
	}
	for _, p := range problems {
		shown := *p
		shown.Msg = "warning: " + p.Msg
		s.R.Note(shown.Error())
	}
	return nil
}

// raiseProblems says each raise as a problem of the plug that made it, at
// its place in the config (of the core, for a raise no plug made).
func (s *State) raiseProblems() diag.List {
	var out diag.List
	for _, r := range s.Raises {
		who := r.By
		if len(who) == 0 {
			who = []string{source.CoreName}
		}
		for _, name := range who {
			file, pos, _ := s.Config.Locate(name, "")
			msg := fmt.Sprintf("raises %s %s → %s over what the core requires", r.Module, r.From, r.To)
			if name == source.CoreName {
				msg = fmt.Sprintf("the build raises %s %s → %s over what the core requires", r.Module, r.From, r.To)
			}
			if s.Config.Build.Strict && s.Opts.Why == "" {
				msg += fmt.Sprintf("; build.strict refuses it (use a version of the plug that requires %s at most, or a core that requires %s; plugctl why %s shows who requires it)", r.From, r.To, r.Module)
			}
			out = append(out, &diag.Problem{File: file, Pos: pos, Subject: name, Msg: msg})
		}
	}
	return out.Sort()
}

// raisedNote is what a compile failure in the core adds, naming the plugs
// that raised its dependencies; "" when none did.
func (s *State) raisedNote() string {
	by := map[string][]string{}
	var names []string
	for _, r := range s.Raises {
		for _, n := range r.By {
			if by[n] == nil {
				names = append(names, n)
			}
			by[n] = append(by[n], fmt.Sprintf("%s %s → %s", r.Module, r.From, r.To))
		}
	}
	if len(names) == 0 {
		return ""
	}
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s raised %s", source.Label(n), strings.Join(by[n], ", ")))
	}
	mod := "MODULE"
	if len(s.Raises) == 1 {
		mod = s.Raises[0].Module
	}
	return strings.Join(parts, "; ") + " over what the core requires; plugctl why " + mod + " shows who requires it"
}
