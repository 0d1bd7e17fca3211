// Package git is the git kind of source: git::URL with an https://, ssh://
// or file:// URL and an optional //sub/dir suffix naming the module's
// directory inside the repository (Parse).
//
// # Versions
//
// A version is resolved against `git ls-remote` (Source.Resolve): a full
// commit hash (40 or 64 hex digits) is that commit, and a tag or branch
// named like one is refused; an exact tag; a branch; an abbreviated commit
// hash; "latest"; or a Masterminds/semver constraint over the repository's
// semver tags (the highest match wins; pre-releases only when the
// constraint names one). Its versions are its semver tags: for a source with
// a subdirectory, tags written sub/dir/vX.Y.Z (Go's convention for a module
// in a subdirectory) when the repository has any, plain vX.Y.Z tags
// otherwise; resolution, the lock's check and plugctl outdated read them
// through one function. Whatever the version said, the result is pinned to
// a full commit hash, and the tree of exactly that commit is fetched,
// without .git.
//
// # The lock
//
// A lock entry is checked, never trusted (Source.Verify): its URL is the
// config's; its ref is what the config's version names now (tag v1.0.0 →
// refs/tags/v1.0.0, a constraint → a semver tag matching it, a branch →
// refs/heads/NAME, no version → HEAD, a commit → none); and its commit is
// what that tag names now, is reachable from that branch (its history is
// fetched and git merge-base asked), or is that commit. Its version is one
// the verified ref or commit gives: the tag's, a semver tag at the commit,
// or the commit's pseudo-version, checked once the tree is fetched. A tag
// that moved or vanished since it was locked is refused whatever the
// command (fail.Mismatch); any other broken rule is a
// *source.Unsatisfied.
//
// # Why git runs directly
//
// Git does not go through go-getter: its GitGetter (v2.2.5) runs
// `git clone URL DST` and `git checkout REF` with no "--" between options
// and user values, inherits the whole process environment (so
// GIT_TERMINAL_PROMPT and the protocol allow-list cannot be set for one
// call), is started with exec.CommandContext (cancelling kills git but not
// git-remote-https under it), puts git's unredacted output into its errors,
// clones every ref and updates submodules recursively from URLs the
// repository chooses, and cannot fetch one commit. plugctl instead runs git
// itself through internal/run:
//
//   - user values (URLs) only ever follow "--"; refs are never passed to git
//     at all: ls-remote's output is matched in Go and only validated hex
//     commit hashes reach later commands, after --end-of-options;
//   - a URL or version beginning with '-' is refused before git runs;
//   - GIT_TERMINAL_PROMPT=0, GIT_ALLOW_PROTOCOL=file:https:ssh and
//     -c protocol.ext.allow=never -c protocol.fd.allow=never, so no prompt
//     blocks a CI job and no transport runs a command;
//   - variables that would point git at another repository (GIT_DIR,
//     GIT_WORK_TREE, GIT_INDEX_FILE, …) are dropped, so plugctl behaves the
//     same inside a git hook;
//   - one commit is fetched (--depth=1) into a fresh bare repository
//     created without templates, falling back to all branches and tags when
//     a server refuses to serve a commit by hash;
//   - the tree comes out through `git archive` with attributes neutralised
//     ($GIT_DIR/info/attributes), so export-ignore, export-subst and
//     end-of-line conversion never change it: the files are the blobs as
//     committed, extracted by internal/extract. Symbolic links and
//     submodules are left out, as Go's module zips leave them out;
//   - credentials in URLs are removed from every message
//     (internal/redact: the whole user-info, up to the last @ before the
//     host, as git and net/url read it).
package git

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/versions"
)

// Source is the git kind.
type Source struct{}

// Kind is source.Git.
func (Source) Kind() source.Kind { return source.Git }

// Rules of a git entry: module and version optional (the go.mod names the
// module; no version is the default branch), no checksum.
func (Source) Rules() source.Rules {
	return source.Rules{
		Name:      "a git repository",
		Forms:     "git::https://…, git::ssh://… or git::file://… for a git repository",
		Noun:      "a git source",
		Keys:      []string{"module", "version"},
		Versioned: true,
		Fetches:   report.Trees,
	}
}

