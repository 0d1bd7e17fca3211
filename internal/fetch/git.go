package fetch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	msemver "github.com/Masterminds/semver/v3"

	"github.com/plugctl/plugctl/internal/extract"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/run"
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

// Pin is a git version resolved to one commit.
type Pin struct {
	Commit string // full commit hash
	// Version is the semver tag naming Commit, its sub/dir/ prefix removed:
	// the tag the version asked for, or else the highest semver tag at that
	// commit. It is "" when no semver tag names the commit; see
	// Tree.ModuleVersion for the version to build it at.
	Version string
	// Ref is the full name of the ref the version named (refs/tags/v1.2.0,
	// refs/heads/main, HEAD for the default branch), or "" for a commit hash.
	Ref string
}

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

// git runs git with args in dir, which must be a directory plugctl made.
func (f *Fetcher) git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	argv := append(append([]string{"git"}, gitConfig...), args...)
	return run.Output(ctx, f.reporter(), run.Cmd{Dir: dir, Env: gitEnv(filepath.Dir(dir)), Args: argv})
}

// scratch creates an empty temporary directory for git to run in.
func scratch() (string, error) {
	return os.MkdirTemp("", "plugctl-git-")
}

// withTimeout bounds ctx by the fetcher's timeout.
func (f *Fetcher) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, f.limits().Timeout)
}

// fetchErr classifies err, the failure of doing what, as a fetch failure:
// a timeout says so, a cancellation by the caller stays one.
func (f *Fetcher) fetchErr(parent context.Context, err error, what string) error {
	if parent.Err() != nil {
		return fmt.Errorf("%s: %w", what, parent.Err())
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fail.New(fail.Fetch, "%s: timed out after %s", what, f.limits().Timeout)
	}
	var fe *fail.Error
	if errors.As(err, &fe) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fail.Wrap(fail.Fetch, fmt.Errorf("%s: %w", what, err))
}

// Refs lists the branches and tags of the repository of src, sorted by
// name, with annotated tags peeled to their commits.
func (f *Fetcher) Refs(ctx context.Context, src string) ([]Ref, error) {
	s, err := ParseGit(src)
	if err != nil {
		return nil, err
	}
	tctx, cancel := f.withTimeout(ctx)
	defer cancel()
	refs, err := f.refs(tctx, s)
	if err != nil {
		return nil, f.fetchErr(ctx, err, "listing the refs of "+s.String())
	}
	return refs, nil
}

