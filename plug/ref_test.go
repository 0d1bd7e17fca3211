package plug

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// canary is a value read at start that no message may show.
const canary = "CANARY-7f3a9c"

func TestRefValue(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	secret := write("secret", canary+"\n")
	crlf := write("crlf", canary+"\r\n")
	two := write("two", canary+"\n\n")
	port := write("port", "8080\n")
	big := write("big", strings.Repeat("x", maxRefFile+1))
	missing := filepath.Join(dir, "missing")
	t.Setenv("PLUG_TEST_SECRET", canary)
	t.Setenv("PLUG_TEST_EMPTY", "")
	t.Setenv("PLUG_TEST_PORT", "8080")
	t.Setenv("PLUG_TEST_RATIO", "0.25")
	t.Setenv("PLUG_TEST_BOOL", "true")
	t.Setenv("PLUG_TEST_LIST", `["a", 1, 2.5, {"k": null}]`)
	t.Setenv("PLUG_TEST_MAP", `{"a": [true]}`)
	t.Setenv("PLUG_TEST_BAD", canary)
	t.Setenv("PLUG_TEST_TWO_JSON", `[1] [2]`)
	t.Setenv("PLUG_TEST_HUGE", "1e999")
	t.Setenv("PLUG_TEST_BIGINT", "99999999999999999999")
	os.Unsetenv("PLUG_TEST_UNSET")

	tests := []struct {
		name string
		ref  Ref
		want any
		err  string
	}{
		{name: "env", ref: Ref{Env: "PLUG_TEST_SECRET"}, want: canary},
		{name: "env as string", ref: Ref{Env: "PLUG_TEST_SECRET", Type: "string"}, want: canary},
		{name: "env of type any", ref: Ref{Env: "PLUG_TEST_PORT", Type: "any"}, want: "8080"},
		{name: "empty env is set", ref: Ref{Env: "PLUG_TEST_EMPTY", HasDefault: true, Default: "x"}, want: ""},
		{name: "int", ref: Ref{Env: "PLUG_TEST_PORT", Type: "int"}, want: int64(8080)},
		{name: "float", ref: Ref{Env: "PLUG_TEST_RATIO", Type: "float"}, want: 0.25},
		{name: "float from an integer", ref: Ref{Env: "PLUG_TEST_PORT", Type: "float"}, want: 8080.0},
		{name: "bool", ref: Ref{Env: "PLUG_TEST_BOOL", Type: "bool"}, want: true},
		{name: "list", ref: Ref{Env: "PLUG_TEST_LIST", Type: "list"}, want: []any{"a", int64(1), 2.5, map[string]any{"k": nil}}},
		{name: "map", ref: Ref{Env: "PLUG_TEST_MAP", Type: "map"}, want: map[string]any{"a": []any{true}}},
		{name: "file drops one newline", ref: Ref{File: secret}, want: canary},
		{name: "file drops one CRLF", ref: Ref{File: crlf}, want: canary},
		{name: "file keeps a second newline", ref: Ref{File: two}, want: canary + "\n"},
		{name: "int from a file", ref: Ref{File: port, Type: "int"}, want: int64(8080)},
		{name: "default", ref: Ref{Env: "PLUG_TEST_UNSET", Type: "int", HasDefault: true, Default: int64(1)}, want: int64(1)},
		{name: "null default", ref: Ref{Env: "PLUG_TEST_UNSET", HasDefault: true}, want: nil},
		{name: "default of a missing file", ref: Ref{File: missing, HasDefault: true, Default: "d"}, want: "d"},
		{name: "int default of a float", ref: Ref{Env: "PLUG_TEST_UNSET", Type: "float", HasDefault: true, Default: int64(1)}, want: int64(1)},

		{name: "unset", ref: Ref{Env: "PLUG_TEST_UNSET"}, err: "{env: PLUG_TEST_UNSET} is not set, and the plug config gives no default"},
		{name: "no file", ref: Ref{File: missing}, err: `{file: "` + missing + `"} does not exist, and the plug config gives no default`},
		{name: "a directory", ref: Ref{File: dir, HasDefault: true}, err: `{file: "` + dir + `"}: read ` + dir + `: is a directory`},
		{name: "too large", ref: Ref{File: big}, err: `{file: "` + big + `"}: the file is larger than 1048576 bytes`},
		{name: "not an int", ref: Ref{Env: "PLUG_TEST_BAD", Type: "int"}, err: "{env: PLUG_TEST_BAD}: the value read is not an integer (values read at start are never shown)"},
		{name: "int out of range", ref: Ref{Env: "PLUG_TEST_BIGINT", Type: "int"}, err: "{env: PLUG_TEST_BIGINT}: the value read is not an integer (values read at start are never shown)"},
		{name: "not a float", ref: Ref{File: secret, Type: "float"}, err: `{file: "` + secret + `"}: the value read is not a number (values read at start are never shown)`},
		{name: "infinite", ref: Ref{Env: "PLUG_TEST_HUGE", Type: "float"}, err: "{env: PLUG_TEST_HUGE}: the value read is not a number (values read at start are never shown)"},
		{name: "not a bool", ref: Ref{Env: "PLUG_TEST_PORT", Type: "bool"}, err: "{env: PLUG_TEST_PORT}: the value read is not true or false (values read at start are never shown)"},
		{name: "not a list", ref: Ref{Env: "PLUG_TEST_MAP", Type: "list"}, err: "{env: PLUG_TEST_MAP}: the value read is not a JSON array (values read at start are never shown)"},
		{name: "not JSON", ref: Ref{Env: "PLUG_TEST_BAD", Type: "map"}, err: "{env: PLUG_TEST_BAD}: the value read is not a JSON object (values read at start are never shown)"},
		{name: "two JSON values", ref: Ref{Env: "PLUG_TEST_TWO_JSON", Type: "list"}, err: "{env: PLUG_TEST_TWO_JSON}: the value read is not a JSON array (values read at start are never shown)"},
		{name: "default of another type", ref: Ref{Env: "PLUG_TEST_UNSET", Type: "int", HasDefault: true, Default: "x"}, err: `{env: PLUG_TEST_UNSET}: its default is string "x", want an integer`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.ref.value()
			if errText(err) != tt.err {
				t.Fatalf("error:\ngot  %v\nwant %s", err, tt.err)
			}
			if strings.Contains(errText(err), canary) {
				t.Errorf("the error shows the value read: %v", err)
			}
			if err == nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("value %#v, want %#v", got, tt.want)
			}
		})
	}
}

