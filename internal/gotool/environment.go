package gotool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/run"
)

// What the go command prints when the machine, not the build, is at fault.
var (
	cacheInitRE  = regexp.MustCompile(`(?m)failed to initialize build cache at (.+?): (.+)$`)
	cacheUnsetRE = regexp.MustCompile(`(?m)^(?:go: )?(GOCACHE is not defined and .+)$`)
	workDirRE    = regexp.MustCompile(`(?m)^go: creating work dir: (.+)$`)
	workPathRE   = regexp.MustCompile(`[/\\]go-build[0-9]+[/\\]`)
	noSpaceRE    = regexp.MustCompile(`(?m)(\S+): (no space left on device|disk quota exceeded|read-only file system)$`)
)

var errnos = map[string]error{
	"no space left on device": syscall.ENOSPC,
	"disk quota exceeded":     syscall.EDQUOT,
	"read-only file system":   syscall.EROFS,
}

// environment returns a *fail.EnvError when the go command that failed with
// err failed because of the machine: its stderr says the build cache or
// the temporary directory cannot be used, or that a file could not be
// written for lack of space or on a read-only file system; or, when its
// stderr does not say (a full build cache makes go report standard
// packages "not in std"), the build cache or the temporary directory does
// not take a one-byte file. It returns nil otherwise, and for a cancelled
// run.
func environment(ctx context.Context, extra map[string]string, err error) error {
	var re *run.Error
	if ctx.Err() != nil || !errors.As(err, &re) || !run.IsExit(err) {
		return nil
	}
	return Environment(ctx, extra, re.Stderr)
}

// Environment is what environment decides for a go command run with
// Env(extra) that failed printing output: its stderr, or what it printed
// of the packages it built (go build -json's events).
func Environment(ctx context.Context, extra map[string]string, output string) error {
	dirs := goDirs(ctx, extra)
	if env := classify(output, extra, dirs); env != nil {
		return env
	}
	for _, d := range dirs {
		if fi, err := os.Stat(d.path); err == nil && fi.IsDir() {
			if err := files.Probe(d.path); err != nil {
				return &fail.EnvError{Var: d.name, Path: d.path, Err: err}
			}
		}
	}
	return nil
}

// classify reads the stderr of a failed go command for the machine's
// failures (see environment); dirs are where go writes (goDirs).
func classify(stderr string, extra map[string]string, dirs []dir) error {
	if m := cacheInitRE.FindStringSubmatch(stderr); m != nil {
		return &fail.EnvError{Var: "GOCACHE", Path: m[1], Err: errors.New(m[2])}
	}
	if m := cacheUnsetRE.FindStringSubmatch(stderr); m != nil {
		return &fail.EnvError{Var: "GOCACHE", Path: `""`, Err: errors.New(m[1])}
	}
	if m := workDirRE.FindStringSubmatch(stderr); m != nil {
		v, dir := tempDir(extra)
		for _, d := range dirs {
			if d.name != "GOCACHE" {
				v, dir = d.name, d.path
			}
		}
		return &fail.EnvError{Var: v, Path: dir, Err: errors.New(m[1])}
	}
	for _, m := range noSpaceRE.FindAllStringSubmatch(stderr, -1) {
		path, errno := m[1], errnos[m[2]]
		if !strings.ContainsAny(path, `/\`) {
			// "mapping output file failed: …": the linker writing its
			// output in go's work directory, which names no path.
			path = "$WORK"
		}
		// Say which setting chose the directory, when one did: go's work
		// directory ($WORK in its messages, go-buildNNN in paths) is in
		// the temporary directory.
		work := strings.HasPrefix(path, "$WORK") || workPathRE.MatchString(path)
		for _, d := range dirs {
			if (d.name == "GOCACHE" && within(path, d.path)) || (d.name != "GOCACHE" && work) {
				what := path
				if path == "$WORK" {
					what = "go's work directory"
				}
				return &fail.EnvError{Var: d.name, Path: d.path, Err: fmt.Errorf("writing %s: %w", what, errno)}
			}
		}
		if path != "$WORK" {
			return &fail.EnvError{Path: path, Err: errno}
		}
	}
	return nil
}

// dir is a directory the go command writes to, and the variable that
// chose it.
type dir struct{ name, path string }

// goDirs asks the go command where its build cache and its temporary
// directory are (none when it cannot say).
func goDirs(ctx context.Context, extra map[string]string) []dir {
	out, err := run.Output(ctx, nil, run.Cmd{Env: Env(extra), Args: []string{"go", "env", "-json", "GOCACHE", "GOTMPDIR"}})
	var e struct{ GOCACHE, GOTMPDIR string }
	if err != nil || json.Unmarshal(out, &e) != nil {
		return nil
	}
	var dirs []dir
	if e.GOCACHE != "" && e.GOCACHE != "off" {
		dirs = append(dirs, dir{"GOCACHE", e.GOCACHE})
	}
	if e.GOTMPDIR != "" {
		return append(dirs, dir{"GOTMPDIR", e.GOTMPDIR})
	}
	return append(dirs, dir{tempVar, os.TempDir()})
}

// within reports whether path is d or below it.
func within(path, d string) bool {
	rel, err := filepath.Rel(d, path)
	return err == nil && filepath.IsLocal(rel)
}

// tempVar names the variable os.TempDir reads first.
var tempVar = map[bool]string{true: "TMP", false: "TMPDIR"}[runtime.GOOS == "windows"]

// tempDir names the directory the go command makes its work directory in,
// and the variable that chose it.
func tempDir(extra map[string]string) (string, string) {
	if d, ok := extra["GOTMPDIR"]; ok && d != "" {
		return "GOTMPDIR", d
	}
	if d := os.Getenv("GOTMPDIR"); d != "" {
		return "GOTMPDIR", d
	}
	return tempVar, os.TempDir()
}
