//go:build unix

package testenv

import (
	"syscall"
	"testing"
)

// Mkfifo makes a named pipe at path, for tests that check plugctl refuses
// to read one (it would block forever).
func Mkfifo(t testing.TB, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
}
