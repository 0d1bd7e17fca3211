// Package testenv gives plugctl's tests a hermetic Go environment: their own
// module cache and HOME, and a shared build cache so compiling the example is
// paid once per machine, not once per test.
package testenv

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// RepoRoot returns the root of the plugctl repository.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(data), "module github.com/plugctl/plugctl\n") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find the plugctl repository root")
		}
		dir = parent
	}
}

var (
	cacheOnce sync.Once
	cacheDir  string
)

// GoCache returns the GOCACHE to share between test builds: the developer's
// own (content-addressed, so sharing it is safe).
func GoCache(t testing.TB) string {
	t.Helper()
	cacheOnce.Do(func() {
		if c := os.Getenv("GOCACHE"); c != "" {
			cacheDir = c
			return
		}
		out, err := exec.Command("go", "env", "GOCACHE").Output()
		if err == nil {
			cacheDir = strings.TrimSpace(string(out))
		}
	})
	if cacheDir == "" || cacheDir == "off" {
		cacheDir = filepath.Join(os.TempDir(), "plugctl-test-gocache")
	}
	return cacheDir
}

// ModCache returns a fresh, empty module cache that is removed (read-only
// files included) when the test ends.
func ModCache(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "plugctl-modcache-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { RemoveAll(dir) })
	return dir
}

// RemoveAll removes dir even where the module cache made files read-only.
func RemoveAll(dir string) {
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(path, 0o755)
		}
		return nil
	})
	os.RemoveAll(dir)
}

// TreeFiles returns every path under dir with its content, "->target"
// for a symbolic link and "/" for a directory, plus "*" after an
// executable's content.
func TreeFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			got[rel] = "->" + target
		case info.IsDir():
			got[rel] = "/"
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			got[rel] = string(data)
			if info.Mode()&0o111 != 0 {
				got[rel] += "*"
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}
