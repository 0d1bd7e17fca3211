package gotool

import "strings"

// QueryFailure says why the go command could not answer a module query
// (go list -m, go mod download) for one module.
type QueryFailure int

// The failures a module query reports.
const (
	// QueryNotFound: the proxy (or the repository behind it) says the
	// module or version does not exist — a typo, or a private module the
	// proxy cannot see (GOPRIVATE).
	QueryNotFound QueryFailure = iota + 1
	// QueryOff: GOPROXY=off forbids the lookup; only the module cache
	// answers.
	QueryOff
	// QueryNetwork: the proxy or repository could not be reached, or
	// answered with an error that says nothing of the module.
	QueryNetwork
)

// ClassifyQuery reads the error message of a failed module query: the
// Error of go list -m -e -json, or the stderr of go mod download. The go
// command's messages are its own, not an API; the words looked for are the
// ones it has printed since modules began (cmd/go/internal/modfetch).
func ClassifyQuery(msg string) QueryFailure {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "disabled by goproxy=off"):
		return QueryOff
	case strings.Contains(m, "404 not found"), strings.Contains(m, "410 gone"),
		strings.Contains(m, "unknown revision"), strings.Contains(m, "no matching versions"),
		strings.Contains(m, "invalid version"), strings.Contains(m, "repository not found"),
		strings.Contains(m, "not found:"),
		// A file:// proxy (GOPROXY=file:///…) without the module.
		strings.Contains(m, "file://") && strings.Contains(m, "no such file or directory"):
		return QueryNotFound
	}
	return QueryNetwork
}

// QueryReason is what a failed module query's message says after its
// last ": " but one, on its first line: "reading https://…/@v/list: 404
// Not Found" keeps the URL and the status, leaving out the module the
// caller names already.
func QueryReason(msg string) string {
	msg, _, _ = strings.Cut(msg, "\n")
	parts := strings.Split(msg, ": ")
	if len(parts) > 2 {
		return strings.Join(parts[len(parts)-2:], ": ")
	}
	return msg
}

// PrivatePattern is the GOPRIVATE pattern to suggest for module path
// mod: its host, or the host and owner on the hosts where an owner is
// one organisation's (github.com/acme).
func PrivatePattern(mod string) string {
	parts := strings.SplitN(mod, "/", 3)
	if len(parts) >= 2 && (parts[0] == "github.com" || parts[0] == "gitlab.com" || parts[0] == "bitbucket.org") {
		return parts[0] + "/" + parts[1]
	}
	return parts[0]
}
