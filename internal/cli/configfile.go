package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/fail"
)

// findConfig settles which config file the command reads, before it reads
// it. With -f, the file named. Without, plugconfig.yaml in the working
// directory or, like git and cargo, in the nearest parent directory that has
// one: a command works from any directory of the project. The search stops
// at the root of the git repository holding the working directory (the
// directory with .git), since a config above it belongs to another project,
// and at the filesystem root outside a repository. The directories are the
// physical ones (a symbolic link to a directory is followed, as git and the
// system's ".." do). A config found in a parent is named relative to the
// working directory (../plugconfig.yaml),
// so messages stay short and every path in the config still resolves
// against the config's own directory.
//
// It returns a config error saying how to make one when there is none.
func (g *globals) findConfig() error {
	if g.fileSet {
		if _, err := os.Stat(g.file); errors.Is(err, fs.ErrNotExist) {
			return fail.New(fail.Config, "%s does not exist: run 'plugctl init -f %s' to write one", g.file, g.file)
		}
		return nil
	}
	wd, err := os.Getwd()
	if err == nil {
		// The directories above are the physical ones, as the system
		// resolves "..": not those of a path through a symbolic link.
		wd, err = filepath.EvalSymlinks(wd)
	}
	if err != nil {
		return fmt.Errorf("finding the config: %w", err)
	}
	found, stop := searchConfig(wd)
	if found == "" {
		where := "in " + wd + " or any parent directory"
		if stop != "" && stop != wd {
			where = "in " + wd + " or its parents up to the repository root " + stop
		} else if stop == wd {
			where = "in " + wd + " (the repository root)"
		}
		return fail.New(fail.Config, "no %s %s: run 'plugctl init' to write one, or pass -f FILE", config.DefaultFile, where)
	}
	if rel, err := filepath.Rel(wd, found); err == nil {
		found = rel
	}
	g.file = found
	return nil
}

// searchConfig looks for config.DefaultFile in dir and its parents. It
// returns the file found ("" if none) and the repository root where the
// search stopped ("" when it went up to the filesystem root).
func searchConfig(dir string) (found, stop string) {
	for {
		f := filepath.Join(dir, config.DefaultFile)
		if _, err := os.Lstat(f); err == nil {
			return f, ""
		}
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return "", dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ""
		}
		dir = parent
	}
}
