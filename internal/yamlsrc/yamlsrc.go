// Package yamlsrc is plugctl's one YAML front end. The config
// (plugconfig.yaml) and every manifest (plugin.yaml) are read through it, so
// both documents follow the same rules; the config and manifest packages are
// schemas on top of the tree of positioned values it returns.
//
// # Text
//
// A document is at most MaxFileSize bytes of UTF-8. A leading byte order mark
// is dropped and CR LF line endings read as LF. A carriage return on its own
// is refused: YAML would read it as a line break where many editors and
// terminals do not, so a reviewer could see other lines than the ones plugctl
// reads. So are NUL, the other C0 and C1 control characters but tab and line
// feed, U+FFFE and U+FFFF: such characters are written as escapes inside
// double quotes ("\0", "\e"), which are text and pass.
//
// # Limits
//
// goccy/go-yaml takes quadratic time in the nesting depth and the keys of a
// document, so both are checked on the tokens before it parses: at most
// MaxTokens tokens, MaxKeys mapping keys and MaxDepth levels of mappings and
// lists. Where a document may use aliases (Options.Anchors) they expand to at
// most MaxAliasValues values, and the nesting limit counts an aliased value
// where it is used. The limits are far above what a hand-written file needs
// and keep a hostile one below a fraction of a second.
//
// # Values
//
// Values follow the YAML 1.2 core schema: null, true and false, integers,
// floats (1e3, with an exponent and no dot, is a float as in YAML 1.2 and
// gopkg.in/yaml.v3), strings, mappings and lists. An integer beyond int64 or
// a float that is infinite or not a number is kept, with the reason in
// Node.Invalid, for the schema to report where the value is used (it can
// name the setting, or suggest quotes). Keys are kept in file order,
// duplicates included: the schema says which are duplicates and how to name
// them. Where Options.Tags allows, the core schema's tags (!!str, !!int, …)
// retype a value; where Options.Anchors allows, aliases share their anchor's
// value and merge keys (<<) add the keys a mapping does not set itself.
//
// Every problem is reported through Options.Report with its position and the
// path of the value it is in; none stops the others being found, except that
// text, limits and syntax problems leave no tree to look into.
package yamlsrc

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/plugctl/plugctl/internal/diag"
)

// The limits of a document.
const (
	// MaxFileSize is the largest document accepted, in bytes.
	MaxFileSize = 1 << 20
	// MaxDepth is the deepest nesting of mappings and lists accepted,
	// counting the top-level value as 1 and counting aliased values where
	// they are used.
	MaxDepth = 64
	// MaxAliasValues bounds the values that aliases may add by expansion.
	MaxAliasValues = 100_000
	// MaxKeys bounds the mapping keys of a document.
	MaxKeys = 10_000
	// MaxTokens bounds the YAML tokens (scalars, indicators) of a document.
	MaxTokens = 100_000
)

// Options are what differs between the documents plugctl reads.
type Options struct {
	// Noun names the document in messages: "config", "manifest".
	Noun string
	// Anchors allows anchors, aliases and merge keys. Without it each is
	// a problem: a manifest comes from a fetched repository and need not
	// be clever.
	Anchors bool
	// Tags allows the core schema's tags (!!str, !!int, !!float, !!bool,
	// !!null, !!map, !!seq). Without it any tag is a problem.
	Tags bool
	// Report receives each problem: where it is, the path of the value it
	// is in (valid during the call only) and what is wrong. It must be set.
	Report func(pos diag.Pos, path Path, msg string)
}

// Path is where a value is in a document: the steps from the root to it.
type Path []Step

// Step is one step of a Path: into a mapping's value by its key, or into a
// list's item by its index.
type Step struct {
	Key   string // the key, when Index is -1
	Index int    // the item's index, or -1 for a mapping's key
}

// Parse reads data as one YAML document under o's rules and returns its
// root value, which may hold values of kind Bad whose problems are reported.
// ok is false when the text cannot be read as a YAML document at all (its
// problems reported); an empty document (nothing but comments) returns nil
// and ok.
func Parse(data []byte, o Options) (root *Node, ok bool) {
	r := func(pos diag.Pos, format string, args ...any) {
		o.Report(pos, nil, fmt.Sprintf(format, args...))
	}
	if len(data) > MaxFileSize {
		r(diag.Pos{Line: 1, Col: 1}, "file is larger than %d bytes (1 MiB)", MaxFileSize)
		return nil, false
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	if !checkText(data, o.Noun, r) {
		return nil, false
	}
	tokens, ok := tokenize(string(data), r)
	if !ok {
		return nil, false
	}
	f, err := parseTokens(tokens)
	if err != nil {
		pos, msg := syntaxError(err, data)
		r(pos, "invalid YAML: %s", msg)
		return nil, false
	}
	var body ast.Node
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		if body != nil {
			r(nodePos(d.Body), "more than one YAML document: a %s is a single mapping, without a second ---", o.Noun)
			return nil, false
		}
		body = d.Body
	}
	if body == nil {
		return nil, true
	}
	b := &builder{o: o, anchors: map[string]*Node{}}
	return b.build(body, 1), true
}

