package git

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/run"
	"github.com/plugctl/plugctl/internal/source"
)

// gitConfig is passed to every git command: no transport that runs a
// command, and no filesystem monitor (a daemon git would start).
var gitConfig = []string{
	"-c", "protocol.ext.allow=never",
	"-c", "protocol.fd.allow=never",
	"-c", "core.fsmonitor=false",
}

// gitEnvDrop lists variables that would make git act on another
// repository or print secrets into the stderr plugctl attaches to errors.
var gitEnvDrop = []string{
	"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
	"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE",
	"GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM",
	"GIT_CONFIG_PARAMETERS", "GIT_PROTOCOL_FROM_USER", "GIT_ALLOW_PROTOCOL",
	"GIT_TERMINAL_PROMPT", "GIT_QUARANTINE_PATH", "GIT_REPLACE_REF_BASE",
	"GIT_NO_REPLACE_OBJECTS", "GIT_SHALLOW_FILE", "GIT_GRAFT_FILE",
}

// gitEnv returns the environment of every git command: the user's, for
// credentials helpers, ssh keys and proxies, with git's repository-locating
// variables and tracing dropped and prompts and unsafe transports off.
func gitEnv(ceiling string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if slices.Contains(gitEnvDrop, k) || strings.HasPrefix(k, "GIT_TRACE") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"GIT_TERMINAL_PROMPT=0",
		// Only these transports, whatever the user's or a repository's
		// configuration says: no ext:: or fd::, and no redirect from
		// https to plain http.
		"GIT_ALLOW_PROTOCOL=file:https:ssh",
		"GIT_CEILING_DIRECTORIES="+ceiling,
	)
}

// client runs git for one resolution or fetch.
type client struct{ env *source.Env }

// git runs git with args in dir, which must be a directory plugctl made.
func (c client) git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	argv := append(append([]string{"git"}, gitConfig...), args...)
	return run.Output(ctx, c.env.Reporter(), run.Cmd{Dir: dir, Env: gitEnv(filepath.Dir(dir)), Args: argv})
}

// scratch creates an empty temporary directory for git to run in.
func scratch() (string, error) {
	return files.MkdirTemp("plugctl-git-")
}

// neutralAttributes turn off every attribute that makes git archive change
// a file or leave one out, so the tree holds the blobs as committed.
const neutralAttributes = "* -text -eol -crlf -ident -filter -working-tree-encoding -export-ignore -export-subst\n"

// initRepo creates an empty bare repository in a new temporary directory.
func (c client) initRepo(ctx context.Context) (string, error) {
	repo, err := scratch()
	if err != nil {
		return "", err
	}
	// No templates: no sample hooks, nothing from the user's
	// init.templateDir.
	if _, err := c.git(ctx, repo, "init", "--bare", "--quiet", "--template=", "--", repo); err != nil {
		os.RemoveAll(repo)
		return "", err
	}
	if err := os.MkdirAll(filepath.Join(repo, "info"), 0o755); err != nil {
		os.RemoveAll(repo)
		return "", err
	}
	if err := os.WriteFile(filepath.Join(repo, "info", "attributes"), []byte(neutralAttributes), 0o644); err != nil {
		os.RemoveAll(repo)
		return "", err
	}
	return repo, nil
}

// fetchAll fetches every branch and tag of s into repo.
func (c client) fetchAll(ctx context.Context, repo string, s Repo) error {
	_, err := c.git(ctx, repo, "--git-dir="+repo, "fetch", "--quiet", "--no-tags", "--", s.URL,
		"+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*")
	return err
}
