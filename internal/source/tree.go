package source

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/modhash"
)

// Tree is a fetched source tree holding one module.
type Tree struct {
	Dir    string        // absolute directory of the module (where its go.mod is)
	Module string        // the module path its go.mod declares
	GoMod  *modfile.File // its go.mod, parsed
	// Time is the commit time of a git tree (UTC), zero for an archive.
	Time time.Time
	// Based reports that Base was looked for (a git tree fetched for a
	// commit no tag names); Base is then the highest semver tag reachable
	// from the commit that fits the module path, "" when none is: what
	// the go command makes the commit's pseudo-version from.
	Based bool
	Base  string
	// Sums are the digests of the tree's files, read once as the tree was
	// written: its module hash at any version and its content hash come
	// from them, with no other read of the tree.
	Sums *modhash.Sums
}

// ReadTree hashes the tree at dir (once: see modhash) and reads its root
// go.mod from what was hashed.
func ReadTree(dir string, keep []string) (*Tree, error) {
	sums, err := modhash.Dir(dir, keep...)
	if err != nil {
		return nil, err
	}
	data, ok := sums.Kept("go.mod")
	if !ok {
		// Not a file, or too large to keep: say why as reading it does.
		data, err = os.ReadFile(filepath.Join(dir, "go.mod"))
		if os.IsNotExist(err) {
			return nil, fail.New(fail.Config, "no go.mod at the root of the source")
		}
		if err != nil {
			return nil, err
		}
	}
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		return nil, fail.Wrap(fail.Config, err)
	}
	if f.Module == nil {
		return nil, fail.New(fail.Config, "go.mod has no module line")
	}
	if err := module.CheckPath(f.Module.Mod.Path); err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("go.mod: %w", err))
	}
	return &Tree{Dir: dir, Module: f.Module.Mod.Path, GoMod: f, Sums: sums}, nil
}

// ModuleVersion returns the version to require the tree's module at, given
// the semver tag the git version resolved to (Pin.Version; "" when none):
// the tag itself when it fits the module path, else the commit's
// pseudo-version as the go command makes it: from the time and hash of
// the commit and the highest tag reachable from it (Base) — v0.1.1-0.
// yyyymmddhhmmss-abcdefabcdef after tag v0.1.0, vN.0.0-yyyymmddhhmmss-
// abcdefabcdef when no tag is, N being the module path's major version.
// A tag that does not fit the module path (v2.1.0 for a module without
// /v2) is a fail.Config error.
func (t *Tree) ModuleVersion(tag, commit string) (string, error) {
	if tag != "" {
		if err := module.Check(t.Module, tag); err != nil {
			return "", fail.New(fail.Config, "tag %s does not fit module path %s (a module at v2 or above has a path ending in /vN)", tag, t.Module)
		}
		return tag, nil
	}
	_, pathMajor, ok := module.SplitPathVersion(t.Module)
	if !ok {
		return "", fail.New(fail.Config, "invalid module path %s", t.Module)
	}
	if len(commit) < 12 {
		return "", fmt.Errorf("commit %q is too short for a pseudo-version", commit)
	}
	if t.Base != "" && module.CheckPathMajor(t.Base, pathMajor) != nil {
		return "", fmt.Errorf("base tag %s does not fit module path %s", t.Base, t.Module)
	}
	v := module.PseudoVersion(module.PathMajorPrefix(pathMajor), t.Base, t.Time, commit[:12])
	if err := module.Check(t.Module, v); err != nil {
		return "", fmt.Errorf("pseudo-version of commit %s: %w", commit, err)
	}
	return v, nil
}

// DirVersion is the version a module built from a directory (local or an
// archive) is required at when nothing says which version it is: v0.0.0,
// or vN.0.0 for a module path ending in /vN, the lowest versions the go
// command accepts for such a path. A fetched tree is hashed at it.
func DirVersion(mod string) string {
	_, pathMajor, ok := module.SplitPathVersion(mod)
	if !ok || pathMajor == "" {
		return LocalVersion
	}
	major := strings.TrimLeft(pathMajor, "/.v")
	major = strings.TrimSuffix(major, "-unstable")
	return "v" + major + ".0.0"
}

// ReadGoMod reads and parses the go.mod file at path.
func ReadGoMod(path string) (*modfile.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading go.mod: %w", err)
	}
	return parseGoMod(path, data)
}

