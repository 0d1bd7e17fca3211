package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/plugctl/plugctl/internal/fail"
)

// Limits on what Parse accepts. They are far above what a hand-written config
// needs and keep a hostile or broken file from costing more than a fraction
// of a second.
const (
	// MaxFileSize is the largest config file accepted, in bytes.
	MaxFileSize = 1 << 20
	// MaxDepth is the deepest nesting of mappings and lists accepted,
	// counting the top-level mapping as 1 and counting aliased values where
	// they are used.
	MaxDepth = 64
	// MaxAliasValues bounds the values that aliases may add by expansion.
	MaxAliasValues = 100_000
	// MaxKeys bounds the mapping keys of a file; goccy/go-yaml parses a long
	// block mapping in quadratic time.
	MaxKeys = 10_000
	// MaxTokens bounds the YAML tokens (scalars, indicators) of a file.
	MaxTokens = 100_000
)

// DefaultFile is the config file used when none is named.
const DefaultFile = "plugconfig.yaml"

// Load reads and parses the config file at path; see Parse. A file that
// cannot be read is a fail.Config error "reading config: ...".
func Load(path string) (*Config, error) {
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("reading config: %w", err))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("reading config: %w", err))
	}
	defer f.Close()
	// Read one byte past the limit so that Parse sees the file is too large
	// without the whole of a huge file being read.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("reading config: %w", err))
	}
	return Parse(path, data, dir)
}

// Parse parses and validates the config in data. file names it in messages;
// dir is the absolute directory relative paths resolve against. On problems it
// returns every one of them as a diag.List, wrapped as a fail.Config error.
func Parse(file string, data []byte, dir string) (*Config, error) {
	c := &checker{file: file}
	root := c.yaml(data)
	var cfg *Config
	if root != nil {
		cfg = c.decode(root)
		cfg.File, cfg.Dir = file, dir
	}
	if errs := c.errors(); len(errs) > 0 {
		return nil, fail.Wrap(fail.Config, errs)
	}
	return cfg, nil
}

// yaml turns data into a value tree, or reports why it cannot and returns
// nil.
func (c *checker) yaml(data []byte) *node {
	if len(data) > MaxFileSize {
		c.add(Pos{Line: 1, Col: 1}, scopeNone, "file is larger than %d bytes (1 MiB)", MaxFileSize)
		return nil
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	// YAML reads CR LF and a lone CR as a line break; make them LF so that
	// every value sees the same line breaks whatever the file's origin.
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
	if !c.checkText(data) {
		return nil
	}
	tokens, ok := c.tokenize(string(data))
	if !ok {
		return nil
	}
	f, err := parseTokens(tokens)
	if err != nil {
		c.syntaxError(err, data)
		return nil
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		c.add(Pos{Line: 1, Col: 1}, scopeNone, "config is empty (required keys: %s)", strings.Join(requiredTop, ", "))
		return nil
	}
	if len(docs) > 1 {
		c.add(nodePos(docs[1].Body), scopeNone, "more than one YAML document: a config is a single mapping, without a second ---")
		return nil
	}
	b := &builder{c: c, anchors: map[string]*node{}}
	return b.build(docs[0].Body, 1, scopeNone)
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

// checkText reports bytes no YAML file may hold: invalid UTF-8 and control
// characters other than tab and line feed (YAML 1.2 §5.1). Escapes such as
// "\x00" inside double quotes are text, not control characters, and pass.
func (c *checker) checkText(data []byte) bool {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			c.add(Pos{Line: line, Col: col}, scopeNone, "invalid UTF-8 (byte 0x%02x): a config must be UTF-8 text", data[i])
			return false
		case r == 0:
			c.add(Pos{Line: line, Col: col}, scopeNone, "NUL byte: a config must be text (write \"\\0\" inside double quotes for a NUL character)")
			return false
		case r == '\n':
			line, col = line+1, 0
		case r == '\t':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f && r != 0x85) || r == 0xfffe || r == 0xffff:
			c.add(Pos{Line: line, Col: col}, scopeNone, "control character %U: write it as an escape inside double quotes", r)
			return false
		}
		i += size
		col++
	}
	return true
}

// tokenize lexes src and checks the limits that protect the parser:
// nesting depth and number of keys. goccy/go-yaml's parser takes quadratic
// time in both, so they are checked on the tokens, before parsing.
func (c *checker) tokenize(src string) (tokens token.Tokens, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			c.add(Pos{Line: 1, Col: 1}, scopeNone, "the YAML lexer failed: %v", r)
			tokens, ok = nil, false
		}
	}()
	tokens = lexer.Tokenize(src)
	if len(tokens) > MaxTokens {
		c.add(tokPos(tokens[MaxTokens]), scopeNone, "more than %d YAML tokens (values, keys and indicators)", MaxTokens)
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
					c.add(tokPos(key), scopeNone, "more than %d mapping keys", MaxKeys)
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
			c.add(tokPos(at), scopeNone, "nesting deeper than %d levels", MaxDepth)
			return nil, false
		}
	}
	return tokens, true
}

// syntaxError reports a goccy/go-yaml error at its position.
func (c *checker) syntaxError(err error, data []byte) {
	pos, msg := Pos{Line: 1, Col: 1}, err.Error()
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
	c.add(pos, scopeNone, "invalid YAML: %s", msg)
}

// isIndentTab reports whether the character at pos is a tab in the
// indentation of its line.
func isIndentTab(data []byte, pos Pos) bool {
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
func tokPos(tk *token.Token) Pos {
	if tk == nil || tk.Position == nil {
		return Pos{Line: 1, Col: 1}
	}
	return Pos{Line: max(tk.Position.Line, 1), Col: max(tk.Position.Column, 1)}
}