// Claims reports whether s starts with git::.
func (Source) Claims(s string) bool { return strings.HasPrefix(s, Prefix) }

// Source is git:: and the origin's URL.
func (Source) Source(o source.Origin) string { return Prefix + o.URL }

// Fixed is never: only the repository knows what a version names.
func (Source) Fixed(*source.Request) (string, bool) { return "", false }

// originURL is what the lock records of a git source: the source without
// git::, credentials redacted, //sub/dir included.
func originURL(src string) string { return strings.TrimPrefix(redact.String(src), Prefix) }

// Refs lists the branches and tags of the repository of src, sorted by
// name, with annotated tags peeled to their commits.
func Refs(ctx context.Context, env *source.Env, src string) ([]Ref, error) {
	s, err := Parse(src)
	if err != nil {
		return nil, err
	}
	tctx, cancel := env.WithTimeout(ctx)
	defer cancel()
	refs, err := client{env}.refs(tctx, s)
	if err != nil {
		return nil, env.FetchErr(ctx, err, "listing the refs of "+s.String())
	}
	return refs, nil
}

// Resolve resolves r's version against the repository's refs and pins it
// to a full commit hash. A version that names nothing is a problem of the
// config at its version; an unreachable repository is a fail.Fetch error.
func (Source) Resolve(ctx context.Context, env *source.Env, r *source.Request) (source.Pin, error) {
	pin, err := resolve(ctx, env, r.Source, r.Version)
	switch {
	case err == nil:
		return pin, nil
	case fail.KindOf(err) == fail.Config:
		return source.Pin{}, r.Problem("version", "%s", err.Error())
	}
	return source.Pin{}, fmt.Errorf("%s: %w", source.Label(r.Name), err)
}

// resolve resolves version against the repository of src (see pick). A
// version that names nothing is a fail.Config error listing what the
// repository has.
func resolve(ctx context.Context, env *source.Env, src, version string) (source.Pin, error) {
	s, err := Parse(src)
	if err != nil {
		return source.Pin{}, err
	}
	if err := checkVersion(version); err != nil {
		return source.Pin{}, err
	}
	tctx, cancel := env.WithTimeout(ctx)
	defer cancel()
	c := client{env}
	p, err := func() (pick, error) {
		refs, err := c.refs(tctx, s)
		if err != nil {
			return pick{}, err
		}
		return c.pick(tctx, s, refs, version)
	}()
	if err != nil {
		what := fmt.Sprintf("resolving %s", s)
		if version != "" {
			what += " at " + quote(version)
		}
		return source.Pin{}, env.FetchErr(ctx, err, what)
	}
	return source.Pin{Version: p.version, Origin: source.Origin{Kind: source.Git, URL: originURL(src), Commit: p.commit, Ref: p.ref}}, nil
}

// broken is a rule of the lock's check that a lock entry breaks.
type broken string

func (b broken) Error() string { return string(b) }

func brokenf(format string, args ...any) error { return broken(fmt.Sprintf(format, args...)) }

// Verify checks the lock's pin against r (see the package documentation)
// and returns it with its version verified, or left for Fetch to check
// against the fetched commit (a pseudo-version).
func (Source) Verify(ctx context.Context, env *source.Env, r *source.Request, locked source.Pin) (source.Pin, error) {
	s, err := Parse(r.Source)
	if err != nil {
		return source.Pin{}, err
	}
	o := locked.Origin
	if want := originURL(r.Source); o.URL != want {
		return source.Pin{}, source.Unsatisfiedf(r, "the lock's URL %s is not the config's %s", source.Quote(o.URL), source.Quote(want))
	}
	if !versions.IsCommit(o.Commit) {
		return source.Pin{}, source.Unsatisfiedf(r, "the lock's commit %s is not a full commit hash", source.Quote(o.Commit))
	}
	refs, err := Refs(ctx, env, r.Source)
	if err != nil {
		return source.Pin{}, fmt.Errorf("%s: %w", source.Label(r.Name), err)
	}
	tctx, cancel := env.WithTimeout(ctx)
	defer cancel()
	err = client{env}.check(tctx, s, refs, r.Version, o)
	var pin source.Pin
	if err == nil {
		pin, err = lockedVersion(s, refs, locked)
	}
	var b broken
	var fe *fail.Error
	switch {
	case err == nil:
		return pin, nil
	case errors.As(err, &b):
		return source.Pin{}, source.Unsatisfiedf(r, "%s", b)
	case errors.As(err, &fe) && ctx.Err() == nil && tctx.Err() == nil:
		// A tag that moved, a version naming nothing: said as it is.
		return source.Pin{}, fmt.Errorf("%s: %w", source.Label(r.Name), err)
	}
	return source.Pin{}, env.FetchErr(ctx, err, fmt.Sprintf("%s: checking the lock against %s", source.Label(r.Name), s))
}