// checkText reports the first byte no document may hold: invalid UTF-8, a
// carriage return not followed by a line feed (which Parse has made one),
// and control characters other than tab and line feed (YAML 1.2 §5.1).
func checkText(data []byte, noun string, r func(diag.Pos, string, ...any)) bool {
	line, col := 1, 1
	for i := 0; i < len(data); {
		c, size := utf8.DecodeRune(data[i:])
		at := diag.Pos{Line: line, Col: col}
		switch {
		case c == utf8.RuneError && size == 1:
			r(at, "invalid UTF-8 (byte 0x%02x): a %s must be UTF-8 text", data[i], noun)
			return false
		case c == 0:
			r(at, "NUL byte: a %s must be text (write \"\\0\" inside double quotes for a NUL character)", noun)
			return false
		case c == '\r':
			r(at, "carriage return without a line feed: end lines with LF or CR LF (write \"\\r\" inside double quotes for a carriage return)")
			return false
		case c == '\n':
			line, col = line+1, 0
		case c == '\t':
		case c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f && c != 0x85) || c == 0xfffe || c == 0xffff:
			r(at, "control character %U: write it as an escape inside double quotes", c)
			return false
		}
		i += size
		col++
	}
	return true
}

// tokenize lexes src and checks the limits that protect the parser: tokens,
// keys and nesting depth. goccy/go-yaml's parser takes quadratic time in the
// last two, so they are checked on the tokens, before parsing.
func tokenize(src string, r func(diag.Pos, string, ...any)) (tokens token.Tokens, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			r(diag.Pos{Line: 1, Col: 1}, "the YAML lexer failed: %v", p)
			tokens, ok = nil, false
		}
	}()
	tokens = lexer.Tokenize(src)
	if len(tokens) > MaxTokens {
		r(tokPos(tokens[MaxTokens]), "more than %d YAML tokens (values, keys and indicators)", MaxTokens)
		return nil, false
	}
	// Track the open block collections by the column of their keys or
	// dashes. A list may sit at its parent key's column ("a:\n- x"), so
	// each level records whether it is a list.
	type level struct {
		col  int
		list bool
	}
	var (
		flow  int // depth inside [ ] and { }
		block []level
		keys  int
	)
	for i, tk := range tokens {
		at := tk // where a problem is reported
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
			continue
		case token.MappingValueType, token.SequenceEntryType:
			col, list := tk.Position.Column, tk.Type == token.SequenceEntryType
			if tk.Type == token.MappingValueType {
				key := tk
				if i > 0 {
					key = tokens[i-1]
				}
				col, at = key.Position.Column, key
				if key.Position.Line != tk.Position.Line {
					col, at = tk.Position.Column, tk // ": value" of "? key"
				}
				keys++
				if keys > MaxKeys {
					r(tokPos(key), "more than %d mapping keys", MaxKeys)
					return nil, false
				}
			}
			if flow > 0 {
				continue
			}
			for len(block) > 0 && (block[len(block)-1].col > col || block[len(block)-1].col == col && block[len(block)-1].list && !list) {
				block = block[:len(block)-1]
			}
			if len(block) > 0 && block[len(block)-1].col == col && block[len(block)-1].list == list {
				continue // a sibling
			}
			block = append(block, level{col, list})
		default:
			continue
		}
		if len(block)+flow > MaxDepth {
			r(tokPos(at), "nesting deeper than %d levels", MaxDepth)
			return nil, false
		}
	}
	return tokens, true
}

// parseTokens runs the goccy/go-yaml parser, turning a panic in it into an
// error so that no input crashes plugctl.
func parseTokens(tokens token.Tokens) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("the YAML parser failed: %v", r)
		}
	}()
	return parser.Parse(tokens, 0, parser.AllowDuplicateMapKey())
}

// syntaxError returns the position and message of a goccy/go-yaml error.
func syntaxError(err error, data []byte) (diag.Pos, string) {
	pos, msg := diag.Pos{Line: 1, Col: 1}, err.Error()
	var ye yaml.Error
	if errors.As(err, &ye) {
		msg = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			pos = tokPos(tk)
		}
	}
	if isIndentTab(data, pos) {
		msg = "tab character in indentation (indent with spaces)"
	}
	return pos, msg
}

// isIndentTab reports whether the character at pos is a tab in the
// indentation of its line.
func isIndentTab(data []byte, pos diag.Pos) bool {
	lines := bytes.SplitN(data, []byte("\n"), pos.Line+1)
	if pos.Line > len(lines) {
		return false
	}
	indent := []rune(string(lines[pos.Line-1]))
	for i, r := range indent {
		if r != ' ' && r != '\t' {
			indent = indent[:i]
			break
		}
	}
	return pos.Col <= len(indent) && bytes.ContainsRune([]byte(string(indent)), '\t')
}

// tokPos returns the position of tk, never before 1:1.
func tokPos(tk *token.Token) diag.Pos {
	if tk == nil || tk.Position == nil {
		return diag.Pos{Line: 1, Col: 1}
	}
	return diag.Pos{Line: max(tk.Position.Line, 1), Col: max(tk.Position.Column, 1)}
}
