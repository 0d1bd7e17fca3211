// Package manifest reads plugin.yaml, the file at the root of a plug's (or
// the core's) module that declares what the plug needs, separately from its
// code (README: Manifests), and checks a build's plugs against each other.
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
//
// Unknown and duplicate keys are errors, reported all at once, each as
// file:line:col. Constraints are Masterminds/semver constraints; names match
// config.NamePattern. A default must have its setting's type, and a
// required setting has none. When the manifest has a settings key, it
// lists every setting the plug takes (settings: {} means none). Anchors,
// aliases, merge keys and tags are refused: a manifest comes from a fetched
// repository and need not be clever. A manifest is at most MaxFileSize
// bytes.
//
// # Checks
//
// Check takes the core's version and every enabled plug with its version,
// manifest and settings, and returns every problem at once: a core
// requirement not met, a required plug missing or at a version outside its
// constraint, a conflict, a missing required setting, a setting of the
// wrong type, a setting the schema does not list. It also returns each
// plug's settings with the schema's defaults filled in, so the generated
// main delivers them.
package manifest

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	msemver "github.com/Masterminds/semver/v3"
	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
)

// FileName is the manifest's name at a module's root.
const FileName = "plugin.yaml"

// Limits that keep a hostile manifest cheap to refuse.
const (
	MaxFileSize = 64 << 10 // bytes
	MaxTokens   = 10_000   // YAML tokens
	MaxDepth    = 32       // nesting of mappings and lists
)

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
// float setting also accepts an integer.
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
func Parse(file string, data []byte) (*Manifest, error) {
	p := &parse{file: file}
	m := &Manifest{File: file}
	if root := p.yaml(data); root != nil {
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

// kind is the type of a YAML value.
type kind uint8

const (
	kNull kind = iota
	kBool
	kInt
	kFloat
	kString
	kMap
	kSeq
	kBad // reported already
)

// node is a YAML value with its position.
type node struct {
	kind   kind
	pos    diag.Pos
	text   string // a scalar as written
	b      bool
	i      int64
	f      float64
	s      string
	keys   []keyed // kMap, in file order
	items  []*node // kSeq
	quoted bool    // a quoted or block scalar
}

type keyed struct {
	key string
	pos diag.Pos
	val *node
}

func (p *parse) yaml(data []byte) *node {
	if len(data) > MaxFileSize {
		p.add(diag.Pos{Line: 1, Col: 1}, "manifest is larger than %d bytes", MaxFileSize)
		return nil
	}
	if !utf8.Valid(data) {
		p.add(diag.Pos{Line: 1, Col: 1}, "manifest is not valid UTF-8")
		return nil
	}
	src := strings.ReplaceAll(strings.TrimPrefix(string(data), "\ufeff"), "\r\n", "\n")
	for i, r := range src {
		if r == 0 || r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			line := strings.Count(src[:i], "\n") + 1
			col := utf8.RuneCountInString(src[strings.LastIndex(src[:i], "\n")+1:i]) + 1
			p.add(diag.Pos{Line: line, Col: col}, "control character %U (write it as an escape inside double quotes)", r)
			return nil
		}
	}
	f, err := parseYAML(src)
	if err != nil {
		pos, msg := diag.Pos{Line: 1, Col: 1}, err.Error()
		var ye yaml.Error
		if errors.As(err, &ye) {
			msg = ye.GetMessage()
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				pos = diag.Pos{Line: max(tk.Position.Line, 1), Col: max(tk.Position.Column, 1)}
			}
		}
		p.add(pos, "invalid YAML: %s", msg)
		return nil
	}
	var body ast.Node
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		if body != nil {
			p.add(nodePos(d.Body), "more than one YAML document: a manifest is a single mapping")
			return nil
		}
		body = d.Body
	}
	if body == nil {
		return &node{kind: kMap, pos: diag.Pos{Line: 1, Col: 1}} // empty: nothing declared
	}
	return p.build(body, 1)
}

// parseYAML lexes and parses src, refusing more than MaxTokens tokens
// (goccy/go-yaml parses some shapes in quadratic time) and turning a panic
// of the parser into an error.
func parseYAML(src string) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("the YAML parser failed: %v", r)
		}
	}()
	tokens := lexer.Tokenize(src)
	if len(tokens) > MaxTokens {
		return nil, fmt.Errorf("more than %d YAML tokens", MaxTokens)
	}
	return parser.Parse(tokens, 0, parser.AllowDuplicateMapKey())
}

