// Package statelock makes plugctl processes working on one project take
// turns: every command that writes the project's state (the generated
// module, the vendor tree, the lock file, artifacts) holds an exclusive lock
// on a lock file in the state directory while it works — flock(2) on Unix,
// LockFileEx on Windows.
//
// Both are tied to the open file, so the kernel releases the lock when the
// process dies however it dies (kill -9 included): a crashed plugctl never
// leaves a project locked. The holder writes its pid into the file so that a
// waiting process can say whom it waits for; the pid is informative only,
// the file lock is the lock.
package statelock

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/plugctl/plugctl/internal/report"
)

// poll is how often a waiting process retries. A blocking flock cannot be
// interrupted by a context, and waiting for another plugctl is measured in
// seconds, so polling costs nothing that matters.
const poll = 50 * time.Millisecond

// Lock is a held project lock.
type Lock struct {
	f *os.File
}

// Acquire takes the exclusive lock on the file at path, creating it and its
// directory as needed. While another process holds it, Acquire reports once
// through r that it is waiting, and whom for, and retries until the lock is
// free or ctx is done.
func Acquire(ctx context.Context, r report.Reporter, path string) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("locking the project: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking the project: %w", err)
	}
	waiting := false
	for {
		busy, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking the project: %s: %w", path, err)
		}
		if !busy {
			break
		}
		if !waiting {
			waiting = true
			r.Note(waitMessage(path))
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for the project lock %s: %w", path, ctx.Err())
		case <-time.After(poll):
		}
	}
	// Best effort: a missing pid only makes a waiter's message vaguer.
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &Lock{f: f}, nil
}

func waitMessage(path string) string {
	data, _ := os.ReadFile(path)
	if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 {
		return fmt.Sprintf("waiting for another plugctl (pid %d) working on this project (lock %s)", pid, path)
	}
	return fmt.Sprintf("waiting for another plugctl working on this project (lock %s)", path)
}

// Release gives the lock up. The file stays: removing it would let a waiter
// lock a file that a third process is about to recreate, and two processes
// would each hold "the" lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
