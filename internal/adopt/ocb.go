package adopt

import (
	"bytes"
	"debug/buildinfo"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"golang.org/x/mod/semver"

	"github.com/plugctl/plugctl/internal/profile"
)

// component is a module an ocb-built binary names as one of its
// components, with the package the binary imports and its kind ("" when
// the profile cannot tell it).
type component struct {
	name    string
	mod     *debug.Module
	imp     string
	kind    string
	imports []string // the candidate packages when more than one has a factory
}

// ocbComponents finds the components of a binary ocb built. ocb's
// generated main records each component's and provider's module as the
// text "MODULE VERSION" (components.go's ReceiverModules…, main.go's
// ProviderModules), which the binary holds as string data: a module of
// the build information named so is a component. Its package is the one
// of the module whose NewFactory the binary's function name table holds
// (the root package unless only one other has one), and its kind is the
// one the profile tells from that package's path. The profile's default
// components (ocb's default providers and telemetry) are left out when the
// binary holds exactly those of their kind. ok is false when the binary
// names no module so (ocb releases before the module maps): then which
// modules are components is for the user to say.
func ocbComponents(data []byte, bi *buildinfo.BuildInfo, core *debug.Module, spec *profile.Spec) (comps []component, ok bool) {
	owner := moduleOwner(bi)
	factories := map[string][]string{} // module path -> packages with a NewFactory
	for pkg := range factoryPackages(data) {
		if m := owner(pkg); m != "" {
			factories[m] = append(factories[m], pkg)
		}
	}
	for _, d := range bi.Deps {
		if d.Path == core.Path || !namesModule(data, d.Path, d.Version) {
			continue
		}
		c := component{mod: d, imp: d.Path}
		pkgs := factories[d.Path]
		slices.Sort(pkgs)
		if len(pkgs) > 0 && !slices.Contains(pkgs, d.Path) {
			if len(pkgs) == 1 {
				c.imp = pkgs[0]
			} else {
				c.imports = pkgs
			}
		}
		c.kind = profile.InferKind(spec.Kinds, c.imp)
		comps = append(comps, c)
	}
	if len(comps) == 0 {
		return nil, false
	}
	comps = dropDefaults(comps, bi, core, spec)
	names := map[string]int{}
	for i := range comps {
		n := plugName(comps[i].mod.Path)
		names[n]++
		if names[n] > 1 {
			n = fmt.Sprintf("%s-%d", n, names[n])
		}
		comps[i].name = n
	}
	return comps, true
}

// dropDefaults leaves out the components of each kind for which the
// binary holds exactly the profile's defaults, at the version the
// profile builds them at (that of their companion module): a config
// without plugs of that kind builds the same.
func dropDefaults(comps []component, bi *buildinfo.BuildInfo, core *debug.Module, spec *profile.Spec) []component {
	versions := map[string]string{core.Path: version(core)}
	for _, d := range bi.Deps {
		versions[d.Path] = version(d)
	}
	isDefault := func(kind string, c component) bool {
		for _, d := range spec.Defaults {
			imp := d.Import
			if imp == "" {
				imp = d.Module
			}
			if d.Kind == kind && d.Module == c.mod.Path && imp == c.imp && version(c.mod) == versions[d.VersionOf] {
				return true
			}
		}
		return false
	}
	drop := map[string]bool{}
	for _, k := range spec.Kinds {
		var want, have int
		all := true
		for _, d := range spec.Defaults {
			if d.Kind == k.Name {
				want++
			}
		}
		for _, c := range comps {
			if c.kind == k.Name {
				have++
				all = all && isDefault(k.Name, c)
			}
		}
		if want > 0 && have == want && all {
			drop[k.Name] = true
		}
	}
	return slices.DeleteFunc(comps, func(c component) bool { return drop[c.kind] })
}

// writeComponents writes the plugins: section of an ocb binary's config.
func writeComponents(w *writer, comps []component) {
	if len(comps) == 0 {
		w.line(0, "plugins: []")
		return
	}
	w.line(0, "plugins:")
	for _, c := range comps {
		w.line(1, "- name: %s", q(c.name))
		w.line(2, "module: %s", q(c.mod.Path))
		w.line(2, "version: %s", q(version(c.mod)))
		if c.imp != c.mod.Path {
			w.line(2, "import: %s", q(c.imp))
		}
		if len(c.imports) > 0 {
			w.fill(2, fmt.Sprintf("plug %q: several packages of its module have a NewFactory (%s): add import: the component's", c.name, strings.Join(c.imports, ", ")))
		}
		if c.kind != "" {
			w.line(2, "kind: %s", q(c.kind))
		} else if len(c.imports) == 0 {
			w.fill(2, fmt.Sprintf("plug %q: its kind, which its import path does not tell: add kind: (receiver, processor, exporter, extension, connector, provider or converter)", c.name))
		}
	}
}

// namesModule reports whether data holds the text "path version" as ocb's
// generated code writes a component's module. The version is the one the
// build information records; ocb checks that the two agree.
func namesModule(data []byte, path, version string) bool {
	if version == "" || version == "(devel)" {
		return false
	}
	return bytes.Contains(data, []byte(path+" "+version)) && semver.IsValid(version)
}

// factoryPackages returns the packages whose NewFactory the binary's
// function name table holds: "PKG.NewFactory" ends with a NUL there, and
// an inlined function keeps its name for tracebacks, so a component's
// factory is named even when every call was inlined (and with -s -w).
func factoryPackages(data []byte) map[string]bool {
	const fn = ".NewFactory\x00"
	out := map[string]bool{}
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte(fn))
		if j < 0 {
			return out
		}
		j += i
		k := j
		for k > 0 && isPathByte(data[k-1]) {
			k--
		}
		if k < j {
			out[string(data[k:j])] = true
		}
		i = j + len(fn)
	}
}

func isPathByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("./-_~", c) >= 0
}

// moduleOwner returns a function giving the module of bi's that provides
// a package: the one with the longest path that is the package's or a
// prefix of it; "" for none (the main module, the standard library).
func moduleOwner(bi *buildinfo.BuildInfo) func(pkg string) string {
	return func(pkg string) string {
		best := ""
		for _, d := range bi.Deps {
			if (pkg == d.Path || strings.HasPrefix(pkg, d.Path+"/")) && len(d.Path) > len(best) {
				best = d.Path
			}
		}
		return best
	}
}
