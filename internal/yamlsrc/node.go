package yamlsrc

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"github.com/plugctl/plugctl/internal/diag"
)

// Kind is the type of a YAML value once resolved (YAML 1.2 core schema).
type Kind uint8

// The kinds of value.
const (
	Null Kind = iota
	Bool
	Int
	Float
	String
	Map
	Seq
	Bad // a value whose problem is reported already; a schema skips it
)

// Node is a YAML value with tags applied, aliases resolved and merge keys
// (<<) expanded. Aliases share the Node of their anchor below the top, so
// expansion costs no memory here.
type Node struct {
	Kind Kind
	Pos  diag.Pos
	// Text is a scalar as written; for a quoted or block scalar its
	// decoded value; "" for a missing value ("key:" or "-").
	Text string
	// Plain says that YAML chose the scalar's type from its text: no
	// quotes, no block, no tag. A schema may then suggest quoting it.
	Plain bool
	// Invalid says why a number has no value in Go (an integer beyond
	// int64, an infinite or NaN float); Int and Float are then meaningless.
	Invalid string

	Bool  bool
	Int   int64
	Float float64
	Str   string

	Entries []Entry // Map: its keys in file order, then those merged in
	Items   []Item  // Seq

	size   int // values in the expanded tree, saturating above MaxAliasValues
	height int // levels in the expanded tree, this one included
}

// Entry is one key of a mapping.
type Entry struct {
	// Key is the key: a string's value, or any other scalar as written
	// (1, true), which KeyIsString then tells apart.
	Key         string
	KeyIsString bool
	KeyPos      diag.Pos
	Merged      bool // came from a merge key (<<); the mapping does not set it
	Val         *Node
}

// Item is one element of a list.
type Item struct {
	Pos diag.Pos // of the "-" of a block list, else of the value
	Val *Node
}

// Describe names a value for a message: its text for a scalar (a string
// quoted), its type for a collection.
func (n *Node) Describe() string {
	switch n.Kind {
	case Map:
		return "a mapping"
	case Seq:
		return "a list"
	case Null:
		return "null"
	case String:
		return diag.Quote(n.Str)
	}
	return n.Text
}

// builder turns a goccy/go-yaml AST into a Node tree.
type builder struct {
	o        Options
	path     Path
	anchors  map[string]*Node
	expanded int  // values added by alias expansion
	bombed   bool // expanded went over MaxAliasValues
	tooDeep  bool // a nesting problem was reported
}

// report reports a problem of the value at b.path.
func (b *builder) report(pos diag.Pos, format string, args ...any) {
	b.o.Report(pos, b.path, fmt.Sprintf(format, args...))
}

// build converts n, nested depth levels deep (the root is at 1).
func (b *builder) build(n ast.Node, depth int) *Node {
	pos := nodePos(n)
	if depth > MaxDepth {
		if !b.tooDeep {
			b.tooDeep = true
			b.report(pos, "nesting deeper than %d levels", MaxDepth)
		}
		return bad(pos)
	}
	switch n := n.(type) {
	case nil:
		return &Node{Kind: Null, Pos: pos, size: 1, height: 1}
	case *ast.MappingNode:
		return b.mapping(n.Values, pos, depth)
	case *ast.MappingValueNode:
		return b.mapping([]*ast.MappingValueNode{n}, pos, depth)
	case *ast.SequenceNode:
		return b.sequence(n, pos, depth)
	case *ast.AnchorNode, *ast.AliasNode:
		if !b.o.Anchors {
			b.report(pos, "anchors and aliases are not supported in a %s", b.o.Noun)
			return bad(pos)
		}
		if a, ok := n.(*ast.AliasNode); ok {
			return b.alias(a, pos, depth)
		}
		a := n.(*ast.AnchorNode)
		v := b.build(a.Value, depth)
		if a.Name != nil && a.Name.GetToken() != nil {
			b.anchors[a.Name.GetToken().Value] = v
		}
		return v
	case *ast.TagNode:
		return b.tag(n, pos, depth)
	case *ast.MergeKeyNode:
		if !b.o.Anchors {
			b.report(pos, "merge keys (<<) are not supported in a %s", b.o.Noun)
			return bad(pos)
		}
		return b.scalar(n, pos)
	default:
		return b.scalar(n, pos)
	}
}

// enter steps into the value of key (or the item at index, when >= 0) for
// the problems found there.
func (b *builder) enter(key string, index int) { b.path = append(b.path, Step{key, index}) }

// leave steps back out.
func (b *builder) leave() { b.path = b.path[:len(b.path)-1] }