// TestStartReadsRefs starts plugs with settings read at start: every
// problem of every plug is reported before any Init runs; once they can be
// read, Init decodes the values read while List shows the references.
func TestStartReadsRefs(t *testing.T) {
	settings := func() []Configured {
		return []Configured{
			{Name: "a", Settings: map[string]any{
				"token": Ref{Env: "PLUG_TEST_TOKEN", Type: "string"},
				"port":  Ref{Env: "PLUG_TEST_PORT", Type: "int", HasDefault: true, Default: int64(80)},
				"plain": "literal",
			}},
			{Name: "b", Settings: map[string]any{"key": Ref{File: filepath.Join(t.TempDir(), "key")}}},
		}
	}
	type aSettings struct {
		Token string `json:"token"`
		Port  int    `json:"port"`
		Plain string `json:"plain"`
	}

	t.Run("missing", func(t *testing.T) {
		reset(t)
		os.Unsetenv("PLUG_TEST_TOKEN")
		t.Setenv("PLUG_TEST_PORT", "x"+canary)
		var started []string
		for _, name := range []string{"a", "b"} {
			Register(Plugin{Name: name, Init: func(c *Context) error { started = append(started, c.Name()); return nil }})
		}
		plugs := settings()
		Configure(plugs...)
		err := Start(context.Background())
		key := plugs[1].Settings["key"].(Ref).File
		want := `starting plug "a": setting "port": {env: PLUG_TEST_PORT}: the value read is not an integer (values read at start are never shown); ` +
			`setting "token": {env: PLUG_TEST_TOKEN} is not set, and the plug config gives no default` + "\n" +
			`starting plug "b": setting "key": {file: "` + key + `"} does not exist, and the plug config gives no default`
		if errText(err) != want {
			t.Errorf("Start:\ngot  %v\nwant %s", err, want)
		}
		if len(started) != 0 {
			t.Errorf("started %q", started)
		}
		if err := Stop(context.Background()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})

	t.Run("read", func(t *testing.T) {
		reset(t)
		t.Setenv("PLUG_TEST_TOKEN", canary)
		os.Unsetenv("PLUG_TEST_PORT")
		var got aSettings
		Register(Plugin{Name: "a", Init: func(c *Context) error { return c.Settings(&got) }})
		plugs := settings()
		plugs[1].Settings["key"] = Ref{Env: "PLUG_TEST_TOKEN", Type: "string"}
		Register(Plugin{Name: "b", Init: nop})
		Configure(plugs...)
		if err := Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		if want := (aSettings{Token: canary, Port: 80, Plain: "literal"}); got != want {
			t.Errorf("Init decoded %+v, want %+v", got, want)
		}
		for _, p := range List() {
			for k, v := range p.Settings {
				if s, ok := v.(string); ok && strings.Contains(s, canary) {
					t.Errorf("List shows the value read for %s.%s", p.Name, k)
				}
			}
		}
		if ref, ok := List()[0].Settings["token"].(Ref); !ok || ref.Env != "PLUG_TEST_TOKEN" {
			t.Errorf("List shows token as %#v, want its Ref", List()[0].Settings["token"])
		}
	})
}

func TestNewContextReadsRefs(t *testing.T) {
	t.Setenv("PLUG_TEST_TOKEN", canary)
	os.Unsetenv("PLUG_TEST_UNSET")
	settings := map[string]any{
		"token":   Ref{Env: "PLUG_TEST_TOKEN"},
		"missing": Ref{Env: "PLUG_TEST_UNSET"},
		"colour":  "red",
	}
	c := NewContext(context.Background(), "a", settings)
	var s struct {
		Token   string `json:"token"`
		Missing string `json:"missing"`
	}
	err := c.Settings(&s)
	want := `plug "a": setting "missing": {env: PLUG_TEST_UNSET} is not set, and the plug config gives no default; unknown setting "colour" (known: missing, token)`
	if errText(err) != want {
		t.Errorf("Settings:\ngot  %v\nwant %s", err, want)
	}
	var se *SettingsError
	if !errors.As(err, &se) || se.Plug != "a" || len(se.Problems) != 2 {
		t.Errorf("errors.As(*SettingsError) = %+v", se)
	}
	if s.Token != canary {
		t.Errorf("token %q", s.Token)
	}
	if _, ok := settings["token"].(Ref); !ok {
		t.Errorf("NewContext changed the caller's settings")
	}
}

func TestRefCheck(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]any
		want     string
	}{
		{"nested", map[string]any{"a": map[string]any{"b": Ref{Env: "X"}}}, `setting "a.b": a plug.Ref can only be the whole value of a setting`},
		{"in a list", map[string]any{"a": []any{Ref{Env: "X"}}}, `setting "a[0]": a plug.Ref can only be the whole value of a setting`},
		{"neither", map[string]any{"a": Ref{}}, `setting "a": a plug.Ref needs exactly one of Env and File`},
		{"both", map[string]any{"a": Ref{Env: "X", File: "f"}}, `setting "a": a plug.Ref needs exactly one of Env and File`},
		{"bad env name", map[string]any{"a": Ref{Env: "A=B"}}, `setting "a": invalid environment variable name "A=B" in a plug.Ref`},
		{"NUL in file", map[string]any{"a": Ref{File: "a\x00b"}}, `setting "a": invalid file name "a\x00b" in a plug.Ref`},
		{"bad type", map[string]any{"a": Ref{Env: "X", Type: "number"}}, `setting "a": unknown type "number" in a plug.Ref (want one of string, bool, int, float, list, map, any)`},
		{"default without HasDefault", map[string]any{"a": Ref{Env: "X", Default: "d"}}, `setting "a": a plug.Ref with a Default must set HasDefault`},
		{"Ref default", map[string]any{"a": Ref{Env: "X", HasDefault: true, Default: Ref{Env: "Y"}}}, `setting "a": the default of a plug.Ref cannot be a plug.Ref`},
		{"bad default", map[string]any{"a": Ref{Env: "X", HasDefault: true, Default: 1}}, `setting "a": unsupported value of type int (want nil, bool, int64, float64, string, []any or map[string]any)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reset(t)
			mustPanic(t, `plug.Configure: plug "p": `+tt.want, func() { Configure(Configured{Name: "p", Settings: tt.settings}) })
		})
	}
}

func TestRefString(t *testing.T) {
	for _, tt := range []struct {
		ref  Ref
		want string
	}{
		{Ref{Env: "TOKEN"}, "{env: TOKEN}"},
		{Ref{Env: "TOKEN", HasDefault: true, Default: "x"}, "{env: TOKEN}"},
		{Ref{File: "/run/secrets/a b\n"}, `{file: "/run/secrets/a b\n"}`},
	} {
		if got := tt.ref.String(); got != tt.want {
			t.Errorf("%#v.String() = %s, want %s", tt.ref, got, tt.want)
		}
	}
}

// FuzzRefValue reads random text of every type: a problem never shows it.
func FuzzRefValue(f *testing.F) {
	for _, s := range []string{"", "1", "true", "[1]", `{"a":1}`, "1e999", "\x00", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if strings.Contains(text, "\x00") {
			t.Skip("no environment variable holds a NUL")
		}
		t.Setenv("PLUG_TEST_FUZZ", canary+text)
		for _, typ := range refTypes {
			_, err := Ref{Env: "PLUG_TEST_FUZZ", Type: typ}.value()
			if strings.Contains(errText(err), canary) {
				t.Fatalf("type %q: the error shows the value: %v", typ, err)
			}
		}
	})
}
