package resolve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/run"
	"github.com/plugctl/plugctl/internal/versions"
)

// nearestCount is how many available versions a no-match error lists.
const nearestCount = 4

// module resolves a component fetched by the go command: the pinned
// version if there is one, else the version the config asks for, matched
// against what the proxy lists when it is a constraint.
func (res *resolver) module(ctx context.Context, c *Component, q request, pin *Pin) error {
	query := q.version
	switch {
	case pin != nil:
		query = pin.Version
	case query == versions.Latest || versions.IsExact(query):
		// The go command answers these itself, pseudo-versions included.
	default:
		available, err := Versions(ctx, res.r, res.work, c.Module)
		if err != nil {
			return fail.Wrap(fail.Fetch, fmt.Errorf("%s (%s): %w", Label(c.Name), c.Module, err))
		}
		v, ok, err := versions.Match(query, available)
		if err != nil {
			return res.configError(q, fmt.Sprintf("invalid version constraint %q: %v", query, err))
		}
		if !ok {
			return res.noMatch(q, c.Module, available)
		}
		query = v
	}
	d, err := Download(ctx, res.r, res.work, module.Version{Path: c.Module, Version: query})
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		if pin == nil && versions.IsExact(query) && !module.IsPseudoVersion(query) {
			// A version that does not exist is the config's problem, not
			// the network's: say which versions do.
			if available, lerr := Versions(ctx, res.r, res.work, c.Module); lerr == nil && !slices.Contains(available, query) {
				return res.noMatch(q, c.Module, available)
			}
		}
		at := c.Module + "@" + query
		if pin != nil {
			at += " (pinned by the lock)"
		}
		return fail.Wrap(fail.Fetch, fmt.Errorf("%s (%s): %w", Label(c.Name), at, err))
	}
	f, err := readGoMod(d.GoMod)
	if err != nil {
		return fail.Wrap(fail.Fetch, fmt.Errorf("%s (%s@%s): %w", Label(c.Name), c.Module, d.Version, err))
	}
	c.Version, c.Root, c.GoMod, c.Hash = d.Version, d.Dir, f, d.Sum
	c.Origin = Origin{Kind: OriginProxy}
	if d.Origin != nil && d.Origin.VCS != "" {
		// go fetched it from its repository (direct, GOPRIVATE): record
		// where, and the commit, as go reported them.
		c.Origin.URL, c.Origin.Commit, c.Origin.Ref = redact.String(d.Origin.URL), d.Origin.Hash, d.Origin.Ref
	}
	return nil
}

func (res *resolver) configError(q request, msg string) error {
	return fail.Wrap(fail.Config, &diag.Problem{File: res.cfg.File, Pos: q.versionPos, Subject: q.name, Msg: msg})
}

// noMatch is the error for a version or constraint nothing satisfies.
func (res *resolver) noMatch(q request, mod string, available []string) error {
	msg := fmt.Sprintf("no version of %s matches %q", mod, q.version)
	if len(available) == 0 {
		msg += " (the module has no tagged versions)"
	} else {
		msg += fmt.Sprintf(" (nearest available: %s)", strings.Join(versions.Nearest(q.version, available, nearestCount), ", "))
	}
	return res.configError(q, msg)
}

// Versions lists the tagged versions of mod, as `go list -m -versions`
// reports them through the user's GOPROXY, running go in dir.
func Versions(ctx context.Context, r report.Reporter, dir, mod string) ([]string, error) {
	out, err := gotool.Query(ctx, r, dir, "list", "-m", "-versions", "-json", "--", mod)
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
// latest), and reports where it is and its hashes.
func Download(ctx context.Context, r report.Reporter, dir string, m module.Version) (*Downloaded, error) {
	out, err := gotool.Query(ctx, r, dir, "mod", "download", "-json", "--", m.Path+"@"+m.Version)
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
func Query(ctx context.Context, r report.Reporter, dir, mod, q string) (string, error) {
	out, err := gotool.Query(ctx, r, dir, "list", "-m", "-json", "--", mod+"@"+q)
	if err != nil {
		return "", goError(err)
	}
	var m struct{ Version string }
	if err := json.Unmarshal(out, &m); err != nil || m.Version == "" {
		return "", fmt.Errorf("go list -m %s@%s reported no version", mod, q)
	}
	return m.Version, nil
}
