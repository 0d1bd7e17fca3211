package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"

	"github.com/plugctl/plugctl/internal/report"
)

// verbosity of the progress display.
type verbosity int

const (
	quiet   verbosity = -1 // errors only
	normal  verbosity = 0
	verbose verbosity = 1 // also every go and git command
)

// countText is a step's counts for people, in the order first reported,
// the unit the step announced first: "3/12 modules" while it runs, "12
// modules" once done, "1/1 target, 412 packages"; "" when it counted
// nothing. A failed step is not finished: it shows how far it got. Counts
// of work (report.Unit.Work) are left out when work is false.
func countText(counts []report.Count, finished, work bool) string {
	var parts []string
	for _, c := range counts {
		if c.Unit.Work && !work {
			continue
		}
		if t := c.Text(finished); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, ", ")
}

// spinner frames of the live line.
var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// tick is how often the live line is redrawn.
const tick = 100 * time.Millisecond

// heartbeat is how often, off a terminal, a step that is still running
// says so: CI systems end jobs that print nothing for ten minutes, and a
// person reading a log wants to see the counts move. (A variable only so
// that the behaviour scripts, whose logs are compared byte for byte on a
// loaded machine, can turn it off.)
var heartbeat = 20 * time.Second

// stepState is a step that has started and not yet ended.
type stepState struct {
	name   report.StepName
	detail string
	unit   report.Unit
	hidden bool // a minor step, not shown (report.Step.Minor)
	start  time.Time
	counts []report.Count // the step's unit first, then as reported
}

// count records c, replacing the step's earlier count in its unit; the
// unit the step announced goes first.
func (s *stepState) count(c report.Count) {
	for i := range s.counts {
		if s.counts[i].Unit == c.Unit {
			s.counts[i] = c
			return
		}
	}
	if c.Unit == s.unit {
		s.counts = append([]report.Count{c}, s.counts...)
		return
	}
	s.counts = append(s.counts, c)
}

// styles are the lipgloss styles of the display; all zero (plain text) when
// colour is off.
type styles struct {
	step, dim, ok, bad, head lipgloss.Style
}

// progress is the CLI's report.Reporter, writing to stderr.
//
// On a terminal it keeps one live line at the bottom — a spinner, the step
// running, its counts and elapsed time — redrawn in place, and turns each
// finished step into a permanent line with a mark and its duration; commands
// run (-v) and notes are printed above the live line. Close erases the live
// line, so nothing of it is left once plugctl exits.
//
// Elsewhere (CI logs, pipes) it writes two plain lines per step, "name:
// detail" when it starts and "name: done (N units)" or "name: failed" when it
// ends: no colour, no carriage returns and no durations or timestamps, so
// two logs of the same build diff cleanly — nor counts of work that caches
// spare (packages compiled, modules downloaded), which the live line and
// the heartbeat show. A step still running after
// heartbeat says so, with its counts and how long it has run, again every
// heartbeat: a log that goes quiet for minutes looks hung, and CI systems
// end such jobs.
//
// Minor steps (bookkeeping: the project lock, reading and writing
// plugconfig.lock, reuse decisions, records) are shown with -v only; the
// error of one that fails is printed like any other.
type progress struct {
	mu     sync.Mutex
	ios    *IOStreams
	level  verbosity
	live   bool
	st     styles
	r      *lipgloss.Renderer
	active []*stepState
	frame  int
	drawn  bool // a live line is on screen
	stop   chan struct{}
	ticker sync.WaitGroup
	closed bool
	// beat, off a terminal, delivers the heartbeat ticks (newProgress
	// makes it; tests send their own).
	beat <-chan time.Time
}

func newProgress(ios *IOStreams, level verbosity) *progress {
	r := lipgloss.NewRenderer(ios.ErrOut)
	return &progress{ios: ios, level: level, live: ios.TTY && os.Getenv("TERM") != "dumb", r: r, st: newStyles(ios, r)}
}

// newStyles returns the styles for stderr: plain unless ios.Color.
func newStyles(ios *IOStreams, r *lipgloss.Renderer) styles {
	if !ios.Color {
		return styles{}
	}
	return styles{
		step: r.NewStyle().Bold(true).Foreground(lipgloss.Color("12")),
		dim:  r.NewStyle().Faint(true),
		ok:   r.NewStyle().Foreground(lipgloss.Color("10")),
		bad:  r.NewStyle().Foreground(lipgloss.Color("9")),
		head: r.NewStyle().Bold(true),
	}
}

