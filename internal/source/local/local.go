// Package local is the local-directory kind of source: a path starting with
// ./, ../ or / (or "." or ".."), relative to the config, naming the
// directory of a Go module that is built as it is. It has no version: its
// content is hashed on every use, and the lock records its path.
package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/source"
)

// Source is the local kind.
type Source struct{}

// Kind is source.Local.
func (Source) Kind() source.Kind { return source.Local }

// Rules of a local entry: no version, no checksum; spaces allowed in the
// path; its content is live.
func (Source) Rules() source.Rules {
	return source.Rules{
		Name:    "a local directory",
		Forms:   "a local path starting with ./, ../ or /",
		Noun:    "a local source",
		Keys:    []string{"module"},
		Refused: map[string]string{"version": "the directory is used as it is"},
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

// CheckEntry has nothing to add to the table's rules.
func (Source) CheckEntry(*source.Entry) []diag.Problem { return nil }

// Source is the path the origin records.
func (Source) Source(o source.Origin) string { return o.Path }

// Fixed is LocalVersion: a directory is built as it is.
func (Source) Fixed(*source.Request) (string, bool) { return source.LocalVersion, true }

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

// Fetch hashes the directory (once per run, env.Hashes) and reads its
// go.mod from what was hashed.
func (Source) Fetch(_ context.Context, env *source.Env, r *source.Request, _ source.Pin) (*source.Component, error) {
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
	c.Version = source.DirVersion(c.Module)
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
