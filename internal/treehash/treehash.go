// Package treehash hashes the content of a local source directory, so that
// plugctl notices when a local core or plug changed although the config that
// names it did not.
//
// The hash is the go.sum "h1:" algorithm (golang.org/x/mod/sumdb/dirhash
// Hash1: SHA-256 over the sorted "sha256  name" lines of every file) applied
// to the files a build can read: everything under the directory except
// version-control metadata, plugctl's own state directory and nested modules
// (a subdirectory with its own go.mod is another module, hashed on its own
// when it is used). It depends on names and bytes only: not on the
// directory's location, modes, owners or times.
package treehash

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/mod/sumdb/dirhash"
)

// skipDirs are directory names never read by a build.
var skipDirs = map[string]bool{".git": true, ".hg": true, ".svn": true, ".bzr": true, ".plugctl": true}

// Dir returns the h1: hash of the tree at dir. A symbolic link at the root is
// followed; links below it are hashed as the file they point to (as the go
// command reads them).
func Dir(dir string) (string, error) {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("hashing %s: %w", dir, err)
	}
	names, err := Files(root)
	if err != nil {
		return "", fmt.Errorf("hashing %s: %w", dir, err)
	}
	h, err := dirhash.Hash1(names, func(name string) (io.ReadCloser, error) {
		return os.Open(filepath.Join(root, filepath.FromSlash(name)))
	})
	if err != nil {
		return "", fmt.Errorf("hashing %s: %w", dir, err)
	}
	return h, nil
}

// Files lists the slash-separated names, relative to root, of the files Dir
// hashes, sorted.
func Files(root string) ([]string, error) {
	var names []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == root {
			return nil
		}
		if d.IsDir() {
			if skipDirs[d.Name()] {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			fi, err := os.Stat(path)
			if err != nil || !fi.Mode().IsRegular() {
				return nil // a dangling link or one to a directory: nothing go reads as a file
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(names)
	return names, err
}
