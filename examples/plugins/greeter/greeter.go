// Package greeter is an example plug for the example core: it turns the
// greet hook's text into a greeting, "Hello, NAME".
//
// Its settings (see plugin.yaml):
//
//	greeting: Hello   # the word before the text, default "Hello"
//	shout: false      # upper-case the greeting and end it with "!"
package greeter

import (
	"context"
	"strings"

	"github.com/plugctl/plugctl/examples/core/hooks"
	"github.com/plugctl/plugctl/plug"
)

// Name and Version are what the plug registers as.
const (
	Name    = "greeter"
	Version = "v0.1.0"
)

func init() {
	plug.Register(plug.Plugin{
		Name:        Name,
		Version:     Version,
		Description: "Greets people through the core's greet hook",
		Init:        start,
	})
}

// Settings are the greeter's settings.
type Settings struct {
	Greeting string `json:"greeting"` // put before the text, followed by ", "
	Shout    bool   `json:"shout"`    // upper-case the result and add "!"
}

// DefaultSettings returns the settings used where the plug config has none.
func DefaultSettings() Settings { return Settings{Greeting: "Hello"} }

// start reads the settings and attaches to the greet hook.
func start(c *plug.Context) error {
	s := DefaultSettings()
	if err := c.Settings(&s); err != nil {
		return err
	}
	hooks.Greet.Attach(c, func(_ context.Context, g hooks.Greeting) (hooks.Greeting, error) {
		return s.Greet(g), nil
	})
	return nil
}

// Greet returns g with the greeting put before its text.
func (s Settings) Greet(g hooks.Greeting) hooks.Greeting {
	g.Text = s.Greeting + ", " + g.Text
	if s.Shout {
		g.Text = strings.ToUpper(g.Text) + "!"
	}
	return g
}
