package plug

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

type limits struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

type level int

type colour string

// upper is a TextUnmarshaler that upper-cases its text and refuses "".
type upper string

func (u *upper) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		return errors.New("empty text")
	}
	*u = upper(strings.ToUpper(string(b)))
	return nil
}

type scalars struct {
	S    string        `json:"s"`
	B    bool          `json:"b"`
	I    int           `json:"i"`
	I8   int8          `json:"i8"`
	I16  int16         `json:"i16"`
	I32  int32         `json:"i32"`
	I64  int64         `json:"i64"`
	U    uint          `json:"u"`
	U8   uint8         `json:"u8"`
	U16  uint16        `json:"u16"`
	U32  uint32        `json:"u32"`
	U64  uint64        `json:"u64"`
	UP   uintptr       `json:"up"`
	F32  float32       `json:"f32"`
	F64  float64       `json:"f64"`
	D    time.Duration `json:"d"`
	T    time.Time     `json:"t"`
	Addr netip.Addr    `json:"addr"`
	L    level         `json:"level"`
	Up   upper         `json:"up_text"`
	C    colour        `json:"colour"`
}

type composites struct {
	Bytes  []byte            `json:"bytes"`
	Tags   []string          `json:"tags"`
	Pair   [2]int            `json:"pair"`
	Counts map[string]int    `json:"counts"`
	ByCol  map[colour]bool   `json:"by_colour"`
	Limits limits            `json:"limits"`
	PLim   *limits           `json:"plimits"`
	PInt   *int              `json:"pint"`
	Any    any               `json:"any"`
	Nested map[string][]uint `json:"nested"`
	Items  []limits          `json:"items"`
}

type naming struct {
	Tagged  string `json:"tag_name,omitempty"`
	Plain   string
	Exact   string `json:"exact"`
	EXACT   string `json:"EXACT"`
	Skipped string `json:"-"`
	//lint:ignore SA5008 the key "-" is spelled `json:"-,"`, as encoding/json does
	Dash string `json:"-,"`
	//lint:ignore U1000 an unexported field, which decoding must leave alone
	internal string
}

type Base struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}

type Extra struct {
	Port  string `json:"port"` // deeper than Server.Port: hidden
	Debug bool   `json:"debug"`
}

type server struct {
	Base
	*Extra
	Port    uint16 `json:"port"`
	Name    string `json:"name"`
	private        // an unexported embedded struct still promotes its fields
}

type private struct {
	Zone string `json:"zone"`
}

type A struct{ X int }
type B struct{ X int }

// ambiguous has two embedded X at the same depth, so neither is settable.
type ambiguous struct {
	A
	B
	Y int
}

type empty struct{}

type unsupported struct {
	Ch  chan int         `json:"ch"`
	IK  map[int]string   `json:"ik"`
	Str fmt.Stringer     `json:"str"`
	Fn  func()           `json:"fn"`
	C   complex128       `json:"c"`
	Arr [1]time.Duration `json:"arr"`
}

func ptr[T any](v T) *T { return &v }

