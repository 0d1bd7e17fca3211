package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/entry"
	"github.com/plugctl/plugctl/internal/ldflags"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/source/kinds"
	"github.com/plugctl/plugctl/internal/suggest"
	"github.com/plugctl/plugctl/internal/versions"
	"github.com/plugctl/plugctl/internal/yamlsrc"
)

// DefaultVendor is the vendor tree's directory when the config names none.
const DefaultVendor = ".plugctl/vendor"

// The default build.output for one target and for several.
const (
	DefaultOutput      = "dist/{name}"
	DefaultMultiOutput = "dist/{name}_{os}_{arch}"
)

// The keys of each mapping of the config, sorted for messages.
var (
	topKeys     = []string{"audit", "build", "core", "description", "exclude", "name", "plugins", "policy", "replace", "schema", "vendor", "version"}
	requiredTop = []string{"schema", "name", "core"}
	coreKeys    = []string{"checksum", "entry", "imports", "main", "module", "profile", "source", "template", "version"}
	plugKeys    = []string{"checksum", "enabled", "hooks", "import", "kind", "module", "name", "position", "replaces", "settings", "source", "version"}
	buildKeys   = []string{"cgo", "debug", "embed", "gcflags", "ldflags", "output", "strict", "tags", "targets"}
)

// Scopes say which part of the config a problem is in, so that the message
// can name the plug. A scope >= 0 is the index of a plug in plugins.
const (
	scopeNone    = -1
	scopeCore    = -2
	scopePlugins = -3 // the plugins list itself
)

// problem is a diag.Problem before the plug it concerns has a name.
type problem struct {
	pos   Pos
	scope int
	msg   string
}

// checker collects the problems of one file.
type checker struct {
	file string
	dir  string // the config's absolute directory, where a policy file is read from
	// others are the problems of another file the config names (its
	// policy file), at their positions there.
	others diag.List
	probs  []problem
	plugs  []string // the name of each plug, "" while unknown or unusable
	// scopes holds the scope of each decoded plug: its index in the file's
	// list, which differs from its index in Config.Plugins once an item
	// that is not a mapping was left out.
	scopes []int
	// embedsAt is where core.entry passes embedded, which needs
	// build.embed; nil when it does not.
	embedsAt *Pos
}

func (c *checker) add(pos Pos, scope int, format string, args ...any) {
	c.probs = append(c.probs, problem{pos, scope, fmt.Sprintf(format, args...)})
}

// errors returns the problems found, naming the plug of each, sorted.
func (c *checker) errors() diag.List {
	var errs diag.List
	for _, p := range c.probs {
		e := &diag.Problem{File: c.file, Pos: Pos{Line: max(p.pos.Line, 1), Col: max(p.pos.Col, 1)}, Msg: p.msg}
		switch {
		case p.scope == scopeCore:
			e.Subject = diag.Core
		case p.scope >= 0 && p.scope < len(c.plugs) && c.plugs[p.scope] != "":
			e.Subject = c.plugs[p.scope]
		case p.scope >= 0:
			e.Msg = fmt.Sprintf("plugins[%d]: %s", p.scope, p.msg)
		}
		errs = append(errs, e)
	}
	return append(errs, c.others...).Sort()
}

