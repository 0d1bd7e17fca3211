// Package run starts the go and git subprocesses plugctl drives, with an
// explicit environment, their stderr attached to any error, and the whole
// process group stopped when the context is cancelled.
package run

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/report"
)

// Cmd describes one subprocess.
type Cmd struct {
	Dir  string
	Env  []string // complete environment; nil means Environ(nil)
	Args []string // Args[0] is the program
	// Stdin, when set, is fed to the process.
	Stdin []byte
	// Stdout, when set, receives the process's standard output as it is
	// written (go build -json's events), and Output returns none.
	Stdout io.Writer
	// StderrLine, when set, is called with each line of standard error as
	// it is written, and only the lines it returns true for are kept for
	// the Error (go -x's "# get" lines count downloads, and are no error).
	StderrLine func(line string) bool
}

// Error is a failed subprocess: its redacted command line, exit error and
// trimmed stderr (at most MaxStderr bytes of it, credentials redacted and
// terminal controls escaped).
type Error struct {
	Args   []string
	Err    error
	Stderr string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("running %s: %v", strings.Join(e.Args, " "), e.Err)
	if e.Stderr != "" {
		msg += "\n" + e.Stderr
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// interruptGrace is how long an interrupted process group has to exit on
// its own before it is killed.
const interruptGrace = time.Second

// Output runs c and returns its stdout. The process group is interrupted when
// ctx is done and killed if it has not exited a few seconds later; the error
// then wraps ctx.Err() so callers see the cancellation.
func Output(ctx context.Context, r report.Reporter, c Cmd) ([]byte, error) {
	if r == nil {
		r = report.Discard
	}
	shown := redact.Args(c.Args)
	r.Exec(c.Dir, shown)
	cmd := exec.Command(c.Args[0], c.Args[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	if cmd.Env == nil {
		cmd.Env = Environ(nil)
	}
	if c.Stdin != nil {
		cmd.Stdin = bytes.NewReader(c.Stdin)
	}
	var stdout bytes.Buffer
	stderr := &cappedBuffer{max: MaxStderr}
	cmd.Stdout = &stdout
	if c.Stdout != nil {
		cmd.Stdout = c.Stdout
	}
	cmd.Stderr = stderr
	var lines *lineFilter
	if c.StderrLine != nil {
		lines = &lineFilter{keep: c.StderrLine, to: stderr}
		cmd.Stderr = lines
	}
	// A process group of its own, so that go's own children (compile, link,
	// git-remote-https) stop with it; see procAttr.
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return nil, &Error{Args: shown, Err: err}
	}
	g := newGroup(cmd.Process)
	defer g.close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		// Interrupt first so go and git can clean up their temporary
		// files, then kill whatever is left of the group: processes a shell
		// started in the background ignore an interrupt.
		g.interrupt()
		select {
		case <-done:
			g.kill()
		case <-time.After(interruptGrace):
			// Wait also waits for the output pipes, which a straggler
			// holds open: kill the group, then collect.
			g.kill()
			<-done
		}
		return nil, fmt.Errorf("running %s: %w", strings.Join(shown, " "), ctx.Err())
	}
	if lines != nil {
		lines.flush()
	}
	if err != nil {
		// Redacted before and after sanitizing: an escape like \x makes
		// letters that can turn what follows into a URL with credentials.
		return stdout.Bytes(), &Error{Args: shown, Err: err, Stderr: redact.String(Sanitize(redact.String(strings.TrimSpace(stderr.String()))))}
	}
	return stdout.Bytes(), nil
}

// Environ returns the process environment with the variables in set replacing
// any inherited value, so a user's GOFLAGS, GOOS or CGO_ENABLED can never leak
// into a build that must be reproducible. Values set to "" are kept as empty
// assignments (VAR=), which the go command reads as unset.
func Environ(set map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; ok {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}

// IsExit reports whether err is a subprocess that ran and exited non-zero.
func IsExit(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee)
}

// lineFilter passes the lines written to it, whole, to keep, and writes
// those it keeps to to.
type lineFilter struct {
	keep    func(string) bool
	to      io.Writer
	partial []byte
}

func (f *lineFilter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			f.partial = append(f.partial, p...)
			break
		}
		line := append(f.partial, p[:i+1]...)
		f.partial = nil
		if f.keep(string(bytes.TrimSuffix(line, []byte("\n")))) {
			f.to.Write(line)
		}
		p = p[i+1:]
	}
	return n, nil
}

// flush passes on a last line that had no newline.
func (f *lineFilter) flush() {
	if len(f.partial) > 0 && f.keep(string(f.partial)) {
		f.to.Write(f.partial)
	}
	f.partial = nil
}
