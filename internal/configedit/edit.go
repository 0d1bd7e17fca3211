// Package configedit changes a plug config the way a person would: it adds
// or removes one plug and leaves every other byte of the file as it was —
// comments, blank lines, key order, quoting, flow or block style.
//
// It finds what to change in the tree yamlsrc parses (the one YAML front end
// of the config, on goccy/go-yaml's AST) and edits the text by whole lines
// at the positions the tree gives. A new plug takes the style of the list it
// joins (its indentation, and one-line {…} items when the last item is one).
// The edited text is parsed again and must hold exactly the plugs expected;
// a layout this cannot edit in place (a plugins list written [a, b] on one
// line or taken from an alias) is refused rather than rewritten.
//
// It checks nothing of the plug itself: the caller validates the result
// with config.Parse before writing it.
package configedit

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/scaffold"
	"github.com/plugctl/plugctl/internal/yamlsrc"
)

// Plug is a plug to add. Empty fields are not written.
type Plug struct {
	Name, Module, Source, Version, Checksum string
}

// fields are p's keys and values in the order a config writes them.
func (p Plug) fields() [][2]string {
	var out [][2]string
	for _, kv := range [][2]string{{"name", p.Name}, {"module", p.Module}, {"source", p.Source}, {"version", p.Version}, {"checksum", p.Checksum}} {
		if kv[1] != "" {
			out = append(out, kv)
		}
	}
	return out
}

// ErrLayout is returned (wrapped) when the plugins list is written in a
// way that cannot be edited line by line.
var ErrLayout = errors.New("cannot edit the plugins list in place")

// doc is a config file split for editing: its text without a byte order
// mark and with LF line endings, as yamlsrc reads it, and how to write it
// back.
type doc struct {
	lines []string // without their "\n"; 0-based, so line n of the file is lines[n-1]
	bom   bool
	crlf  bool
}

func split(data []byte) *doc {
	d := &doc{bom: bytes.HasPrefix(data, []byte("\ufeff")), crlf: bytes.Contains(data, []byte("\r\n"))}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	s := string(data)
	s = strings.TrimSuffix(s, "\n")
	if s != "" {
		d.lines = strings.Split(s, "\n")
	}
	return d
}

func (d *doc) bytes() []byte {
	nl := "\n"
	if d.crlf {
		nl = "\r\n"
	}
	s := strings.Join(d.lines, nl)
	if len(d.lines) > 0 {
		s += nl // an edited file ends its last line
	}
	if d.bom {
		s = "\ufeff" + s
	}
	return []byte(s)
}

// indent is the number of leading spaces of line n (1-based).
func (d *doc) indent(n int) int {
	l := d.lines[n-1]
	return len(l) - len(strings.TrimLeft(l, " "))
}

// blank reports whether line n is empty or spaces.
func (d *doc) blank(n int) bool { return strings.TrimSpace(d.lines[n-1]) == "" }

// blockEnd returns the last line of the block that starts at line start
// and holds the lines after it indented deeper than col spaces (blank lines
// inside included, trailing ones not), stopping before line stop (0: the
// end of the file).
func (d *doc) blockEnd(start, col, stop int) int {
	if stop == 0 {
		stop = len(d.lines) + 1
	}
	end := start
	for n := start + 1; n < stop; n++ {
		if d.blank(n) {
			continue
		}
		if d.indent(n) <= col {
			break
		}
		end = n
	}
	return end
}

// at returns the text of line pos.Line from column pos.Col on (columns in
// characters, 1-based).
func (d *doc) at(pos diag.Pos) string {
	if pos.Line < 1 || pos.Line > len(d.lines) {
		return ""
	}
	r := []rune(d.lines[pos.Line-1])
	if pos.Col < 1 || pos.Col > len(r) {
		return ""
	}
	return string(r[pos.Col-1:])
}

// insert puts text lines after line n (0: at the start).
func (d *doc) insert(n int, text []string) {
	d.lines = slices.Insert(d.lines, n, text...)
}

// plugins parses data and returns its top-level plugins entry (nil when
// there is none) and the plug names it holds.
func plugins(data []byte) (*yamlsrc.Entry, []string, error) {
	var problems []string
	root, ok := yamlsrc.Parse(data, yamlsrc.Options{Noun: "config", Anchors: true, Tags: true, Report: func(pos diag.Pos, _ yamlsrc.Path, msg string) {
		problems = append(problems, pos.String()+": "+msg)
	}})
	if !ok || len(problems) > 0 {
		return nil, nil, fmt.Errorf("the config does not parse: %s", strings.Join(problems, "; "))
	}
	if root == nil || root.Kind != yamlsrc.Map {
		return nil, nil, errors.New("the config is not a mapping")
	}
	for i := range root.Entries {
		e := &root.Entries[i]
		if e.Key != "plugins" || !e.KeyIsString || e.Merged {
			continue
		}
		var names []string
		if e.Val.Kind == yamlsrc.Seq {
			for _, it := range e.Val.Items {
				names = append(names, itemName(it.Val))
			}
		}
		return e, names, nil
	}
	return nil, nil, nil
}

// itemName is the name of a plug item, "" when it has none.
func itemName(v *yamlsrc.Node) string {
	if v.Kind != yamlsrc.Map {
		return ""
	}
	for _, e := range v.Entries {
		if e.Key == "name" && e.Val.Kind == yamlsrc.String {
			return e.Val.Str
		}
	}
	return ""
}

