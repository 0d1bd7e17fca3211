package manifest

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	msemver "github.com/Masterminds/semver/v3"
	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/setting"
	"github.com/plugctl/plugctl/internal/suggest"
)

// Set is what Check checks: the core and the enabled plugs of a build.
type Set struct {
	// CoreVersion is the core's resolved version; "" when it has none (a
	// local directory), and then requires.core is not checked.
	CoreVersion string
	// Core is the core's own manifest, or nil. Its requires.plugins and
	// conflicts apply to the build; it has no settings.
	Core  *Manifest
	Plugs []Plug // the enabled plugs, in config order
	// Locate, when set, tells where in the config a problem of plug (the
	// plug's name, "core" for the core) lies; setting is the setting
	// concerned or "". config.Config.Locate is one.
	Locate func(plug, setting string) (file string, pos diag.Pos, ok bool)
}

// Plug is one enabled plug as Check sees it.
type Plug struct {
	Name string
	// Version is the plug's resolved version; "" when it has none (a local
	// directory), and then requirements on its version are not checked.
	Version  string
	Manifest *Manifest      // nil when the plug has no plugin.yaml
	Settings map[string]any // from the config; see config.Plugin
	// Hooks reports that the config allows the plug's generate hooks to
	// run (hooks: allow); a plug that declares hooks is refused otherwise.
	Hooks bool
}

// Check checks the plugs of s against their manifests and returns each
// plug's settings with the defaults of its schema filled in for the keys
// the config leaves out, by plug name. Problems, all of them, come back as
// a diag.List wrapped as a fail.Config error, in config order, each at the
// config's position of its plug (Set.Locate) and naming the plug.
func Check(s Set) (map[string]map[string]any, error) {
	c := &checker{set: s, enabled: map[string]Plug{}}
	for _, p := range s.Plugs {
		c.enabled[p.Name] = p
	}
	out := make(map[string]map[string]any, len(s.Plugs))
	if s.Core != nil {
		c.requirements("core", s.Core)
		if s.Core.Requires.Core != nil {
			c.add("core", "", "its manifest has requires.core, which only a plug's manifest may have")
		}
		if len(s.Core.Settings) > 0 {
			c.add("core", "", "its manifest declares settings, which only a plug's manifest may have")
		}
		if len(s.Core.Generate) > 0 {
			c.add("core", "", "its manifest declares generate hooks, which only a plug's manifest may have")
		}
	}
	for _, p := range s.Plugs {
		out[p.Name] = p.Settings
		m := p.Manifest
		if m == nil {
			continue
		}
		if m.Core != nil {
			c.add(p.Name, "", "its manifest has a core section, which only the core's manifest may have")
		}
		if len(m.Generate) > 0 && !p.Hooks {
			var cmds []string
			for _, g := range m.Generate {
				cmds = append(cmds, strings.Join(g.Args, " "))
			}
			c.add(p.Name, "", "its manifest declares build-time hooks (generate: %s), which run code while building and run only when the config allows them: add hooks: allow to the plug's entry (after reading what they run)", strings.Join(cmds, "; "))
		}
		if rc := m.Requires.Core; rc != nil && s.CoreVersion != "" {
			if ok, err := satisfies(rc.C, s.CoreVersion); err != nil {
				c.add(p.Name, "", "requires core %s, but the core's version %s is not a semantic version", rc.Text, s.CoreVersion)
			} else if !ok {
				c.add(p.Name, "", "requires core %s, but the core is %s", rc.Text, s.CoreVersion)
			}
		}
		c.requirements(p.Name, m)
		out[p.Name] = c.settings(p, m)
	}
	if len(c.problems) > 0 {
		return nil, fail.Wrap(fail.Config, c.problems)
	}
	return out, nil
}

type checker struct {
	set      Set
	enabled  map[string]Plug
	problems diag.List
}

// add records a problem of plug ("core" for the core) with setting (or "").
func (c *checker) add(plug, setting, format string, args ...any) {
	p := &diag.Problem{Subject: plug, Msg: fmt.Sprintf(format, args...)}
	if c.set.Locate != nil {
		if file, pos, ok := c.set.Locate(plug, setting); ok {
			p.File, p.Pos = file, pos
		}
	}
	c.problems = append(c.problems, p)
}

