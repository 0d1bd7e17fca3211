package config

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// kind is the type of a YAML value once resolved (YAML 1.2 core schema).
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindInt
	kindFloat
	kindString
	kindMap
	kindSeq
	kindBad // a value whose problem is already reported; checks skip it
)

// node is a YAML value with tags applied, aliases resolved and merge keys
// (<<) expanded. Aliases share the node of their anchor, so expansion costs no
// memory here; size and height say what it would cost once copied out.
type node struct {
	kind  kind
	pos   Pos
	text  string // a scalar as written (the decoded value for quoted scalars)
	plain bool   // an untagged, unquoted scalar
	bad   string // why a number cannot be represented (overflow, NaN, Inf)
	b     bool
	i     int64
	f     float64
	s     string

	entries []entry // kindMap, explicit keys first, in file order
	items   []item  // kindSeq

	size   int // values in the expanded tree, saturating above MaxAliasValues
	height int // levels in the expanded tree, this one included
}

// entry is one key of a mapping.
type entry struct {
	key    string // the key as written when not a string
	keyStr bool   // the key is a string
	keyPos Pos
	merged bool // came from a merge key (<<)
	val    *node
}

// item is one element of a list.
type item struct {
	pos Pos // of the "-" of a block list, else of the value
	val *node
}

// Scopes say which part of the config a problem is in, so that the message
// can name the plug. A scope >= 0 is the index of a plug in plugins.
const (
	scopeNone    = -1
	scopeCore    = -2
	scopePlugins = -3 // the plugins list itself
)

// builder turns a goccy/go-yaml AST into a node tree.
type builder struct {
	c        *checker
	anchors  map[string]*node
	expanded int  // values added by alias expansion
	bombed   bool // expanded went over MaxAliasValues
	tooDeep  bool // a nesting error was reported
}

// build converts n, nested depth levels deep (the top-level value is at 1)
// in scope, reporting its problems.
func (b *builder) build(n ast.Node, depth int, scope int) *node {
	pos := nodePos(n)
	if depth > MaxDepth {
		if !b.tooDeep {
			b.tooDeep = true
			b.c.add(pos, scope, "nesting deeper than %d levels", MaxDepth)
		}
		return bad(pos)
	}
	switch n := n.(type) {
	case nil:
		return &node{kind: kindNull, pos: pos, size: 1, height: 1}
	case *ast.MappingNode:
		return b.mapping(n.Values, pos, depth, scope)
	case *ast.MappingValueNode:
		return b.mapping([]*ast.MappingValueNode{n}, pos, depth, scope)
	case *ast.SequenceNode:
		return b.sequence(n, pos, depth, scope)
	case *ast.AnchorNode:
		v := b.build(n.Value, depth, scope)
		if n.Name != nil && n.Name.GetToken() != nil {
			b.anchors[n.Name.GetToken().Value] = v
		}
		return v
	case *ast.AliasNode:
		return b.alias(n, pos, depth, scope)
	case *ast.TagNode:
		return b.tag(n, pos, depth, scope)
	default:
		return b.scalar(n, pos, scope)
	}
}

func (b *builder) mapping(values []*ast.MappingValueNode, pos Pos, depth, scope int) *node {
	m := &node{kind: kindMap, pos: pos, size: 1, height: 1}
	var merges []*node
	for _, mv := range values {
		if mv == nil {
			continue
		}
		child := scope
		if depth == 1 {
			child = scopeNone
		}
		var key ast.Node = mv.Key
		if k, ok := mv.Key.(*ast.MappingKeyNode); ok {
			key = k.Value
		}
		if _, ok := key.(*ast.MergeKeyNode); ok {
			v := b.build(mv.Value, depth+1, child)
			merges = append(merges, b.mergeSources(v, scope)...)
			m.grow(v)
			continue
		}
		k := b.build(key, depth+1, child)
		e := entry{keyPos: nodePos(key), key: k.text, keyStr: k.kind == kindString}
		if e.keyStr {
			e.key = k.s
		}
		switch k.kind {
		case kindMap, kindSeq:
			b.c.add(e.keyPos, scope, "a mapping or list as a key is not supported (valid: a string)")
			continue
		case kindBad:
			continue
		}
		if depth == 1 && e.keyStr {
			switch e.key {
			case "core":
				child = scopeCore
			case "plugins":
				child = scopePlugins
			}
		}
		e.val = b.build(mv.Value, depth+1, child)
		if isImplicitNull(mv.Value) {
			e.val.pos = e.keyPos // "key:" with nothing after it
		}
		m.entries = append(m.entries, e)
		m.grow(e.val)
	}
	if len(merges) > 0 {
		seen := map[string]bool{}
		for _, e := range m.entries {
			seen[e.key] = true
		}
		for _, src := range merges {
			for _, e := range src.entries {
				if !seen[e.key] {
					seen[e.key] = true
					e.merged = true
					m.entries = append(m.entries, e)
				}
			}
		}
	}
	return m
}

