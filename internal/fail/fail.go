// Package fail classifies errors by the exit code DESIGN.md §6 gives them.
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

// KindOf reports the kind of err: the innermost wrapped Error decides, so a
// Mismatch seen through a generic wrapper keeps its code; a cancelled context
// is Interrupted; anything else is Unexpected.
func KindOf(err error) Kind {
	if err == nil {
		return 0
	}
	if errors.Is(err, context.Canceled) {
		return Interrupted
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Unexpected
}

// Code returns the process exit code for err: 0 for nil.
func Code(err error) int { return int(KindOf(err)) }
