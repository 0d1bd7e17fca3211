// Package report is the seam through which library packages tell the user
// what they are doing. Libraries never print; they call a Reporter, and the
// CLI decides how (and whether) to draw it.
//
// The pipeline's runner (internal/pipeline) announces every step it runs
// with its name and the Unit it counts in, so a display needs no table of
// step names: it shows what the step said.
package report

import (
	"fmt"
	"time"
)

// StepName names a step as the user sees it: "load", "resolve",
// "compile". The pipeline declares its steps' names; a command that runs
// a step of its own (plugctl doctor's module check) declares its own.
type StepName string

// Unit is what a step counts: "plug" and "plugs". The zero Unit counts
// nothing.
type Unit struct {
	One, Many string
}

// The units steps count in.
var (
	Plugs       = Unit{"plug", "plugs"}
	Sources     = Unit{"source", "sources"}
	Modules     = Unit{"module", "modules"}
	Trees       = Unit{"tree", "trees"}
	Directories = Unit{"directory", "directories"}
	Targets     = Unit{"target", "targets"}
	Files       = Unit{"file", "files"}
)

// Of is n of the unit for people: "1 plug", "3 plugs"; the bare number
// for the zero Unit.
func (u Unit) Of(n int) string {
	switch {
	case u == Unit{}:
		return fmt.Sprint(n)
	case n == 1:
		return "1 " + u.One
	}
	return fmt.Sprintf("%d %s", n, u.Many)
}

// Step is a step that begins, as a Reporter hears of it.
type Step struct {
	Name StepName
	// Detail says what the step works on: a file, a directory, targets.
	Detail string
	// Unit is what the step's Progress counts.
	Unit Unit
	// Minor steps are bookkeeping — taking the project lock, reading or
	// writing plugconfig.lock, deciding that artifacts can be reused,
	// recording what was built — that take no time worth watching: a
	// display may leave them out unless asked for every detail. Their
	// failures are reported as errors either way.
	Minor bool
}

// Reporter receives progress from the pipeline. Implementations must be safe
// for concurrent use: targets build in parallel.
type Reporter interface {
	// Step announces that a step began.
	Step(s Step)
	// Progress reports done of total units of the running step name
	// ("resolve 2/3 plugs"); the unit is the one Step announced.
	Progress(name StepName, done, total int)
	// StepDone reports the end of a step, how long it took and how it
	// failed, if it did.
	StepDone(name StepName, d time.Duration, err error)
	// Exec reports a subprocess about to run, credentials already redacted.
	Exec(dir string, argv []string)
	// Note reports a fact worth a line (an artifact reused, a lock waited for).
	Note(msg string)
}

// Discard is a Reporter that drops everything.
var Discard Reporter = discard{}

type discard struct{}

func (discard) Step(Step)                               {}
func (discard) Progress(StepName, int, int)             {}
func (discard) StepDone(StepName, time.Duration, error) {}
func (discard) Exec(string, []string)                   {}
func (discard) Note(string)                             {}
