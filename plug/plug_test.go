package plug

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// reset gives the test a fresh registry and leaves a fresh one behind, so
// that tests, and the examples that run after them, do not see each other's
// plugs.
func reset(t *testing.T) {
	t.Helper()
	state = new(registry)
	t.Cleanup(func() { state = new(registry) })
}

// recorder registers plugs whose Init notes its name, and optionally fails.
type recorder struct {
	started []string
}

func (r *recorder) register(name string, initErr error) {
	Register(Plugin{Name: name, Version: "v1.0.0", Description: "the " + name + " plug", Init: func(c *Context) error {
		r.started = append(r.started, c.Name())
		return initErr
	}})
}

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		got := recover()
		if got == nil {
			t.Fatalf("no panic, want %q", want)
		}
		if got != want {
			t.Errorf("panic:\ngot  %v\nwant %s", got, want)
		}
	}()
	f()
}

func nop(*Context) error { return nil }

func TestRegisterPanics(t *testing.T) {
	tests := []struct {
		name   string
		plugin Plugin
		want   string
	}{
		{"no name", Plugin{Init: nop}, "plug.Register: the plugin has no name"},
		{"upper case", Plugin{Name: "Greeter", Init: nop}, `plug.Register: invalid plug name "Greeter": want a lower-case letter, then up to 62 of a-z 0-9 _ -`},
		{"leading digit", Plugin{Name: "1x", Init: nop}, `plug.Register: invalid plug name "1x": want a lower-case letter, then up to 62 of a-z 0-9 _ -`},
		{"too long", Plugin{Name: "a" + strings.Repeat("b", 63), Init: nop}, `plug.Register: invalid plug name "a` + strings.Repeat("b", 63) + `": want a lower-case letter, then up to 62 of a-z 0-9 _ -`},
		{"space", Plugin{Name: "a b", Init: nop}, `plug.Register: invalid plug name "a b": want a lower-case letter, then up to 62 of a-z 0-9 _ -`},
		{"no Init", Plugin{Name: "greeter"}, `plug.Register: plug "greeter" has no Init function`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reset(t)
			mustPanic(t, tt.want, func() { Register(tt.plugin) })
		})
	}
}

func TestRegisterNames(t *testing.T) {
	reset(t)
	for _, name := range []string{"a", "greeter", "a1_b-c", "z" + strings.Repeat("9", 62)} {
		Register(Plugin{Name: name, Init: nop})
	}
	if got := len(List()); got != 4 {
		t.Errorf("List has %d plugs, want 4", got)
	}
}

func TestRegisterTwice(t *testing.T) {
	reset(t)
	Register(Plugin{Name: "greeter", Init: nop})
	mustPanic(t, `plug.Register: plug "greeter" registered twice: by package github.com/plugctl/plugctl/plug and by package github.com/plugctl/plugctl/plug`, func() {
		Register(Plugin{Name: "greeter", Init: nop})
	})
}

func TestRegisterAfterStart(t *testing.T) {
	reset(t)
	if err := Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustPanic(t, `plug.Register: plug "late" registered after plug.Start; register from an init function`, func() {
		Register(Plugin{Name: "late", Init: nop})
	})
}

