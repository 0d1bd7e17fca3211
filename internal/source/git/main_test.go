package git

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain gives every git command of the tests, the ones the tests run and
// the ones the code under test runs, an empty HOME and no system config, so
// that the developer's git configuration changes nothing.
func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "plugctl-fetch-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("HOME", home)
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	os.Unsetenv("GIT_CONFIG_GLOBAL")
	os.Unsetenv("NETRC")
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// repo is a git repository made by a test: a work tree whose commits are
// pushed to a bare repository served as a file:// URL.
type repo struct {
	t    testing.TB
	work string
	bare string
	tick int // commit clock: every commit is one minute after the last
}

func newRepo(t testing.TB) *repo {
	t.Helper()
	dir := t.TempDir()
	r := &repo{t: t, work: filepath.Join(dir, "work"), bare: filepath.Join(dir, "origin.git")}
	r.git(dir, "init", "--quiet", "--bare", "--initial-branch=main", r.bare)
	r.git(dir, "init", "--quiet", "--initial-branch=main", r.work)
	r.run("remote", "add", "origin", r.bare)
	return r
}

// URL returns the repository's source as a config writes it.
func (r *repo) URL() string { return "git::file://" + r.bare }

func (r *repo) git(dir string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	date := fmt.Sprintf("2024-01-01T00:%02d:00Z", r.tick)
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com", "GIT_COMMITTER_DATE="+date,
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// run runs git in the work tree.
func (r *repo) run(args ...string) string {
	r.t.Helper()
	return r.git(r.work, args...)
}

// commit writes files (path → content; "" removes the file; a content
// starting with "->" makes a symbolic link to the rest) and commits them,
// returning the commit hash.
func (r *repo) commit(msg string, files map[string]string) string {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.work, filepath.FromSlash(name))
		switch {
		case content == "":
			if err := os.Remove(p); err != nil {
				r.t.Fatal(err)
			}
			continue
		case strings.HasPrefix(content, "->"):
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				r.t.Fatal(err)
			}
			if err := os.Symlink(strings.TrimPrefix(content, "->"), p); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		perm := os.FileMode(0o644)
		if strings.HasPrefix(content, "#!") {
			perm = 0o755
		}
		if err := os.WriteFile(p, []byte(content), perm); err != nil {
			r.t.Fatal(err)
		}
	}
	r.tick++
	r.run("add", "-A")
	r.run("commit", "--quiet", "--allow-empty", "-m", msg)
	return r.run("rev-parse", "HEAD")
}

// push pushes every branch and tag, moving tags that moved.
func (r *repo) push() {
	r.t.Helper()
	r.run("push", "--quiet", "--force", "origin", "refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*")
}