// mergeSources returns the mappings a merge key (<<) merges: its value, a
// mapping or a list of mappings.
func (b *builder) mergeSources(v *node, scope int) []*node {
	switch v.kind {
	case kindBad:
		return nil
	case kindMap:
		return []*node{v}
	case kindSeq:
		var out []*node
		for _, it := range v.items {
			if it.val.kind == kindBad {
				continue
			}
			if it.val.kind != kindMap {
				b.c.add(it.pos, scope, "merge key << takes a mapping or a list of mappings, got %s in the list", describe(it.val))
				continue
			}
			out = append(out, it.val)
		}
		return out
	}
	b.c.add(v.pos, scope, "merge key << takes a mapping or a list of mappings, got %s", describe(v))
	return nil
}

func (b *builder) sequence(n *ast.SequenceNode, pos Pos, depth, scope int) *node {
	s := &node{kind: kindSeq, pos: pos, size: 1, height: 1}
	for i, v := range n.Values {
		child := scope
		if scope == scopePlugins {
			child = i
		}
		it := item{val: b.build(v, depth+1, child)}
		it.pos = it.val.pos
		if !n.IsFlowStyle && i < len(n.Entries) && n.Entries[i] != nil && n.Entries[i].Start != nil {
			it.pos = tokPos(n.Entries[i].Start)
		}
		if isImplicitNull(v) {
			it.val.pos = it.pos // "-" with nothing after it
		}
		s.items = append(s.items, it)
		s.grow(it.val)
	}
	return s
}

func (b *builder) alias(n *ast.AliasNode, pos Pos, depth, scope int) *node {
	if b.bombed {
		return bad(pos)
	}
	name := ""
	if n.Value != nil && n.Value.GetToken() != nil {
		name = n.Value.GetToken().Value
	}
	target, ok := b.anchors[name]
	if !ok {
		b.c.add(pos, scope, "alias *%s refers to no anchor defined before it (define &%s first)", name, name)
		return bad(pos)
	}
	b.expanded += target.size
	if b.expanded > MaxAliasValues {
		b.bombed = true
		b.c.add(pos, scope, "aliases expand to more than %d values", MaxAliasValues)
		return bad(pos)
	}
	if depth+target.height-1 > MaxDepth {
		if !b.tooDeep {
			b.tooDeep = true
			b.c.add(pos, scope, "nesting deeper than %d levels once alias *%s is expanded", MaxDepth, name)
		}
		return bad(pos)
	}
	v := *target
	v.pos = pos
	return &v
}

// The YAML tags a config may use, all from the YAML 1.2 core schema.
var validTags = "!!str, !!int, !!float, !!bool, !!null, !!map, !!seq"

func (b *builder) tag(n *ast.TagNode, pos Pos, depth, scope int) *node {
	v := b.build(n.Value, depth, scope)
	if v.kind == kindBad {
		return v
	}
	tag := ""
	if n.Start != nil {
		tag = n.Start.Value
	}
	want := map[string]kind{"!!int": kindInt, "!!bool": kindBool, "!!null": kindNull, "!!map": kindMap, "!!seq": kindSeq}
	switch tag {
	case "!!str":
		if v.kind == kindMap || v.kind == kindSeq {
			break
		}
		s := *v
		s.kind, s.plain, s.bad = kindString, false, ""
		if v.kind != kindString {
			s.s = v.text
		}
		if _, ok := n.Value.(*ast.NullNode); ok && n.Value.GetToken().Type == token.ImplicitNullType {
			s.s = "" // "!!str" with nothing after it
		}
		return &s
	case "!!float":
		switch v.kind {
		case kindFloat:
			return v
		case kindInt:
			if v.bad != "" {
				return v
			}
			f := *v
			f.kind, f.f = kindFloat, float64(v.i)
			return &f
		}
	default:
		k, ok := want[tag]
		if !ok {
			b.c.add(pos, scope, "unsupported tag %s (valid: %s)", tag, validTags)
			return bad(pos)
		}
		if v.kind == k {
			return v
		}
	}
	b.c.add(pos, scope, "%s is not a valid %s", describe(v), tag)
	return bad(pos)
}