func (b *builder) mapping(values []*ast.MappingValueNode, pos diag.Pos, depth int) *Node {
	m := &Node{Kind: Map, Pos: pos, size: 1, height: 1}
	var merges []*Node
	for _, mv := range values {
		if mv == nil {
			continue
		}
		var key ast.Node = mv.Key
		if k, ok := mv.Key.(*ast.MappingKeyNode); ok {
			key = k.Value
		}
		if _, ok := key.(*ast.MergeKeyNode); ok {
			if !b.o.Anchors {
				b.report(nodePos(key), "merge keys (<<) are not supported in a %s", b.o.Noun)
				continue
			}
			b.enter("<<", -1)
			v := b.build(mv.Value, depth+1)
			merges = append(merges, b.mergeSources(v)...)
			b.leave()
			m.grow(v)
			continue
		}
		k := b.build(key, depth+1)
		e := Entry{KeyPos: nodePos(key), Key: k.Text, KeyIsString: k.Kind == String}
		if e.KeyIsString {
			e.Key = k.Str
		}
		switch k.Kind {
		case Map, Seq:
			b.report(e.KeyPos, "a mapping or list as a key is not supported (valid: a string)")
			continue
		case Bad:
			continue
		}
		b.enter(e.Key, -1)
		e.Val = b.build(mv.Value, depth+1)
		b.leave()
		if isImplicitNull(mv.Value) {
			e.Val.Pos = e.KeyPos // "key:" with nothing after it
		}
		m.Entries = append(m.Entries, e)
		m.grow(e.Val)
	}
	if len(merges) > 0 {
		seen := map[string]bool{}
		for _, e := range m.Entries {
			seen[e.Key] = true
		}
		for _, src := range merges {
			for _, e := range src.Entries {
				if !seen[e.Key] {
					seen[e.Key] = true
					e.Merged = true
					m.Entries = append(m.Entries, e)
				}
			}
		}
	}
	return m
}

// mergeSources returns the mappings a merge key (<<) merges: its value, a
// mapping or a list of mappings.
func (b *builder) mergeSources(v *Node) []*Node {
	switch v.Kind {
	case Bad:
		return nil
	case Map:
		return []*Node{v}
	case Seq:
		var out []*Node
		for _, it := range v.Items {
			if it.Val.Kind == Bad {
				continue
			}
			if it.Val.Kind != Map {
				b.report(it.Pos, "merge key << takes a mapping or a list of mappings, got %s in the list", it.Val.Describe())
				continue
			}
			out = append(out, it.Val)
		}
		return out
	}
	b.report(v.Pos, "merge key << takes a mapping or a list of mappings, got %s", v.Describe())
	return nil
}

func (b *builder) sequence(n *ast.SequenceNode, pos diag.Pos, depth int) *Node {
	s := &Node{Kind: Seq, Pos: pos, size: 1, height: 1}
	for i, v := range n.Values {
		b.enter("", i)
		it := Item{Val: b.build(v, depth+1)}
		b.leave()
		it.Pos = it.Val.Pos
		if !n.IsFlowStyle && i < len(n.Entries) && n.Entries[i] != nil && n.Entries[i].Start != nil {
			it.Pos = tokPos(n.Entries[i].Start)
		}
		if isImplicitNull(v) {
			it.Val.Pos = it.Pos // "-" with nothing after it
		}
		s.Items = append(s.Items, it)
		s.grow(it.Val)
	}
	return s
}

func (b *builder) alias(n *ast.AliasNode, pos diag.Pos, depth int) *Node {
	if b.bombed {
		return bad(pos)
	}
	name := ""
	if n.Value != nil && n.Value.GetToken() != nil {
		name = n.Value.GetToken().Value
	}
	target, ok := b.anchors[name]
	if !ok {
		b.report(pos, "alias *%s refers to no anchor defined before it (define &%s first)", name, name)
		return bad(pos)
	}
	b.expanded += target.size
	if b.expanded > MaxAliasValues {
		b.bombed = true
		b.report(pos, "aliases expand to more than %d values", MaxAliasValues)
		return bad(pos)
	}
	if depth+target.height-1 > MaxDepth {
		if !b.tooDeep {
			b.tooDeep = true
			b.report(pos, "nesting deeper than %d levels once alias *%s is expanded", MaxDepth, name)
		}
		return bad(pos)
	}
	v := *target
	v.Pos = pos
	return &v
}

// validTags are the tags a document may use where Options.Tags allows, all
// from the YAML 1.2 core schema.
const validTags = "!!str, !!int, !!float, !!bool, !!null, !!map, !!seq"

