// Package profile says how a core is built: the package holding its entry
// and the call into it, the packages to import, the templates of the main
// package, the default build tags and linker flags, the kinds of plug the
// core wires and the order it keeps (docs/profiles.md).
//
// # Layers
//
// What a build uses comes from four layers, each field from the highest
// layer that sets it:
//
//  1. the config's core section (main, entry, imports, template) and its
//     build.tags and build.ldflags;
//  2. the core: section of the core module's own plugin.yaml;
//  3. the profile shipped with plugctl whose modules list the core's
//     module path;
//  4. the plain default: main is the core's module, entry is Main, the
//     built-in main template, no tags, no linker flags.
//
// A profile the config names (core.profile: NAME, or the path of a
// profile file) takes the place of 3 and ranks above 2: it is the config's
// choice, which a core's own plugin.yaml must not undo.
//
// core.profile: none leaves layers 2 and 3 out. A config value equal to
// the plain default (main: the module path, entry: Main, an empty imports
// list) does not set the field: profile: none is how a config asks for the
// plain build of a core that has a profile.
//
// # Profiles
//
// A profile is data and templates, not code: a directory
// templates/profiles/NAME holding profile.yaml and the *.go.tmpl templates
// it names, embedded in plugctl. Adding one is adding a directory. A user's
// profile file has the same form, its templates beside it; a core's
// plugin.yaml core: section too, its templates relative to the module root.
// profile.yaml is read by yamlsrc, without anchors, aliases or tags, and
// every problem is reported at its file:line:col:
//
//	description: Caddy, built as xcaddy builds it
//	modules: [github.com/caddyserver/caddy/v2]  # core module paths it is chosen for
//	main: github.com/caddyserver/caddy/v2/cmd    # package holding the entry
//	entry: Main                                  # a call: see internal/entry
//	imports: [github.com/caddyserver/caddy/v2/modules/standard]
//	templates: [main.go.tmpl]                    # default: plugctl's built-in main template
//	embed: [embedded.go.tmpl]                    # only with build.embed: hands its files to the core
//	tags: [nobadger, nomysql, nopgx]
//	ldflags: [-s, -w]
//	kinds:                                       # the kinds of plug the core wires
//	  receiver: {suffix: receiver}               # an import path ending in …receiver is one
//	  telemetry: {max: 1}
//	defaults:                                    # components used while no plug has their kind
//	  - kind: provider
//	    module: go.opentelemetry.io/collector/confmap/provider/envprovider
//	    version-of: go.opentelemetry.io/collector/confmap   # the version the core requires of it
//	order:                                       # the core's own ordered list of plugins
//	  file: core/dnsserver/zdirectives.go        # a file of the core module
//	  var: Directives                            # a []string of string literals in it
//	example:                                     # what plugctl init --core NAME writes
//	  version: v2.11.9
//	  plugins: [{name: cloudflare, module: github.com/caddy-dns/cloudflare, version: v0.2.2}]
//
// A template file T.go.tmpl makes the file T.go of the main package; a
// name ending _windows.go.tmpl makes a file only Windows builds compile,
// as the go command's file name rules say. Templates see codegen.Data and
// write values only through its encoders.
package profile

import (
	"fmt"
	"go/token"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/entry"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/ldflags"
	"github.com/plugctl/plugctl/internal/suggest"
	"github.com/plugctl/plugctl/internal/yamlsrc"
)

// FileName is a profile's file in its directory.
const FileName = "profile.yaml"

// None is the core.profile value that turns profiles off.
const None = "none"

// MaxTemplateSize bounds a profile's template, as codegen bounds
// core.template.
const MaxTemplateSize = 1 << 20

// Spec is one layer's say: a profile, a user's profile file or a core's
// plugin.yaml core: section. A field the layer does not set is left to
// the layers below (Has).
type Spec struct {
	Name        string // the profile's name; the file for a user's file; "plugin.yaml" for a core
	File        string // where it was read, for messages
	Description string
	Modules     []string // core module paths a shipped profile is chosen for
	Main        string
	Entry       string
	Call        *entry.Call // Entry, parsed
	Imports     []string
	// Templates are the profile's templates, read, in the order listed.
	Templates []Template
	// Embed are the templates of the files that hand the embedded files
	// (build.embed) to the core its own way, rendered beside the main
	// package's others only when the config sets build.embed: Caddy's
	// caddy.fs.embedded module.
	Embed    []Template
	Tags     []string
	Ldflags  []string
	Kinds    []Kind
	Defaults []Default
	Order    *Order
	Example  *Example

	// set holds the keys the layer sets, with where; raw is the file's
	// text (FileDigest, the fuzz seeds).
	set map[string]diag.Pos
	raw []byte
}

