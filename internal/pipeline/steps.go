package pipeline

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/plugctl/plugctl/internal/report"
)

// The names of the steps, as the user sees them.
const (
	Unpack    report.StepName = "unpack"     // build --bundle: check and unpack the bundle
	Load      report.StepName = "load"       // read and check the config; find the toolchain
	Outputs   report.StepName = "outputs"    // decide and check where results go, before anything is written
	StateLock report.StepName = "state-lock" // take the project lock (.plugctl/lock)
	UseLock   report.StepName = "use-lock"   // read plugconfig.lock: what it pins
	Reuse     report.StepName = "reuse"      // every artifact up to date: end the run
	Resolve   report.StepName = "resolve"    // one content per component: a pin
	Fetch     report.StepName = "fetch"      // the pins onto disk, hashed
	Check     report.StepName = "check"      // replaces, Go versions, the lock's hashes, manifests
	Hooks     report.StepName = "hooks"      // the plugs' build-time hooks, each in a copy of its tree
	Generate  report.StepName = "generate"   // the build module: go.mod, go.sum, main.go
	SaveLock  report.StepName = "save-lock"  // write plugconfig.lock if it changed
	Compile   report.StepName = "compile"    // one binary per target not up to date
	Record    report.StepName = "record"     // sha256, SBOM and record beside each binary
	Verify    report.StepName = "verify"     // check the vendor tree against its manifest
	Snapshot  report.StepName = "snapshot"   // copy the verified tree where only this run writes, checking it again
	Vendor    report.StepName = "vendor"     // write the vendor tree
	Bundle    report.StepName = "bundle"     // pack config, lock and tree
	Outdated  report.StepName = "outdated"   // newer versions per component
	WhyStep   report.StepName = "why"        // who brings a module into the build
	Plan      report.StepName = "plan"       // one job per target, by its inputs digest
	Audit     report.StepName = "audit"      // known vulnerabilities the build reaches
)

// Step is one named step of a command: its name, what it counts, and the
// work it does on a State. Steps are values; a command is a list of them.
type Step struct {
	Name report.StepName
	// Unit is what the step's progress counts; the zero Unit for none.
	Unit report.Unit
	// Minor marks bookkeeping a display may leave out (report.Step).
	Minor bool
	// Detail, when set, says what the step works on when it starts.
	Detail func(s *State) string
	// Skip, when set, leaves the step out of a run it returns true for:
	// it is not run, nor announced.
	Skip func(s *State) bool
	// Run does the step's work, reading and filling s.
	Run func(ctx context.Context, s *State) error
}

