//go:build unix

package cli

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestExecProgramForwardsSignals sends SIGTERM to plugctl (this process)
// while a program runs, as a supervisor would, and checks that the program
// got it and that its exit code came back.
func TestExecProgramForwardsSignals(t *testing.T) {
	var out lockedBuffer
	ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out}
	script := `trap 'echo got TERM; exit 42' TERM; echo ready; while :; do sleep 0.05; done`
	go func() {
		// Wait until the program runs (and plugctl listens for signals).
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if strings.Contains(out.String(), "ready") {
				break
			}
		}
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}()
	err := execProgram(ios, "/bin/sh", []string{"-c", script})
	var es *exitStatus
	if !errors.As(err, &es) || es.code != 42 {
		t.Fatalf("got %v, want exit status 42; output %q", err, out.String())
	}
	if !strings.Contains(out.String(), "got TERM") {
		t.Errorf("the program did not see SIGTERM: %q", out.String())
	}
}

func TestExecProgramKilledBySignal(t *testing.T) {
	ios := &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
	err := execProgram(ios, "/bin/sh", []string{"-c", "kill -KILL $$"})
	var es *exitStatus
	if !errors.As(err, &es) || es.code != 128+9 {
		t.Fatalf("got %v, want exit status 137", err)
	}
}

// lockedBuffer is a bytes.Buffer safe for the program's output copier and
// the test to use at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
