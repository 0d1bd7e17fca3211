// Package manifest reads plugin.yaml, the file at the root of a plug's (or
// the core's) module that declares what the plug needs, separately from its
// code (docs/plugs.md: Manifests), and checks a build's plugs against each other.
//
// # File
//
// A manifest is one YAML mapping, every key optional:
//
//	description: Exposes Prometheus metrics        # a string
//	requires:
//	  core: ">=1.4.0"                 # a semver constraint on the core's version
//	  plugins:                        # plugs that must be in the build, either
//	    auth: "^1.2"                  #   name → constraint (null: any version)
//	  # plugins: [auth, store]        #   or a list of names
//	conflicts: [legacy-metrics]       # plugs that must not be in the build
//	settings:                         # the plug's settings
//	  listen:
//	    type: string                  # string, bool, int, float, list, map or any (default any)
//	    required: true                # default false
//	    description: Address to serve on
//	  sample_rate: {type: float, default: 0.5}
//	generate:                         # build-time hooks: commands, each a list of arguments
//	  - [go, run, ./internal/gen]     #   run in a copy of the plug's tree when the
//	                                  #   config allows them (hooks: allow)
//
// Unknown and duplicate keys are errors, reported all at once, each as
// file:line:col. Constraints are Masterminds/semver constraints; names match
// source.NamePattern. A default must have its setting's type, and a
// required setting has none. When the manifest has a settings key, it
// lists every setting the plug takes (settings: {} means none). Anchors,
// aliases, merge keys and tags are refused: a manifest comes from a fetched
// repository and need not be clever. A generate command is an argument list,
// never a shell line: its first element names the program (found on PATH),
// and no element may be empty or hold a NUL. The YAML itself is read by yamlsrc,
// under the same text rules and limits as the config.
//
// # Checks
//
// Check takes the core's version and every enabled plug with its version,
// manifest and settings, and returns every problem at once: a core
// requirement not met, a required plug missing or at a version outside its
// constraint, a conflict, a missing required setting, a setting of the
// wrong type, a setting the schema does not list, generate hooks the config
// does not allow for the plug (or that the core's manifest declares). It
// also returns each
// plug's settings with the schema's defaults filled in, so the generated
// main delivers them.
package manifest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	msemver "github.com/Masterminds/semver/v3"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/profile"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/suggest"
	"github.com/plugctl/plugctl/internal/yamlsrc"
)

// FileName is the manifest's name at a module's root.
const FileName = "plugin.yaml"

// MaxFileSize is the largest manifest read, in bytes: the limit of every
// YAML document plugctl reads (see yamlsrc for the others).
const MaxFileSize = yamlsrc.MaxFileSize

// Manifest is a parsed plugin.yaml.
type Manifest struct {
	File        string // the path it was read from, for messages
	Description string
	Requires    Requires
	Conflicts   []Name // sorted by name
	// Settings is the settings schema, by key; nil when the manifest has
	// no settings key (then any settings are accepted), empty when it
	// declares that the plug takes none.
	Settings map[string]Setting
	// Core is how the core is built, when this is a core's manifest with a
	// core: section (a layer of internal/profile, its templates read from
	// the module's root); nil otherwise.
	Core *profile.Spec
	// Generate are the plug's build-time hooks, in order: each an argument
	// list (no shell), run in a copy of the plug's tree before the build
	// when the config allows them (docs/plugs.md: Build-time hooks).
	Generate []Command
}

// Command is one build-time hook: a program and its arguments.
type Command struct {
	Args []string
	Pos  diag.Pos // of the command in the manifest
}

// Commands returns the argument lists of cmds, for the lock.
func Commands(cmds []Command) [][]string {
	if len(cmds) == 0 {
		return nil
	}
	out := make([][]string, len(cmds))
	for i, c := range cmds {
		out[i] = c.Args
	}
	return out
}

// Requires is what a plug needs in the build.
type Requires struct {
	Core    *Constraint // nil when any core version will do
	Plugins []PlugReq   // sorted by name
}

