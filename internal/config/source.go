package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/versions"
	"github.com/plugctl/plugctl/internal/yamlsrc"
)

// KindOf classifies a source by its form (README: Configuration reference):
// "" is the module proxy, "git::…" a git repository, a path starting with
// ./, ../ or / (or "." or "..") a local directory, and an https:// or
// file:// URL an archive.
// It looks at the form only; Parse is what checks a source is valid, and any
// other form is SourceUnknown.
func KindOf(source string) SourceKind {
	switch {
	case source == "":
		return SourceModule
	case strings.HasPrefix(source, "git::"):
		return SourceGit
	case source == "." || source == ".." || strings.HasPrefix(source, "./") ||
		strings.HasPrefix(source, "../") || strings.HasPrefix(source, "/"):
		return SourceLocal
	case strings.HasPrefix(source, "https://") || strings.HasPrefix(source, "file://"):
		return SourceArchive
	}
	return SourceUnknown
}

// String returns the kind's name as messages and the lock use it: "module",
// "git", "archive", "local" or "unknown".
func (k SourceKind) String() string {
	switch k {
	case SourceModule:
		return "module"
	case SourceGit:
		return "git"
	case SourceArchive:
		return "archive"
	case SourceLocal:
		return "local"
	}
	return "unknown"
}

// The valid forms of each field, for messages.
const (
	validSources  = `"" for the module proxy, git::https://…, git::ssh://… or git::file://… for a git repository, an https:// or file:// URL of a .tar.gz, .tgz or .zip archive, or a local path starting with ./, ../ or /`
	validVersions = "an exact version like v1.2.3, a constraint like ^1.2, ~1.2.3 or >=1.0 <2, latest, or a pseudo-version"
	validChecksum = "sha256:<64 lowercase hex digits>"
)

// checkOrigin checks the module, version, source and checksum of the core or
// a plug (the mapping f, at pos) against each other.
func (c *checker) checkOrigin(scope int, at Pos, f map[string]*yamlsrc.Entry, mod, version, source, checksum string) {
	for _, k := range []string{"module", "version", "source", "checksum"} {
		if f[k] != nil && f[k].Val.Kind == yamlsrc.Bad {
			return // reported already; what is left cannot be judged
		}
	}
	pos := func(key string) Pos {
		if e := f[key]; e != nil {
			return e.Val.Pos
		}
		return at
	}
	if mod != "" {
		if err := module.CheckPath(mod); err != nil {
			c.add(pos("module"), scope, "invalid module path %s: %s", diag.Quote(mod), pathProblem(err))
			mod = ""
		}
	}
	kind := KindOf(source)
	if err := checkSource(source); err != nil {
		c.add(pos("source"), scope, "%v", err)
		kind = SourceUnknown
	}
	// null counts as absent, as everywhere in the config.
	present := func(key string) bool { return f[key] != nil && f[key].Val.Kind != yamlsrc.Null }
	hasVersion := present("version")
	switch kind {
	case SourceModule:
		if !present("module") {
			c.add(at, scope, "missing required key \"module\" (with no source, module and version say what to fetch from the module proxy)")
		}
		if !hasVersion {
			c.add(at, scope, "missing required key \"version\" (valid: %s)", validVersions)
		}
	case SourceArchive:
		if hasVersion {
			c.add(pos("version"), scope, "version is not allowed with an archive source (the checksum pins its content)")
		}
		if !present("checksum") {
			c.add(pos("source"), scope, "missing required key \"checksum\" (an archive source needs checksum: %s)", validChecksum)
		}
	case SourceLocal:
		if hasVersion {
			c.add(pos("version"), scope, "version is not allowed with a local source (the directory is used as it is)")
		}
	}
	if hasVersion && f["version"].Val.Kind == yamlsrc.String && (kind == SourceModule || kind == SourceGit) {
		if version == "" {
			c.add(pos("version"), scope, "version must not be empty (valid: %s)", validVersions)
		} else if err := checkVersion(version, kind); err != nil {
			c.add(pos("version"), scope, "%v", err)
		} else if kind == SourceModule && mod != "" && versions.IsExact(version) {
			if err := module.Check(mod, version); err != nil {
				c.add(pos("version"), scope, "version %q does not fit module path %q: %s", version, mod, versionProblem(err))
			}
		}
	}
	if e := f["checksum"]; e != nil && e.Val.Kind == yamlsrc.String {
		switch {
		case kind != SourceArchive && kind != SourceUnknown:
			c.add(e.Val.Pos, scope, "checksum is only allowed with an archive source (this source is %s)", describeKind(kind))
		case !checksumRE.MatchString(checksum):
			c.add(e.Val.Pos, scope, "invalid checksum %s (valid: %s)", diag.Quote(checksum), validChecksum)
		}
	}
}

func describeKind(k SourceKind) string {
	switch k {
	case SourceModule:
		return "the module proxy"
	case SourceGit:
		return "a git repository"
	case SourceLocal:
		return "a local directory"
	}
	return "an archive"
}