// decode checks the value tree against the schema and builds the Config,
// defaults applied.
func (c *checker) decode(root *yamlsrc.Node) *Config {
	cfg := &Config{Schema: 1, Vendor: DefaultVendor}
	f := c.fields(root, scopeNone, "the config", "", topKeys)
	if f == nil {
		return cfg
	}
	for _, k := range requiredTop {
		if f[k] == nil {
			c.add(root.Pos, scopeNone, "missing required key %q", k)
		}
	}
	if e := f["schema"]; e != nil {
		v := e.Val
		switch {
		case v.Kind == yamlsrc.Bad:
		case v.Kind == yamlsrc.Null:
			c.add(v.Pos, scopeNone, "missing value for required key \"schema\" (valid: 1)")
		case v.Kind != yamlsrc.Int || v.Invalid != "":
			c.add(v.Pos, scopeNone, "schema must be the integer 1, got %s", v.Describe())
		case v.Int != 1:
			c.add(v.Pos, scopeNone, "unsupported schema %d (valid: 1)", v.Int)
		}
	}
	if e := f["name"]; e != nil {
		cfg.Name = c.str(e, scopeNone, "name")
		switch {
		case e.Val.Kind == yamlsrc.Null:
			c.add(e.Val.Pos, scopeNone, "missing value for required key \"name\" (valid: %s)", source.NamePattern)
		case e.Val.Kind == yamlsrc.String && !source.ValidName(cfg.Name):
			c.add(e.Val.Pos, scopeNone, "%s", invalidName("name", cfg.Name))
		}
	}
	if e := f["version"]; e != nil {
		cfg.Version = c.str(e, scopeNone, "version")
		if e.Val.Kind == yamlsrc.String && !versionRE.MatchString(cfg.Version) {
			c.add(e.Val.Pos, scopeNone, "invalid version %s (valid: %s: a letter or digit, then up to 63 letters, digits, '.', '_', '+' or '-', like 1.0.0)", diag.Quote(cfg.Version), VersionPattern)
		}
	}
	if e := f["description"]; e != nil {
		cfg.Description = c.str(e, scopeNone, "description")
		if msg := checkDescription(cfg.Description); msg != "" && e.Val.Kind == yamlsrc.String {
			c.add(e.Val.Pos, scopeNone, "description %s", msg)
		}
	}
	if e := f["core"]; e != nil {
		c.decodeCore(e, &cfg.Core)
	}
	if e := f["plugins"]; e != nil {
		cfg.Plugins = c.decodePlugins(e)
	}
	c.checkUnique(cfg)
	if e := f["replace"]; e != nil {
		cfg.Replace = c.decodeReplace(e)
	}
	cfg.Exclude = c.decodeExclude(f["exclude"])
	cfg.Build = c.decodeBuild(f["build"])
	if c.embedsAt != nil && cfg.Build.EmbedPos.Line == 0 {
		c.add(*c.embedsAt, scopeNone, "core.entry: embedded needs build.embed (the directory whose files it stands for)")
	}
	cfg.Audit = c.decodeAudit(f["audit"])
	cfg.Policy = c.decodePolicy(f["policy"], c.dir)
	if e := f["vendor"]; e != nil && e.Val.Kind != yamlsrc.Null {
		cfg.Vendor = c.str(e, scopeNone, "vendor")
		if e.Val.Kind == yamlsrc.String {
			if msg := checkPath(cfg.Vendor); msg != "" {
				c.add(e.Val.Pos, scopeNone, "vendor %s", msg)
			}
		}
		if cfg.Vendor == "" {
			cfg.Vendor = DefaultVendor
		}
	}
	return cfg
}

func (c *checker) decodeCore(e *yamlsrc.Entry, core *Core) {
	core.Pos = e.KeyPos
	if e.Val.Kind == yamlsrc.Bad {
		return
	}
	if e.Val.Kind == yamlsrc.Null {
		c.add(e.Val.Pos, scopeNone, "missing value for required key \"core\" (valid keys: %s)", strings.Join(coreKeys, ", "))
		return
	}
	f := c.fields(e.Val, scopeNone, "core", "", coreKeys, scopeCore)
	if f == nil {
		return
	}
	core.KeyPos = keyPositions(f)
	core.ValPos = map[string]Pos{}
	for k, e := range f {
		core.ValPos[k] = e.Val.Pos
	}
	core.Module = c.str(f["module"], scopeCore, "module")
	core.Version = c.str(f["version"], scopeCore, "version")
	core.Source = c.str(f["source"], scopeCore, "source")
	core.Checksum = c.str(f["checksum"], scopeCore, "checksum")
	c.checkOrigin(scopeCore, e.Val.Pos, f, core.Module)

	core.Main = c.str(f["main"], scopeCore, "main")
	if core.Main != "" {
		c.checkImport(scopeCore, f["main"], "main", core.Main, core.Module)
	} else {
		core.Main = core.Module
	}
	core.Entry = c.str(f["entry"], scopeCore, "entry")
	if core.Entry == "" {
		core.Entry = "Main"
	} else if call, err := entry.Parse(core.Entry); err == nil && call.Embeds() {
		pos := f["entry"].Val.Pos
		c.embedsAt = &pos
	}
	if err := CheckEntry(core.Entry); core.Entry != "Main" && err != nil {
		v := f["entry"].Val
		pos := v.Pos
		var se *entry.SyntaxError
		if errors.As(err, &se) && v.Plain && !strings.Contains(core.Entry, "\n") {
			// A plain scalar on one line: the column of the offending
			// argument itself.
			pos.Col += utf8.RuneCountInString(core.Entry[:se.Off])
		}
		c.add(pos, scopeCore, "%v", err)
	}
	if e := f["profile"]; e != nil {
		core.Profile = c.str(e, scopeCore, "profile")
		if e.Val.Kind == yamlsrc.String {
			if err := CheckProfile(core.Profile); err != nil {
				c.add(e.Val.Pos, scopeCore, "%v", err)
			}
		}
	}
	seen := map[string]Pos{}
	for _, it := range c.strList(f["imports"], scopeCore, "imports") {
		switch {
		case it.s == "":
			c.add(it.pos, scopeCore, "imports[%d] must not be empty (valid: a Go import path)", it.i)
			continue
		case module.CheckImportPath(it.s) != nil:
			c.add(it.pos, scopeCore, "invalid import path %s in imports: %s", diag.Quote(it.s), pathProblem(module.CheckImportPath(it.s)))
			continue
		}
		if first, ok := seen[it.s]; ok {
			c.add(it.pos, scopeCore, "duplicate import %q in imports (first at %d:%d)", it.s, first.Line, first.Col)
			continue
		}
		seen[it.s] = it.pos
		core.Imports = append(core.Imports, it.s)
		if core.ImportPos == nil {
			core.ImportPos = map[string]Pos{}
		}
		core.ImportPos[it.s] = it.pos
	}
	core.Template = c.str(f["template"], scopeCore, "template")
	if core.Template != "" {
		if msg := checkPath(core.Template); msg != "" {
			c.add(f["template"].Val.Pos, scopeCore, "template %s", msg)
		}
	}
}

