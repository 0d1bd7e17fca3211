package config

import (
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/policy"
)

// SDKModule is the module path of the plugctl SDK. A build whose graph holds it
// delivers plug settings through it.
const SDKModule = "github.com/plugctl/plugctl/plug"

// SDKReplaceHint says how a config provides the SDK while the module proxy
// does not serve it.
const SDKReplaceHint = "add to the config: replace: {" + SDKModule + ": ../plugctl/plug} (the plug/ directory of a plugctl clone)"

// Pos is a 1-based line and column in the config file: diag's, under the
// name the config's users have always known it by.
type Pos = diag.Pos

// Config is a validated plug config (docs/config.md).
// Defaults are applied by Load; values that depend on fetched sources (a
// local plug's module path, say) are filled in by the resolver.
type Config struct {
	File   string // the path the user named; used in messages
	Dir    string // absolute directory holding the file; relative paths resolve against it
	Schema int
	Name   string
	// Version is the distribution's own version and Description says what
	// it is, for cores that print them (the collector's BuildInfo) and the
	// {version} of build.output; "" when the config leaves them out.
	Version     string `json:",omitempty"`
	Description string `json:",omitempty"`
	Core        Core
	Plugins     []Plugin  // in file order, disabled ones included
	Replace     []Replace // sorted by Path
	// Exclude lists module versions the build module excludes (go.mod's
	// exclude), sorted.
	Exclude []Exclude `json:",omitempty"`
	Build   Build
	Vendor  string // the vendor tree's directory, relative to Dir unless absolute
	// Audit says where plugctl audit reads the vulnerability database;
	// nil when the config has no audit section.
	Audit *Audit `json:",omitempty"`
	// Policy is what the site allows into its builds (package policy),
	// from the policy section or the file it names; nil when none.
	Policy *policy.Policy `json:",omitempty"`
}

// Audit is the config's audit section.
type Audit struct {
	// DB is the vulnerability database as the config gives it: an
	// http(s) or file:// URL, or a directory relative to Dir unless
	// absolute; "" for govulncheck's default.
	DB    string
	DBPos Pos `json:"-"`
}

// Locate tells where in the config a problem of the core (subject "core")
// or of the plug named subject lies: for a problem of a setting at that
// setting's key, or at the plug's settings key when the config does not set
// it; else at the plug's entry, and for the core at its version (or its
// entry). ok is false when no plug, enabled or not, has that name.
func (c *Config) Locate(subject, setting string) (file string, pos Pos, ok bool) {
	if subject == diag.Core {
		if pos, ok := c.Core.KeyPos["version"]; ok {
			return c.File, pos, true
		}
		return c.File, c.Core.Pos, true
	}
	for _, p := range c.Plugins {
		if p.Name != subject {
			continue
		}
		if pos, ok := p.SettingPos[setting]; ok && setting != "" {
			return c.File, pos, true
		}
		if pos, ok := p.KeyPos["settings"]; ok && setting != "" {
			return c.File, pos, true
		}
		return c.File, p.Pos, true
	}
	return "", Pos{}, false
}

// Core is the program the plugs are compiled into.
type Core struct {
	Module   string   // module path; empty for a local source until resolved
	Version  string   // exact version, constraint, git ref; empty for local sources
	Source   string   // "" (module proxy), "git::URL", archive URL or local path
	Checksum string   // "sha256:<hex>" for archive sources
	Main     string   // package holding Entry; defaults to Module
	Entry    string   // the call the generated main makes (internal/entry); default "Main"
	Imports  []string // extra packages to blank-import
	Template string   // custom main template, relative to Dir unless absolute
	// Profile names the core's profile (internal/profile): a shipped
	// profile, "none", or the path of a profile file; "" lets plugctl
	// choose by the core's module path.
	Profile string `json:",omitempty"`
	Pos     Pos    // of the "core" key
	KeyPos  map[string]Pos
	// ValPos is where the value of each key the core section sets is,
	// for problems of a value found once the core is at hand.
	ValPos map[string]Pos `json:"-"`
	// ImportPos is where each of Imports is.
	ImportPos map[string]Pos `json:"-"`
}

