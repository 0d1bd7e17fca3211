// Package setting holds what a plug's setting may be besides a value: a
// reference the program reads when the plug starts, and the rule of which
// setting names look like secrets.
//
// # References
//
// A setting's whole value may be a mapping with an env or a file key, and
// optionally a default:
//
//	token: {env: METRICS_TOKEN}
//	key: {file: /run/secrets/key}
//	port: {env: PORT, default: 9090}
//
// The config (internal/config) reads it as a Ref; the manifest check
// (internal/manifest) gives it the type plugin.yaml declares for the
// setting and checks its default; the generated main hands it to the SDK as
// a plug.Ref (codegen.Literal), which reads it when the plug starts and
// checks it against that type then. plugctl itself never reads the
// variable or the file: the binary, the lock, the SBOM, the vendor tree and
// the bundle hold the reference, never its value. A reference is never
// nested inside a list or a mapping, where no type is declared for it.
package setting

import (
	"strconv"
	"strings"
)

// Ref is a setting read when the plug starts.
type Ref struct {
	// Env names an environment variable; File is a path, relative to the
	// working directory of the program that reads it. Exactly one is set.
	Env, File string
	// Default is the value when the variable is not set or the file does
	// not exist, if HasDefault; nil (null) keeps the plug's own default.
	// It is a plain settings value, never a Ref.
	Default    any
	HasDefault bool
	// Type is the setting's type in the plug's plugin.yaml ("string",
	// "int", …), set by the manifest check; "" when the plug declares none.
	Type string
}

// String returns the reference as the config writes it, without its
// default: {env: NAME} or {file: "PATH"}.
func (r Ref) String() string {
	if r.Env != "" {
		return "{env: " + r.Env + "}"
	}
	return "{file: " + strconv.Quote(r.File) + "}"
}

// Keys are the keys of a reference's mapping.
const (
	KeyEnv     = "env"
	KeyFile    = "file"
	KeyDefault = "default"
)

// IsRef reports whether a mapping with these keys is a reference: it has
// an env or a file key. Its other keys are then checked as a reference's.
func IsRef(keys []string) bool {
	for _, k := range keys {
		if k == KeyEnv || k == KeyFile {
			return true
		}
	}
	return false
}

// ValidEnv reports whether name is an environment variable name a
// reference may read: ASCII letters, digits and _, not starting with a
// digit, as POSIX shells name variables.
func ValidEnv(name string) bool {
	if name == "" || '0' <= name[0] && name[0] <= '9' {
		return false
	}
	for _, c := range []byte(name) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// LooksSecret reports whether a setting named key looks like it holds a
// secret, ignoring case: it ends in _key, or holds token, secret or
// password. Such a setting given as a literal is compiled into the binary,
// which validate warns about.
func LooksSecret(key string) bool {
	k := strings.ToLower(key)
	return strings.HasSuffix(k, "_key") || strings.Contains(k, "token") ||
		strings.Contains(k, "secret") || strings.Contains(k, "password")
}
