// Package wave is a test plug for the example core, fetched from the test
// module proxy: it ends the greeting with a wave.
package wave

import (
	"context"

	"github.com/plugctl/plugctl/examples/core/hooks"
	"github.com/plugctl/plugctl/plug"
)

func init() {
	plug.Register(plug.Plugin{
		Name:        "wave",
		Version:     "v0.2.0",
		Description: "Waves after the greeting",
		Init: func(c *plug.Context) error {
			hooks.Greet.Attach(c, func(_ context.Context, g hooks.Greeting) (hooks.Greeting, error) {
				g.Text += " (wave v0.2.0)"
				return g, nil
			})
			return nil
		},
	})
}
