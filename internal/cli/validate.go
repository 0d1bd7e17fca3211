package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/source/kinds"
)

// validateOptions are the inputs of plugctl validate.
type validateOptions struct {
	*globals
}

func newCmdValidate(g *globals, runF func(context.Context, *validateOptions) error) *cobra.Command {
	o := &validateOptions{globals: g}
	return withExits(&cobra.Command{
		Use:   "validate",
		Short: "Check the config and the plugs' manifests, listing every problem",
		Long: `validate checks the config and every plug's source and manifest without compiling
anything, and lists every problem it finds, each at its file:line:col with the plug it
concerns. It resolves what the config names (the module proxy, git repositories) to
check the manifests of what it finds, but writes nothing: no lock, no state.`,
		Example: `  plugctl validate
  plugctl validate -f site.yaml --json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return validateRun(cmd.Context(), o)
		},
	}, fail.Config, fail.Fetch, fail.Policy)
}

// validateResult is the --json document of validate (docs/json.md). The
// problems of an invalid config are in error.problems, as for every command.
type validateResult struct {
	envelope
	// File is the config as named on the command line.
	File string `json:"file"`
	// Name is the config's name; empty when it could not be read.
	Name string `json:"name,omitempty"`
	// Core is the resolved core; absent when the config is invalid.
	Core *jsonComponent `json:"core,omitempty"`
	// Plugs are every plug of the config in file order, disabled ones
	// included; empty when the config is invalid.
	Plugs []jsonComponent `json:"plugs"`
	// Warnings are what is valid but unwise in the config (a setting that
	// looks like a secret given as a literal), each at its position;
	// empty when there is none or the config cannot be read. They do not
	// fail validate.
	Warnings []jsonProblem `json:"warnings"`
	// Build is how the core is built, its profile applied; absent when
	// the config is invalid.
	Build *jsonBuild `json:"build,omitempty"`
}

// jsonBuild is how the core is built (internal/profile), as validate
// --json shows it.
type jsonBuild struct {
	// Profile is the core profile in use; empty for none.
	Profile string `json:"profile,omitempty"`
	// Main and Entry are the package and the call the generated main
	// makes (empty when the profile's templates make their own main).
	Main  string `json:"main,omitempty"`
	Entry string `json:"entry,omitempty"`
	// Imports are the core's extra blank imports.
	Imports []string `json:"imports"`
	// Tags and Ldflags are what the compile uses.
	Tags    []string `json:"tags"`
	Ldflags []string `json:"ldflags"`
	// Kinds gives each plug its kind, for a core that wires kinds.
	Kinds map[string]string `json:"kinds,omitempty"`
	// Defaults are the components the profile builds in, "module
	// version", for the kinds no plug has.
	Defaults []string `json:"defaults,omitempty"`
	// Order is the core's plugins in the order it runs them, every plug
	// at its place, for a core that keeps one.
	Order []string `json:"order,omitempty"`
}

// jsonComponent is the core or a plug as the --json documents show it.
type jsonComponent struct {
	Name string `json:"name"`
	// Kind is where it comes from: module, git, archive or local.
	Kind string `json:"kind"`
	// Source is the config's source, credentials redacted; empty for the
	// module proxy.
	Source string `json:"source,omitempty"`
	Module string `json:"module"`
	// Requested is the version or constraint the config asks for.
	Requested string `json:"requested,omitempty"`
	// Version is the resolved version; empty for a disabled plug.
	Version string `json:"version,omitempty"`
	Enabled bool   `json:"enabled"`
}

func component(c source.Component, src string) jsonComponent {
	return jsonComponent{
		Name: c.Name, Kind: string(c.Kind), Source: redact.String(src), Module: c.Module,
		Requested: c.Requested, Version: c.Version, Enabled: true,
	}
}

// kindOf names the kind of a config source for --json and prompts:
// "module", "git", …, or "unknown" for a source no kind claims.
func kindOf(src string) string {
	if k, ok := kinds.Classify(src); ok {
		return string(k.Kind())
	}
	return "unknown"
}

// isKind reports whether a config source has the form of kind k.
func isKind(src string, k source.Kind) bool {
	s, ok := kinds.Classify(src)
	return ok && s.Kind() == k
}

func validateRun(ctx context.Context, o *validateOptions) error {
	res := &validateResult{File: o.file, Plugs: []jsonComponent{}, Warnings: []jsonProblem{}}
	o.result = res
	if err := o.findConfig(); err != nil {
		return err
	}
	res.File = o.file // as found
	s := o.newState(pipeline.Options{File: o.file})
	defer s.Close()
	// The config's warnings come once it is loaded, before what it names
	// is resolved.
	load, rest := pipeline.ValidateSteps[:1], pipeline.ValidateSteps[1:]
	err := pipeline.Run(ctx, s, load)
	if s.Config != nil {
		res.Name = s.Config.Name
		warn(o, res, s.Config.Warnings())
	}
	if err == nil {
		err = pipeline.Run(ctx, s, rest)
	}
	if err != nil {
		return err
	}
	core := component(s.Set.Core, s.Config.Core.Source)
	res.Core = &core
	resolved := map[string]source.Component{}
	for _, c := range s.Set.Plugs {
		resolved[c.Name] = c
	}
	for _, pl := range s.Config.Plugins {
		if c, ok := resolved[pl.Name]; ok {
			res.Plugs = append(res.Plugs, component(c, pl.Source))
			continue
		}
		res.Plugs = append(res.Plugs, jsonComponent{
			Name: pl.Name, Kind: kindOf(pl.Source), Source: redact.String(pl.Source),
			Module: pl.Module, Requested: pl.Version,
		})
	}
	b := s.Profile
	res.Build = &jsonBuild{Profile: b.Profile, Imports: orEmpty(b.Imports), Kinds: b.Kind, Order: b.Order}
	if b.CallsEntry {
		res.Build.Main, res.Build.Entry = b.Main, b.Call.String()
	}
	tags, ldflags := s.BuildFlags()
	res.Build.Tags, res.Build.Ldflags = orEmpty(tags), orEmpty(ldflags)
	for _, d := range b.Defaults {
		res.Build.Defaults = append(res.Build.Defaults, d.Module+" "+d.Version)
	}
	if !o.json {
		profile := ""
		if b.Profile != "" {
			profile = ", profile " + b.Profile
		}
		fmt.Fprintf(o.ios.Out, "%s: ok (core %s%s, %s enabled)\n", lineText(o.file), s.Set.Core.Module, profile, plural(len(s.Set.Plugs), "plug", "plugs"))
	}
	return nil
}

// warn reports the config's warnings: on stderr, each as a problem is
// printed with "warning: " before its message, and in --json's warnings.
func warn(o *validateOptions, res *validateResult, warnings diag.List) {
	for _, w := range warnings {
		res.Warnings = append(res.Warnings, jsonProblem{w.File, w.Pos.Line, w.Pos.Col, w.Subject, redact.String(w.Msg)})
		shown := *w
		shown.Msg = "warning: " + w.Msg
		fmt.Fprintln(o.ios.ErrOut, safeText(shown.Error()))
	}
}

// orEmpty returns ss, or an empty list for nil: JSON lists are never null.
func orEmpty(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}
