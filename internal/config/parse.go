package config

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/yamlsrc"
)

// MaxFileSize is the largest config file accepted, in bytes: the limit of
// every YAML document plugctl reads (see yamlsrc for the others).
const MaxFileSize = yamlsrc.MaxFileSize

// DefaultFile is the config file used when none is named.
const DefaultFile = "plugconfig.yaml"

// Load reads and parses the config file at path; see Parse. A file that
// cannot be read is a fail.Config error "reading config: ...".
func Load(path string) (*Config, error) {
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("reading config: %w", err))
	}
	// Opening a FIFO blocks until something writes to it, and a directory
	// reads as an error only later: refuse anything but a file at once.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("reading config: %s is %s, not a file", path, files.DescribeMode(fi.Mode())))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("reading config: %w", err))
	}
	defer f.Close()
	// Read one byte past the limit so that Parse sees the file is too large
	// without the whole of a huge file being read.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("reading config: %w", err))
	}
	return Parse(path, data, dir)
}

// Parse parses and validates the config in data. file names it in messages;
// dir is the absolute directory relative paths resolve against. On problems it
// returns every one of them as a diag.List, wrapped as a fail.Config error.
//
// The YAML is read by yamlsrc with anchors, aliases, merge keys and the core
// schema's tags allowed: a config is the user's own file, and may share
// values between plugs.
func Parse(file string, data []byte, dir string) (*Config, error) {
	c := &checker{file: file, dir: dir}
	root, ok := yamlsrc.Parse(data, yamlsrc.Options{Noun: "config", Anchors: true, Tags: true, Report: c.yamlProblem})
	var cfg *Config
	switch {
	case ok && root == nil:
		c.add(Pos{Line: 1, Col: 1}, scopeNone, "config is empty (required keys: %s)", strings.Join(requiredTop, ", "))
	case ok:
		cfg = c.decode(root)
		cfg.File, cfg.Dir = file, dir
	}
	if errs := c.errors(); len(errs) > 0 {
		return nil, fail.Wrap(fail.Config, errs)
	}
	return cfg, nil
}

// yamlProblem records a problem of the YAML itself, in the scope of the
// value it is in.
func (c *checker) yamlProblem(pos Pos, path yamlsrc.Path, msg string) {
	c.add(pos, scopeOf(path), "%s", msg)
}

// scopeOf returns the scope of the value at path: the core's below the
// top-level core key, a plug's below its item of the plugins list (by its
// index there), else none.
func scopeOf(path yamlsrc.Path) int {
	if len(path) == 0 || path[0].Index >= 0 {
		return scopeNone
	}
	switch path[0].Key {
	case "core":
		return scopeCore
	case "plugins":
		if len(path) > 1 && path[1].Index >= 0 {
			return path[1].Index
		}
		return scopePlugins
	}
	return scopeNone
}
