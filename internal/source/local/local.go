// Package local is the local-directory kind of source: a path starting with
// ./, ../ or / (or "." or ".."), relative to the config, naming the
// directory of a Go module that is built as it is: its content is hashed on
// every use, and the lock records its path.
//
// # Versions
//
// A directory is built as it is, whatever its version says; the version is
// a label, for what reads the binary's build information (inspect, a core
// listing its modules' versions) and the lock. It is the config's version:
// an exact version fitting the module path (a fork of Caddy v2.11.9 says
// v2.11.9); else, when the directory is in a git checkout, the highest
// semver tag reachable from its HEAD that fits the module path (the version
// it forks: git.CheckoutVersion); else v0.0.0, or vN.0.0 for a path ending
// in /vN (source.DirVersion).
package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/source/git"
	"github.com/plugctl/plugctl/internal/versions"
)

// Source is the local kind.
type Source struct{}

// Kind is source.Local.
func (Source) Kind() source.Kind { return source.Local }

// Rules of a local entry: no checksum, a version only as a label (see the
// package doc); spaces allowed in the path; its content is live.
func (Source) Rules() source.Rules {
	return source.Rules{
		Name:    "a local directory",
		Forms:   "a local path starting with ./, ../ or /",
		Noun:    "a local source",
		Keys:    []string{"module", "version"},
		Spaces:  true,
		Live:    true,
		Fetches: report.Directories,
	}
}

// Claims reports whether s is a local path: ".", "..", or a path starting
// with ./, ../ or /.
func (Source) Claims(s string) bool {
	return s == "." || s == ".." || strings.HasPrefix(s, "./") ||
		strings.HasPrefix(s, "../") || strings.HasPrefix(s, "/")
}

// CheckSource accepts any path the kind claims: the table has refused
// control characters already, and whether it is a module's directory is
// found when it is resolved.
func (Source) CheckSource(string) error { return nil }

// CheckEntry checks the version label: an exact version, fitting the module
// path when the entry names one.
func (Source) CheckEntry(e *source.Entry) []diag.Problem {
	v, ok := e.Str("version")
	if !ok {
		return nil
	}
	if msg := checkLabel(e.Module, v); msg != "" {
		return []diag.Problem{{Pos: e.At("version"), Msg: msg}}
	}
	return nil
}

// checkLabel returns what is wrong with the version label v of a local
// source of module mod ("" when not known yet), or "".
func checkLabel(mod, v string) string {
	if !versions.IsExact(v) {
		return fmt.Sprintf("version %s of a local source must be an exact version like v1.2.3: it labels the directory, which is built as it is (the version it forks)", diag.Quote(v))
	}
	if mod != "" {
		if err := module.Check(mod, v); err != nil {
			return fmt.Sprintf("version %s does not fit module path %s: %s", diag.Quote(v), mod, versions.Reason(err))
		}
	}
	return ""
}

// Source is the path the origin records.
func (Source) Source(o source.Origin) string { return o.Path }

// Fixed is the config's version label when it gives one; otherwise only
// the directory (its go.mod and its checkout's tags) says its version.
func (Source) Fixed(r *source.Request) (string, bool) { return r.Version, r.Version != "" }

// Resolve pins the directory by its path.
func (Source) Resolve(_ context.Context, _ *source.Env, r *source.Request) (source.Pin, error) {
	return source.Pin{Origin: source.Origin{Kind: source.Local, Path: r.Source}}, nil
}

// Verify checks that the lock records the config's path.
func (s Source) Verify(ctx context.Context, env *source.Env, r *source.Request, locked source.Pin) (source.Pin, error) {
	if locked.Origin.Path != r.Source {
		return source.Pin{}, source.Unsatisfiedf(r, "the lock's path %q is not the config's %q", locked.Origin.Path, r.Source)
	}
	return s.Resolve(ctx, env, r)
}

// Fetch hashes the directory (once per run, env.Hashes), reads its go.mod
// from what was hashed and decides its version (see the package doc).
func (Source) Fetch(ctx context.Context, env *source.Env, r *source.Request, _ source.Pin) (*source.Component, error) {
	src := r.Source
	dir := src
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(r.Dir, dir)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, r.Problem("source", "source %s is not a directory (valid: the directory of a Go module, relative to the config)", src)
	}
	gomod := strings.TrimSuffix(src, "/") + "/go.mod" // as the config names it, for messages
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); errors.Is(err, fs.ErrNotExist) {
		return nil, r.Problem("source", "source %s has no go.mod (valid: the directory of a Go module)", src)
	}
	sums, err := env.Hashes.Dir(dir)
	if err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("%s %s: hashing the directory: %w", source.Label(r.Name), src, err))
	}
	f, err := source.SumsGoMod(sums, filepath.Join(dir, "go.mod"))
	if err != nil {
		return nil, r.Problem("source", "%s", strings.ReplaceAll(err.Error(), filepath.Join(dir, "go.mod"), gomod))
	}
	if r.Module != "" && r.Module != f.Module.Mod.Path {
		return nil, r.Problem("module", "the config says module %s but %s says %s", r.Module, gomod, f.Module.Mod.Path)
	}
	c := &source.Component{Name: r.Name, Kind: source.Local, Requested: r.Version, Import: r.Import,
		Module: f.Module.Mod.Path, Dir: dir, Root: dir, GoMod: f, Sums: sums,
		Origin: source.Origin{Kind: source.Local, Path: src}}
	switch {
	case r.Version != "":
		if msg := checkLabel(c.Module, r.Version); msg != "" {
			return nil, r.Problem("version", "%s (the module of %s)", msg, gomod)
		}
		c.Version = r.Version
	default:
		c.Version = git.CheckoutVersion(ctx, env, dir, c.Module)
		if c.Version == "" {
			c.Version = source.DirVersion(c.Module)
		}
	}
	if c.Hash, err = sums.Module(c.Module, c.Version); err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("%s %s: hashing the directory: %w", source.Label(r.Name), src, err))
	}
	return c, nil
}

// Available is nil: a directory has no versions.
func (Source) Available(context.Context, *source.Env, *source.Request) (*source.Available, error) {
	return nil, nil
}

// CheckLocked requires path.
func (Source) CheckLocked(_, _ string, o source.Origin) []source.FieldProblem {
	out := source.OriginOnly(o, "path")
	if o.Path == "" {
		out = append(out, source.FieldProblem{Field: "origin", Msg: "a local origin needs path"})
	}
	return out
}
