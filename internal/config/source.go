package config

import (
	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/source/kinds"
	"github.com/plugctl/plugctl/internal/yamlsrc"
)

// Requests returns what the config asks of the core and of each enabled
// plug, in config order, the core first: for the source kinds to resolve.
func (c *Config) Requests() []source.Request {
	out := []source.Request{{Name: source.CoreName, Module: c.Core.Module, Version: c.Core.Version, Source: c.Core.Source,
		Checksum: c.Core.Checksum, Import: c.Core.Main, File: c.File, Dir: c.Dir, Pos: c.Core.Pos, KeyPos: c.Core.KeyPos}}
	for _, p := range c.Enabled() {
		out = append(out, source.Request{Name: p.Name, Module: p.Module, Version: p.Version, Source: p.Source,
			Checksum: p.Checksum, Import: p.Import, File: c.File, Dir: c.Dir, Pos: p.Pos, KeyPos: p.KeyPos})
	}
	return out
}

// checkOrigin checks the module, version, source and checksum of the core or
// a plug (the mapping f, at pos) against each other: the module path here,
// the rest by the kinds' rules (internal/source/kinds).
func (c *checker) checkOrigin(scope int, at Pos, f map[string]*yamlsrc.Entry, mod string) {
	for _, k := range source.OriginKeys {
		if f[k] != nil && f[k].Val.Kind == yamlsrc.Bad {
			return // reported already; what is left cannot be judged
		}
	}
	e := &source.Entry{Pos: at, Fields: map[string]source.Field{}}
	for _, k := range source.OriginKeys {
		// null counts as absent, as everywhere in the config.
		if v := f[k]; v != nil && v.Val.Kind != yamlsrc.Null {
			e.Fields[k] = source.Field{Pos: v.Val.Pos, Value: v.Val.Str, String: v.Val.Kind == yamlsrc.String}
		}
	}
	if mod != "" {
		if err := module.CheckPath(mod); err != nil {
			c.add(e.At("module"), scope, "invalid module path %s: %s", diag.Quote(mod), pathProblem(err))
		} else {
			e.Module = mod
		}
	}
	for _, p := range kinds.CheckEntry(e) {
		c.add(p.Pos, scope, "%s", p.Msg)
	}
}
