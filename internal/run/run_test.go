package run

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOutputErrorCarriesStderrRedacted(t *testing.T) {
	_, err := Output(context.Background(), nil, Cmd{Args: []string{"sh", "-c", "echo 'cannot reach https://u:tok@h/x' >&2; exit 3", "--", "https://u:tok@h/x"}})
	var re *Error
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want *run.Error", err)
	}
	if !IsExit(err) {
		t.Error("IsExit = false for a process that exited 3")
	}
	msg := err.Error()
	if strings.Contains(msg, "tok") {
		t.Errorf("error leaks the token: %s", msg)
	}
	if !strings.Contains(msg, "cannot reach https://REDACTED@h/x") {
		t.Errorf("error lacks the stderr: %s", msg)
	}
}

func TestOutputStopsProcessGroupOnCancel(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "survived")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	// The grandchild would create the marker if it outlived the cancel.
	_, err := Output(ctx, nil, Cmd{Args: []string{"sh", "-c", "(sleep 3; touch " + marker + ") & wait"}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %v", d)
	}
	time.Sleep(3500 * time.Millisecond)
	if _, err := os.Stat(marker); err == nil {
		t.Error("a grandchild process survived the cancel")
	}
}

func TestEnvironOverrides(t *testing.T) {
	t.Setenv("GOFLAGS", "-mod=mod")
	env := Environ(map[string]string{"GOFLAGS": ""})
	n := 0
	for _, kv := range env {
		if strings.HasPrefix(kv, "GOFLAGS=") {
			n++
			if kv != "GOFLAGS=" {
				t.Errorf("inherited %s", kv)
			}
		}
	}
	if n != 1 {
		t.Errorf("GOFLAGS appears %d times", n)
	}
}
