package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"

	"github.com/plugctl/plugctl/internal/fail"
)

// Why is plugctl why's answer: how a module comes into the build, and who
// chose its version.
type Why struct {
	Module  string `json:"module"`
	Version string `json:"version"` // the version the build selects
	// Path is the shortest chain of requirements from the build module to
	// Module at Version, the build module first.
	Path []WhyNode `json:"path"`
	// Requirers are the module versions of the graph that require Module,
	// those requiring Version (who chose it) first.
	Requirers []WhyRequirer `json:"requirers"`
}

// WhyNode is one module version of the graph, and the component (core or
// plug) whose requirements bring it in: the nearest one above it.
type WhyNode struct {
	Module    string `json:"module"`
	Version   string `json:"version,omitempty"` // "" for the build module
	Component string `json:"component,omitempty"`
}

// WhyRequirer is a module version that requires the module asked about.
type WhyRequirer struct {
	WhyNode
	// Requires is the version of the module it requires; Chose reports
	// that it is the version the build selects.
	Requires string `json:"requires"`
	Chose    bool   `json:"chose"`
}

// why (the why step) answers Opts.Why from the generated build module's
// module graph.
func (s *State) why(ctx context.Context) error {
	mod := s.Opts.Why
	if err := module.CheckPath(mod); err != nil {
		return fail.Wrap(fail.Config, fmt.Errorf("invalid module path %q: %w", mod, err))
	}
	g, err := s.moduleGraph(ctx, s.GenDir)
	if err != nil {
		return err
	}
	version, direct := selectedIn(s.GenDir, mod)
	if version == "" {
		// Not required by the build module itself: MVS selects the
		// highest version the graph names.
		for node := range g.requirers {
			if p, v, ok := strings.Cut(node, "@"); ok && p == mod && semver.Compare(v, version) > 0 {
				version = v
			}
		}
	}
	if version == "" {
		return fail.New(fail.Config, "%s is not in the build (no module of its graph requires it)", mod)
	}
	owners := s.versionOwners()
	node := func(at string) WhyNode {
		p, v, _ := strings.Cut(at, "@")
		n := WhyNode{Module: p, Version: v}
		if v != "" {
			n.Component, _ = g.owner(at, owners)
		}
		return n
	}
	w := &Why{Module: mod, Version: version, Path: []WhyNode{}, Requirers: []WhyRequirer{}}
	for _, at := range g.path(mod+"@"+version, direct) {
		w.Path = append(w.Path, node(at))
	}
	for to, froms := range g.requirers {
		p, v, _ := strings.Cut(to, "@")
		if p != mod {
			continue
		}
		for _, from := range froms {
			if from == g.root && !direct[to] {
				continue // bookkeeping (see graph.path)
			}
			w.Requirers = append(w.Requirers, WhyRequirer{WhyNode: node(from), Requires: v, Chose: v == version})
		}
	}
	slices.SortFunc(w.Requirers, func(a, b WhyRequirer) int {
		switch {
		case a.Chose != b.Chose:
			if a.Chose {
				return -1
			}
			return 1
		case a.Requires != b.Requires:
			return -semver.Compare(a.Requires, b.Requires)
		case a.Module != b.Module:
			return strings.Compare(a.Module, b.Module)
		}
		return semver.Compare(a.Version, b.Version)
	})
	s.Why = w
	return nil
}

// selectedIn returns the version at which the go.mod in dir requires mod
// ("" when it does not), and the "path@version"s it requires directly
// (without // indirect).
func selectedIn(dir, mod string) (string, map[string]bool) {
	direct := map[string]bool{}
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", direct
	}
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		return "", direct
	}
	version := ""
	for _, r := range f.Require {
		if r.Mod.Path == mod {
			version = r.Mod.Version
		}
		if !r.Indirect {
			direct[r.Mod.String()] = true
		}
	}
	return version, direct
}
