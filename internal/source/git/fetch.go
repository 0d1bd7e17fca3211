package git

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/plugctl/plugctl/internal/extract"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/run"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/versions"
)

// FetchTree writes the tree of commit (a full hash) of src into dst,
// replacing whatever is there only once the whole tree is written. For a
// source with a //sub/dir suffix, dst receives that directory. The result
// holds no .git, no symbolic links and no submodules; its go.mod names the
// module.
func FetchTree(ctx context.Context, env *source.Env, src, commit, dst string) (*source.Tree, error) {
	s, err := Parse(src)
	if err != nil {
		return nil, err
	}
	if !versions.IsCommit(commit) {
		return nil, fail.New(fail.Config, "git source %s: %s is not a full commit hash", s, quote(commit))
	}
	tctx, cancel := env.WithTimeout(ctx)
	defer cancel()
	t, err := client{env}.fetch(tctx, s, commit, dst)
	if err != nil {
		return nil, env.FetchErr(ctx, err, fmt.Sprintf("fetching %s at %s", s, commit))
	}
	return t, nil
}

func (c client) fetch(ctx context.Context, s Repo, commit, dst string) (*source.Tree, error) {
	repo, err := c.initRepo(ctx)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(repo)
	gitDir := "--git-dir=" + repo
	// One commit, by hash: every protocol-v2 server allows it. Fall back
	// to every branch and tag for servers that do not.
	if _, err := c.git(ctx, repo, gitDir, "fetch", "--quiet", "--no-tags", "--depth=1", "--", s.URL, commit); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		if err := c.fetchAll(ctx, repo, s); err != nil {
			return nil, err
		}
	}
	object := commit
	if s.Subdir != "" {
		object += ":" + s.Subdir
	}
	typ, err := c.git(ctx, repo, gitDir, "cat-file", "-t", "--end-of-options", object)
	if err != nil {
		if ctx.Err() == nil && run.IsExit(err) {
			if s.Subdir != "" {
				return nil, fail.New(fail.Config, "commit %s has no directory %s", commit, s.Subdir)
			}
			return nil, fail.New(fail.Fetch, "the repository has no commit %s", commit)
		}
		return nil, err
	}
	want := "tree"
	if s.Subdir == "" {
		want = "commit"
	}
	if got := strings.TrimSpace(string(typ)); got != want {
		return nil, fail.New(fail.Config, "%s is a %s, not a %s", object, got, map[string]string{"tree": "directory", "commit": "commit"}[want])
	}
	out, err := c.git(ctx, repo, gitDir, "log", "-1", "--format=%ct", "--end-of-options", commit, "--")
	if err != nil {
		return nil, err
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("reading the time of commit %s: %q", commit, out)
	}
	tarFile := filepath.Join(repo, "tree.tar")
	if _, err := c.git(ctx, repo, gitDir, "archive", "--format=tar", "--output="+tarFile, "--end-of-options", object); err != nil {
		return nil, err
	}
	tmp, err := files.TempDir(dst)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	// Symbolic links and submodules are left out, as in a Go module zip.
	if err := extract.File(ctx, tarFile, extract.Tar, tmp, c.env.Limit().Extract(extract.SkipSymlinks)); err != nil {
		return nil, fmt.Errorf("extracting the tree: %w", source.ExtractErr(err))
	}
	t, err := source.ReadTree(tmp, c.env.Keep())
	if err != nil {
		return nil, err
	}
	if err := files.ReplaceDir(tmp, dst); err != nil {
		return nil, err
	}
	t.Dir, t.Time, t.Sums = dst, time.Unix(sec, 0).UTC(), t.Sums.At(dst)
	return t, nil
}
