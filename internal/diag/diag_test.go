package diag

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"strings"
	"testing"
)

func TestProblemError(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		{"plug", Problem{"plugconfig.yaml", Pos{9, 5}, "metrics", "unknown key"}, `plugconfig.yaml:9:5: plug "metrics": unknown key`},
		{"core", Problem{"plugconfig.yaml", Pos{4, 3}, Core, "no version"}, "plugconfig.yaml:4:3: core: no version"},
		{"neither", Problem{"plugconfig.yaml", Pos{1, 1}, "", "config is empty"}, "plugconfig.yaml:1:1: config is empty"},
		{"no position", Problem{"plugconfig.lock", Pos{}, "", `core.hash: invalid hash "x"`}, `plugconfig.lock: core.hash: invalid hash "x"`},
		{"line only", Problem{"go.mod", Pos{3, 0}, "", "bad line"}, "go.mod:3: bad line"},
		{"no file", Problem{"", Pos{}, "auth", "requires core >=2"}, `plug "auth": requires core >=2`},
		{"plug name quoted", Problem{"f.yaml", Pos{2, 1}, "a\x1b[2J", "x"}, `f.yaml:2:1: plug "a\x1b[2J": x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestListSort(t *testing.T) {
	p := func(file string, line, col int, msg string) *Problem {
		return &Problem{File: file, Pos: Pos{line, col}, Msg: msg}
	}
	tests := []struct {
		name string
		in   List
		want List
	}{
		{"empty", nil, List{}},
		{"by line then column", List{p("a", 3, 1, "c"), p("a", 1, 9, "b"), p("a", 1, 2, "a")},
			List{p("a", 1, 2, "a"), p("a", 1, 9, "b"), p("a", 3, 1, "c")}},
		{"same place keeps the order found", List{p("a", 2, 1, "second"), p("a", 2, 1, "first")},
			List{p("a", 2, 1, "second"), p("a", 2, 1, "first")}},
		{"exact repeats dropped", List{p("a", 2, 1, "x"), p("a", 1, 1, "y"), p("a", 2, 1, "x")},
			List{p("a", 1, 1, "y"), p("a", 2, 1, "x")}},
		{"files in the order they appear", List{p("b", 1, 1, "b1"), p("a", 5, 1, "a5"), p("b", 0, 0, "b0"), p("a", 2, 1, "a2")},
			List{p("b", 0, 0, "b0"), p("b", 1, 1, "b1"), p("a", 2, 1, "a2"), p("a", 5, 1, "a5")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.Sort()
			if len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) {
				t.Errorf("Sort() =\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
}

func TestListError(t *testing.T) {
	l := List{
		{File: "plugconfig.yaml", Pos: Pos{2, 1}, Msg: "one"},
		{File: "plugconfig.yaml", Pos: Pos{3, 5}, Subject: "a", Msg: "two"},
	}
	if got, want := l.Error(), "plugconfig.yaml:2:1: one\nplugconfig.yaml:3:5: plug \"a\": two"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var first *Problem
	if err := fmt.Errorf("loading: %w", l); !errors.As(err, &first) || first != l[0] {
		t.Errorf("errors.As(*Problem) = %v, want the first problem", first)
	}
	var back List
	if err := fmt.Errorf("loading: %w", l); !errors.As(err, &back) || len(back) != 2 {
		t.Errorf("errors.As(List) = %v, want the list", back)
	}
}

// wrapped is an error with a kind, like fail.Error.
type wrapped struct{ err error }

func (w *wrapped) Error() string { return w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }

func TestCollect(t *testing.T) {
	a := &Problem{File: "plugconfig.yaml", Pos: Pos{4, 3}, Subject: Core, Msg: "a"}
	b := &Problem{File: "plugconfig.yaml", Pos: Pos{9, 5}, Subject: "x", Msg: "b"}
	c := &Problem{File: "plugconfig.lock", Msg: "c"}
	fetch := errors.New("fetching plug \"y\": connection refused")
	hint := errors.New("plugconfig.lock is written by plugctl")
	tests := []struct {
		name     string
		err      error
		problems List
		others   []error
	}{
		{"nil", nil, nil, nil},
		{"no problem", fetch, nil, []error{fetch}},
		{"a wrapped problem", &wrapped{fmt.Errorf("reading: %w", a)}, List{a}, nil},
		{"a wrapped list", &wrapped{List{a, b}}, List{a, b}, nil},
		{"joined lists and problems", errors.Join(List{a}, &wrapped{b}, c), List{a, b, c}, nil},
		{"a failure beside problems", &wrapped{errors.Join(fetch, List{a, b})}, List{a, b}, []error{fetch}},
		{"a note beside problems", errors.Join(List{c}, hint), List{c}, []error{hint}},
		{"an empty list is nothing", errors.Join(fetch, List{}), nil, []error{errors.Join(fetch, List{})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems, others := Collect(tt.err)
			if !reflect.DeepEqual(problems, tt.problems) {
				t.Errorf("problems = %v, want %v", problems, tt.problems)
			}
			if !reflect.DeepEqual(others, tt.others) {
				t.Errorf("others = %v, want %v", others, tt.others)
			}
		})
	}
	// A failure that only mentions a file is not a problem.
	pe := &fs.PathError{Op: "open", Path: "plugconfig.yaml", Err: fs.ErrNotExist}
	if problems, others := Collect(pe); problems != nil || len(others) != 1 {
		t.Errorf("Collect(%v) = %v, %v", pe, problems, others)
	}
}

func TestQuote(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"short", "a\"b", `"a\"b"`},
		{"control", "\x1b[2J", `"\x1b[2J"`},
		{"long", strings.Repeat("é", 61), `"` + strings.Repeat("é", 60) + `"…`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Quote(tt.in); got != tt.want {
				t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
