package run

import (
	"context"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/report"
)

func TestSanitize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text\n\twith a tab", "plain text\n\twith a tab"},
		{"remote error: \x1b]0;pwned\a\x1b[2J", `remote error: \x1b]0;pwned\x07\x1b[2J`},
		{"carriage\rreturn", `carriage\x0dreturn`},
		{"\u202eevil\u2066", `\u202eevil\u2066`},
		{"caf\xe9 \u0085", `caf\xe9 \u0085`},
		{"日本語 ok", "日本語 ok"},
	}
	for _, tt := range tests {
		if got := Sanitize(tt.in); got != tt.want {
			t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestOutputStderrHostile runs a process that prints terminal escapes, a
// credential and far more than MaxStderr to stderr: its error keeps the
// start, escaped and redacted, and says how much it left out.
func TestOutputStderrHostile(t *testing.T) {
	script := `{ printf 'fatal: remote error: \033]0;pwned\007 https://u:SECRET@h/x\n'; head -c 10000000 /dev/zero | tr '\0' 'a'; } >&2; exit 3`
	_, err := Output(context.Background(), report.Discard, Cmd{Args: []string{"sh", "-c", script}})
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %T %v, want *Error", err, err)
	}
	if !strings.HasPrefix(e.Stderr, `fatal: remote error: \x1b]0;pwned\x07 https://REDACTED@h/x`) {
		t.Errorf("stderr starts %q", e.Stderr[:min(80, len(e.Stderr))])
	}
	if strings.Contains(e.Stderr, "SECRET") || strings.ContainsRune(e.Stderr, 0x1b) {
		t.Error("stderr holds the secret or an escape character")
	}
	if len(e.Stderr) > MaxStderr+100 || !strings.HasSuffix(e.Stderr, " more bytes)") {
		t.Errorf("stderr is %d bytes, ending %q", len(e.Stderr), e.Stderr[max(0, len(e.Stderr)-40):])
	}
}
