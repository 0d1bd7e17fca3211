package config

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// settingTests lists YAML values of a setting and the Go value each becomes.
// The inputs also seed FuzzParse.
var settingTests = []struct {
	name string
	yaml string // written after "v: ", indented by six spaces
	want any
}{
	// Strings arrive byte for byte.
	{"NUL escape", `"x\x00y"`, "x\x00y"},
	{"NUL short escape", `"\0"`, "\x00"},
	{"right-to-left override escape", `"\u202e"`, "\u202e"},
	{"right-to-left override raw", "\u202e raw", "\u202e raw"},
	{"astral escape", `"\U0001F600"`, "😀"},
	{"DEL escape", `"\x7f"`, "\x7f"},
	{"backslash", `"\\"`, `\`},
	{"double quotes", `"say \"hi\""`, `say "hi"`},
	{"single quotes", `'it''s'`, "it's"},
	{"single-quoted backslash is literal", `'\x00\n'`, `\x00\n`},
	{"backticks", "\"`cmd` and `x`\"", "`cmd` and `x`"},
	{"comment closer", `"*/ /*"`, "*/ /*"},
	{"plain comment chars", "/* x */", "/* x */"},
	{"plain hash without space", "b#c", "b#c"},
	{"plain hash after space is a comment", "b #c", "b"},
	{"quoted hash", `"a # b"`, "a # b"},
	{"spaces kept in quotes", `"  x  "`, "  x  "},
	{"tab escape and raw tab", "\"\\t|\t|\"", "\t|\t|"},
	{"YAML escapes", `"\a\b\e\f\v\r\ \N\_\L\P\/"`, "\a\b\x1b\f\v\r \u0085\u00a0\u2028\u2029/"},
	{"double-quoted line folding", "\"a\n        b\"", "a b"},
	{"double-quoted escaped line break", "\"a\\\n        b\"", "ab"},
	{"single-quoted line folding", "'a\n        b'", "a b"},
	{"empty double", `""`, ""},
	{"empty single", `''`, ""},
	{"unicode plain", "héllo wörld", "héllo wörld"},
	{"literal block", "|\n        line1\n          indented\n        \"quoted\" \\n not escape\n", "line1\n  indented\n\"quoted\" \\n not escape\n"},
	{"literal block strip", "|-\n        a\n\n", "a"},
	{"literal block keep", "|+\n        a\n\n\n      w: 1", "a\n\n\n"},
	{"literal block raw tab and specials", "|\n        \tx */ `y` \\\n", "\tx */ `y` \\\n"},
	{"literal block indentation indicator", "|2\n          x", "  x\n"},
	{"folded block", ">\n        a\n        b\n\n        c\n", "a b\nc\n"},
	{"folded block more indented", ">-\n        a\n          b\n        c", "a\n  b\nc"},

	// Scalars are typed by the YAML 1.2 core schema.
	{"yes is a string", "yes", "yes"},
	{"on is a string", "on", "on"},
	{"true", "true", true},
	{"True", "True", true},
	{"false", "false", false},
	{"null", "null", nil},
	{"tilde", "~", nil},
	{"empty", "", nil},
	{"int", "42", int64(42)},
	{"negative int", "-42", int64(-42)},
	{"plus int", "+12", int64(12)},
	{"hex", "0x1F", int64(31)},
	{"octal", "0o17", int64(15)},
	{"legacy octal", "012", int64(10)},
	{"binary", "0b11", int64(3)},
	{"underscores", "1_000", int64(1000)},
	{"max int64", "9223372036854775807", int64(math.MaxInt64)},
	{"min int64", "-9223372036854775808", int64(math.MinInt64)},
	{"float", "0.5", 0.5},
	{"float exponent", "-1.5E-3", -0.0015},
	{"exponent without dot", "1e3", 1000.0},
	{"leading dot", "-.5", -0.5},
	{"leading zero stays a string", "09", "09"},
	{"date stays a string", "2001-12-14", "2001-12-14"},
	{"version stays a string", "1.2.3", "1.2.3"},

	// Tags.
	{"str tag on a float", "!!str 1.10", "1.10"},
	{"str tag on a bool", "!!str true", "true"},
	{"str tag alone", "!!str", ""},
	{"float tag on an int", "!!float 3", 3.0},
	{"int tag", "!!int 3", int64(3)},
	{"map tag", "!!map {a: 1}", map[string]any{"a": int64(1)}},

	// Collections.
	{"list", "[1, a, null, [true]]", []any{int64(1), "a", nil, []any{true}}},
	{"empty list", "[]", []any{}},
	{"empty map", "{}", map[string]any{}},
	{"nested", "{a: {b: [{c: d}]}}", map[string]any{"a": map[string]any{"b": []any{map[string]any{"c": "d"}}}}},
	{"block list", "\n        - a\n        - b: 1\n          c: 2\n", []any{"a", map[string]any{"b": int64(1), "c": int64(2)}}},
	{"quoted keys", `{"404": x, "": empty, "a.b": dotted}`, map[string]any{"404": "x", "": "empty", "a.b": "dotted"}},
}

func TestSettings(t *testing.T) {
	for _, tt := range settingTests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("plugconfig.yaml", []byte(plugHeader+"      v: "+tt.yaml+"\n"), "/work")
			if err != nil {
				t.Fatal(err)
			}
			got, ok := cfg.Plugins[0].Settings["v"]
			if !ok {
				t.Fatalf("no setting v in %#v", cfg.Plugins[0].Settings)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("v: %s\ngot  %T %#v\nwant %T %#v", tt.yaml, got, got, tt.want, tt.want)
			}
		})
	}
}

// TestSettingsAliasesAreCopies checks that an aliased value is copied out:
// changing one plug's settings must not change another's.
func TestSettingsAliasesAreCopies(t *testing.T) {
	in := header + "plugins:\n" +
		"  - {name: a, source: ./a, settings: &s {m: {k: 1}, l: [1]}}\n" +
		"  - {name: b, source: ./b, settings: *s}\n"
	cfg, err := Parse("plugconfig.yaml", []byte(in), "/work")
	if err != nil {
		t.Fatal(err)
	}
	a, b := cfg.Plugins[0].Settings, cfg.Plugins[1].Settings
	a["m"].(map[string]any)["k"] = "changed"
	a["l"].([]any)[0] = "changed"
	if want := map[string]any{"m": map[string]any{"k": int64(1)}, "l": []any{int64(1)}}; !reflect.DeepEqual(b, want) {
		t.Errorf("b's settings = %v, want %v", b, want)
	}
}

func TestSettingsAbsent(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		isNil    bool
	}{
		{"absent", header + "plugins: [{name: a, source: ./a}]\n", true},
		{"null", header + "plugins: [{name: a, source: ./a, settings: ~}]\n", true},
		{"empty", header + "plugins: [{name: a, source: ./a, settings: {}}]\n", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("plugconfig.yaml", []byte(tt.in), "/work")
			if err != nil {
				t.Fatal(err)
			}
			if s := cfg.Plugins[0].Settings; (s == nil) != tt.isNil || len(s) != 0 {
				t.Errorf("Settings = %#v, want nil: %v", s, tt.isNil)
			}
		})
	}
}

// TestSettingsManyErrors checks that every bad setting of every plug is
// reported, each under its plug and path.
func TestSettingsManyErrors(t *testing.T) {
	in := header + "plugins:\n" +
		"  - {name: a, source: ./a, settings: {x: {y: [1, .inf]}}}\n" +
		"  - {name: b, source: ./b, settings: {1: a, z: 99999999999999999999}}\n"
	_, err := Parse("plugconfig.yaml", []byte(in), "/work")
	want := strings.Join([]string{
		`plugconfig.yaml:5:50: plug "a": setting "x.y[1]": .inf is not a finite number (valid: finite numbers; quote it to keep it a string)`,
		`plugconfig.yaml:6:39: plug "b": setting "1": key 1 is not a string; quote it: "1"`,
		`plugconfig.yaml:6:48: plug "b": setting "z": integer 99999999999999999999 does not fit in int64 (valid: integers from -9223372036854775808 to 9223372036854775807; quote it to keep it a string)`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("errors:\n%v\nwant:\n%s", err, want)
	}
}
