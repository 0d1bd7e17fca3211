// Package digest holds the three digests plugctl takes of a config, side by
// side, so that what each covers is decided in one place. Each answers one
// question — "is the lock still the lock of this config?", "was the vendor
// tree made from this config?", "was this binary built from this config?" —
// and covers exactly what changes the answer:
//
//	digest      recorded in                what it covers                                  left out, and why
//	----------  -------------------------  ----------------------------------------------  ------------------------------------------------
//	Resolution  the lock's config_digest   core and every plug, enabled or not: name,      settings, core.main/entry/imports/template/profile,
//	                                       module, version, source, checksum, import,      kind, position, name, version, description,
//	                                       replaces (when set); the replace map, exclude   build and vendor keys: they change no version,
//	                                                                                       so editing them must not make a lock stale;
//	                                                                                       plugs sorted by name, so file order does not count
//	Vendor      the vendor manifest's      schema, name, version, description, the core    the build section and the vendor key: targets,
//	            config                     (origin keys, main, entry, imports, template,   output, tags and ldflags apply when building from
//	                                       profile), build.embed (the tree holds its       the tree and do not change what it holds;
//	                                       files: the manifest hashes them),
//	                                       the enabled plugs with their
//	                                       settings as the Go literals the generated main  disabled plugs, which the tree does not hold
//	                                       holds, kind, position, replaces and hooks
//	                                       (whether the tree holds what they made);
//	                                       the replace map, exclude
//	Artifact    an artifact record's       the whole parsed config (settings as Go         build.targets and build.output (the target is
//	            inputs.config              literals, so 1 and 1.0 differ)                  digested apart, the output path changes no byte
//	                                                                                       of the binary); the file's name and directory;
//	                                                                                       the audit and policy sections, which check a
//	                                                                                       build and change no byte of it
//
// All three leave out comments, layout, key order and every position in the
// file (Pos, KeyPos, SettingPos, OutputPos): reformatting a config changes
// none of them. Resolution and Vendor redact credentials in source URLs
// first: a rotated token is the same source, and a bundle carries its config
// without it. Resolution and Vendor are "sha256:<hex>"; Artifact is bare
// hex, as artifact records have always held it.
//
// The lock's own content is digested by the lock package
// (lock.File.ContentDigest): the vendor manifest and the artifact inputs
// both pin a lock by it.
package digest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/redact"
)

// resolution is the canonical form of what a resolution depends on.
type resolution struct {
	Core    resolutionComponent   `json:"core"`
	Plugins []resolutionComponent `json:"plugins"`           // every plug, enabled or not, by name
	Replace []resolutionReplace   `json:"replace"`           // by path
	Exclude []string              `json:"exclude,omitempty"` // module@version, sorted
}

type resolutionComponent struct {
	Name     string `json:"name"`
	Module   string `json:"module"`
	Version  string `json:"version"`
	Source   string `json:"source"`
	Checksum string `json:"checksum"`
	Import   string `json:"import"`
	// Replaces is a plug's replaces key, left out when unset so that the
	// digest of a config without it is what it always was.
	Replaces string `json:"replaces,omitempty"`
}

type resolutionReplace struct {
	Path    string `json:"path"`
	Version string `json:"version"`
	Dir     string `json:"dir"`
	// Module is a fork's module path, left out when unset so that the
	// digest of a config without one is what it always was.
	Module string `json:"module,omitempty"`
}

// Resolution returns the digest of cfg's resolution inputs, "sha256:<hex>",
// which the lock records as its config_digest (see the table above).
func Resolution(cfg *config.Config) string {
	in := resolution{
		Core:    resolutionComponent{Name: "core", Module: cfg.Core.Module, Version: cfg.Core.Version, Source: redact.String(cfg.Core.Source), Checksum: cfg.Core.Checksum},
		Plugins: []resolutionComponent{},
		Replace: []resolutionReplace{},
	}
	for _, p := range cfg.Plugins {
		in.Plugins = append(in.Plugins, resolutionComponent{p.Name, p.Module, p.Version, redact.String(p.Source), p.Checksum, p.Import, p.Replaces})
	}
	slices.SortFunc(in.Plugins, func(a, b resolutionComponent) int { return strings.Compare(a.Name, b.Name) })
	for _, r := range cfg.Replace {
		in.Replace = append(in.Replace, resolutionReplace{r.Path, r.Version, r.Dir, r.Module})
	}
	for _, e := range cfg.Exclude {
		in.Exclude = append(in.Exclude, e.Path+"@"+e.Version)
	}
	slices.SortFunc(in.Replace, func(a, b resolutionReplace) int { return strings.Compare(a.Path, b.Path) })
	return prefixed(encode(in))
}

