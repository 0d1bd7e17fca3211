package lock

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/source/kinds"
)

// digestInput is the canonical form of what a resolution depends on. It
// leaves out what does not change a resolution — settings, comments, key
// order, core.main and entry, build options — so that editing those does
// not make a lock stale.
type digestInput struct {
	Core    digestComponent   `json:"core"`
	Plugins []digestComponent `json:"plugins"` // every plug, enabled or not, by name
	Replace []digestReplace   `json:"replace"` // by path
}

type digestComponent struct {
	Name     string `json:"name"`
	Module   string `json:"module"`
	Version  string `json:"version"`
	Source   string `json:"source"`
	Checksum string `json:"checksum"`
	Import   string `json:"import"`
}

type digestReplace struct {
	Path    string `json:"path"`
	Version string `json:"version"`
	Dir     string `json:"dir"`
}

// Digest returns the digest of cfg's resolution inputs, "sha256:<hex>": the
// core's and every plug's (enabled or not) name, module, version, source,
// checksum and import, and the replace map. Credentials in source URLs are
// redacted first, so the lock, which records the digest, never depends on
// a secret.
func Digest(cfg *config.Config) string {
	in := digestInput{
		Core:    digestComponent{Name: "core", Module: cfg.Core.Module, Version: cfg.Core.Version, Source: redact.String(cfg.Core.Source), Checksum: cfg.Core.Checksum},
		Plugins: []digestComponent{},
		Replace: []digestReplace{},
	}
	for _, p := range cfg.Plugins {
		in.Plugins = append(in.Plugins, digestComponent{p.Name, p.Module, p.Version, redact.String(p.Source), p.Checksum, p.Import})
	}
	slices.SortFunc(in.Plugins, func(a, b digestComponent) int { return strings.Compare(a.Name, b.Name) })
	for _, r := range cfg.Replace {
		in.Replace = append(in.Replace, digestReplace{r.Path, r.Version, r.Dir})
	}
	slices.SortFunc(in.Replace, func(a, b digestReplace) int { return strings.Compare(a.Path, b.Path) })
	data, err := json.Marshal(in)
	if err != nil {
		panic(err) // strings only: cannot fail
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Want is what the config asks of one component, for comparing with its
// lock entry.
type Want struct {
	Name      string // plug name; "core" for the core
	Module    string // "" when the config leaves it to the source (local, git)
	Requested string
	Source    string
	Checksum  string
	Import    string // "" when the config imports the module path itself
}

// Wants returns what cfg asks of the core and of each enabled plug.
func Wants(cfg *config.Config) []Want {
	w := []Want{{Name: "core", Module: cfg.Core.Module, Requested: cfg.Core.Version, Source: cfg.Core.Source, Checksum: cfg.Core.Checksum}}
	for _, p := range cfg.Enabled() {
		imp := p.Import
		if imp == p.Module {
			imp = ""
		}
		w = append(w, Want{Name: p.Name, Module: p.Module, Requested: p.Version, Source: p.Source, Checksum: p.Checksum, Import: imp})
	}
	return w
}

// Differences lists, one readable line each, how the entry e differs from
// what w asks; none means the entry still stands for the config.
func (w Want) Differences(e Entry) []string {
	label := "core"
	if w.Name != "core" {
		label = fmt.Sprintf("plug %q", w.Name)
	}
	var out []string
	diff := func(what, cfg, lock string) {
		if cfg != lock {
			out = append(out, fmt.Sprintf("%s: %s %s in the config, %s in the lock", label, what, show(cfg), show(lock)))
		}
	}
	if w.Module != "" {
		diff("module", w.Module, e.Module)
	}
	diff("version", w.Requested, e.Requested)
	diff("source", redact.String(w.Source), kinds.SourceOf(e.Origin))
	if w.Checksum != "" || e.Origin.SHA256 != "" {
		diff("checksum", w.Checksum, e.Origin.SHA256)
	}
	diff("import", w.Import, e.Import)
	return out
}

func show(s string) string {
	if s == "" {
		return "(none)"
	}
	return fmt.Sprintf("%q", s)
}

// Diff lists how f differs from the config cfg, one readable line each;
// none means f is the lock of cfg as it is. What the lines cannot show
// (a changed replace map or disabled plug) is caught by the digest.
func Diff(cfg *config.Config, f *File) []string {
	var out []string
	enabled := map[string]bool{}
	for _, w := range Wants(cfg) {
		if w.Name == "core" {
			out = append(out, w.Differences(f.Core)...)
			continue
		}
		enabled[w.Name] = true
		e, ok := f.Plugin(w.Name)
		if !ok {
			out = append(out, fmt.Sprintf("plug %q: in the config, not in the lock", w.Name))
			continue
		}
		out = append(out, w.Differences(e)...)
	}
	disabled := map[string]bool{}
	for _, p := range cfg.Plugins {
		disabled[p.Name] = !p.Enabled
	}
	for _, e := range f.Plugins {
		switch {
		case enabled[e.Name]:
		case disabled[e.Name]:
			out = append(out, fmt.Sprintf("plug %q: disabled in the config, in the lock", e.Name))
		default:
			out = append(out, fmt.Sprintf("plug %q: in the lock, not in the config", e.Name))
		}
	}
	if len(out) == 0 && f.ConfigDigest != Digest(cfg) {
		out = append(out, "the replace map or a disabled plug changed since the lock was made (its config_digest differs)")
	}
	return out
}
