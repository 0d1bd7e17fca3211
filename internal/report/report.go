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
	// Work marks a unit of work that caches can spare a step — packages
	// compiled, modules downloaded — rather than a part of the build: its
	// count differs between two runs of the same build, so a log meant to
	// be compared shows it only while the step runs.
	Work bool
}

// The units steps count in.
var (
	Plugs       = Unit{One: "plug", Many: "plugs"}
	Sources     = Unit{One: "source", Many: "sources"}
	Modules     = Unit{One: "module", Many: "modules"}
	Trees       = Unit{One: "tree", Many: "trees"}
	Directories = Unit{One: "directory", Many: "directories"}
	Targets     = Unit{One: "target", Many: "targets"}
	Files       = Unit{One: "file", Many: "files"}
	// Hooks are the build-time hook commands of plugs that ran.
	Hooks = Unit{One: "hook", Many: "hooks"}
	// Packages are Go packages compiled (not those the build cache
	// already held).
	Packages = Unit{One: "package", Many: "packages", Work: true}
	// Downloads are modules downloaded into the module cache (not those
	// it already held).
	Downloads = Unit{One: "module downloaded", Many: "modules downloaded", Work: true}
)

// Count is how far a step got in one unit: Done of Total, Total 0 while
// the total is not known (then only Done grows: "412 packages"). A step
// may count in several units — compile in targets and packages, fetch in
// sources and modules — each reported on its own.
type Count struct {
	Unit        Unit
	Done, Total int
}

// Text renders c for people: "3/12 modules" while the step runs, "12
// modules" once it is done (finished), "412 packages" when the total is
// not known; "" when there is nothing to say. A failed step is not
// finished: it shows how far it got.
func (c Count) Text(finished bool) string {
	switch {
	case c.Total <= 0 && c.Done <= 0:
		return ""
	case c.Total <= 0:
		return c.Unit.Of(c.Done)
	case finished:
		return c.Unit.Of(c.Total)
	case c.Unit == Unit{}:
		return fmt.Sprintf("%d/%d", c.Done, c.Total)
	}
	return fmt.Sprintf("%d/%s", c.Done, c.Unit.Of(c.Total))
}

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
	// Progress reports how far the running step name got in one unit
	// ("resolve 2/3 plugs", "compile 412 packages"); each unit's latest
	// count replaces its previous one.
	Progress(name StepName, c Count)
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
func (discard) Progress(StepName, Count)                {}
func (discard) StepDone(StepName, time.Duration, error) {}
func (discard) Exec(string, []string)                   {}
func (discard) Note(string)                             {}
