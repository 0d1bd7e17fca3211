package greeter

import (
	"context"
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

// TestStart starts the plug as the example core does, through the SDK.
func TestStart(t *testing.T) {
	plug.Configure(plug.Configured{Name: Name, Settings: map[string]any{"greeting": "Hi", "shout": true}})
	if err := plug.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	g, err := hooks.Greet.Run(context.Background(), hooks.Greeting{Name: "World", Text: "World"})
	if err != nil || g.Text != "HI, WORLD!" {
		t.Errorf("greet hook: got %q, %v; want %q", g.Text, err, "HI, WORLD!")
	}
	list := plug.List()
	if len(list) != 1 || list[0].Name != Name || list[0].Version != Version || !list[0].Configured {
		t.Errorf("List = %+v", list)
	}
}
