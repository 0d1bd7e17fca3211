package pipeline

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/platform"
)

// CheckOutputs refuses, before anything is written, artifact paths that
// would replace what an artifact must never replace (README: Guarantees):
// the config, the lock, anything inside the state directory or the vendor
// tree, a directory (checkPlace), or a file plugctl did not build
// (artifact.CheckReplace)
// — for the binary and the files written beside it. override is -o; when it
// is empty the paths come from build.output, and a problem is a config
// problem at its position. A path that needs the core's version, not known
// yet, is checked by Build once it is.
func (p *Project) CheckOutputs(override string, targets []platform.Target) error {
	version, _ := p.pinned()
	if p.Set != nil {
		version = p.Set.Core.Version
	}
	var errs []error
	for _, t := range targets {
		tmpl := p.Config.Build.Output
		if override != "" {
			tmpl = override
		}
		if strings.Contains(tmpl, "{version}") && version == "" {
			continue
		}
		if err := p.checkOutput(p.outputFor(override, t, version)); err != nil {
			errs = append(errs, p.outputError(override, err))
		}
	}
	return fail.Wrap(fail.Config, errors.Join(errs...))
}

// outputError names where a refused output path comes from: -o, or
// build.output at its position in the config.
func (p *Project) outputError(override string, err error) error {
	if override != "" {
		return fmt.Errorf("-o: %w", err)
	}
	pos := p.Config.Build.OutputPos
	if pos.Line == 0 {
		return fmt.Errorf("build.output: %w", err)
	}
	return &diag.Problem{File: p.Config.File, Pos: pos, Msg: "build.output: " + err.Error()}
}

// checkOutput checks the artifact at path and the files beside it.
func (p *Project) checkOutput(path string) error {
	for _, f := range []string{path, artifact.SumPath(path), artifact.SBOMPath(path), artifact.RecordPath(path)} {
		if err := p.checkPlace(f); err != nil {
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
func (p *Project) checkPlace(f string) error {
	for _, pr := range []struct{ path, what string }{{p.Config.File, "the config"}, {p.LockPath(), "the lock file"}} {
		if samePath(f, pr.path) {
			return fmt.Errorf("%s is %s: an artifact never replaces the config, the lock or a file plugctl did not build", display(f), pr.what)
		}
	}
	if within(f, p.State("")) && !within(f, p.State("run")) {
		return fmt.Errorf("%s is inside %s, plugctl's state directory: choose a path outside it", display(f), StateDir)
	}
	if within(f, p.VendorDir()) {
		return fmt.Errorf("%s is inside the vendor tree %s: choose a path outside it", display(f), display(p.VendorDir()))
	}
	if fi, err := os.Stat(f); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory (valid: a file path like %s)", display(f), config.DefaultOutput)
	}
	return nil
}

// CheckBundlePath refuses a bundle path (plugctl bundle -o) that would
// replace the config, the lock, a directory, something in .plugctl or the
// vendor tree, or a file that is not a bundle plugctl wrote (one with its
// checksum file beside it).
func (p *Project) CheckBundlePath(path, sumPath string) error {
	err := p.checkPlace(path)
	if err == nil {
		err = p.checkPlace(sumPath)
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
func (p *Project) claim(override string) func(string, platform.Target) error {
	return func(path string, t platform.Target) error {
		if err := p.checkOutput(path); err != nil {
			return fail.Wrap(fail.Config, p.outputError(override, err))
		}
		if err := artifact.Claim(path, t.String()); err != nil {
			var no *artifact.NotOwnedError
			if errors.As(err, &no) {
				return fail.Wrap(fail.Config, p.outputError(override, err))
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

// CheckBundleOutput refuses a build.output that leaves the directory the
// config is built in: an absolute path or one with "..". A bundle's config
// comes from elsewhere and must not choose where its artifacts go; they go
// below the current directory, or to -o.
func (p *Project) CheckBundleOutput() error {
	out := p.Config.Build.Output
	if filepath.IsLocal(filepath.FromSlash(out)) && !strings.Contains(out, "..") {
		return nil
	}
	return fail.Wrap(fail.Config, p.outputError("", fmt.Errorf("%s leaves the current directory: a bundle does not choose where its artifacts go (valid: a relative path without ..; or give -o)", diag.Quote(out))))
}

// CheckGenerateDir refuses a directory for generate -o that holds what
// plugctl did not write there. Generate replaces go.mod, go.sum, main.go and
// the whole local/ directory in it: a go.mod or main.go without the
// generated-code header, or a go.sum, local/ or state file beside a go.mod
// that is not plugctl's, would be lost (generate -o . in a project replaced
// its go.mod and main.go). A new or empty directory, or one generate wrote
// before, is fine.
func (p *Project) CheckGenerateDir(dir string) error {
	refuse := func(format string, args ...any) error {
		return fail.Wrap(fail.Config, fmt.Errorf("-o: "+format, args...))
	}
	if fi, err := os.Stat(dir); err != nil {
		return nil
	} else if !fi.IsDir() {
		return refuse("%s is not a directory", display(dir))
	}
	if within(dir, p.VendorDir()) {
		return refuse("%s is inside the vendor tree %s: choose a directory outside it", display(dir), display(p.VendorDir()))
	}
	ours := generatedFile(filepath.Join(dir, "go.mod"))
	for _, name := range []string{"go.mod", "main.go", "go.sum", LocalDir, genStateFile} {
		f := filepath.Join(dir, name)
		if _, err := os.Lstat(f); err != nil {
			continue
		}
		if !ours || ((name == "go.mod" || name == "main.go") && !generatedFile(f)) {
			return refuse("%s was not written by plugctl, and generate replaces go.mod, go.sum, main.go and %s/ in %s: choose a new or empty directory", display(f), LocalDir, display(dir))
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
