package resolve

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/fetch"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/redact"
)

// fetched records, beside a fetched source tree, what it was fetched from,
// so that a tree already on disk at the pinned commit or checksum — and
// unchanged since — is not fetched again.
type fetched struct {
	Source string `json:"source"` // the config's source, credentials redacted
	Pin    string `json:"pin"`    // commit (git) or sha256 (archive)
	Module string `json:"module"`
	Hash   string `json:"hash"` // the module hash of the tree, at LocalVersion
	Time   string `json:"time"` // commit time, RFC 3339, for pseudo-versions
	// Dir is the module's directory inside the fetched tree, relative: an
	// archive holding one top-level directory has its module there.
	Dir string `json:"dir"`
}

// treeDir is where the source of the named component is fetched to.
func (res *resolver) treeDir(name string) (string, error) {
	if res.sources == "" {
		return "", fmt.Errorf("no directory to fetch sources into")
	}
	return filepath.Join(res.sources, name), nil
}

// git resolves a git::URL component: the version against the repository's
// refs (or the lock's pin), then the tree of that commit, fetched into the
// sources directory.
func (res *resolver) git(ctx context.Context, c *Component, q request, pin *Pin) error {
	redacted := redact.String(q.source)
	var p fetch.Pin
	if pin != nil && pin.Commit != "" {
		p = fetch.Pin{Commit: pin.Commit, Ref: pin.Ref}
		if tag, ok := strings.CutPrefix(pin.Ref, "refs/tags/"); ok {
			// A tag is a promise about content: one that moved since it
			// was locked is refused, whatever the lock says.
			if err := res.fetcher.VerifyTag(ctx, q.source, tag, pin.Commit); err != nil {
				return fmt.Errorf("%s: %w", Label(c.Name), err)
			}
		}
	} else {
		var err error
		p, err = res.fetcher.ResolveGit(ctx, q.source, q.version)
		if err != nil {
			if fail.KindOf(err) == fail.Config {
				return res.configError(q, err.Error())
			}
			return fmt.Errorf("%s: %w", Label(c.Name), err)
		}
	}
	tree, err := res.tree(ctx, c.Name, redacted, p.Commit, func(dst string) (*fetch.Tree, error) {
		return res.fetcher.FetchGit(ctx, q.source, p.Commit, dst)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", Label(c.Name), err)
	}
	version := ""
	if pin != nil && pin.Commit != "" && pin.Version != "" {
		version = pin.Version
	} else if version, err = tree.ModuleVersion(p.Version, p.Commit); err != nil {
		return fmt.Errorf("%s (%s): %w", Label(c.Name), redacted, err)
	}
	if err := res.useTree(c, q, tree, version); err != nil {
		return err
	}
	c.Origin = Origin{Kind: OriginGit, URL: strings.TrimPrefix(redacted, "git::"), Commit: p.Commit, Ref: p.Ref}
	return nil
}

// archive resolves an archive component: its checksum pins it, so the only
// work is fetching and checking it.
func (res *resolver) archive(ctx context.Context, c *Component, q request, checksum string) error {
	redacted := redact.String(q.source)
	tree, err := res.tree(ctx, c.Name, redacted, checksum, func(dst string) (*fetch.Tree, error) {
		return res.fetcher.FetchArchive(ctx, q.source, checksum, dst)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", Label(c.Name), err)
	}
	if err := res.useTree(c, q, tree, DirVersion(tree.Module)); err != nil {
		return err
	}
	c.Origin = Origin{Kind: OriginArchive, URL: redacted, SHA256: checksum}
	return nil
}

// useTree makes c, requested by q, the module in tree at version.
func (res *resolver) useTree(c *Component, q request, tree *fetch.Tree, version string) error {
	if c.Module != "" && c.Module != tree.Module {
		return res.errorAt(q, q.modulePos, "the config says module %s but the source's go.mod says %s", c.Module, tree.Module)
	}
	hash, err := tree.Sums.Module(tree.Module, version)
	if err != nil {
		return fail.Wrap(fail.Config, fmt.Errorf("%s: hashing the fetched tree: %w", Label(c.Name), err))
	}
	c.Module, c.Version, c.Dir, c.Root, c.GoMod, c.Hash, c.Sums = tree.Module, version, tree.Dir, tree.Dir, tree.GoMod, hash, tree.Sums
	return nil
}

// tree returns the source tree of a component at pin (a commit or a
// checksum), reusing the one fetched before when it is still intact, and
// fetching it with get otherwise. Either way the tree is read once: its
// Sums, checked against the record or made as it was fetched, give every
// hash of it later steps need (they are put in the resolution's cache).
func (res *resolver) tree(ctx context.Context, name, source, pin string, get func(dst string) (*fetch.Tree, error)) (*fetch.Tree, error) {
	dst, err := res.treeDir(name)
	if err != nil {
		return nil, err
	}
	record := dst + ".json"
	if t := res.reuseTree(record, dst, source, pin); t != nil {
		return t, nil
	}
	_ = os.Remove(record) // the tree is about to change
	tree, err := get(dst)
	if err != nil {
		return nil, err
	}
	res.hashes.Put(tree.Sums)
	hash, err := tree.Sums.Module(tree.Module, LocalVersion)
	if err != nil {
		return nil, fail.Wrap(fail.Config, err)
	}
	rel, err := filepath.Rel(dst, tree.Dir)
	if err != nil {
		return nil, err
	}
	when, err := tree.Time.MarshalText()
	if err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(fetched{Source: source, Pin: pin, Module: tree.Module, Hash: hash, Time: string(when), Dir: filepath.ToSlash(rel)}, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := files.WriteFile(record, append(data, '\n'), 0o644); err != nil {
		return nil, err
	}
	return tree, nil
}

// reuseTree returns the tree recorded in record if it was fetched from
// source at pin and its files are still what was fetched.
func (res *resolver) reuseTree(record, dst, source, pin string) *fetch.Tree {
	data, err := os.ReadFile(record)
	if err != nil {
		return nil
	}
	var f fetched
	if json.Unmarshal(data, &f) != nil || f.Source != source || f.Pin != pin {
		return nil
	}
	dir := filepath.Join(dst, filepath.FromSlash(f.Dir))
	sums, err := res.hashes.Dir(dir)
	if err != nil {
		return nil
	}
	if h, err := sums.Module(f.Module, LocalVersion); err != nil || h != f.Hash {
		return nil
	}
	gomod, err := sumsGoMod(sums, filepath.Join(dir, "go.mod"))
	if err != nil || gomod.Module.Mod.Path != f.Module {
		return nil
	}
	t := &fetch.Tree{Dir: dir, Module: f.Module, GoMod: gomod, Sums: sums}
	if err := t.Time.UnmarshalText([]byte(f.Time)); err != nil {
		return nil
	}
	return t
}

// DirVersion is the version a module built from a directory (local or an
// archive) is required at: v0.0.0, or vN.0.0 for a module path ending in
// /vN, the only versions the go command accepts for such a path.
func DirVersion(mod string) string {
	_, pathMajor, ok := module.SplitPathVersion(mod)
	if !ok || pathMajor == "" {
		return LocalVersion
	}
	major := strings.TrimLeft(pathMajor, "/.v")
	major = strings.TrimSuffix(major, "-unstable")
	return "v" + major + ".0.0"
}