// Has reports whether the layer sets key (main, entry, imports,
// templates, tags, ldflags, kinds, defaults, order).
func (s *Spec) Has(key string) bool {
	_, ok := s.set[key]
	return ok
}

// At returns where the layer sets key, or the zero Pos.
func (s *Spec) At(key string) diag.Pos { return s.set[key] }

// Template is one template of the main package.
type Template = codegen.Template

// Kind is a kind of plug a core wires.
type Kind struct {
	Name string
	// Suffix gives the kind to a plug that names none when the last
	// element of its import path ends with it (otlpreceiver: receiver).
	Suffix string
	// Max is the most plugs of the kind a build may hold; 0 for any.
	Max int
	Pos diag.Pos
}

// Default is a component a profile builds in while no plug of its kind is
// in the config, as ocb does with the confmap providers.
type Default struct {
	Kind   string
	Module string
	Import string // default Module
	// VersionOf names the module whose version the core's go.mod requires
	// is this one's: modules released together share a version. The
	// core's own module path means the core's version.
	VersionOf string
	Pos       diag.Pos
}

// Order says where the core keeps its own ordered list of plugins.
type Order struct {
	File string // slash-separated, relative to the core module's root
	Var  string // a package-level var holding a []string literal
	Pos  diag.Pos
}

// Example is what plugctl init --core writes for a profile.
type Example struct {
	Version string
	Plugins []ExamplePlug
}

// ExamplePlug is one plug of an example config.
type ExamplePlug struct {
	Name, Module, Version, Kind string
	Before, After               string
}

// keys are the keys of a profile.yaml; a plugin.yaml core: section has
// all but modules and example.
var (
	keys     = []string{"defaults", "description", "embed", "entry", "example", "imports", "kinds", "ldflags", "main", "modules", "order", "tags", "templates"}
	coreKeys = []string{"defaults", "description", "embed", "entry", "imports", "kinds", "ldflags", "main", "order", "tags", "templates"}
)

