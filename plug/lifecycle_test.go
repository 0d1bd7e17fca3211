//lint:file-ignore SA1012 TestNilContextPanics passes nil contexts on purpose

package plug

import (
	"context"
	"errors"
	"reflect"
	"runtime/debug"
	"testing"
)

// lifecycle registers plugs that note when they start and stop.
type lifecycle struct {
	events []string
}

// register registers a plug; initErr fails its Init, stopErr its Stop, and
// noStop leaves it without one.
func (l *lifecycle) register(name string, initErr, stopErr error, noStop bool) {
	p := Plugin{Name: name, Init: func(c *Context) error {
		l.events = append(l.events, "start "+c.Name())
		return initErr
	}}
	if !noStop {
		p.Stop = func(ctx context.Context) error {
			if ctx == nil {
				panic("Stop got a nil context")
			}
			l.events = append(l.events, "stop "+name)
			return stopErr
		}
	}
	Register(p)
}

func TestStop(t *testing.T) {
	errBoom := errors.New("boom")
	errStuck := errors.New("stuck")
	tests := []struct {
		name   string
		setup  func(l *lifecycle)
		start  string // Start's error, "" for none
		stop   string // Stop's error, "" for none
		events []string
	}{
		{
			name: "reverse start order",
			setup: func(l *lifecycle) {
				l.register("a", nil, nil, false)
				l.register("b", nil, nil, false)
				l.register("c", nil, nil, false)
				Configure(Configured{Name: "c"}, Configured{Name: "a"})
			},
			events: []string{"start c", "start a", "start b", "stop b", "stop a", "stop c"},
		},
		{
			name: "plugs without Stop are skipped",
			setup: func(l *lifecycle) {
				l.register("a", nil, nil, false)
				l.register("b", nil, nil, true)
				l.register("c", nil, nil, false)
			},
			events: []string{"start a", "start b", "start c", "stop c", "stop a"},
		},
		{
			name: "every error is collected, in stop order",
			setup: func(l *lifecycle) {
				l.register("a", nil, errBoom, false)
				l.register("b", nil, nil, false)
				l.register("c", nil, errStuck, false)
			},
			stop:   "stopping plug \"c\": stuck\nstopping plug \"a\": boom",
			events: []string{"start a", "start b", "start c", "stop c", "stop b", "stop a"},
		},
		{
			name: "after a failed start, the plugs that started",
			setup: func(l *lifecycle) {
				l.register("a", nil, nil, false)
				l.register("b", nil, nil, false)
				l.register("c", errBoom, nil, false)
				l.register("d", nil, nil, false)
			},
			start:  `starting plug "c": boom`,
			events: []string{"start a", "start b", "start c", "stop b", "stop a"},
		},
		{
			name: "after a start that failed before any Init, none",
			setup: func(l *lifecycle) {
				l.register("a", nil, nil, false)
				Configure(Configured{Name: "a"}, Configured{Name: "missing"})
			},
			start: `plug "missing" is configured but not compiled in: no package registered it`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reset(t)
			var l lifecycle
			tt.setup(&l)
			if err := Start(context.Background()); errText(err) != tt.start {
				t.Errorf("Start: got %v, want %q", err, tt.start)
			}
			if err := Stop(context.Background()); errText(err) != tt.stop {
				t.Errorf("Stop:\ngot  %v\nwant %s", err, tt.stop)
			}
			if !reflect.DeepEqual(l.events, tt.events) {
				t.Errorf("events:\ngot  %q\nwant %q", l.events, tt.events)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestStopErrorsAs(t *testing.T) {
	reset(t)
	errBoom := errors.New("boom")
	var l lifecycle
	l.register("a", nil, errBoom, false)
	l.register("b", nil, errors.New("other"), false)
	if err := Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	err := Stop(context.Background())
	var se *StopError
	if !errors.As(err, &se) || se.Plug != "b" {
		t.Errorf("errors.As(%v, *StopError) = %+v, want plug b first", err, se)
	}
	if !errors.Is(err, errBoom) {
		t.Errorf("Stop's error %v does not wrap a's", err)
	}
}

// TestStopBoundedByContext stops a plug that does not return until the test
// lets it: Stop gives up on it when ctx ends and does not call the plugs
// after it.
func TestStopBoundedByContext(t *testing.T) {
	reset(t)
	var l lifecycle
	l.register("a", nil, nil, false)
	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	Register(Plugin{Name: "b", Init: nop, Stop: func(context.Context) error {
		close(entered)
		<-release // ignores its context
		return nil
	}})
	if err := Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-entered
		cancel()
	}()
	err := Stop(ctx)
	want := "stopping plug \"b\": context canceled\nstopping plug \"a\": context canceled"
	if errText(err) != want || !errors.Is(err, context.Canceled) {
		t.Errorf("Stop:\ngot  %v\nwant %s", err, want)
	}
	if !reflect.DeepEqual(l.events, []string{"start a"}) {
		t.Errorf("events %q: a's Stop ran after ctx ended", l.events)
	}
}

// TestStopGivesContext checks that each Stop gets Stop's context.
func TestStopGivesContext(t *testing.T) {
	reset(t)
	type key struct{}
	var got any
	Register(Plugin{Name: "a", Init: nop, Stop: func(ctx context.Context) error {
		got = ctx.Value(key{})
		return nil
	}})
	if err := Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := Stop(context.WithValue(context.Background(), key{}, "v")); err != nil {
		t.Fatal(err)
	}
	if got != "v" {
		t.Errorf("Stop saw context value %v", got)
	}
}

func TestStopMisuse(t *testing.T) {
	reset(t)
	var l lifecycle
	l.register("a", nil, nil, false)
	if err := Stop(context.Background()); errText(err) != "plug.Stop called before plug.Start" {
		t.Errorf("Stop before Start: %v", err)
	}
	if err := Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := Stop(context.Background()); errText(err) != "plug.Stop called twice" {
		t.Errorf("second Stop: %v", err)
	}
	if !reflect.DeepEqual(l.events, []string{"start a", "stop a"}) {
		t.Errorf("events %q", l.events)
	}
}

func TestNilContextPanics(t *testing.T) {
	reset(t)
	h := NewHook[int]("count")
	mustPanic(t, "plug.Start: nil context", func() { Start(nil) })
	mustPanic(t, "plug.Stop: nil context", func() { Stop(nil) })
	mustPanic(t, "plug.NewContext: nil context", func() { NewContext(nil, "a", nil) })
	mustPanic(t, `plug: Run of hook "count": nil context`, func() { h.Run(nil, 1) })
}

func TestStartErrorsAs(t *testing.T) {
	tests := []struct {
		name     string
		init     func(*Context) error
		ctx      func() context.Context
		settings map[string]any
		cause    error // wrapped by the StartError
		problems []string
	}{
		{name: "Init fails", init: func(*Context) error { return errBoomT }, cause: errBoomT},
		{
			name: "settings do not decode",
			init: func(c *Context) error {
				var s struct{ N int }
				return c.Settings(&s)
			},
			settings: map[string]any{"n": "x", "m": true},
			problems: []string{`unknown setting "m" (known: N)`, `setting "n": want int, got string "x"`},
		},
		{
			name:     "a setting read at start is missing",
			init:     func(*Context) error { t.Error("Init ran"); return nil },
			settings: map[string]any{"token": Ref{Env: "PLUG_TEST_UNSET_TOKEN"}},
			problems: []string{`setting "token": {env: PLUG_TEST_UNSET_TOKEN} is not set, and the plug config gives no default`},
		},
		{
			name: "cancelled",
			init: func(*Context) error { t.Error("Init ran"); return nil },
			ctx: func() context.Context {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx
			},
			cause: context.Canceled,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reset(t)
			Register(Plugin{Name: "a", Init: tt.init})
			Configure(Configured{Name: "a", Settings: tt.settings})
			ctx := context.Background()
			if tt.ctx != nil {
				ctx = tt.ctx()
			}
			err := Start(ctx)
			var se *StartError
			if !errors.As(err, &se) || se.Plug != "a" {
				t.Fatalf("errors.As(%v, *StartError) = %+v", err, se)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Errorf("%v does not wrap %v", err, tt.cause)
			}
			var sete *SettingsError
			if got := errors.As(err, &sete); got != (tt.problems != nil) {
				t.Fatalf("errors.As(%v, *SettingsError) = %t", err, got)
			}
			if tt.problems != nil && (sete.Plug != "a" || !reflect.DeepEqual(sete.Problems, tt.problems)) {
				t.Errorf("SettingsError %+v, want problems %q", sete, tt.problems)
			}
		})
	}
}

var errBoomT = errors.New("boom")

func TestModuleVersion(t *testing.T) {
	bi := &debug.BuildInfo{
		Main: debug.Module{Path: "plugctl.build/hello", Version: "(devel)"},
		Deps: []*debug.Module{
			{Path: "example.com/a", Version: "v1.2.3"},
			{Path: "example.com/a/nested", Version: "v0.4.0"},
			{Path: "example.com/local", Version: "v0.0.0", Replace: &debug.Module{Path: "./local/x"}},
			{Path: "example.com/moved", Version: "v1.0.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v1.0.1"}},
		},
	}
	tests := []struct {
		pkg  string
		want string
	}{
		{"example.com/a", "v1.2.3"},
		{"example.com/a/plug", "v1.2.3"},
		{"example.com/a/nested/plug", "v0.4.0"},
		{"example.com/ab", ""},
		{"example.com/local/plug", "v0.0.0"},
		{"example.com/moved", "v1.0.1"},
		{"plugctl.build/hello", ""},
		{"other.org/x", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := moduleVersion(bi, tt.pkg); got != tt.want {
			t.Errorf("moduleVersion(%q) = %q, want %q", tt.pkg, got, tt.want)
		}
	}
	if got := moduleVersion(nil, "example.com/a"); got != "" {
		t.Errorf("moduleVersion with no build info = %q", got)
	}
}

// TestListVersion checks where the version List reports comes from: the
// plug's override, else the version plugctl resolved, else the build (for
// this package's tests, the main module: no version).
func TestListVersion(t *testing.T) {
	reset(t)
	Register(Plugin{Name: "pinned", Version: "v9.9.9", Init: nop})
	Register(Plugin{Name: "resolved", Init: nop})
	Register(Plugin{Name: "built", Init: nop})
	Register(Plugin{Name: "unconfigured", Init: nop})
	Configure(
		Configured{Name: "pinned", Module: "example.com/pinned", Version: "v1.0.0"},
		Configured{Name: "resolved", Module: "example.com/resolved", Version: "v1.2.3"},
		Configured{Name: "built", Module: "example.com/built"},
	)
	var got []string
	for _, p := range List() {
		got = append(got, p.Name+" "+p.Version)
	}
	want := []string{"pinned v9.9.9", "resolved v1.2.3", "built ", "unconfigured "}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("List versions %q, want %q", got, want)
	}
}
