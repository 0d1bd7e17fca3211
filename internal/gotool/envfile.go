package gotool

import (
	"bytes"
	"os"
	"path/filepath"
)

// userEnvFile returns the settings of the user's go env file — what
// `go env -w` wrote, at $GOENV or <user config dir>/go/env — read the way
// the go command reads it, or nil when there is none.
//
// plugctl runs go with GOENV=off because the go command reads a variable
// from that file whenever the environment leaves it empty: clearing
// GOFLAGS or GOAMD64 in the environment does not stop a `go env -w
// GOFLAGS=-ldflags=-X=…` from changing the binary. The settings the user
// owns (GOPROXY, GOPRIVATE, GONOSUMDB, GOMODCACHE, …) are carried over from
// the file into the environment by Env, so turning the file off changes
// nothing else.
func userEnvFile() map[string]string {
	file := os.Getenv("GOENV")
	switch file {
	case "off":
		return nil
	case "":
		dir, err := os.UserConfigDir()
		if err != nil || dir == "" {
			return nil
		}
		file = filepath.Join(dir, "go", "env")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	m := map[string]string{}
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte("\n"))
		// As cmd/go/internal/cfg.readEnvFile: KEY=VALUE lines whose key
		// starts with an upper-case letter; anything else is ignored.
		i := bytes.IndexByte(line, '=')
		if i < 0 || line[0] < 'A' || 'Z' < line[0] {
			continue
		}
		m[string(line[:i])] = string(line[i+1:])
	}
	return m
}
