// Package pipeline runs plugctl's named steps — load, resolve, generate,
// compile — over one project, reporting each step's start, end and duration
// in one place.
package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/build"
	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/modhash"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/source"
)

// StateDir is the directory, beside the config, where plugctl keeps its work.
const StateDir = ".plugctl"

// Project is one config being worked on.
type Project struct {
	Config    *config.Config
	Toolchain gotool.Toolchain
	Set       *Set // after Resolve
	R         report.Reporter
	// Limits bound every git and archive fetch; Load reads them from the
	// environment (source.LimitsFromEnv).
	Limits source.Limits
	// Offline is set by UseVendor: Compile builds from the vendor tree with
	// the network off.
	Offline bool
	// vendorSums holds the tree's go.sum ("path version" -> h1:), for the
	// SBOM: a binary built with -mod=vendor records no module sums.
	vendorSums map[string]string

	// hashes holds the Sums of every directory this run hashed (local
	// sources, fetched trees, replace directories), each read once; trees
	// are the content hashes TreeHash reported, by directory, for the SBOM.
	hashes *modhash.Cache
	trees  map[string]string
	inputs *artifact.Inputs // Inputs, once computed
	lock   *lockState       // after UseLock, or Generate
	// settings are the plugs' settings with their manifests' defaults
	// filled in, by plug name (after Resolve, for an SDK core).
	settings map[string]map[string]any
}

// Step runs fn as the named step, reporting its start, end and duration.
func Step(r report.Reporter, name, detail string, fn func() error) error {
	r.Step(name, detail)
	start := time.Now()
	err := fn()
	r.StepDone(name, time.Since(start), err)
	return err
}

// Load reads and validates the config at path.
func Load(ctx context.Context, r report.Reporter, path string) (*Project, error) {
	p := &Project{R: r}
	err := Step(r, "load", path, func() error {
		cfg, err := config.Load(path)
		if err != nil {
			return err
		}
		p.Config = cfg
		if p.Limits, err = source.LimitsFromEnv(os.LookupEnv); err != nil {
			return err
		}
		p.Toolchain, err = gotool.DetectCached(ctx, r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Resolve pins the core and every enabled plug to a version and a source.
func (p *Project) Resolve(ctx context.Context) error {
	n, unit := len(p.Config.Enabled()), "plugs"
	if n == 1 {
		unit = "plug"
	}
	return Step(p.R, "resolve", fmt.Sprintf("%d %s", n, unit), func() error {
		set, err := p.resolveSources(ctx)
		p.Set = set
		if err != nil {
			return err
		}
		if err := p.checkReplaces(); err != nil {
			return err
		}
		if err := p.checkGoVersions(); err != nil {
			return err
		}
		if err := p.checkPins(); err != nil {
			return err
		}
		return p.checkManifests()
	})
}

// State returns the path of name inside the project's state directory.
func (p *Project) State(name string) string {
	return filepath.Join(p.Config.Dir, StateDir, name)
}

// Data returns what the main template is executed with.
func (p *Project) Data() codegen.Data {
	s := p.Set
	d := codegen.Data{
		Name: p.Config.Name,
		Core: codegen.Core{Main: p.Config.Core.Main, Entry: p.Config.Core.Entry},
		SDK:  s.SDK,
	}
	if d.Core.Main == "" {
		d.Core.Main = s.Core.Module
	}
	seen := map[string]bool{d.Core.Main: true}
	add := func(imp string) {
		if !seen[imp] {
			seen[imp] = true
			d.Imports = append(d.Imports, imp)
		}
	}
	for _, c := range s.Plugs {
		add(c.Import)
		settings := p.plugSettings(c.Name)
		d.Plugs = append(d.Plugs, codegen.Plug{Name: c.Name, Module: c.Module, Version: c.Version, Import: c.Import, Settings: settings, Source: string(c.Kind)})
	}
	for _, imp := range p.Config.Core.Imports {
		add(imp)
	}
	slices.Sort(d.Imports)
	d.Info = codegen.Describe(d, codegen.InfoModule{Module: s.Core.Module, Version: s.Core.Version, Source: string(s.Core.Kind)})
	return d
}

// Owners maps each module of the build to the plug (or core) it belongs to.
func (p *Project) Owners() map[string]string {
	o := map[string]string{p.Set.Core.Module: "core"}
	for _, c := range p.Set.Plugs {
		o[c.Module] = c.Name
	}
	return o
}

// Output returns the artifact path for target t: the -o override or the
// config's build.output, placeholders expanded, relative to the config.
func (p *Project) Output(override string, t platform.Target) string {
	return p.outputFor(override, t, p.Set.Core.Version)
}

// outputFor is Output for a given core version, usable before Resolve.
func (p *Project) outputFor(override string, t platform.Target, version string) string {
	out := p.Config.Build.Output
	if override != "" {
		out = override
	}
	out = strings.NewReplacer("{name}", p.Config.Name, "{os}", t.OS, "{arch}", t.Arch, "{version}", version).Replace(out)
	if t.OS == "windows" && !strings.HasSuffix(out, ".exe") {
		out += ".exe"
	}
	if !filepath.IsAbs(out) && override == "" {
		out = filepath.Join(p.Config.Dir, out)
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return out
	}
	return abs
}

// Compile builds the module in dir for targets.
func (p *Project) Compile(ctx context.Context, dir string, targets []platform.Target, output string) ([]build.Artifact, error) {
	var arts []build.Artifact
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = t.String()
	}
	err := Step(p.R, "compile", strings.Join(names, " "), func() error {
		var err error
		arts, err = build.Compile(ctx, p.R, build.Options{
			Dir:     dir,
			Targets: targets,
			Output:  func(t platform.Target) string { return p.Output(output, t) },
			Tags:    p.Config.Build.Tags,
			Ldflags: p.Config.Build.Ldflags,
			Owners:  p.Owners(),
			Vendor:  p.Offline,
			Claim:   p.claim(output),
		})
		return err
	})
	return arts, err
}

// Prepare resolves the project and writes its build module into dir: the
// part of the pipeline that generate, vendor and build share.
func (p *Project) Prepare(ctx context.Context, dir string) error {
	if err := p.Resolve(ctx); err != nil {
		return err
	}
	return p.Generate(ctx, dir)
}
