package vendortree

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// vcsDirs are never part of a module's source (as in Go module zips).
var vcsDirs = map[string]bool{".git": true, ".hg": true, ".svn": true, ".bzr": true}

// CopyModule copies the source of the module rooted at src into dst (which
// must not exist) the way a Go module zip holds a module: regular files only,
// their executable bit kept, without version-control directories and without
// nested modules (subdirectories with a go.mod of their own). Symbolic links
// are left out, as Go module zips leave them out, so nothing outside src can
// be pulled into the tree; src itself may be a link, which is followed.
// skip, when it returns true for a directory below src (as a path under src
// with its links resolved), leaves that directory out too: the project's own
// state directory when the source is the project itself.
func CopyModule(src, dst string, skip func(dir string) bool) error {
	src, err := filepath.EvalSymlinks(src)
	if err != nil {
		return fmt.Errorf("copying %w", err)
	}
	if _, err := os.Stat(filepath.Join(src, "go.mod")); err != nil {
		return fmt.Errorf("copying %s: %w", src, err)
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("copying %s: %w", src, err)
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch t := d.Type(); {
		case t.IsDir():
			if p != src {
				if vcsDirs[d.Name()] || (skip != nil && skip(p)) {
					return filepath.SkipDir
				}
				if _, err := os.Lstat(filepath.Join(p, "go.mod")); err == nil {
					return filepath.SkipDir // a nested module is a module of its own
				}
			}
			return os.MkdirAll(target, 0o755)
		case t.IsRegular():
			return copyFile(p, target)
		}
		return nil // symbolic links and special files
	})
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
