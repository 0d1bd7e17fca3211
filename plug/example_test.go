package plug_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/plugctl/plugctl/plug"
)

// Greeting is the value the example core's greet hook passes along.
type Greeting struct {
	Name, Text string
}

// greet is the hook the core declares, in a package its plugs import.
var greet = plug.NewHook[Greeting]("greet")

// This example plays all three parts: two plugs register (from init, in real
// code), the generated main configures one of them, and the core starts
// them, runs its hook and lists what is compiled in.
func Example() {
	// A plug package.
	plug.Register(plug.Plugin{
		Name:        "hello",
		Version:     "v1.0.0",
		Description: "greets people",
		Init: func(c *plug.Context) error {
			settings := struct {
				Greeting string `json:"greeting"`
				Shout    bool   `json:"shout"`
			}{Greeting: "Hello"}
			if err := c.Settings(&settings); err != nil {
				return err
			}
			greet.Attach(c, func(_ context.Context, g Greeting) (Greeting, error) {
				g.Text = settings.Greeting + ", " + g.Text
				if settings.Shout {
					g.Text = strings.ToUpper(g.Text)
				}
				return g, nil
			})
			return nil
		},
	})
	// Another plug package, which the config does not name.
	plug.Register(plug.Plugin{
		Name:    "bang",
		Version: "v0.3.0",
		Init: func(c *plug.Context) error {
			greet.Attach(c, func(_ context.Context, g Greeting) (Greeting, error) {
				g.Text += "!"
				return g, nil
			})
			return nil
		},
	})

	// The generated main.
	plug.Configure(plug.Configured{
		Name: "hello", Module: "example.com/hello", Version: "v1.0.0",
		Settings: map[string]any{"greeting": "Hi"},
	})

	// The core.
	ctx := context.Background()
	if err := plug.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	g, err := greet.Run(ctx, Greeting{Name: "Gopher", Text: "Gopher"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(g.Text)
	fmt.Println("run order:", greet.Plugs())
	for _, p := range plug.List() {
		fmt.Printf("%s %s configured=%t module=%q settings=%v\n", p.Name, p.Version, p.Configured, p.Module, p.Settings)
	}
	// Output:
	// Hi, Gopher!
	// run order: [hello bang]
	// hello v1.0.0 configured=true module="example.com/hello" settings=map[greeting:Hi]
	// bang v0.3.0 configured=false module="" settings=map[]
}
