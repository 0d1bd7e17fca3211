package vendortree

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/redact"
)

// ConfigDigest is the digest of the parts of cfg a vendor tree is made from:
// its name, core, enabled plugs (their settings as the Go literals the
// generated main holds) and replace entries. The build section and the vendor
// key are left out on purpose: targets, output, tags and ldflags are applied
// when building from the tree and do not change what it holds. Positions in
// the file are left out too, so reformatting the config changes nothing.
func ConfigDigest(cfg *config.Config) string {
	type plug struct {
		Name, Module, Version, Source, Checksum, Import, Settings string
	}
	type replace struct{ Path, Version, Dir string }
	in := struct {
		Schema  int
		Name    string
		Core    [8]any
		Plugs   []plug
		Replace []replace
	}{Schema: cfg.Schema, Name: cfg.Name}
	c := cfg.Core
	// Sources are redacted, as in the lock's digest: a rotated token is
	// the same source, and a bundle carries its config without it.
	in.Core = [8]any{c.Module, c.Version, redact.String(c.Source), c.Checksum, c.Main, c.Entry, c.Imports, c.Template}
	for _, p := range cfg.Enabled() {
		settings := p.Settings
		if settings == nil {
			settings = map[string]any{} // as the generated main sees an absent key
		}
		in.Plugs = append(in.Plugs, plug{p.Name, p.Module, p.Version, redact.String(p.Source), p.Checksum, p.Import, codegen.Literal(settings)})
	}
	for _, r := range cfg.Replace {
		in.Replace = append(in.Replace, replace{r.Path, r.Version, r.Dir})
	}
	b, err := json.Marshal(in)
	if err != nil {
		panic("vendortree: encoding the config digest: " + err.Error()) // only strings and slices of them
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
