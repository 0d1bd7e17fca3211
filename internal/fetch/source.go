package fetch

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/redact"
)

// GitSource is a parsed git::URL[//sub/dir] source.
type GitSource struct {
	URL    string // the repository URL, as git receives it
	Subdir string // slash-separated directory inside the repository; "" for its root
}

// String returns the source as the config writes it, credentials removed.
func (s GitSource) String() string {
	out := "git::" + redact.String(s.URL)
	if s.Subdir != "" {
		out += "//" + s.Subdir
	}
	return out
}

// ParseGit parses and checks a git source. The config loader checks the same
// rules; they are checked again here because this is the package that hands
// the URL to git, and a library must not trust that its caller validated.
func ParseGit(src string) (GitSource, error) {
	bad := func(format string, args ...any) (GitSource, error) {
		return GitSource{}, fail.New(fail.Config, "git source %s: %s", quote(src), fmt.Sprintf(format, args...))
	}
	rest, ok := strings.CutPrefix(src, "git::")
	if !ok {
		return bad("must begin with git::")
	}
	if msg := checkText(rest); msg != "" {
		return bad("%s", msg)
	}
	if strings.HasPrefix(rest, "-") {
		return bad("the URL must not begin with '-'")
	}
	if forcedRE.MatchString(rest) {
		return bad("forced getters other than git:: are not supported")
	}
	if strings.ContainsAny(rest, "?#") {
		return bad("must not have a query string or fragment (put the branch, tag or commit in version)")
	}
	scheme, after, ok := strings.Cut(rest, "://")
	if !ok || (scheme != "https" && scheme != "ssh" && scheme != "file") {
		return bad("must be git:: followed by an https://, ssh:// or file:// URL")
	}
	repo, sub, hasSub := strings.Cut(after, "//")
	if hasSub {
		if msg := checkSubdir(sub); msg != "" {
			return bad("subdirectory %s", msg)
		}
	}
	raw := scheme + "://" + repo
	u, err := url.Parse(raw)
	if err != nil {
		return bad("not a valid URL")
	}
	if u.User != nil && strings.HasPrefix(u.User.Username(), "-") || strings.HasPrefix(u.Host, "-") {
		return bad("user and host must not begin with '-'")
	}
	switch scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return bad("a file:// URL must have no host (valid: git::file:///abs/path)")
		}
	default:
		if u.Hostname() == "" {
			return bad("the URL has no host")
		}
	}
	if strings.Trim(u.Path, "/") == "" {
		return bad("the URL has no repository path")
	}
	return GitSource{URL: raw, Subdir: sub}, nil
}

// checkSubdir returns what is wrong with a //sub/dir suffix, or "".
func checkSubdir(sub string) string {
	if sub == "" || strings.HasPrefix(sub, "/") || strings.HasSuffix(sub, "/") {
		return fmt.Sprintf("%s must be a relative directory like //sub/dir", quote(sub))
	}
	if strings.Contains(sub, `\`) {
		return fmt.Sprintf("%s must use / as separator", quote(sub))
	}
	for _, el := range strings.Split(sub, "/") {
		switch el {
		case "", ".", "..":
			return fmt.Sprintf("%s must not contain empty, \".\" or \"..\" elements", quote(sub))
		}
	}
	return ""
}

// Archive formats, by the suffix of the URL's path.
const (
	formatTarGz = "tar.gz"
	formatZip   = "zip"
)

// ParseArchive parses and checks an archive source and returns its URL and
// format (formatTarGz or formatZip).
func ParseArchive(src string) (*url.URL, string, error) {
	bad := func(format string, args ...any) (*url.URL, string, error) {
		return nil, "", fail.New(fail.Config, "archive source %s: %s", quote(src), fmt.Sprintf(format, args...))
	}
	if msg := checkText(src); msg != "" {
		return bad("%s", msg)
	}
	if strings.HasPrefix(src, "-") {
		return bad("must not begin with '-'")
	}
	if forcedRE.MatchString(src) {
		return bad("forced getters are not supported for archives")
	}
	// go-getter reads ?archive=, ?checksum=, ?filename= and a //sub/dir
	// suffix as instructions; the checksum comes from the config's own
	// field and nothing else may steer the download.
	if strings.ContainsAny(src, "?#") {
		return bad("must not have a query string or fragment (the checksum goes in the checksum field)")
	}
	u, err := url.Parse(src)
	if err != nil {
		return bad("not a valid URL")
	}
	switch u.Scheme {
	case "https":
		if u.Hostname() == "" {
			return bad("the URL has no host")
		}
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return bad("a file:// URL must have no host (valid: file:///abs/path.tar.gz)")
		}
	default:
		return bad("must be an https:// or file:// URL")
	}
	if strings.Contains(u.Path, "//") {
		return bad("the path must not contain // (go-getter would read it as a subdirectory)")
	}
	switch {
	case strings.HasSuffix(u.Path, ".tar.gz"), strings.HasSuffix(u.Path, ".tgz"):
		return u, formatTarGz, nil
	case strings.HasSuffix(u.Path, ".zip"):
		return u, formatZip, nil
	}
	return bad("must end in .tar.gz, .tgz or .zip")
}

// checkVersion returns an error when v cannot be a version of a git source
// whatever the repository holds. Versions are only ever matched against
// ls-remote's output in Go, never passed to git, but a value beginning with
// '-' is refused outright (README: Guarantees, argument safety).
func checkVersion(v string) error {
	if strings.HasPrefix(v, "-") {
		return fail.New(fail.Config, "invalid version %s: it must not begin with '-'", quote(v))
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return fail.New(fail.Config, "invalid version %s: it must not contain control characters", quote(v))
		}
	}
	return nil
}

// checkText returns why s cannot be part of a source, or "".
func checkText(s string) string {
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return "must not contain spaces or control characters"
		}
	}
	return ""
}

// forcedRE matches a forced getter or git transport prefix ("ext::",
// "fd::", "s3::"): letters, digits, '+', '.' and '-' up to the first "::",
// as git reads a <transport>::<address> URL. A "::" further on, as in an
// IPv6 host [::1], is part of the address.
var forcedRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*::`)

// quote quotes s for a message, credentials removed and shortened when long.
func quote(s string) string { return redact.Quote(s, 100) }