// Plugin is one plug of the config.
type Plugin struct {
	Name     string
	Module   string // module path; empty for a local or git source until resolved
	Version  string
	Source   string
	Checksum string
	Import   string         // package to blank-import; defaults to the module path
	Settings map[string]any // nil when absent; see Settings for the value types
	Enabled  bool           // false when the file says enabled: false
	// Kind is what the plug is in the core's terms (a receiver, an
	// exporter…), for cores whose profile wires kinds; "" when not given.
	Kind    string `json:",omitempty"`
	KindPos Pos    `json:"-"` // of kind's value
	// Position places the plug among the core's own plugins, for cores
	// that run them in order; nil when not given.
	Position *Position `json:",omitempty"`
	// Replaces is ReplacesInherit when the replace directives of the
	// plug's go.mod apply to the build; "" when they are ignored, as the
	// go command ignores a dependency's.
	Replaces string `json:",omitempty"`
	// Hooks is HooksAllow when the build-time hooks of the plug's
	// manifest (generate) may run; "" when they may not, and a plug that
	// declares any is refused.
	Hooks  string         `json:",omitempty"`
	Pos    Pos            // of the list item
	KeyPos map[string]Pos // position of each key the item sets
	// SettingPos is the position of each key of Settings, for messages
	// about one setting.
	SettingPos map[string]Pos
}

// ReplacesInherit is the value of a plug's replaces key that applies the
// replace directives of its go.mod to the build.
const ReplacesInherit = "inherit"

// HooksAllow is the value of a plug's hooks key that lets the build-time
// hooks its manifest declares run (docs/plugs.md: Build-time hooks).
const HooksAllow = "allow"

// Position places a plug relative to one of the core's own plugins (or
// another plug): exactly one of Before and After is set.
type Position struct {
	Before string `json:",omitempty"`
	After  string `json:",omitempty"`
	Pos    Pos    `json:"-"` // of the position key's value
}

// Settings values are one of: nil, bool, int64, float64, string, []any,
// map[string]any (recursively), and, as the whole value of a setting,
// setting.Ref: a reference read when the plug starts. YAML integers that do
// not fit an int64 and non-finite floats are rejected by Load.

// Replace is one entry of the replace map: a module path pinned to a version
// (of itself, or of another module: a fork) or redirected to a local
// directory.
type Replace struct {
	Path    string // module path being replaced
	Version string // set when replaced by a version of the same module, or of Module
	// Module is the module replacing Path at Version, when it is another
	// one (a fork: example.com/fork@v1.2.3); "" for Path itself.
	Module string `json:",omitempty"`
	Dir    string // set when replaced by a local directory (as written: ./x, ../x or /x)
	Pos    Pos
}

// Exclude is one module version of the config's exclude list.
type Exclude struct {
	Path, Version string
	Pos           Pos
}

// Build holds the compile settings.
type Build struct {
	Targets []platform.Target // defaults to the host platform
	Output  string            // template with {name} {os} {arch} {version}
	// Tags and Ldflags are nil when the config leaves them out (the core's
	// profile may then give some), empty when it sets none.
	Tags    []string
	Ldflags []string
	// OutputPos is where the config sets Output; zero for the default.
	OutputPos Pos
	// Strict makes a module the core requires that a plug raises an
	// error instead of a warning.
	Strict bool `json:",omitempty"`
	// Gcflags are compiler flags for every package (package ldflags says
	// which); nil when none.
	Gcflags []string `json:",omitempty"`
	// Debug builds for a debugger: no optimisation or inlining (-N -l),
	// symbols and DWARF kept (the profile's -s and -w dropped).
	Debug bool `json:",omitempty"`
	// Cgo builds with CGO_ENABLED=1, for cores that need C; the default
	// is a static binary with cgo off.
	Cgo bool `json:",omitempty"`
	// Embed is a directory below the config file's (relative to Dir,
	// checked by filepath.IsLocal) whose files the binary embeds: the
	// generated main package holds them as an fs.FS (codegen.EmbedFile);
	// "" when none.
	Embed string `json:",omitempty"`
	// EmbedPos is where the config sets Embed.
	EmbedPos Pos `json:"-"`
}

// Enabled returns the plugs that are part of the build, in config order.
func (c *Config) Enabled() []Plugin {
	var out []Plugin
	for _, p := range c.Plugins {
		if p.Enabled {
			out = append(out, p)
		}
	}
	return out
}
