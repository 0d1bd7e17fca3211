// Package source is plugctl's axis of source kinds: where the code of the
// core or a plug comes from (docs/versions.md).
//
// A kind is one package under internal/source implementing Source, listed
// once in internal/source/kinds, the registration table. Every other package
// speaks of sources through the types of this package:
//
//   - Kind names a kind as the lock, the vendor manifest, the SBOM and the
//     --json documents write it: "module", "git", "archive", "local";
//   - Origin says where a component's bytes came from; the lock, the vendor
//     manifest and the SBOM record it as it is;
//   - Entry is what the config sets for one component, as a kind's config
//     rules see it (Source.CheckEntry);
//   - Request is what the config asks of one component, with the positions
//     of its keys for problems;
//   - Pin is a request resolved to exactly one content (Source.Resolve), or
//     what the lock recorded of it, checked against the request
//     (Source.Verify): the lock is checked, never trusted;
//   - Component is a pin fetched onto disk and hashed (Source.Fetch); Tree is
//     a fetched tree carrying its hashes, read once.
//
// Env holds what the kinds share in one run: the reporter, the fetch Limits,
// the hash cache and the directories trees are fetched into.
package source

import (
	"context"
	"fmt"
	"regexp"
	"slices"

	"golang.org/x/mod/modfile"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/modhash"
	"github.com/plugctl/plugctl/internal/report"
)

// Kind names a kind of source.
type Kind string

// The kinds of source. Adding one is a new package under internal/source
// and a row in internal/source/kinds; a switch over kinds that misses it
// fails the suite (kinds' TestSwitchesExhaustive).
const (
	Module  Kind = "module"  // fetched by the go command (module proxy, or its VCS per GOPRIVATE/direct)
	Git     Kind = "git"     // a git repository
	Archive Kind = "archive" // an archive URL
	Local   Kind = "local"   // a local directory
)

// LegacyModule is how locks and vendor manifests written before the kinds
// had one name each spelled Module. It is read, never written, but for the
// digest of an old lock that a vendor tree of that time recorded
// (lock.File.ContentDigests). It is not a Kind constant: no kind is named
// so, and no switch over kinds handles it.
const LegacyModule = "proxy"

// ParseKind reads a kind as a lock or a vendor manifest writes it: a Kind,
// or "proxy", the old name of Module, so that existing locks and trees
// still read. ok is false for anything else.
func ParseKind(s string) (k Kind, ok bool) {
	if s == LegacyModule {
		return Module, true
	}
	switch k := Kind(s); k {
	case Module, Git, Archive, Local:
		return k, true
	}
	return "", false
}

// Origin says where a component's bytes came from. The lock, the vendor
// manifest and the SBOM record it as it is; which fields a kind sets is the
// kind's to say (a fetched module sets URL, Commit and Ref only when the go
// command went to its repository directly).
type Origin struct {
	Kind   Kind   `json:"kind"`
	URL    string `json:"url,omitempty"`    // git or archive URL, credentials redacted; VCS URL of a module go fetched direct
	Commit string `json:"commit,omitempty"` // full commit hash
	Ref    string `json:"ref,omitempty"`    // the git ref the commit was resolved from: refs/tags/v1.2.0, refs/heads/main, HEAD
	SHA256 string `json:"sha256,omitempty"` // archive checksum, sha256:<hex>
	Path   string `json:"path,omitempty"`   // local directory as the config wrote it
}

// CoreName is the name the core goes by where plugs go by theirs (pins,
// the lock, messages).
const CoreName = "core"

// NamePattern is what every plug name must match, in the config, a
// manifest or the lock (and the config's own name, which names the
// artifacts).
const NamePattern = `^[a-z][a-z0-9_-]{0,62}$`

var nameRE = regexp.MustCompile(NamePattern)

// ValidName reports whether name matches NamePattern. (That a plug is not
// named CoreName is the config's rule, and the lock's.)
func ValidName(name string) bool { return nameRE.MatchString(name) }

// Label names a component in messages: `core` or `plug "name"`.
func Label(name string) string {
	if name == CoreName {
		return "core"
	}
	return fmt.Sprintf("plug %q", name)
}

// LocalVersion is the version a module built from a directory is required
// at, when its path has no major version suffix (see DirVersion).
const LocalVersion = "v0.0.0"

// Request is what the config asks of the core or one plug.
type Request struct {
	Name     string // plug name; CoreName for the core
	Module   string // module path; "" when the config leaves it to the source
	Version  string // version, constraint or git ref, as the config writes it
	Source   string // the config's source: "" for the module proxy
	Checksum string // archive checksum, sha256:<hex>
	// Import is the package to import (a plug) or that holds the entry
	// (the core); "" for the module path itself.
	Import string
	// File names the config in problems; Dir is where its relative paths
	// resolve.
	File, Dir string
	// Pos is the position of the entry; KeyPos that of each key it sets.
	Pos    diag.Pos
	KeyPos map[string]diag.Pos
}