func (b *builder) tag(n *ast.TagNode, pos diag.Pos, depth int) *Node {
	tag := ""
	if n.Start != nil {
		tag = n.Start.Value
	}
	if !b.o.Tags {
		b.report(pos, "tags (%s) are not supported in a %s", tag, b.o.Noun)
		return bad(pos)
	}
	v := b.build(n.Value, depth)
	if v.Kind == Bad {
		return v
	}
	want := map[string]Kind{"!!int": Int, "!!bool": Bool, "!!null": Null, "!!map": Map, "!!seq": Seq}
	switch tag {
	case "!!str":
		if v.Kind == Map || v.Kind == Seq {
			break
		}
		s := *v
		s.Kind, s.Plain, s.Invalid = String, false, ""
		if v.Kind != String {
			s.Str = v.Text
		}
		if _, ok := n.Value.(*ast.NullNode); ok && n.Value.GetToken().Type == token.ImplicitNullType {
			s.Str = "" // "!!str" with nothing after it
		}
		return &s
	case "!!float":
		switch v.Kind {
		case Float:
			return v
		case Int:
			if v.Invalid != "" {
				return v
			}
			f := *v
			f.Kind, f.Float = Float, float64(v.Int)
			return &f
		}
	default:
		k, ok := want[tag]
		if !ok {
			b.report(pos, "unsupported tag %s (valid: %s)", tag, validTags)
			return bad(pos)
		}
		if v.Kind == k {
			return v
		}
	}
	b.report(pos, "%s is not a valid %s", v.Describe(), tag)
	return bad(pos)
}

// floatLike matches a YAML 1.2 core schema float with an exponent and no
// dot (1e3), which goccy/go-yaml leaves a string; YAML 1.2 and
// gopkg.in/yaml.v3 read it as a number, and so does Parse.
var floatLike = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+$`)

// scalar converts a scalar: the number rules of both documents live here.
func (b *builder) scalar(n ast.Node, pos diag.Pos) *Node {
	v := &Node{Pos: pos, size: 1, height: 1, Plain: true}
	if tk := n.GetToken(); tk != nil {
		v.Text = tk.Value
	}
	switch n := n.(type) {
	case *ast.NullNode:
		v.Kind = Null
		if n.GetToken().Type == token.ImplicitNullType {
			v.Text = ""
		}
	case *ast.BoolNode:
		v.Kind, v.Bool = Bool, n.Value
	case *ast.IntegerNode:
		v.Kind = Int
		switch x := n.Value.(type) {
		case int64:
			v.Int = x
		case uint64:
			if x > math.MaxInt64 {
				v.Invalid = fmt.Sprintf("integer %s does not fit in int64", v.Text)
			}
			v.Int = int64(x)
		default:
			v.Invalid = fmt.Sprintf("integer %s does not fit in int64", v.Text)
		}
	case *ast.FloatNode:
		v.Kind, v.Float = Float, n.Value
		if math.IsInf(v.Float, 0) || math.IsNaN(v.Float) {
			v.Invalid = fmt.Sprintf("number %s is out of range", v.Text)
		}
	case *ast.InfinityNode, *ast.NanNode:
		v.Kind, v.Float = Float, math.NaN()
		v.Invalid = fmt.Sprintf("%s is not a finite number", v.Text)
	case *ast.StringNode:
		v.Kind, v.Str = String, n.Value
		if n.GetToken().Type != token.StringType {
			v.Plain = false
			v.Text = n.Value
			break
		}
		// goccy/go-yaml leaves integers beyond 64 bits as strings.
		if _, err := strconv.ParseInt(v.Str, 0, 64); errors.Is(err, strconv.ErrRange) {
			v.Kind = Int
			v.Invalid = fmt.Sprintf("integer %s does not fit in int64", v.Str)
		} else if floatLike.MatchString(v.Str) {
			f, err := strconv.ParseFloat(v.Str, 64)
			v.Kind, v.Float = Float, f
			if err != nil || math.IsInf(f, 0) {
				v.Invalid = fmt.Sprintf("number %s is out of range", v.Str)
			}
		}
	case *ast.LiteralNode:
		v.Kind, v.Plain = String, false
		if n.Value != nil {
			v.Str = n.Value.Value
		}
		v.Text = v.Str
	default:
		b.report(pos, "unsupported YAML %s", n.Type().YAMLName())
		v.Kind = Bad
	}
	return v
}

// isImplicitNull reports whether n is a missing value, as in "key:" or "-".
func isImplicitNull(n ast.Node) bool {
	if n == nil {
		return true
	}
	_, ok := n.(*ast.NullNode)
	return ok && n.GetToken() != nil && n.GetToken().Type == token.ImplicitNullType
}

// bad returns a value standing for one whose problem is reported.
func bad(pos diag.Pos) *Node {
	return &Node{Kind: Bad, Pos: pos, size: 1, height: 1}
}

// grow accounts for child in the size and height of n.
func (n *Node) grow(child *Node) {
	n.size = min(n.size+child.size, MaxAliasValues+1)
	n.height = max(n.height, child.height+1)
}

// nodePos returns where n starts in the file: a block mapping at its first
// key, anything else at its first token.
func nodePos(n ast.Node) diag.Pos {
	switch n := n.(type) {
	case nil:
		return diag.Pos{Line: 1, Col: 1}
	case *ast.MappingNode:
		if !n.IsFlowStyle && len(n.Values) > 0 && n.Values[0] != nil {
			return nodePos(n.Values[0])
		}
	case *ast.MappingValueNode:
		if n.Key != nil {
			return nodePos(n.Key)
		}
	}
	return tokPos(n.GetToken())
}
