// Package resolve turns the core and plugs of a config into exact module
// versions with a place on disk to build them from.
package resolve

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/report"
)

// LocalVersion is the version a module built from a directory is required at.
const LocalVersion = "v0.0.0"

// Component is the core or one plug, resolved.
type Component struct {
	Name      string // plug name; "core" for the core
	Kind      config.SourceKind
	Module    string // module path
	Requested string // version or constraint as the config wrote it
	Version   string // resolved version (LocalVersion for directories)
	Import    string // package to import (plugs) or that holds the entry (core)
	Dir       string // absolute source directory for local, git and archive sources
	GoMod     *modfile.File
}

// Set is everything a build is made of.
type Set struct {
	Core  Component
	Plugs []Component // enabled plugs, config order
	// SDK reports whether the core uses the plugctl SDK: only then does the
	// generated main deliver settings.
	SDK bool
}

// Resolve resolves the core and the enabled plugs of cfg.
func Resolve(ctx context.Context, r report.Reporter, cfg *config.Config) (*Set, error) {
	core, err := component(ctx, r, cfg, "core", cfg.Core.Module, cfg.Core.Version, cfg.Core.Source, cfg.Core.Main)
	if err != nil {
		return nil, err
	}
	set := &Set{Core: core}
	for _, p := range cfg.Enabled() {
		c, err := component(ctx, r, cfg, p.Name, p.Module, p.Version, p.Source, p.Import)
		if err != nil {
			return nil, err
		}
		set.Plugs = append(set.Plugs, c)
	}
	if core.GoMod != nil {
		for _, req := range core.GoMod.Require {
			if req.Mod.Path == config.SDKModule {
				set.SDK = true
			}
		}
	}
	if core.Module == config.SDKModule {
		set.SDK = true
	}
	if !set.SDK {
		var errs config.Errors
		for _, p := range cfg.Enabled() {
			if len(p.Settings) > 0 {
				errs = append(errs, &config.Error{File: cfg.File, Pos: p.KeyPos["settings"], Plug: p.Name,
					Msg: fmt.Sprintf("has settings, but core %s does not use the plugctl SDK (%s), so nothing would read them; remove the settings or configure the plug the way the core expects", core.Module, config.SDKModule)})
			}
		}
		if len(errs) > 0 {
			return nil, fail.Wrap(fail.Config, errs)
		}
	}
	return set, nil
}

func component(ctx context.Context, r report.Reporter, cfg *config.Config, name, mod, version, source, imp string) (Component, error) {
	c := Component{Name: name, Kind: config.KindOf(source), Module: mod, Requested: version, Import: imp}
	switch c.Kind {
	case config.SourceLocal:
		dir := source
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(cfg.Dir, dir)
		}
		f, err := readGoMod(filepath.Join(dir, "go.mod"))
		if err != nil {
			return c, fail.Wrap(fail.Config, fmt.Errorf("%s %s: %w", label(name), source, err))
		}
		if c.Module != "" && c.Module != f.Module.Mod.Path {
			return c, fail.New(fail.Config, "%s %s: the config says module %s but its go.mod says %s", label(name), source, c.Module, f.Module.Mod.Path)
		}
		c.Module, c.Version, c.Dir, c.GoMod = f.Module.Mod.Path, LocalVersion, dir, f
	case config.SourceModule:
		if !isExact(version) {
			return c, fail.New(fail.Config, "%s %s: version %q is not an exact version; constraints are not supported yet", label(name), mod, version)
		}
		c.Version = version
		info, err := download(ctx, r, module.Version{Path: mod, Version: version})
		if err != nil {
			return c, fail.Wrap(fail.Fetch, fmt.Errorf("%s %s@%s: %w", label(name), mod, version, err))
		}
		f, err := readGoMod(info.GoMod)
		if err != nil {
			return c, fail.Wrap(fail.Fetch, fmt.Errorf("%s %s@%s: %w", label(name), mod, version, err))
		}
		c.GoMod = f
	default:
		return c, fail.New(fail.Config, "%s: source %q is not supported yet", label(name), source)
	}
	if c.Import == "" {
		c.Import = c.Module
	}
	if c.Import != c.Module && !isBelow(c.Import, c.Module) {
		return c, fail.New(fail.Config, "%s: import path %s is not inside module %s", label(name), c.Import, c.Module)
	}
	return c, nil
}

func label(name string) string {
	if name == "core" {
		return "core"
	}
	return fmt.Sprintf("plug %q", name)
}

func isBelow(pkg, mod string) bool {
	return len(pkg) > len(mod) && pkg[:len(mod)] == mod && pkg[len(mod)] == '/'
}

// isExact reports whether v names one version rather than a set of them.
func isExact(v string) bool {
	return semver.IsValid(v) && semver.Canonical(v) == v || module.IsPseudoVersion(v)
}

func readGoMod(path string) (*modfile.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading go.mod: %w", err)
	}
	f, err := modfile.ParseLax(path, data, nil)
	if err != nil {
		return nil, err
	}
	if f.Module == nil {
		return nil, fmt.Errorf("%s has no module line", path)
	}
	return f, nil
}

type downloaded struct {
	Path, Version, Dir, GoMod, Sum, GoModSum, Error string
}

// download fetches m into the module cache through the user's GOPROXY.
func download(ctx context.Context, r report.Reporter, m module.Version) (*downloaded, error) {
	out, err := gotool.Go(ctx, r, os.TempDir(), nil, "mod", "download", "-json", m.Path+"@"+m.Version)
	var d downloaded
	if jerr := json.Unmarshal(out, &d); jerr == nil && d.Error != "" {
		return nil, fmt.Errorf("%s", d.Error)
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}
