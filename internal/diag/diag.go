// Package diag is plugctl's one kind of positioned problem: something wrong
// in a file the user gave or fetched (the config, a plug's plugin.yaml, the
// lock), at a line and column when it is at one place, concerning the core,
// a plug or neither. It is modelled on golang.org/x/mod/modfile.Error and
// prints the same way:
//
//	file:line:col: plug "NAME": message
//	file:line:col: core: message
//	file:line:col: message
//	file: message                  (a problem not at one place)
//
// Parsers and checks collect every problem they find into a List rather than
// stop at the first. Whoever reports errors to a person or a program finds
// the problems anywhere in an error tree with Collect: the CLI prints them one
// per line and lists each in --json's error.problems, whichever package made
// them.
package diag

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Pos is a place in a file: a 1-based line and column (in characters). The
// zero Pos stands for no place: a problem of the whole file or of a value
// found by its field path rather than its position.
type Pos struct {
	Line, Col int
}

// String returns p as line:col.
func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Core is the Subject of a problem of the core.
const Core = "core"

// Problem is one problem of a file.
type Problem struct {
	File    string // the file as the user named it or plugctl found it; "" when unknown
	Pos     Pos    // where in File; the zero Pos when the problem is not at one place
	Subject string // the plug concerned, Core for the core, "" for neither
	Msg     string // what is wrong and what would be valid
}

// Error returns the problem as file:line:col: [plug "NAME": |core: ]message,
// leaving out the position when it has none and the file when it is unknown.
func (p *Problem) Error() string {
	var b strings.Builder
	switch {
	case p.File != "" && p.Pos.Line > 0 && p.Pos.Col > 0:
		fmt.Fprintf(&b, "%s:%d:%d: ", p.File, p.Pos.Line, p.Pos.Col)
	case p.File != "" && p.Pos.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", p.File, p.Pos.Line)
	case p.File != "":
		b.WriteString(p.File + ": ")
	}
	switch p.Subject {
	case "":
	case Core:
		b.WriteString("core: ")
	default:
		fmt.Fprintf(&b, "plug %q: ", p.Subject)
	}
	b.WriteString(p.Msg)
	return b.String()
}

// List is several problems. errors.As with a *List target recovers a list
// from an error that wraps one, and with a **Problem target its first
// problem; Collect finds every problem of an error tree.
type List []*Problem

// Error returns the problems one per line.
func (l List) Error() string {
	lines := make([]string, len(l))
	for i, p := range l {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems as a list of errors, so that errors.Is and
// errors.As look into each of them.
func (l List) Unwrap() []error {
	out := make([]error, len(l))
	for i, p := range l {
		out[i] = p
	}
	return out
}

// Sort orders l by position, the files in the order they first appear and
// the problems at one position in the order they were found, and drops exact
// repeats (a value checked once per use, as an anchored YAML value is). It
// returns the shortened list, which shares l's array.
func (l List) Sort() List {
	file := map[string]int{}
	for _, p := range l {
		if _, ok := file[p.File]; !ok {
			file[p.File] = len(file)
		}
	}
	slices.SortStableFunc(l, func(a, b *Problem) int {
		if fa, fb := file[a.File], file[b.File]; fa != fb {
			return fa - fb
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Col - b.Pos.Col
	})
	out := l[:0]
	seen := make(map[Problem]bool, len(l))
	for _, p := range l {
		if !seen[*p] {
			seen[*p] = true
			out = append(out, p)
		}
	}
	clear(l[len(out):])
	return out
}

// Collect returns every problem in err's tree, in the order of the tree,
// and the failures of the tree that hold no problem (a download that failed
// beside a config problem), so that nothing err says is lost when its
// problems are shown one by one. It looks through every wrapper: an error
// that wraps problems adds nothing of its own but its context, which the
// problems, each with its file and position, do not need.
func Collect(err error) (List, []error) {
	var (
		problems List
		others   []error
	)
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
		case *Problem:
			problems = append(problems, e)
		case List:
			problems = append(problems, e...)
		case interface{ Unwrap() []error }:
			if !holds(err) {
				others = append(others, err)
				return
			}
			for _, inner := range e.Unwrap() {
				walk(inner)
			}
		case interface{ Unwrap() error }:
			if !holds(err) {
				others = append(others, err)
				return
			}
			walk(e.Unwrap())
		default:
			others = append(others, err)
		}
	}
	walk(err)
	return problems, others
}

// holds reports whether err's tree holds a problem.
func holds(err error) bool {
	switch e := err.(type) {
	case nil:
		return false
	case *Problem:
		return true
	case List:
		return len(e) > 0
	case interface{ Unwrap() []error }:
		return slices.ContainsFunc(e.Unwrap(), holds)
	case interface{ Unwrap() error }:
		return holds(e.Unwrap())
	}
	return false
}

// Quote quotes s for a message, Go-escaped so that no control character
// reaches a terminal, and shortened when longer than 60 characters.
func Quote(s string) string {
	if r := []rune(s); len(r) > 60 {
		return strconv.Quote(string(r[:60])) + "…"
	}
	return strconv.Quote(s)
}
