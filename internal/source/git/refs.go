package git

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	msemver "github.com/Masterminds/semver/v3"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/versions"
)

// Ref is one branch or tag of a repository.
type Ref struct {
	Name   string // full name: refs/heads/main, refs/tags/v1.0.0
	Commit string // the commit it names; annotated tags are peeled
}

// Tag returns the tag name of a tag ref.
func (r Ref) Tag() (string, bool) { return strings.CutPrefix(r.Name, "refs/tags/") }

// Branch returns the branch name of a branch ref.
func (r Ref) Branch() (string, bool) { return strings.CutPrefix(r.Name, "refs/heads/") }

// refs lists the branches and tags of s, sorted by name.
func (c client) refs(ctx context.Context, s Repo) ([]Ref, error) {
	dir, err := scratch()
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out, err := c.git(ctx, dir, "ls-remote", "--tags", "--heads", "--", s.URL)
	if err != nil {
		return nil, err
	}
	return parseRefs(out)
}

// parseRefs parses ls-remote output: "<hash>\t<name>" lines, where
// "<name>^{}" gives the commit an annotated tag points to.
func parseRefs(out []byte) ([]Ref, error) {
	named := map[string]string{}
	peeled := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		hash, name, ok := strings.Cut(line, "\t")
		if !ok || !versions.IsCommit(hash) {
			return nil, fmt.Errorf("unexpected ls-remote output line %q", line)
		}
		if base, ok := strings.CutSuffix(name, "^{}"); ok {
			peeled[base] = hash
		} else {
			named[name] = hash
		}
	}
	refs := make([]Ref, 0, len(named))
	for name, hash := range named {
		if p, ok := peeled[name]; ok {
			hash = p
		}
		refs = append(refs, Ref{Name: name, Commit: hash})
	}
	slices.SortFunc(refs, func(a, b Ref) int { return strings.Compare(a.Name, b.Name) })
	return refs, nil
}

// head returns the default branch of the repository and its commit.
func (c client) head(ctx context.Context, s Repo) (branch, commit string, err error) {
	dir, err := scratch()
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(dir)
	out, err := c.git(ctx, dir, "ls-remote", "--symref", "--", s.URL, "HEAD")
	if err != nil {
		return "", "", err
	}
	for _, line := range strings.Split(string(out), "\n") {
		a, b, _ := strings.Cut(line, "\t")
		if b != "HEAD" {
			continue
		}
		if ref, ok := strings.CutPrefix(a, "ref: "); ok {
			branch = strings.TrimPrefix(ref, "refs/heads/")
		} else if versions.IsCommit(a) {
			commit = a
		}
	}
	if commit == "" {
		return "", "", fail.New(fail.Fetch, "the repository has no default branch (HEAD names no commit); give a version")
	}
	return branch, commit, nil
}

// semTag is a semver tag of a repository.
type semTag struct {
	version string // vX.Y.Z[-pre], the sub/dir/ prefix removed
	ref     Ref
	v       *msemver.Version
}

// semverTags returns the tags of refs that are the repository's versions,
// highest first: tags that are canonical semantic versions (vX.Y.Z or
// vX.Y.Z-pre) and, for a source in a subdirectory, tags sub/dir/vX.Y.Z
// (Go's convention for a module in a subdirectory) when the repository has
// any, the plain ones otherwise. Resolution, the lock's check and
// plugctl outdated all read a repository's versions through it.
func semverTags(refs []Ref, subdir string) []semTag {
	collect := func(prefix string) []semTag {
		var out []semTag
		for _, r := range refs {
			name, ok := r.Tag()
			if !ok {
				continue
			}
			v, ok := strings.CutPrefix(name, prefix)
			if !ok || !versions.IsCanonical(v) {
				continue
			}
			mv, err := msemver.NewVersion(v)
			if err != nil {
				continue
			}
			out = append(out, semTag{version: v, ref: r, v: mv})
		}
		slices.SortFunc(out, func(a, b semTag) int { return b.v.Compare(a.v) })
		return out
	}
	if subdir != "" {
		if tags := collect(subdir + "/"); len(tags) > 0 {
			return tags
		}
	}
	return collect("")
}

// tagAt returns the highest semver tag at commit, or "".
func tagAt(tags []semTag, commit string) string {
	for _, t := range tags {
		if t.ref.Commit == commit {
			return t.version
		}
	}
	return ""
}

// available describes what a repository offers, for a message: its highest
// versions and, when refs is given, its branches.
func available(refs []Ref, tags []semTag) string {
	const most = 5
	var parts []string
	if len(tags) == 0 {
		parts = append(parts, "the repository has no semver tags")
	} else {
		var vs []string
		for i, t := range tags {
			if i == most {
				vs = append(vs, "…")
				break
			}
			vs = append(vs, t.version)
		}
		parts = append(parts, "versions: "+strings.Join(vs, ", "))
	}
	var branches []string
	for _, r := range refs {
		if b, ok := r.Branch(); ok {
			if len(branches) == most {
				branches = append(branches, "…")
				break
			}
			branches = append(branches, b)
		}
	}
	if len(branches) > 0 {
		parts = append(parts, "branches: "+strings.Join(branches, ", "))
	}
	return strings.Join(parts, "; ")
}
