package pipeline

import (
	"path/filepath"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/manifest"
	"github.com/plugctl/plugctl/internal/source"
)

// checkManifests reads the plugin.yaml of the core and of every plug and
// checks the build against them (docs/plugs.md: Manifests) before anything is
// generated or compiled. It keeps each plug's settings with the defaults of its
// schema filled in, for the generated main.
func (s *State) checkManifests() error {
	built := s.Set
	set := manifest.Set{Locate: s.Config.Locate, CoreVersion: versionOf(built.Core)}
	var errs diag.List
	load := func(c source.Component) *manifest.Manifest {
		if c.Root == "" {
			return nil
		}
		m, err := loadManifest(c)
		problems, others := diag.Collect(err)
		for _, e := range problems {
			e := *e
			e.Subject = c.Name
			errs = append(errs, &e)
		}
		for _, err := range others {
			// The file could not be read: a problem of the whole file.
			errs = append(errs, &diag.Problem{File: filepath.Join(c.Root, manifest.FileName), Subject: c.Name, Msg: err.Error()})
		}
		return m
	}
	set.Core = load(built.Core)
	s.coreManifest = set.Core
	settings := map[string]map[string]any{}
	allowed := map[string]bool{}
	for _, pl := range s.Config.Enabled() {
		settings[pl.Name] = pl.Settings
		allowed[pl.Name] = pl.Hooks == config.HooksAllow
	}
	s.hookCmds = nil
	for _, c := range built.Plugs {
		m := load(c)
		set.Plugs = append(set.Plugs, manifest.Plug{Name: c.Name, Version: versionOf(c), Manifest: m, Settings: settings[c.Name], Hooks: allowed[c.Name]})
		if m != nil && len(m.Generate) > 0 && allowed[c.Name] {
			if s.hookCmds == nil {
				s.hookCmds = map[string][]manifest.Command{}
			}
			s.hookCmds[c.Name] = m.Generate
		}
	}
	if len(errs) > 0 {
		return fail.Wrap(fail.Config, errs)
	}
	filled, err := manifest.Check(set)
	if err != nil {
		return err
	}
	if built.SDK {
		s.settings = filled
	}
	return nil
}

// loadManifest reads the manifest of c: from the bytes its Sums read and
// hashed when they kept them, so the file is not opened again.
func loadManifest(c source.Component) (*manifest.Manifest, error) {
	if c.Sums != nil {
		if data, ok := c.Sums.Kept(manifest.FileName); ok {
			return manifest.Parse(filepath.Join(c.Root, manifest.FileName), data)
		}
	}
	return manifest.Load(c.Root)
}

// versionOf returns the version a manifest's constraints are checked
// against: "" for the kinds whose versions stand for nothing (a local
// directory, an archive: source.Rules.Versioned).
func versionOf(c source.Component) string {
	if !rules(c.Kind).Versioned {
		return ""
	}
	return c.Version
}

// plugSettings returns the settings the generated main delivers to plug
// name: the config's, with the defaults of the plug's manifest.
func (s *State) plugSettings(name string) map[string]any {
	if set, ok := s.settings[name]; ok && set != nil {
		return set
	}
	for _, pl := range s.Config.Plugins {
		if pl.Name == name && pl.Settings != nil {
			return pl.Settings
		}
	}
	return map[string]any{}
}
