//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/plugctl/plugctl/internal/build"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/platform"
)

// editLoop measures (g): the loop of a plug's author — change the body of a
// function of a local plug, rebuild — against a plain go build of the
// generated module after the same kind of change. Each command of a pair
// meets a change of its own, so both compile the plug's package again and
// link; plugctl's lock stays as it is and go mod tidy does not run.
func (b *bench) editLoop(n int) error {
	gen := filepath.Join(b.proj, ".plugctl", "gen")
	src := filepath.Join(b.proj, "examples", "plugins", "greeter", "greeter.go")
	orig, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	defer os.WriteFile(src, orig, 0o644)
	const body = `g.Text = s.Greeting + ", " + g.Text`
	if !strings.Contains(string(orig), body) {
		return fmt.Errorf("%s no longer holds %q: the bench's edit needs another line", src, body)
	}
	edits := 0
	edit := func() error {
		edits++
		changed := strings.Replace(string(orig), body, fmt.Sprintf(`g.Text = s.Greeting + ", " + g.Text + %q`, strings.Repeat(" ", edits%7)+fmt.Sprint(edits)), 1)
		return os.WriteFile(src, []byte(changed), 0o644)
	}
	lockPath := filepath.Join(b.proj, "plugconfig.lock")
	if _, err := b.cmd(b.proj, nil, b.plugctl, "build", "-q"); err != nil {
		return err
	}
	lockBefore, err := os.ReadFile(lockPath)
	if err != nil {
		return err
	}
	host := platform.Target{OS: runtime.GOOS, Arch: runtime.GOARCH}
	opts := build.Options{}
	plainOut := filepath.Join(b.tmp, "plain-edit", "hello")
	flags, err := build.Flags(opts)
	if err != nil {
		return err
	}
	plainArgs := append(append([]string{"build"}, flags...), "-o", plainOut, ".")
	plainEnv := envOverride(b.env, gotool.Env(build.Env(opts, host)))
	var ptimes, ftimes, pcpu, fcpu []time.Duration
	var ratios, cpuRatios []float64
	for i := range n {
		b.logf("(g) run %d/%d", i+1, n)
		var pd, fd, pc, fc time.Duration
		plainRun := func() error {
			if err := edit(); err != nil {
				return err
			}
			os.Remove(plainOut)
			d, err := b.cmdEnv(gen, plainEnv, "go", plainArgs...)
			pd, pc = d, b.lastCPU
			return err
		}
		plugRun := func() error {
			if err := edit(); err != nil {
				return err
			}
			d, err := b.cmd(b.proj, nil, b.plugctl, "build", "-q")
			fd, fc = d, b.lastCPU
			return err
		}
		first, second := plainRun, plugRun
		if i%2 == 1 {
			first, second = plugRun, plainRun
		}
		if err := first(); err != nil {
			return err
		}
		if err := second(); err != nil {
			return err
		}
		ptimes, ftimes = append(ptimes, pd), append(ftimes, fd)
		pcpu, fcpu = append(pcpu, pc), append(fcpu, fc)
		ratios = append(ratios, float64(fd)/float64(pd))
		cpuRatios = append(cpuRatios, float64(fc)/float64(pc))
	}
	// What the loop must not do: run go mod tidy, or change the lock.
	if err := edit(); err != nil {
		return err
	}
	out, err := b.output(b.proj, b.plugctl, "-v", "build")
	if err != nil {
		return err
	}
	if strings.Contains(out, "go mod tidy") {
		return fmt.Errorf("a rebuild after an edit of a function's body ran go mod tidy:\n%s", out)
	}
	if now, err := os.ReadFile(lockPath); err != nil || string(now) != string(lockBefore) {
		return fmt.Errorf("an edit of a function's body changed plugconfig.lock: %v", err)
	}
	plain, force := median(ptimes), median(ftimes)
	ratio := float64(force) / float64(plain)
	fmt.Fprintf(&b.md, "## (g) edit loop: a local plug's code changed, then rebuilt\n\n")
	fmt.Fprintf(&b.md, "Before each command, the body of a function of the local plug `greeter` changes (`examples/plugins/greeter/greeter.go`, a string it appends), so both compile that package again and link.\n\n")
	fmt.Fprintf(&b.md, "| command | median | runs |\n|---|---|---|\n")
	fmt.Fprintf(&b.md, "| `go %s` (in `.plugctl/gen`, as in (a); output removed before each run) | %s | %s |\n", strings.Join(redactTmp(plainArgs, b.tmp), " "), ms(plain), list(ptimes))
	fmt.Fprintf(&b.md, "| `plugctl build -q` | %s | %s |\n\n", ms(force), list(ftimes))
	fmt.Fprintf(&b.md, "Ratio of the medians, plugctl / go build: **%.3f×** (target ≤ 1.1×: %s); the median of the per-pair ratios %.3f×, the ratio of the fastest runs %.3f×. plugctl hashes the local sources (the artifact's inputs), finds the build module's shape unchanged (its go.mod and imports: `go mod tidy` does not run, checked with `-v`), compiles, and writes the `.sha256`, SBOM and record files; `plugconfig.lock` holds the plug's path, not its content, and is left as it was (checked).\n\n",
		ratio, b.verdict(ratio <= 1.1, "(g) edit loop ≤ 1.1×"), medianFloat(ratios), float64(slices.Min(ftimes))/float64(slices.Min(ptimes)))
	fmt.Fprintf(&b.md, "CPU time (user + system, children included): go build median %s (%s), plugctl median %s (%s); the median of the per-pair ratios **%.3f×**.\n\n", ms(median(pcpu)), list(pcpu), ms(median(fcpu)), list(fcpu), medianFloat(cpuRatios))
	return nil
}

// output runs name args in dir with the bench's environment and returns
// what it printed, stdout and stderr together.
func (b *bench) output(dir, name string, args ...string) (string, error) {
	c := exec.Command(name, args...)
	c.Dir, c.Env = dir, b.env
	out, err := c.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}
