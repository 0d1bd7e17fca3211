package scaffold

import (
	"bytes"
	"fmt"
	"text/template"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/templates"
)

// Starter is what plugctl init writes a plug config from. Empty fields are
// left out of the file (or shown as a commented example); nothing here is
// checked: the caller parses what Config returns before writing it.
type Starter struct {
	// File is the config's file name, for its first line.
	File string
	// Name is the config's name.
	Name string
	Core StarterCore
	// Plugs are written in order.
	Plugs []StarterPlug
	// Replace maps module paths to a version or a local directory.
	Replace map[string]string
	// Targets are os/arch pairs; none means the host.
	Targets []string
}

// StarterCore is the core of a starter config.
type StarterCore struct {
	Module, Source, Version string
	// Main is the package holding Entry; written only when it is not the
	// core module itself.
	Main    string
	Entry   string
	Imports []string
	// Profile, when set, is the core's profile: the config then names the
	// core's module and version only, and shows what the profile gives as
	// comments a user may uncomment to override it.
	Profile *StarterProfile
}

// StarterProfile is what a starter config says of a core profile.
type StarterProfile struct {
	Name, Description string
	Main, Entry       string // empty when the profile's templates make their own main
	Imports           []string
	Tags, Ldflags     []string
	// Order reports that the core runs its plugins in order: each plug
	// needs a position.
	Order bool
}

// StarterPlug is one plug of a starter config. Kind and a position
// (Before or After) are for cores whose profile wires kinds or keeps an
// order.
type StarterPlug struct {
	Name, Module, Version, Source string
	Kind, Before, After           string
}

var starter = template.Must(template.New("plugconfig.yaml").Funcs(Funcs).Option("missingkey=error").Parse(templates.Starter))

// Config renders the commented starter plug config of s. Every commented
// line holding a key is valid when uncommented, alone or with the others.
func Config(s Starter) ([]byte, error) {
	data := struct {
		Starter
		Output, Vendor string
	}{s, config.DefaultMultiOutput, config.DefaultVendor}
	var b bytes.Buffer
	if err := starter.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("writing the starter config: %w", err)
	}
	return b.Bytes(), nil
}