func (c *checker) decodePlugins(e *yamlsrc.Entry) []Plugin {
	v := e.Val
	switch v.Kind {
	case yamlsrc.Null, yamlsrc.Bad:
		return nil
	case yamlsrc.Seq:
	default:
		c.add(v.Pos, scopeNone, "plugins must be a list of plugs, got %s", v.Describe())
		return nil
	}
	c.plugs = make([]string, len(v.Items))
	var out []Plugin
	names := map[string]Pos{}
	normal := map[string]string{} // name with '-' as '_' -> name
	for i, it := range v.Items {
		f := c.fields(it.Val, i, "a plug", "", plugKeys)
		if f == nil {
			continue
		}
		p := Plugin{Pos: it.Pos, Enabled: true, KeyPos: keyPositions(f)}
		if e := f["name"]; e == nil {
			c.add(it.Val.Pos, i, "missing required key \"name\" (valid: %s)", source.NamePattern)
		} else if e.Val.Kind == yamlsrc.Null {
			c.add(e.Val.Pos, i, "missing value for required key \"name\" (valid: %s)", source.NamePattern)
		} else {
			p.Name = c.str(e, i, "name")
			pos := e.Val.Pos
			switch {
			case e.Val.Kind != yamlsrc.String:
			case !source.ValidName(p.Name):
				c.plugs[i] = p.Name
				c.add(pos, i, "%s", invalidName("plug name", p.Name))
			case p.Name == "core":
				c.add(pos, i, "%s", reservedCore)
			default:
				c.plugs[i] = p.Name
				if first, ok := names[p.Name]; ok {
					c.add(pos, i, "duplicate plug name %q (first at %d:%d)", p.Name, first.Line, first.Col)
					break
				}
				names[p.Name] = pos
				n := strings.ReplaceAll(p.Name, "-", "_")
				if other, ok := normal[n]; ok {
					first := names[other]
					c.add(pos, i, "plug name %q collides with %q at %d:%d ('-' and '_' count as the same; choose names that differ otherwise)", p.Name, other, first.Line, first.Col)
					break
				}
				normal[n] = p.Name
			}
		}
		p.Module = c.str(f["module"], i, "module")
		p.Version = c.str(f["version"], i, "version")
		p.Source = c.str(f["source"], i, "source")
		p.Checksum = c.str(f["checksum"], i, "checksum")
		c.checkOrigin(i, it.Val.Pos, f, p.Module)
		p.Import = c.str(f["import"], i, "import")
		if p.Import != "" {
			c.checkImport(i, f["import"], "import", p.Import, p.Module)
		} else {
			p.Import = p.Module
		}
		if e := f["settings"]; e != nil {
			p.Settings, p.SettingPos = c.settings(e, i)
		}
		if e := f["kind"]; e != nil {
			p.Kind, p.KindPos = c.str(e, i, "kind"), e.Val.Pos
			if e.Val.Kind == yamlsrc.String && !kindRE.MatchString(p.Kind) {
				c.add(e.Val.Pos, i, "invalid kind %s (valid: %s, one of the kinds the core's profile wires, like receiver)", diag.Quote(p.Kind), kindRE)
			}
		}
		if e := f["position"]; e != nil {
			p.Position = c.position(e, i)
		}
		if e := f["replaces"]; e != nil {
			p.Replaces = c.str(e, i, "replaces")
			if e.Val.Kind == yamlsrc.String && p.Replaces != ReplacesInherit {
				c.add(e.Val.Pos, i, "invalid replaces %s (valid: inherit, to apply the replace directives of the plug's go.mod to the build; left out, they are ignored, as the go command ignores them in a dependency)", diag.Quote(p.Replaces))
				p.Replaces = ""
			}
		}
		if e := f["hooks"]; e != nil {
			p.Hooks = c.str(e, i, "hooks")
			if e.Val.Kind == yamlsrc.String && p.Hooks != HooksAllow {
				c.add(e.Val.Pos, i, "invalid hooks %s (valid: allow, to run the build-time hooks the plug's plugin.yaml declares under generate; left out, a plug that declares any is refused)", diag.Quote(p.Hooks))
				p.Hooks = ""
			}
		}
		if e := f["enabled"]; e != nil {
			switch e.Val.Kind {
			case yamlsrc.Null, yamlsrc.Bad:
			case yamlsrc.Bool:
				p.Enabled = e.Val.Bool
			default:
				c.add(e.Val.Pos, i, "enabled must be true or false, got %s", e.Val.Describe())
			}
		}
		out = append(out, p)
		c.scopes = append(c.scopes, i)
	}
	return out
}

