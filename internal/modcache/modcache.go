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
	"io/fs"
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

// Module is what the cache holds of one module version.
type Module struct {
	Dir     string // its files, extracted
	GoMod   string // its go.mod file in the download cache
	ZipHash string // the h1: hash of its zip, as go recorded it
	Info    []byte // its .info file: version, time, and where go found it
}

// Lookup returns what the cache holds of m when the go command would take
// m from it without downloading anything (go's modfetch.DownloadDir): its
// directory extracted and not partly (no .partial file left by an
// extraction under way or cut short), its .ziphash, and its .mod and .info
// files, which go mod download -json reports. An error says what is
// missing: go mod download is then the way to m.
func (c Cache) Lookup(m module.Version) (*Module, error) {
	if module.CanonicalVersion(m.Version) != m.Version {
		return nil, errors.New("not a canonical version: " + m.Version)
	}
	dir := c.Dir(m)
	if dir == "" {
		return nil, errors.New("no module cache")
	}
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return nil, err
	case !fi.IsDir():
		return nil, errors.New(dir + " is not a directory")
	}
	if _, err := os.Lstat(c.download(m, ".partial")); !errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New(dir + " is not completely extracted")
	}
	sum, err := c.ZipHash(m)
	if err != nil {
		return nil, err
	}
	goMod := c.download(m, ".mod")
	if fi, err := os.Stat(goMod); err != nil || !fi.Mode().IsRegular() {
		return nil, errors.New("no go.mod of " + m.String() + " in the cache")
	}
	info, err := os.ReadFile(c.download(m, ".info"))
	if err != nil {
		return nil, err
	}
	return &Module{Dir: dir, GoMod: goMod, ZipHash: sum, Info: info}, nil
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
