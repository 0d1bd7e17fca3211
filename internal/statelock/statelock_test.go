package statelock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plugctl/plugctl/internal/report"
)

// notes records the notes reported to it.
type notes struct {
	report.Reporter
	mu  sync.Mutex
	got []string
}

func (n *notes) Note(msg string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, msg)
}

func (n *notes) all() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.got...)
}

// flock locks belong to an open file, so two Acquire calls in one process
// contend exactly as two processes do.
func TestTakeTurns(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".plugctl", "lock")
	first, err := Acquire(context.Background(), report.Discard, path)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if strings.TrimSpace(string(data)) != fmt.Sprint(os.Getpid()) {
		t.Errorf("lock file holds %q, want the holder's pid", data)
	}
	r := &notes{Reporter: report.Discard}
	acquired := make(chan *Lock)
	go func() {
		l, err := Acquire(context.Background(), r, path)
		if err != nil {
			t.Error(err)
		}
		acquired <- l
	}()
	// Wait (polling, so a loaded machine only makes it slower) until the
	// second caller says it is waiting; it must not get the lock meanwhile.
	for deadline := time.Now().Add(10 * time.Second); len(r.all()) == 0 && time.Now().Before(deadline); {
		select {
		case <-acquired:
			t.Fatal("second Acquire returned while the first held the lock")
		case <-time.After(20 * time.Millisecond):
		}
	}
	want := fmt.Sprintf("waiting for another plugctl (pid %d) working on this project (lock %s)", os.Getpid(), path)
	if got := r.all(); len(got) != 1 || got[0] != want {
		t.Errorf("notes = %q, want [%q]", got, want)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	select {
	case second := <-acquired:
		if err := second.Release(); err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("second Acquire did not get the lock after the first released it")
	}
	if len(r.all()) != 1 {
		t.Errorf("waiting was reported %d times, want once", len(r.all()))
	}
}

func TestAcquireCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	held, err := Acquire(context.Background(), report.Discard, path)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := Acquire(ctx, report.Discard, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Acquire = %v, want the context's error", err)
	}
}
