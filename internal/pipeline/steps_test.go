package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plugctl/plugctl/internal/report"
)

// recorder is a report.Reporter that keeps what it hears, one line each.
type recorder struct {
	mu     sync.Mutex
	events []string
	units  map[report.StepName]report.Unit // as each step announced it
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
}

func (r *recorder) Step(s report.Step) {
	r.mu.Lock()
	if r.units == nil {
		r.units = map[report.StepName]report.Unit{}
	}
	r.units[s.Name] = s.Unit
	r.mu.Unlock()
	minor := ""
	if s.Minor {
		minor = " (minor)"
	}
	r.add("start %s%s %s [%s]", s.Name, minor, s.Detail, s.Unit.Many)
}

// Progress records "count NAME DONE/TOTAL", naming the unit when it is
// not the one the step announced.
func (r *recorder) Progress(name report.StepName, c report.Count) {
	r.mu.Lock()
	announced := r.units[name]
	r.mu.Unlock()
	if c.Unit != announced {
		r.add("count %s %d/%d %s", name, c.Done, c.Total, c.Unit.Many)
		return
	}
	r.add("count %s %d/%d", name, c.Done, c.Total)
}
func (r *recorder) StepDone(name report.StepName, _ time.Duration, err error) {
	if err != nil {
		r.add("failed %s", name)
		return
	}
	r.add("done %s", name)
}
func (r *recorder) Exec(_ string, argv []string) { r.add("exec %s", strings.Join(argv, " ")) }
func (r *recorder) Note(msg string)              { r.add("note %s", msg) }

// lines returns the events that start with one of prefixes ("start",
// "done", …), in order.
func (r *recorder) lines(prefixes ...string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		for _, p := range prefixes {
			if strings.HasPrefix(e, p+" ") {
				out = append(out, e)
			}
		}
	}
	return out
}

// steps names the steps the recorder saw end, done or failed.
func (r *recorder) steps() string {
	var names []string
	for _, e := range r.lines("done", "failed") {
		names = append(names, strings.Fields(e)[1])
	}
	return strings.Join(names, " ")
}

// ran reports whether a command line starting with argv ran.
func (r *recorder) ran(argv string) bool {
	for _, e := range r.lines("exec") {
		if strings.HasPrefix(e, "exec "+argv) {
			return true
		}
	}
	return false
}

