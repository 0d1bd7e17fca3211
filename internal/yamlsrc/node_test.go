package yamlsrc

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/diag"
)

// config and manifest are the options of the two documents plugctl reads.
var (
	configOpts   = Options{Noun: "config", Anchors: true, Tags: true}
	manifestOpts = Options{Noun: "manifest"}
)

// parse parses in under o and returns the value of its key "v" and the
// problems reported, each as line:col [path]: message.
func parse(t *testing.T, in string, o Options) (*Node, []string) {
	t.Helper()
	var problems []string
	o.Report = func(pos diag.Pos, path Path, msg string) {
		var steps []string
		for _, s := range path {
			if s.Index >= 0 {
				steps = append(steps, fmt.Sprint(s.Index))
			} else {
				steps = append(steps, s.Key)
			}
		}
		problems = append(problems, fmt.Sprintf("%s [%s]: %s", pos, strings.Join(steps, " "), msg))
	}
	root, ok := Parse([]byte(in), o)
	if !ok || root == nil {
		return nil, problems
	}
	for _, e := range root.Entries {
		if e.Key == "v" {
			return e.Val, problems
		}
	}
	return nil, problems
}

// TestNumbers checks the one number rule of both documents.
func TestNumbers(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		kind    Kind
		plain   bool
		value   any // the Go value: Int, Float, Str or Bool by kind
		invalid string
	}{
		{"integer", "42", Int, true, int64(42), ""},
		{"negative", "-7", Int, true, int64(-7), ""},
		{"largest int64", "9223372036854775807", Int, true, int64(math.MaxInt64), ""},
		{"beyond int64", "9223372036854775808", Int, true, nil, "integer 9223372036854775808 does not fit in int64"},
		{"beyond uint64", "99999999999999999999", Int, true, nil, "integer 99999999999999999999 does not fit in int64"},
		{"float", "0.5", Float, true, 0.5, ""},
		{"exponent without a dot", "1e3", Float, true, 1000.0, ""},
		{"signed exponent", "-2.5E-1", Float, true, -0.25, ""},
		{"float overflow", "1e400", Float, true, nil, "number 1e400 is out of range"},
		{"infinity", ".inf", Float, true, nil, ".inf is not a finite number"},
		{"not a number", ".nan", Float, true, nil, ".nan is not a finite number"},
		{"quoted number", `"1e3"`, String, false, "1e3", ""},
		{"version-like", "1.10", Float, true, 1.1, ""},
		{"yes is a string", "yes", String, true, "yes", ""},
		{"true", "true", Bool, true, true, ""},
		{"block scalar", "|\n  a\n", String, false, "a\n", ""},
	}
	for _, tt := range tests {
		for _, o := range []Options{configOpts, manifestOpts} {
			t.Run(tt.name+"/"+o.Noun, func(t *testing.T) {
				v, problems := parse(t, "v: "+tt.in+"\n", o)
				if len(problems) > 0 || v == nil {
					t.Fatalf("problems %v", problems)
				}
				if v.Kind != tt.kind || v.Plain != tt.plain || v.Invalid != tt.invalid {
					t.Fatalf("kind %d, plain %v, invalid %q; want %d, %v, %q", v.Kind, v.Plain, v.Invalid, tt.kind, tt.plain, tt.invalid)
				}
				if tt.invalid != "" {
					return
				}
				var got any
				switch v.Kind {
				case Int:
					got = v.Int
				case Float:
					got = v.Float
				case String:
					got = v.Str
				case Bool:
					got = v.Bool
				}
				if got != tt.value {
					t.Errorf("value %#v, want %#v", got, tt.value)
				}
			})
		}
	}
}