// The steps. Each command's list below names them in its order.
var (
	unpackStep    = Step{Name: Unpack, Detail: func(s *State) string { return s.Opts.Bundle }, Run: method((*State).unpack)}
	loadStep      = Step{Name: Load, Detail: func(s *State) string { return s.configName() }, Run: method((*State).load)}
	outputsStep   = Step{Name: Outputs, Minor: true, Run: method((*State).outputs)}
	genOutStep    = Step{Name: Outputs, Minor: true, Run: method((*State).genOutputs)}
	bundleOutStep = Step{Name: Outputs, Minor: true, Run: method((*State).bundleOutputs)}
	stateLockStep = Step{Name: StateLock, Minor: true, Run: method((*State).lockState)}
	useLockStep   = Step{Name: UseLock, Minor: true, Run: method((*State).useLock)}
	reuseStep     = Step{Name: Reuse, Unit: report.Targets, Minor: true, Skip: func(s *State) bool { return s.Opts.Force }, Run: method((*State).reuse)}
	// reuseTargetsStep decides per target, once the build module is known.
	reuseTargetsStep = Step{Name: Reuse, Unit: report.Targets, Minor: true, Skip: func(s *State) bool { return s.Opts.Force }, Run: method((*State).reuseTargets)}
	resolveStep      = Step{Name: Resolve, Unit: report.Plugs, Run: method((*State).resolve)}
	fetchStep        = Step{Name: Fetch, Run: method((*State).fetch)}
	// fetchGraphStep fetches too, and starts the download of the build
	// graph for the go mod tidy of generate, which follows.
	fetchGraphStep = Step{Name: Fetch, Run: method((*State).fetchGraph)}
	checkStep      = Step{Name: Check, Minor: true, Run: method((*State).check)}
	hooksStep      = Step{Name: Hooks, Unit: report.Hooks, Detail: (*State).hooksDetail, Skip: func(s *State) bool { return !s.hasHooks() }, Run: method((*State).hooks)}
	generateStep   = Step{Name: Generate, Detail: func(s *State) string { return s.genDir() }, Run: method((*State).generate)}
	saveLockStep   = Step{Name: SaveLock, Minor: true, Run: func(_ context.Context, s *State) error { return s.saveLock(true) }}
	writeLockStep  = Step{Name: SaveLock, Minor: true, Run: func(_ context.Context, s *State) error { return s.saveLock(false) }}
	// checkLockStep fails, before the vendor tree is written, a --locked
	// run whose lock would change (save-lock writes nothing with --locked).
	checkLockStep   = Step{Name: SaveLock, Minor: true, Skip: func(s *State) bool { return !s.Opts.Lock.Locked }, Run: func(_ context.Context, s *State) error { return s.saveLock(true) }}
	compileStep     = Step{Name: Compile, Unit: report.Targets, Detail: (*State).compileDetail, Run: method((*State).compile)}
	recordStep      = Step{Name: Record, Unit: report.Targets, Minor: true, Run: method((*State).record)}
	verifyAloneStep = Step{Name: Verify, Detail: func(s *State) string { return s.Opts.Tree }, Run: method((*State).verifyAlone)}
	verifyStep      = Step{Name: Verify, Detail: func(s *State) string { return s.treeDir() }, Run: method((*State).verify)}
	snapshotStep    = Step{Name: Snapshot, Detail: func(s *State) string { return report.Files.Of(len(s.Tree.Manifest.Files)) }, Run: method((*State).snapshot)}
	// lockedStep reads the lock and the config only (no network): with
	// --locked, an offline build fails on a missing or stale lock.
	lockedStep   = Step{Name: UseLock, Minor: true, Skip: func(s *State) bool { return !s.Opts.Lock.Locked }, Run: method((*State).useLock)}
	vendorStep   = Step{Name: Vendor, Detail: func(s *State) string { return s.VendorDir() }, Run: method((*State).vendor)}
	bundleStep   = Step{Name: Bundle, Detail: func(s *State) string { return s.BundlePath }, Run: method((*State).bundle)}
	outdatedStep = Step{Name: Outdated, Unit: report.Plugs, Run: method((*State).outdated)}
	whyStep      = Step{Name: WhyStep, Detail: func(s *State) string { return s.Opts.Why }, Run: method((*State).why)}
	planStep     = Step{Name: Plan, Unit: report.Targets, Run: method((*State).plan)}
	auditStep    = Step{Name: Audit, Detail: (*State).auditDetail, Run: method((*State).audit)}
)

// Each command's steps.
var (
	// ValidateSteps check the config and what it names, writing nothing.
	ValidateSteps = []Step{loadStep, resolveStep, fetchStep, checkStep}
	// LockSteps resolve and write the lock (the lock and the graph of the
	// build module it records).
	LockSteps = []Step{loadStep, stateLockStep, useLockStep, resolveStep, fetchGraphStep, checkStep, hooksStep, generateStep, writeLockStep}
	// GenerateSteps write the build module, and the lock as build does.
	GenerateSteps = []Step{loadStep, stateLockStep, genOutStep, useLockStep, resolveStep, fetchGraphStep, checkStep, hooksStep, generateStep, saveLockStep}
	// BuildSteps are the whole pipeline; a build with nothing to do ends
	// at reuse. plugctl run builds with them too (Options.Host).
	BuildSteps = []Step{loadStep, outputsStep, stateLockStep, useLockStep, reuseStep, resolveStep, fetchGraphStep, checkStep, hooksStep, generateStep, saveLockStep, reuseTargetsStep, compileStep, recordStep}
	// OfflineSteps build from the project's vendor tree: nothing is
	// resolved, fetched or generated.
	// The tree is verified in place, then copied where no one else writes
	// and checked again as it is copied, and compiled from the copy.
	OfflineSteps = []Step{loadStep, outputsStep, stateLockStep, lockedStep, verifyStep, reuseTargetsStep, snapshotStep, compileStep, recordStep}
	// BundleBuildSteps build from a bundle, with its config.
	BundleBuildSteps = []Step{unpackStep, loadStep, outputsStep, stateLockStep, verifyStep, reuseTargetsStep, compileStep, recordStep}
	// VendorSteps write the vendor tree, then the lock: a run stopped
	// before the new tree is in place leaves the old tree and the old
	// lock, which match.
	VendorSteps = []Step{loadStep, stateLockStep, useLockStep, resolveStep, fetchGraphStep, checkStep, hooksStep, generateStep, checkLockStep, vendorStep, saveLockStep}
	// BundleSteps pack the verified vendor tree with the config and lock.
	BundleSteps = []Step{loadStep, stateLockStep, bundleOutStep, verifyStep, bundleStep}
	// VerifySteps check the project's vendor tree (plugctl verify),
	// VerifyBundleSteps a bundle's, VerifyTreeSteps a tree on its own
	// (plugctl verify DIR); none builds anything.
	VerifySteps       = []Step{loadStep, verifyStep}
	VerifyBundleSteps = []Step{unpackStep, loadStep, verifyStep}
	VerifyTreeSteps   = []Step{verifyAloneStep}
	// OutdatedSteps look up newer versions, changing nothing.
	OutdatedSteps = []Step{loadStep, outdatedStep}
	// WhySteps generate the build module, as generate does but writing no
	// lock, and read its module graph.
	WhySteps = []Step{loadStep, stateLockStep, useLockStep, resolveStep, fetchStep, checkStep, hooksStep, generateStep, whyStep}
	// PlanSteps list the jobs of a CI fan-out from the config and its
	// lock (which the command requires, as --locked does), writing
	// nothing.
	PlanSteps = []Step{loadStep, outputsStep, useLockStep, planStep}
	// AuditSteps generate the build module, as why does, and audit it;
	// AuditOfflineSteps audit the verified vendor tree's, from a private
	// copy, with the network off; AuditBundleSteps a bundle's, checked
	// and unpacked as build --bundle does; AuditBinarySteps audit a
	// binary.
	AuditSteps        = []Step{loadStep, stateLockStep, useLockStep, resolveStep, fetchStep, checkStep, hooksStep, generateStep, auditStep}
	AuditOfflineSteps = []Step{loadStep, stateLockStep, lockedStep, verifyStep, snapshotStep, auditStep}
	AuditBundleSteps  = []Step{unpackStep, loadStep, stateLockStep, verifyStep, snapshotStep, auditStep}
	AuditBinarySteps  = []Step{auditStep}
)

