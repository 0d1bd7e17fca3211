// Package greeter is an example plug for the example core: it turns the
// greet hook's text into a greeting, "Hello, NAME".
//
// Its settings (see plugin.yaml):
//
//	greeting: Hello   # the word before the text, default "Hello"
//	shout: false      # upper-case the greeting and end it with "!"
//
// The greeting may come from the environment or a file when the program
// starts, rather than from the binary: greeting: {env: GREETING}.
//
// It shows a plug's whole lifecycle: it registers with no version (the
// build supplies it), attaches to the hook when it starts, and when it
// stops waits for the greetings under way and refuses new ones.
package greeter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/plugctl/plugctl/examples/core/hooks"
	"github.com/plugctl/plugctl/plug"
)

// Name is the plug's name in the plug config.
const Name = "greeter"

func init() {
	plug.Register(plug.Plugin{
		Name:        Name,
		Description: "Greets people through the core's greet hook",
		Init:        start,
		Stop:        stop,
	})
}

// Settings are the greeter's settings.
type Settings struct {
	Greeting string `json:"greeting"` // put before the text, followed by ", "
	Shout    bool   `json:"shout"`    // upper-case the result and add "!"
}

// DefaultSettings returns the settings used where the plug config has none.
func DefaultSettings() Settings { return Settings{Greeting: "Hello"} }

// ErrStopped is the greet hook's error once the plug has stopped.
var ErrStopped = errors.New("greeter: stopped")

// running counts the greetings under way, and refuses new ones once the
// plug stops.
var running struct {
	mu      sync.Mutex
	stopped bool
	wg      sync.WaitGroup
}

// start reads the settings and attaches to the greet hook.
func start(c *plug.Context) error {
	s := DefaultSettings()
	if err := c.Settings(&s); err != nil {
		return err
	}
	hooks.Greet.Attach(c, func(_ context.Context, g hooks.Greeting) (hooks.Greeting, error) {
		running.mu.Lock()
		if running.stopped {
			running.mu.Unlock()
			return g, ErrStopped
		}
		running.wg.Add(1)
		running.mu.Unlock()
		defer running.wg.Done()
		return s.Greet(g), nil
	})
	return nil
}

// stop refuses new greetings and waits for those under way, until ctx is
// done.
func stop(ctx context.Context) error {
	running.mu.Lock()
	running.stopped = true
	running.mu.Unlock()
	done := make(chan struct{})
	go func() {
		running.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("greetings still under way: %w", ctx.Err())
	}
}

// Greet returns g with the greeting put before its text.
func (s Settings) Greet(g hooks.Greeting) hooks.Greeting {
	g.Text = s.Greeting + ", " + g.Text
	if s.Shout {
		g.Text = strings.ToUpper(g.Text) + "!"
	}
	return g
}