// SumsGoMod parses the go.mod at path from the bytes sums read and hashed,
// reading it only when sums did not keep it.
func SumsGoMod(sums *modhash.Sums, path string) (*modfile.File, error) {
	if data, ok := sums.Kept("go.mod"); ok {
		return parseGoMod(path, data)
	}
	return ReadGoMod(path)
}

func parseGoMod(path string, data []byte) (*modfile.File, error) {
	f, err := modfile.ParseLax(path, data, nil)
	if err != nil {
		return nil, err
	}
	if f.Module == nil {
		return nil, fmt.Errorf("%s has no module line", path)
	}
	return f, nil
}

// fetched records, beside a fetched source tree, what it was fetched from,
// so that a tree already on disk at the pinned commit or checksum — and
// unchanged since — is not fetched again.
type fetched struct {
	Source string `json:"source"` // the config's source, credentials redacted
	Pin    string `json:"pin"`    // commit (git) or sha256 (archive)
	Module string `json:"module"`
	Hash   string `json:"hash"` // the module hash of the tree, at DirVersion
	Time   string `json:"time"` // commit time, RFC 3339, for pseudo-versions
	// Based and Base are the Tree's: whether the pseudo-version's base tag
	// was looked for, and which it is.
	Based bool   `json:"based,omitempty"`
	Base  string `json:"base,omitempty"`
	// Dir is the module's directory inside the fetched tree, relative: an
	// archive holding one top-level directory has its module there.
	Dir string `json:"dir"`
}

// FetchTree returns the source tree of the component name, from source at
// pin (a commit or a checksum), reusing the one fetched before into
// env.Sources when it is still intact (and, when base is set, fetched with
// its Base looked for), and fetching it with get otherwise.
// Either way the tree is read once: its Sums, checked against the record or
// made as it was fetched, give every hash of it later steps need (they are
// put in env.Hashes).
func (e *Env) FetchTree(name, source, pin string, base bool, get func(dst string) (*Tree, error)) (*Tree, error) {
	if e.Sources == "" {
		return nil, fmt.Errorf("no directory to fetch sources into")
	}
	dst := filepath.Join(e.Sources, name)
	record := dst + ".json"
	if t := e.reuseTree(record, dst, source, pin); t != nil && (t.Based || !base) {
		return t, nil
	}
	_ = os.Remove(record) // the tree is about to change
	tree, err := get(dst)
	if err != nil {
		return nil, err
	}
	e.Hashes.Put(tree.Sums)
	hash, err := tree.Sums.Module(tree.Module, DirVersion(tree.Module))
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
	data, err := json.MarshalIndent(fetched{Source: source, Pin: pin, Module: tree.Module, Hash: hash, Time: string(when), Dir: filepath.ToSlash(rel), Based: tree.Based, Base: tree.Base}, "", "  ")
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
func (e *Env) reuseTree(record, dst, source, pin string) *Tree {
	data, err := os.ReadFile(record)
	if err != nil {
		return nil
	}
	var f fetched
	if json.Unmarshal(data, &f) != nil || f.Source != source || f.Pin != pin {
		return nil
	}
	dir := filepath.Join(dst, filepath.FromSlash(f.Dir))
	sums, err := e.Hashes.Dir(dir)
	if err != nil {
		return nil
	}
	if h, err := sums.Module(f.Module, DirVersion(f.Module)); err != nil || h != f.Hash {
		return nil
	}
	gomod, err := SumsGoMod(sums, filepath.Join(dir, "go.mod"))
	if err != nil || gomod.Module.Mod.Path != f.Module {
		return nil
	}
	t := &Tree{Dir: dir, Module: f.Module, GoMod: gomod, Sums: sums, Based: f.Based, Base: f.Base}
	if err := t.Time.UnmarshalText([]byte(f.Time)); err != nil {
		return nil
	}
	return t
}

// Use makes c, requested by r, the module in tree at version.
func (t *Tree) Use(c *Component, r *Request, version string) error {
	if r.Module != "" && r.Module != t.Module {
		return r.Problem("module", "the config says module %s but the source's go.mod says %s", r.Module, t.Module)
	}
	hash, err := t.Sums.Module(t.Module, version)
	if err != nil {
		return fail.Wrap(fail.Config, fmt.Errorf("%s: hashing the fetched tree: %w", Label(r.Name), err))
	}
	c.Module, c.Version, c.Dir, c.Root, c.GoMod, c.Hash, c.Sums = t.Module, version, t.Dir, t.Dir, t.GoMod, hash, t.Sums
	return nil
}