var (
	checksumRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	// forcedRE matches go-getter's forced getter prefix, such as "git::".
	forcedRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*::`)
)

// checkSource returns what is wrong with a source, or nil. Credentials in
// URLs never appear in its messages.
func checkSource(s string) error {
	if s == "" {
		return nil
	}
	if strings.HasPrefix(s, "-") {
		return fmt.Errorf("source %s must not begin with '-' (valid: %s)", quoteURL(s), validSources)
	}
	if m := forcedRE.FindString(s); m != "" && m != "git::" {
		return fmt.Errorf("unsupported forced getter %q in source (valid: git:: followed by an https://, ssh:// or file:// URL)", m)
	}
	kind := KindOf(s)
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) && kind != SourceLocal {
			return fmt.Errorf("source %s must not contain spaces or control characters (valid: %s)", quoteURL(s), validSources)
		}
	}
	switch kind {
	case SourceGit:
		return checkGit(s)
	case SourceArchive:
		return checkArchive(s)
	case SourceLocal:
		return nil
	}
	if strings.HasPrefix(s, "http://") {
		return fmt.Errorf("source %s uses plain http (valid: https:// or git::https://)", quoteURL(s))
	}
	return fmt.Errorf("invalid source %s (valid: %s)", quoteURL(s), validSources)
}

// checkGit checks a git::URL source, with an optional //sub/dir suffix
// naming a directory of the repository (go-getter's convention).
func checkGit(s string) error {
	rest := strings.TrimPrefix(s, "git::")
	if m := forcedRE.FindString(rest); m != "" {
		return fmt.Errorf("unsupported forced getter %q in source (valid: git:: followed by an https://, ssh:// or file:// URL)", m)
	}
	scheme, after, ok := strings.Cut(rest, "://")
	if !ok || (scheme != "https" && scheme != "ssh" && scheme != "file") {
		return fmt.Errorf("git source %s must be git:: followed by an https://, ssh:// or file:// URL", quoteURL(s))
	}
	if strings.ContainsAny(rest, "?#") {
		return fmt.Errorf("git source %s must not have a query string or fragment (put the branch, tag or commit in version)", quoteURL(s))
	}
	repo, sub, hasSub := strings.Cut(after, "//")
	if hasSub {
		if msg := checkSubdir(sub); msg != "" {
			return fmt.Errorf("git source %s: subdirectory %s", quoteURL(s), msg)
		}
	}
	u, err := url.Parse(scheme + "://" + repo)
	if err != nil {
		return fmt.Errorf("git source %s is not a valid URL", quoteURL(s))
	}
	if u.User != nil && strings.HasPrefix(u.User.Username(), "-") || strings.HasPrefix(u.Host, "-") {
		return fmt.Errorf("git source %s: user and host must not begin with '-'", quoteURL(s))
	}
	switch scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return fmt.Errorf("git source %s: a file:// URL must have no host (valid: git::file:///abs/path)", quoteURL(s))
		}
	default:
		if u.Hostname() == "" {
			return fmt.Errorf("git source %s has no host", quoteURL(s))
		}
	}
	if strings.Trim(u.Path, "/") == "" {
		return fmt.Errorf("git source %s has no repository path", quoteURL(s))
	}
	return nil
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

// checkArchive checks an https:// or file:// archive URL.
func checkArchive(s string) error {
	if strings.ContainsAny(s, "?#") {
		return fmt.Errorf("archive source %s must not have a query string or fragment", quoteURL(s))
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("archive source %s is not a valid URL", quoteURL(s))
	}
	if u.Scheme == "https" && u.Hostname() == "" {
		return fmt.Errorf("archive source %s has no host", quoteURL(s))
	}
	if u.Scheme == "file" && u.Host != "" && u.Host != "localhost" {
		return fmt.Errorf("archive source %s: a file:// URL must have no host (valid: file:///abs/path.tar.gz)", quoteURL(s))
	}
	p := u.Path
	if strings.Contains(p, "//") {
		return fmt.Errorf("archive source %s: the path must not contain // (go-getter would read it as a subdirectory)", quoteURL(s))
	}
	if !strings.HasSuffix(p, ".tar.gz") && !strings.HasSuffix(p, ".tgz") && !strings.HasSuffix(p, ".zip") {
		return fmt.Errorf("archive source %s must end in .tar.gz, .tgz or .zip (for a git repository write git::%s)", quoteURL(s), redact.String(s))
	}
	return nil
}

// checkVersion returns what is wrong with the version of a source of kind k,
// or nil.
func checkVersion(v string, k SourceKind) error {
	valid := validVersions
	if k == SourceGit {
		valid += ", or a branch, tag or commit"
	}
	if strings.HasPrefix(v, "-") {
		return fmt.Errorf("invalid version %s: it must not begin with '-' (valid: %s)", quoteURL(v), valid)
	}
	if v == versions.Latest || versions.IsExact(v) {
		return nil
	}
	if versions.IsConstraint(v) {
		return nil
	}
	if k == SourceGit {
		msg := checkRef(v)
		if msg == "" {
			return nil
		}
		return fmt.Errorf("invalid version %s: %s (valid: %s)", quoteURL(v), msg, valid)
	}
	return fmt.Errorf("invalid version %s (valid: %s)", quoteURL(v), valid)
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

// quoteURL quotes a source or version for a message, as diag.Quote does,
// with credentials removed (redact.Quote).
func quoteURL(s string) string {
	return redact.Quote(s, 60)
}
