// Package report is the seam through which library packages tell the user
// what they are doing. Libraries never print; they call a Reporter, and the
// CLI decides how (and whether) to draw it.
package report

import "time"

// Reporter receives progress from the pipeline. Implementations must be safe
// for concurrent use: targets build in parallel.
type Reporter interface {
	// Step announces that a named step (load, resolve, fetch, generate,
	// compile, …) began; detail says what it works on.
	Step(name, detail string)
	// Progress reports done of total units of the current step ("fetch 3/12").
	// The CLI names the unit from the step's name (internal/cli/progress.go,
	// stepUnits: resolve and lock count plugs, fetch and vendor modules,
	// compile targets), so use those step names for those units.
	Progress(name string, done, total int)
	// StepDone reports the end of a step and how long it took.
	StepDone(name string, d time.Duration, err error)
	// Exec reports a subprocess about to run, credentials already redacted.
	Exec(dir string, argv []string)
	// Note reports a fact worth a line (an artifact reused, a lock waited for).
	Note(msg string)
}

// Discard is a Reporter that drops everything.
var Discard Reporter = discard{}

type discard struct{}

func (discard) Step(string, string)                   {}
func (discard) Progress(string, int, int)             {}
func (discard) StepDone(string, time.Duration, error) {}
func (discard) Exec(string, []string)                 {}
func (discard) Note(string)                           {}
