package fail

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"
)

func TestCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"plain", errors.New("boom"), 1},
		{"config", New(Config, "bad key"), 2},
		{"wrapped mismatch", fmt.Errorf("building: %w", Wrap(Mismatch, errors.New("edited"))), 3},
		{"fetch", Wrap(Fetch, errors.New("no route")), 4},
		{"compile", Wrap(Compile, errors.New("syntax")), 5},
		{"cancelled", fmt.Errorf("running go: %w", context.Canceled), 130},
		// The innermost kind decides: the cause knows best.
		{"mismatch inside a fetch", Wrap(Fetch, fmt.Errorf("vendoring: %w", Wrap(Mismatch, errors.New("checksum mismatch")))), 3},
		{"config inside a mismatch", Wrap(Mismatch, Wrap(Config, errors.New("bad"))), 2},
		{"three deep", Wrap(Compile, fmt.Errorf("a: %w", Wrap(Fetch, fmt.Errorf("b: %w", New(Config, "c"))))), 2},
		{"unclassified inside a fetch", Wrap(Fetch, fmt.Errorf("go mod download: %w", errors.New("exit status 1"))), 4},
		{"cancelled inside a compile", Wrap(Compile, fmt.Errorf("go build: %w", context.Canceled)), 130},
		{"cancelled beside a compile", errors.Join(Wrap(Compile, errors.New("syntax")), fmt.Errorf("linux/arm64: %w", context.Canceled)), 130},
		// A joined error: the first error, in order, with a kind decides.
		{"joined", errors.Join(Wrap(Compile, errors.New("syntax")), Wrap(Fetch, errors.New("no route"))), 5},
		{"joined, first unclassified", errors.Join(errors.New("boom"), Wrap(Fetch, errors.New("no route"))), 4},
		{"joined, nested", errors.Join(fmt.Errorf("linux: %w", Wrap(Compile, New(Mismatch, "edited"))), New(Config, "bad")), 3},
		{"joined inside a kind", Wrap(Fetch, errors.Join(errors.New("a"), New(Mismatch, "b"))), 3},
		{"joined, none classified", errors.Join(errors.New("a"), errors.New("b")), 1},
		{"wrapped twice with %w", fmt.Errorf("x: %w and %w", errors.New("a"), New(Config, "b")), 2},
		// The environment is exit 1 whatever wraps it.
		{"disk full inside a config error", Wrap(Config, fmt.Errorf("copying: %w", &os.PathError{Op: "write", Path: "/x", Err: syscall.ENOSPC})), 1},
		{"read-only inside a compile", Wrap(Compile, &os.PathError{Op: "open", Path: "/x", Err: syscall.EROFS}), 1},
		{"quota inside a fetch", Wrap(Fetch, &os.PathError{Op: "write", Path: "/x", Err: syscall.EDQUOT}), 1},
		{"EnvError inside a compile", Wrap(Compile, &EnvError{Var: "GOCACHE", Path: "/c", Err: errors.New("mkdir /c: not a directory")}), 1},
		{"interrupted beats the environment", errors.Join(&EnvError{Path: "/x", Err: syscall.ENOSPC}, context.Canceled), 130},
		{"permission denied is not the environment by itself", Wrap(Config, &os.PathError{Op: "open", Path: "/x", Err: syscall.EACCES}), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Code(tt.err); got != tt.want {
				t.Errorf("Code(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
	if Wrap(Config, nil) != nil {
		t.Error("Wrap(Config, nil) != nil")
	}
}

func TestEnvError(t *testing.T) {
	e := &EnvError{Var: "GOCACHE", Path: "/c", Err: errors.New("mkdir /c: not a directory")}
	if got, want := e.Error(), "GOCACHE /c cannot be used: mkdir /c: not a directory (set GOCACHE to a writable directory with free space)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e = &EnvError{Path: "dist/app", Err: syscall.ENOSPC}
	if got, want := e.Error(), "cannot write dist/app: no space left on device"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