// method adapts a method of State to Step.Run.
func method(m func(*State, context.Context) error) func(context.Context, *State) error {
	return func(ctx context.Context, s *State) error { return m(s, ctx) }
}

// Run runs steps on s in order, reporting each to s.R: its start (with
// its detail and unit), the counts it reports, its end and duration. It
// stops at the first step that fails, or once a step has found nothing
// left to do (reuse). A step that failed in part (partial) does not stop
// the run at once: the step after it works on what it did — fetch
// fetches what resolve pinned, record records the targets compile built
// — and accounts for the failure: the run ends with that step's error,
// which holds the earlier one, or with the earlier one when it has none.
func Run(ctx context.Context, s *State, steps []Step) error {
	var failed error // of a step that failed in part
	for i := range steps {
		st := &steps[i]
		if s.done {
			break
		}
		if err := ctx.Err(); err != nil {
			return joinErrors([]error{failed, err})
		}
		if st.Skip != nil && st.Skip(s) {
			continue
		}
		err := s.run(ctx, st)
		if failed != nil {
			if err != nil {
				return err
			}
			return failed
		}
		var p *partialError
		if errors.As(err, &p) {
			failed = p.err
			continue
		}
		if err != nil {
			return err
		}
	}
	return failed
}

// run runs one step, reporting it.
func (s *State) run(ctx context.Context, st *Step) error {
	detail := ""
	if st.Detail != nil {
		detail = st.Detail(s)
	}
	s.R.Step(report.Step{Name: st.Name, Detail: detail, Unit: st.Unit, Minor: st.Minor})
	s.step = st
	start := time.Now()
	err := st.Run(ctx, s)
	s.step = nil
	s.R.StepDone(st.Name, time.Since(start), err)
	return err
}

// Progress reports done of total units of the step running, in the unit
// it announced.
func (s *State) Progress(done, total int) {
	if s.step != nil {
		s.R.Progress(s.step.Name, report.Count{Unit: s.step.Unit, Done: done, Total: total})
	}
}

// Count reports how far the step running got in a unit other than the
// one it announced (compile's packages, fetch's modules); total is 0 while
// it is not known.
func (s *State) Count(u report.Unit, done, total int) {
	if s.step != nil {
		s.R.Progress(s.step.Name, report.Count{Unit: u, Done: done, Total: total})
	}
}

// partialError is the failure of a step that did part of its work (Run).
type partialError struct{ err error }

func (e *partialError) Error() string { return e.err.Error() }
func (e *partialError) Unwrap() error { return e.err }

// partial marks err, the failure of a step that did part of its work, so
// that the step after it still runs (Run), which must account for it in
// its own error; nil stays nil.
func partial(err error) error {
	if err == nil {
		return nil
	}
	return &partialError{err}
}

// StepNames returns the names of steps, for messages and tests.
func StepNames(steps []Step) string {
	names := make([]string, len(steps))
	for i, st := range steps {
		names[i] = string(st.Name)
	}
	return strings.Join(names, " ")
}

// String is the step's name.
func (st Step) String() string { return string(st.Name) }