// Vendor returns the digest of the parts of cfg a vendor tree is made from,
// "sha256:<hex>", which the vendor manifest records (see the table above).
func Vendor(cfg *config.Config) string {
	// The keys the core profiles brought (version, description,
	// core.profile, a plug's kind and position) are left out when unset,
	// so that the digest of a config without them is what it always was.
	type plug struct {
		Name, Module, Version, Source, Checksum, Import, Settings string
		Kind                                                      string           `json:",omitempty"`
		Position                                                  *config.Position `json:",omitempty"`
		Replaces                                                  string           `json:",omitempty"`
		Hooks                                                     string           `json:",omitempty"`
	}
	type replace struct {
		Path, Version, Dir string
		Module             string `json:",omitempty"`
	}
	in := struct {
		Schema      int
		Name        string
		Version     string `json:",omitempty"`
		Description string `json:",omitempty"`
		Core        [8]any
		Profile     string `json:",omitempty"`
		Plugs       []plug
		Replace     []replace
		Exclude     []string `json:",omitempty"`
		// Embed is build.embed: the tree holds that directory's files
		// under embedded/ (its manifest hashes them).
		Embed string `json:",omitempty"`
	}{Schema: cfg.Schema, Name: cfg.Name, Version: cfg.Version, Description: cfg.Description, Profile: cfg.Core.Profile, Embed: cfg.Build.Embed}
	c := cfg.Core
	in.Core = [8]any{c.Module, c.Version, redact.String(c.Source), c.Checksum, c.Main, c.Entry, c.Imports, c.Template}
	for _, p := range cfg.Enabled() {
		settings := p.Settings
		if settings == nil {
			settings = map[string]any{} // as the generated main sees an absent key
		}
		in.Plugs = append(in.Plugs, plug{p.Name, p.Module, p.Version, redact.String(p.Source), p.Checksum, p.Import, codegen.Literal(settings), p.Kind, p.Position, p.Replaces, p.Hooks})
	}
	for _, r := range cfg.Replace {
		in.Replace = append(in.Replace, replace{r.Path, r.Version, r.Dir, r.Module})
	}
	for _, e := range cfg.Exclude {
		in.Exclude = append(in.Exclude, e.Path+"@"+e.Version)
	}
	return prefixed(encode(in))
}

// Artifact returns the digest of cfg as it feeds a binary, bare hex, which
// an artifact's record holds among its inputs (see the table above).
func Artifact(cfg *config.Config) string {
	cp := *cfg
	cp.File, cp.Dir = "", ""
	cp.Audit, cp.Policy = nil, nil // they check a build and change no byte of it
	cp.Build.Targets, cp.Build.Output, cp.Build.OutputPos = nil, "", config.Pos{}
	cp.Core.Pos, cp.Core.KeyPos = config.Pos{}, nil
	settings := map[string]string{}
	cp.Plugins = make([]config.Plugin, len(cfg.Plugins))
	for i, pl := range cfg.Plugins {
		settings[pl.Name] = codegen.Literal(pl.Settings)
		pl.Settings, pl.Pos, pl.KeyPos, pl.SettingPos = nil, config.Pos{}, nil, nil
		cp.Plugins[i] = pl
	}
	cp.Replace = make([]config.Replace, len(cfg.Replace))
	for i, r := range cfg.Replace {
		r.Pos = config.Pos{}
		cp.Replace[i] = r
	}
	cp.Exclude = nil
	for _, e := range cfg.Exclude {
		e.Pos = config.Pos{}
		cp.Exclude = append(cp.Exclude, e)
	}
	sum := sha256.Sum256(encode(struct {
		Config   config.Config
		Settings map[string]string
	}{cp, settings}))
	return hex.EncodeToString(sum[:])
}

// encode is the JSON of v: strings, numbers, slices and maps only, which
// always encode.
func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("digest: encoding a config: " + err.Error())
	}
	return b
}

func prefixed(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
