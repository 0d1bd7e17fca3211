package git

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/run"
	"github.com/plugctl/plugctl/internal/versions"
)

// pick is a version of a repository resolved to one commit.
type pick struct {
	commit string // full commit hash
	// version is the semver tag naming commit, its sub/dir/ prefix
	// removed: the tag the version asked for, or else the highest semver
	// tag at that commit; "" when none names it.
	version string
	// ref is the full name of the ref the version named (refs/tags/v1.2.0,
	// refs/heads/main, HEAD for the default branch), or "" for a commit.
	ref string
}

// named returns the ref a version names by name: a tag (the
// subdirectory's own first), else a branch.
func named(refs []Ref, s Repo, version string) (Ref, bool) {
	var names []string
	if s.Subdir != "" {
		names = append(names, "refs/tags/"+s.Subdir+"/"+version)
	}
	names = append(names, "refs/tags/"+version, "refs/heads/"+version)
	for _, n := range names {
		if i := slices.IndexFunc(refs, func(r Ref) bool { return r.Name == n }); i >= 0 {
			return refs[i], true
		}
	}
	return Ref{}, false
}

// hashNamed refuses a full commit hash that a tag or branch is also named
// after: the version means the commit, and a ref of that name could stand
// for another one.
func hashNamed(refs []Ref, s Repo, version string) error {
	r, ok := named(refs, s, version)
	if !ok {
		return nil
	}
	what := "tag"
	if _, ok := r.Branch(); ok {
		what = "branch"
	}
	return fail.New(fail.Config, "version %s is a full commit hash, which always means that commit, but the repository also has a %s of that name (%s, at %s); delete or rename the %s", version, what, r.Name, r.Commit, what)
}

// pick resolves version against the repository s, whose refs are listed,
// to one commit. version may be:
//
//   - "" for the default branch;
//   - a full commit hash (40 or 64 hex digits): that commit, and a tag or
//     branch named so is refused;
//   - an exact tag (sub/dir/ prefixed first, for a source with a
//     subdirectory), else a branch;
//   - an abbreviated commit hash;
//   - "latest": the highest release tag, else the highest pre-release tag,
//     else the default branch;
//   - a Masterminds/semver constraint, matched against the semver tags
//     (semverTags): the highest match wins, and pre-releases match only
//     when the constraint names one (">=1.0.0-0").
//
// A version that names nothing is a fail.Config error listing what the
// repository has.
func (c client) pick(ctx context.Context, s Repo, refs []Ref, version string) (pick, error) {
	tags := semverTags(refs, s.Subdir)
	defaultBranch := func() (pick, error) {
		_, commit, err := c.head(ctx, s)
		if err != nil {
			return pick{}, err
		}
		return pick{commit: commit, version: tagAt(tags, commit), ref: "HEAD"}, nil
	}
	if version == "" {
		return defaultBranch()
	}
	if versions.IsCommit(version) {
		if err := hashNamed(refs, s, version); err != nil {
			return pick{}, err
		}
		return pick{commit: version, version: tagAt(tags, version)}, nil
	}
	if r, ok := named(refs, s, version); ok {
		v := ""
		if _, isTag := r.Tag(); isTag && versions.IsCanonical(version) {
			v = version
		} else if !isTag {
			v = tagAt(tags, r.Commit)
		}
		return pick{commit: r.Commit, version: v, ref: r.Name}, nil
	}
	if versions.IsShortCommit(version) {
		commit, err := c.expand(ctx, s, refs, version)
		if err != nil {
			return pick{}, err
		}
		return pick{commit: commit, version: tagAt(tags, commit)}, nil
	}
	if version == versions.Latest {
		for _, pre := range []bool{false, true} {
			for _, t := range tags {
				if (t.v.Prerelease() != "") == pre {
					return pick{commit: t.ref.Commit, version: t.version, ref: t.ref.Name}, nil
				}
			}
		}
		return defaultBranch()
	}
	if !versions.IsConstraint(version) {
		return pick{}, fail.New(fail.Config, "no tag, branch or commit is named %s (%s)", quote(version), available(refs, tags))
	}
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = t.version
	}
	if v, ok, _ := versions.Match(version, names); ok {
		t := tags[slices.IndexFunc(tags, func(t semTag) bool { return t.version == v })]
		return pick{commit: t.ref.Commit, version: t.version, ref: t.ref.Name}, nil
	}
	return pick{}, fail.New(fail.Config, "no version matches %s (%s)", quote(version), available(nil, tags))
}

