// Package module is the Go-module kind of source: an entry with no source,
// fetched by the go command with the user's own environment, so GOPROXY
// lists (off and direct included), GOPRIVATE, GONOPROXY, GONOSUMDB, GOFLAGS
// and .netrc mean what they mean to go itself.
//
// Its version is an exact version (pseudo-versions and +incompatible
// included), "latest", or a Masterminds/semver/v3 constraint matched
// against the versions the proxy lists (internal/versions). A lock entry
// satisfies the config when its version is the exact version asked for,
// satisfies the constraint, or, for latest, is any version.
package module

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/modcache"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/run"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/versions"
)

// nearestCount is how many available versions a no-match error lists.
const nearestCount = 4

// Source is the module kind.
type Source struct{}

// Kind is source.Module.
func (Source) Kind() source.Kind { return source.Module }

// Rules of a module entry: module and version, no checksum.
func (Source) Rules() source.Rules {
	return source.Rules{
		Name:      "the module proxy",
		Forms:     `"" for the module proxy`,
		Noun:      "a module source",
		Keys:      []string{"module", "version"},
		Versioned: true,
		Fetches:   report.Modules,
	}
}

// Claims reports whether s is empty: no source means the module proxy.
func (Source) Claims(s string) bool { return s == "" }

// CheckSource has nothing to check in an empty source.
func (Source) CheckSource(string) error { return nil }

// CheckEntry requires module and version, and checks the version's syntax
// and that an exact one fits the module path.
func (Source) CheckEntry(e *source.Entry) []diag.Problem {
	var out []diag.Problem
	add := func(pos diag.Pos, format string, args ...any) {
		out = append(out, diag.Problem{Pos: pos, Msg: fmt.Sprintf(format, args...)})
	}
	if !e.Has("module") {
		add(e.Pos, "missing required key \"module\" (with no source, module and version say what to fetch from the module proxy)")
	}
	if !e.Has("version") {
		add(e.Pos, "missing required key \"version\" (valid: %s)", versions.Valid)
	}
	v, ok := e.Str("version")
	switch {
	case !ok:
	case v == "":
		add(e.At("version"), "version must not be empty (valid: %s)", versions.Valid)
	case strings.HasPrefix(v, "-"):
		add(e.At("version"), "invalid version %s: it must not begin with '-' (valid: %s)", source.Quote(v), versions.Valid)
	case !versions.IsQuery(v):
		add(e.At("version"), "invalid version %s (valid: %s)", source.Quote(v), versions.Valid)
	case e.Module != "" && versions.IsExact(v):
		if err := module.Check(e.Module, v); err != nil {
			add(e.At("version"), "version %q does not fit module path %q: %s", v, e.Module, versions.Reason(err))
		}
	}
	return out
}

// Source is "": the module proxy.
func (Source) Source(source.Origin) string { return "" }

// Fixed is the version when the config asks for an exact one.
func (Source) Fixed(r *source.Request) (string, bool) {
	return r.Version, versions.IsExact(r.Version)
}

// Resolve finds the version r asks for: an exact version is its own answer,
// latest is the go command's, and a constraint is matched against the
// versions the proxy lists.
func (Source) Resolve(ctx context.Context, env *source.Env, r *source.Request) (source.Pin, error) {
	pin := source.Pin{Version: r.Version, Origin: source.Origin{Kind: source.Module}}
	switch {
	case versions.IsExact(r.Version):
		// Whether it exists is found when it is fetched.
	case r.Version == versions.Latest:
		v, err := Query(ctx, env, r.Module, versions.Latest)
		if err != nil {
			if ctx.Err() != nil {
				return pin, err
			}
			return pin, queryError(r, r.Module+"@"+versions.Latest, err)
		}
		pin.Version = v
	default:
		available, err := Versions(ctx, env, r.Module)
		if err != nil {
			if ctx.Err() != nil {
				return pin, err
			}
			return pin, queryError(r, r.Module, err)
		}
		v, ok, err := versions.Match(r.Version, available)
		if err != nil {
			return pin, r.Problem("version", "invalid version constraint %q: %v", r.Version, err)
		}
		if !ok {
			return pin, noMatch(r, available)
		}
		pin.Version = v
	}
	return pin, nil
}

// Verify checks the locked version against what r asks: the exact version
// itself, a version inside the constraint, or any version for latest.
func (Source) Verify(_ context.Context, _ *source.Env, r *source.Request, locked source.Pin) (source.Pin, error) {
	v := locked.Version
	switch {
	case !versions.IsExact(v):
		return source.Pin{}, source.Unsatisfiedf(r, "the lock's version %q is not an exact version", v)
	case r.Version == versions.Latest:
	case versions.IsExact(r.Version):
		if v != r.Version {
			return source.Pin{}, source.Unsatisfiedf(r, "the lock's version %s is not the config's %s", v, r.Version)
		}
	default:
		if _, ok, err := versions.Match(r.Version, []string{v}); err != nil || !ok {
			return source.Pin{}, source.Unsatisfiedf(r, "the lock's version %s does not satisfy the config's %s", v, r.Version)
		}
	}
	return source.Pin{Version: v, Origin: source.Origin{Kind: source.Module}, Locked: true, Hash: locked.Hash}, nil
}

