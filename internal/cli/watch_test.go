//go:build unix

package cli_test

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plugctl/plugctl/internal/testenv"
)

// TestRunWatch runs plugctl run --watch on the example with a copy of its
// greeter plug, edits the plug's source and sees the rebuilt program's new
// output; Ctrl-C (SIGINT) then ends it with exit 130.
func TestRunWatch(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the example twice; skipped with -short")
	}
	repo := testenv.RepoRoot(t)
	plugctl := buildPlugctl(t)
	dir := t.TempDir()
	home := filepath.Join(dir, ".home")
	for _, name := range []string{"examples", "plug"} {
		if err := os.Symlink(filepath.Join(repo, name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	greeter := filepath.Join(dir, "greeter")
	if err := os.MkdirAll(greeter, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"go.mod", "greeter.go", "plugin.yaml"} {
		data, err := os.ReadFile(filepath.Join(repo, "examples/plugins/greeter", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(greeter, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	config := `schema: 1
name: hello
core:
  source: ./examples/core
  main: github.com/plugctl/plugctl/examples/core/app
plugins:
  - name: greeter
    source: ./greeter
replace:
  github.com/plugctl/plugctl/plug: ./plug
`
	if err := os.WriteFile(filepath.Join(dir, "plugconfig.yaml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(plugctl, "run", "--watch", "--", "greet", "World")
	cmd.Dir = dir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "GOPATH=" + filepath.Join(home, "go"),
		"GOCACHE=" + testenv.GoCache(t), "GOMODCACHE=" + testenv.ModCache(t),
		"GOPROXY=off", "GOSUMDB=off", "GOTOOLCHAIN=local", "GOFLAGS=", "NO_COLOR=1",
	}
	out := &outputLines{}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	go out.read("out: ", stdout)
	go out.read("err: ", stderr)

	out.waitFor(t, "out: Hello, World")
	out.waitFor(t, "err: watch: watching plugconfig.yaml, examples/core, greeter, plug every 500ms; Ctrl-C stops")

	// The plug's source changes: rebuilt, and the program runs again.
	src := filepath.Join(greeter, "greeter.go")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), `s.Greeting + ", " + g.Text`, `s.Greeting + " there, " + g.Text`, 1)
	if edited == string(data) {
		t.Fatal("the greeter's source has changed: update the edit this test makes")
	}
	if err := os.WriteFile(src, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	out.waitFor(t, "err: watch: changed: greeter/greeter.go")
	out.waitFor(t, "out: Hello there, World")

	// A test file changing is no change to the build.
	if err := os.WriteFile(filepath.Join(greeter, "extra_test.go"), []byte("package greeter\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("plugctl run --watch after SIGINT: %v, want exit 130\n%s", err, out.String())
	}
	if n := strings.Count(out.String(), "out: Hello"); n != 2 {
		t.Errorf("the program ran %d times, want 2 (once, then once after the edit):\n%s", n, out.String())
	}
}

// outputLines collects the lines of a process's outputs as they come.
type outputLines struct {
	mu  sync.Mutex
	all []string
}

func (l *outputLines) read(prefix string, r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		l.mu.Lock()
		l.all = append(l.all, prefix+sc.Text())
		l.mu.Unlock()
	}
}

func (l *outputLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.all, "\n")
}

// waitFor waits until a line is want.
func (l *outputLines) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		for _, s := range l.all {
			if s == want {
				l.mu.Unlock()
				return
			}
		}
		l.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no line %q in:\n%s", want, l.String())
}