// expand returns the full hash of the commit that short abbreviates: a ref
// tip when one matches, else found by fetching every branch and tag.
func (c client) expand(ctx context.Context, s Repo, refs []Ref, short string) (string, error) {
	seen := map[string]bool{}
	for _, r := range refs {
		if strings.HasPrefix(r.Commit, short) {
			seen[r.Commit] = true
		}
	}
	if len(seen) == 1 {
		for c := range seen {
			return c, nil
		}
	}
	if len(seen) > 1 {
		return "", fail.New(fail.Config, "commit %s is ambiguous: give more digits", short)
	}
	repo, err := c.initRepo(ctx)
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(repo)
	if err := c.fetchAll(ctx, repo, s); err != nil {
		return "", err
	}
	out, err := c.git(ctx, repo, "--git-dir="+repo, "rev-parse", "--verify", "--quiet", "--end-of-options", short+"^{commit}")
	if err != nil {
		if run.IsExit(err) {
			return "", fail.New(fail.Config, "no commit %s in the repository (or it is ambiguous: give more digits)", short)
		}
		return "", err
	}
	full := strings.TrimSpace(string(out))
	if !versions.IsCommit(full) {
		return "", fmt.Errorf("git rev-parse said %q for commit %s", full, short)
	}
	return full, nil
}

// reachable reports whether commit is tip or one of its ancestors: it
// fetches the history of tip (a commit ls-remote listed, so every server
// serves it) into a scratch repository and asks git merge-base. Only
// validated commit hashes reach git, after --end-of-options.
func (c client) reachable(ctx context.Context, s Repo, commit, tip string) (bool, error) {
	if commit == tip {
		return true, nil
	}
	if !versions.IsCommit(commit) || !versions.IsCommit(tip) {
		return false, nil
	}
	repo, err := c.initRepo(ctx)
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(repo)
	gitDir := "--git-dir=" + repo
	if _, err := c.git(ctx, repo, gitDir, "fetch", "--quiet", "--no-tags", "--", s.URL, tip); err != nil {
		return false, err
	}
	// Exit 1: not an ancestor; 128: no such commit in tip's history.
	// Either way, not reachable.
	if _, err := c.git(ctx, repo, gitDir, "merge-base", "--is-ancestor", "--end-of-options", commit, tip); err != nil {
		if run.IsExit(err) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// CheckTag reports, as a fail.Mismatch error, a tag of refs (as the lock
// recorded it, "v1.2.0", "sub/dir/v1.2.0" or "refs/tags/v1.2.0") that no
// longer names commit: a tag is a promise about content, and one that
// moved or vanished since it was locked is refused whatever the lock or
// the command says. what names the repository in the message.
func CheckTag(what string, refs []Ref, tag, commit string) error {
	name := "refs/tags/" + strings.TrimPrefix(tag, "refs/tags/")
	for _, r := range refs {
		if r.Name != name {
			continue
		}
		if r.Commit != commit {
			return fail.New(fail.Mismatch, "%s: tag %s moved: the lock pins commit %s, the repository now has %s", what, strings.TrimPrefix(name, "refs/tags/"), commit, r.Commit)
		}
		return nil
	}
	return fail.New(fail.Mismatch, "%s: tag %s is gone (the lock pins commit %s)", what, strings.TrimPrefix(name, "refs/tags/"), commit)
}

// quote quotes s for a message about the network, credentials removed and
// shortened when long.
func quote(s string) string { return redact.Quote(s, 100) }
