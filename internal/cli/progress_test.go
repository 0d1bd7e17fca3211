package cli

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/run"
)

// drive reports a small build to p the way the pipeline does.
func drive(p *progress) {
	p.Step(report.Step{Name: "load", Detail: "plugconfig.yaml"})
	p.Exec("", []string{"go", "env", "-json"})
	p.StepDone("load", 3*time.Millisecond, nil)
	p.Step(report.Step{Name: "resolve", Unit: report.Plugs})
	for i := range 3 {
		p.Progress("resolve", report.Count{Unit: report.Plugs, Done: i + 1, Total: 3})
	}
	p.StepDone("resolve", 1500*time.Millisecond, nil)
	p.Note("reusing dist/app")
	p.Step(report.Step{Name: "compile", Detail: "linux/amd64 darwin/arm64", Unit: report.Targets})
	p.Progress("compile", report.Count{Unit: report.Targets, Done: 1, Total: 2})
	p.StepDone("compile", 2*time.Second, errors.New("boom"))
}

func TestProgressPlain(t *testing.T) {
	tests := []struct {
		name  string
		level verbosity
		want  string
	}{
		{"normal", normal, "load: plugconfig.yaml\nload: done\nresolve\nresolve: done (3 plugs)\nreusing dist/app\ncompile: linux/amd64 darwin/arm64\ncompile: failed (1/2 targets)\n"},
		{"verbose", verbose, "load: plugconfig.yaml\n$ go env -json\nload: done\nresolve\nresolve: done (3 plugs)\nreusing dist/app\ncompile: linux/amd64 darwin/arm64\ncompile: failed (1/2 targets)\n"},
		{"quiet", quiet, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := newProgress(&IOStreams{ErrOut: &buf}, tt.level)
			drive(p)
			p.Close()
			if buf.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", buf.String(), tt.want)
			}
		})
	}
}

// screen replays terminal output the way a terminal shows it, for the only
// controls the live display uses: "\r\x1b[2K" erases the current line and
// "\n" starts a new one. It returns the lines left on screen.
func screen(out string) []string {
	lines := []string{""}
	for len(out) > 0 {
		switch {
		case strings.HasPrefix(out, "\r\x1b[2K"):
			lines[len(lines)-1] = ""
			out = out[len("\r\x1b[2K"):]
		case out[0] == '\n':
			lines = append(lines, "")
			out = out[1:]
		default:
			i := strings.IndexAny(out, "\r\n")
			if i < 0 {
				i = len(out)
			}
			lines[len(lines)-1] += out[:i]
			out = out[i:]
		}
	}
	return lines
}