// At returns the position of key in the config, or the entry's when the
// config does not set it.
func (r *Request) At(key string) diag.Pos {
	if p, ok := r.KeyPos[key]; ok {
		return p
	}
	return r.Pos
}

// Problem is a config problem of r at key, listed with the loader's problems'
// shape: file:line:col: plug "name": msg.
func (r *Request) Problem(key, format string, args ...any) error {
	return fail.Wrap(fail.Config, diag.List{{File: r.File, Pos: r.At(key), Subject: r.Name, Msg: fmt.Sprintf(format, args...)}})
}

// Pin is a request resolved to exactly one content, before its bytes are
// fetched: what a lock entry records of it.
type Pin struct {
	// Version is the module version when the kind knows it before fetching
	// (a module's exact version, the semver tag naming a git commit);
	// Fetch derives it when it is "" (a git commit no tag names, a
	// directory) and checks it when the pin came from the lock.
	Version string
	Origin  Origin
	// Locked reports that the pin is the lock's, checked by Verify; what
	// the kind fetches for it must then be what the lock records
	// (kinds.CheckFetched).
	Locked bool
	// Hash is the h1: hash the lock records for a locked pin, "" for
	// none: a module the module cache holds with that hash is taken from
	// there without running go (module.Source.Fetch).
	Hash string
}

// Component is the core or one plug, resolved and fetched.
type Component struct {
	Name      string // plug name; CoreName for the core
	Kind      Kind
	Module    string // module path
	Requested string // version or constraint as the config wrote it
	Version   string // resolved version (DirVersion for directories)
	Import    string // package to import (plugs) or that holds the entry (core)
	// Dir is the source directory of a local, git or archive component. The
	// generated go.mod replaces Module with it; it is empty for modules the
	// go command fetches.
	Dir string
	// Root is where the component's files are on disk: Dir, or the module
	// cache directory of a fetched module. Manifests are read from it.
	Root   string
	GoMod  *modfile.File
	Origin Origin
	// Hash is the module's h1: hash, as go.sum writes it: go's own for a
	// fetched module, the hash of the files a module zip of Dir would hold
	// otherwise.
	Hash string
	// Sums are the digests of Dir's files, read once (nil for a module the
	// go command fetches): the hashes of Dir, and the bytes of its go.mod
	// and manifest, come from them.
	Sums *modhash.Sums
	// Hooks are the build-time hooks that ran in a copy of the fetched
	// tree, which Dir then is (the hooks step); Hash and Sums are the
	// copy's, as the hooks left it. Nil when none ran.
	Hooks [][]string
}

// Source is one kind of source. Its methods are the kind's whole say: the
// table in internal/source/kinds holds one value of each, and nothing else
// in plugctl branches on a kind's name.
type Source interface {
	// Kind names the kind.
	Kind() Kind
	// Rules say how the config's entry of this kind is shaped.
	Rules() Rules
	// Claims reports whether a config source has this kind's form. It looks
	// at the form only: CheckSource says whether it is valid.
	Claims(source string) bool
	// CheckSource returns what is wrong with a source the kind claims, or
	// nil. The kind checks it again wherever it hands it to a program.
	CheckSource(source string) error
	// CheckEntry returns the problems of an entry of this kind (whose
	// source is valid): the keys it requires, the syntax of its version
	// and checksum. Keys the kind does not allow are the table's to report
	// (Rules.Keys).
	CheckEntry(e *Entry) []diag.Problem
	// Source returns the config source an origin of this kind stands for.
	Source(o Origin) string
	// Fixed returns the version the config alone fixes, with no lookup and
	// no lock, when it does (an exact module version, a directory).
	Fixed(r *Request) (version string, ok bool)
	// Resolve resolves r to one content.
	Resolve(ctx context.Context, env *Env, r *Request) (Pin, error)
	// Verify checks that locked, what the lock records for r, satisfies r
	// (docs/versions.md: the lock is checked, never trusted), and returns the pin to
	// fetch; its Version is "" when only the fetched content can say it (a
	// git commit's pseudo-version holds the commit's time, a directory's
	// version its go.mod's module path). A lock that breaks a rule is an
	// *Unsatisfied error.
	Verify(ctx context.Context, env *Env, r *Request, locked Pin) (Pin, error)
	// Fetch brings the content of pin onto disk (or finds it there) and
	// returns the component, hashed: its module, version, directories,
	// go.mod, origin, hash and sums.
	Fetch(ctx context.Context, env *Env, r *Request, pin Pin) (*Component, error)
	// Available lists what r's repository or proxy offers, for plugctl
	// outdated; nil for a kind without versions.
	Available(ctx context.Context, env *Env, r *Request) (*Available, error)
	// CheckLocked returns what is wrong with an entry of this kind as a
	// lock records it, beyond what is wrong with its module path or
	// version on their own: the fields its origin may not or must set, the
	// versions its module path allows.
	CheckLocked(mod, version string, o Origin) []FieldProblem
}