func TestSettingsDecode(t *testing.T) {
	when := time.Date(2026, 11, 21, 8, 42, 0, 0, time.UTC)
	tests := []struct {
		name     string
		settings map[string]any
		into     any // a pointer, filled with defaults
		want     any // what into points to afterwards
	}{
		{
			name: "scalars",
			settings: map[string]any{
				"s": "text", "b": true,
				"i": int64(-7), "i8": int64(-128), "i16": int64(32767), "i32": int64(math.MinInt32), "i64": int64(math.MaxInt64),
				"u": int64(7), "u8": int64(255), "u16": int64(65535), "u32": int64(math.MaxUint32), "u64": int64(math.MaxInt64), "up": int64(1),
				"f32": 1.5, "f64": -2.25,
				"d": "1.5s", "t": "2026-11-21T08:42:00Z", "addr": "192.0.2.1",
				"level": int64(3), "up_text": "shout", "colour": "red",
			},
			into: &scalars{},
			want: &scalars{
				S: "text", B: true,
				I: -7, I8: -128, I16: 32767, I32: math.MinInt32, I64: math.MaxInt64,
				U: 7, U8: 255, U16: 65535, U32: math.MaxUint32, U64: math.MaxInt64, UP: 1,
				F32: 1.5, F64: -2.25,
				D: 1500 * time.Millisecond, T: when, Addr: netip.MustParseAddr("192.0.2.1"),
				L: 3, Up: "SHOUT", C: "red",
			},
		},
		{
			name:     "ints decode into floats",
			settings: map[string]any{"f32": int64(3), "f64": int64(-1 << 53)},
			into:     &scalars{},
			want:     &scalars{F32: 3, F64: -1 << 53},
		},
		{
			name:     "missing keys keep defaults",
			settings: map[string]any{"s": "set"},
			into:     &scalars{S: "default", I: 42, D: time.Minute},
			want:     &scalars{S: "set", I: 42, D: time.Minute},
		},
		{
			name:     "no settings leave the struct alone",
			settings: nil,
			into:     &scalars{S: "default"},
			want:     &scalars{S: "default"},
		},
		{
			name: "composites",
			settings: map[string]any{
				"bytes":     "\xff\x00raw",
				"tags":      []any{"a", "b"},
				"pair":      []any{int64(1), int64(2)},
				"counts":    map[string]any{"x": int64(1), "y": int64(2)},
				"by_colour": map[string]any{"red": true},
				"limits":    map[string]any{"max": int64(10)},
				"plimits":   map[string]any{"min": int64(1)},
				"pint":      int64(5),
				"any":       []any{"a", nil, true, int64(1), 2.5, map[string]any{"k": []any{}}},
				"nested":    map[string]any{"a.b": []any{int64(1)}},
				"items":     []any{map[string]any{"min": int64(1)}, map[string]any{"max": int64(2)}},
			},
			into: &composites{
				Tags:   []string{"default"},
				Counts: map[string]int{"old": 1},
				Limits: limits{Min: -1, Max: -1},
			},
			want: &composites{
				Bytes:  []byte("\xff\x00raw"),
				Tags:   []string{"a", "b"},
				Pair:   [2]int{1, 2},
				Counts: map[string]int{"x": 1, "y": 2},
				ByCol:  map[colour]bool{"red": true},
				Limits: limits{Min: -1, Max: 10},
				PLim:   &limits{Min: 1},
				PInt:   ptr(5),
				Any:    []any{"a", nil, true, int64(1), 2.5, map[string]any{"k": []any{}}},
				Nested: map[string][]uint{"a.b": {1}},
				Items:  []limits{{Min: 1}, {Max: 2}},
			},
		},
		{
			name:     "bytes from a list",
			settings: map[string]any{"bytes": []any{int64(0), int64(255)}},
			into:     &composites{},
			want:     &composites{Bytes: []byte{0, 255}},
		},
		{
			name:     "an existing pointer is filled, not replaced",
			settings: map[string]any{"plimits": map[string]any{"max": int64(9)}},
			into:     &composites{PLim: &limits{Min: 3}},
			want:     &composites{PLim: &limits{Min: 3, Max: 9}},
		},
		{
			name: "null",
			settings: map[string]any{
				"tags": nil, "counts": nil, "plimits": nil, "pint": nil, "any": nil,
				"limits": nil, "pair": nil,
			},
			into: &composites{
				Tags: []string{"x"}, Counts: map[string]int{"x": 1}, PLim: &limits{}, PInt: ptr(1), Any: "x",
				Limits: limits{Min: 1}, Pair: [2]int{1, 2},
			},
			want: &composites{Limits: limits{Min: 1}, Pair: [2]int{1, 2}},
		},
		{
			name:     "null leaves scalars alone",
			settings: map[string]any{"s": nil, "i": nil, "d": nil, "t": nil, "up_text": nil},
			into:     &scalars{S: "keep", I: 1, D: 1, T: when, Up: "KEEP"},
			want:     &scalars{S: "keep", I: 1, D: 1, T: when, Up: "KEEP"},
		},
		{
			name:     "json tags, Go names, and case folding",
			settings: map[string]any{"tag_name": "t", "PLAIN": "p", "exact": "lower", "EXACT": "upper", "-": "dash"},
			into:     &naming{},
			want:     &naming{Tagged: "t", Plain: "p", Exact: "lower", EXACT: "upper", Dash: "dash"},
		},
		{
			name:     "case folding finds a tagged name",
			settings: map[string]any{"Tag_Name": "t"},
			into:     &naming{},
			want:     &naming{Tagged: "t"},
		},
		{
			name:     "embedded structs",
			settings: map[string]any{"host": "h", "port": int64(8080), "debug": true, "name": "n", "zone": "z"},
			into:     &server{},
			want:     &server{Base: Base{Host: "h"}, Extra: &Extra{Debug: true}, Port: 8080, Name: "n", private: private{Zone: "z"}},
		},
		{
			name:     "ambiguous embedded fields are hidden, others promoted",
			settings: map[string]any{"Y": int64(1)},
			into:     &ambiguous{},
			want:     &ambiguous{Y: 1},
		},
		{
			name:     "into a map",
			settings: map[string]any{"a": int64(1), "b": []any{"x"}},
			into:     &map[string]any{"old": true},
			want:     &map[string]any{"a": int64(1), "b": []any{"x"}},
		},
		{
			name:     "into an any",
			settings: map[string]any{"a": int64(1)},
			into:     new(any),
			want:     ptr[any](map[string]any{"a": int64(1)}),
		},
		{
			name:     "float32 limit",
			settings: map[string]any{"f32": math.MaxFloat32},
			into:     &scalars{},
			want:     &scalars{F32: math.MaxFloat32},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewContext(context.Background(), "t", tt.settings)
			if err := c.Settings(tt.into); err != nil {
				t.Fatalf("Settings: %v", err)
			}
			if !reflect.DeepEqual(tt.into, tt.want) {
				t.Errorf("got  %#v\nwant %#v", tt.into, tt.want)
			}
		})
	}
}

