// Package redact removes credentials from URLs before they are shown or
// written anywhere: messages, progress lines, the lock, the SBOM, the
// vendor manifest, a bundle's config, records beside fetched trees.
//
// The credentials of a URL are its user-info: what stands between
// "scheme://" and the last "@" before the host ends (at the first "/", "?"
// or "#"). The last "@", not the first: net/url, git and ssh all read
// ssh://pre@TOKEN@host/x as user-info "pre@TOKEN" at host "host", so a
// redaction that stopped at the first "@" would leave TOKEN in plain
// sight. Redaction replaces the whole user-info, user name included, with
// Placeholder, keeping the "@" so that a reader still sees credentials were
// there.
//
// String works on any text, not only on a URL: it finds every
// "scheme://user-info@" in it, so it can be applied to a whole error
// message or command line. In free text a URL also ends at white space.
// Applying it twice changes nothing.
package redact

import (
	"net/url"
	"regexp"
	"strconv"
)

// Placeholder replaces the user-info of a URL.
const Placeholder = "REDACTED"

// userinfo matches a URL's scheme and its user-info up to the last "@"
// before the authority ends: the class excludes the characters that end
// the authority ("/", "?", "#") and white space, and the greedy star backs
// off to the last "@".
var userinfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#\s]*@`)

// String returns s with the user-info of every URL in it replaced by
// Placeholder.
func String(s string) string {
	return userinfo.ReplaceAllString(s, "${1}"+Placeholder+"@")
}

// Args returns a copy of a command line with String applied to every
// argument.
func Args(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = String(a)
	}
	return out
}

// Quote quotes s for a message: Go-escaped, so that no control character
// reaches a terminal, shortened to at most n runes ("…" marks the cut), and
// with credentials removed twice — before shortening, so that a cut cannot
// leave a password without the "@" that marks it, and after quoting, since
// escapes such as \x make letters that can turn what follows into a URL's
// user-info.
func Quote(s string, n int) string {
	s = String(s)
	if r := []rune(s); len(r) > n {
		return String(strconv.Quote(string(r[:n]))) + "…"
	}
	return String(strconv.Quote(s))
}

// URL returns u as a string with its user-info, if any, replaced by
// Placeholder.
func URL(u *url.URL) string {
	if u.User == nil {
		return u.String()
	}
	c := *u
	c.User = url.User(Placeholder)
	return c.String()
}