func (f *Fetcher) refs(ctx context.Context, s GitSource) ([]Ref, error) {
	dir, err := scratch()
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out, err := f.git(ctx, dir, "ls-remote", "--tags", "--heads", "--", s.URL)
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
func (f *Fetcher) head(ctx context.Context, s GitSource) (branch, commit string, err error) {
	dir, err := scratch()
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(dir)
	out, err := f.git(ctx, dir, "ls-remote", "--symref", "--", s.URL, "HEAD")
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

// semverTags returns the tags of refs that are canonical semantic versions
// (vX.Y.Z or vX.Y.Z-pre), highest first. With a subdirectory, tags under
// sub/dir/ are used when there are any.
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

// ResolveGit resolves version against the repository of src (a git::URL
// source) and pins it to a full commit hash. version may be:
//
//   - "" for the default branch;
//   - an exact tag (sub/dir/ prefixed first, for a source with a
//     subdirectory);
//   - a branch;
//   - a full or abbreviated commit hash;
//   - "latest": the highest release tag, else the highest pre-release tag,
//     else the default branch;
//   - a Masterminds/semver constraint, matched against the semver tags: the
//     highest match wins, and pre-releases match only when the constraint
//     names one (">=1.0.0-0").
//
// A version that names nothing is a fail.Config error listing what the
// repository has; an unreachable repository is a fail.Fetch error.
func (f *Fetcher) ResolveGit(ctx context.Context, src, version string) (Pin, error) {
	s, err := ParseGit(src)
	if err != nil {
		return Pin{}, err
	}
	if err := checkVersion(version); err != nil {
		return Pin{}, err
	}
	tctx, cancel := f.withTimeout(ctx)
	defer cancel()
	pin, err := f.resolve(tctx, s, version)
	if err != nil {
		what := fmt.Sprintf("resolving %s", s)
		if version != "" {
			what += " at " + quote(version)
		}
		return Pin{}, f.fetchErr(ctx, err, what)
	}
	return pin, nil
}

func (f *Fetcher) resolve(ctx context.Context, s GitSource, version string) (Pin, error) {
	refs, err := f.refs(ctx, s)
	if err != nil {
		return Pin{}, err
	}
	tags := semverTags(refs, s.Subdir)
	byName := map[string]Ref{}
	for _, r := range refs {
		byName[r.Name] = r
	}
	defaultBranch := func() (Pin, error) {
		_, commit, err := f.head(ctx, s)
		if err != nil {
			return Pin{}, err
		}
		return Pin{Commit: commit, Version: tagAt(tags, commit), Ref: "HEAD"}, nil
	}
	if version == "" {
		return defaultBranch()
	}
	// An exact tag, the subdirectory's own first.
	var tagNames []string
	if s.Subdir != "" {
		tagNames = append(tagNames, "refs/tags/"+s.Subdir+"/"+version)
	}
	tagNames = append(tagNames, "refs/tags/"+version)
	for _, name := range tagNames {
		if r, ok := byName[name]; ok {
			v := ""
			if versions.IsCanonical(version) {
				v = version
			}
			return Pin{Commit: r.Commit, Version: v, Ref: r.Name}, nil
		}
	}
	if r, ok := byName["refs/heads/"+version]; ok {
		return Pin{Commit: r.Commit, Version: tagAt(tags, r.Commit), Ref: r.Name}, nil
	}
	if versions.IsCommit(version) {
		return Pin{Commit: version, Version: tagAt(tags, version)}, nil
	}
	if versions.IsShortCommit(version) {
		commit, err := f.expand(ctx, s, refs, version)
		if err != nil {
			return Pin{}, err
		}
		return Pin{Commit: commit, Version: tagAt(tags, commit)}, nil
	}
	if version == "latest" {
		for _, pre := range []bool{false, true} {
			for _, t := range tags {
				if (t.v.Prerelease() != "") == pre {
					return Pin{Commit: t.ref.Commit, Version: t.version, Ref: t.ref.Name}, nil
				}
			}
		}
		return defaultBranch()
	}
	if !versions.IsConstraint(version) {
		return Pin{}, fail.New(fail.Config, "no tag, branch or commit is named %s (%s)", quote(version), available(refs, tags))
	}
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = t.version
	}
	if v, ok, _ := versions.Match(version, names); ok {
		t := tags[slices.IndexFunc(tags, func(t semTag) bool { return t.version == v })]
		return Pin{Commit: t.ref.Commit, Version: t.version, Ref: t.ref.Name}, nil
	}
	return Pin{}, fail.New(fail.Config, "no version matches %s (%s)", quote(version), available(nil, tags))
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

// expand returns the full hash of the commit that short abbreviates: a ref
// tip when one matches, else found by fetching every branch and tag.
func (f *Fetcher) expand(ctx context.Context, s GitSource, refs []Ref, short string) (string, error) {
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
	repo, err := f.initRepo(ctx)
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(repo)
	if err := f.fetchAll(ctx, repo, s); err != nil {
		return "", err
	}
	out, err := f.git(ctx, repo, "--git-dir="+repo, "rev-parse", "--verify", "--quiet", "--end-of-options", short+"^{commit}")
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

// neutralAttributes turn off every attribute that makes git archive change
// a file or leave one out, so the tree holds the blobs as committed.
const neutralAttributes = "* -text -eol -crlf -ident -filter -working-tree-encoding -export-ignore -export-subst\n"

// initRepo creates an empty bare repository in a new temporary directory.
func (f *Fetcher) initRepo(ctx context.Context) (string, error) {
	repo, err := scratch()
	if err != nil {
		return "", err
	}
	// No templates: no sample hooks, nothing from the user's
	// init.templateDir.
	if _, err := f.git(ctx, repo, "init", "--bare", "--quiet", "--template=", "--", repo); err != nil {
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
func (f *Fetcher) fetchAll(ctx context.Context, repo string, s GitSource) error {
	_, err := f.git(ctx, repo, "--git-dir="+repo, "fetch", "--quiet", "--no-tags", "--", s.URL,
		"+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*")
	return err
}

// FetchGit writes the tree of commit (a full hash) of src into dst,
// replacing whatever is there only once the whole tree is written. For a
// source with a //sub/dir suffix, dst receives that directory. The result
// holds no .git, no symbolic links and no submodules; its go.mod names the
// module.
func (f *Fetcher) FetchGit(ctx context.Context, src, commit, dst string) (*Tree, error) {
	s, err := ParseGit(src)
	if err != nil {
		return nil, err
	}
	if !versions.IsCommit(commit) {
		return nil, fail.New(fail.Config, "git source %s: %s is not a full commit hash", s, quote(commit))
	}
	tctx, cancel := f.withTimeout(ctx)
	defer cancel()
	t, err := f.fetchGit(tctx, s, commit, dst)
	if err != nil {
		return nil, f.fetchErr(ctx, err, fmt.Sprintf("fetching %s at %s", s, commit))
	}
	return t, nil
}

func (f *Fetcher) fetchGit(ctx context.Context, s GitSource, commit, dst string) (*Tree, error) {
	repo, err := f.initRepo(ctx)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(repo)
	gitDir := "--git-dir=" + repo
	// One commit, by hash: every protocol-v2 server allows it. Fall back
	// to every branch and tag for servers that do not.
	if _, err := f.git(ctx, repo, gitDir, "fetch", "--quiet", "--no-tags", "--depth=1", "--", s.URL, commit); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		if err := f.fetchAll(ctx, repo, s); err != nil {
			return nil, err
		}
	}
	object := commit
	if s.Subdir != "" {
		object += ":" + s.Subdir
	}
	typ, err := f.git(ctx, repo, gitDir, "cat-file", "-t", "--end-of-options", object)
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
	out, err := f.git(ctx, repo, gitDir, "log", "-1", "--format=%ct", "--end-of-options", commit, "--")
	if err != nil {
		return nil, err
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("reading the time of commit %s: %q", commit, out)
	}
	tarFile := filepath.Join(repo, "tree.tar")
	if _, err := f.git(ctx, repo, gitDir, "archive", "--format=tar", "--output="+tarFile, "--end-of-options", object); err != nil {
		return nil, err
	}
	tmp, err := files.TempDir(dst)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	// Symbolic links and submodules are left out, as in a Go module zip.
	if err := extract.File(ctx, tarFile, extract.Tar, tmp, extractOptions(f.limits(), extract.SkipSymlinks)); err != nil {
		return nil, fmt.Errorf("extracting the tree: %w", extractErr(err))
	}
	t, err := readTree(tmp, f.Keep)
	if err != nil {
		return nil, err
	}
	if err := files.ReplaceDir(tmp, dst); err != nil {
		return nil, err
	}
	t.Dir, t.Time, t.Sums = dst, time.Unix(sec, 0).UTC(), t.Sums.At(dst)
	return t, nil
}

// VerifyTag checks that tag (as the lock recorded it, "v1.2.0" or
// "sub/dir/v1.2.0") still names commit in the repository of src. A tag that
// moved or vanished is a fail.Mismatch error saying both commits.
func (f *Fetcher) VerifyTag(ctx context.Context, src, tag, commit string) error {
	refs, err := f.Refs(ctx, src)
	if err != nil {
		return err
	}
	s, _ := ParseGit(src) // parsed by Refs already
	return CheckTag(s.String(), refs, tag, commit)
}

// CheckTag is VerifyTag on refs already listed: it reports, as a
// fail.Mismatch error, a tag of refs that no longer names commit. what names
// the repository in the message.
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
