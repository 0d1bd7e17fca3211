// Package files writes files and directories so that a reader never sees half
// of one: content goes to a temporary name in the same directory and is
// renamed into place, which POSIX makes atomic.
package files

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/plugctl/plugctl/internal/fail"
)

// WriteFile atomically replaces name with data.
func WriteFile(name string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

// ReplaceDir moves the complete directory tmp to dir, replacing whatever was
// at dir. A crash at any point leaves either the old or the new tree at dir
// (or, for an instant, none and a ".old-" sibling that TempDir's next caller
// sweeps away).
func ReplaceDir(tmp, dir string) error {
	old := ""
	if _, err := os.Lstat(dir); err == nil {
		o, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".old-*")
		if err != nil {
			return err
		}
		old = filepath.Join(o, "tree")
		if err := os.Rename(dir, old); err != nil {
			os.Remove(o)
			return err
		}
		defer os.RemoveAll(o)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			if rerr := os.Rename(old, dir); rerr != nil {
				return fmt.Errorf("%w (and restoring the previous tree failed: %v)", err, rerr)
			}
		}
		return err
	}
	return nil
}

// TempDir creates a fresh temporary directory beside dir (so that renaming it
// onto dir is atomic) after sweeping the leftovers an interrupted run may have
// left there.
func TempDir(dir string) (string, error) {
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	Sweep(parent, base)
	return os.MkdirTemp(parent, "."+base+".tmp-*")
}

// Sweep removes the temporary siblings of parent/base left by a killed run.
// Callers hold the project lock, so no live run owns them.
func Sweep(parent, base string) {
	for _, pat := range []string{".tmp-*", ".old-*"} {
		matches, _ := filepath.Glob(filepath.Join(parent, "."+base+pat))
		for _, m := range matches {
			os.RemoveAll(m)
		}
	}
}

// Probe writes a one-byte file in dir, syncs it and removes it, and returns
// what kept it from doing so: whether dir can take a file at all (it is
// read-only, full, or not a directory), which the error of a program that
// failed there does not always say.
func Probe(dir string) error {
	f, err := os.CreateTemp(dir, ".plugctl-probe-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write([]byte{0}); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// MkdirTemp creates a new temporary directory in the system's temporary
// directory (os.TempDir, TMPDIR on Unix), like os.MkdirTemp("", pattern). A
// directory that cannot be made there is the environment's failure
// (fail.EnvError), named with the variable to set.
func MkdirTemp(pattern string) (string, error) {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return "", &fail.EnvError{Var: tempVar, Path: os.TempDir(), Err: err}
	}
	return dir, nil
}
