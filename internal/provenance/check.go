package provenance

import (
	"fmt"
	"strings"

	"github.com/plugctl/plugctl/internal/inspect"
)

// Check compares a statement with the binary it describes: sha256 is the
// binary's SHA-256 (hex) and rep what the binary says about itself (its
// embedded build description and the go command's build information). It
// returns every disagreement, empty when there is none: the subject's
// digest, the name, the target, the toolchain, the core's and each plug's
// module and version, and the version and h1: hash of every module the
// binary lists that the statement lists too (a module the binary links
// that the statement does not name is a disagreement).
func Check(st *Statement, sha256 string, rep *inspect.Report) []string {
	var bad []string
	if got := st.Subject[0].Digest["sha256"]; got != sha256 {
		bad = append(bad, fmt.Sprintf("the binary has sha256:%s, the provenance's subject sha256:%s", sha256, got))
		return bad // nothing else about another binary is worth saying
	}
	bd := st.Predicate.BuildDefinition
	ext := bd.ExternalParameters
	if ext.Name != rep.Name {
		bad = append(bad, fmt.Sprintf("the binary is named %q, the provenance %q", rep.Name, ext.Name))
	}
	if t := ext.Target; t != rep.Target && !strings.HasPrefix(t, rep.Target+"/") {
		bad = append(bad, fmt.Sprintf("the binary is for %s, the provenance for %s", rep.Target, t))
	}
	byRole := map[string]Resource{}
	modules := map[string]Resource{}
	for _, r := range bd.ResolvedDependencies {
		a := r.Annotations
		switch a[Role] {
		case "toolchain", "core":
			byRole[a[Role]] = r
		case "plug":
			byRole["plug "+a[Plug]] = r
		}
		if a[Module] != "" {
			modules[a[Module]+" "+a[Version]] = r
			modules[a[Module]] = r
		}
	}
	if tc, ok := byRole["toolchain"]; !ok || tc.Annotations[Version] != rep.Go {
		bad = append(bad, fmt.Sprintf("the binary was built with %s, the provenance says %s", rep.Go, orNone(tc.Annotations[Version])))
	}
	same := func(what, module, version string, r Resource, ok bool) {
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("the binary holds %s %s@%s, the provenance names none", what, module, version))
		case r.Annotations[Module] != module || r.Annotations[Version] != version:
			bad = append(bad, fmt.Sprintf("the binary holds %s %s@%s, the provenance %s@%s", what, module, version, r.Annotations[Module], r.Annotations[Version]))
		}
	}
	core, ok := byRole["core"]
	same("the core", rep.Core.Module, rep.Core.Version, core, ok)
	for _, p := range rep.Plugs {
		r, ok := byRole["plug "+p.Name]
		same(fmt.Sprintf("plug %q", p.Name), p.Module, p.Version, r, ok)
	}
	for _, m := range rep.Modules {
		if m.Replace != nil && (m.Replace.Version == "" || m.Replace.Version == "(devel)") {
			continue // a directory: locked by its path, which the binary does not record
		}
		r, ok := modules[m.Path+" "+m.Version]
		if !ok && m.Replace != nil {
			r, ok = modules[m.Replace.Path+" "+m.Replace.Version] // a fork at another module path
		}
		if !ok {
			if other, found := modules[m.Path]; found {
				bad = append(bad, fmt.Sprintf("the binary links %s@%s, the provenance %s@%s", m.Path, m.Version, m.Path, other.Annotations[Version]))
			} else {
				bad = append(bad, fmt.Sprintf("the binary links %s@%s, the provenance names no such module", m.Path, m.Version))
			}
			continue
		}
		if m.Sum != "" && r.Annotations[H1] != "" && m.Sum != r.Annotations[H1] && (m.Replace == nil || m.Replace.Sum != r.Annotations[H1]) {
			bad = append(bad, fmt.Sprintf("the binary links %s@%s %s, the provenance %s", m.Path, m.Version, m.Sum, r.Annotations[H1]))
		}
	}
	return bad
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
