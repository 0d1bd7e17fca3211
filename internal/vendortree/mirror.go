package vendortree

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/sumdb/dirhash"

	"github.com/plugctl/plugctl/internal/fail"
)

// MirrorDir is the directory of the tree holding the build graph's
// modules in the layout of a GOPROXY (the go command's module proxy
// protocol, served as plain files):
//
//	mirror/<escaped module path>/@v/list               its versions, one a line
//	mirror/<escaped module path>/@v/<version>.info     {"Version": …}
//	mirror/<escaped module path>/@v/<version>.mod      its go.mod
//	mirror/<escaped module path>/@v/<version>.zip      its module zip, when the build compiles it
//
// An offline build points GOPROXY at it (file://…), with a module cache
// of its own, and so builds in module mode as online: the binary records
// the same module hashes and is the same bytes. A site can serve the
// directory as it is — any static file server is a module proxy — to build
// other modules against it. The manifest lists its files like every other.
const MirrorDir = "mirror"

// MirrorModule is one module version of the mirror.
type MirrorModule struct {
	Path, Version string
	// Zip is set when the build compiles the module's packages: the
	// mirror holds its zip, not only its go.mod.
	Zip bool
}

// WriteMirror writes mods into dir/mirror from the download cache of the
// module cache at modcache (modcache/cache/download, which holds the same
// files in the same layout). Every file comes from there as the go command
// checked it against go.sum when it downloaded it; .info files are written
// anew, holding the version alone, so that the mirror is the same bytes
// whatever the cache's history.
func WriteMirror(dir, modcache string, mods []MirrorModule) error {
	versions := map[string][]string{}
	for _, m := range mods {
		ep, err := module.EscapePath(m.Path)
		if err != nil {
			return err
		}
		ev, err := module.EscapeVersion(m.Version)
		if err != nil {
			return err
		}
		src := filepath.Join(modcache, "cache", "download", filepath.FromSlash(ep), "@v")
		dst := filepath.Join(dir, MirrorDir, filepath.FromSlash(ep), "@v")
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return err
		}
		exts := []string{".mod"}
		if m.Zip {
			exts = append(exts, ".zip")
		}
		for _, ext := range exts {
			if err := copyPlain(filepath.Join(src, ev+ext), filepath.Join(dst, ev+ext)); err != nil {
				return fmt.Errorf("mirroring %s@%s: %w", m.Path, m.Version, err)
			}
		}
		info, _ := json.Marshal(struct{ Version string }{m.Version})
		if err := os.WriteFile(filepath.Join(dst, ev+".info"), append(info, '\n'), 0o644); err != nil {
			return err
		}
		versions[dst] = append(versions[dst], m.Version)
	}
	for dst, vs := range versions {
		semver.Sort(vs)
		vs = slices.Compact(vs)
		if err := os.WriteFile(filepath.Join(dst, "list"), []byte(strings.Join(vs, "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// copyPlain copies the file src to dst.
func copyPlain(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// HasMirror reports whether the manifest lists a module mirror.
func (m *Manifest) HasMirror() bool {
	for _, f := range m.Files {
		if strings.HasPrefix(f.Path, MirrorDir+"/") {
			return true
		}
	}
	return false
}

// CheckMirror checks every go.mod and zip of the mirror in dir against
// sums, "path version" -> the h1: hash of the module's files and "path
// version/go.mod" -> that of its go.mod, as go.sum and the lock hold them.
// A file whose hash differs, or that sums does not list, refuses the whole
// mirror (fail.Mismatch, exit 3), naming every such module.
func CheckMirror(dir string, sums map[string]string) error {
	root := filepath.Join(dir, MirrorDir)
	var errs []error
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		escMod, file, ok := strings.Cut(filepath.ToSlash(rel), "/@v/")
		if !ok {
			return nil
		}
		ext := path.Ext(file)
		if ext != ".zip" && ext != ".mod" {
			return nil
		}
		modPath, err1 := module.UnescapePath(escMod)
		version, err2 := module.UnescapeVersion(strings.TrimSuffix(file, ext))
		if err1 != nil || err2 != nil {
			errs = append(errs, fmt.Errorf("%s: not a module's file", rel))
			return nil
		}
		key, got := modPath+" "+version, ""
		if ext == ".mod" {
			key += "/go.mod"
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			got, err = dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
				return io.NopCloser(bytes.NewReader(data)), nil
			})
			if err != nil {
				return err
			}
		} else if got, err = dirhash.HashZip(p, dirhash.Hash1); err != nil {
			errs = append(errs, fmt.Errorf("%s@%s: its zip cannot be read: %v", modPath, version, err))
			return nil
		}
		want, listed := sums[key]
		switch {
		case !listed:
			errs = append(errs, fmt.Errorf("%s@%s: %s is no module of the lock", modPath, version, file))
		case got != want:
			errs = append(errs, fmt.Errorf("%s@%s: %s hashes to %s, the lock says %s", modPath, version, file, got, want))
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if len(errs) > 0 {
		return fail.Wrap(fail.Mismatch, fmt.Errorf("the module mirror of vendor tree %s disagrees with the lock; run plugctl vendor again:\n%w", dir, errors.Join(errs...)))
	}
	return nil
}
