// Package stamp is an example plug for the example core: it puts a prefix,
// repeated, before the greet hook's text.
//
// Its settings (see plugin.yaml):
//
//	prefix: "[stamp] "   # what to put before the text, default "[stamp] "
//	repeat: 1            # how many times, 0 to 10, default 1
package stamp

import (
	"context"
	"fmt"
	"strings"

	"github.com/plugctl/plugctl/examples/core/hooks"
	"github.com/plugctl/plugctl/plug"
)

// Name is the plug's name in the plug config.
const Name = "stamp"

// MaxRepeat bounds the repeat setting.
const MaxRepeat = 10

func init() {
	// No Version: the build supplies it. No Stop: the plug opens nothing
	// that needs closing.
	plug.Register(plug.Plugin{
		Name:        Name,
		Description: "Decorates the greeting with a repeated prefix",
		Init:        start,
	})
}

// Settings are the stamp's settings.
type Settings struct {
	Prefix string `json:"prefix"` // put before the text
	Repeat int    `json:"repeat"` // how many times, 0 to MaxRepeat
}

// DefaultSettings returns the settings used where the plug config has none.
func DefaultSettings() Settings { return Settings{Prefix: "[stamp] ", Repeat: 1} }

// load decodes and checks the plug's settings.
func load(c *plug.Context) (Settings, error) {
	s := DefaultSettings()
	if err := c.Settings(&s); err != nil {
		return s, err
	}
	if s.Repeat < 0 || s.Repeat > MaxRepeat {
		return s, fmt.Errorf("setting \"repeat\": want 0 to %d, got %d", MaxRepeat, s.Repeat)
	}
	return s, nil
}

// start reads the settings and attaches to the greet hook.
func start(c *plug.Context) error {
	s, err := load(c)
	if err != nil {
		return err
	}
	hooks.Greet.Attach(c, func(_ context.Context, g hooks.Greeting) (hooks.Greeting, error) {
		return s.Stamp(g), nil
	})
	return nil
}

// Stamp returns g with the prefix, repeated, put before its text.
func (s Settings) Stamp(g hooks.Greeting) hooks.Greeting {
	g.Text = strings.Repeat(s.Prefix, s.Repeat) + g.Text
	return g
}