// Fetch downloads the module at the pinned version into the module cache
// (go mod download), with go's own hash.
//
// A locked pin the module cache holds whole with the lock's hash is taken
// from there, as go itself would take it, without starting go
// (Cached); anything missing or different, and go mod download fetches
// it as ever — a hash that differs is then what go reports, which the
// check step refuses.
func (Source) Fetch(ctx context.Context, env *source.Env, r *source.Request, pin source.Pin) (*source.Component, error) {
	m := module.Version{Path: r.Module, Version: pin.Version}
	d, ok := Cached(env, m, pin)
	var err error
	if !ok {
		d, err = Download(ctx, env, m)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		if !pin.Locked && versions.IsExact(pin.Version) && !module.IsPseudoVersion(pin.Version) {
			// A version that does not exist is the config's problem, not
			// the network's: say which versions do — or that the module
			// itself is not there.
			available, lerr := Versions(ctx, env, r.Module)
			switch {
			case lerr == nil && !slices.Contains(available, pin.Version):
				return nil, noMatch(r, available)
			case lerr != nil && ctx.Err() == nil && gotool.ClassifyQuery(lerr.Error()) == gotool.QueryNotFound:
				return nil, queryError(r, r.Module, lerr)
			}
		}
		at := r.Module + "@" + pin.Version
		if pin.Locked {
			at += " (pinned by the lock)"
		}
		return nil, fail.Wrap(fail.Fetch, fmt.Errorf("%s (%s): %w", source.Label(r.Name), at, err))
	}
	f, err := source.ReadGoMod(d.GoMod)
	if err != nil {
		return nil, fail.Wrap(fail.Fetch, fmt.Errorf("%s (%s@%s): %w", source.Label(r.Name), r.Module, d.Version, err))
	}
	c := &source.Component{Module: r.Module, Version: d.Version, Root: d.Dir, GoMod: f, Hash: d.Sum,
		Origin: source.Origin{Kind: source.Module}}
	if d.Origin != nil && d.Origin.VCS != "" {
		// go fetched it from its repository (direct, GOPRIVATE): record
		// where, and the commit, as go reported them.
		c.Origin.URL, c.Origin.Commit, c.Origin.Ref = redact.String(d.Origin.URL), d.Origin.Hash, d.Origin.Ref
	}
	return c, nil
}

// queryError is the failure of a module query about r (at names what was
// asked: module@query). A module the module proxy, or the repository
// behind it, says does not exist is the config's problem, at the entry's
// module key (exit 2): a typo, or a private module the proxy cannot see,
// which GOPRIVATE sends to its repository instead. GOPROXY=off and a proxy
// that cannot be reached are fetch failures (exit 4): nothing is known of
// the module.
func queryError(r *source.Request, at string, err error) error {
	if gotool.ClassifyQuery(err.Error()) == gotool.QueryNotFound {
		return r.Problem("module", "module %s not found: %s; check the module path, and for a private module set GOPRIVATE=%s (and credentials for its host; go help private)",
			r.Module, redact.String(gotool.QueryReason(err.Error())), gotool.PrivatePattern(r.Module))
	}
	return fail.Wrap(fail.Fetch, fmt.Errorf("%s (%s): %w", source.Label(r.Name), at, err))
}

// noMatch is the error for a version or constraint nothing satisfies.
func noMatch(r *source.Request, available []string) error {
	msg := fmt.Sprintf("no version of %s matches %q", r.Module, r.Version)
	if len(available) == 0 {
		msg += " (the module has no tagged versions)"
	} else {
		msg += fmt.Sprintf(" (nearest available: %s)", strings.Join(versions.Nearest(r.Version, available, nearestCount), ", "))
	}
	return r.Problem("version", "%s", msg)
}

// retry is how the module queries of env are retried: the go command's
// default, each attempt bounded by the fetch timeout.
func retry(env *source.Env) gotool.Retry {
	rt := gotool.DefaultRetry
	rt.Timeout = env.Limit().Timeout
	return rt
}

// work is where the go command runs for env's queries.
func work(env *source.Env) string {
	if env == nil {
		return ""
	}
	return env.Work
}

// Versions lists the tagged versions of mod, as `go list -m -versions`
// reports them through the user's GOPROXY, running go in env.Work; a
// transient failure is tried again (gotool.QueryRetry).
func Versions(ctx context.Context, env *source.Env, mod string) ([]string, error) {
	out, err := gotool.QueryRetry(ctx, env.Reporter(), work(env), retry(env), "list", "-m", "-versions", "-json", "--", mod)
	if err != nil {
		return nil, fmt.Errorf("listing versions: %w", goError(err))
	}
	var m struct{ Versions []string }
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, fmt.Errorf("listing versions: reading go list output: %w", err)
	}
	return m.Versions, nil
}

