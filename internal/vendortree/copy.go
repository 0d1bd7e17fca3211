package vendortree

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/plugctl/plugctl/internal/modhash"
)

// CopyModule copies into dst (which must not exist) the source of the
// module whose files s hashed (modhash.Dir of a local source): the files of
// its content set, which are those a build can read — everything but
// version-control directories, plugctl's state directories and nested
// modules (subdirectories with a go.mod of their own). A symbolic link to a
// file is copied as the file it points to, as the go command reads it;
// links to directories and special files are left out. The copy thus has
// the content hash of the source, and each file is hashed as it is copied:
// a file that changed since s was made is refused, so the copy holds the
// bytes that were hashed. skip, when it returns true for a directory below
// the source (as a path under s.Dir(), links resolved), leaves that
// directory out too: the vendor tree itself, when it lives inside a source.
func CopyModule(s *modhash.Sums, dst string, skip func(dir string) bool) error {
	root := s.Dir()
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return fmt.Errorf("copying %s: %w", root, err)
	}
	names, err := s.ContentFiles()
	if err != nil {
		return fmt.Errorf("copying %s: %w", root, err)
	}
	made := map[string]bool{}
	for _, name := range names {
		skipped := false
		for d := path.Dir(name); d != "." && !skipped; d = path.Dir(d) {
			skipped = skip != nil && skip(filepath.Join(root, filepath.FromSlash(d)))
		}
		if skipped {
			continue
		}
		target := filepath.Join(dst, filepath.FromSlash(name))
		if d := filepath.Dir(target); !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
			made[d] = true
		}
		want, ok := s.Sum(name)
		if !ok {
			return fmt.Errorf("copying %s: %s was not read", root, name)
		}
		if err := copyFile(filepath.Join(root, filepath.FromSlash(name)), target, want); err != nil {
			return err
		}
	}
	return os.MkdirAll(dst, 0o755)
}

// copyFile copies the regular file src to dst with mode 0644, or 0755 when
// src is executable, and refuses it unless its bytes hash to want.
func copyFile(src, dst string, want [sha256.Size]byte) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, modeFor(fi.Mode()))
	if err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(out, h), in); err != nil {
		out.Close()
		return fmt.Errorf("copying %s: %w", src, err)
	}
	if err := out.Close(); err != nil {
		return err
	}
	if !bytes.Equal(h.Sum(nil), want[:]) {
		return fmt.Errorf("copying %s: the file changed while plugctl was reading the source", src)
	}
	return nil
}

func modeFor(m fs.FileMode) fs.FileMode {
	if m&0o111 != 0 {
		return 0o755
	}
	return 0o644
}

// Normalize sets every directory under dir to mode 0755 and every file to
// 0644, or 0755 when any executable bit is set, so the tree's modes do not
// depend on the umask or on how `go mod vendor` copied files. It refuses
// anything that is neither a directory nor a regular file.
func Normalize(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch t := d.Type(); {
		case t.IsDir():
			return os.Chmod(p, 0o755)
		case t.IsRegular():
			fi, err := d.Info()
			if err != nil {
				return err
			}
			if m := modeFor(fi.Mode()); fi.Mode().Perm() != m {
				return os.Chmod(p, m)
			}
			return nil
		}
		return errors.New(p + ": neither a directory nor a regular file")
	})
}
