package audit

import (
	"context"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/plug"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]any
		want     Settings
		err      string
	}{
		{"defaults", nil, DefaultSettings(), ""},
		{"set", map[string]any{"message": "hi", "verbose": true}, Settings{Message: "hi", Verbose: true}, ""},
		{"empty message", map[string]any{"message": ""}, Settings{}, `setting "message" must not be empty`},
		{"wrong type", map[string]any{"verbose": "yes"}, Settings{}, `setting "verbose"`},
		{"unknown setting", map[string]any{"colour": "red"}, Settings{}, `unknown setting "colour"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load(plug.NewContext(context.Background(), Name, tt.settings))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), Name) {
					t.Fatalf("got %v, want an error naming the plug and containing %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// TestRegistered checks that the plug registers itself under its name, as
// a binary built by plugctl will list it.
func TestRegistered(t *testing.T) {
	for _, p := range plug.List() {
		if p.Name == Name {
			return
		}
	}
	t.Errorf("plug %q is not registered", Name)
}

// TestStop checks that the plug stops when the core stops the plugs.
func TestStop(t *testing.T) {
	if err := stop(context.Background()); err != nil {
		t.Errorf("stop: %v", err)
	}
}