// Downloaded is what `go mod download -json` reports about one module.
type Downloaded struct {
	Path, Version string
	Dir           string // extracted module in the module cache
	GoMod         string // its go.mod file
	Sum, GoModSum string // h1: hashes as go.sum writes them
	Error         string
	Origin        *struct{ VCS, URL, Hash, Ref string }
}

// Download fetches m into the module cache through the user's GOPROXY, m's
// version being any query go accepts (an exact version, a pseudo-version,
// latest), and reports where it is and its hashes. A transient failure is
// tried again (gotool.QueryRetry).
func Download(ctx context.Context, env *source.Env, m module.Version) (*Downloaded, error) {
	out, err := gotool.QueryRetry(ctx, env.Reporter(), work(env), retry(env), "mod", "download", "-json", "--", m.Path+"@"+m.Version)
	var d Downloaded
	if jerr := json.Unmarshal(out, &d); jerr == nil && d.Error != "" {
		// go prefixes "path@version: ", which the caller names already.
		return nil, errors.New(redact.String(strings.TrimPrefix(d.Error, m.Path+"@"+m.Version+": ")))
	}
	if err != nil {
		return nil, goError(err)
	}
	if d.Dir == "" || d.Sum == "" {
		return nil, fmt.Errorf("go mod download reported no directory or hash for %s@%s", m.Path, m.Version)
	}
	return &d, nil
}

// Cached returns what go mod download -json would report of the locked
// pin of m, read from the module cache (env.ModCache) without running go:
// when the cache holds m whole (modcache.Cache.Lookup) and the hash go
// recorded for its zip is the one the lock records. ok is false for a pin
// not from the lock, or with no hash, or anything missing or different.
func Cached(env *source.Env, m module.Version, pin source.Pin) (d *Downloaded, ok bool) {
	if env == nil || env.ModCache == "" || !pin.Locked || pin.Hash == "" {
		return nil, false
	}
	c, err := modcache.Cache(env.ModCache).Lookup(m)
	if err != nil || c.ZipHash != pin.Hash {
		return nil, false
	}
	var info struct {
		Version string
		Origin  *struct{ VCS, URL, Hash, Ref string }
	}
	if err := json.Unmarshal(c.Info, &info); err != nil || info.Version != m.Version {
		return nil, false
	}
	return &Downloaded{Path: m.Path, Version: m.Version, Dir: c.Dir, GoMod: c.GoMod, Sum: c.ZipHash, Origin: info.Origin}, true
}

// goError trims a failed go command to what it said, which names the
// module and the cause; other errors pass through.
func goError(err error) error {
	var re *run.Error
	if errors.As(err, &re) && re.Stderr != "" {
		return errors.New(re.Stderr)
	}
	return err
}

// Query asks the go command which version of mod the query q (latest, a
// branch-like query, an exact version) names, without downloading it.
func Query(ctx context.Context, env *source.Env, mod, q string) (string, error) {
	out, err := gotool.QueryRetry(ctx, env.Reporter(), work(env), retry(env), "list", "-m", "-json", "--", mod+"@"+q)
	if err != nil {
		return "", goError(err)
	}
	var m struct{ Version string }
	if err := json.Unmarshal(out, &m); err != nil || m.Version == "" {
		return "", fmt.Errorf("go list -m %s@%s reported no version", mod, q)
	}
	return m.Version, nil
}

// Available lists the module's tagged versions through the user's GOPROXY;
// the newest is the go command's latest (a pseudo-version when the module
// has no tags).
func (Source) Available(ctx context.Context, env *source.Env, r *source.Request) (*source.Available, error) {
	list, err := Versions(ctx, env, r.Module)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, queryError(r, r.Module, err)
	}
	a := &source.Available{Versions: list, Newest: versions.Newest(list)}
	if a.Newest == "" {
		// Only pseudo-versions: the go command knows the newest.
		if a.Newest, err = Query(ctx, env, r.Module, versions.Latest); err != nil {
			return nil, fail.Wrap(fail.Fetch, fmt.Errorf("%s (%s): %w", source.Label(r.Name), r.Module, err))
		}
	}
	return a, nil
}

// CheckLocked allows the origin fields go reports of a direct fetch, and
// requires a version the module path allows.
func (Source) CheckLocked(mod, version string, o source.Origin) []source.FieldProblem {
	out := source.OriginOnly(o, "url", "commit", "ref")
	if module.CheckPath(mod) == nil && semver.IsValid(version) && module.Check(mod, version) != nil {
		out = append(out, source.FieldProblem{Field: "version", Msg: fmt.Sprintf("invalid version %q for module %s", version, mod)})
	}
	return out
}
