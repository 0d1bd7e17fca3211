// Package tarball writes the deterministic .tar.gz archives plugctl makes —
// bundles (internal/bundle) and packed plugs (internal/pack) — and is the
// one owner of their format.
//
// An archive is a gzip stream (no file name, no modification time in its
// header) of a tar archive whose entries all live below one directory,
// Options.Root. Entries are directories and regular files only, in a fixed
// order (files sorted by path, each directory just before its first file),
// with modification time 0, owner and group 0 and no names, mode 0755 for
// directories, and 0644 for files — or 0755 for a file with an execute bit,
// with Options.KeepExec: the same inputs give the same bytes on any machine,
// for one Go release's gzip compressor.
package tarball

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plugctl/plugctl/internal/files"
)

// File is one file to write.
type File struct {
	Name   string // clean slash path below Options.Root
	Source string // where to read it (a link is not followed)
	Data   []byte // the content itself, when not nil; Source is then unused
	// SHA256, when set, is the lowercase hex SHA-256 Source must have: it
	// was hashed before, and a file that changed since fails the write.
	SHA256 string
}

// Options say what Write writes besides the files.
type Options struct {
	Root     string // the directory every entry lives below
	KeepExec bool   // files with an execute bit get mode 0755
}

// Epoch is the modification time of every entry.
var Epoch = time.Unix(0, 0).UTC()

// Write writes the archive of files to w. Names must be unique, clean slash
// paths; sources must be regular files.
func Write(w io.Writer, list []File, o Options) error {
	list = slices.Clone(list)
	slices.SortFunc(list, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	gz, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	written := map[string]bool{}
	var dir func(d string) error
	dir = func(d string) error {
		if d == "." || written[d] {
			return nil
		}
		if err := dir(path.Dir(d)); err != nil {
			return err
		}
		written[d] = true
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: Epoch})
	}
	for i, f := range list {
		if !ValidName(f.Name) || (i > 0 && list[i-1].Name == f.Name) {
			return fmt.Errorf("invalid or duplicate name %q", f.Name)
		}
		name := o.Root + "/" + f.Name
		if err := dir(path.Dir(name)); err != nil {
			return err
		}
		if f.Data != nil {
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(f.Data)), ModTime: Epoch}); err != nil {
				return err
			}
			if _, err := tw.Write(f.Data); err != nil {
				return err
			}
			continue
		}
		if err := writeFile(tw, name, f, o); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// ChangedError is a file whose content is not the one it was hashed with.
type ChangedError struct{ Path string }

func (e *ChangedError) Error() string {
	return fmt.Sprintf("%s changed while it was packed", e.Path)
}

func writeFile(tw *tar.Writer, name string, f File, o Options) error {
	src := f.Source
	in, err := files.OpenNoFollow(src)
	if err != nil {
		return fmt.Errorf("packing %s: %w", src, err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return fmt.Errorf("packing %s: %w", src, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("packing %s: not a regular file", src)
	}
	mode := int64(0o644)
	if o.KeepExec && fi.Mode()&0o111 != 0 {
		mode = 0o755
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: fi.Size(), ModTime: Epoch}); err != nil {
		return fmt.Errorf("packing %s: %w", src, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tw, h), in)
	switch {
	case err == tar.ErrWriteTooLong || f.SHA256 != "" && n != fi.Size():
		return &ChangedError{src}
	case err != nil:
		return fmt.Errorf("packing %s: %w", src, err)
	case f.SHA256 != "" && hex.EncodeToString(h.Sum(nil)) != f.SHA256:
		return &ChangedError{src}
	}
	return nil
}

// ValidName reports whether a slash path is clean, relative and stays
// below where it is resolved.
func ValidName(p string) bool {
	return p != "" && utf8.ValidString(p) && path.Clean(p) == p && !path.IsAbs(p) &&
		!strings.Contains(p, "\\") && !strings.ContainsRune(p, 0) && filepath.IsLocal(filepath.FromSlash(p))
}
