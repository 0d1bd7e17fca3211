package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/gotool"
)

// The module graph of a build module, as `go mod graph` prints it, is read
// here once and used by everything that asks who requires what: the drift
// check (a plug moving the core), the raises (a plug raising a module the
// core requires) and plugctl why.

// moduleGraph runs `go mod graph` in the build module dir.
func (s *State) moduleGraph(ctx context.Context, dir string) (graph, error) {
	if s.graphs == nil {
		s.graphs = map[string]graph{}
	}
	if g, ok := s.graphs[dir]; ok {
		return g, nil
	}
	out, err := gotool.Go(ctx, s.R, dir, map[string]string{"GOFLAGS": "-mod=mod"}, "mod", "graph")
	if err != nil {
		if ctx.Err() != nil {
			return graph{}, err
		}
		return graph{}, fail.Wrap(fail.Fetch, fmt.Errorf("reading the module graph: %w", err))
	}
	g := parseGraph(string(out))
	s.graphs[dir] = g
	return g, nil
}

// versionOwners maps the "module@version" of the core and each plug to
// its name.
func (s *State) versionOwners() map[string]string {
	owners := map[string]string{}
	for _, c := range s.Set.All() {
		owners[c.Module+"@"+c.Version] = c.Name
	}
	return owners
}

// graph is the output of `go mod graph`: who requires each module
// version, and what each requires.
type graph struct {
	root      string              // the main module's path
	requirers map[string][]string // "path@version" -> requiring "path@version"s (the main module as its path)
	requires  map[string][]string // "path@version" (the main module as its path) -> required "path@version"s
}

func parseGraph(out string) graph {
	g := graph{requirers: map[string][]string{}, requires: map[string][]string{}}
	for _, line := range strings.Split(out, "\n") {
		from, to, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		if g.root == "" && !strings.Contains(from, "@") {
			g.root = from
		}
		g.requirers[to] = append(g.requirers[to], from)
		g.requires[from] = append(g.requires[from], to)
	}
	return g
}

// path returns the shortest chain of requirements from the main module to
// the module version to ("path@version"), the main module first; nil when
// none leads there. From the main module it follows only the requirements
// in direct (its go.mod's without // indirect: the core, the plugs, a
// profile's components); the others are there for the go command's
// bookkeeping, not because the build asked for them.
func (g graph) path(to string, direct map[string]bool) []string {
	prev := map[string]string{g.root: ""}
	queue := []string{g.root}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n == to {
			var out []string
			for at := to; at != ""; at = prev[at] {
				out = append([]string{at}, out...)
			}
			return out
		}
		for _, next := range g.requires[n] {
			if n == g.root && !direct[next] {
				continue
			}
			if _, seen := prev[next]; !seen {
				prev[next] = n
				queue = append(queue, next)
			}
		}
	}
	return nil
}

// owner walks up the graph from the module version from to the nearest
// component (core or plug), breadth first, returning its name and the
// modules in between (nearest the component first).
func (g graph) owner(from string, owners map[string]string) (string, []string) {
	type item struct {
		node string
		path []string
	}
	seen := map[string]bool{from: true}
	queue := []item{{from, nil}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if name, ok := owners[it.node]; ok {
			return name, it.path
		}
		for _, up := range g.requirers[it.node] {
			if !seen[up] && strings.Contains(up, "@") {
				seen[up] = true
				queue = append(queue, item{up, append([]string{it.node}, it.path...)})
			}
		}
	}
	return "", nil
}

// componentAt returns the "module@version" of the named component.
func (g graph) componentAt(name string, owners map[string]string) string {
	for at, n := range owners {
		if n == name {
			return at
		}
	}
	return ""
}