// requirements checks the required plugs and conflicts of m, the manifest
// of plug who.
func (c *checker) requirements(who string, m *Manifest) {
	for _, r := range m.Requires.Plugins {
		dep, ok := c.enabled[r.Name]
		switch {
		case !ok:
			if r.Version != nil {
				c.add(who, "", "requires plug %q %s, which is not enabled in the config", r.Name, r.Version.Text)
			} else {
				c.add(who, "", "requires plug %q, which is not enabled in the config", r.Name)
			}
		case r.Version != nil && dep.Version != "":
			if ok, err := satisfies(r.Version.C, dep.Version); err != nil {
				c.add(who, "", "requires plug %q %s, but its version %s is not a semantic version", r.Name, r.Version.Text, dep.Version)
			} else if !ok {
				c.add(who, "", "requires plug %q %s, but it is %s", r.Name, r.Version.Text, dep.Version)
			}
		}
	}
	for _, x := range m.Conflicts {
		if _, ok := c.enabled[x.Name]; ok && x.Name != who {
			c.add(who, "", "conflicts with plug %q; remove or disable one of them", x.Name)
		}
	}
}

// satisfies reports whether version meets cs. A Go pseudo-version
// (v1.4.3-0.20240101000000-abcdefabcdef, a commit after v1.4.2) counts
// where its place in the version order puts it, even though it reads as a
// pre-release.
func satisfies(cs *msemver.Constraints, version string) (bool, error) {
	v, err := msemver.NewVersion(version)
	if err != nil {
		return false, err
	}
	if module.IsPseudoVersion(version) {
		c := *cs
		c.IncludePrerelease = true
		return c.Check(v), nil
	}
	return cs.Check(v), nil
}

// settings checks the settings of plug p against its schema and returns
// them with the defaults filled in.
func (c *checker) settings(p Plug, m *Manifest) map[string]any {
	if m.Settings == nil {
		return p.Settings
	}
	out := make(map[string]any, len(m.Settings))
	maps.Copy(out, p.Settings)
	declared := slices.Sorted(maps.Keys(m.Settings))
	var unknown []string
	// meant holds the declared settings that an unknown one most likely
	// misspells: a missing required setting is then that typo's knock-on,
	// and only the typo is reported.
	meant := map[string]bool{}
	for key := range p.Settings {
		if _, ok := m.Settings[key]; !ok {
			unknown = append(unknown, key)
			if near := suggest.Nearest(key, declared); len(near) == 1 {
				meant[near[0]] = true
			}
		}
	}
	slices.Sort(unknown)
	for _, key := range declared {
		s := m.Settings[key]
		v, ok := p.Settings[key]
		switch {
		case !ok && s.Required && meant[key]:
		case !ok && s.Required:
			c.add(p.Name, key, "missing required setting %q (%s%s)", key, s.Type, describeSuffix(s.Description))
		case !ok:
			if s.HasDefault {
				out[key] = s.Default
			}
		case isRef(v):
			out[key] = c.ref(p.Name, key, v.(setting.Ref), s)
		case !s.Type.Accepts(v):
			c.add(p.Name, key, "setting %q must be %s, got %s", key, s.Type.article(), describe(v))
		}
	}
	valid := "the plug takes no settings"
	if len(m.Settings) > 0 {
		valid = "valid: " + strings.Join(declared, ", ")
	}
	for _, key := range unknown {
		hint := ""
		if h := suggest.Hint(key, declared); h != "" {
			hint = ", " + h
		}
		c.add(p.Name, key, "unknown setting %q%s (%s)", key, hint, valid)
	}
	return out
}

func isRef(v any) bool {
	_, ok := v.(setting.Ref)
	return ok
}

// ref gives the reference r, the value of setting key of plug, the type its
// schema s declares, which the SDK checks the value read against when the
// plug starts, and checks r's default against it now.
func (c *checker) ref(plug, key string, r setting.Ref, s Setting) setting.Ref {
	r.Type = string(s.Type)
	if r.HasDefault && r.Default != nil && !s.Type.Accepts(r.Default) {
		c.add(plug, key, "setting %q: the default of %s must be %s, got %s", key, r, s.Type.article(), describe(r.Default))
	}
	return r
}

func describeSuffix(d string) string {
	if d == "" {
		return ""
	}
	return ": " + d
}