// floatLike matches a YAML 1.2 core schema float. goccy/go-yaml leaves those
// with an exponent and no dot (1e3) as strings; YAML 1.2 and gopkg.in/yaml.v3
// read them as numbers, and so does Parse.
var floatLike = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

func (b *builder) scalar(n ast.Node, pos Pos, scope int) *node {
	v := &node{pos: pos, size: 1, height: 1, plain: true}
	if tk := n.GetToken(); tk != nil {
		v.text = tk.Value
	}
	switch n := n.(type) {
	case *ast.NullNode:
		v.kind = kindNull
		if n.GetToken().Type == token.ImplicitNullType {
			v.text = ""
		}
	case *ast.BoolNode:
		v.kind, v.b = kindBool, n.Value
	case *ast.IntegerNode:
		v.kind = kindInt
		switch x := n.Value.(type) {
		case int64:
			v.i = x
		case uint64:
			if x > math.MaxInt64 {
				v.bad = fmt.Sprintf("integer %s does not fit in int64", v.text)
			}
			v.i = int64(x)
		default:
			v.bad = fmt.Sprintf("integer %s does not fit in int64", v.text)
		}
	case *ast.FloatNode:
		v.kind, v.f = kindFloat, n.Value
		if math.IsInf(v.f, 0) || math.IsNaN(v.f) {
			v.bad = fmt.Sprintf("number %s is out of range", v.text)
		}
	case *ast.InfinityNode, *ast.NanNode:
		v.kind, v.f = kindFloat, math.NaN()
		v.bad = fmt.Sprintf("%s is not a finite number", v.text)
	case *ast.StringNode:
		v.kind, v.s = kindString, n.Value
		if n.GetToken().Type != token.StringType {
			v.plain = false
			v.text = n.Value
			break
		}
		// goccy/go-yaml leaves integers beyond 64 bits as strings.
		if _, err := strconv.ParseInt(v.s, 0, 64); errors.Is(err, strconv.ErrRange) {
			v.kind = kindInt
			v.bad = fmt.Sprintf("integer %s does not fit in int64", v.s)
		} else if floatLike.MatchString(v.s) && strings.ContainsAny(v.s, "eE") {
			f, err := strconv.ParseFloat(v.s, 64)
			v.kind, v.f = kindFloat, f
			if err != nil || math.IsInf(f, 0) {
				v.bad = fmt.Sprintf("number %s is out of range", v.s)
			}
		}
	case *ast.LiteralNode:
		v.kind, v.plain = kindString, false
		if n.Value != nil {
			v.s = n.Value.Value
		}
		v.text = v.s
	default:
		b.c.add(pos, scope, "unsupported YAML %s", n.Type().YAMLName())
		v.kind = kindBad
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
func bad(pos Pos) *node {
	return &node{kind: kindBad, pos: pos, size: 1, height: 1}
}

// grow accounts for child in the size and height of n.
func (n *node) grow(child *node) {
	n.size = min(n.size+child.size, MaxAliasValues+1)
	n.height = max(n.height, child.height+1)
}

// nodePos returns where n starts in the file: a block mapping at its first
// key, anything else at its first token.
func nodePos(n ast.Node) Pos {
	switch n := n.(type) {
	case nil:
		return Pos{Line: 1, Col: 1}
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

// describe names a value for a message: its text for a scalar, its type for
// a collection.
func describe(n *node) string {
	switch n.kind {
	case kindMap:
		return "a mapping"
	case kindSeq:
		return "a list"
	case kindNull:
		return "null"
	case kindString:
		return quoteShort(n.s)
	}
	return n.text
}

// quoteShort quotes s for a message, shortened when long.
func quoteShort(s string) string {
	if r := []rune(s); len(r) > 60 {
		return strconv.Quote(string(r[:60])) + "…"
	}
	return strconv.Quote(s)
}
