package cli_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/plugctl/plugctl/internal/testenv"
)

// These tests drive plugctl in a real pseudo-terminal, a tmux pane, and read
// the screen back: what a person sees, live display and colours included.
// They are skipped where tmux is not installed (.ci/run installs it).

// term is one tmux server on a private socket, its pane running sh in a
// fresh project directory.
type term struct {
	t       *testing.T
	sock    string
	dir     string // the project directory
	raw     string // every byte written to the pane, recorded by pipe-pane
	plugctl string
	runs    int // command lines typed, numbering their exit markers
}

// buildPlugctl compiles plugctl for a terminal test (a link, mostly: the
// build cache has the rest).
func buildPlugctl(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "plugctl")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/plugctl")
	cmd.Dir = testenv.RepoRoot(t)
	cmd.Env = append(os.Environ(), "GOFLAGS=", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building plugctl: %v\n%s", err, b)
	}
	return out
}

func newTerm(t *testing.T, extraEnv ...string) *term {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	if testing.Short() {
		t.Skip("drives a terminal and compiles; skipped with -short")
	}
	repo := testenv.RepoRoot(t)
	tmp := t.TempDir()
	tt := &term{t: t, sock: filepath.Join(tmp, "tmux.sock"), dir: filepath.Join(tmp, "project"), raw: filepath.Join(tmp, "raw.log"), plugctl: buildPlugctl(t)}
	home := filepath.Join(tmp, "home")
	for _, d := range []string{tt.dir, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"examples", "plug"} {
		if err := os.Symlink(filepath.Join(repo, name), filepath.Join(tt.dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	// A hermetic environment, as the scripts have: no network, an empty
	// module cache, the shared build cache.
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TERM=xterm-256color", "LANG=C.UTF-8",
		"GOCACHE=" + testenv.GoCache(t), "GOMODCACHE=" + testenv.ModCache(t), "GOPATH=" + filepath.Join(home, "go"),
		"GOPROXY=off", "GOSUMDB=off", "GOTOOLCHAIN=local", "GOFLAGS=", "PS1=$ ",
	}
	env = append(env, extraEnv...)
	cmd := exec.Command("tmux", "-S", tt.sock, "-f", "/dev/null", "new-session", "-d", "-x", "110", "-y", "50", "-c", tt.dir, "sh")
	cmd.Env = env
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("starting tmux: %v\n%s", err, b)
	}
	t.Cleanup(func() {
		// Only this test's server, by its own socket.
		exec.Command("tmux", "-S", tt.sock, "kill-server").Run()
	})
	tt.tmux("pipe-pane", "-o", "cat >> "+tt.raw)
	return tt
}

func (tt *term) tmux(args ...string) string {
	tt.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tt.sock}, args...)...).CombinedOutput()
	if err != nil {
		tt.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// screen returns the pane's text; with escapes, its colour codes too.
func (tt *term) screen(escapes bool) string {
	args := []string{"capture-pane", "-p", "-J"}
	if escapes {
		args = append(args, "-e")
	}
	return tt.tmux(args...)
}

// run types a command line into the pane and waits for it to finish,
// returning its exit code.
func (tt *term) run(line string) int {
	tt.t.Helper()
	tt.type_(line)
	return tt.waitExit()
}

// type_ types a command line that reports its exit status when it ends.
func (tt *term) type_(line string) {
	tt.t.Helper()
	tt.runs++
	tt.tmux("send-keys", "-t", "0", "-l", fmt.Sprintf("%s; echo EXIT%d=$?", line, tt.runs))
	tt.tmux("send-keys", "-t", "0", "Enter")
}

// waitExit waits for the last command typed to end and returns its code.
func (tt *term) waitExit() int {
	tt.t.Helper()
	marker := fmt.Sprintf("EXIT%d=", tt.runs)
	// The marker is also on the typed command line: look for it at the
	// start of a line of output.
	s := tt.waitFor("\n" + marker)
	var code int
	fmt.Sscanf(s[strings.LastIndex(s, marker)+len(marker):], "%d", &code)
	return code
}

// waitFor waits until the screen shows want, and returns the screen.
func (tt *term) waitFor(want string) string {
	tt.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		s := tt.screen(false)
		if strings.Contains(s, want) {
			return s
		}
		if time.Now().After(deadline) {
			tt.t.Fatalf("timed out waiting for %q; screen:\n%s", want, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lines returns the screen's non-empty lines, trailing blanks trimmed.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, " "); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// example writes the repository's example config as the project's
// plugconfig.yaml (its examples and plug directories are linked in).
func (tt *term) example() {
	tt.t.Helper()
	example, err := os.ReadFile(filepath.Join(testenv.RepoRoot(tt.t), "plugconfig.example.yaml"))
	if err != nil {
		tt.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tt.dir, "plugconfig.yaml"), example, 0o644); err != nil {
		tt.t.Fatal(err)
	}
}

const spinnerFrames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

func TestTerminalBuild(t *testing.T) {
	tt := newTerm(t)
	tt.example()
	if code := tt.run(tt.plugctl + " build --force"); code != 0 {
		t.Fatalf("build exited %d:\n%s", code, tt.screen(false))
	}
	screen := lines(tt.screen(false))
	host := runtime.GOOS + "/" + runtime.GOARCH
	// Every step ends as a line with a mark and its duration, in order.
	var steps []string
	for _, l := range screen {
		if strings.HasPrefix(l, "✓ ") || strings.HasPrefix(l, "✗ ") {
			steps = append(steps, strings.Fields(l)[1])
		}
	}
	if strings.Join(steps, " ") != "load resolve fetch generate compile" {
		t.Errorf("finished steps %q, want load resolve fetch generate compile\n%s", steps, strings.Join(screen, "\n"))
	}
	for _, l := range screen {
		if strings.HasPrefix(l, "✓ compile") && !strings.Contains(l, "1 target") {
			t.Errorf("compile line without its count: %q", l)
		}
	}
	// A finished step shows its count once, in what it counted: fetch
	// brought directories (it showed "3 directories 3 sources").
	const took = `(<1ms|[0-9.]+m?s)`
	for _, line := range []string{`✓ resolve +2 plugs ` + took, `✓ fetch +3 directories ` + took} {
		if !regexp.MustCompile(`(?m)^` + line + `$`).MatchString(strings.Join(screen, "\n")) {
			t.Errorf("no line %s, its count once:\n%s", line, strings.Join(screen, "\n"))
		}
	}
	// The table ends the output, and nothing of the live line is left.
	last := ""
	for i, l := range screen {
		if strings.HasPrefix(l, "EXIT1=") {
			last = screen[i-1]
		}
	}
	if !strings.HasPrefix(last, "╰") {
		t.Errorf("the last line before the prompt is %q, want the table's bottom border\n%s", last, strings.Join(screen, "\n"))
	}
	text := strings.Join(screen, "\n")
	for _, want := range []string{"│ artifact", "│ target", "│ size", "│ sha256", "│ time", "│ dist/hello ", "│ " + host + " "} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q\n%s", want, text)
		}
	}
	if strings.ContainsAny(text, spinnerFrames) {
		t.Errorf("a spinner frame is left on screen\n%s", text)
	}
	// The table replaced the tab-separated lines meant for pipes.
	if strings.Contains(text, "sha256:") {
		t.Errorf("stdout lines for pipes printed to a terminal\n%s", text)
	}
	// The live line was drawn, then erased in place.
	raw, err := os.ReadFile(tt.raw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.ContainsAny(string(raw), spinnerFrames) || !strings.Contains(string(raw), "\r\x1b[2K") {
		t.Errorf("no live line was drawn: %q", raw)
	}
	// Colours are on without NO_COLOR.
	if !strings.Contains(tt.screen(true), "\x1b[") {
		t.Errorf("no colours on a terminal")
	}

	// A rebuild with nothing changed reuses the artifact and says so.
	if code := tt.run(tt.plugctl + " build"); code != 0 {
		t.Fatalf("build exited %d:\n%s", code, tt.screen(false))
	}
	text = strings.Join(lines(tt.screen(false)), "\n")
	if !strings.Contains(text, "reused dist/hello (nothing changed)") || !strings.Contains(text, "cached") {
		t.Errorf("no reuse shown\n%s", text)
	}
}

// TestTerminalCounts: a finished step shows its counts once, the packages
// compiled beside the targets; a failed one shows how far it got.
func TestTerminalCounts(t *testing.T) {
	tt := newTerm(t)
	tt.example()
	// A plug of this test's own, its content new to the build cache: it
	// and the main package compile.
	plug := filepath.Join(tt.dir, "fresh")
	if err := os.MkdirAll(plug, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(plug, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/fresh\n\ngo 1.22\n")
	write("fresh.go", fmt.Sprintf("package fresh\n\n// Where is unique to this test run: %q.\nconst Where = %q\n", tt.dir, tt.dir))
	cfg, err := os.ReadFile(filepath.Join(tt.dir, "plugconfig.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg = []byte(strings.Replace(string(cfg), "\nplugins:\n", "\nplugins:\n  - name: fresh\n    source: ./fresh\n", 1))
	if err := os.WriteFile(filepath.Join(tt.dir, "plugconfig.yaml"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	if code := tt.run(tt.plugctl + " build"); code != 0 {
		t.Fatalf("build exited %d:\n%s", code, tt.screen(false))
	}
	screen := lines(tt.screen(false))
	text := strings.Join(screen, "\n")
	const took = `(<1ms|[0-9.]+m?s)`
	if !regexp.MustCompile(`(?m)^✓ compile +\S+ 1 target, [1-9][0-9]* packages? ` + took + `$`).MatchString(text) {
		t.Errorf("compile's line lacks the targets and packages compiled:\n%s", text)
	}
	// A compile error: the step is not shown complete.
	write("fresh.go", "package fresh\n\nvar x = nosuchthing\n")
	if code := tt.run(tt.plugctl + " build"); code != 5 {
		t.Fatalf("build exited %d, want 5:\n%s", code, tt.screen(false))
	}
	text = strings.Join(lines(tt.screen(false)), "\n")
	if !regexp.MustCompile(`(?m)^✗ compile +\S+ 0/1 target( ` + took + `|, )`).MatchString(text) {
		t.Errorf("the failed compile's line:\n%s", text)
	}
	if !strings.Contains(text, "fresh/fresh.go:3:9: undefined: nosuchthing") {
		t.Errorf("the error is not at the plug's own file:\n%s", text)
	}
}

// TestTerminalInterrupt presses Ctrl-C while a build runs: plugctl stops
// with exit 130, says so, and leaves no live line behind.
func TestTerminalInterrupt(t *testing.T) {
	tt := newTerm(t)
	tt.example()
	// The build may finish before the keys arrive on a fast machine: try
	// a few times.
	for attempt := 0; attempt < 3; attempt++ {
		tt.type_(tt.plugctl + " build --force")
		deadline := time.Now().Add(time.Minute)
		for !strings.ContainsAny(lastLine(tt.screen(false)), spinnerFrames) {
			if time.Now().After(deadline) {
				t.Fatalf("no live line appeared:\n%s", tt.screen(false))
			}
			time.Sleep(10 * time.Millisecond)
		}
		tt.tmux("send-keys", "-t", "0", "C-c")
		code := tt.waitExit()
		if code == 0 {
			continue
		}
		if code != 130 {
			t.Fatalf("interrupted build exited %d, want 130:\n%s", code, tt.screen(false))
		}
		text := strings.Join(lines(tt.screen(false)), "\n")
		if !strings.Contains(text, "plugctl: interrupted") {
			t.Errorf("no word of the interruption:\n%s", text)
		}
		if strings.ContainsAny(text, spinnerFrames) {
			t.Errorf("a spinner frame is left on screen:\n%s", text)
		}
		return
	}
	t.Skip("the build finished before Ctrl-C arrived, three times")
}

// lastLine is the last non-empty line of a screen.
func lastLine(s string) string {
	l := lines(s)
	if len(l) == 0 {
		return ""
	}
	return l[len(l)-1]
}

func TestTerminalNoColor(t *testing.T) {
	tt := newTerm(t, "NO_COLOR=1")
	if code := tt.run(tt.plugctl + " validate -f " + filepath.Join(testenv.RepoRoot(t), "plugconfig.example.yaml")); code != 0 {
		t.Fatalf("validate exited %d:\n%s", code, tt.screen(false))
	}
	screen := tt.screen(true)
	if strings.Contains(screen, "\x1b[") {
		t.Errorf("colour codes with NO_COLOR:\n%q", screen)
	}
	text := strings.Join(lines(tt.screen(false)), "\n")
	for _, want := range []string{"✓ load", "✓ resolve", "plugconfig.example.yaml: ok"} {
		if !strings.Contains(text, want) {
			t.Errorf("screen lacks %q\n%s", want, text)
		}
	}
}

// TestTerminalInitAsks answers plugctl init's questions at a terminal, then
// validates and builds what it wrote. A wrong answer is refused as it is
// given and the question asked again; the local core's go.mod and sources
// offer the package with its entry function; the SDK it requires, which
// GOPROXY=off cannot provide, is asked for, offering the clone's plug/.
func TestTerminalInitAsks(t *testing.T) {
	tt := newTerm(t)
	tt.type_(tt.plugctl + " init")
	answer := func(question, text string) {
		tt.waitFor(question)
		tt.tmux("send-keys", "-t", "0", "-l", text)
		tt.tmux("send-keys", "-t", "0", "Enter")
	}
	answer("Name of the binary [project]:", "Hello World")
	tt.waitFor(`invalid name "Hello World"`)
	answer("Name of the binary [project]:", "hello")
	answer("Core program:", "./examples/core")
	tt.waitFor("./examples/core is module github.com/plugctl/plugctl/examples/core")
	answer("Package with the entry function [github.com/plugctl/plugctl/examples/core/app]:", "")
	answer("Entry function [Main]:", "Start")
	tt.waitFor("package github.com/plugctl/plugctl/examples/core/app declares no function Start")
	answer("Entry function [Main]:", "")
	answer("Add a plug:", "./examples/plugins/greeter")
	tt.waitFor("./examples/plugins/greeter\n")
	answer("Add a plug:", "")
	tt.waitFor("which the module proxy does not serve")
	answer("Local copy of the SDK [./plug]:", "")
	if code := tt.waitExit(); code != 0 {
		t.Fatalf("init exited %d:\n%s", code, tt.screen(false))
	}
	config, err := os.ReadFile(filepath.Join(tt.dir, "plugconfig.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\n  source: ./examples/core\n", "\n  main: github.com/plugctl/plugctl/examples/core/app\n",
		"\n    source: ./examples/plugins/greeter\n", "\n  github.com/plugctl/plugctl/plug: ./plug\n"} {
		if !strings.Contains(string(config), want) {
			t.Errorf("config lacks %q:\n%s", want, config)
		}
	}
	if code := tt.run(tt.plugctl + " build -q && ./dist/hello greet World"); code != 0 {
		t.Fatalf("build of the answers exited %d:\n%s", code, tt.screen(false))
	}
	tt.waitFor("Hello, World")
}

// TestTerminalInitInterrupt presses Ctrl-C, then Ctrl-D, at init's first
// question: each ends init at once with exit 130 and writes nothing, and
// what is typed next goes to the shell, not to init.
func TestTerminalInitInterrupt(t *testing.T) {
	tt := newTerm(t)
	for _, key := range []string{"C-c", "C-d"} {
		tt.type_(tt.plugctl + " init")
		tt.waitFor("Name of the binary [project]:")
		tt.tmux("send-keys", "-t", "0", key)
		if code := tt.waitExit(); code != 130 {
			t.Fatalf("init after %s exited %d, want 130:\n%s", key, code, tt.screen(false))
		}
		if _, err := os.Stat(filepath.Join(tt.dir, "plugconfig.yaml")); !os.IsNotExist(err) {
			t.Fatalf("init after %s wrote a config: %v", key, err)
		}
		if code := tt.run("echo typed-to-the-shell"); code != 0 {
			t.Fatalf("the shell did not run the next command:\n%s", tt.screen(false))
		}
		tt.waitFor("\ntyped-to-the-shell")
	}
	text := strings.Join(lines(tt.screen(false)), "\n")
	for _, want := range []string{"plugctl: interrupted", "plugctl: no answer: input ended"} {
		if !strings.Contains(text, want) {
			t.Errorf("screen lacks %q:\n%s", want, text)
		}
	}
}

// TestTerminalInspect checks plugctl inspect at a terminal: the plugs' and
// the modules' columns aligned, digests shortened.
func TestTerminalInspect(t *testing.T) {
	tt := newTerm(t)
	tt.example()
	if code := tt.run(tt.plugctl + " build -q >/dev/null && clear && " + tt.plugctl + " inspect dist/hello"); code != 0 {
		t.Fatalf("build and inspect exited %d:\n%s", code, tt.screen(false))
	}
	screen := lines(tt.screen(false))
	want := []string{
		`binary   dist/hello`,
		`name     hello`,
		`core     github.com/plugctl/plugctl/examples/core v0.0.0 \(local\)`,
		`target   ` + runtime.GOOS + "/" + runtime.GOARCH,
		`go       go1\.\S+`,
		`plugs    2`,
		`  (greeter|stamp)  +github.com/plugctl/plugctl/examples/plugins/(greeter|stamp)  +v0.0.0  \(local\)  settings sha256:[0-9a-f]{12}…`,
		`  (greeter|stamp)  +github.com/plugctl/plugctl/examples/plugins/(greeter|stamp)  +v0.0.0  \(local\)  settings sha256:[0-9a-f]{12}…`,
		`settings`,
	}
	for i, w := range want {
		if i >= len(screen) || !regexp.MustCompile(`^`+w+`$`).MatchString(screen[i]) {
			t.Fatalf("line %d is not %q:\n%s", i+1, w, strings.Join(screen, "\n"))
		}
	}
	// The columns line up: each starts at the same place on every row.
	for _, rows := range [][]string{screen[6:8], modulesOf(screen)} {
		for _, col := range []string{"github.com/", "v0.0.0"} {
			at := strings.Index(rows[0], col)
			for _, r := range rows[1:] {
				if strings.Index(r, col) != at {
					t.Errorf("column %q not aligned:\n%s", col, strings.Join(rows, "\n"))
				}
			}
		}
	}
}

// modulesOf returns the module rows of inspect's output.
func modulesOf(screen []string) []string {
	for i, l := range screen {
		if strings.HasPrefix(l, "modules  ") {
			var out []string
			for _, r := range screen[i+1:] {
				if !strings.HasPrefix(r, "  ") {
					break
				}
				out = append(out, r)
			}
			return out
		}
	}
	return nil
}