func TestConfigurePanics(t *testing.T) {
	tests := []struct {
		name  string
		plugs []Configured
		want  string
	}{
		{"no name", []Configured{{Name: "a"}, {Module: "example.com/x"}}, "plug.Configure: entry 1 has no name"},
		{"twice the same plug", []Configured{{Name: "a"}, {Name: "a"}}, `plug.Configure: plug "a" configured twice`},
		{"bad settings type", []Configured{{Name: "a", Settings: map[string]any{"n": 2}}},
			`plug.Configure: plug "a": setting "n": unsupported value of type int (want nil, bool, int64, float64, string, []any or map[string]any)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reset(t)
			mustPanic(t, tt.want, func() { Configure(tt.plugs...) })
		})
	}
}

func TestConfigureTwice(t *testing.T) {
	reset(t)
	Configure()
	mustPanic(t, "plug.Configure called twice", func() { Configure() })
}

func TestConfigureAfterStart(t *testing.T) {
	reset(t)
	if err := Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustPanic(t, "plug.Configure called after plug.Start", func() { Configure() })
}

func TestConfigureCopiesSettings(t *testing.T) {
	reset(t)
	settings := map[string]any{"list": []any{"a"}}
	Register(Plugin{Name: "a", Init: nop})
	Configure(Configured{Name: "a", Settings: settings})
	settings["list"].([]any)[0] = "changed"
	settings["new"] = true
	if got := List()[0].Settings; !reflect.DeepEqual(got, map[string]any{"list": []any{"a"}}) {
		t.Errorf("the SDK shares the caller's settings: %v", got)
	}
	List()[0].Settings["list"].([]any)[0] = "changed"
	if got := List()[0].Settings["list"].([]any)[0]; got != "a" {
		t.Errorf("List shares the SDK's settings: %v", got)
	}
}

func TestStartOrder(t *testing.T) {
	tests := []struct {
		name       string
		registered []string
		configured []string // nil: Configure is not called
		want       []string
	}{
		{"config order, then the rest by name", []string{"d", "c", "b", "a", "e"}, []string{"c", "e", "a"}, []string{"c", "e", "a", "b", "d"}},
		{"not configured at all", []string{"b", "c", "a"}, nil, []string{"a", "b", "c"}},
		{"configured with no plugs", []string{"b", "a"}, []string{}, []string{"a", "b"}},
		{"nothing registered", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reset(t)
			var r recorder
			for _, name := range tt.registered {
				r.register(name, nil)
			}
			if tt.configured != nil {
				var plugs []Configured
				for _, name := range tt.configured {
					plugs = append(plugs, Configured{Name: name})
				}
				Configure(plugs...)
			}
			if err := Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r.started, tt.want) {
				t.Errorf("started %q, want %q", r.started, tt.want)
			}
			var listed []string
			for _, info := range List() {
				listed = append(listed, info.Name)
			}
			if !reflect.DeepEqual(listed, tt.want) {
				t.Errorf("List gives %q, want %q", listed, tt.want)
			}
		})
	}
}

func TestStartErrors(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name    string
		setup   func(r *recorder)
		err     string
		started []string
	}{
		{
			name: "configured but not compiled in",
			setup: func(r *recorder) {
				r.register("a", nil)
				Configure(Configured{Name: "a"}, Configured{Name: "x"})
			},
			err: `plug "x" is configured but not compiled in: no package registered it`,
		},
		{
			name: "every missing plug is named",
			setup: func(r *recorder) {
				Configure(Configured{Name: "x"}, Configured{Name: "y"})
			},
			err: "plug \"x\" is configured but not compiled in: no package registered it\n" +
				`plug "y" is configured but not compiled in: no package registered it`,
		},
		{
			name: "an Init error stops the start",
			setup: func(r *recorder) {
				r.register("a", nil)
				r.register("b", errBoom)
				r.register("c", nil)
				Configure(Configured{Name: "a"}, Configured{Name: "b"}, Configured{Name: "c"})
			},
			err:     `starting plug "b": boom`,
			started: []string{"a", "b"},
		},
		{
			name: "an unconfigured plug fails",
			setup: func(r *recorder) {
				r.register("z", errBoom)
				r.register("a", nil)
				Configure(Configured{Name: "a"})
			},
			err:     `starting plug "z": boom`,
			started: []string{"a", "z"},
		},
		{
			name: "a settings error names the plug once",
			setup: func(r *recorder) {
				Register(Plugin{Name: "greeter", Init: func(c *Context) error {
					var s struct {
						Count    int    `json:"count"`
						Greeting string `json:"greeting"`
					}
					return c.Settings(&s)
				}})
				Configure(Configured{Name: "greeter", Settings: map[string]any{"colour": "red", "count": "x"}})
			},
			err: `starting plug "greeter": unknown setting "colour" (known: count, greeting); setting "count": want int, got string "x"`,
		},
		{
			name: "a wrapped settings error keeps its context",
			setup: func(r *recorder) {
				Register(Plugin{Name: "greeter", Init: func(c *Context) error {
					var s struct{}
					if err := c.Settings(&s); err != nil {
						return errors.Join(errors.New("reading settings"), err)
					}
					return nil
				}})
				Configure(Configured{Name: "greeter", Settings: map[string]any{"colour": "red"}})
			},
			err: "starting plug \"greeter\": reading settings\n" + `plug "greeter": unknown setting "colour" (known: none)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reset(t)
			var r recorder
			tt.setup(&r)
			err := Start(context.Background())
			if err == nil {
				t.Fatalf("Start succeeded, want %s", tt.err)
			}
			if err.Error() != tt.err {
				t.Errorf("error:\ngot  %s\nwant %s", err, tt.err)
			}
			if !reflect.DeepEqual(r.started, tt.started) {
				t.Errorf("started %q, want %q", r.started, tt.started)
			}
		})
	}
}