func nodePos(n ast.Node) diag.Pos {
	switch v := n.(type) {
	case nil:
		return diag.Pos{Line: 1, Col: 1}
	case *ast.MappingNode:
		if !v.IsFlowStyle && len(v.Values) > 0 && v.Values[0] != nil {
			return nodePos(v.Values[0])
		}
	case *ast.MappingValueNode:
		if v.Key != nil {
			return nodePos(v.Key)
		}
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return diag.Pos{Line: 1, Col: 1}
	}
	return diag.Pos{Line: max(tk.Position.Line, 1), Col: max(tk.Position.Column, 1)}
}

// floatLike matches a YAML 1.2 float that goccy/go-yaml leaves a string
// (1e3); see the config package.
var floatLike = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+$`)

func (p *parse) build(n ast.Node, depth int) *node {
	pos := nodePos(n)
	if depth > MaxDepth {
		p.add(pos, "nesting deeper than %d levels", MaxDepth)
		return &node{kind: kBad, pos: pos}
	}
	v := &node{pos: pos}
	if tk := n.GetToken(); tk != nil {
		v.text = tk.Value
	}
	switch n := n.(type) {
	case *ast.MappingNode:
		return p.mapping(n.Values, pos, depth)
	case *ast.MappingValueNode:
		return p.mapping([]*ast.MappingValueNode{n}, pos, depth)
	case *ast.SequenceNode:
		v.kind = kSeq
		for _, it := range n.Values {
			v.items = append(v.items, p.build(it, depth+1))
		}
	case *ast.AnchorNode, *ast.AliasNode:
		p.add(pos, "anchors and aliases are not supported in a manifest")
		v.kind = kBad
	case *ast.TagNode:
		p.add(pos, "tags (%s) are not supported in a manifest", n.Start.Value)
		v.kind = kBad
	case *ast.NullNode:
		v.kind = kNull
	case *ast.BoolNode:
		v.kind, v.b = kBool, n.Value
	case *ast.IntegerNode:
		v.kind = kInt
		switch x := n.Value.(type) {
		case int64:
			v.i = x
		case uint64:
			if x > math.MaxInt64 {
				p.add(pos, "integer %s does not fit in 64 bits", v.text)
				v.kind = kBad
			}
			v.i = int64(x)
		default:
			p.add(pos, "integer %s does not fit in 64 bits", v.text)
			v.kind = kBad
		}
	case *ast.FloatNode:
		v.kind, v.f = kFloat, n.Value
		if math.IsInf(v.f, 0) || math.IsNaN(v.f) {
			p.add(pos, "number %s is out of range", v.text)
			v.kind = kBad
		}
	case *ast.InfinityNode, *ast.NanNode:
		p.add(pos, "%s is not a finite number", v.text)
		v.kind = kBad
	case *ast.StringNode:
		v.kind, v.s = kString, n.Value
		v.quoted = n.GetToken().Type != token.StringType
		if !v.quoted {
			if _, err := strconv.ParseInt(v.s, 0, 64); errors.Is(err, strconv.ErrRange) {
				p.add(pos, "integer %s does not fit in 64 bits", v.s)
				v.kind = kBad
			} else if floatLike.MatchString(v.s) {
				f, err := strconv.ParseFloat(v.s, 64)
				v.kind, v.f = kFloat, f
				if err != nil || math.IsInf(f, 0) {
					p.add(pos, "number %s is out of range", v.s)
					v.kind = kBad
				}
			}
		}
	case *ast.LiteralNode:
		v.kind, v.quoted = kString, true
		if n.Value != nil {
			v.s = n.Value.Value
		}
	case *ast.MergeKeyNode:
		p.add(pos, "merge keys (<<) are not supported in a manifest")
		v.kind = kBad
	default:
		p.add(pos, "unsupported YAML %s", n.Type().YAMLName())
		v.kind = kBad
	}
	return v
}

func (p *parse) mapping(values []*ast.MappingValueNode, pos diag.Pos, depth int) *node {
	m := &node{kind: kMap, pos: pos}
	seen := map[string]diag.Pos{}
	for _, mv := range values {
		if mv == nil {
			continue
		}
		var key ast.Node = mv.Key
		if k, ok := mv.Key.(*ast.MappingKeyNode); ok {
			key = k.Value
		}
		k := p.build(key, depth+1)
		switch k.kind {
		case kBad:
			continue
		case kString:
		case kMap, kSeq:
			p.add(k.pos, "a mapping or list as a key is not supported (valid: a string)")
			continue
		default:
			k.s = k.text // 1: or true: as a key reads as its text
		}
		if at, ok := seen[k.s]; ok {
			p.add(k.pos, "duplicate key %s (first at %d:%d)", strconv.Quote(k.s), at.Line, at.Col)
			continue
		}
		seen[k.s] = k.pos
		val := p.build(mv.Value, depth+1)
		if isImplicitNull(mv.Value) {
			val.pos = k.pos
		}
		m.keys = append(m.keys, keyed{key: k.s, pos: k.pos, val: val})
	}
	return m
}

func isImplicitNull(n ast.Node) bool {
	if n == nil {
		return true
	}
	_, ok := n.(*ast.NullNode)
	return ok && n.GetToken() != nil && n.GetToken().Type == token.ImplicitNullType
}

// what names a YAML value for a message.
func (v *node) what() string {
	switch v.kind {
	case kMap:
		return "a mapping"
	case kSeq:
		return "a list"
	case kNull:
		return "null"
	case kString:
		return strconv.Quote(v.s)
	}
	return v.text
}

// fields checks that m is a mapping whose keys are among valid, and calls
// set for each; where says which part of the manifest m is.
func (p *parse) fields(m *node, where string, valid []string, set func(k keyed)) {
	switch m.kind {
	case kBad:
		return
	case kNull:
		return // "requires:" with nothing: absent
	case kMap:
	default:
		p.add(m.pos, "%s must be a mapping, got %s", where, m.what())
		return
	}
	for _, k := range m.keys {
		if !slices.Contains(valid, k.key) {
			in := ""
			if where != "a manifest" {
				in = " in " + where
			}
			p.add(k.pos, "unknown key %s%s (valid: %s)", strconv.Quote(k.key), in, strings.Join(valid, ", "))
			continue
		}
		set(k)
	}
}

func (p *parse) manifest(root *node, m *Manifest) {
	p.fields(root, "a manifest", []string{"description", "requires", "conflicts", "settings"}, func(k keyed) {
		switch k.key {
		case "description":
			m.Description = p.str(k.val, "description")
		case "requires":
			p.fields(k.val, "requires", []string{"core", "plugins"}, func(k keyed) {
				switch k.key {
				case "core":
					m.Requires.Core = p.constraint(k.val, "requires.core")
				case "plugins":
					m.Requires.Plugins = p.plugReqs(k.val)
				}
			})
		case "conflicts":
			m.Conflicts = p.names(k.val, "conflicts")
		case "settings":
			m.Settings = p.settings(k.val)
		}
	})
	// Check's order: each requirement and conflict by name.
	sort.SliceStable(m.Requires.Plugins, func(i, j int) bool { return m.Requires.Plugins[i].Name < m.Requires.Plugins[j].Name })
	sort.SliceStable(m.Conflicts, func(i, j int) bool { return m.Conflicts[i].Name < m.Conflicts[j].Name })
}

// str returns the string v; where names it in messages.
func (p *parse) str(v *node, where string) string {
	switch v.kind {
	case kString:
		return v.s
	case kNull, kBad:
		return ""
	}
	p.add(v.pos, "%s must be a string, got %s", where, v.what())
	return ""
}

func (p *parse) constraint(v *node, where string) *Constraint {
	switch v.kind {
	case kNull, kBad:
		return nil
	case kString:
	case kInt, kFloat:
		p.add(v.pos, "%s must be a string, got %s (quote it: %q)", where, v.text, v.text)
		return nil
	default:
		p.add(v.pos, "%s must be a string, got %s", where, v.what())
		return nil
	}
	c, err := msemver.NewConstraint(v.s)
	if err != nil || strings.TrimSpace(v.s) == "" {
		p.add(v.pos, "%s: invalid version constraint %s (valid: a semver constraint like >=1.4.0, ^1.2 or ~1.2.3)", where, strconv.Quote(v.s))
		return nil
	}
	return &Constraint{Text: v.s, C: c, Pos: v.pos}
}

var nameRE = regexp.MustCompile(config.NamePattern)

// name checks a plug name.
func (p *parse) name(s string, pos diag.Pos, where string) bool {
	if !nameRE.MatchString(s) {
		p.add(pos, "%s: invalid plug name %s (valid: %s)", where, strconv.Quote(s), config.NamePattern)
		return false
	}
	return true
}

func (p *parse) plugReqs(v *node) []PlugReq {
	var out []PlugReq
	switch v.kind {
	case kNull, kBad:
	case kSeq:
		for _, n := range p.names(v, "requires.plugins") {
			out = append(out, PlugReq{Name: n.Name, Pos: n.Pos})
		}
	case kMap:
		for _, k := range v.keys {
			if !p.name(k.key, k.pos, "requires.plugins") {
				continue
			}
			out = append(out, PlugReq{Name: k.key, Version: p.constraint(k.val, "requires.plugins."+k.key), Pos: k.pos})
		}
	default:
		p.add(v.pos, "requires.plugins must be a mapping of plug name to version constraint, or a list of plug names, got %s", v.what())
	}
	return out
}

func (p *parse) names(v *node, where string) []Name {
	switch v.kind {
	case kNull, kBad:
		return nil
	case kSeq:
	default:
		p.add(v.pos, "%s must be a list of plug names, got %s", where, v.what())
		return nil
	}
	var out []Name
	seen := map[string]bool{}
	for _, it := range v.items {
		if it.kind != kString {
			if it.kind != kBad {
				p.add(it.pos, "%s must be a list of plug names, got %s in it", where, it.what())
			}
			continue
		}
		if !p.name(it.s, it.pos, where) {
			continue
		}
		if seen[it.s] {
			p.add(it.pos, "%s: %s is listed twice", where, strconv.Quote(it.s))
			continue
		}
		seen[it.s] = true
		out = append(out, Name{Name: it.s, Pos: it.pos})
	}
	return out
}

func (p *parse) settings(v *node) map[string]Setting {
	switch v.kind {
	case kBad:
		return nil
	case kNull:
		return map[string]Setting{}
	case kMap:
	default:
		p.add(v.pos, "settings must be a mapping of setting name to its schema, got %s", v.what())
		return nil
	}
	out := make(map[string]Setting, len(v.keys))
	for _, k := range v.keys {
		where := "settings." + k.key
		s := Setting{Type: TypeAny, Pos: k.pos}
		if k.key == "" {
			p.add(k.pos, "a setting name must not be empty")
			continue
		}
		var def *node
		p.fields(k.val, where, []string{"type", "required", "default", "description"}, func(f keyed) {
			switch f.key {
			case "type":
				t := p.str(f.val, where+".type")
				if t == "" && f.val.kind == kString || t != "" && !slices.Contains(types, Type(t)) {
					p.add(f.val.pos, "%s: unknown type %s (valid: string, bool, int, float, list, map, any)", where, strconv.Quote(t))
				} else if t != "" {
					s.Type = Type(t)
				}
			case "required":
				switch f.val.kind {
				case kBool:
					s.Required = f.val.b
				case kNull, kBad:
				default:
					p.add(f.val.pos, "%s.required must be true or false, got %s", where, f.val.what())
				}
			case "default":
				def = f.val
			case "description":
				s.Description = p.str(f.val, where+".description")
			}
		})
		if def != nil && def.kind != kBad {
			s.Default, s.HasDefault = value(def), true
			if !s.Type.Accepts(s.Default) {
				p.add(def.pos, "%s: default %s is not %s", where, def.what(), s.Type.article())
			}
			if s.Required {
				p.add(def.pos, "%s: a required setting cannot have a default (drop one of them)", where)
			}
		}
		out[k.key] = s
	}
	return out
}

// value returns the settings value of v, as the config package makes them.
func value(v *node) any {
	switch v.kind {
	case kBool:
		return v.b
	case kInt:
		return v.i
	case kFloat:
		return v.f
	case kString:
		return v.s
	case kSeq:
		out := make([]any, len(v.items))
		for i, it := range v.items {
			out[i] = value(it)
		}
		return out
	case kMap:
		out := make(map[string]any, len(v.keys))
		for _, k := range v.keys {
			out[k.key] = value(k.val)
		}
		return out
	}
	return nil
}
