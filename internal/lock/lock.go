// Package lock reads and writes plugconfig.lock, the file that pins every
// byte a build is made of (docs/versions.md).
//
// The lock is JSON, indented by two spaces, with its lists sorted and no
// timestamps, so the same resolution always gives the same bytes and a
// change reads well in a diff:
//
//	{
//	  "lock_version": 1,
//	  "config_digest": "sha256:…",   // the config's resolution inputs (digest.Resolution)
//	  "go": "go1.26.8",              // the toolchain that made it
//	  "core": {…},                   // an Entry
//	  "plugins": [{…}],              // Entries of the enabled plugs, by name
//	  "modules": [{…}],              // every module of the build graph
//	  "order": ["root", "hello", …]  // the core's plugins in order, for a core that keeps one
//	}
//
// An Entry records what the config asked for (module, requested version or
// constraint, source), what it resolved to (version), where the bytes came
// from (origin: a source.Origin, recorded as it is: module, git URL and
// commit, archive URL and sha256, or local path) and the module's h1: hash
// as go.sum writes it — for a plug whose build-time hooks ran, of its tree
// as they left it, the hooks listed beside it. Parse is strict: unknown fields, duplicates, unsorted
// lists and malformed hashes are errors, since a lock is written by
// plugctl, never by hand; each kind says which origin fields it sets. An
// origin kind "proxy", the name locks written before the kinds had one name
// each gave the module kind, reads as "module".
//
// The modules are go.sum as go mod tidy wrote it for the build module,
// line for line (hash is a module's line, go_mod_hash its /go.mod line),
// and they say how the build module's go.mod requires each (Module.Require):
// so a build from the lock writes go.mod and go.sum byte for byte as
// tidy did, with no tidy. The rule: the version of a path that the graph
// holds highest (the one minimal version selection picks), when its files'
// hash is recorded, is required, directly when the generated main package
// imports a package of it, as indirect otherwise; "require" records only
// where go mod tidy did otherwise ("none": go.sum keeps its hashes, for the
// tests of a dependency, but go.mod does not require it).
//
// Format versions: lock_version 2 is version 1 with "require" on modules.
// A lock is written in the lowest version that holds it — 1 unless a
// module has "require" — so that what an older plugctl can read stays
// readable to it, and one that cannot read it says so
// (docs/config.md#compatibility).
package lock

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plugctl/plugctl/internal/source"
)

// FileName is the lock's name beside the default config, plugconfig.yaml.
const FileName = "plugconfig.lock"

// PathFor returns the lock of the config at path: beside it, named after
// it with its extension replaced by .lock — plugconfig.yaml's is
// plugconfig.lock, staging.yaml's staging.lock — so that several configs
// in one directory keep locks of their own.
func PathFor(config string) string {
	base := filepath.Base(config)
	if ext := filepath.Ext(base); ext != "" && ext != base {
		base = strings.TrimSuffix(base, ext)
	}
	return filepath.Join(filepath.Dir(config), base+".lock")
}

// Version is the newest lock format this package reads and writes; it
// reads every one from MinVersion on, and writes a File in the version
// its content needs (File.Format).
const Version = 2

// MinVersion is the oldest lock format this package reads.
const MinVersion = 1

// Format returns the lowest lock format that holds f: 2 when a module
// records how the build module requires it, else 1.
func (f *File) Format() int {
	for _, m := range f.Modules {
		if m.Require != "" {
			return 2
		}
	}
	return 1
}

// File is a lock file.
type File struct {
	LockVersion  int      `json:"lock_version"`
	ConfigDigest string   `json:"config_digest"` // digest.Resolution of the config it was made from
	Go           string   `json:"go"`            // toolchain version, e.g. go1.26.8
	Core         Entry    `json:"core"`
	Plugins      []Entry  `json:"plugins"` // enabled plugs, sorted by name
	Modules      []Module `json:"modules"` // the build graph, sorted by path then version
	// Order is the core's ordered list of plugins with every plug at its
	// place, for a core that runs them in order (CoreDNS's directives):
	// what the generated main sets. Absent for other cores.
	Order []string `json:"order,omitempty"`

	// asWritten is the ContentDigest of the lock as its file held it,
	// when Parse left out content hashes of local directories that an
	// older plugctl wrote (ContentDigests).
	asWritten string
	// digest is the ContentDigest of the lock as Parse read it, kept so
	// that no step encodes it again; "" for a File made otherwise.
	digest string
}

// Entry is the core or one plug, resolved.
type Entry struct {
	Name      string        `json:"name,omitempty"` // plug name; empty for the core
	Module    string        `json:"module"`
	Requested string        `json:"requested,omitempty"` // version or constraint as the config wrote it
	Import    string        `json:"import,omitempty"`    // the config's import, when it set one
	Version   string        `json:"version"`             // resolved version
	Origin    source.Origin `json:"origin"`
	// Hash is the h1: module hash; none for a local directory, which is
	// locked by its path (its content changes as the user edits it).
	Hash string `json:"hash,omitempty"`
	// Replaces are the replace directives of the plug's go.mod the build
	// applies (the config's replaces: inherit), as go.mod writes them
	// without the keyword: "old[ version] => new[ version]".
	Replaces []string `json:"replaces,omitempty"`
	// Hooks are the build-time hooks that ran in the plug's tree before
	// Hash was taken (its manifest's generate, allowed by the config), in
	// order, each an argument list: a changed hook is a changed lock, and
	// Hash covers the tree as the hooks left it.
	Hooks [][]string `json:"hooks,omitempty"`
}

// Module is one module of the build graph.
type Module struct {
	Path      string `json:"path"`
	Version   string `json:"version"`
	Hash      string `json:"hash,omitempty"`        // h1: hash of its files; absent when the build needs only its go.mod
	GoModHash string `json:"go_mod_hash,omitempty"` // h1: hash of its go.mod
	// Dir is the local directory the config's replace map builds the
	// module from, as the config writes it; such a module has no hashes:
	// like a local plug, it is locked by its path.
	Dir string `json:"dir,omitempty"`
	// Require is how the build module's go.mod requires the module where
	// go mod tidy did otherwise than the rule of the package doc says:
	// RequireNone, RequireDirect or RequireIndirect; "" for the rule.
	// Lock format 2.
	Require string `json:"require,omitempty"`
}

// The values of Module.Require.
const (
	RequireNone     = "none"     // not required: go.sum keeps its hashes for the tests of a dependency
	RequireDirect   = "direct"   // required, without // indirect
	RequireIndirect = "indirect" // required, // indirect
)

// Plugin returns the entry of the plug named name.
func (f *File) Plugin(name string) (Entry, bool) {
	for _, e := range f.Plugins {
		if e.Name == name {
			return e, true
		}
	}
	return Entry{}, false
}

// Sort puts the lists of f in the order Marshal and Parse want.
func (f *File) Sort() {
	slices.SortFunc(f.Plugins, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(f.Modules, compareModules)
}

func compareModules(a, b Module) int {
	if c := strings.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	return strings.Compare(a.Version, b.Version)
}

// Marshal returns the bytes of f: sorted, indented, with a final newline.
func Marshal(f *File) ([]byte, error) {
	c := *f
	c.Plugins = slices.Clone(f.Plugins)
	c.Modules = slices.Clone(f.Modules)
	c.Sort()
	return encode(make([]byte, 0, encodedSize(&c)), &c), nil
}

// Equal reports whether a and b hold the same lock.
func Equal(a, b *File) bool {
	ma, erra := Marshal(a)
	mb, errb := Marshal(b)
	return erra == nil && errb == nil && bytes.Equal(ma, mb)
}