func TestStartWrapsInitError(t *testing.T) {
	reset(t)
	errBoom := errors.New("boom")
	Register(Plugin{Name: "a", Init: func(*Context) error { return errBoom }})
	if err := Start(context.Background()); !errors.Is(err, errBoom) {
		t.Errorf("Start returned %v, which does not wrap %v", err, errBoom)
	}
}

func TestStartTwice(t *testing.T) {
	reset(t)
	var r recorder
	r.register("a", nil)
	if err := Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := Start(context.Background()); err == nil || err.Error() != "plug.Start called twice" {
		t.Errorf("second Start: got %v, want plug.Start called twice", err)
	}
	if !reflect.DeepEqual(r.started, []string{"a"}) {
		t.Errorf("started %q, want [a]", r.started)
	}
}

func TestStartAfterFailureDoesNotRestart(t *testing.T) {
	reset(t)
	var r recorder
	r.register("a", errors.New("boom"))
	if err := Start(context.Background()); err == nil {
		t.Fatal("Start succeeded")
	}
	if err := Start(context.Background()); err == nil || err.Error() != "plug.Start called twice" {
		t.Errorf("second Start: got %v, want plug.Start called twice", err)
	}
	if len(r.started) != 1 {
		t.Errorf("Init ran %d times", len(r.started))
	}
}

func TestStartCancelled(t *testing.T) {
	reset(t)
	var r recorder
	r.register("a", nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Start(ctx)
	if !errors.Is(err, context.Canceled) || err.Error() != `starting plug "a": context canceled` {
		t.Errorf("Start: got %v", err)
	}
	if len(r.started) != 0 {
		t.Errorf("started %q after cancellation", r.started)
	}
}

func TestStartContext(t *testing.T) {
	reset(t)
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "value")
	var got any
	Register(Plugin{Name: "a", Init: func(c *Context) error {
		got = c.Context().Value(key{})
		return nil
	}})
	if err := Start(ctx); err != nil {
		t.Fatal(err)
	}
	if got != "value" {
		t.Errorf("Init saw context value %v", got)
	}
}

func TestInitMayList(t *testing.T) {
	reset(t)
	var seen []Info
	Register(Plugin{Name: "a", Init: func(*Context) error { seen = List(); return nil }})
	if err := Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 {
		t.Errorf("List during Init: %v", seen)
	}
}

func TestList(t *testing.T) {
	reset(t)
	Register(Plugin{Name: "stamp", Version: "v0.2.0", Description: "stamps", Init: nop})
	Register(Plugin{Name: "greeter", Version: "v0.1.0", Description: "greets", Init: nop})
	Register(Plugin{Name: "extra", Init: nop})
	Configure(
		Configured{Name: "stamp", Module: "example.com/stamp", Version: "v1.2.3", Settings: map[string]any{"repeat": int64(2)}},
		Configured{Name: "greeter", Module: "example.com/greeter", Version: "v0.0.0"},
		Configured{Name: "missing", Module: "example.com/missing", Version: "v1.0.0"},
	)
	want := []Info{
		{Name: "stamp", Version: "v0.2.0", Description: "stamps", Module: "example.com/stamp", ModuleVersion: "v1.2.3",
			Settings: map[string]any{"repeat": int64(2)}, Configured: true},
		{Name: "greeter", Version: "v0.1.0", Description: "greets", Module: "example.com/greeter", ModuleVersion: "v0.0.0",
			Configured: true},
		{Name: "extra"},
	}
	if got := List(); !reflect.DeepEqual(got, want) {
		t.Errorf("List:\ngot  %+v\nwant %+v", got, want)
	}
}

func TestNewContext(t *testing.T) {
	c := NewContext(context.Background(), "greeter", map[string]any{"n": int64(1)})
	if c.Name() != "greeter" || c.Context() == nil {
		t.Errorf("NewContext: name %q, context %v", c.Name(), c.Context())
	}
	mustPanic(t, `plug.NewContext: plug "greeter": setting "n": unsupported value of type int (want nil, bool, int64, float64, string, []any or map[string]any)`, func() {
		NewContext(context.Background(), "greeter", map[string]any{"n": 1})
	})
}