// check holds the lock's origin o against the version the config asks of
// the repository s, whose refs are listed: a broken rule is a broken
// error, a tag that moved or vanished a fail.Mismatch one.
func (c client) check(ctx context.Context, s Repo, refs []Ref, version string, o source.Origin) error {
	what := s.String()
	if tag, ok := strings.CutPrefix(o.Ref, "refs/tags/"); ok && !slices.ContainsFunc(refs, func(r Ref) bool { return r.Name == o.Ref }) {
		return CheckTag(what, refs, tag, o.Commit)
	}
	tags := semverTags(refs, s.Subdir)
	isTag := func(ref string) bool {
		return slices.ContainsFunc(tags, func(t semTag) bool { return t.ref.Name == ref })
	}
	onDefault := func() error {
		_, tip, err := c.head(ctx, s)
		if err != nil {
			return err
		}
		ok, err := c.reachable(ctx, s, o.Commit, tip)
		if err == nil && !ok {
			err = brokenf("commit %s is not on the default branch (HEAD, at %s)", o.Commit, tip)
		}
		return err
	}
	switch r, isNamed := named(refs, s, version); {
	case version == "":
		if o.Ref != "HEAD" {
			return brokenf("the lock's ref %s is not HEAD, the default branch an entry with no version follows", showRef(o.Ref))
		}
		return onDefault()
	case versions.IsCommit(version):
		if err := hashNamed(refs, s, version); err != nil {
			return err
		}
		if o.Ref != "" || o.Commit != version {
			return brokenf("the lock pins %s, not commit %s, which version %s names", describe(o), version, version)
		}
	case isNamed:
		if o.Ref != r.Name {
			return brokenf("the lock's ref %s is not %s, which version %s names", showRef(o.Ref), r.Name, version)
		}
		if tag, ok := r.Tag(); ok {
			return CheckTag(what, refs, tag, o.Commit)
		}
		ok, err := c.reachable(ctx, s, o.Commit, r.Commit)
		if err == nil && !ok {
			err = brokenf("commit %s is not on branch %s (at %s)", o.Commit, strings.TrimPrefix(r.Name, "refs/heads/"), r.Commit)
		}
		return err
	case versions.IsShortCommit(version):
		if o.Ref != "" || !strings.HasPrefix(o.Commit, version) {
			return brokenf("the lock pins %s, not a commit starting with %s, which version %s names", describe(o), version, version)
		}
	case version == versions.Latest:
		switch {
		case o.Ref == "HEAD":
			return onDefault()
		case isTag(o.Ref):
			return CheckTag(what, refs, o.Ref, o.Commit)
		}
		return brokenf("the lock's ref %s is neither a version tag of the repository nor HEAD", showRef(o.Ref))
	case versions.IsConstraint(version):
		i := slices.IndexFunc(tags, func(t semTag) bool { return t.ref.Name == o.Ref })
		if i < 0 {
			return brokenf("the lock's ref %s is not a version tag of the repository (%s)", showRef(o.Ref), available(nil, tags))
		}
		if _, ok, _ := versions.Match(version, []string{tags[i].version}); !ok {
			return brokenf("the lock's tag %s (version %s) does not satisfy %s", strings.TrimPrefix(o.Ref, "refs/tags/"), tags[i].version, version)
		}
		return CheckTag(what, refs, o.Ref, o.Commit)
	default:
		_, err := c.pick(ctx, s, refs, version)
		if err == nil {
			err = brokenf("version %s names nothing the lock records", version)
		}
		return err
	}
	return nil
}