func TestProgressLive(t *testing.T) {
	t.Setenv("TERM", "xterm")
	var buf bytes.Buffer
	p := newProgress(&IOStreams{ErrOut: &buf, TTY: true, Width: 60}, verbose)
	drive(p)
	time.Sleep(3 * tick) // let the spinner redraw a few times
	p.Step(report.Step{Name: "link", Detail: "a step still running when the command ends"})
	p.Progress("link", report.Count{Done: 1, Total: 4})
	drew := p.Summary([]summaryRow{{Artifact: "/x/dist/app", Target: "linux/amd64", Size: 3 << 20, SHA256: strings.Repeat("ab", 32), Took: 2 * time.Second}})
	p.Close()
	p.Close()
	if !drew {
		t.Error("Summary drew nothing on a terminal")
	}
	got := screen(buf.String())
	want := []string{
		"$ go env -json",
		"✓ load      plugconfig.yaml 3ms",
		"✓ resolve   3 plugs 1.5s",
		"reusing dist/app",
		"✗ compile   linux/amd64 darwin/arm64 1/2 targets 2s",
		"╭─────────────┬─────────────┬─────────┬──────────────┬──────╮",
		"│ artifact    │ target      │ size    │ sha256       │ time │",
		"├─────────────┼─────────────┼─────────┼──────────────┼──────┤",
		"│ /x/dist/app │ linux/amd64 │ 3.0 MiB │ abababababab │   2s │",
		"╰─────────────┴─────────────┴─────────┴──────────────┴──────╯",
		"", // the live line, erased by Close
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("screen:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The spinner did draw while steps ran, counts and elapsed time included.
	if !regexp.MustCompile(`[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] link      a step still running when the comma… 1/4 (<1ms|\d+ms)`).MatchString(buf.String()) {
		t.Errorf("no live line for the running step in %q", buf.String())
	}
	// Live lines never wrap: a wrapped line could not be erased in place.
	for _, seg := range strings.Split(buf.String(), "\r\x1b[2K") {
		for _, line := range strings.Split(seg, "\n") {
			if n := utf8.RuneCountInString(line); n >= 60 && !strings.ContainsAny(line, "╭│├╰") {
				t.Errorf("line of %d characters on a 60-column terminal: %q", n, line)
			}
		}
	}
	if strings.Contains(buf.String(), "\x1b[0m") || strings.Contains(buf.String(), "\x1b[1m") {
		t.Errorf("colour codes without Color: %q", buf.String())
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		500 * time.Microsecond:  "<1ms",
		85 * time.Millisecond:   "85ms",
		1234 * time.Millisecond: "1.2s",
		123 * time.Second:       "2m3s",
	} {
		if got := duration(d); got != want {
			t.Errorf("duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{812: "812 B", 4096: "4.0 KiB", 12900000: "12.3 MiB", 3 << 30: "3.0 GiB"} {
		if got := size(n); got != want {
			t.Errorf("size(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestProgressVerboseRedacts runs a real command whose arguments hold a URL
// with credentials through the verbose display: -v shows the command, never
// the secret.
func TestProgressVerboseRedacts(t *testing.T) {
	for _, tty := range []bool{false, true} {
		var buf bytes.Buffer
		p := newProgress(&IOStreams{ErrOut: &buf, TTY: tty, Width: 200}, verbose)
		_, err := run.Output(context.Background(), p, run.Cmd{Args: []string{"git", "ls-remote", "--", "https://alice:s3cret-token@127.0.0.1:1/repo.git"}})
		p.Close()
		if err == nil {
			t.Fatal("ls-remote of a closed port succeeded")
		}
		out := buf.String()
		if !strings.Contains(out, "$ git ls-remote -- https://REDACTED@127.0.0.1:1/repo.git") {
			t.Errorf("tty=%v: command not shown redacted: %q", tty, out)
		}
		if strings.Contains(out, "s3cret") || strings.Contains(err.Error(), "s3cret") || strings.Contains(out, "alice") {
			t.Errorf("tty=%v: credentials leaked: %q / %v", tty, out, err)
		}
	}
}

// TestProgressMinorAndCounts: bookkeeping steps show with -v only, and a
// step's counts read right: no count twice, a failed step not complete.
func TestProgressMinorAndCounts(t *testing.T) {
	drive := func(p *progress) {
		p.Step(report.Step{Name: "use-lock", Minor: true})
		p.StepDone("use-lock", time.Millisecond, nil)
		p.Step(report.Step{Name: "resolve", Unit: report.Plugs})
		p.Progress("resolve", report.Count{Unit: report.Plugs, Done: 2, Total: 2})
		p.StepDone("resolve", time.Millisecond, nil)
		p.Step(report.Step{Name: "save-lock", Minor: true})
		p.StepDone("save-lock", time.Millisecond, errors.New("boom"))
		p.Step(report.Step{Name: "compile", Detail: "linux/amd64", Unit: report.Targets})
		p.Progress("compile", report.Count{Unit: report.Targets, Done: 0, Total: 1})
		p.StepDone("compile", time.Second, errors.New("boom"))
	}
	for _, tt := range []struct {
		level verbosity
		want  string
	}{
		{normal, "resolve\nresolve: done (2 plugs)\ncompile: linux/amd64\ncompile: failed (0/1 target)\n"},
		{verbose, "use-lock\nuse-lock: done\nresolve\nresolve: done (2 plugs)\nsave-lock\nsave-lock: failed\ncompile: linux/amd64\ncompile: failed (0/1 target)\n"},
	} {
		var buf bytes.Buffer
		p := newProgress(&IOStreams{ErrOut: &buf}, tt.level)
		drive(p)
		p.Close()
		if buf.String() != tt.want {
			t.Errorf("level %d:\n%s\nwant\n%s", tt.level, buf.String(), tt.want)
		}
	}
	// On a terminal: "✓ resolve   2 plugs", the count once.
	t.Setenv("TERM", "xterm")
	var buf bytes.Buffer
	p := newProgress(&IOStreams{ErrOut: &buf, TTY: true, Width: 80}, normal)
	drive(p)
	p.Close()
	got := strings.Join(screen(buf.String()), "\n")
	for _, want := range []string{"✓ resolve   2 plugs 1ms", "✗ compile   linux/amd64 0/1 target 1s"} {
		if !strings.Contains(got, want) {
			t.Errorf("screen lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "use-lock") || strings.Contains(got, "save-lock") {
		t.Errorf("minor steps on the screen:\n%s", got)
	}
}

// TestProgressUnits: a step counting in several units shows each, its
// own unit first; a count with no total shows what was done; a finished
// step shows each count once.
func TestProgressUnits(t *testing.T) {
	drive := func(p *progress) {
		p.Step(report.Step{Name: "fetch"})
		p.Progress("fetch", report.Count{Unit: report.Modules, Done: 0, Total: 2})
		p.Progress("fetch", report.Count{Unit: report.Trees, Done: 0, Total: 1})
		p.Progress("fetch", report.Count{Unit: report.Downloads, Done: 3})
		p.Progress("fetch", report.Count{Unit: report.Modules, Done: 2, Total: 2})
		p.Progress("fetch", report.Count{Unit: report.Trees, Done: 1, Total: 1})
		p.Progress("fetch", report.Count{Unit: report.Downloads, Done: 449})
		p.StepDone("fetch", time.Second, nil)
		p.Step(report.Step{Name: "compile", Detail: "linux/amd64", Unit: report.Targets})
		p.Progress("compile", report.Count{Unit: report.Targets, Done: 0, Total: 1})
		p.Progress("compile", report.Count{Unit: report.Packages, Done: 1})
		p.Progress("compile", report.Count{Unit: report.Packages, Done: 412})
		p.StepDone("compile", time.Second, errors.New("boom"))
	}
	// Plain lines leave out the work caches spare: two logs of one build
	// compare equal.
	var buf bytes.Buffer
	p := newProgress(&IOStreams{ErrOut: &buf}, normal)
	drive(p)
	p.Close()
	want := "fetch\nfetch: done (2 modules, 1 tree)\ncompile: linux/amd64\ncompile: failed (0/1 target)\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	t.Setenv("TERM", "xterm")
	buf.Reset()
	p = newProgress(&IOStreams{ErrOut: &buf, TTY: true, Width: 100}, normal)
	drive(p)
	p.Close()
	got := strings.Join(screen(buf.String()), "\n")
	for _, want := range []string{"✓ fetch     2 modules, 1 tree, 449 modules downloaded 1s", "✗ compile   linux/amd64 0/1 target, 412 packages 1s"} {
		if !strings.Contains(got, want) {
			t.Errorf("screen lacks %q:\n%s", want, got)
		}
	}
}

// TestProgressHeartbeat: off a terminal, a step still running says so at
// every heartbeat, with its counts; a finished one does not.
func TestProgressHeartbeat(t *testing.T) {
	var buf syncBuffer
	beat := make(chan time.Time)
	p := newProgress(&IOStreams{ErrOut: &buf}, normal)
	p.beat = beat
	p.Step(report.Step{Name: "lock", Minor: true})
	p.Step(report.Step{Name: "compile", Detail: "linux/amd64", Unit: report.Targets})
	p.Progress("compile", report.Count{Unit: report.Targets, Done: 0, Total: 1})
	p.Progress("compile", report.Count{Unit: report.Packages, Done: 12})
	beat <- time.Now()
	for !strings.Contains(buf.String(), "still running") {
		time.Sleep(time.Millisecond) // the line is written after the tick is taken
	}
	p.StepDone("compile", time.Second, nil)
	beat <- time.Now() // nothing runs: no line
	p.Close()
	got := buf.String()
	re := regexp.MustCompile(`^compile: linux/amd64\ncompile: still running \(0/1 target, 12 packages\), (<1ms|\d+ms|[\d.]+s)\ncompile: done \(1 target\)\n$`)
	if !re.MatchString(got) {
		t.Errorf("got\n%s", got)
	}
}

// syncBuffer is a bytes.Buffer safe for the heartbeat's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
