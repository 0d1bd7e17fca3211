// Package pack makes a plug module into one file: a deterministic .tar.gz
// that a plug config consumes as an archive source (internal/source/archive),
// pinned by its SHA-256, and optionally a signature of it.
//
// Load lists and hashes a module's files; Write packs them.
//
// # The archive
//
// It holds exactly the files a module zip of the directory would hold
// (modhash's module set, golang.org/x/mod/zip's rules): the module's files,
// go.mod, go.sum and plugin.yaml when there are, and nothing else — no
// version-control directories, no nested modules, no vendored packages, no
// symbolic links or other files that are not regular, nothing outside the
// directory. They sit under one directory named after the module's last
// path element (the archive kind takes the one directory an archive holds
// as the module's root), in the format of internal/tarball: sorted, fixed
// times, owners and modes (0644 for every file: a module zip keeps no
// mode). The bytes depend on the files' names and contents and on the Go
// release's gzip compressor only: packing the same module twice, anywhere,
// by anyone, gives the same archive.
//
// A plugin.yaml is parsed as plugctl reads it when building: a plug whose
// manifest is wrong is refused before anything is written.
//
// # The signature
//
// Sign writes a signed note (golang.org/x/mod/sumdb/note, the keys of
// plugctl key generate) over
//
//	plugctl pack signature v1
//	archive sha256:<hex SHA-256 of the archive>
//	module <module path>
//
// which plugctl verify checks beside the archive, as FILE.sig.
package pack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/manifest"
	"github.com/plugctl/plugctl/internal/modhash"
	"github.com/plugctl/plugctl/internal/tarball"
)

// Module is a plug module to pack, its files listed and hashed.
type Module struct {
	Path string // the module path, from go.mod
	Dir  string // the directory the files sit under in the archive
	// Files are the names to pack, relative to the module's root, sorted:
	// the module's file set. Sums holds the lowercase hex SHA-256 of each.
	Files []string
	Sums  map[string]string
	sums  *modhash.Sums
	src   string // the directory as the caller named it
}

// Archive is what Write packed.
type Archive struct {
	Size   int64  // bytes of the archive
	SHA256 string // "sha256:<hex>" of the archive
}

// Load lists and hashes the module in dir, reading each file once. Its
// errors are fail.Config for a directory that is no module (no go.mod,
// files the module zip rules refuse, a module over their size limit) or
// whose plugin.yaml is wrong, and name the directory or the file.
func Load(dir string) (*Module, error) {
	sums, err := modhash.Dir(dir, manifest.FileName)
	if err != nil {
		return nil, fail.Wrap(fail.Config, err)
	}
	gomod, ok := sums.Kept("go.mod")
	if !ok {
		return nil, fail.New(fail.Config, "%s is not a Go module: it has no go.mod (a plug is packed from its module's root)", dir)
	}
	mod := modfile.ModulePath(gomod)
	if mod == "" {
		return nil, fail.New(fail.Config, "%s: go.mod has no module line", filepath.Join(dir, "go.mod"))
	}
	if err := module.CheckPath(mod); err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("%s: %w", filepath.Join(dir, "go.mod"), err))
	}
	names, err := sums.ModuleFiles()
	if err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("%s is not a module a module zip can hold: %w", dir, err))
	}
	if data, ok := sums.Kept(manifest.FileName); ok {
		if _, err := manifest.Parse(filepath.Join(dir, manifest.FileName), data); err != nil {
			return nil, err
		}
	}
	prefix, _, _ := module.SplitPathVersion(mod)
	m := &Module{Path: mod, Dir: path.Base(prefix), Files: names, Sums: make(map[string]string, len(names)), sums: sums, src: dir}
	for _, name := range names {
		sum, _ := sums.Sum(name)
		m.Sums[name] = hex.EncodeToString(sum[:])
	}
	return m, nil
}

// Write packs the module into w (internal/tarball, below Dir, every file
// 0644). The files are read again as they are written: one that changed
// since Load read it fails the pack.
func (m *Module) Write(ctx context.Context, w io.Writer) (*Archive, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	list := make([]tarball.File, len(m.Files))
	for i, name := range m.Files {
		list[i] = tarball.File{Name: name, Source: filepath.Join(m.sums.Dir(), filepath.FromSlash(name)), SHA256: m.Sums[name]}
	}
	sum := sha256.New()
	cw := &counter{w: io.MultiWriter(w, sum)}
	if err := tarball.Write(cw, list, tarball.Options{Root: m.Dir}); err != nil {
		var ce *tarball.ChangedError
		if errors.As(err, &ce) {
			rel, _ := filepath.Rel(m.sums.Dir(), ce.Path)
			return nil, fmt.Errorf("%s changed while it was packed: pack again once nothing writes to the module", filepath.Join(m.src, rel))
		}
		return nil, err
	}
	return &Archive{Size: cw.n, SHA256: "sha256:" + hex.EncodeToString(sum.Sum(nil))}, nil
}

// counter counts the bytes written through it.
type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
