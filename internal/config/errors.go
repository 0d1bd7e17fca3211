package config

import (
	"fmt"
	"slices"
	"strings"
)

// Error is one problem of a config file, positioned at the value or key it
// concerns. It prints as
//
//	file:line:col: plug "NAME": message
//
// with `plug "NAME": ` replaced by `core: ` for the core and left out when the
// problem concerns neither the core nor a plug.
type Error struct {
	File string // the file name as the user gave it
	Pos  Pos    // 1-based line and column
	Plug string // the plug concerned, "core" for the core, "" for neither
	Msg  string // what is wrong and what would be valid
}

// Error returns the problem as file:line:col: [plug "NAME": |core: ]message.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: ", e.File, e.Pos.Line, e.Pos.Col)
	switch e.Plug {
	case "":
	case "core":
		b.WriteString("core: ")
	default:
		fmt.Fprintf(&b, "plug %q: ", e.Plug)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in a config file, sorted by position. Parse
// and Load return it wrapped as a fail.Config error; errors.As with a
// *Errors target recovers it, and errors.As with a **Error target finds the
// first problem.
type Errors []*Error

// Error returns the problems one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems as a list of errors, so that errors.Is and
// errors.As look into each of them.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// sortErrors orders es by position, keeping the order of problems found at
// the same position, and drops exact repeats (an anchored value used through
// several aliases is checked once per use).
func sortErrors(es Errors) Errors {
	slices.SortStableFunc(es, func(a, b *Error) int {
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Col - b.Pos.Col
	})
	out := es[:0]
	seen := make(map[Error]bool, len(es))
	for _, e := range es {
		if !seen[*e] {
			seen[*e] = true
			out = append(out, e)
		}
	}
	return out
}