// TestOptions checks what differs between the documents: anchors,
// aliases, merge keys and tags.
func TestOptions(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		config   []string // problems with the config's options
		manifest []string // with the manifest's
	}{
		{"anchor and alias", "a: &x 1\nv: *x\n", nil, []string{
			"1:4 [a]: anchors and aliases are not supported in a manifest",
			"2:4 [v]: anchors and aliases are not supported in a manifest"}},
		{"merge key", "v:\n  <<: {a: 1}\n  b: 2\n", nil, []string{
			"2:3 [v]: merge keys (<<) are not supported in a manifest"}},
		{"tag", "v: !!str 1\n", nil, []string{
			"1:4 [v]: tags (!!str) are not supported in a manifest"}},
		{"unknown tag", "v: !foo 1\n", []string{
			"1:4 [v]: unsupported tag !foo (valid: !!str, !!int, !!float, !!bool, !!null, !!map, !!seq)"}, []string{
			"1:4 [v]: tags (!foo) are not supported in a manifest"}},
		{"undefined alias", "v: [1, *nowhere]\n", []string{
			"1:8 [v 1]: alias *nowhere refers to no anchor defined before it (define &nowhere first)"}, []string{
			"1:8 [v 1]: anchors and aliases are not supported in a manifest"}},
		{"list as a key", "v:\n  [a]: 1\n", []string{
			"2:6 []: invalid YAML: found an invalid key for this map"}, []string{
			"2:6 []: invalid YAML: found an invalid key for this map"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, got := parse(t, tt.in, configOpts); strings.Join(got, "\n") != strings.Join(tt.config, "\n") {
				t.Errorf("config:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.config, "\n"))
			}
			if _, got := parse(t, tt.in, manifestOpts); strings.Join(got, "\n") != strings.Join(tt.manifest, "\n") {
				t.Errorf("manifest:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.manifest, "\n"))
			}
		})
	}
}

// TestMergeAndAliases checks the config's anchors: a merge key adds the
// keys a mapping does not set, and an alias bomb stops at MaxAliasValues.
func TestMergeAndAliases(t *testing.T) {
	v, problems := parse(t, "base: &b {a: 1, b: 2}\nv:\n  <<: *b\n  b: 3\n", configOpts)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	var got []string
	for _, e := range v.Entries {
		got = append(got, fmt.Sprintf("%s=%d merged=%v", e.Key, e.Val.Int, e.Merged))
	}
	if want := "b=3 merged=false a=1 merged=true"; strings.Join(got, " ") != want {
		t.Errorf("entries %s, want %s", strings.Join(got, " "), want)
	}

	var b strings.Builder
	b.WriteString("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 8; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	_, problems = parse(t, b.String(), configOpts)
	if want := "5:45 [l4 7]: aliases expand to more than 100000 values"; strings.Join(problems, "\n") != want {
		t.Errorf("problems %v, want %s", problems, want)
	}
}

// TestPositions checks where values and keys are: a missing value at its
// key or dash, a block list item at its dash.
func TestPositions(t *testing.T) {
	v, problems := parse(t, "v:\n  a:\n  b: [1, 2]\n  c:\n    -\n    - x\n", configOpts)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	var got []string
	for _, e := range v.Entries {
		got = append(got, fmt.Sprintf("%s@%s=%s", e.Key, e.KeyPos, e.Val.Pos))
		for _, it := range e.Val.Items {
			got = append(got, fmt.Sprintf("-@%s=%s", it.Pos, it.Val.Pos))
		}
	}
	if want := "a@2:3=2:3 b@3:3=3:6 -@3:7=3:7 -@3:10=3:10 c@4:3=5:5 -@5:5=5:5 -@6:5=6:7"; strings.Join(got, " ") != want {
		t.Errorf("positions\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
	if root, ok := Parse([]byte("# nothing\n"), Options{Report: func(diag.Pos, Path, string) { t.Error("problem") }}); root != nil || !ok {
		t.Errorf("empty document = %v, %v; want nil, true", root, ok)
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"{a: 1}", "a mapping"},
		{"[1]", "a list"},
		{"~", "null"},
		{"1.50", "1.50"},
		{`"a\tb"`, `"a\tb"`},
		{strings.Repeat("x", 70), `"` + strings.Repeat("x", 60) + `"…`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, _ := parse(t, "v: "+tt.in+"\n", configOpts)
			if got := v.Describe(); got != tt.want {
				t.Errorf("Describe() = %s, want %s", got, tt.want)
			}
		})
	}
}
