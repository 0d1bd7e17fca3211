// Package scaffold writes the files plugctl hands to a user to edit and own:
// the commented starter plug config of plugctl init (Config) and the module
// of plugctl new plug (PlugModule). Both come from the templates in
// templates/; the commands that write them keep their flags, questions and
// messages.
//
// Values reach the templates only through the encoders in Funcs, each of
// which makes a value safe where it lands: a YAML scalar, a comment line, a
// Go string or identifier, Markdown text or code. What the templates write
// is a pure function of their input.
package scaffold

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"unicode"

	"github.com/plugctl/plugctl/internal/codegen"
)

// Funcs are the encoders the scaffolding templates use.
var Funcs = template.FuncMap{
	"yaml":    YAML,
	"comment": Comment,
	"quote":   strconv.Quote,
	"ident":   codegen.Ident,
	"code":    code,
	"md":      markdown,
}

// plainYAML matches strings that read back as themselves unquoted, YAML's
// keywords and numbers aside: a letter, '.' or '/' first (a digit first may
// be a number in any of YAML's spellings — 0x1F, 1_000, 2024-01-01), then
// no character YAML gives a meaning.
var plainYAML = regexp.MustCompile(`^[A-Za-z./][A-Za-z0-9._/@+-]*$`)

// YAML writes s as a YAML scalar: plain where that reads back as the same
// string, double-quoted (JSON syntax, which YAML shares) elsewhere.
func YAML(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~", ".inf", ".nan":
		return strconv.Quote(s)
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil || !plainYAML.MatchString(s) {
		b, _ := json.Marshal(s)
		return string(b)
	}
	return s
}

// Comment returns s for the rest of a comment line (YAML's #, Go's //): as
// it is when it is printable on one line, quoted otherwise, so that no value
// can end the comment and start a line of its own.
func Comment(s string) string {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}

// code writes s as a Markdown code span, fenced with one backtick more than
// the longest run of backticks in s, and on one line.
func code(s string) string {
	s = Comment(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdSpecial are the characters that can start Markdown syntax.
var mdSpecial = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `\<`, `>`, `\>`, `#`, `\#`, `|`, `\|`, `!`, `\!`,
)

// markdown writes s as literal Markdown text on one line.
func markdown(s string) string {
	return mdSpecial.Replace(Comment(s))
}
