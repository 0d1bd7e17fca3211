package config

import (
	"errors"
	"fmt"
	"go/token"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/versions"
)

// DefaultVendor is the vendor tree's directory when the config names none.
const DefaultVendor = ".plugctl/vendor"

// The default build.output for one target and for several.
const (
	DefaultOutput      = "dist/{name}"
	DefaultMultiOutput = "dist/{name}_{os}_{arch}"
)

// NamePattern is what the config name and every plug name must match.
const NamePattern = `^[a-z][a-z0-9_-]{0,62}$`

var nameRE = regexp.MustCompile(NamePattern)

// The keys of each mapping of the config, sorted for messages.
var (
	topKeys     = []string{"build", "core", "name", "plugins", "replace", "schema", "vendor"}
	requiredTop = []string{"schema", "name", "core"}
	coreKeys    = []string{"checksum", "entry", "imports", "main", "module", "source", "template", "version"}
	plugKeys    = []string{"checksum", "enabled", "import", "module", "name", "settings", "source", "version"}
	buildKeys   = []string{"ldflags", "output", "tags", "targets"}
)

// problem is a diag.Problem before the plug it concerns has a name.
type problem struct {
	pos   Pos
	scope int
	msg   string
}

// checker collects the problems of one file.
type checker struct {
	file  string
	probs []problem
	plugs []string // the name of each plug, "" while unknown or unusable
	// scopes holds the scope of each decoded plug: its index in the file's
	// list, which differs from its index in Config.Plugins once an item
	// that is not a mapping was left out.
	scopes []int
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
	return errs.Sort()
}

