// Package modcache reads the go command's module cache (GOMODCACHE) the
// way the go command lays it out, so that plugctl can read what is already
// there without starting go:
//
//	GOMODCACHE/cache/download/<escaped path>/@v/<escaped version>.mod      its go.mod
//	GOMODCACHE/cache/download/<escaped path>/@v/<escaped version>.ziphash  the h1: hash of its zip
//	GOMODCACHE/<escaped path>@<escaped version>/                           its files, extracted
//
// (escaped as golang.org/x/mod/module.EscapePath and EscapeVersion write
// paths: an upper-case letter is "!" and the letter in lower case). What
// this package cannot read is left to the go command.
package modcache

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/module"
)

// Cache is a module cache directory (GOMODCACHE); "" is no cache.
type Cache string

// download returns the path of the file of m under cache/download with
// the extension ext, or "" when m cannot be escaped.
func (c Cache) download(m module.Version, ext string) string {
	p, err1 := module.EscapePath(m.Path)
	v, err2 := module.EscapeVersion(m.Version)
	if c == "" || err1 != nil || err2 != nil {
		return ""
	}
	return filepath.Join(string(c), "cache", "download", filepath.FromSlash(p), "@v", v+ext)
}

// Dir returns the directory m is extracted into (whether it is there or
// not); "" when m cannot be escaped.
func (c Cache) Dir(m module.Version) string {
	p, err1 := module.EscapePath(m.Path)
	v, err2 := module.EscapeVersion(m.Version)
	if c == "" || err1 != nil || err2 != nil {
		return ""
	}
	return filepath.Join(string(c), filepath.FromSlash(p)+"@"+v)
}

// ZipHash returns the h1: hash the go command recorded for m's zip.
func (c Cache) ZipHash(m module.Version) (string, error) {
	name := c.download(m, ".ziphash")
	if name == "" {
		return "", errors.New("no module cache")
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return "", err
	}
	sum := strings.TrimSpace(string(data))
	if !strings.HasPrefix(sum, "h1:") {
		return "", errors.New("malformed " + name)
	}
	return sum, nil
}

// GoMod returns the go.mod of m as the download cache holds it.
func (c Cache) GoMod(m module.Version) ([]byte, error) {
	name := c.download(m, ".mod")
	if name == "" {
		return nil, errors.New("no module cache")
	}
	return os.ReadFile(name)
}

// File returns how a file at path inside the cache's extracted modules
// names itself the way go does: module@version/file; ok is false for a
// path outside them.
func (c Cache) File(path string) (m module.Version, file string, ok bool) {
	if c == "" {
		return m, "", false
	}
	rel, err := filepath.Rel(string(c), path)
	if err != nil || !filepath.IsLocal(rel) {
		return m, "", false
	}
	// github.com/!burnt!sushi/toml@v1.2.0/decode.go
	escPath, tail, ok := strings.Cut(filepath.ToSlash(rel), "@")
	escVersion, file, _ := strings.Cut(tail, "/")
	p, err1 := module.UnescapePath(escPath)
	v, err2 := module.UnescapeVersion(escVersion)
	if !ok || err1 != nil || err2 != nil || file == "" || strings.HasPrefix(escPath, "cache/") {
		return m, "", false
	}
	return module.Version{Path: p, Version: v}, file, true
}
