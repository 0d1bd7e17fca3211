//go:build unix

package app

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// TestServeSignal runs serve as a built program and ends it with SIGINT or
// SIGTERM once it has greeted someone: it stops its plugs and exits 0.
func TestServeSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "serve")
			cmd.Env = append(os.Environ(), "EXAMPLE_CORE_MAIN=closer")
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(out)
			io.WriteString(stdin, "Gopher\n")
			// The greeting says the program runs, its signal handler set.
			if line, err := r.ReadString('\n'); line != "Hello, Gopher!\n" {
				cmd.Process.Kill()
				t.Fatalf("first line %q, %v", line, err)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			rest, _ := io.ReadAll(r)
			if err := cmd.Wait(); err != nil {
				t.Errorf("exit: %v", err)
			}
			if string(rest) != "closer: stopped\n" {
				t.Errorf("after the signal: %q, want the plug to stop", rest)
			}
		})
	}
}