// Constraint is a semver constraint as the manifest writes it.
type Constraint struct {
	Text string
	C    *msemver.Constraints
	Pos  diag.Pos
}

// PlugReq is one plug a manifest requires.
type PlugReq struct {
	Name    string
	Version *Constraint // nil: any version
	Pos     diag.Pos
}

// Name is a plug name a manifest mentions.
type Name struct {
	Name string
	Pos  diag.Pos
}

// Type is the type of a setting.
type Type string

// The setting types. Values are those config.Plugin.Settings holds: a
// float setting also accepts an integer. A setting read when the plug starts
// (setting.Ref) takes its type from here, and the SDK checks the value read
// against it then.
const (
	TypeString Type = "string"
	TypeBool   Type = "bool"
	TypeInt    Type = "int"
	TypeFloat  Type = "float"
	TypeList   Type = "list"
	TypeMap    Type = "map"
	TypeAny    Type = "any"
)

var types = []Type{TypeString, TypeBool, TypeInt, TypeFloat, TypeList, TypeMap, TypeAny}

// Setting is the schema of one setting.
type Setting struct {
	Type        Type
	Required    bool
	Default     any  // nil, bool, int64, float64, string, []any or map[string]any
	HasDefault  bool // Default was given (it may be null)
	Description string
	Pos         diag.Pos // of the setting's key in the manifest
}

// Accepts reports whether v, a settings value, is of type t.
func (t Type) Accepts(v any) bool {
	switch t {
	case TypeAny:
		return true
	case TypeString:
		_, ok := v.(string)
		return ok
	case TypeBool:
		_, ok := v.(bool)
		return ok
	case TypeInt:
		_, ok := v.(int64)
		return ok
	case TypeFloat:
		switch v.(type) {
		case float64, int64:
			return true
		}
	case TypeList:
		_, ok := v.([]any)
		return ok
	case TypeMap:
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

// article returns t with its indefinite article, for messages.
func (t Type) article() string {
	if t == TypeInt || t == TypeAny {
		return "an " + string(t)
	}
	return "a " + string(t)
}

// describe names the type of a settings value, for messages.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a bool"
	case int64:
		return "an int"
	case float64:
		return "a float"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	}
	return fmt.Sprintf("%T", v)
}

// Load reads the manifest at the root of the module in dir. It returns nil
// and no error when there is none.
func Load(dir string) (*Manifest, error) {
	name := filepath.Join(dir, FileName)
	f, err := os.Open(name)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("reading manifest: %w", err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("reading manifest: %w", err))
	}
	return Parse(name, data)
}

// Parse parses a manifest; file names it in messages. Every problem is
// reported, as a diag.List wrapped as a fail.Config error.
//
// The YAML is read by yamlsrc, with the config's limits and text rules, and
// without anchors, aliases, merge keys or tags.
func Parse(file string, data []byte) (*Manifest, error) {
	p := &parse{file: file}
	m := &Manifest{File: file}
	root, ok := yamlsrc.Parse(data, yamlsrc.Options{Noun: "manifest", Report: func(pos diag.Pos, _ yamlsrc.Path, msg string) {
		p.add(pos, "%s", msg)
	}})
	switch {
	case ok && root == nil: // empty: nothing declared
	case ok:
		p.manifest(root, m)
	}
	if len(p.errs) > 0 {
		return nil, fail.Wrap(fail.Config, p.errs.Sort())
	}
	return m, nil
}

// parse collects the problems of one manifest.
type parse struct {
	file string
	errs diag.List
}

