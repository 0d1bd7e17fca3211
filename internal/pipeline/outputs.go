package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/bundle"
	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/platform"
)

// outputs (the outputs step) decides what a build makes and checks, before
// anything is written, where it goes: the targets (--target, or
// build.targets; plugctl run's host), the -o override (which, with
// several targets, must name them apart; the default output names them
// apart for --target), a bundle's build.output, and every artifact path
// (checkOutputs).
func (s *State) outputs(context.Context) error {
	cfg := s.Config
	s.Targets, s.Output = cfg.Build.Targets, s.Opts.Output
	if len(s.Opts.Targets) > 0 {
		s.Targets = s.Opts.Targets
	}
	if s.Opts.Host {
		host, err := platform.Parse(s.Toolchain.GOOS + "/" + s.Toolchain.GOARCH)
		if err != nil {
			return fail.Wrap(fail.Config, fmt.Errorf("the go toolchain's host: %w", err))
		}
		// Share the artifact (and its cache) with build when build makes
		// one for the host; elsewhere, never overwrite what build.output
		// names.
		s.Targets = []platform.Target{host}
		if !slices.Contains(cfg.Build.Targets, host) {
			s.Output = filepath.Join(s.statePath("run"), "{name}")
		}
	}
	if err := config.CheckOutput(s.Output, len(s.Targets)); err != nil {
		return fail.Wrap(fail.Config, fmt.Errorf("-o: %w", err))
	}
	if s.Output == "" && config.CheckOutput(cfg.Build.Output, len(s.Targets)) != nil {
		// --target asked for more targets than build.output can name apart.
		if cfg.Build.Output != config.DefaultOutput {
			return fail.Wrap(fail.Config, fmt.Errorf("build.output %q: %w", cfg.Build.Output, config.CheckOutput(cfg.Build.Output, len(s.Targets))))
		}
		s.Output = config.DefaultMultiOutput
	}
	if s.Opts.Bundle != "" && s.Output == "" {
		if err := s.checkBundleOutput(); err != nil {
			return err
		}
	}
	// Before anything is written: an artifact never replaces the config,
	// the lock or a file plugctl did not build.
	return s.checkOutputs(s.Targets)
}

// checkOutputs refuses, before anything is written, artifact paths that
// would replace what an artifact must never replace (docs/security.md):
// the config, the lock, anything inside the state directory or the vendor
// tree, a directory (checkPlace), or a file plugctl did not build
// (artifact.CheckReplace)
// — for the binary and the files written beside it. When -o is not given
// the paths come from build.output, and a problem is a config problem at
// its position. A path that needs the core's version, not known yet, is
// checked by compile once it is.
func (s *State) checkOutputs(targets []platform.Target) error {
	version, _ := s.pinned()
	if s.Set != nil {
		version = s.Set.Core.Version
	}
	var errs []error
	for _, t := range targets {
		tmpl := s.Config.Build.Output
		if s.Output != "" {
			tmpl = s.Output
		}
		if strings.Contains(tmpl, "{version}") && version == "" {
			continue
		}
		if err := s.checkOutput(s.outputFor(t, version)); err != nil {
			errs = append(errs, s.outputError(err))
		}
	}
	return fail.Wrap(fail.Config, errors.Join(errs...))
}

// outputError names where a refused output path comes from: -o, or
// build.output at its position in the config.
func (s *State) outputError(err error) error {
	if s.Output != "" {
		return fmt.Errorf("-o: %w", err)
	}
	pos := s.Config.Build.OutputPos
	if pos.Line == 0 {
		return fmt.Errorf("build.output: %w", err)
	}
	return &diag.Problem{File: s.Config.File, Pos: pos, Msg: "build.output: " + err.Error()}
}

// checkOutput checks the artifact at path and the files beside it.
func (s *State) checkOutput(path string) error {
	for _, f := range []string{path, artifact.SumPath(path), artifact.SBOMPath(path), artifact.RecordPath(path)} {
		if err := s.checkPlace(f); err != nil {
			return err
		}
	}
	if err := artifact.CheckReplace(path); err != nil {
		var no *artifact.NotOwnedError
		if errors.As(err, &no) {
			return fmt.Errorf("%s is %s: plugctl replaces only what it built; move it away or choose another path", display(no.Path), no.What)
		}
		return err
	}
	if !artifact.Owned(path) {
		// No binary there: files beside it that plugctl did not write are
		// not replaced either.
		for _, f := range []string{artifact.SumPath(path), artifact.SBOMPath(path), artifact.RecordPath(path)} {
			if _, err := os.Lstat(f); err == nil {
				return fmt.Errorf("%s exists and plugctl did not write it (there is no valid %s): move it away or choose another path", display(f), filepath.Base(artifact.RecordPath(path)))
			}
		}
	}
	return nil
}

// checkPlace refuses a path plugctl must never write a result to: the
// config, the lock, anything in the state directory (but .plugctl/run, where
// plugctl run keeps its binaries) or in the vendor tree, or a directory.
func (s *State) checkPlace(f string) error {
	for _, pr := range []struct{ path, what string }{{s.Config.File, "the config"}, {s.lockPath(), "the lock file"}} {
		if samePath(f, pr.path) {
			return fmt.Errorf("%s is %s: an artifact never replaces the config, the lock or a file plugctl did not build", display(f), pr.what)
		}
	}
	if within(f, s.statePath("")) && !within(f, s.statePath("run")) {
		return fmt.Errorf("%s is inside %s, plugctl's state directory: choose a path outside it", display(f), StateDir)
	}
	if within(f, s.VendorDir()) {
		return fmt.Errorf("%s is inside the vendor tree %s: choose a path outside it", display(f), display(s.VendorDir()))
	}
	if fi, err := os.Stat(f); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory (valid: a file path like %s)", display(f), config.DefaultOutput)
	}
	return nil
}