var _ report.Reporter = (*progress)(nil)

// Step announces a step.
func (p *progress) Step(st report.Step) {
	if p.level < normal {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	hidden := st.Minor && p.level < verbose
	// A detail names what the config or the command line chose (-f,
	// --bundle, a directory): shown like an error shows it.
	st.Detail = lineText(st.Detail)
	p.active = append(p.active, &stepState{name: st.Name, detail: st.Detail, unit: st.Unit, hidden: hidden, start: time.Now()})
	if hidden {
		return
	}
	if p.stop == nil {
		p.stop = make(chan struct{})
		p.ticker.Add(1)
		if p.live {
			go p.animate(p.stop)
		} else {
			go p.pulse(p.stop, p.beat)
		}
	}
	if !p.live {
		if st.Detail == "" {
			fmt.Fprintf(p.ios.ErrOut, "%s\n", st.Name)
		} else {
			fmt.Fprintf(p.ios.ErrOut, "%s: %s\n", st.Name, st.Detail)
		}
		return
	}
	p.redraw()
}

// Progress updates the counts of a running step.
func (p *progress) Progress(name report.StepName, c report.Count) {
	if p.level < normal {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.find(name); s != nil {
		s.count(c)
		if p.live && !s.hidden {
			p.redraw()
		}
	}
}

// StepDone ends a step.
func (p *progress) StepDone(name report.StepName, d time.Duration, err error) {
	if p.level < normal {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var s stepState
	if st := p.find(name); st != nil {
		s = *st
		for i, a := range p.active {
			if a == st {
				p.active = append(p.active[:i], p.active[i+1:]...)
				break
			}
		}
	} else {
		s = stepState{name: name}
	}
	if s.hidden {
		return
	}
	// A failed step shows how far it got: "3/12 modules".
	count := countText(s.counts, err == nil, p.live)
	if !p.live {
		line := string(name) + ": done"
		if err != nil {
			line = string(name) + ": failed"
		}
		if count != "" {
			line += " (" + count + ")"
		}
		fmt.Fprintln(p.ios.ErrOut, line)
		return
	}
	if p.closed {
		return
	}
	mark := p.st.ok.Render("✓")
	if err != nil {
		mark = p.st.bad.Render("✗")
	}
	p.above(p.stepLine(mark, s, count, duration(d)))
}

// Exec shows a command about to run (-v only).
func (p *progress) Exec(dir string, argv []string) {
	if p.level < verbose {
		return
	}
	line := "$ " + strings.Join(argv, " ")
	if dir != "" {
		line += "  (in " + dir + ")"
	}
	line = lineText(line)
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.live {
		fmt.Fprintln(p.ios.ErrOut, line)
		return
	}
	p.above(p.st.dim.Render(line))
}

// Note shows a one-line fact.
func (p *progress) Note(msg string) {
	if p.level < normal {
		return
	}
	msg = safeText(msg)
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.live {
		fmt.Fprintln(p.ios.ErrOut, msg)
		return
	}
	p.above(msg)
}

// Close stops the live line and erases it. It is safe to call twice.
func (p *progress) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	stop := p.stop
	p.clear()
	p.active = nil
	p.mu.Unlock()
	if stop != nil {
		close(stop)
		p.ticker.Wait()
	}
}

// summaryRow is one artifact in the table that ends a build.
type summaryRow struct {
	Artifact, Target string
	Size             int64
	SHA256           string
	Took             time.Duration
	Cached           bool
}

// Summary draws the table of artifacts that ends a build on a terminal. It
// reports whether it drew anything.
func (p *progress) Summary(rows []summaryRow) bool {
	if p.level < normal || !p.live || len(rows) == 0 {
		return false
	}
	t := table.New().
		Border(lipgloss.RoundedBorder()).
		BorderStyle(p.st.dim).
		Headers("artifact", "target", "size", "sha256", "time").
		StyleFunc(func(row, col int) lipgloss.Style {
			s := p.r.NewStyle().Padding(0, 1)
			if row == table.HeaderRow {
				return s.Inherit(p.st.head)
			}
			if col == 2 || col == 4 {
				s = s.Align(lipgloss.Right)
			}
			return s
		})
	for _, r := range rows {
		took := duration(r.Took)
		if r.Cached {
			took = "cached"
		}
		t.Row(lineText(relPath(r.Artifact)), r.Target, size(r.Size), shortSum(r.SHA256), took)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.above(t.Render())
	return true
}

// animate redraws the live line every tick until stop is closed.
func (p *progress) animate(stop chan struct{}) {
	defer p.ticker.Done()
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.frame++
			if !p.closed {
				p.redraw()
			}
			p.mu.Unlock()
		}
	}
}

// pulse, off a terminal, writes a heartbeat line for the innermost step
// shown that is still running at each tick of beat, until stop is closed:
// "compile: still running (0/1 target, 412 packages), 40s".
// beat, when nil, is a ticker of period heartbeat.
func (p *progress) pulse(stop chan struct{}, beat <-chan time.Time) {
	defer p.ticker.Done()
	if beat == nil {
		if heartbeat <= 0 {
			<-stop
			return
		}
		t := time.NewTicker(heartbeat)
		defer t.Stop()
		beat = t.C
	}
	for {
		select {
		case <-stop:
			return
		case <-beat:
			p.mu.Lock()
			if s := p.innermost(); s != nil && !p.closed {
				line := string(s.name) + ": still running"
				if c := countText(s.counts, false, true); c != "" {
					line += " (" + c + ")"
				}
				fmt.Fprintf(p.ios.ErrOut, "%s, %s\n", line, duration(time.Since(s.start)))
			}
			p.mu.Unlock()
		}
	}
}

// innermost returns the innermost running step that is shown, if any.
func (p *progress) innermost() *stepState {
	for i := len(p.active) - 1; i >= 0; i-- {
		if !p.active[i].hidden {
			return p.active[i]
		}
	}
	return nil
}

func (p *progress) find(name report.StepName) *stepState {
	for i := len(p.active) - 1; i >= 0; i-- {
		if p.active[i].name == name {
			return p.active[i]
		}
	}
	return nil
}

// clear erases the live line; the cursor is left at the start of the line.
func (p *progress) clear() {
	if p.drawn {
		fmt.Fprint(p.ios.ErrOut, "\r\x1b[2K")
		p.drawn = false
	}
}

// above prints text as permanent lines above the live line.
func (p *progress) above(text string) {
	p.clear()
	fmt.Fprintln(p.ios.ErrOut, text)
	p.redraw()
}

// redraw draws the innermost running step shown as the live line.
func (p *progress) redraw() {
	p.clear()
	s := p.innermost()
	if s == nil {
		return
	}
	mark := p.st.step.Render(spinner[p.frame%len(spinner)])
	line := p.stepLine(mark, *s, countText(s.counts, false, true), duration(time.Since(s.start)))
	fmt.Fprint(p.ios.ErrOut, line)
	p.drawn = true
}

// stepLine renders "MARK name     detail  counts  took", the detail cut so
// that the line fits the terminal: a line that wraps could not be redrawn in
// place.
func (p *progress) stepLine(mark string, s stepState, count, took string) string {
	name := fmt.Sprintf("%-9s", s.name)
	fixed := 2 + len(name) + 1 + len(count) + 2 + len(took) + 2
	detail := s.detail
	if filepath.IsAbs(detail) {
		detail = relPath(detail)
	}
	if w := p.ios.Width; w > 0 {
		detail = cut(detail, w-1-fixed)
	}
	parts := []string{mark, p.st.step.Render(name)}
	if detail != "" {
		parts = append(parts, p.st.dim.Render(detail))
	}
	if count != "" {
		parts = append(parts, count)
	}
	parts = append(parts, p.st.dim.Render(took))
	return strings.Join(parts, " ")
}

// lineText is safeText for a text that must stay on one line of the
// progress display: a newline in it is written \n, as a file name with one
// would otherwise break the line (and, on a terminal, the redrawing).
func lineText(s string) string {
	return strings.ReplaceAll(safeText(s), "\n", `\n`)
}

// cut shortens s to at most n characters, marking the cut with "…".
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return ""
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// duration formats d for a person: 85ms, 1.2s, 2m3s.
func duration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "<1ms"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// size formats n bytes with a binary unit: 812 B, 4.0 KiB, 12.3 MiB.
func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// shortSum is the first 12 hex digits of a sha256, enough to tell artifacts
// apart at a glance.
func shortSum(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}

// relPath shows path relative to the working directory when it lies below it.
func relPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return path
	}
	return rel
}

// plural is "1 plug" or "3 plugs".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