func (p *parse) add(pos diag.Pos, format string, args ...any) {
	p.errs = append(p.errs, &diag.Problem{File: p.file, Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// entries returns the keys of the mapping m, reporting and leaving out the
// second and later of a duplicate key. A key that is not a string reads as
// its text (1: or true:).
func (p *parse) entries(m *yamlsrc.Node) []yamlsrc.Entry {
	seen := make(map[string]diag.Pos, len(m.Entries))
	out := make([]yamlsrc.Entry, 0, len(m.Entries))
	for _, e := range m.Entries {
		if at, ok := seen[e.Key]; ok {
			p.add(e.KeyPos, "duplicate key %s (first at %s)", strconv.Quote(e.Key), at)
			continue
		}
		seen[e.Key] = e.KeyPos
		out = append(out, e)
	}
	return out
}

// fields checks that m is a mapping whose keys are among valid, and calls
// set for each; where says which part of the manifest m is.
func (p *parse) fields(m *yamlsrc.Node, where string, valid []string, set func(k yamlsrc.Entry)) {
	switch m.Kind {
	case yamlsrc.Bad:
		return
	case yamlsrc.Null:
		return // "requires:" with nothing: absent
	case yamlsrc.Map:
	default:
		p.add(m.Pos, "%s must be a mapping, got %s", where, m.Describe())
		return
	}
	for _, k := range p.entries(m) {
		if !slices.Contains(valid, k.Key) {
			in := ""
			if where != "a manifest" {
				in = " in " + where
			}
			if h := suggest.Hint(k.Key, valid); h != "" {
				in += ", " + h
			}
			p.add(k.KeyPos, "unknown key %s%s (valid: %s)", strconv.Quote(k.Key), in, strings.Join(valid, ", "))
			continue
		}
		set(k)
	}
}

func (p *parse) manifest(root *yamlsrc.Node, m *Manifest) {
	p.fields(root, "a manifest", []string{"description", "requires", "conflicts", "settings", "core", "generate"}, func(k yamlsrc.Entry) {
		switch k.Key {
		case "core":
			if k.Val.Kind == yamlsrc.Null || k.Val.Kind == yamlsrc.Bad {
				return
			}
			spec, err := profile.Decode(p.file, k.Val, os.DirFS(filepath.Dir(p.file)))
			if problems, others := diag.Collect(err); len(problems)+len(others) > 0 {
				p.errs = append(p.errs, problems...)
				for _, e := range others {
					p.add(k.KeyPos, "%v", e)
				}
				return
			}
			m.Core = spec
		case "description":
			m.Description = p.str(k.Val, "description")
		case "requires":
			p.fields(k.Val, "requires", []string{"core", "plugins"}, func(k yamlsrc.Entry) {
				switch k.Key {
				case "core":
					m.Requires.Core = p.constraint(k.Val, "requires.core")
				case "plugins":
					m.Requires.Plugins = p.plugReqs(k.Val)
				}
			})
		case "conflicts":
			m.Conflicts = p.names(k.Val, "conflicts")
		case "settings":
			m.Settings = p.settings(k.Val)
		case "generate":
			m.Generate = p.commands(k.Val)
		}
	})
	// Check's order: each requirement and conflict by name.
	sort.SliceStable(m.Requires.Plugins, func(i, j int) bool { return m.Requires.Plugins[i].Name < m.Requires.Plugins[j].Name })
	sort.SliceStable(m.Conflicts, func(i, j int) bool { return m.Conflicts[i].Name < m.Conflicts[j].Name })
}

// str returns the string v; where names it in messages.
func (p *parse) str(v *yamlsrc.Node, where string) string {
	switch v.Kind {
	case yamlsrc.String:
		return v.Str
	case yamlsrc.Null, yamlsrc.Bad:
		return ""
	}
	p.add(v.Pos, "%s must be a string, got %s", where, v.Describe())
	return ""
}

func (p *parse) constraint(v *yamlsrc.Node, where string) *Constraint {
	switch v.Kind {
	case yamlsrc.Null, yamlsrc.Bad:
		return nil
	case yamlsrc.String:
	case yamlsrc.Int, yamlsrc.Float:
		p.add(v.Pos, "%s must be a string, got %s (quote it: %q)", where, v.Text, v.Text)
		return nil
	default:
		p.add(v.Pos, "%s must be a string, got %s", where, v.Describe())
		return nil
	}
	c, err := msemver.NewConstraint(v.Str)
	if err != nil || strings.TrimSpace(v.Str) == "" {
		p.add(v.Pos, "%s: invalid version constraint %s (valid: a semver constraint like >=1.4.0, ^1.2 or ~1.2.3)", where, strconv.Quote(v.Str))
		return nil
	}
	return &Constraint{Text: v.Str, C: c, Pos: v.Pos}
}

// name checks a plug name.
func (p *parse) name(s string, pos diag.Pos, where string) bool {
	if !source.ValidName(s) {
		p.add(pos, "%s: invalid plug name %s (valid: %s)", where, strconv.Quote(s), source.NamePattern)
		return false
	}
	return true
}

func (p *parse) plugReqs(v *yamlsrc.Node) []PlugReq {
	var out []PlugReq
	switch v.Kind {
	case yamlsrc.Null, yamlsrc.Bad:
	case yamlsrc.Seq:
		for _, n := range p.names(v, "requires.plugins") {
			out = append(out, PlugReq{Name: n.Name, Pos: n.Pos})
		}
	case yamlsrc.Map:
		for _, k := range p.entries(v) {
			if !p.name(k.Key, k.KeyPos, "requires.plugins") {
				continue
			}
			out = append(out, PlugReq{Name: k.Key, Version: p.constraint(k.Val, "requires.plugins."+k.Key), Pos: k.KeyPos})
		}
	default:
		p.add(v.Pos, "requires.plugins must be a mapping of plug name to version constraint, or a list of plug names, got %s", v.Describe())
	}
	return out
}

func (p *parse) names(v *yamlsrc.Node, where string) []Name {
	switch v.Kind {
	case yamlsrc.Null, yamlsrc.Bad:
		return nil
	case yamlsrc.Seq:
	default:
		p.add(v.Pos, "%s must be a list of plug names, got %s", where, v.Describe())
		return nil
	}
	var out []Name
	seen := map[string]bool{}
	for _, it := range v.Items {
		n := it.Val
		if n.Kind != yamlsrc.String {
			if n.Kind != yamlsrc.Bad {
				p.add(n.Pos, "%s must be a list of plug names, got %s in it", where, n.Describe())
			}
			continue
		}
		if !p.name(n.Str, n.Pos, where) {
			continue
		}
		if seen[n.Str] {
			p.add(n.Pos, "%s: %s is listed twice", where, strconv.Quote(n.Str))
			continue
		}
		seen[n.Str] = true
		out = append(out, Name{Name: n.Str, Pos: n.Pos})
	}
	return out
}

// commands reads generate: a list of commands, each a list of strings.
func (p *parse) commands(v *yamlsrc.Node) []Command {
	const shape = "generate must be a list of commands, each a list of arguments like [go, run, ./gen] (no shell)"
	switch v.Kind {
	case yamlsrc.Null, yamlsrc.Bad:
		return nil
	case yamlsrc.Seq:
	default:
		p.add(v.Pos, "%s, got %s", shape, v.Describe())
		return nil
	}
	var out []Command
	for i, it := range v.Items {
		c := it.Val
		if c.Kind != yamlsrc.Seq {
			if c.Kind != yamlsrc.Bad {
				p.add(c.Pos, "generate[%d]: %s, got %s", i, shape, c.Describe())
			}
			continue
		}
		cmd, ok := Command{Pos: c.Pos}, len(c.Items) > 0
		if !ok {
			p.add(c.Pos, "generate[%d]: an empty command (valid: a program and its arguments, like [go, run, ./gen])", i)
		}
		for j, a := range c.Items {
			switch {
			case a.Val.Kind == yamlsrc.Bad:
				ok = false
			case a.Val.Kind != yamlsrc.String:
				// A number or bool is refused rather than turned into text:
				// 1.10 and 1.1 would be one argument.
				p.add(a.Val.Pos, "generate[%d][%d] must be a string, got %s (quote it)", i, j, a.Val.Describe())
				ok = false
			case a.Val.Str == "" && j == 0:
				p.add(a.Val.Pos, "generate[%d]: the program must not be empty", i)
				ok = false
			case strings.ContainsRune(a.Val.Str, 0):
				p.add(a.Val.Pos, "generate[%d][%d] holds a NUL byte", i, j)
				ok = false
			default:
				cmd.Args = append(cmd.Args, a.Val.Str)
			}
		}
		if ok {
			out = append(out, cmd)
		}
	}
	return out
}

func (p *parse) settings(v *yamlsrc.Node) map[string]Setting {
	switch v.Kind {
	case yamlsrc.Bad:
		return nil
	case yamlsrc.Null:
		return map[string]Setting{}
	case yamlsrc.Map:
	default:
		p.add(v.Pos, "settings must be a mapping of setting name to its schema, got %s", v.Describe())
		return nil
	}
	out := make(map[string]Setting, len(v.Entries))
	for _, k := range p.entries(v) {
		where := "settings." + k.Key
		s := Setting{Type: TypeAny, Pos: k.KeyPos}
		if k.Key == "" {
			p.add(k.KeyPos, "a setting name must not be empty")
			continue
		}
		var def *yamlsrc.Node
		p.fields(k.Val, where, []string{"type", "required", "default", "description"}, func(f yamlsrc.Entry) {
			switch f.Key {
			case "type":
				t := p.str(f.Val, where+".type")
				if t == "" && f.Val.Kind == yamlsrc.String || t != "" && !slices.Contains(types, Type(t)) {
					p.add(f.Val.Pos, "%s: unknown type %s (valid: string, bool, int, float, list, map, any)", where, strconv.Quote(t))
				} else if t != "" {
					s.Type = Type(t)
				}
			case "required":
				switch f.Val.Kind {
				case yamlsrc.Bool:
					s.Required = f.Val.Bool
				case yamlsrc.Null, yamlsrc.Bad:
				default:
					p.add(f.Val.Pos, "%s.required must be true or false, got %s", where, f.Val.Describe())
				}
			case "default":
				def = f.Val
			case "description":
				s.Description = p.str(f.Val, where+".description")
			}
		})
		if def != nil && def.Kind != yamlsrc.Bad {
			var ok bool
			if s.Default, ok = p.value(def); !ok {
				out[k.Key] = s
				continue
			}
			s.HasDefault = true
			if !s.Type.Accepts(s.Default) {
				p.add(def.Pos, "%s: default %s is not %s", where, def.Describe(), s.Type.article())
			}
			if s.Required {
				p.add(def.Pos, "%s: a required setting cannot have a default (drop one of them)", where)
			}
		}
		out[k.Key] = s
	}
	return out
}

// value returns the settings value of v, as the config package makes them.
// A number with no Go value (yamlsrc.Node.Invalid), anywhere in v, is
// reported and makes ok false.
func (p *parse) value(v *yamlsrc.Node) (val any, ok bool) {
	switch v.Kind {
	case yamlsrc.Bool:
		return v.Bool, true
	case yamlsrc.Int, yamlsrc.Float:
		if v.Invalid != "" {
			p.add(v.Pos, "%s", v.Invalid)
			return nil, false
		}
		if v.Kind == yamlsrc.Int {
			return v.Int, true
		}
		return v.Float, true
	case yamlsrc.String:
		return v.Str, true
	case yamlsrc.Seq:
		out, ok := make([]any, len(v.Items)), true
		for i, it := range v.Items {
			var itemOK bool
			out[i], itemOK = p.value(it.Val)
			ok = ok && itemOK
		}
		return out, ok
	case yamlsrc.Map:
		out, ok := make(map[string]any, len(v.Entries)), true
		for _, k := range p.entries(v) {
			var keyOK bool
			out[k.Key], keyOK = p.value(k.Val)
			ok = ok && keyOK
		}
		return out, ok
	}
	return nil, true
}