// FieldProblem is a problem of one field of a lock entry: Field is its
// name in the entry ("version", "origin", "origin.url").
type FieldProblem struct {
	Field, Msg string
}

// OriginOnly returns a problem for each field o sets that is not one of
// allowed (the origin's JSON field names).
func OriginOnly(o Origin, allowed ...string) []FieldProblem {
	var out []FieldProblem
	for _, f := range []struct {
		name string
		set  bool
	}{{"url", o.URL != ""}, {"commit", o.Commit != ""}, {"ref", o.Ref != ""}, {"sha256", o.SHA256 != ""}, {"path", o.Path != ""}} {
		if f.set && !slices.Contains(allowed, f.name) {
			out = append(out, FieldProblem{"origin." + f.name, fmt.Sprintf("not allowed for a %s origin", o.Kind)})
		}
	}
	return out
}

// Available is what a versioned kind offers for one request.
type Available struct {
	// Versions are the versions a constraint of the request is matched
	// against.
	Versions []string
	// Newest is the newest version overall, as the go command's "latest"
	// means it; "" when unknown.
	Newest string
}

// Rules say how a config entry of a kind is shaped.
type Rules struct {
	// Name names the kind in messages: "the module proxy".
	Name string
	// Forms describes the sources of the kind, for the valid forms a
	// message lists: `"" for the module proxy`.
	Forms string
	// Noun names an entry of the kind: "an archive source".
	Noun string
	// Keys lists the keys besides source an entry of the kind may set among
	// the origin keys (module, version, checksum). Refused says, for an
	// origin key it does not allow, why, when a reason helps: the table
	// reports "version is not allowed with an archive source (the checksum
	// pins its content)"; without one, it lists the kinds allowing the key.
	Keys    []string
	Refused map[string]string
	// Spaces reports whether a source of the kind may hold spaces (a
	// local path); no source may hold control characters.
	Spaces bool
	// Versioned reports whether the kind's versions mean something to a
	// manifest's constraints: a directory's or an archive's do not.
	Versioned bool
	// Live reports that the content behind one source can change with no
	// change to the config or the lock (a local directory): it is hashed
	// into an artifact's inputs on every build.
	Live bool
	// Fetches is what fetching a source of the kind brings, as the fetch
	// step's progress counts it: a tree, a module, a directory.
	Fetches report.Unit
}

// OriginKeys are the keys of a config entry that say where it comes from.
var OriginKeys = []string{"module", "version", "source", "checksum"}

// Entry is what the config sets for the core or a plug, as a kind's rules
// see it.
type Entry struct {
	Pos diag.Pos // of the entry
	// Fields holds the origin keys the entry sets; null ones count as
	// absent and are left out.
	Fields map[string]Field
	// Module is the module path when it is a valid one, else "".
	Module string
}

// Field is one key of an entry.
type Field struct {
	Pos    diag.Pos // of the value
	Value  string   // the value, when it is a string
	String bool     // the value is a string (else a problem of its own is reported)
}

// Has reports whether e sets key.
func (e *Entry) Has(key string) bool {
	_, ok := e.Fields[key]
	return ok
}

// Str returns the string value of key, and whether e sets it to a string.
func (e *Entry) Str(key string) (string, bool) {
	f, ok := e.Fields[key]
	return f.Value, ok && f.String
}

// At returns the position of key's value, or the entry's when it is not
// set.
func (e *Entry) At(key string) diag.Pos {
	if f, ok := e.Fields[key]; ok {
		return f.Pos
	}
	return e.Pos
}

// Unsatisfied is a lock entry that does not satisfy its config entry. With
// --locked it fails the command (exit 3); otherwise the entry is resolved
// again and the change reported.
type Unsatisfied struct {
	Name string // the component
	Rule string // the rule the lock breaks, for people
}

func (e *Unsatisfied) Error() string {
	return fmt.Sprintf("%s: %s", Label(e.Name), e.Rule)
}

// Unsatisfiedf is a fail.Mismatch *Unsatisfied error of r.
func Unsatisfiedf(r *Request, format string, args ...any) error {
	return fail.Wrap(fail.Mismatch, &Unsatisfied{Name: r.Name, Rule: fmt.Sprintf(format, args...)})
}