// bundleOutputs (the bundle's outputs step) decides where plugctl bundle
// writes (-o, or NAME-bundle.tar.gz) and refuses a path that would replace
// the config, the lock, a directory, something in .plugctl or the vendor
// tree, or a file that is not a bundle plugctl wrote (one with its
// checksum file beside it).
func (s *State) bundleOutputs(context.Context) error {
	path := s.Opts.BundleOut
	if path == "" {
		path = s.Config.Name + "-bundle.tar.gz"
	}
	s.BundlePath = path
	sumPath := path + bundle.SumSuffix
	err := s.checkPlace(path)
	if err == nil {
		err = s.checkPlace(sumPath)
	}
	if err == nil {
		if _, serr := os.Lstat(path); serr == nil {
			if _, serr := os.Lstat(sumPath); serr != nil {
				err = fmt.Errorf("%s exists and is not a bundle plugctl wrote (there is no %s beside it): move it away or choose another path", display(path), filepath.Base(sumPath))
			}
		}
	}
	if err != nil {
		return fail.Wrap(fail.Config, fmt.Errorf("-o: %w", err))
	}
	return nil
}

// claim is build.Options.Claim: the last check that the binary may go to
// path, just before it is moved there (artifact.Claim).
func (s *State) claim() func(string, platform.Target) error {
	return func(path string, t platform.Target) error {
		if err := s.checkOutput(path); err != nil {
			return fail.Wrap(fail.Config, s.outputError(err))
		}
		if err := artifact.Claim(path, t.String()); err != nil {
			var no *artifact.NotOwnedError
			if errors.As(err, &no) {
				return fail.Wrap(fail.Config, s.outputError(err))
			}
			return err
		}
		return nil
	}
}

// samePath reports whether a and b name one file: the same clean absolute
// path, or the same existing file reached another way (a link, another
// spelling of the directory).
func samePath(a, b string) bool {
	if abs(a) == abs(b) {
		return true
	}
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// within reports whether path is dir or below it, comparing the paths as
// given and with the links of their existing parents resolved.
func within(path, dir string) bool {
	in := func(p, d string) bool {
		rel, err := filepath.Rel(d, p)
		return err == nil && filepath.IsLocal(rel)
	}
	return in(abs(path), abs(dir)) || in(filepath.Join(resolved(filepath.Dir(abs(path))), filepath.Base(path)), resolved(abs(dir)))
}

func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// checkBundleOutput refuses a build.output that leaves the directory the
// config is built in: an absolute path or one with "..". A bundle's config
// comes from elsewhere and must not choose where its artifacts go; they go
// below the current directory, or to -o.
func (s *State) checkBundleOutput() error {
	out := s.Config.Build.Output
	if filepath.IsLocal(filepath.FromSlash(out)) && !strings.Contains(out, "..") {
		return nil
	}
	return fail.Wrap(fail.Config, s.outputError(fmt.Errorf("%s leaves the current directory: a bundle does not choose where its artifacts go (valid: a relative path without ..; or give -o)", diag.Quote(out))))
}

// genOutputs (generate's outputs step) refuses a directory for generate -o
// that holds what plugctl did not write there. Generate replaces go.mod,
// go.sum, the .go files of the main package and the whole local/ directory
// in it: a go.mod or .go file without the generated-code header, or a
// go.sum, local/ or state file beside a go.mod that is not plugctl's,
// would be lost or compiled in (generate -o . in a project replaced its
// go.mod and main.go). A new or empty directory, or one generate wrote
// before, is fine; so is .plugctl/gen, plugctl's own.
func (s *State) genOutputs(context.Context) error {
	dir := s.Opts.GenDir
	if dir == "" {
		return nil
	}
	refuse := func(format string, args ...any) error {
		return fail.Wrap(fail.Config, fmt.Errorf("-o: "+format, args...))
	}
	if fi, err := os.Stat(dir); err != nil {
		return nil
	} else if !fi.IsDir() {
		return refuse("%s is not a directory", display(dir))
	}
	if within(dir, s.VendorDir()) {
		return refuse("%s is inside the vendor tree %s: choose a directory outside it", display(dir), display(s.VendorDir()))
	}
	ours := generatedFile(filepath.Join(dir, "go.mod"))
	names := []string{"go.mod", "go.sum", LocalDir, genStateFile}
	if gofiles, err := filepath.Glob(filepath.Join(dir, "*.go")); err == nil {
		for _, f := range gofiles {
			names = append(names, filepath.Base(f))
		}
	}
	if sysos, err := filepath.Glob(filepath.Join(dir, "*.syso")); err == nil {
		for _, f := range sysos {
			if codegen.IsVersionResource(filepath.Base(f)) {
				names = append(names, filepath.Base(f))
			}
		}
	}
	for _, name := range names {
		f := filepath.Join(dir, name)
		if _, err := os.Lstat(f); err != nil {
			continue
		}
		if !ours || ((name == "go.mod" || strings.HasSuffix(name, ".go")) && !generatedFile(f)) {
			return refuse("%s was not written by plugctl, and generate replaces go.mod, go.sum, the .go files and %s/ in %s: choose a new or empty directory", display(f), LocalDir, display(dir))
		}
	}
	return nil
}

// generatedFile reports whether the file at name starts with the header
// of the files plugctl generates.
func generatedFile(name string) bool {
	f, err := files.OpenRegular(name)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(codegen.Header))
	_, err = io.ReadFull(f, head)
	return err == nil && string(head) == codegen.Header
}
