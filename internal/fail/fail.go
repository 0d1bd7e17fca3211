// Package fail classifies errors by their exit code (docs/commands.md lists the
// codes).
//
// Library packages wrap the errors a caller must branch on with a Kind; the CLI
// maps any error to its exit code with Code, in this one place.
package fail

import (
	"context"
	"errors"
	"fmt"
)

// Kind is the class of a failure. Its value is the process exit code.
type Kind int

// The kinds of failure, valued as their exit codes.
const (
	Unexpected  Kind = 1   // a bug or an environment problem nobody anticipated
	Config      Kind = 2   // bad config, manifest or command-line usage
	Mismatch    Kind = 3   // lock or integrity mismatch
	Fetch       Kind = 4   // fetch or network failure
	Compile     Kind = 5   // the Go compile failed
	Policy      Kind = 6   // a policy check failed: the config's policy, or a vulnerability audit
	Interrupted Kind = 130 // the user interrupted the run
)

// Error is an error of a known Kind.
type Error struct {
	Kind Kind
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// New returns an error of kind k formatted like fmt.Errorf.
func New(k Kind, format string, args ...any) error {
	return &Error{Kind: k, Err: fmt.Errorf(format, args...)}
}

// Wrap marks err as being of kind k. It returns nil for a nil err.
func Wrap(k Kind, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: k, Err: err}
}

// EnvError is a failure of the machine plugctl runs on rather than of its
// input: a full disk, a read-only file system, a directory that cannot be
// written or created. KindOf makes it Unexpected (exit 1, docs/commands.md's
// "the environment") whatever kind wraps it: a config is not bad, nor a
// compile failed, because the disk is full.
type EnvError struct {
	// Var is the environment variable that chose Path (GOCACHE, TMPDIR),
	// when one did.
	Var  string
	Path string
	Err  error
}

func (e *EnvError) Error() string {
	if e.Var != "" {
		return fmt.Sprintf("%s %s cannot be used: %v (set %s to a writable directory with free space)", e.Var, e.Path, e.Err, e.Var)
	}
	return fmt.Sprintf("cannot write %s: %v", e.Path, e.Err)
}

func (e *EnvError) Unwrap() error { return e.Err }

// KindOf reports the kind of err: a cancelled context anywhere in it is
// Interrupted; an environment failure anywhere in it (an EnvError, or an
// error of the system saying the disk is full, the quota exceeded or the
// file system read-only) is Unexpected; otherwise the innermost Error
// decides, and anything without one is Unexpected.
//
// Innermost, because the error closest to the cause knows best what went
// wrong: a step wraps what fails inside it with the kind its own work
// implies (a failed `go mod vendor` is a Fetch failure), and that is right
// for the errors nobody classified, but a checksum Mismatch found during
// that download stays a Mismatch (exit 3, do not retry), not a network
// failure (exit 4, retry). errors.As would give the outermost.
//
// A joined error (errors.Join, several targets or plugs failing at once)
// has the kind of its first error, in order, that has one.
func KindOf(err error) Kind {
	if err == nil {
		return 0
	}
	if errors.Is(err, context.Canceled) {
		return Interrupted
	}
	if IsEnvironment(err) {
		return Unexpected
	}
	if k := innermost(err); k != 0 {
		return k
	}
	return Unexpected
}

// IsEnvironment reports whether err holds an environment failure: an
// EnvError, or one of the system errors listed in envErrnos.
func IsEnvironment(err error) bool {
	var ee *EnvError
	if errors.As(err, &ee) {
		return true
	}
	for _, e := range envErrnos {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// innermost returns the kind of the innermost Error in err's tree (the
// first branch with one, for joined errors); 0 if there is none.
func innermost(err error) Kind {
	for err != nil {
		switch e := err.(type) {
		case *Error:
			if k := innermost(e.Err); k != 0 {
				return k
			}
			return e.Kind
		case interface{ Unwrap() []error }:
			for _, err := range e.Unwrap() {
				if k := innermost(err); k != 0 {
					return k
				}
			}
			return 0
		case interface{ Unwrap() error }:
			err = e.Unwrap()
		default:
			return 0
		}
	}
	return 0
}

// Code returns the process exit code for err: 0 for nil.
func Code(err error) int { return int(KindOf(err)) }
