package fail

import (
	"context"
	"errors"
	"fmt"
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