// decode checks the value tree against the schema and builds the Config,
// defaults applied.
func (c *checker) decode(root *node) *Config {
	cfg := &Config{Schema: 1, Vendor: DefaultVendor}
	f := c.fields(root, scopeNone, "the config", "", topKeys)
	if f == nil {
		return cfg
	}
	for _, k := range requiredTop {
		if f[k] == nil {
			c.add(root.pos, scopeNone, "missing required key %q", k)
		}
	}
	if e := f["schema"]; e != nil {
		v := e.val
		switch {
		case v.kind == kindBad:
		case v.kind == kindNull:
			c.add(v.pos, scopeNone, "missing value for required key \"schema\" (valid: 1)")
		case v.kind != kindInt || v.bad != "":
			c.add(v.pos, scopeNone, "schema must be the integer 1, got %s", describe(v))
		case v.i != 1:
			c.add(v.pos, scopeNone, "unsupported schema %d (valid: 1)", v.i)
		}
	}
	if e := f["name"]; e != nil {
		cfg.Name = c.str(e, scopeNone, "name")
		switch {
		case e.val.kind == kindNull:
			c.add(e.val.pos, scopeNone, "missing value for required key \"name\" (valid: %s)", NamePattern)
		case e.val.kind == kindString && !nameRE.MatchString(cfg.Name):
			c.add(e.val.pos, scopeNone, "invalid name %s (valid: %s: a lowercase letter, then up to 62 lowercase letters, digits, '-' or '_')", quoteShort(cfg.Name), NamePattern)
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
	cfg.Build = c.decodeBuild(f["build"])
	if e := f["vendor"]; e != nil && e.val.kind != kindNull {
		cfg.Vendor = c.str(e, scopeNone, "vendor")
		if e.val.kind == kindString {
			if msg := checkPath(cfg.Vendor); msg != "" {
				c.add(e.val.pos, scopeNone, "vendor %s", msg)
			}
		}
		if cfg.Vendor == "" {
			cfg.Vendor = DefaultVendor
		}
	}
	return cfg
}

func (c *checker) decodeCore(e *entry, core *Core) {
	core.Pos = e.keyPos
	if e.val.kind == kindBad {
		return
	}
	if e.val.kind == kindNull {
		c.add(e.val.pos, scopeNone, "missing value for required key \"core\" (valid keys: %s)", strings.Join(coreKeys, ", "))
		return
	}
	f := c.fields(e.val, scopeNone, "core", "", coreKeys, scopeCore)
	if f == nil {
		return
	}
	core.KeyPos = keyPositions(f)
	core.Module = c.str(f["module"], scopeCore, "module")
	core.Version = c.str(f["version"], scopeCore, "version")
	core.Source = c.str(f["source"], scopeCore, "source")
	core.Checksum = c.str(f["checksum"], scopeCore, "checksum")
	c.checkOrigin(scopeCore, e.val.pos, f, core.Module, core.Version, core.Source, core.Checksum)

	core.Main = c.str(f["main"], scopeCore, "main")
	if core.Main != "" {
		c.checkImport(scopeCore, f["main"], "main", core.Main, core.Module)
	} else {
		core.Main = core.Module
	}
	core.Entry = c.str(f["entry"], scopeCore, "entry")
	if core.Entry == "" {
		core.Entry = "Main"
	} else if !token.IsIdentifier(core.Entry) || !token.IsExported(core.Entry) {
		c.add(f["entry"].val.pos, scopeCore, "entry %s is not an exported Go identifier (valid: the name of an exported func(), like Main)", quoteShort(core.Entry))
	}
	seen := map[string]Pos{}
	for _, it := range c.strList(f["imports"], scopeCore, "imports") {
		switch {
		case it.s == "":
			c.add(it.pos, scopeCore, "imports[%d] must not be empty (valid: a Go import path)", it.i)
			continue
		case module.CheckImportPath(it.s) != nil:
			c.add(it.pos, scopeCore, "invalid import path %s in imports: %s", quoteShort(it.s), pathProblem(module.CheckImportPath(it.s)))
			continue
		}
		if first, ok := seen[it.s]; ok {
			c.add(it.pos, scopeCore, "duplicate import %q in imports (first at %d:%d)", it.s, first.Line, first.Col)
			continue
		}
		seen[it.s] = it.pos
		core.Imports = append(core.Imports, it.s)
	}
	core.Template = c.str(f["template"], scopeCore, "template")
	if core.Template != "" {
		if msg := checkPath(core.Template); msg != "" {
			c.add(f["template"].val.pos, scopeCore, "template %s", msg)
		}
	}
}

func (c *checker) decodePlugins(e *entry) []Plugin {
	v := e.val
	switch v.kind {
	case kindNull, kindBad:
		return nil
	case kindSeq:
	default:
		c.add(v.pos, scopeNone, "plugins must be a list of plugs, got %s", describe(v))
		return nil
	}
	c.plugs = make([]string, len(v.items))
	var out []Plugin
	names := map[string]Pos{}
	normal := map[string]string{} // name with '-' as '_' -> name
	for i, it := range v.items {
		f := c.fields(it.val, i, "a plug", "", plugKeys)
		if f == nil {
			continue
		}
		p := Plugin{Pos: it.pos, Enabled: true, KeyPos: keyPositions(f)}
		if e := f["name"]; e == nil {
			c.add(it.val.pos, i, "missing required key \"name\" (valid: %s)", NamePattern)
		} else if e.val.kind == kindNull {
			c.add(e.val.pos, i, "missing value for required key \"name\" (valid: %s)", NamePattern)
		} else {
			p.Name = c.str(e, i, "name")
			pos := e.val.pos
			switch {
			case e.val.kind != kindString:
			case !nameRE.MatchString(p.Name):
				c.plugs[i] = p.Name
				c.add(pos, i, "invalid plug name %s (valid: %s: a lowercase letter, then up to 62 lowercase letters, digits, '-' or '_')", quoteShort(p.Name), NamePattern)
			case p.Name == "core":
				c.add(pos, i, "plug name \"core\" is reserved for the core (choose another name)")
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
		c.checkOrigin(i, it.val.pos, f, p.Module, p.Version, p.Source, p.Checksum)
		p.Import = c.str(f["import"], i, "import")
		if p.Import != "" {
			c.checkImport(i, f["import"], "import", p.Import, p.Module)
		} else {
			p.Import = p.Module
		}
		if e := f["settings"]; e != nil {
			p.Settings, p.SettingPos = c.settings(e, i)
		}
		if e := f["enabled"]; e != nil {
			switch e.val.kind {
			case kindNull, kindBad:
			case kindBool:
				p.Enabled = e.val.b
			default:
				c.add(e.val.pos, i, "enabled must be true or false, got %s", describe(e.val))
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

func (c *checker) decodeReplace(e *entry) []Replace {
	v := e.val
	switch v.kind {
	case kindNull, kindBad:
		return nil
	case kindMap:
	default:
		c.add(v.pos, scopeNone, "replace must be a mapping of module path to version or local path, got %s", describe(v))
		return nil
	}
	var out []Replace
	seen := map[string]Pos{}
	for _, e := range v.entries {
		if !e.keyStr {
			c.add(e.keyPos, scopeNone, "replace key %s is not a module path (valid: a module path like example.com/mod)", quoteShort(e.key))
			continue
		}
		if first, ok := seen[e.key]; ok && !e.merged {
			c.add(e.keyPos, scopeNone, "duplicate key %s in replace (first at %d:%d)", quoteShort(e.key), first.Line, first.Col)
			continue
		}
		seen[e.key] = e.keyPos
		if err := module.CheckPath(e.key); err != nil {
			c.add(e.keyPos, scopeNone, "invalid module path %s in replace: %s", quoteShort(e.key), pathProblem(err))
			continue
		}
		r := Replace{Path: e.key, Pos: e.keyPos}
		to := c.str(&e, scopeNone, "replace["+strconv.Quote(e.key)+"]")
		if e.val.kind != kindString {
			if e.val.kind == kindNull {
				c.add(e.val.pos, scopeNone, "missing replacement for %q (valid: an exact version like v1.2.3 or a local path starting with ./, ../ or /)", e.key)
			}
			continue
		}
		switch {
		case versions.IsExact(to):
			if err := module.Check(e.key, to); err != nil {
				c.add(e.val.pos, scopeNone, "replacement %s for %q: %s", quoteShort(to), e.key, versionProblem(err))
				continue
			}
			r.Version = to
		case KindOf(to) == SourceLocal:
			if msg := checkPath(to); msg != "" {
				c.add(e.val.pos, scopeNone, "replacement for %q %s", e.key, msg)
				continue
			}
			r.Dir = to
		default:
			c.add(e.val.pos, scopeNone, "invalid replacement %s for %q (valid: an exact version like v1.2.3 or a local path starting with ./, ../ or /)", quoteShort(to), e.key)
			continue
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Replace) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// buildTagRE matches a build tag: what go/build/constraint accepts in a tag.
var buildTagRE = regexp.MustCompile(`^[A-Za-z0-9_.]+$`)

func (c *checker) decodeBuild(e *entry) Build {
	var b Build
	var f map[string]*entry
	if e != nil && e.val.kind != kindNull {
		f = c.fields(e.val, scopeNone, "build", " in build", buildKeys)
	}
	targets := c.strList(f["targets"], scopeNone, "build.targets")
	seen := map[Target]Pos{}
	distinct := map[string]bool{}
	for _, it := range targets {
		distinct[it.s] = true
		t, err := ParseTarget(it.s)
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
		b.Targets = []Target{{runtime.GOOS, runtime.GOARCH}}
	}
	if e := f["output"]; e != nil && e.val.kind != kindNull {
		b.Output = c.str(e, scopeNone, "build.output")
		if e.val.kind == kindString {
			if b.Output == "" {
				c.add(e.val.pos, scopeNone, "build.output must not be empty (valid: a file path that may use {name} {os} {arch} {version})")
			} else if err := CheckOutput(b.Output, max(len(b.Targets), len(distinct))); err != nil {
				c.add(e.val.pos, scopeNone, "build.output: %v", err)
			}
		}
	}
	if b.Output == "" {
		b.Output = DefaultOutput
		if len(b.Targets) > 1 {
			b.Output = DefaultMultiOutput
		}
	}
	for _, it := range c.strList(f["tags"], scopeNone, "build.tags") {
		if !buildTagRE.MatchString(it.s) {
			c.add(it.pos, scopeNone, "build.tags: invalid build tag %s (valid: letters, digits, '_' and '.')", quoteShort(it.s))
			continue
		}
		b.Tags = append(b.Tags, it.s)
	}
	for _, it := range c.strList(f["ldflags"], scopeNone, "build.ldflags") {
		if strings.ContainsRune(it.s, 0) {
			c.add(it.pos, scopeNone, "build.ldflags[%d] contains a NUL character", it.i)
			continue
		}
		b.Ldflags = append(b.Ldflags, it.s)
	}
	return b
}

// fields checks that m is a mapping with only the keys in valid, reporting
// unknown and duplicate keys, and returns its entries by key. what names m
// when it is not a mapping; in says where an unknown key is. The problems
// of m's keys are in scope keyScope when given, else in scope.
func (c *checker) fields(m *node, scope int, what, in string, valid []string, keyScope ...int) map[string]*entry {
	if m.kind == kindBad {
		return nil
	}
	if m.kind != kindMap {
		c.add(m.pos, scope, "%s must be a mapping (valid keys: %s), got %s", what, strings.Join(valid, ", "), describe(m))
		return nil
	}
	if len(keyScope) > 0 {
		scope = keyScope[0]
	}
	out := map[string]*entry{}
	for i := range m.entries {
		e := &m.entries[i]
		if !e.keyStr || !slices.Contains(valid, e.key) {
			c.add(e.keyPos, scope, "unknown key %s%s (valid keys: %s)", quoteShort(e.key), in, strings.Join(valid, ", "))
			continue
		}
		if first, ok := out[e.key]; ok {
			if !e.merged {
				c.add(e.keyPos, scope, "duplicate key %q%s (first at %d:%d)", e.key, in, first.keyPos.Line, first.keyPos.Col)
			}
			continue
		}
		out[e.key] = e
	}
	return out
}

// keyPositions returns where each key of f is.
func keyPositions(f map[string]*entry) map[string]Pos {
	out := make(map[string]Pos, len(f))
	for k, e := range f {
		out[k] = e.keyPos
	}
	return out
}

// str returns the string value of e, "" when e is absent or null. Anything
// else is reported; a number or boolean YAML read from unquoted text gets a
// hint to quote it.
func (c *checker) str(e *entry, scope int, name string) string {
	if e == nil {
		return ""
	}
	v := e.val
	switch v.kind {
	case kindString:
		return v.s
	case kindNull, kindBad:
		return ""
	}
	key := name[strings.LastIndex(name, ".")+1:]
	switch {
	case !v.plain || v.kind == kindMap || v.kind == kindSeq:
		c.add(v.pos, scope, "%s must be a string, got %s", name, describe(v))
	case v.kind == kindBool:
		c.add(v.pos, scope, "%s must be a string, but YAML reads %s as a boolean; quote it: %s: %q", name, v.text, key, v.text)
	case v.kind == kindFloat && v.bad == "" && strconv.FormatFloat(v.f, 'g', -1, 64) != v.text:
		c.add(v.pos, scope, "%s must be a string, but YAML reads %s as the number %s; quote it: %s: %q", name, v.text, strconv.FormatFloat(v.f, 'g', -1, 64), key, v.text)
	default:
		c.add(v.pos, scope, "%s must be a string, but YAML reads %s as a number; quote it: %s: %q", name, v.text, key, v.text)
	}
	return ""
}

// listItem is one string of a list.
type listItem struct {
	s   string
	i   int // index in the list
	pos Pos
}

// strList returns the strings of the list in e; null or an absent e is an
// empty list. Items that are not strings are reported and left out.
func (c *checker) strList(e *entry, scope int, name string) []listItem {
	if e == nil || e.val.kind == kindNull || e.val.kind == kindBad {
		return nil
	}
	if e.val.kind != kindSeq {
		c.add(e.val.pos, scope, "%s must be a list of strings, got %s", name, describe(e.val))
		return nil
	}
	var out []listItem
	for i, it := range e.val.items {
		s := c.str(&entry{val: it.val}, scope, fmt.Sprintf("%s[%d]", name, i))
		if it.val.kind == kindString {
			out = append(out, listItem{s, i, it.pos})
		}
	}
	return out
}

// checkImport reports an invalid import path imp of the core or a plug, or
// one outside its module mod.
func (c *checker) checkImport(scope int, e *entry, key, imp, mod string) {
	if err := module.CheckImportPath(imp); err != nil {
		c.add(e.val.pos, scope, "invalid import path %s in %s: %s", quoteShort(imp), key, pathProblem(err))
		return
	}
	if mod != "" && module.CheckPath(mod) == nil && imp != mod && !strings.HasPrefix(imp, mod+"/") {
		c.add(e.val.pos, scope, "%s %q is not in module %q (valid: the module path or a package below it)", key, imp, mod)
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

// versionProblem returns what x/mod/module says is wrong with a version.
func versionProblem(err error) string {
	var iv *module.InvalidVersionError
	if errors.As(err, &iv) && iv.Err != nil {
		return iv.Err.Error()
	}
	var me *module.ModuleError
	if errors.As(err, &me) && me.Err != nil {
		return me.Err.Error()
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
			return fmt.Sprintf("%s contains control character %U (valid: a file path)", quoteShort(p), r)
		}
	}
	return ""
}
