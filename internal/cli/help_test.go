package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestHelp checks that every command's help has a description, examples and
// the exit codes it can return.
func TestHelp(t *testing.T) {
	g := &globals{ios: &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}}
	root := NewRoot(g)
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Name() == "completion" || sub.Name() == "help" || sub.Hidden {
				continue
			}
			t.Run(sub.CommandPath(), func(t *testing.T) {
				if sub.Long == "" {
					t.Error("no description (Long)")
				}
				if sub.Example == "" {
					t.Error("no examples")
				}
				if !strings.Contains(sub.Long, "Exit codes:\n  0    success\n  1    unexpected failure") ||
					!strings.Contains(sub.Long, "\n  130  interrupted") {
					t.Errorf("no exit codes in its help:\n%s", sub.Long)
				}
			})
			walk(sub)
		}
	}
	walk(root)
}

// TestHelpExitCodes checks the section as plugctl build --help prints it.
func TestHelpExitCodes(t *testing.T) {
	var out bytes.Buffer
	g := &globals{ios: &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &bytes.Buffer{}}}
	if code := Run(context.Background(), g.ios, []string{"build", "--help"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := `Exit codes:
  0    success
  1    unexpected failure, the environment's included (disk full, unwritable paths)
  2    bad config, manifest or command line
  3    lock, integrity or signature mismatch
  4    fetch or network failure
  5    the Go compile failed
  6    a policy check failed (the config's or the site's policy, or a vulnerability the audit found)
  130  interrupted (Ctrl-C): child go and git processes stopped, nothing half-written

Usage:`
	if !strings.Contains(out.String(), want) {
		t.Errorf("plugctl build --help:\n%s\nwant it to hold:\n%s", out.String(), want)
	}
}
