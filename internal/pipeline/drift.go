package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/run"
	"github.com/plugctl/plugctl/internal/source"
)

// tidyError classifies a failed `go mod tidy`: a download that does not
// match the hashes seeded from the lock is an integrity failure; anything
// else is a fetch failure.
func tidyError(s *State, err error) error {
	var re *run.Error
	if mismatch(err) && errors.As(err, &re) {
		return fail.Wrap(fail.Mismatch, fmt.Errorf("a module does not match the hash %s records:\n%s", s.LockName(), withoutTrace(re.Stderr)))
	}
	return fail.Wrap(fail.Fetch, fmt.Errorf("completing the module graph: %w", err))
}

// withoutTrace returns stderr of a go command without the lines -x adds
// ("# get URL", what it runs).
func withoutTrace(stderr string) string {
	var out []string
	for _, l := range strings.SplitAfter(stderr, "\n") {
		if !strings.HasPrefix(l, "# ") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

// mismatch reports whether err, from the go command, says a module or
// go.mod file does not match its go.sum line.
func mismatch(err error) bool {
	var re *run.Error
	return errors.As(err, &re) && (strings.Contains(re.Stderr, "checksum mismatch") || strings.Contains(re.Stderr, "SECURITY ERROR"))
}

// checkDrift compares the versions Go's minimal version selection chose
// for the core and the plugs (the tidied go.mod in dir) with the resolved
// ones. A plug whose go.mod requires a newer core (or a newer version of
// another plug) would move it silently; this refuses, naming the plug that
// did it, found in the module graph (docs/versions.md).
//
// Components built from a directory are replaced whole, whatever version
// is required, and so are modules the config's replace map redirects: MVS
// cannot move those.
func (s *State) checkDrift(ctx context.Context, dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		return fmt.Errorf("reading the tidied go.mod: %w", err)
	}
	selected := map[string]string{}
	for _, r := range f.Require {
		selected[r.Mod.Path] = r.Mod.Version
	}
	replaced := map[string]bool{}
	for _, r := range s.Config.Replace {
		replaced[r.Path] = true
	}
	for _, in := range s.inherited {
		replaced[in.old.Path] = true
	}
	type drift struct {
		c   source.Component
		sel string
	}
	var drifts []drift
	for _, c := range s.Set.All() {
		if c.Dir != "" || replaced[c.Module] {
			continue
		}
		if sel := selected[c.Module]; sel != "" && sel != c.Version {
			drifts = append(drifts, drift{c, sel})
		}
	}
	if len(drifts) == 0 {
		return nil
	}
	g, err := s.moduleGraph(ctx, dir)
	if err != nil {
		return err
	}
	owners := s.versionOwners()
	var problems diag.List
	for _, d := range drifts {
		problems = append(problems, s.driftProblem(g, owners, d.c, d.sel))
	}
	return fail.Wrap(fail.Config, problems)
}

// driftProblem explains who moved c to version sel: a problem of the plug
// (or core) whose requirement did it, at its entry in the config.
func (s *State) driftProblem(g graph, owners map[string]string, c source.Component, sel string) *diag.Problem {
	at := func(name, format string, args ...any) *diag.Problem {
		file, pos, _ := s.Config.Locate(name, "")
		return &diag.Problem{File: file, Pos: pos, Subject: name, Msg: fmt.Sprintf(format, args...)}
	}
	target := c.Module + "@" + sel
	pinned := "that the config resolves to"
	if s.lock != nil && s.lock.pins[c.Name] {
		pinned = "that the lock pins"
	}
	moved := source.Label(c.Name)
	if c.Name == source.CoreName {
		moved = "the core"
	}
	fix := fmt.Sprintf("pin %s to %s or use an older", moved, sel)
	if c.Name != source.CoreName {
		fix = fmt.Sprintf("pin it to %s or use an older", sel)
	}
	for _, from := range g.requirers[target] {
		owner, path := g.owner(from, owners)
		if owner == "" {
			continue
		}
		via := ""
		if len(path) > 0 {
			via = " (through " + strings.Join(path, ", ") + ")"
		}
		return at(owner, "%s%s requires %s %s, moving %s off %s %s; %s %s",
			g.componentAt(owner, owners), via, c.Module, sel, moved, c.Version, pinned, fix, pluralLabel(owner))
	}
	return at(c.Name, "the module graph requires %s %s, moving %s off %s %s (required by %s)", c.Module, sel, moved, c.Version, pinned, strings.Join(g.requirers[target], ", "))
}

// pluralLabel names the kind of component to pick an older version of.
func pluralLabel(name string) string {
	if name == source.CoreName {
		return "core"
	}
	return "plug"
}
