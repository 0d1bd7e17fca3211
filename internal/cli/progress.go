package cli

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/plugctl/plugctl/internal/report"
)

// verbosity of the progress display.
type verbosity int

const (
	quiet   verbosity = -1 // errors only
	normal  verbosity = 0
	verbose verbosity = 1 // also every go and git command
)

// progress is the CLI's report.Reporter. On a terminal it draws styled
// lines; elsewhere it writes plain, timestamp-free lines fit for CI logs.
type progress struct {
	mu    sync.Mutex
	ios   *IOStreams
	level verbosity
	step  lipgloss.Style
	dim   lipgloss.Style
	ok    lipgloss.Style
	bad   lipgloss.Style
}

func newProgress(ios *IOStreams, level verbosity) *progress {
	p := &progress{ios: ios, level: level}
	if ios.Color {
		r := lipgloss.NewRenderer(ios.ErrOut)
		p.step = r.NewStyle().Bold(true).Foreground(lipgloss.Color("12"))
		p.dim = r.NewStyle().Faint(true)
		p.ok = r.NewStyle().Foreground(lipgloss.Color("10"))
		p.bad = r.NewStyle().Foreground(lipgloss.Color("9"))
	}
	return p
}

var _ report.Reporter = (*progress)(nil)

func (p *progress) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.ios.ErrOut, format, args...)
}

func (p *progress) Step(name, detail string) {
	if p.level < normal {
		return
	}
	if p.ios.TTY {
		p.printf("%s %s\n", p.step.Render(fmt.Sprintf("%-9s", name)), p.dim.Render(detail))
		return
	}
	p.printf("%s: %s\n", name, detail)
}

func (p *progress) Progress(name string, done, total int) {
	if p.level < normal || !p.ios.TTY {
		return
	}
	p.printf("%s %d/%d\n", p.step.Render(fmt.Sprintf("%-9s", name)), done, total)
}

func (p *progress) StepDone(name string, d time.Duration, err error) {
	if p.level < normal {
		return
	}
	status, took := "done", d.Round(time.Millisecond).String()
	if err != nil {
		status = "failed"
	}
	if p.ios.TTY {
		mark := p.ok.Render("✓")
		if err != nil {
			mark = p.bad.Render("✗")
		}
		p.printf("%s %s %s\n", mark, fmt.Sprintf("%-9s", name), p.dim.Render(took))
		return
	}
	// Plain output stays free of durations so CI logs diff cleanly.
	p.printf("%s: %s\n", name, status)
}

func (p *progress) Exec(dir string, argv []string) {
	if p.level < verbose {
		return
	}
	line := "$ " + strings.Join(argv, " ")
	if dir != "" {
		line += "  (in " + dir + ")"
	}
	p.printf("%s\n", p.dim.Render(line))
}

func (p *progress) Note(msg string) {
	if p.level < normal {
		return
	}
	p.printf("%s\n", msg)
}