var (
	templateRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_]*\.go\.tmpl$`)
	kindRE     = regexp.MustCompile(`^[a-z][a-z0-9_]{0,30}$`)
	tagRE      = regexp.MustCompile(`^[A-Za-z0-9_.]+$`)
)

// Parse reads a profile file: data is its text, file names it in
// messages, name is the profile's name, and fsys holds the templates it
// lists (the profile's directory). A profile of a user's or a shipped one
// may set every key.
func Parse(file, name string, data []byte, fsys fs.FS) (*Spec, error) {
	d := &decoder{file: file}
	root, ok := yamlsrc.Parse(data, yamlsrc.Options{Noun: "profile", Report: func(pos diag.Pos, _ yamlsrc.Path, msg string) {
		d.add(pos, "%s", msg)
	}})
	s := &Spec{Name: name, File: file, set: map[string]diag.Pos{}}
	if ok && root != nil {
		d.spec(root, s, keys, fsys)
	}
	return s, d.err()
}

// Decode reads the core: section of a core's plugin.yaml, the value v of
// file; fsys is the core module's root, where its templates are.
func Decode(file string, v *yamlsrc.Node, fsys fs.FS) (*Spec, error) {
	d := &decoder{file: file}
	s := &Spec{Name: "plugin.yaml", File: file, set: map[string]diag.Pos{}}
	d.spec(v, s, coreKeys, fsys)
	return s, d.err()
}

// decoder collects the problems of one file.
type decoder struct {
	file  string
	probs diag.List
}

func (d *decoder) add(pos diag.Pos, format string, args ...any) {
	d.probs = append(d.probs, &diag.Problem{File: d.file, Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) err() error {
	if len(d.probs) == 0 {
		return nil
	}
	return fail.Wrap(fail.Config, d.probs.Sort())
}

// fields calls set for each key of the mapping v that is among valid,
// reporting the others and duplicates; where names v in messages.
func (d *decoder) fields(v *yamlsrc.Node, where string, valid []string, set func(e *yamlsrc.Entry)) {
	switch v.Kind {
	case yamlsrc.Bad, yamlsrc.Null:
		return
	case yamlsrc.Map:
	default:
		d.add(v.Pos, "%s must be a mapping (valid keys: %s), got %s", where, strings.Join(valid, ", "), v.Describe())
		return
	}
	seen := map[string]diag.Pos{}
	for i := range v.Entries {
		e := &v.Entries[i]
		if !e.KeyIsString || !slices.Contains(valid, e.Key) {
			hint := ""
			if h := suggest.Hint(e.Key, valid); h != "" && e.KeyIsString {
				hint = ", " + h
			}
			d.add(e.KeyPos, "unknown key %s in %s%s (valid keys: %s)", diag.Quote(e.Key), where, hint, strings.Join(valid, ", "))
			continue
		}
		if first, ok := seen[e.Key]; ok {
			d.add(e.KeyPos, "duplicate key %q in %s (first at %s)", e.Key, where, first)
			continue
		}
		seen[e.Key] = e.KeyPos
		if e.Val.Kind == yamlsrc.Null || e.Val.Kind == yamlsrc.Bad {
			continue // null counts as absent, as in the config
		}
		set(e)
	}
}

// str returns the string v, reporting anything else.
func (d *decoder) str(v *yamlsrc.Node, where string) (string, bool) {
	if v.Kind == yamlsrc.String {
		return v.Str, true
	}
	if v.Kind != yamlsrc.Bad {
		d.add(v.Pos, "%s must be a string, got %s", where, v.Describe())
	}
	return "", false
}

// strs returns the strings of the list v, checking each with check (which
// returns what is wrong, or "").
func (d *decoder) strs(v *yamlsrc.Node, where string, check func(string) string) []string {
	if v.Kind != yamlsrc.Seq {
		d.add(v.Pos, "%s must be a list of strings, got %s", where, v.Describe())
		return nil
	}
	out := []string{}
	seen := map[string]bool{}
	for i, it := range v.Items {
		s, ok := d.str(it.Val, fmt.Sprintf("%s[%d]", where, i))
		if !ok {
			continue
		}
		if msg := check(s); msg != "" {
			d.add(it.Val.Pos, "%s[%d]: %s", where, i, msg)
			continue
		}
		if seen[s] {
			d.add(it.Val.Pos, "%s[%d]: %s is listed twice", where, i, strconv.Quote(s))
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

func checkModule(s string) string {
	if err := module.CheckPath(s); err != nil {
		return fmt.Sprintf("invalid module path %s: %v", diag.Quote(s), err)
	}
	return ""
}

func checkImport(s string) string {
	if err := module.CheckImportPath(s); err != nil {
		return fmt.Sprintf("invalid import path %s: %v", diag.Quote(s), err)
	}
	return ""
}

func (d *decoder) spec(root *yamlsrc.Node, s *Spec, valid []string, fsys fs.FS) {
	where := "a profile"
	if s.Name == "plugin.yaml" {
		where = "core"
	}
	d.fields(root, where, valid, func(e *yamlsrc.Entry) {
		s.set[e.Key] = e.KeyPos
		v := e.Val
		switch e.Key {
		case "description":
			s.Description, _ = d.str(v, "description")
		case "modules":
			s.Modules = d.strs(v, "modules", checkModule)
		case "main":
			if m, ok := d.str(v, "main"); ok {
				if msg := checkImport(m); msg != "" {
					d.add(v.Pos, "main: %s", msg)
				}
				s.Main = m
			}
		case "entry":
			if text, ok := d.str(v, "entry"); ok {
				c, err := entry.Parse(text)
				if err != nil {
					d.add(v.Pos, "%v", err)
					break
				}
				s.Entry, s.Call = text, c
			}
		case "imports":
			s.Imports = d.strs(v, "imports", checkImport)
		case "templates":
			s.Templates = d.templates(v, fsys, "templates")
		case "embed":
			s.Embed = d.templates(v, fsys, "embed")
		case "tags":
			s.Tags = d.strs(v, "tags", func(t string) string {
				if !tagRE.MatchString(t) {
					return fmt.Sprintf("invalid build tag %s (valid: letters, digits, '_' and '.')", diag.Quote(t))
				}
				return ""
			})
		case "ldflags":
			s.Ldflags = d.strs(v, "ldflags", func(f string) string {
				if _, err := ldflags.Split(f); err != nil {
					return err.Error()
				}
				return ""
			})
		case "kinds":
			s.Kinds = d.kinds(v)
		case "defaults":
			s.Defaults = d.defaults(v)
		case "order":
			s.Order = d.order(v)
		case "example":
			s.Example = d.example(v)
		}
	})
	known := map[string]bool{}
	for _, k := range s.Kinds {
		known[k.Name] = true
	}
	for _, df := range s.Defaults {
		if df.Kind != "" && !known[df.Kind] {
			d.add(df.Pos, "defaults: kind %s is not one of the profile's kinds (%s)", strconv.Quote(df.Kind), kindNames(s.Kinds))
		}
	}
	if s.Example != nil {
		for _, p := range s.Example.Plugins {
			if p.Kind != "" && !known[p.Kind] {
				d.add(s.set["example"], "example: plug %q: kind %s is not one of the profile's kinds (%s)", p.Name, strconv.Quote(p.Kind), kindNames(s.Kinds))
			}
		}
	}
}

// kindNames lists kinds for messages.
func kindNames(ks []Kind) string {
	if len(ks) == 0 {
		return "it has none"
	}
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.Name
	}
	return strings.Join(names, ", ")
}

func (d *decoder) templates(v *yamlsrc.Node, fsys fs.FS, key string) []Template {
	names := d.strs(v, key, func(n string) string {
		switch {
		case !templateRE.MatchString(n):
			return fmt.Sprintf("invalid template name %s (valid: a file of the profile's directory named like main.go.tmpl: lowercase letters, digits and '_', then .go.tmpl)", diag.Quote(n))
		case strings.TrimSuffix(n, ".tmpl") == codegen.InfoFile:
			return fmt.Sprintf("%s is the file plugctl writes itself (the build description); name the template otherwise", codegen.InfoFile)
		}
		return ""
	})
	if len(names) == 0 && v.Kind == yamlsrc.Seq {
		if key == "templates" {
			d.add(v.Pos, "templates must list at least one template (leave the key out for plugctl's built-in main template)")
		} else {
			d.add(v.Pos, "%s must list at least one template (leave the key out for none)", key)
		}
	}
	var out []Template
	for i, n := range names {
		var text []byte
		var err error
		if fsys == nil {
			err = fs.ErrNotExist
		} else {
			text, err = readLimited(fsys, n)
		}
		if err != nil {
			d.add(v.Items[i].Val.Pos, "%s[%d]: %v", key, i, err)
			continue
		}
		out = append(out, Template{Name: strings.TrimSuffix(n, ".tmpl"), Text: string(text), From: path.Join(path.Dir(d.file), n)})
	}
	return out
}

// readLimited reads name from fsys, refusing a file over MaxTemplateSize
// or anything but a regular file.
func readLimited(fsys fs.FS, name string) ([]byte, error) {
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("reading template %s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("template %s is not a regular file", name)
	}
	if fi.Size() > MaxTemplateSize {
		return nil, fmt.Errorf("template %s is larger than %d bytes", name, MaxTemplateSize)
	}
	return fs.ReadFile(fsys, name)
}

func (d *decoder) kinds(v *yamlsrc.Node) []Kind {
	if v.Kind != yamlsrc.Map {
		d.add(v.Pos, "kinds must be a mapping of kind name to its rules ({suffix: S, max: N}, or null), got %s", v.Describe())
		return nil
	}
	var out []Kind
	seen := map[string]bool{}
	for _, e := range v.Entries {
		if !kindRE.MatchString(e.Key) {
			d.add(e.KeyPos, "kinds: invalid kind name %s (valid: %s)", diag.Quote(e.Key), kindRE)
			continue
		}
		if seen[e.Key] {
			d.add(e.KeyPos, "kinds: duplicate kind %q", e.Key)
			continue
		}
		seen[e.Key] = true
		k := Kind{Name: e.Key, Pos: e.KeyPos}
		d.fields(e.Val, "kinds."+e.Key, []string{"max", "suffix"}, func(f *yamlsrc.Entry) {
			switch f.Key {
			case "suffix":
				k.Suffix, _ = d.str(f.Val, "kinds."+e.Key+".suffix")
				if k.Suffix == "" && f.Val.Kind == yamlsrc.String {
					d.add(f.Val.Pos, "kinds.%s.suffix must not be empty", e.Key)
				}
			case "max":
				if f.Val.Kind != yamlsrc.Int || f.Val.Invalid != "" || f.Val.Int < 1 || f.Val.Int > 1000 {
					d.add(f.Val.Pos, "kinds.%s.max must be an integer from 1 to 1000, got %s", e.Key, f.Val.Describe())
					return
				}
				k.Max = int(f.Val.Int)
			}
		})
		out = append(out, k)
	}
	return out
}

func (d *decoder) defaults(v *yamlsrc.Node) []Default {
	if v.Kind != yamlsrc.Seq {
		d.add(v.Pos, "defaults must be a list of components, got %s", v.Describe())
		return nil
	}
	var out []Default
	for i, it := range v.Items {
		where := fmt.Sprintf("defaults[%d]", i)
		df := Default{Pos: it.Pos}
		d.fields(it.Val, where, []string{"import", "kind", "module", "version-of"}, func(f *yamlsrc.Entry) {
			s, ok := d.str(f.Val, where+"."+f.Key)
			if !ok {
				return
			}
			var msg string
			switch f.Key {
			case "kind":
				df.Kind = s
			case "module":
				df.Module, msg = s, checkModule(s)
			case "import":
				df.Import, msg = s, checkImport(s)
			case "version-of":
				df.VersionOf, msg = s, checkModule(s)
			}
			if msg != "" {
				d.add(f.Val.Pos, "%s.%s: %s", where, f.Key, msg)
			}
		})
		if it.Val.Kind != yamlsrc.Map {
			continue
		}
		for _, k := range []string{"kind", "module", "version-of"} {
			if (k == "kind" && df.Kind == "") || (k == "module" && df.Module == "") || (k == "version-of" && df.VersionOf == "") {
				d.add(it.Val.Pos, "%s: missing required key %q", where, k)
			}
		}
		if df.Import == "" {
			df.Import = df.Module
		} else if df.Module != "" && df.Import != df.Module && !strings.HasPrefix(df.Import, df.Module+"/") {
			d.add(it.Val.Pos, "%s: import %q is not in module %q", where, df.Import, df.Module)
		}
		out = append(out, df)
	}
	return out
}

func (d *decoder) order(v *yamlsrc.Node) *Order {
	o := &Order{Pos: v.Pos}
	d.fields(v, "order", []string{"file", "var"}, func(f *yamlsrc.Entry) {
		s, ok := d.str(f.Val, "order."+f.Key)
		if !ok {
			return
		}
		switch f.Key {
		case "file":
			if !fs.ValidPath(s) || !strings.HasSuffix(s, ".go") {
				d.add(f.Val.Pos, "order.file %s is not a .go file of the core module (valid: a slash-separated path inside it, like core/dnsserver/zdirectives.go)", diag.Quote(s))
				return
			}
			o.File = s
		case "var":
			if !token.IsIdentifier(s) {
				d.add(f.Val.Pos, "order.var %s is not a Go identifier", diag.Quote(s))
				return
			}
			o.Var = s
		}
	})
	if v.Kind == yamlsrc.Map && (o.File == "" || o.Var == "") {
		d.add(v.Pos, "order needs both file and var")
		return nil
	}
	return o
}

func (d *decoder) example(v *yamlsrc.Node) *Example {
	ex := &Example{}
	d.fields(v, "example", []string{"plugins", "version"}, func(f *yamlsrc.Entry) {
		switch f.Key {
		case "version":
			ex.Version, _ = d.str(f.Val, "example.version")
		case "plugins":
			if f.Val.Kind != yamlsrc.Seq {
				d.add(f.Val.Pos, "example.plugins must be a list of plugs, got %s", f.Val.Describe())
				return
			}
			for i, it := range f.Val.Items {
				where := fmt.Sprintf("example.plugins[%d]", i)
				var p ExamplePlug
				d.fields(it.Val, where, []string{"after", "before", "kind", "module", "name", "version"}, func(g *yamlsrc.Entry) {
					s, _ := d.str(g.Val, where+"."+g.Key)
					switch g.Key {
					case "name":
						p.Name = s
					case "module":
						p.Module = s
					case "version":
						p.Version = s
					case "kind":
						p.Kind = s
					case "before":
						p.Before = s
					case "after":
						p.After = s
					}
				})
				if p.Name == "" || p.Module == "" || p.Version == "" {
					d.add(it.Pos, "%s needs name, module and version", where)
					continue
				}
				ex.Plugins = append(ex.Plugins, p)
			}
		}
	})
	return ex
}
