package plug

import (
	"fmt"
	"strings"
)

// SettingsError lists the problems found in a plug's settings: decoding
// them ([Context.Settings]) or reading those read at start ([Ref]). Each
// problem names the setting's path and, for a Ref, the reference; none
// holds a value read at start.
type SettingsError struct {
	Plug     string   // the plug's name
	Problems []string // in the order found, each starting with the setting
}

// Error returns `plug "NAME": PROBLEM; PROBLEM`.
func (e *SettingsError) Error() string {
	return fmt.Sprintf("plug %q: %s", e.Plug, e.problemText())
}

func (e *SettingsError) problemText() string { return strings.Join(e.Problems, "; ") }

// StartError is the failure of one plug in [Start]: its Init function
// returned Err, ctx was done before it ran (Err is ctx's error), or its
// settings read at start could not be read (Err is a [*SettingsError]).
type StartError struct {
	Plug string // the plug's name
	Err  error
}

// Error returns `starting plug "NAME": ERR`.
func (e *StartError) Error() string {
	// An Init that returns its Context's settings error as it is would
	// otherwise name the plug twice.
	if se, ok := e.Err.(*SettingsError); ok && se.Plug == e.Plug {
		return fmt.Sprintf("starting plug %q: %s", e.Plug, se.problemText())
	}
	return fmt.Sprintf("starting plug %q: %v", e.Plug, e.Err)
}

// Unwrap returns Err.
func (e *StartError) Unwrap() error { return e.Err }

// StopError is the failure of one plug in [Stop]: its Stop function
// returned Err, or the context Stop was given ended (Err is its error)
// before the plug stopped or before its turn came.
type StopError struct {
	Plug string // the plug's name
	Err  error
}

// Error returns `stopping plug "NAME": ERR`.
func (e *StopError) Error() string {
	return fmt.Sprintf("stopping plug %q: %v", e.Plug, e.Err)
}

// Unwrap returns Err.
func (e *StopError) Unwrap() error { return e.Err }
