package greeter

import (
	"context"
	"errors"
	"testing"

	"github.com/plugctl/plugctl/examples/core/hooks"
	"github.com/plugctl/plugctl/plug"
)

func TestGreet(t *testing.T) {
	tests := []struct {
		name     string
		settings Settings
		text     string
		want     string
	}{
		{"default", DefaultSettings(), "World", "Hello, World"},
		{"another greeting", Settings{Greeting: "Hi"}, "Bob", "Hi, Bob"},
		{"shout", Settings{Greeting: "Hello", Shout: true}, "World", "HELLO, WORLD!"},
		{"after another plug", Settings{Greeting: "Hello"}, "[x] World", "Hello, [x] World"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.settings.Greet(hooks.Greeting{Name: "n", Text: tt.text})
			if g.Text != tt.want || g.Name != "n" {
				t.Errorf("Greet = %+v, want text %q", g, tt.want)
			}
		})
	}
}

func TestSettingsError(t *testing.T) {
	c := plug.NewContext(context.Background(), Name, map[string]any{"greeting": int64(1), "colour": "red"})
	err := start(c)
	want := `plug "greeter": unknown setting "colour" (known: greeting, shout); setting "greeting": want string, got int 1`
	if err == nil || err.Error() != want {
		t.Errorf("start: got %v\nwant %s", err, want)
	}
}

func TestSettingsFromEnvironment(t *testing.T) {
	t.Setenv("GREETER_TEST_GREETING", "Howdy")
	c := plug.NewContext(context.Background(), Name, map[string]any{"greeting": plug.Ref{Env: "GREETER_TEST_GREETING", Type: "string"}})
	s := DefaultSettings()
	if err := c.Settings(&s); err != nil || s.Greeting != "Howdy" {
		t.Errorf("Settings: %+v, %v", s, err)
	}
}

// TestLifecycle starts and stops the plug as the example core does, through
// the SDK: it reports the version plugctl resolved, greets while started and
// refuses to once stopped.
func TestLifecycle(t *testing.T) {
	plug.Configure(plug.Configured{Name: Name, Module: "example.com/greeter", Version: "v1.2.3", Settings: map[string]any{"greeting": "Hi", "shout": true}})
	if err := plug.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	g, err := hooks.Greet.Run(context.Background(), hooks.Greeting{Name: "World", Text: "World"})
	if err != nil || g.Text != "HI, WORLD!" {
		t.Errorf("greet hook: got %q, %v; want %q", g.Text, err, "HI, WORLD!")
	}
	list := plug.List()
	if len(list) != 1 || list[0].Name != Name || list[0].Version != "v1.2.3" || !list[0].Configured {
		t.Errorf("List = %+v", list)
	}
	if err := plug.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := hooks.Greet.Run(context.Background(), hooks.Greeting{Name: "World", Text: "World"}); !errors.Is(err, ErrStopped) {
		t.Errorf("greet hook after Stop: %v, want %v", err, ErrStopped)
	}
}

// TestStopWaits stops the plug while a greeting is under way: Stop waits
// for it until its context ends.
func TestStopWaits(t *testing.T) {
	running.wg.Add(1) // a greeting under way
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := stop(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("stop with a greeting under way: %v", err)
	}
	running.wg.Done()
	if err := stop(context.Background()); err != nil {
		t.Errorf("stop: %v", err)
	}
	running.mu.Lock()
	running.stopped = false
	running.mu.Unlock()
}
