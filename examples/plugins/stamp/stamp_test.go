package stamp

import (
	"context"
	"testing"

	"github.com/plugctl/plugctl/examples/core/hooks"
	"github.com/plugctl/plugctl/plug"
)

func TestStamp(t *testing.T) {
	tests := []struct {
		name     string
		settings Settings
		want     string
	}{
		{"default", DefaultSettings(), "[stamp] Hello"},
		{"repeated", Settings{Prefix: "> ", Repeat: 3}, "> > > Hello"},
		{"none", Settings{Prefix: "> ", Repeat: 0}, "Hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if g := tt.settings.Stamp(hooks.Greeting{Text: "Hello"}); g.Text != tt.want {
				t.Errorf("Stamp = %q, want %q", g.Text, tt.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]any
		want     Settings
		err      string
	}{
		{"defaults", nil, Settings{Prefix: "[stamp] ", Repeat: 1}, ""},
		{"set", map[string]any{"prefix": "* ", "repeat": int64(2)}, Settings{Prefix: "* ", Repeat: 2}, ""},
		{"keeps the default prefix", map[string]any{"repeat": int64(0)}, Settings{Prefix: "[stamp] "}, ""},
		{"too many", map[string]any{"repeat": int64(11)}, Settings{}, `setting "repeat": want 0 to 10, got 11`},
		{"negative", map[string]any{"repeat": int64(-1)}, Settings{}, `setting "repeat": want 0 to 10, got -1`},
		{"wrong type", map[string]any{"repeat": "2"}, Settings{}, `plug "stamp": setting "repeat": want int, got string "2"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := load(plug.NewContext(context.Background(), Name, tt.settings))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("load: got %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("load = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// TestStart starts the plug as the example core does, through the SDK.
func TestStart(t *testing.T) {
	plug.Configure(plug.Configured{Name: Name, Settings: map[string]any{"prefix": "\xff\u202e", "repeat": int64(2)}})
	if err := plug.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	g, err := hooks.Greet.Run(context.Background(), hooks.Greeting{Name: "World", Text: "World"})
	if want := "\xff\u202e\xff\u202eWorld"; err != nil || g.Text != want {
		t.Errorf("greet hook: got %q, %v; want %q", g.Text, err, want)
	}
}
