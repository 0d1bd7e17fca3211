package codegen

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// Info is the description of a build that the generated main embeds in its
// binary (Data.Info) and plugctl inspect reads back: what was compiled in,
// by name, module, version and source, with a digest of each plug's settings
// rather than the settings themselves.
type Info struct {
	Schema int    `json:"schema"` // InfoSchema
	Name   string `json:"name"`
	// Version and Description are the config's top-level version and
	// description (the distribution's own), absent when it sets none:
	// plugctl import writes them back.
	Version     string     `json:"version,omitempty"`
	Description string     `json:"description,omitempty"`
	Core        InfoModule `json:"core"`
	Plugs       []InfoPlug `json:"plugs"`
	// Profile is the core profile the build used (internal/profile);
	// Order the core's ordered list of plugins with every plug at its
	// place, for cores that keep one. Both absent otherwise.
	Profile string   `json:"profile,omitempty"`
	Order   []string `json:"order,omitempty"`
	// Embed is the digest of the files of build.embed (EmbedDigest), the
	// one the artifact's record holds; absent when the binary embeds none.
	Embed string `json:"embed,omitempty"`
}

// InfoModule names a module at a version.
type InfoModule struct {
	Module  string `json:"module"`
	Version string `json:"version"`
	Source  string `json:"source,omitempty"` // module, local, git or archive
	// Checksum is an archive's SHA-256 ("sha256:<hex>", a packed plug's
	// digest), which pins what was built; absent for other sources.
	Checksum string `json:"checksum,omitempty"`
	// Main and Entry are the core's package and the call into it, for a
	// core built without a profile (plugctl import writes them back into
	// a config); absent otherwise.
	Main  string `json:"main,omitempty"`
	Entry string `json:"entry,omitempty"`
}

// InfoPlug describes one plug compiled into a binary.
type InfoPlug struct {
	Name           string `json:"name"`
	Module         string `json:"module"`
	Version        string `json:"version"`
	SettingsDigest string `json:"settings_digest"`
	Source         string `json:"source,omitempty"` // module, local, git or archive
	// Checksum is an archive's SHA-256 ("sha256:<hex>", a packed plug's
	// digest), which pins what was built; absent for other sources.
	Checksum string `json:"checksum,omitempty"`
	Kind     string `json:"kind,omitempty"` // what the plug is to the core (receiver…), for cores that wire kinds
	// Import is the package the build imports, when it is not the module.
	Import string `json:"import,omitempty"`
}

// InfoMarker precedes the JSON build description inside a binary.
const InfoMarker = "plugctl-info:v1:"

// InfoSchema is the version of Info this package writes.
const InfoSchema = 1

// Describe returns the build description of d, whose core is core, built
// with the profile named profile ("" for none), as Data.Info holds it:
// InfoMarker and the JSON of an Info. A plug's settings digest is the
// SHA-256 of their Go literal, the very text the generated main holds.
func Describe(d Data, core InfoModule, profile string) string {
	in := Info{Schema: InfoSchema, Name: d.Name, Version: d.Version, Description: d.Description, Core: core, Plugs: []InfoPlug{}, Profile: profile, Order: d.Order}
	if len(d.Embedded) > 0 {
		sums := map[string]string{}
		for _, f := range d.Embedded {
			sum := sha256.Sum256(f.Data)
			sums[f.Name] = hex.EncodeToString(sum[:])
		}
		in.Embed = EmbedDigest(sums)
	}
	for _, p := range d.Plugs {
		sum := sha256.Sum256([]byte(Literal(p.Settings)))
		ip := InfoPlug{p.Name, p.Module, p.Version, "sha256:" + hex.EncodeToString(sum[:]), p.Source, p.Checksum, p.Kind, ""}
		if p.Import != p.Module {
			ip.Import = p.Import
		}
		in.Plugs = append(in.Plugs, ip)
	}
	b, _ := json.Marshal(in)
	return InfoMarker + string(b)
}

// EmbedDigest returns the digest of the embedded files, "sha256:<hex>",
// from each one's path below build.embed's directory and SHA-256 (hex):
// the same whether the files were read from the project or are listed by
// a vendor manifest. "" for none.
func EmbedDigest(sums map[string]string) string {
	if len(sums) == 0 {
		return ""
	}
	h := sha256.New()
	h.Write([]byte("plugctl-embed/v1\n"))
	for _, name := range slices.Sorted(maps.Keys(sums)) {
		fmt.Fprintf(h, "%s  %s\n", sums[name], name)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
