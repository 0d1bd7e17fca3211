package vendortree

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/plugctl/plugctl/internal/treehash"
)

// CopyModule copies the source of the module rooted at src into dst (which
// must not exist): the files treehash.Files lists, which are those a build
// can read — everything but version-control directories, plugctl's state
// directories and nested modules (subdirectories with a go.mod of their own).
// A symbolic link to a file is copied as the file it points to, as the go
// command reads it; links to directories and special files are left out. The
// copy thus has the treehash of src. skip, when it returns true for a
// directory below src (as a path under src with its links resolved), leaves
// that directory out too: the vendor tree itself, when it lives inside a
// source.
func CopyModule(src, dst string, skip func(dir string) bool) error {
	root, err := filepath.EvalSymlinks(src)
	if err != nil {
		return fmt.Errorf("copying %w", err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return fmt.Errorf("copying %s: %w", src, err)
	}
	names, err := treehash.Files(root)
	if err != nil {
		return fmt.Errorf("copying %s: %w", src, err)
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
		if err := copyFile(filepath.Join(root, filepath.FromSlash(name)), target); err != nil {
			return err
		}
	}
	return os.MkdirAll(dst, 0o755)
}

// copyFile copies the regular file src to dst with mode 0644, or 0755 when
// src is executable.
func copyFile(src, dst string) error {
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
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying %s: %w", src, err)
	}
	return out.Close()
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
