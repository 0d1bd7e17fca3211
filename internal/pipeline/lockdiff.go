package pipeline

import (
	"fmt"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/digest"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/source/kinds"
)

// want is what the config asks of one component, for comparing with its
// lock entry.
type want struct {
	Name      string // plug name; source.CoreName for the core
	Module    string // "" when the config leaves it to the source (local, git)
	Requested string
	Source    string
	Checksum  string
	Import    string // "" when the config imports the module path itself
}

// wants returns what cfg asks of the core and of each enabled plug.
func wants(cfg *config.Config) []want {
	w := []want{{Name: source.CoreName, Module: cfg.Core.Module, Requested: cfg.Core.Version, Source: cfg.Core.Source, Checksum: cfg.Core.Checksum}}
	for _, p := range cfg.Enabled() {
		imp := p.Import
		if imp == p.Module {
			imp = ""
		}
		w = append(w, want{Name: p.Name, Module: p.Module, Requested: p.Version, Source: p.Source, Checksum: p.Checksum, Import: imp})
	}
	return w
}

// differences lists, one readable line each, how the entry e differs from
// what w asks; none means the entry still stands for the config.
func (w want) differences(e lock.Entry) []string {
	label := source.Label(w.Name)
	var out []string
	diff := func(what, inConfig, inLock string) {
		if inConfig != inLock {
			out = append(out, fmt.Sprintf("%s: %s %s in the config, %s in the lock", label, what, showValue(inConfig), showValue(inLock)))
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

func showValue(s string) string {
	if s == "" {
		return "(none)"
	}
	return fmt.Sprintf("%q", s)
}

// lockDiff lists how f differs from the config cfg, one readable line each;
// none means f is the lock of cfg as it is. What the lines cannot show
// (a changed replace map or disabled plug) is caught by the digest.
func lockDiff(cfg *config.Config, f *lock.File) []string {
	var out []string
	enabled := map[string]bool{}
	for _, w := range wants(cfg) {
		if w.Name == source.CoreName {
			out = append(out, w.differences(f.Core)...)
			continue
		}
		enabled[w.Name] = true
		e, ok := f.Plugin(w.Name)
		if !ok {
			out = append(out, fmt.Sprintf("plug %q: in the config, not in the lock", w.Name))
			continue
		}
		out = append(out, w.differences(e)...)
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
	if len(out) == 0 && f.ConfigDigest != digest.Resolution(cfg) {
		out = append(out, "the replace map or a disabled plug changed since the lock was made (its config_digest differs)")
	}
	return out
}
