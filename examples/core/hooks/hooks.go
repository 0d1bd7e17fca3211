// Package hooks declares the extension points of the example core. Plugs
// import this package, not the core's app package, to attach to them.
package hooks

import "github.com/plugctl/plugctl/plug"

// Greeting is the value that flows through the Greet hook.
type Greeting struct {
	// Name is who is greeted, as given on the command line. Plugs read it
	// and leave it as it is.
	Name string
	// Text is the message so far. The core starts it as Name and prints
	// what the last plug returns.
	Text string
}

// Greet runs for the core's "greet NAME" command: each attached plug, in
// plug config order, receives the Greeting the previous one returned and
// may change its Text.
var Greet = plug.NewHook[Greeting]("greet")
