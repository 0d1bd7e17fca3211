// Package pipeline runs plugctl's named steps — load, resolve, generate,
// compile — over one project, reporting each step's start, end and duration
// in one place.
package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/build"
	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/resolve"
)

// StateDir is the directory, beside the config, where plugctl keeps its work.
const StateDir = ".plugctl"

// Project is one config being worked on.
type Project struct {
	Config    *config.Config
	Toolchain gotool.Toolchain
	Set       *resolve.Set // after Resolve
	R         report.Reporter
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
		p.Toolchain, err = gotool.Detect(ctx, r)
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
		set, err := resolve.Resolve(ctx, p.R, p.Config)
		p.Set = set
		return err
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
		settings := map[string]any{}
		for _, pl := range p.Config.Plugins {
			if pl.Name == c.Name && pl.Settings != nil {
				settings = pl.Settings
			}
		}
		d.Plugs = append(d.Plugs, codegen.Plug{Name: c.Name, Module: c.Module, Version: c.Version, Import: c.Import, Settings: settings})
	}
	for _, imp := range p.Config.Core.Imports {
		add(imp)
	}
	slices.Sort(d.Imports)
	d.Info = p.info(d)
	return d
}

// Info is the description of a build embedded in its binary and read back by
// plugctl inspect.
type Info struct {
	Schema int        `json:"schema"`
	Name   string     `json:"name"`
	Core   InfoModule `json:"core"`
	Plugs  []InfoPlug `json:"plugs"`
}

// InfoModule names a module at a version.
type InfoModule struct {
	Module  string `json:"module"`
	Version string `json:"version"`
}

// InfoPlug describes one plug compiled into a binary.
type InfoPlug struct {
	Name           string `json:"name"`
	Module         string `json:"module"`
	Version        string `json:"version"`
	SettingsDigest string `json:"settings_digest"`
}

// InfoMarker precedes the JSON build description inside a binary.
const InfoMarker = "plugctl-info:v1:"

func (p *Project) info(d codegen.Data) string {
	in := Info{Schema: 1, Name: d.Name, Core: InfoModule{p.Set.Core.Module, p.Set.Core.Version}, Plugs: []InfoPlug{}}
	for _, pl := range d.Plugs {
		sum := sha256.Sum256([]byte(codegen.Literal(pl.Settings)))
		in.Plugs = append(in.Plugs, InfoPlug{pl.Name, pl.Module, pl.Version, "sha256:" + hex.EncodeToString(sum[:])})
	}
	b, _ := json.Marshal(in)
	return InfoMarker + string(b)
}

// Generate writes the build module into dir: go.mod and go.sum completed by
// `go mod tidy`, and the generated main package. The module is assembled in
// a sibling temporary directory and its files renamed into dir, so an
// interrupted run never leaves a half-written module.
func (p *Project) Generate(ctx context.Context, dir string) error {
	return Step(p.R, "generate", dir, func() error {
		dir, err := filepath.Abs(dir)
		if err != nil {
			return err
		}
		tmp, err := files.TempDir(dir)
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if err := p.writeModule(ctx, dir, tmp); err != nil {
			return err
		}
		for _, name := range []string{"go.mod", "go.sum", "main.go"} {
			data, err := os.ReadFile(filepath.Join(tmp, name))
			if os.IsNotExist(err) && name == "go.sum" {
				data, err = nil, nil
			}
			if err != nil {
				return err
			}
			if err := files.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeModule writes the module meant for dir into tmp, a sibling of dir
// (so relative replace paths are the same in both), and tidies it there.
func (p *Project) writeModule(ctx context.Context, dir, tmp string) error {
	s := p.Set
	m := codegen.Module{Path: "plugctl.build/" + p.Config.Name, Go: p.Toolchain.Lang()}
	replaced := map[string]bool{}
	for _, c := range append([]resolve.Component{s.Core}, s.Plugs...) {
		m.Require = append(m.Require, module.Version{Path: c.Module, Version: c.Version})
		if c.Dir != "" {
			rel, err := relDir(dir, c.Dir)
			if err != nil {
				return err
			}
			m.Replace = append(m.Replace, codegen.Replace{Old: module.Version{Path: c.Module}, New: module.Version{Path: rel}})
			replaced[c.Module] = true
		}
	}
	for _, r := range p.Config.Replace {
		if replaced[r.Path] {
			return fail.New(fail.Config, "%s:%d:%d: replace %s: the module is already built from its source in the config", p.Config.File, r.Pos.Line, r.Pos.Col, r.Path)
		}
		rep := codegen.Replace{Old: module.Version{Path: r.Path}, New: module.Version{Path: r.Path, Version: r.Version}}
		if r.Dir != "" {
			abs := r.Dir
			if !filepath.IsAbs(abs) {
				abs = filepath.Join(p.Config.Dir, abs)
			}
			rel, err := relDir(dir, abs)
			if err != nil {
				return err
			}
			rep.New = module.Version{Path: rel}
		}
		m.Replace = append(m.Replace, rep)
	}
	gomod, err := codegen.GoMod(m)
	if err != nil {
		return fmt.Errorf("writing go.mod: %w", err)
	}
	tmpl := ""
	if t := p.Config.Core.Template; t != "" {
		if !filepath.IsAbs(t) {
			t = filepath.Join(p.Config.Dir, t)
		}
		b, err := os.ReadFile(t)
		if err != nil {
			return fail.Wrap(fail.Config, fmt.Errorf("core.template: %w", err))
		}
		tmpl = string(b)
	}
	src, err := codegen.Main(p.Data(), tmpl)
	if err != nil {
		return fail.Wrap(fail.Config, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), gomod, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "main.go"), src, 0o644); err != nil {
		return err
	}
	if _, err := gotool.Go(ctx, p.R, tmp, map[string]string{"GOFLAGS": "-mod=mod"}, "mod", "tidy"); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return fail.Wrap(fail.Fetch, fmt.Errorf("completing the module graph: %w", err))
	}
	return nil
}

// relDir returns target relative to dir in the form go.mod replace wants.
func relDir(dir, target string) (string, error) {
	rel, err := filepath.Rel(dir, target)
	if err != nil {
		return "", err
	}
	rel = filepath.ToSlash(rel)
	if !strings.HasPrefix(rel, "../") && rel != ".." {
		rel = "./" + rel
	}
	return rel, nil
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
func (p *Project) Output(override string, t config.Target) string {
	out := p.Config.Build.Output
	if override != "" {
		out = override
	}
	out = strings.NewReplacer("{name}", p.Config.Name, "{os}", t.OS, "{arch}", t.Arch, "{version}", p.Set.Core.Version).Replace(out)
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
func (p *Project) Compile(ctx context.Context, dir string, targets []config.Target, output string) ([]build.Artifact, error) {
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
			Output:  func(t config.Target) string { return p.Output(output, t) },
			Tags:    p.Config.Build.Tags,
			Ldflags: p.Config.Build.Ldflags,
			Owners:  p.Owners(),
		})
		return err
	})
	return arts, err
}