// TestStepLists pins each command's steps: the one place a command's order
// is written.
func TestStepLists(t *testing.T) {
	for _, tt := range []struct {
		name  string
		steps []Step
		want  string
	}{
		{"validate", ValidateSteps, "load resolve fetch check"},
		{"lock", LockSteps, "load state-lock use-lock resolve fetch check hooks generate save-lock"},
		{"generate", GenerateSteps, "load state-lock outputs use-lock resolve fetch check hooks generate save-lock"},
		{"build", BuildSteps, "load outputs state-lock use-lock reuse resolve fetch check hooks generate save-lock reuse compile record"},
		{"build --offline", OfflineSteps, "load outputs state-lock use-lock verify reuse snapshot compile record"},
		{"build --bundle", BundleBuildSteps, "unpack load outputs state-lock verify reuse compile record"},
		{"vendor", VendorSteps, "load state-lock use-lock resolve fetch check hooks generate save-lock vendor save-lock"},
		{"bundle", BundleSteps, "load state-lock outputs verify bundle"},
		{"verify", VerifySteps, "load verify"},
		{"verify BUNDLE", VerifyBundleSteps, "unpack load verify"},
		{"verify DIR", VerifyTreeSteps, "verify"},
		{"outdated", OutdatedSteps, "load outdated"},
		{"why", WhySteps, "load state-lock use-lock resolve fetch check hooks generate why"},
		{"plan", PlanSteps, "load outputs use-lock plan"},
		{"audit", AuditSteps, "load state-lock use-lock resolve fetch check hooks generate audit"},
		{"audit --offline", AuditOfflineSteps, "load state-lock use-lock verify snapshot audit"},
		{"audit --bundle", AuditBundleSteps, "unpack load state-lock verify snapshot audit"},
		{"audit BINARY", AuditBinarySteps, "audit"},
	} {
		if got := StepNames(tt.steps); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	for _, st := range BuildSteps {
		if st.Run == nil || st.Name == "" {
			t.Errorf("step %q has no name or no work", st)
		}
	}
}

// TestRun drives the runner with steps of the test's own: what it reports,
// what it skips, where it stops.
func TestRun(t *testing.T) {
	boom := errors.New("boom")
	step := func(name string, err error, also func(s *State)) Step {
		return Step{Name: report.StepName(name), Unit: report.Plugs, Detail: func(*State) string { return "on " + name },
			Run: func(_ context.Context, s *State) error {
				s.Progress(1, 2)
				if also != nil {
					also(s)
				}
				return err
			}}
	}
	tests := []struct {
		name    string
		steps   []Step
		wantErr error
		want    string
	}{
		{"all run", []Step{step("a", nil, nil), step("b", nil, nil)}, nil, "done a|done b"},
		{"first failure stops", []Step{step("a", boom, nil), step("b", nil, nil)}, boom, "failed a"},
		{"skipped", []Step{{Name: "a", Skip: func(*State) bool { return true }}, step("b", nil, nil)}, nil, "done b"},
		{"done ends the run", []Step{step("a", nil, func(s *State) { s.done = true }), step("b", nil, nil)}, nil, "done a"},
		{"partial: the next step runs, then the run ends with its error",
			[]Step{step("a", partial(boom), nil), step("b", errors.New("b and boom"), nil), step("c", nil, nil)}, nil, "failed a|failed b"},
		{"partial: the next step adds nothing",
			[]Step{step("a", partial(boom), nil), step("b", nil, nil), step("c", nil, nil)}, boom, "failed a|done b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			s := New(r, Options{})
			err := Run(context.Background(), s, tt.steps)
			switch {
			case tt.wantErr != nil && err != tt.wantErr:
				t.Errorf("Run = %v, want %v", err, tt.wantErr)
			case tt.wantErr == nil && strings.Contains(tt.name, "its error") && (err == nil || err.Error() != "b and boom"):
				t.Errorf("Run = %v, want b's error", err)
			case tt.wantErr == nil && !strings.Contains(tt.name, "its error") && err != nil:
				t.Errorf("Run = %v", err)
			}
			if got := strings.Join(r.lines("done", "failed"), "|"); got != tt.want {
				t.Errorf("ended %s, want %s", got, tt.want)
			}
		})
	}
	// What a step announces: name, detail, unit; its counts under its name.
	r := &recorder{}
	if err := Run(context.Background(), New(r, Options{}), []Step{step("a", nil, nil), {Name: "m", Minor: true, Run: func(context.Context, *State) error { return nil }}}); err != nil {
		t.Fatal(err)
	}
	want := "start a on a [plugs]|count a 1/2|done a|start m (minor)  []|done m"
	if got := strings.Join(r.events, "|"); got != want {
		t.Errorf("events\n%s\nwant\n%s", got, want)
	}
	// A cancelled run starts no step.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r = &recorder{}
	if err := Run(ctx, New(r, Options{}), []Step{step("a", nil, nil)}); !errors.Is(err, context.Canceled) || len(r.events) > 0 {
		t.Errorf("cancelled Run = %v with %v", err, r.events)
	}
}

// TestProgressOutsideStep: counts reported when no step runs go nowhere.
func TestProgressOutsideStep(t *testing.T) {
	r := &recorder{}
	New(r, Options{}).Progress(1, 2)
	if len(r.events) != 0 {
		t.Errorf("events %v", r.events)
	}
	if got := (Step{Name: Compile}).String(); got != "compile" {
		t.Errorf("String = %q", got)
	}
}
