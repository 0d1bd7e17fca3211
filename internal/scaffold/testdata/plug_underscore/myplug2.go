// Package myplug2 is a plugctl plug.
//
// TODO: say here what it does. Its settings (see plugin.yaml) are examples
// to replace with the plug's own:
//
//	message: hello from my_plug-2
//	verbose: false
package myplug2

import (
	"context"
	"fmt"

	"github.com/plugctl/plugctl/plug"
)

// Name is what the plug registers as: its name in the plug config. Its
// version comes from the build, the version of this module plugctl built.
const Name = "my_plug-2"

func init() {
	plug.Register(plug.Plugin{
		Name:        Name,
		Description: "TODO: say in one line what my_plug-2 does",
		Init:        start,
		Stop:        stop,
	})
}

// Settings are the plug's settings, decoded from its entry in the plug
// config. The json tags are the setting names.
type Settings struct {
	Message string `json:"message"`
	Verbose bool   `json:"verbose"`
}

// DefaultSettings are used where the plug config sets nothing; keep them in
// step with plugin.yaml.
func DefaultSettings() Settings {
	return Settings{Message: "hello from my_plug-2"}
}

// Load decodes the settings the plug config gives the plug and checks them.
// Its errors name the plug and the setting, as the SDK's own do.
func Load(c *plug.Context) (Settings, error) {
	s := DefaultSettings()
	if err := c.Settings(&s); err != nil {
		return s, err
	}
	if s.Message == "" {
		return s, fmt.Errorf("plug %q: setting \"message\" must not be empty", c.Name())
	}
	return s, nil
}

// start is the plug's Init function, run once when the core calls
// plug.Start. It reads the settings; a plug for a core with hooks attaches
// to them here, like hooks.Greet.Attach(c, fn) for the example core.
func start(c *plug.Context) error {
	_, err := Load(c)
	return err
}

// stop is the plug's Stop function, run once when the core calls plug.Stop,
// plugs stopping in the reverse of their start order. It closes what start
// opened (listeners, files, goroutines) and returns once that is done or
// ctx is done. Remove it, and Stop from Register, if start opens nothing.
func stop(ctx context.Context) error {
	return nil
}