// lockedVersion returns the pin of a checked lock entry, its version one
// the verified ref or commit gives: the version of the tag the ref names,
// a semver tag at the commit, or the commit's pseudo-version (left for
// Fetch to derive from the commit's time, and kinds.CheckFetched to hold
// to the lock's).
func lockedVersion(s Repo, refs []Ref, locked source.Pin) (source.Pin, error) {
	o := locked.Origin
	pin := source.Pin{Origin: source.Origin{Kind: source.Git, URL: o.URL, Commit: o.Commit, Ref: o.Ref}, Locked: true}
	v := locked.Version
	if tag := refVersion(o.Ref, s.Subdir); tag != "" {
		if v != tag {
			return pin, brokenf("the lock's version %s is not %s, the version of tag %s", source.Quote(v), tag, strings.TrimPrefix(o.Ref, "refs/tags/"))
		}
		pin.Version = v
		return pin, nil
	}
	for _, t := range semverTags(refs, s.Subdir) {
		if t.ref.Commit == o.Commit && t.version == v {
			pin.Version = v
			return pin, nil
		}
	}
	if module.IsPseudoVersion(v) {
		if rev, err := module.PseudoVersionRev(v); err == nil && len(o.Commit) >= 12 && rev == o.Commit[:12] {
			return pin, nil // its time is the fetched commit's to confirm
		}
	}
	return pin, brokenf("the lock's version %s is neither a version tag at commit %s nor its pseudo-version", source.Quote(v), o.Commit)
}

// refVersion returns the version a tag ref names (its sub/dir/ prefix
// removed), or "" for a ref that is no canonical version tag.
func refVersion(ref, subdir string) string {
	tag, ok := strings.CutPrefix(ref, "refs/tags/")
	if !ok {
		return ""
	}
	if subdir != "" {
		tag = strings.TrimPrefix(tag, subdir+"/")
	}
	if !versions.IsCanonical(tag) {
		return ""
	}
	return tag
}

// showRef shows a ref of the lock in a message.
func showRef(ref string) string {
	if ref == "" {
		return "(none)"
	}
	return source.Quote(ref)
}

// describe says what a lock's origin pins, for a message.
func describe(o source.Origin) string {
	if o.Ref == "" {
		return "commit " + o.Commit
	}
	return fmt.Sprintf("%s (ref %s)", o.Commit, showRef(o.Ref))
}

// Fetch fetches the pinned commit into env.Sources (or reuses the tree
// fetched before) and derives the version to build it at: the tag the pin
// names when it fits the module path, else the commit's pseudo-version,
// made as the go command makes it from the highest tag reachable from the
// commit (source.Tree.ModuleVersion).
func (Source) Fetch(ctx context.Context, env *source.Env, r *source.Request, pin source.Pin) (*source.Component, error) {
	redacted := redact.String(r.Source)
	commit := pin.Origin.Commit
	// No tag names the commit: its pseudo-version needs the highest tag
	// reachable from it.
	base := pin.Version == ""
	tree, err := env.FetchTree(r.Name, redacted, commit, base, func(dst string) (*source.Tree, error) {
		return FetchTree(ctx, env, r.Source, commit, dst, base)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source.Label(r.Name), err)
	}
	version, err := tree.ModuleVersion(pin.Version, commit)
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", source.Label(r.Name), redacted, err)
	}
	c := &source.Component{Origin: pin.Origin}
	if err := tree.Use(c, r, version); err != nil {
		return nil, err
	}
	return c, nil
}

// Available lists the repository's versions (its semver tags, under the
// rules resolution follows), for plugctl outdated.
func (Source) Available(ctx context.Context, env *source.Env, r *source.Request) (*source.Available, error) {
	refs, err := Refs(ctx, env, r.Source)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source.Label(r.Name), err)
	}
	s, _ := Parse(r.Source) // Refs parsed it
	var a source.Available
	for _, t := range semverTags(refs, s.Subdir) {
		a.Versions = append(a.Versions, t.version)
	}
	a.Newest = versions.Newest(a.Versions)
	return &a, nil
}

// CheckLocked requires url and commit, and allows ref.
func (Source) CheckLocked(_, _ string, o source.Origin) []source.FieldProblem {
	out := source.OriginOnly(o, "url", "commit", "ref")
	if o.URL == "" || o.Commit == "" {
		out = append(out, source.FieldProblem{Field: "origin", Msg: "a git origin needs url and commit"})
	}
	return out
}
