package plug_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

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
// them, runs its hook, lists what is compiled in and stops them.
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
		Stop: func(context.Context) error {
			fmt.Println("hello: stopped")
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
		Stop: func(context.Context) error {
			fmt.Println("bang: stopped")
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

	// The core, when it is done: the plugs stop in reverse start order.
	stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := plug.Stop(stopCtx); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Hi, Gopher!
	// run order: [hello bang]
	// hello v1.0.0 configured=true module="example.com/hello" settings=map[greeting:Hi]
	// bang v0.3.0 configured=false module="" settings=map[]
	// bang: stopped
	// hello: stopped
}

// A setting the plug config gives as {env: NAME} or {file: PATH} reaches the
// generated main as a Ref, and the plug as the value read when it starts;
// the binary holds only the reference. NewContext reads references as Start
// does, for a plug's own tests.
func ExampleRef() {
	os.Setenv("EXAMPLE_API_TOKEN", "s3cr3t") // the program's environment

	settings := map[string]any{
		// token: {env: EXAMPLE_API_TOKEN}
		"token": plug.Ref{Env: "EXAMPLE_API_TOKEN", Type: "string"},
		// port: {env: EXAMPLE_PORT, default: 8080}
		"port": plug.Ref{Env: "EXAMPLE_PORT", Type: "int", Default: int64(8080), HasDefault: true},
	}
	c := plug.NewContext(context.Background(), "api", settings)
	var s struct {
		Token string `json:"token"`
		Port  int    `json:"port"`
	}
	if err := c.Settings(&s); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(s.Token), "bytes of token; port", s.Port)
	fmt.Println("token:", settings["token"])

	// A reference with no default that cannot be read fails, naming the
	// plug, the setting and the reference, never a value.
	c = plug.NewContext(context.Background(), "api", map[string]any{"token": plug.Ref{File: "/nonexistent/token"}})
	fmt.Println(c.Settings(&s))
	// Output:
	// 6 bytes of token; port 8080
	// token: {env: EXAMPLE_API_TOKEN}
	// plug "api": setting "token": {file: "/nonexistent/token"} does not exist, and the plug config gives no default
}
