package pipeline

import (
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/diag"
	ldflagspkg "github.com/plugctl/plugctl/internal/ldflags"
	"github.com/plugctl/plugctl/internal/profile"
	"github.com/plugctl/plugctl/internal/source"
)

// decideCore (part of the check step) decides how the core is built —
// the config, the core's plugin.yaml core: section, its profile, the plain
// default (internal/profile) — and wires the plugs: their kinds, the
// profile's default components, their places in the core's order. The
// entry is checked in the core's own source, so a call the core cannot
// take fails here, not after compiling the whole graph.
func (s *State) decideCore() error {
	c := s.Config
	core := s.Set.Core
	u := profile.User{
		File: c.File, Dir: c.Dir, Profile: c.Core.Profile,
		Main: c.Core.Main, Entry: c.Core.Entry, Imports: c.Core.Imports,
		Tags: c.Build.Tags, Ldflags: c.Build.Ldflags,
		Pos: map[string]diag.Pos{"": c.Core.Pos},
	}
	for k, p := range c.Core.KeyPos {
		u.Pos[k] = p
	}
	for k, p := range c.Core.ValPos {
		u.Pos[k] = p
	}
	if c.Core.Template != "" {
		text, err := s.template()
		if err != nil {
			return err
		}
		u.Template = &profile.Template{Name: "main.go", Text: text, From: c.Core.Template}
	}
	in := profile.Input{User: u, Module: core.Module, Version: core.Version, Root: core.Root, GoMod: core.GoMod}
	if core.Kind == source.Local {
		in.Display = modDisplay(core)
	}
	if s.coreManifest != nil {
		in.Manifest = s.coreManifest.Core
	}
	byName := map[string]int{}
	for i, p := range c.Plugins {
		byName[p.Name] = i
	}
	for _, pc := range s.Set.Plugs {
		p := c.Plugins[byName[pc.Name]]
		pl := profile.Plug{Name: pc.Name, Module: pc.Module, Version: pc.Version, Import: pc.Import, Kind: p.Kind,
			Pos: p.Pos, KindPos: p.KindPos, PositionPos: p.KeyPos["position"]}
		if p.Position != nil {
			pl.Before, pl.After, pl.PositionPos = p.Position.Before, p.Position.After, p.Position.Pos
		}
		in.Plugs = append(in.Plugs, pl)
	}
	b, err := profile.Decide(in)
	s.Profile = b
	return err
}

// build returns how the core is built: decided by the check step, or the
// plain build of its module when the run has no check (a build from a
// vendor tree, which generates nothing).
func (s *State) build() *profile.Build {
	if s.Profile != nil {
		return s.Profile
	}
	return profile.Plain(s.Set.Core.Module)
}

// Data returns what the templates of the main package are executed with.
func (s *State) Data() codegen.Data {
	set := s.Set
	b := s.build()
	d := codegen.Data{
		Name:        s.Config.Name,
		Version:     s.Config.Version,
		Description: s.Config.Description,
		Core: codegen.Core{Main: b.Main, Entry: b.Call.Func, Call: b.Call,
			Module: set.Core.Module, Version: set.Core.Version},
		SDK:         set.SDK,
		CoreImports: b.Imports,
		Order:       b.Order,
		Embedded:    s.embedFiles, // read by embedded, in generate
	}
	seen := map[string]bool{d.Core.Main: true}
	add := func(imp string) {
		if !seen[imp] {
			seen[imp] = true
			d.Imports = append(d.Imports, imp)
		}
	}
	for _, c := range set.Plugs {
		add(c.Import)
		d.Plugs = append(d.Plugs, codegen.Plug{
			Name: c.Name, Module: c.Module, Version: c.Version, Import: c.Import,
			Settings: s.plugSettings(c.Name), Source: string(c.Kind), Checksum: c.Origin.SHA256,
			Kind: b.Kind[c.Name], Alias: "plug_" + strings.ReplaceAll(c.Name, "-", "_"),
			Position: slices.Index(b.Order, c.Name),
		})
	}
	for _, imp := range b.Imports {
		add(imp)
	}
	slices.Sort(d.Imports)
	taken := map[string]bool{}
	for _, df := range b.Defaults {
		name := path.Base(df.Import)
		alias := "default_" + identPart(name)
		for i := 2; taken[alias]; i++ {
			alias = "default_" + identPart(name) + "_" + strconv.Itoa(i)
		}
		taken[alias] = true
		d.Defaults = append(d.Defaults, codegen.Plug{Name: name, Module: df.Module, Version: df.Version, Import: df.Import,
			Kind: df.Kind, Alias: alias, Position: -1, Default: true})
	}
	core := codegen.InfoModule{Module: set.Core.Module, Version: set.Core.Version, Source: string(set.Core.Kind), Checksum: set.Core.Origin.SHA256}
	if b.Profile == "" {
		core.Main = b.Main
		if b.Call != nil {
			core.Entry = b.Call.String()
		}
	}
	d.Info = codegen.Describe(d, core, b.Profile)
	return d
}

// identPart turns an import path element into letters, digits and '_'.
func identPart(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}

// BuildFlags returns the tags and linker flags of the compile: the
// config's where it sets them, else what the core's profile gives (from
// the check step, or as the vendor tree recorded it).
func (s *State) BuildFlags() (tags, ldflags []string) {
	tags, ldflags = s.Config.Build.Tags, s.Config.Build.Ldflags
	var lt, ll []string
	switch {
	case s.Profile != nil:
		lt, ll = s.Profile.LayerTags, s.Profile.LayerLdflags
	case s.Tree != nil && s.Tree.Manifest != nil && s.Tree.Manifest.Build != nil:
		lt, ll = s.Tree.Manifest.Build.Tags, s.Tree.Manifest.Build.Ldflags
	}
	if tags == nil {
		tags = lt
	}
	if ldflags == nil {
		ldflags = ll
	}
	if s.Config.Build.Debug {
		// Symbols and DWARF stay: a profile's -s -w go (the config's own
		// are refused with debug).
		ldflags = slices.DeleteFunc(slices.Clone(ldflags), ldflagspkg.Strips)
	}
	return tags, ldflags
}

// Gcflags returns the compiler flags of the build: the config's, with -N
// -l first for a debug build.
func (s *State) Gcflags() []string {
	gc := s.Config.Build.Gcflags
	if s.Config.Build.Debug {
		gc = append([]string{"-N", "-l"}, gc...)
	}
	return gc
}