func TestSettingsDecodeDeepCopies(t *testing.T) {
	inner := []any{"a"}
	settings := map[string]any{"any": map[string]any{"list": inner}}
	c := NewContext(context.Background(), "t", settings)
	var got composites
	if err := c.Settings(&got); err != nil {
		t.Fatal(err)
	}
	got.Any.(map[string]any)["list"].([]any)[0] = "changed"
	if inner[0] != "a" {
		t.Errorf("decoding into any shares the settings: they now hold %q", inner[0])
	}
	var again composites
	if err := c.Settings(&again); err != nil {
		t.Fatal(err)
	}
	if got := again.Any.(map[string]any)["list"].([]any)[0]; got != "a" {
		t.Errorf("a second decode sees %q, want %q", got, "a")
	}
}

func TestSettingsErrors(t *testing.T) {
	long := strings.Repeat("é", 40) // 80 bytes
	tests := []struct {
		name     string
		settings map[string]any
		into     any
		err      string
	}{
		{"bool from string", map[string]any{"b": "yes"}, &scalars{},
			`plug "greeter": setting "b": want bool, got string "yes"`},
		{"int from string, nested", map[string]any{"limits": map[string]any{"max": "x"}}, &composites{},
			`plug "greeter": setting "limits.max": want int, got string "x"`},
		{"int from float", map[string]any{"i": 1.5}, &scalars{},
			`plug "greeter": setting "i": want int, got float 1.5`},
		{"int from whole float", map[string]any{"i": 2.0}, &scalars{},
			`plug "greeter": setting "i": want int, got float 2`},
		{"int from null in a list", map[string]any{"pair": []any{int64(1), nil}}, &composites{}, ""},
		{"int8 too big", map[string]any{"i8": int64(128)}, &scalars{},
			`plug "greeter": setting "i8": want int8 (-128 to 127), got int 128`},
		{"int16 too small", map[string]any{"i16": int64(-32769)}, &scalars{},
			`plug "greeter": setting "i16": want int16 (-32768 to 32767), got int -32769`},
		{"int32 too big", map[string]any{"i32": int64(1 << 31)}, &scalars{},
			`plug "greeter": setting "i32": want int32 (-2147483648 to 2147483647), got int 2147483648`},
		{"named int", map[string]any{"level": "high"}, &scalars{},
			`plug "greeter": setting "level": want int, got string "high"`},
		{"uint negative", map[string]any{"u": int64(-1)}, &scalars{},
			`plug "greeter": setting "u": want uint (0 to 18446744073709551615), got int -1`},
		{"uint8 too big", map[string]any{"u8": int64(256)}, &scalars{},
			`plug "greeter": setting "u8": want uint8 (0 to 255), got int 256`},
		{"uint16 too big", map[string]any{"u16": int64(65536)}, &scalars{},
			`plug "greeter": setting "u16": want uint16 (0 to 65535), got int 65536`},
		{"uint32 too big", map[string]any{"u32": int64(1 << 32)}, &scalars{},
			`plug "greeter": setting "u32": want uint32 (0 to 4294967295), got int 4294967296`},
		{"uint64 from bool", map[string]any{"u64": false}, &scalars{},
			`plug "greeter": setting "u64": want uint64, got bool false`},
		{"float32 too big", map[string]any{"f32": 1e39}, &scalars{},
			`plug "greeter": setting "f32": want float32 (at most ±3.4028234663852886e+38), got float 1e+39`},
		{"float from string", map[string]any{"f64": "1.5"}, &scalars{},
			`plug "greeter": setting "f64": want float64, got string "1.5"`},
		{"string from int", map[string]any{"s": int64(1)}, &scalars{},
			`plug "greeter": setting "s": want string, got int 1`},
		{"string from list", map[string]any{"s": []any{"a"}}, &scalars{},
			`plug "greeter": setting "s": want string, got list`},
		{"string from map", map[string]any{"colour": map[string]any{}}, &scalars{},
			`plug "greeter": setting "colour": want string, got map`},
		{"duration from int", map[string]any{"d": int64(5)}, &scalars{},
			`plug "greeter": setting "d": want duration like "1.5s", got int 5`},
		{"duration without unit", map[string]any{"d": "5"}, &scalars{},
			`plug "greeter": setting "d": time: missing unit in duration "5"`},
		{"duration garbage", map[string]any{"d": "soon"}, &scalars{},
			`plug "greeter": setting "d": time: invalid duration "soon"`},
		{"text from int", map[string]any{"t": int64(1)}, &scalars{},
			`plug "greeter": setting "t": want string for time.Time, got int 1`},
		{"text rejected", map[string]any{"up_text": ""}, &scalars{},
			`plug "greeter": setting "up_text": cannot decode string "" as plug.upper: empty text`},
		{"bad address", map[string]any{"addr": "nowhere"}, &scalars{},
			`plug "greeter": setting "addr": cannot decode string "nowhere" as netip.Addr: ParseAddr("nowhere"): unable to parse IP`},
		{"list from string", map[string]any{"tags": "a,b"}, &composites{},
			`plug "greeter": setting "tags": want list, got string "a,b"`},
		{"bytes from int", map[string]any{"bytes": int64(1)}, &composites{},
			`plug "greeter": setting "bytes": want string or list, got int 1`},
		{"byte out of range", map[string]any{"bytes": []any{int64(256)}}, &composites{},
			`plug "greeter": setting "bytes[0]": want uint8 (0 to 255), got int 256`},
		{"list item", map[string]any{"tags": []any{"a", true}}, &composites{},
			`plug "greeter": setting "tags[1]": want string, got bool true`},
		{"array too short", map[string]any{"pair": []any{int64(1)}}, &composites{},
			`plug "greeter": setting "pair": want list of 2 items, got list of 1 item`},
		{"array from map", map[string]any{"pair": map[string]any{}}, &composites{},
			`plug "greeter": setting "pair": want list of 2 items, got map`},
		{"map from list", map[string]any{"counts": []any{}}, &composites{},
			`plug "greeter": setting "counts": want map, got list`},
		{"map value", map[string]any{"counts": map[string]any{"a": "1"}}, &composites{},
			`plug "greeter": setting "counts.a": want int, got string "1"`},
		{"map key that needs quoting", map[string]any{"nested": map[string]any{"a.b": []any{int64(-1)}}}, &composites{},
			`plug "greeter": setting "nested[\"a.b\"][0]": want uint (0 to 18446744073709551615), got int -1`},
		{"struct from string", map[string]any{"limits": "1-10"}, &composites{},
			`plug "greeter": setting "limits": want map, got string "1-10"`},
		{"struct in a list", map[string]any{"items": []any{map[string]any{"mid": int64(1)}}}, &composites{},
			`plug "greeter": unknown setting "items[0].mid" (known: max, min)`},
		{"pointer target", map[string]any{"pint": "5"}, &composites{},
			`plug "greeter": setting "pint": want int, got string "5"`},
		{"unknown key", map[string]any{"colour": "red"}, &limits{},
			`plug "greeter": unknown setting "colour" (known: max, min)`},
		{"unknown nested key", map[string]any{"limits": map[string]any{"avg": int64(1)}}, &composites{},
			`plug "greeter": unknown setting "limits.avg" (known: max, min)`},
		{"unknown key that needs quoting", map[string]any{"a b": int64(1), "\xff\u202e": int64(2)}, &limits{},
			`plug "greeter": unknown setting "[\"a b\"]" (known: max, min); unknown setting "[\"\\xff\\u202e\"]" (known: max, min)`},
		{"no settings known", map[string]any{"x": int64(1)}, &empty{},
			`plug "greeter": unknown setting "x" (known: none)`},
		{"skipped and unexported fields are unknown", map[string]any{"Skipped": "s", "internal": "i"}, &naming{},
			`plug "greeter": unknown setting "Skipped" (known: -, EXACT, Plain, exact, tag_name); unknown setting "internal" (known: -, EXACT, Plain, exact, tag_name)`},
		{"ambiguous embedded field", map[string]any{"X": int64(1)}, &ambiguous{},
			`plug "greeter": unknown setting "X" (known: Y)`},
		{"two keys, one field", map[string]any{"Max": int64(1), "max": int64(2)}, &limits{},
			`plug "greeter": setting "max": sets the same field as "Max"`},
		{"every problem is reported", map[string]any{"s": int64(1), "b": "x", "nope": nil, "i": "1"}, &scalars{},
			`plug "greeter": setting "b": want bool, got string "x"; setting "i": want int, got string "1"; unknown setting "nope" (known: addr, b, colour, d, f32, f64, i, i16, i32, i64, i8, level, s, t, u, u16, u32, u64, u8, up, up_text); setting "s": want string, got int 1`},
		{"long strings are cut in errors", map[string]any{"i": long}, &scalars{},
			`plug "greeter": setting "i": want int, got string "` + strings.Repeat("é", 32) + `"... (80 bytes)`},
		{"control characters are escaped in errors", map[string]any{"i": "a\x1b[31m\u202e"}, &scalars{},
			`plug "greeter": setting "i": want int, got string "a\x1b[31m\u202e"`},
		{"channel", map[string]any{"ch": int64(1)}, &unsupported{},
			`plug "greeter": setting "ch": cannot decode into chan int`},
		{"int map keys", map[string]any{"ik": map[string]any{"1": "a"}}, &unsupported{},
			`plug "greeter": setting "ik": cannot decode into map[int]string: map keys must be strings`},
		{"non-empty interface", map[string]any{"str": "s"}, &unsupported{},
			`plug "greeter": setting "str": want fmt.Stringer, got string "s"`},
		{"func", map[string]any{"fn": nil, "c": 1.5}, &unsupported{},
			`plug "greeter": setting "c": cannot decode into complex128`},
		{"duration in an array", map[string]any{"arr": []any{true}}, &unsupported{},
			`plug "greeter": setting "arr[0]": want duration like "1.5s", got bool true`},
		{"into a map, bad value", map[string]any{"a": int64(1)}, &map[string]string{},
			`plug "greeter": setting "a": want string, got int 1`},
		{"not a pointer", map[string]any{"a": int64(1)}, limits{},
			`plug "greeter": Settings needs a non-nil pointer to a struct, got plug.limits`},
		{"nil pointer", map[string]any{"a": int64(1)}, (*limits)(nil),
			`plug "greeter": Settings needs a non-nil pointer to a struct, got *plug.limits`},
		{"nil", nil, nil,
			`plug "greeter": Settings needs a non-nil pointer to a struct, got nil`},
		{"pointer to int", nil, new(int),
			`plug "greeter": Settings needs a non-nil pointer to a struct, got *int`},
		{"map with int keys", nil, &map[int]any{},
			`plug "greeter": Settings needs a non-nil pointer to a struct, got *map[int]interface {}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewContext(context.Background(), "greeter", tt.settings)
			err := c.Settings(tt.into)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("Settings: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Settings succeeded, want error %s", tt.err)
			}
			if err.Error() != tt.err {
				t.Errorf("error:\ngot  %s\nwant %s", err, tt.err)
			}
		})
	}
}

// evil holds every byte a settings string must carry unchanged: invalid
// UTF-8, NUL, a bidirectional override, and the quotes, backslashes,
// comment markers and newlines that break naive code generation.
const evil = "\xff\x00\u202e`*/\"\\\n"

func TestSettingsBytesArriveUnchanged(t *testing.T) {
	reset(t)
	var got struct {
		S     string            `json:"s"`
		B     []byte            `json:"b"`
		A     any               `json:"a"`
		L     []string          `json:"l"`
		M     map[string]string `json:"m"`
		P     *string           `json:"p"`
		Named colour            `json:"named"`
	}
	Register(Plugin{Name: "bytes", Init: func(c *Context) error { return c.Settings(&got) }})
	Configure(Configured{Name: "bytes", Settings: map[string]any{
		"s": evil, "b": evil, "a": evil, "l": []any{evil}, "m": map[string]any{evil: evil}, "p": evil, "named": evil,
	}})
	if err := Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		got  string
	}{
		{"string", got.S},
		{"[]byte", string(got.B)},
		{"any", got.A.(string)},
		{"[]string", got.L[0]},
		{"map value", got.M[evil]},
		{"*string", *got.P},
		{"named string", string(got.Named)},
		{"List", List()[0].Settings["s"].(string)},
	} {
		if c.got != evil {
			t.Errorf("%s: got %q, want %q", c.name, c.got, evil)
		}
	}
	if len(got.M) != 1 {
		t.Errorf("map key changed: %q", got.M)
	}
}

func TestCheckSettings(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]any
		err      string
	}{
		{"all types", map[string]any{"a": nil, "b": true, "c": int64(1), "d": 1.5, "e": "s", "f": []any{map[string]any{"g": nil}}}, ""},
		{"int", map[string]any{"count": 2}, `setting "count": unsupported value of type int (want nil, bool, int64, float64, string, []any or map[string]any)`},
		{"nested", map[string]any{"a": []any{map[string]any{"b": []string{}}}}, `setting "a[0].b": unsupported value of type []string (want nil, bool, int64, float64, string, []any or map[string]any)`},
		{"first in key order", map[string]any{"z": int32(1), "a": uint(1)}, `setting "a": unsupported value of type uint (want nil, bool, int64, float64, string, []any or map[string]any)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkSettings(tt.settings)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.err {
				t.Errorf("got  %s\nwant %s", got, tt.err)
			}
		})
	}
}

func FuzzSettingsString(f *testing.F) {
	for _, s := range []string{"", "plain", evil, "\u202e\u2066", "\xc3", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got struct {
			S string
			B []byte
			A any
			M map[string]string
		}
		c := NewContext(context.Background(), "fuzz", map[string]any{"s": s, "b": s, "a": s, "m": map[string]any{s: s}})
		if err := c.Settings(&got); err != nil {
			t.Fatal(err)
		}
		if got.S != s || string(got.B) != s || got.A != s || got.M[s] != s || len(got.M) != 1 {
			t.Errorf("decoded %q into %q %q %q %q", s, got.S, got.B, got.A, got.M)
		}
	})
}