// Add returns data with p appended to its plugins list (made when there is
// none).
func Add(data []byte, p Plug) ([]byte, error) {
	e, names, err := plugins(data)
	if err != nil {
		return nil, err
	}
	d := split(data)
	switch {
	case e == nil:
		// No plugins key: a new block list at the end of the file.
		text := append([]string{"", "plugins:"}, blockItem(p, 2, 4)...)
		d.insert(len(d.lines), text)
	case e.Val.Kind == yamlsrc.Null:
		// "plugins:" with no value, maybe followed by commented examples:
		// the list goes after them.
		col := e.KeyPos.Col - 1
		end := d.blockEnd(e.KeyPos.Line, col, 0)
		d.insert(end, blockItem(p, col+2, col+4))
	case e.Val.Kind == yamlsrc.Seq && len(e.Val.Items) == 0:
		// "plugins: []": the brackets give way to a block list.
		line := d.lines[e.KeyPos.Line-1]
		rest := d.at(e.Val.Pos)
		if e.Val.Pos.Line != e.KeyPos.Line || !strings.HasPrefix(rest, "[") {
			return nil, fmt.Errorf("%w: plugins is not written as [] or as a block list", ErrLayout)
		}
		after := strings.TrimSpace(strings.TrimPrefix(strings.TrimLeft(rest[1:], " "), "]"))
		if !strings.HasPrefix(strings.TrimLeft(rest[1:], " "), "]") {
			return nil, fmt.Errorf("%w: plugins is not written as [] or as a block list", ErrLayout)
		}
		head := strings.TrimRight(line[:len(line)-len(rest)], " ")
		if after != "" {
			head += " " + after // a comment after the brackets
		}
		d.lines[e.KeyPos.Line-1] = head
		col := e.KeyPos.Col - 1
		d.insert(e.KeyPos.Line, blockItem(p, col+2, col+4))
	case e.Val.Kind == yamlsrc.Seq:
		items := e.Val.Items
		first, last := items[0], items[len(items)-1]
		if strings.HasPrefix(d.at(first.Pos), "[") || !strings.HasPrefix(d.at(first.Pos), "-") || last.Pos.Line < e.KeyPos.Line {
			return nil, fmt.Errorf("%w: plugins is written [a, b] or taken from an alias; write it as a block list (- name: …)", ErrLayout)
		}
		dash := first.Pos.Col - 1
		content := dash + 2
		if first.Val.Kind == yamlsrc.Map && len(first.Val.Entries) > 0 && first.Val.Entries[0].KeyPos.Line == first.Pos.Line && !strings.HasPrefix(d.at(first.Val.Pos), "{") {
			content = first.Val.Entries[0].KeyPos.Col - 1
		}
		end := d.blockEnd(last.Pos.Line, dash, 0)
		var text []string
		if strings.HasPrefix(d.at(last.Val.Pos), "{") && last.Pos.Line == end {
			text = []string{strings.Repeat(" ", dash) + "- " + flowItem(p)}
		} else {
			text = blockItem(p, dash, content)
		}
		d.insert(end, text)
	default:
		return nil, fmt.Errorf("%w: plugins is not a list", ErrLayout)
	}
	out := d.bytes()
	return out, check(out, append(names, p.Name))
}

// Remove returns data without the plug named name.
func Remove(data []byte, name string) ([]byte, error) {
	e, names, err := plugins(data)
	if err != nil {
		return nil, err
	}
	i := slices.Index(names, name)
	if e == nil || i < 0 {
		return nil, fmt.Errorf("no plug is named %q", name)
	}
	d := split(data)
	items := e.Val.Items
	it := items[i]
	if !strings.HasPrefix(d.at(it.Pos), "-") || it.Pos.Line < e.KeyPos.Line {
		return nil, fmt.Errorf("%w: plugins is written [a, b] or taken from an alias; write it as a block list (- name: …)", ErrLayout)
	}
	dash := it.Pos.Col - 1
	stop := 0
	if i+1 < len(items) {
		stop = items[i+1].Pos.Line
	}
	if stop == it.Pos.Line {
		return nil, fmt.Errorf("%w: two plugs on one line", ErrLayout)
	}
	end := d.blockEnd(it.Pos.Line, dash, stop)
	d.lines = slices.Delete(d.lines, it.Pos.Line-1, end)
	out := d.bytes()
	return out, check(out, slices.Delete(slices.Clone(names), i, i+1))
}

// check parses the edited text and compares its plug names with want.
func check(out []byte, want []string) error {
	_, got, err := plugins(out)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrLayout, err)
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("%w: the edit would leave plugs %q, want %q", ErrLayout, got, want)
	}
	return nil
}

// blockItem writes p as a block list item: "- " at column dash, its other
// keys at column content (0-based).
func blockItem(p Plug, dash, content int) []string {
	var out []string
	for i, kv := range p.fields() {
		prefix := strings.Repeat(" ", content)
		if i == 0 {
			prefix = strings.Repeat(" ", dash) + "- " + strings.Repeat(" ", max(0, content-dash-2))
		}
		out = append(out, prefix+kv[0]+": "+scaffold.YAML(kv[1]))
	}
	return out
}

// flowItem writes p as a one-line {key: value, …} mapping.
func flowItem(p Plug) string {
	var parts []string
	for _, kv := range p.fields() {
		parts = append(parts, kv[0]+": "+scaffold.YAML(kv[1]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