// checkUnique reports module paths used by more than one of the core and the
// plugs.
func (c *checker) checkUnique(cfg *Config) {
	type owner struct {
		who string
		pos Pos
	}
	seen := map[string]owner{}
	if m := cfg.Core.Module; m != "" {
		seen[m] = owner{"the core", cfg.Core.KeyPos["module"]}
	}
	for i, p := range cfg.Plugins {
		if p.Module == "" || module.CheckPath(p.Module) != nil {
			continue
		}
		pos, scope := p.KeyPos["module"], c.scopes[i]
		if first, ok := seen[p.Module]; ok {
			c.add(pos, scope, "duplicate module path %q (already the module of %s at %d:%d)", p.Module, first.who, first.pos.Line, first.pos.Col)
			continue
		}
		who := "plugins[" + strconv.Itoa(scope) + "]"
		if c.plugs[scope] != "" {
			who = fmt.Sprintf("plug %q", c.plugs[scope])
		}
		seen[p.Module] = owner{who, pos}
	}
}

func (c *checker) decodeReplace(e *yamlsrc.Entry) []Replace {
	v := e.Val
	switch v.Kind {
	case yamlsrc.Null, yamlsrc.Bad:
		return nil
	case yamlsrc.Map:
	default:
		c.add(v.Pos, scopeNone, "replace must be a mapping of module path to version or local path, got %s", v.Describe())
		return nil
	}
	var out []Replace
	seen := map[string]Pos{}
	for _, e := range v.Entries {
		if !e.KeyIsString {
			c.add(e.KeyPos, scopeNone, "replace key %s is not a module path (valid: a module path like example.com/mod)", diag.Quote(e.Key))
			continue
		}
		if first, ok := seen[e.Key]; ok && !e.Merged {
			c.add(e.KeyPos, scopeNone, "duplicate key %s in replace (first at %d:%d)", diag.Quote(e.Key), first.Line, first.Col)
			continue
		}
		seen[e.Key] = e.KeyPos
		if err := module.CheckPath(e.Key); err != nil {
			c.add(e.KeyPos, scopeNone, "invalid module path %s in replace: %s", diag.Quote(e.Key), pathProblem(err))
			continue
		}
		r := Replace{Path: e.Key, Pos: e.KeyPos}
		to := c.str(&e, scopeNone, "replace["+strconv.Quote(e.Key)+"]")
		if e.Val.Kind != yamlsrc.String {
			if e.Val.Kind == yamlsrc.Null {
				c.add(e.Val.Pos, scopeNone, "missing replacement for %q (valid: an exact version like v1.2.3, a fork at an exact version like example.com/fork@v1.2.3, or a local path starting with ./, ../ or /)", e.Key)
			}
			continue
		}
		mod, ver, fork := strings.Cut(to, "@")
		switch {
		case versions.IsExact(to):
			if err := module.Check(e.Key, to); err != nil {
				c.add(e.Val.Pos, scopeNone, "replacement %s for %q: %s", diag.Quote(to), e.Key, versions.Reason(err))
				continue
			}
			r.Version = to
		case fork && !isLocal(to):
			// A fork: another module at an exact version.
			if err := module.CheckPath(mod); err != nil {
				c.add(e.Val.Pos, scopeNone, "replacement %s for %q: invalid module path %s: %s", diag.Quote(to), e.Key, diag.Quote(mod), pathProblem(err))
				continue
			}
			if !versions.IsExact(ver) {
				c.add(e.Val.Pos, scopeNone, "replacement %s for %q: %s is not an exact version (valid: MODULE@v1.2.3, a fork at an exact version)", diag.Quote(to), e.Key, diag.Quote(ver))
				continue
			}
			if err := module.Check(mod, ver); err != nil {
				c.add(e.Val.Pos, scopeNone, "replacement %s for %q: %s", diag.Quote(to), e.Key, versions.Reason(err))
				continue
			}
			if mod == e.Key {
				c.add(e.Val.Pos, scopeNone, "replacement %s for %q names the module itself (valid: just the version, %s)", diag.Quote(to), e.Key, ver)
				continue
			}
			r.Module, r.Version = mod, ver
		case isLocal(to):
			if msg := checkPath(to); msg != "" {
				c.add(e.Val.Pos, scopeNone, "replacement for %q %s", e.Key, msg)
				continue
			}
			r.Dir = to
		default:
			c.add(e.Val.Pos, scopeNone, "invalid replacement %s for %q (valid: an exact version like v1.2.3, a fork at an exact version like example.com/fork@v1.2.3, or a local path starting with ./, ../ or /)", diag.Quote(to), e.Key)
			continue
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Replace) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// decodeExclude reads the exclude list: "module@version" items, each an
// exact version of a valid module path, no duplicates.
func (c *checker) decodeExclude(e *yamlsrc.Entry) []Exclude {
	var out []Exclude
	seen := map[string]Pos{}
	for _, it := range c.strList(e, scopeNone, "exclude") {
		mod, ver, ok := strings.Cut(it.s, "@")
		switch {
		case !ok:
			c.add(it.pos, scopeNone, "exclude[%d]: %s is not MODULE@VERSION (valid: like example.com/mod@v1.2.3)", it.i, diag.Quote(it.s))
			continue
		case module.CheckPath(mod) != nil:
			c.add(it.pos, scopeNone, "exclude[%d]: invalid module path %s: %s", it.i, diag.Quote(mod), pathProblem(module.CheckPath(mod)))
			continue
		case !versions.IsExact(ver):
			c.add(it.pos, scopeNone, "exclude[%d]: %s is not an exact version (valid: like example.com/mod@v1.2.3)", it.i, diag.Quote(ver))
			continue
		case module.Check(mod, ver) != nil:
			c.add(it.pos, scopeNone, "exclude[%d]: %s", it.i, versions.Reason(module.Check(mod, ver)))
			continue
		}
		if first, dup := seen[it.s]; dup {
			c.add(it.pos, scopeNone, "exclude: duplicate %s (first at %d:%d)", diag.Quote(it.s), first.Line, first.Col)
			continue
		}
		seen[it.s] = it.pos
		out = append(out, Exclude{Path: mod, Version: ver, Pos: it.pos})
	}
	slices.SortFunc(out, func(a, b Exclude) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return semver.Compare(a.Version, b.Version)
	})
	return out
}

// buildTagRE matches a build tag: what go/build/constraint accepts in a tag.
var buildTagRE = regexp.MustCompile(`^[A-Za-z0-9_.]+$`)

func (c *checker) decodeBuild(e *yamlsrc.Entry) Build {
	var b Build
	var f map[string]*yamlsrc.Entry
	if e != nil && e.Val.Kind != yamlsrc.Null {
		f = c.fields(e.Val, scopeNone, "build", " in build", buildKeys)
	}
	targets := c.strList(f["targets"], scopeNone, "build.targets")
	seen := map[platform.Target]Pos{}
	distinct := map[string]bool{}
	for _, it := range targets {
		distinct[it.s] = true
		t, err := platform.Parse(it.s)
		if err != nil {
			c.add(it.pos, scopeNone, "build.targets: %v", err)
			continue
		}
		if first, ok := seen[t]; ok {
			c.add(it.pos, scopeNone, "build.targets: duplicate target %q (first at %d:%d)", it.s, first.Line, first.Col)
			continue
		}
		seen[t] = it.pos
		b.Targets = append(b.Targets, t)
	}
	if len(targets) == 0 {
		b.Targets = []platform.Target{platform.Host()}
	}
	if e := f["output"]; e != nil && e.Val.Kind != yamlsrc.Null {
		b.Output = c.str(e, scopeNone, "build.output")
		b.OutputPos = e.Val.Pos
		if e.Val.Kind == yamlsrc.String {
			if b.Output == "" {
				c.add(e.Val.Pos, scopeNone, "build.output must not be empty (valid: a file path that may use {name} {os} {arch} {version})")
			} else if err := CheckOutput(b.Output, max(len(b.Targets), len(distinct))); err != nil {
				c.add(e.Val.Pos, scopeNone, "build.output: %v", err)
			}
		}
	}
	if b.Output == "" {
		b.Output = DefaultOutput
		if len(b.Targets) > 1 {
			b.Output = DefaultMultiOutput
		}
	}
	if e := f["tags"]; e != nil && e.Val.Kind == yamlsrc.Seq {
		b.Tags = []string{} // set, even to none: no profile's tags
	}
	if e := f["ldflags"]; e != nil && e.Val.Kind == yamlsrc.Seq {
		b.Ldflags = []string{}
	}
	for _, it := range c.strList(f["tags"], scopeNone, "build.tags") {
		if !buildTagRE.MatchString(it.s) {
			c.add(it.pos, scopeNone, "build.tags: invalid build tag %s (valid: letters, digits, '_' and '.')", diag.Quote(it.s))
			continue
		}
		b.Tags = append(b.Tags, it.s)
	}
	b.Strict = c.boolean(f["strict"], scopeNone, "build.strict")
	b.Debug = c.boolean(f["debug"], scopeNone, "build.debug")
	b.Cgo = c.boolean(f["cgo"], scopeNone, "build.cgo")
	if e := f["embed"]; e != nil && e.Val.Kind != yamlsrc.Null {
		b.Embed = c.str(e, scopeNone, "build.embed")
		b.EmbedPos = e.Val.Pos
		if e.Val.Kind == yamlsrc.String {
			if msg := checkEmbed(b.Embed); msg != "" {
				c.add(e.Val.Pos, scopeNone, "build.embed %s", msg)
				b.Embed = ""
			}
		}
	}
	for _, it := range c.strList(f["gcflags"], scopeNone, "build.gcflags") {
		if _, err := ldflags.SplitGC(it.s); err != nil {
			c.add(it.pos, scopeNone, "build.gcflags[%d]: %v", it.i, err)
			continue
		}
		b.Gcflags = append(b.Gcflags, it.s)
	}
	for _, it := range c.strList(f["ldflags"], scopeNone, "build.ldflags") {
		if strings.ContainsRune(it.s, 0) {
			c.add(it.pos, scopeNone, "build.ldflags[%d] contains a NUL character", it.i)
			continue
		}
		// Only flags that change the binary's contents (package ldflags).
		if _, err := ldflags.Split(it.s); err != nil {
			c.add(it.pos, scopeNone, "build.ldflags[%d]: %v", it.i, err)
			continue
		}
		if b.Debug && ldflags.Strips(it.s) {
			c.add(it.pos, scopeNone, "build.ldflags[%d]: %s leaves symbols or debug information out, and build.debug keeps them (valid: drop one of them)", it.i, diag.Quote(it.s))
			continue
		}
		b.Ldflags = append(b.Ldflags, it.s)
	}
	return b
}

// kindRE is what a plug's kind must match.
var kindRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,30}$`)

// VersionPattern is what the config's version must match: it may name an
// artifact ({version}), so it is a safe file name.
const VersionPattern = `^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$`

var versionRE = regexp.MustCompile(VersionPattern)

// anchorRE is what a position's anchor must match: the name of one of the
// core's plugins (CoreDNS's directives) or of a plug.
var anchorRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)

// position decodes a plug's position: {before: NAME} or {after: NAME}.
func (c *checker) position(e *yamlsrc.Entry, scope int) *Position {
	v := e.Val
	if v.Kind == yamlsrc.Null || v.Kind == yamlsrc.Bad {
		return nil
	}
	f := c.fields(v, scope, "position", " in position", []string{"after", "before"})
	if f == nil {
		return nil
	}
	p := &Position{Pos: v.Pos}
	p.Before = c.str(f["before"], scope, "position.before")
	p.After = c.str(f["after"], scope, "position.after")
	switch {
	case p.Before != "" && p.After != "":
		c.add(v.Pos, scope, "position sets both before and after (valid: one of them, naming one of the core's plugins or another plug)")
		return nil
	case p.Before == "" && p.After == "":
		if len(v.Entries) == 0 {
			c.add(v.Pos, scope, "position must set before or after (valid: {before: NAME} or {after: NAME}, NAME one of the core's plugins or another plug)")
		}
		return nil
	}
	for _, k := range []string{"before", "after"} {
		if s := p.Before + p.After; f[k] != nil && f[k].Val.Kind == yamlsrc.String && !anchorRE.MatchString(s) {
			c.add(f[k].Val.Pos, scope, "position.%s: invalid plugin name %s (valid: %s)", k, diag.Quote(s), anchorRE)
			return nil
		}
	}
	return p
}

// checkDescription returns what is wrong with the config's description,
// or "".
func checkDescription(s string) string {
	if len(s) > 1024 {
		return "is longer than 1024 bytes"
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return fmt.Sprintf("contains control character %U (valid: one line of text)", r)
		}
	}
	return ""
}

// fields checks that m is a mapping with only the keys in valid, reporting
// unknown and duplicate keys, and returns its entries by key. what names m
// when it is not a mapping; in says where an unknown key is. The problems
// of m's keys are in scope keyScope when given, else in scope.
func (c *checker) fields(m *yamlsrc.Node, scope int, what, in string, valid []string, keyScope ...int) map[string]*yamlsrc.Entry {
	if m.Kind == yamlsrc.Bad {
		return nil
	}
	if m.Kind != yamlsrc.Map {
		c.add(m.Pos, scope, "%s must be a mapping (valid keys: %s), got %s", what, strings.Join(valid, ", "), m.Describe())
		return nil
	}
	if len(keyScope) > 0 {
		scope = keyScope[0]
	}
	out := map[string]*yamlsrc.Entry{}
	// meant holds the misspelt keys by the key each most likely means.
	meant := map[string]*yamlsrc.Entry{}
	for i := range m.Entries {
		e := &m.Entries[i]
		if !e.KeyIsString || !slices.Contains(valid, e.Key) {
			hint := ""
			if e.KeyIsString {
				if near := suggest.Nearest(e.Key, valid); len(near) == 1 {
					if meant[near[0]] == nil {
						meant[near[0]] = e
					}
				}
				if h := suggest.Hint(e.Key, valid); h != "" {
					hint = ", " + h
				}
			}
			c.add(e.KeyPos, scope, "unknown key %s%s%s (valid keys: %s)", diag.Quote(e.Key), in, hint, strings.Join(valid, ", "))
			continue
		}
		if first, ok := out[e.Key]; ok {
			if !e.Merged {
				c.add(e.KeyPos, scope, "duplicate key %q%s (first at %d:%d)", e.Key, in, first.KeyPos.Line, first.KeyPos.Col)
			}
			continue
		}
		out[e.Key] = e
	}
	// A misspelt key stands for the key it means while the mapping lacks
	// that key: its value is checked as that key's, and the mapping is not
	// also reported for missing it. The config does not load either way
	// (the unknown key is a problem), so nothing is built from the guess;
	// it only keeps one typo from reporting knock-on errors ("missing
	// required key") before its cause.
	for k, e := range meant {
		if out[k] == nil {
			out[k] = e
		}
	}
	return out
}

// keyPositions returns where each key of f is.
func keyPositions(f map[string]*yamlsrc.Entry) map[string]Pos {
	out := make(map[string]Pos, len(f))
	for k, e := range f {
		out[k] = e.KeyPos
	}
	return out
}

// str returns the string value of e, "" when e is absent or null. Anything
// else is reported; a number or boolean YAML read from unquoted text gets a
// hint to quote it.
func (c *checker) str(e *yamlsrc.Entry, scope int, name string) string {
	if e == nil {
		return ""
	}
	v := e.Val
	switch v.Kind {
	case yamlsrc.String:
		return v.Str
	case yamlsrc.Null, yamlsrc.Bad:
		return ""
	}
	key := name[strings.LastIndex(name, ".")+1:]
	switch {
	case !v.Plain || v.Kind == yamlsrc.Map || v.Kind == yamlsrc.Seq:
		c.add(v.Pos, scope, "%s must be a string, got %s", name, v.Describe())
	case v.Kind == yamlsrc.Bool:
		c.add(v.Pos, scope, "%s must be a string, but YAML reads %s as a boolean; quote it: %s: %q", name, v.Text, key, v.Text)
	case v.Kind == yamlsrc.Float && v.Invalid == "" && strconv.FormatFloat(v.Float, 'g', -1, 64) != v.Text:
		c.add(v.Pos, scope, "%s must be a string, but YAML reads %s as the number %s; quote it: %s: %q", name, v.Text, strconv.FormatFloat(v.Float, 'g', -1, 64), key, v.Text)
	default:
		c.add(v.Pos, scope, "%s must be a string, but YAML reads %s as a number; quote it: %s: %q", name, v.Text, key, v.Text)
	}
	return ""
}

// boolean returns the boolean value of e, false when e is absent or null;
// anything else is reported.
func (c *checker) boolean(e *yamlsrc.Entry, scope int, name string) bool {
	if e == nil {
		return false
	}
	switch e.Val.Kind {
	case yamlsrc.Bool:
		return e.Val.Bool
	case yamlsrc.Null, yamlsrc.Bad:
		return false
	}
	c.add(e.Val.Pos, scope, "%s must be true or false, got %s", name, e.Val.Describe())
	return false
}

// listItem is one string of a list.
type listItem struct {
	s   string
	i   int // index in the list
	pos Pos
}

// strList returns the strings of the list in e; null or an absent e is an
// empty list. Items that are not strings are reported and left out.
func (c *checker) strList(e *yamlsrc.Entry, scope int, name string) []listItem {
	if e == nil || e.Val.Kind == yamlsrc.Null || e.Val.Kind == yamlsrc.Bad {
		return nil
	}
	if e.Val.Kind != yamlsrc.Seq {
		c.add(e.Val.Pos, scope, "%s must be a list of strings, got %s", name, e.Val.Describe())
		return nil
	}
	var out []listItem
	for i, it := range e.Val.Items {
		s := c.str(&yamlsrc.Entry{Val: it.Val}, scope, fmt.Sprintf("%s[%d]", name, i))
		if it.Val.Kind == yamlsrc.String {
			out = append(out, listItem{s, i, it.Pos})
		}
	}
	return out
}

// checkImport reports an invalid import path imp of the core or a plug, or
// one outside its module mod.
func (c *checker) checkImport(scope int, e *yamlsrc.Entry, key, imp, mod string) {
	if err := module.CheckImportPath(imp); err != nil {
		c.add(e.Val.Pos, scope, "invalid import path %s in %s: %s", diag.Quote(imp), key, pathProblem(err))
		return
	}
	if mod != "" && module.CheckPath(mod) == nil && imp != mod && !strings.HasPrefix(imp, mod+"/") {
		c.add(e.Val.Pos, scope, "%s %q is not in module %q (valid: the module path or a package below it)", key, imp, mod)
	}
}

// pathProblem returns what x/mod/module says is wrong with a path, without
// the path it already repeats.
func pathProblem(err error) string {
	var ip *module.InvalidPathError
	if errors.As(err, &ip) && ip.Err != nil {
		msg := ip.Err.Error()
		// A non-ASCII letter is most often a homoglyph: a host such as
		// "gіthub.com" with a Cyrillic і. Say so, with the code point that
		// the glyph hides.
		for _, r := range ip.Path {
			if r <= unicode.MaxASCII || msg != fmt.Sprintf("invalid char %q", r) {
				continue
			}
			msg += fmt.Sprintf(" (%U is not ASCII: module paths are ASCII only", r)
			if unicode.IsLetter(r) || unicode.IsNumber(r) {
				msg += ", so a lookalike of an ASCII letter is refused"
			}
			return msg + ")"
		}
		return msg
	}
	return err.Error()
}

// checkPath returns what is wrong with a file path of the config, or "".
func checkPath(p string) string {
	if p == "" {
		return "must not be empty"
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return fmt.Sprintf("%s contains control character %U (valid: a file path)", diag.Quote(p), r)
		}
	}
	return ""
}

// checkEmbed returns what is wrong with build.embed's directory, or "":
// it must be a directory below the config file's, named relative to it,
// so that the project (and its vendor tree) carries what the binary
// embeds.
func checkEmbed(p string) string {
	if msg := checkPath(p); msg != "" {
		return msg
	}
	switch {
	case filepath.IsAbs(p) || strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`):
		return fmt.Sprintf("%s is an absolute path (valid: a directory relative to the config file, like site)", diag.Quote(p))
	case !filepath.IsLocal(p) || strings.Contains(p, `\`):
		return fmt.Sprintf("%s leaves the config file's directory (valid: a directory below it, like site)", diag.Quote(p))
	case filepath.Clean(p) == ".":
		return fmt.Sprintf("%s is the config file's own directory, which holds plugctl's state and the binaries (valid: a directory below it, like site)", diag.Quote(p))
	}
	return ""
}

// isLocal reports whether a replacement is a local directory: a path of the
// local source kind's form.
func isLocal(to string) bool {
	k, ok := kinds.Classify(to)
	return ok && k.Kind() == source.Local
}
