// Package archive is the archive kind of source: an https:// or file://
// URL of a .tar.gz, .tgz or .zip file, pinned by the sha256 checksum the
// config gives (checksum: sha256:<hex>), which is checked against the
// archive's bytes before anything is extracted.
//
// Archives are downloaded with go-getter v2, set up to do nothing plugctl
// does not ask for: only an https getter (with its own http.Client: a byte
// cap, redirect limits, no downgrade to http, no transparent decompression)
// and a file getter that copies, no X-Terraform-Get, no query-string
// options (?archive=, ?checksum=, ?filename= are refused before go-getter
// sees the URL), symlinks disabled, and no decompressor: go-getter only
// downloads. Archives are extracted by internal/extract, which checks every
// entry before it writes anything, so an archive holding a "../" path, an
// absolute path, a link or a device, or one that expands beyond the limits,
// is refused with an error naming the entry before a byte is written.
//
// A lock entry satisfies the config when it records the config's URL and
// checksum.
package archive

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/source"
)

// Source is the archive kind.
type Source struct{}

// Kind is source.Archive.
func (Source) Kind() source.Kind { return source.Archive }

// Rules of an archive entry: a checksum and no version.
func (Source) Rules() source.Rules {
	return source.Rules{
		Name:    "an archive",
		Forms:   "an https:// or file:// URL of a .tar.gz, .tgz or .zip archive",
		Noun:    "an archive source",
		Keys:    []string{"module", "checksum"},
		Refused: map[string]string{"version": "the checksum pins its content"},
		Fetches: report.Trees,
	}
}

// Claims reports whether s is an https:// or file:// URL.
func (Source) Claims(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "file://")
}

// Archive formats, by the suffix of the URL's path.
const (
	formatTarGz = "tar.gz"
	formatZip   = "zip"
)

// ChecksumPattern is what a checksum must match (the config's JSON Schema
// holds it too).
const ChecksumPattern = `^sha256:[0-9a-f]{64}$`

var checksumRE = regexp.MustCompile(ChecksumPattern)

// validChecksum describes a checksum, for messages.
const validChecksum = "sha256:<64 lowercase hex digits>"

// Parse parses and checks an archive source and returns its URL and format
// (formatTarGz or formatZip): an https:// URL with a host or a file:// URL
// without one, with no query or fragment (go-getter reads ?archive=,
// ?checksum=, ?filename= as instructions, and the checksum comes from the
// config's own field) and no // in its path (go-getter would read it as a
// subdirectory), ending in .tar.gz, .tgz or .zip. These are the config's
// rules; they are checked again before a download. Errors are fail.Config
// and never show credentials.
func Parse(src string) (*url.URL, string, error) {
	bad := func(format string, args ...any) (*url.URL, string, error) {
		return nil, "", fail.New(fail.Config, format, args...)
	}
	q := source.Quote(src)
	for _, r := range src {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return bad("archive source %s must not contain spaces or control characters", q)
		}
	}
	if strings.ContainsAny(src, "?#") {
		return bad("archive source %s must not have a query string or fragment", q)
	}
	u, err := url.Parse(src)
	if err != nil {
		return bad("archive source %s is not a valid URL", q)
	}
	switch u.Scheme {
	case "https":
		if u.Hostname() == "" {
			return bad("archive source %s has no host", q)
		}
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return bad("archive source %s: a file:// URL must have no host (valid: file:///abs/path.tar.gz)", q)
		}
	default:
		return bad("archive source %s must be an https:// or file:// URL", q)
	}
	if strings.Contains(u.Path, "//") {
		return bad("archive source %s: the path must not contain // (go-getter would read it as a subdirectory)", q)
	}
	switch {
	case strings.HasSuffix(u.Path, ".tar.gz"), strings.HasSuffix(u.Path, ".tgz"):
		return u, formatTarGz, nil
	case strings.HasSuffix(u.Path, ".zip"):
		return u, formatZip, nil
	}
	return bad("archive source %s must end in .tar.gz, .tgz or .zip (for a git repository write git::%s)", q, redact.String(src))
}

// CheckSource checks an archive source (Parse).
func (Source) CheckSource(s string) error {
	_, _, err := Parse(s)
	return err
}

// CheckEntry requires a checksum, and a valid one.
func (Source) CheckEntry(e *source.Entry) []diag.Problem {
	sum, isString := e.Str("checksum")
	switch {
	case !e.Has("checksum"):
		return []diag.Problem{{Pos: e.At("source"), Msg: fmt.Sprintf("missing required key \"checksum\" (an archive source needs checksum: %s)", validChecksum)}}
	case isString && !checksumRE.MatchString(sum):
		return []diag.Problem{{Pos: e.At("checksum"), Msg: fmt.Sprintf("invalid checksum %s (valid: %s)", diag.Quote(sum), validChecksum)}}
	}
	return nil
}

// Source is the origin's URL.
func (Source) Source(o source.Origin) string { return o.URL }

// Fixed is never: the module's version is its go.mod's, known once
// fetched.
func (Source) Fixed(*source.Request) (string, bool) { return "", false }

// Resolve pins the archive by its checksum.
func (Source) Resolve(_ context.Context, _ *source.Env, r *source.Request) (source.Pin, error) {
	return source.Pin{Origin: source.Origin{Kind: source.Archive, URL: redact.String(r.Source), SHA256: r.Checksum}}, nil
}

// Verify checks that the lock records the config's URL and checksum.
func (s Source) Verify(ctx context.Context, env *source.Env, r *source.Request, locked source.Pin) (source.Pin, error) {
	want, _ := s.Resolve(ctx, env, r)
	switch o := locked.Origin; {
	case o.URL != want.Origin.URL:
		return source.Pin{}, source.Unsatisfiedf(r, "the lock's URL %s is not the config's %s", source.Quote(o.URL), source.Quote(want.Origin.URL))
	case o.SHA256 != want.Origin.SHA256:
		return source.Pin{}, source.Unsatisfiedf(r, "the lock's checksum %s is not the config's %s", source.Quote(o.SHA256), want.Origin.SHA256)
	}
	want.Locked = true
	return want, nil // its version is its go.mod's, known once fetched
}

// Fetch downloads and checks the archive into env.Sources (or reuses the
// tree fetched before); its module is required at DirVersion.
func (Source) Fetch(ctx context.Context, env *source.Env, r *source.Request, pin source.Pin) (*source.Component, error) {
	tree, err := env.FetchTree(r.Name, pin.Origin.URL, pin.Origin.SHA256, false, func(dst string) (*source.Tree, error) {
		return FetchTree(ctx, env, r.Source, pin.Origin.SHA256, dst)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source.Label(r.Name), err)
	}
	c := &source.Component{Origin: pin.Origin}
	if err := tree.Use(c, r, source.DirVersion(tree.Module)); err != nil {
		return nil, err
	}
	return c, nil
}

// Available is nil: an archive is pinned by its checksum, not a version.
func (Source) Available(context.Context, *source.Env, *source.Request) (*source.Available, error) {
	return nil, nil
}

// CheckLocked requires url and a valid sha256.
func (Source) CheckLocked(_, _ string, o source.Origin) []source.FieldProblem {
	out := source.OriginOnly(o, "url", "sha256")
	if o.URL == "" || !checksumRE.MatchString(o.SHA256) {
		out = append(out, source.FieldProblem{Field: "origin", Msg: "an archive origin needs url and sha256 (" + validChecksum + ")"})
	}
	return out
}
