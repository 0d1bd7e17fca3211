package git

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/versions"
)

// Prefix starts every git source.
const Prefix = "git::"

// Repo is a parsed git::URL[//sub/dir] source.
type Repo struct {
	URL    string // the repository URL, as git receives it
	Subdir string // slash-separated directory inside the repository; "" for its root
}

// String returns the source as the config writes it, credentials removed.
func (s Repo) String() string {
	out := Prefix + redact.String(s.URL)
	if s.Subdir != "" {
		out += "//" + s.Subdir
	}
	return out
}

// forcedRE matches a forced getter or git transport prefix ("ext::",
// "fd::", "s3::"): letters, digits, '+', '.' and '-' up to the first "::",
// as git reads a <transport>::<address> URL. A "::" further on, as in an
// IPv6 host [::1], is part of the address.
var forcedRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*::`)

// Parse parses and checks a git source: git:: followed by an https://,
// ssh:// or file:// URL with no query or fragment, no user or host
// beginning with '-', and an optional //sub/dir suffix naming a directory
// of the repository (go-getter's convention) that cannot climb out of it.
// These are the config's rules (validate reports them at the source's
// position); they are checked again wherever a URL is handed to git,
// since a library must not trust that its caller validated. Errors are
// fail.Config and never show credentials.
func Parse(src string) (Repo, error) {
	bad := func(format string, args ...any) (Repo, error) {
		return Repo{}, fail.New(fail.Config, format, args...)
	}
	q := source.Quote(src)
	rest, ok := strings.CutPrefix(src, Prefix)
	if !ok {
		return bad("git source %s must begin with %s", q, Prefix)
	}
	for _, r := range src {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return bad("git source %s must not contain spaces or control characters", q)
		}
	}
	if m := forcedRE.FindString(rest); m != "" {
		return bad("unsupported forced getter %q in source (valid: git:: followed by an https://, ssh:// or file:// URL)", m)
	}
	scheme, after, ok := strings.Cut(rest, "://")
	if !ok || (scheme != "https" && scheme != "ssh" && scheme != "file") {
		return bad("git source %s must be git:: followed by an https://, ssh:// or file:// URL", q)
	}
	if strings.ContainsAny(rest, "?#") {
		return bad("git source %s must not have a query string or fragment (put the branch, tag or commit in version)", q)
	}
	repo, sub, hasSub := strings.Cut(after, "//")
	if hasSub {
		if msg := checkSubdir(sub); msg != "" {
			return bad("git source %s: subdirectory %s", q, msg)
		}
	}
	raw := scheme + "://" + repo
	u, err := url.Parse(raw)
	if err != nil {
		return bad("git source %s is not a valid URL", q)
	}
	if u.User != nil && strings.HasPrefix(u.User.Username(), "-") || strings.HasPrefix(u.Host, "-") {
		return bad("git source %s: user and host must not begin with '-'", q)
	}
	switch scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return bad("git source %s: a file:// URL must have no host (valid: git::file:///abs/path)", q)
		}
	default:
		if u.Hostname() == "" {
			return bad("git source %s has no host", q)
		}
	}
	if strings.Trim(u.Path, "/") == "" {
		return bad("git source %s has no repository path", q)
	}
	return Repo{URL: raw, Subdir: sub}, nil
}

// checkSubdir returns what is wrong with a //sub/dir suffix, or "".
func checkSubdir(sub string) string {
	if sub == "" || strings.HasPrefix(sub, "/") || strings.HasSuffix(sub, "/") {
		return "after // must be a relative directory like //sub/dir"
	}
	for _, el := range strings.Split(sub, "/") {
		switch el {
		case "..":
			return fmt.Sprintf("%s must not contain \"..\"", diag.Quote(sub))
		case "", ".":
			return fmt.Sprintf("%s must not contain empty or \".\" elements", diag.Quote(sub))
		}
	}
	if strings.Contains(sub, `\`) {
		return fmt.Sprintf("%s must use / as separator", diag.Quote(sub))
	}
	return ""
}

// validVersions describes the versions of a git source, for messages.
const validVersions = versions.Valid + ", or a branch, tag or commit"

// checkVersion returns what is wrong with the version of a git source, or
// nil: an exact version, a constraint, latest, or a branch, tag or commit
// name that git check-ref-format would accept. Versions are only ever
// matched against ls-remote's output in Go, never passed to git, but a
// value beginning with '-' is refused outright (docs/security.md,
// argument safety).
func checkVersion(v string) error {
	if strings.HasPrefix(v, "-") {
		return fail.New(fail.Config, "invalid version %s: it must not begin with '-' (valid: %s)", source.Quote(v), validVersions)
	}
	if versions.IsQuery(v) {
		return nil
	}
	if msg := checkRef(v); msg != "" {
		return fail.New(fail.Config, "invalid version %s: %s (valid: %s)", source.Quote(v), msg, validVersions)
	}
	return nil
}

// checkRef returns why v cannot be a git branch, tag or commit, or "". It
// applies git check-ref-format's rules that matter for a name given on the
// command line.
func checkRef(v string) string {
	for _, r := range v {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return "a git ref cannot contain spaces or control characters"
		}
	}
	switch {
	case strings.ContainsAny(v, `~^:?*[\`):
		return `a git ref cannot contain any of ~^:?*[\`
	case strings.Contains(v, ".."):
		return `a git ref cannot contain ".."`
	case strings.Contains(v, "@{") || v == "@":
		return `a git ref cannot contain "@{" or be "@"`
	case strings.Contains(v, "//") || strings.HasPrefix(v, "/") || strings.HasSuffix(v, "/"):
		return "a git ref cannot begin or end with '/' or contain \"//\""
	case strings.HasSuffix(v, ".") || strings.HasSuffix(v, ".lock"):
		return `a git ref cannot end with "." or ".lock"`
	}
	for _, el := range strings.Split(v, "/") {
		if strings.HasPrefix(el, ".") {
			return "a component of a git ref cannot begin with '.'"
		}
	}
	return ""
}

// CheckSource checks a git source (Parse).
func (Source) CheckSource(s string) error {
	_, err := Parse(s)
	return err
}

// CheckEntry checks the version of a git entry; none means the default
// branch.
func (Source) CheckEntry(e *source.Entry) []diag.Problem {
	v, ok := e.Str("version")
	switch {
	case !ok:
		return nil
	case v == "":
		return []diag.Problem{{Pos: e.At("version"), Msg: fmt.Sprintf("version must not be empty (valid: %s)", versions.Valid)}}
	}
	if err := checkVersion(v); err != nil {
		return []diag.Problem{{Pos: e.At("version"), Msg: err.Error()}}
	}
	return nil
}
