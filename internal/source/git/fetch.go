package git

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/module"

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
// module. With base set (the commit's version will be a pseudo-version), the
// commit's history and the repository's tags are fetched too, and the
// tree's Base is the highest semver tag reachable from the commit that fits
// its module path, as the go command chooses it.
func FetchTree(ctx context.Context, env *source.Env, src, commit, dst string, base bool) (*source.Tree, error) {
	s, err := Parse(src)
	if err != nil {
		return nil, err
	}
	if !versions.IsCommit(commit) {
		return nil, fail.New(fail.Config, "git source %s: %s is not a full commit hash", s, quote(commit))
	}
	tctx, cancel := env.WithTimeout(ctx)
	defer cancel()
	t, err := client{env}.fetch(tctx, s, commit, dst, base)
	if err != nil {
		return nil, env.FetchErr(ctx, err, fmt.Sprintf("fetching %s at %s", s, commit))
	}
	return t, nil
}

func (c client) fetch(ctx context.Context, s Repo, commit, dst string, base bool) (*source.Tree, error) {
	repo, err := c.initRepo(ctx)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(repo)
	gitDir := "--git-dir=" + repo
	// One commit, by hash: every protocol-v2 server allows it. Fall back
	// to every branch and tag for servers that do not.
	shallow := true
	if _, err := c.git(ctx, repo, gitDir, "fetch", "--quiet", "--no-tags", "--depth=1", "--", s.URL, commit); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		if err := c.fetchAll(ctx, repo, s); err != nil {
			return nil, err
		}
		shallow = false
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
	if base {
		if t.Base, err = c.base(ctx, repo, s, commit, t.Module, shallow); err != nil {
			return nil, err
		}
		t.Based = true
	}
	if err := files.ReplaceDir(tmp, dst); err != nil {
		return nil, err
	}
	t.Dir, t.Time, t.Sums = dst, time.Unix(sec, 0).UTC(), t.Sums.At(dst)
	return t, nil
}

// base returns the highest semver tag reachable from commit that fits
// module's path (v0 or v1 for a path without /vN, vN for one with it),
// the subdirectory's own tags first as semverTags reads them; "" when no
// tag is. It is what the go command bases a commit's pseudo-version on
// (git for-each-ref --merged, as cmd/go's RecentTag), so that a branch
// after tag v0.1.0 is v0.1.1-0.DATE-HASH, which sorts above v0.1.0, not
// v0.0.0-DATE-HASH, which sorts below it. repo holds commit; its history
// (shallow when the first fetch was) and every tag are fetched into it.
func (c client) base(ctx context.Context, repo string, s Repo, commit, mod string, shallow bool) (string, error) {
	gitDir := "--git-dir=" + repo
	if shallow {
		// The commit is fetched again, whole, with the tags: a fetch whose
		// refspecs match nothing (no tags) fails.
		if _, err := c.git(ctx, repo, gitDir, "fetch", "--quiet", "--no-tags", "--unshallow", "--", s.URL, "+refs/tags/*:refs/tags/*", commit); err != nil {
			return "", err
		}
	} // else fetchAll brought every branch and tag with their history

	out, err := c.git(ctx, repo, gitDir, "for-each-ref", "--format=%(refname)", "--merged="+commit, "refs/tags/")
	if err != nil {
		return "", err
	}
	return baseTag(strings.Fields(string(out)), s.Subdir, mod), nil
}

// baseTag picks the base of a pseudo-version among the tag refs reachable
// from a commit (see base).
func baseTag(names []string, subdir, mod string) string {
	_, pathMajor, ok := module.SplitPathVersion(mod)
	if !ok {
		return ""
	}
	refs := make([]Ref, len(names))
	for i, n := range names {
		refs[i] = Ref{Name: n}
	}
	for _, t := range semverTags(refs, subdir) { // highest first
		if module.CheckPathMajor(t.version, pathMajor) == nil {
			return t.version
		}
	}
	return ""
}
