//go:build linux

package main

import (
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/plugctl/plugctl/internal/files"
)

// The real-world bench (make bench-real): Caddy with three plugs — a local
// directory, a git repository the bench makes, and a module from the proxy —
// built by plugctl, by a plain go build of plugctl's own generated module
// (the floor) and by a pinned xcaddy, commands alternated in one run. It
// needs the module proxy (the user's GOPROXY) and writes its section of
// BENCHMARKS.md between realBegin and realEnd, leaving the rest as it is.
const (
	realBegin = "<!-- bench-real: written by make bench-real; make bench keeps it -->"
	realEnd   = "<!-- /bench-real -->"

	// xcaddyVersion is the xcaddy the bench installs with go install.
	xcaddyVersion = "v0.4.5"
	// l4Module at l4Version is the proxy plug: a version that builds with
	// the Caddy of examples/real (it requires v2.11.4).
	l4Module  = "github.com/mholt/caddy-l4"
	l4Version = "v0.1.2"
)

// realBench holds the state of one bench-real run.
type realBench struct {
	*bench
	caddy    string // Caddy's version, from examples/real/caddy.yaml
	xcaddy   string // the installed xcaddy
	gitplug  string // the git plug's repository
	gen      string // plugctl's generated module
	realGo   string // the go command on PATH
	realGit  string // the git command on PATH
	wrapDir  string // a directory whose "go" logs each go command and runs realGo
	goLog    string // where it logs
	floorOut string
	xOut     string
	goEnv    []string // the go command's environment knobs plugctl used for go build
	goBuild  []string // plugctl's go build arguments, -o dropped
	sizes    map[string]int64

	floorMedian, xMedian time.Duration // warm forced builds
	lockHWM              int64         // KiB, plugctl lock's own peak
	inspectRead          int64         // bytes plugctl inspect read
}

// goCall is one go or git command the wrapper ran for plugctl.
type goCall struct {
	Tool  string            `json:"tool"` // go or git
	Args  []string          `json:"args"`
	Env   map[string]string `json:"env"`
	Start int64             `json:"start"` // Unix nanoseconds
	End   int64             `json:"end"`
	// CPU is the user and system time of the command, its children and
	// the wrapper itself, in nanoseconds: what plugctl's own CPU time is
	// the rest of.
	CPU int64 `json:"cpu"`
}

// wrapEnv is the environment variable that makes the bench binary, when
// invoked as "go" or "git", log the command to its value and run
// BENCH_REAL_GO or BENCH_REAL_GIT.
const wrapEnv = "BENCH_GO_LOG"

// goWrapper runs the real go or git command (tool) with this process's
// arguments and logs when it started and ended: plugctl's own time around
// its go and git commands is the rest.
func goWrapper(tool string) int {
	start := time.Now()
	c := exec.Command(os.Getenv("BENCH_REAL_"+strings.ToUpper(tool)), os.Args[1:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := c.Run()
	end := time.Now()
	env := map[string]string{}
	for _, k := range []string{"CGO_ENABLED", "GOOS", "GOARCH", "GOAMD64", "GOARM", "GOFLAGS"} {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	var cpu time.Duration
	if c.ProcessState != nil {
		cpu = c.ProcessState.UserTime() + c.ProcessState.SystemTime()
	}
	var self syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &self) == nil {
		cpu += time.Duration(self.Utime.Nano() + self.Stime.Nano())
	}
	line, _ := json.Marshal(goCall{Tool: tool, Args: os.Args[1:], Env: env, Start: start.UnixNano(), End: end.UnixNano(), CPU: int64(cpu)})
	if f, ferr := os.OpenFile(os.Getenv(wrapEnv), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); ferr == nil {
		f.Write(append(line, '\n'))
		f.Close()
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench wrapper:", err)
		return 1
	}
	return 0
}

// realSections are the sections of the real-world bench, in the order it
// runs them; -real-only picks some: "forced" is plugctl's own work around
// the compile of a forced build, "noop" the no-op build.
var realSections = []string{"forced", "warm", "noop", "edit", "lock", "memory", "cold"}

// runReal runs the real-world bench and writes its section of out; with
// only (comma-separated section names) it runs those alone and prints them,
// leaving out as it is: a quick rerun of part of it. With keep the
// temporary directory stays.
func runReal(out string, n, coldRuns int, only string, keep bool) error {
	b := &bench{}
	var err error
	if b.repo, err = repoRoot(); err != nil {
		return err
	}
	picked := map[string]bool{}
	for _, s := range strings.Split(only, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !slices.Contains(realSections, s) {
			return fmt.Errorf("-real-only: unknown section %q (valid: %s)", s, strings.Join(realSections, ", "))
		}
		picked[s] = true
	}
	if picked["warm"] || picked["edit"] || picked["cold"] {
		picked["forced"] = true // it learns the go build the floor runs
	}
	run := func(s string) bool { return len(picked) == 0 || picked[s] }
	if b.tmp, err = os.MkdirTemp("", "plugctl-bench-real-"); err != nil {
		return err
	}
	if keep {
		defer b.logf("kept %s (the project: %s)", b.tmp, filepath.Join(b.tmp, "proj"))
	} else {
		defer removeAll(b.tmp)
	}
	// The user's GOPROXY, GOSUMDB, module cache and build cache (warm)
	// stay: this bench is about the real world.
	b.env = environ(map[string]string{"GOFLAGS": "", "GOTOOLCHAIN": "local", "GOWORK": "off", "NO_COLOR": "1"})
	r := &realBench{bench: b, sizes: map[string]int64{}}
	if err := r.setup(run("warm")); err != nil {
		return err
	}
	fmt.Fprintf(&b.md, "## Real world: Caddy %s with three plugs, against the floor and xcaddy %s\n\n", r.caddy, xcaddyVersion)
	fmt.Fprintf(&b.md, "Written by `make bench-real` (`go run ./internal/bench -real -n %d -cold-runs %d -o BENCHMARKS.md`, source: `internal/bench/real.go`); it needs the module proxy and is not part of CI. Machine: %s, %d CPUs, %s, **shared with other jobs while it ran**: the absolute times are noisy; the ratios within this run, commands alternated, are what counts. %s\n\n",
		n, coldRuns, runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU(), goVersion(), time.Now().UTC().Format("Run 2006-01-02 15:04 UTC."))
	fmt.Fprintf(&b.md, "Project (`$PROJ`): core `github.com/caddyserver/caddy/v2 %s` (the version `examples/real/caddy.yaml` pins) with the Caddy profile, and three plugs: `local` (`source: ./localplug`, a Caddy module in a directory), `git` (`source: git::file://$TMP/gitplug`, `version: v0.1.0`, a repository the bench makes) and `l4` (`%s %s` from the module proxy). xcaddy builds the same: `xcaddy build %s --output $TMP/xcaddy/caddy --with %s@%s --with example.com/localplug@v0.0.0=$PROJ/localplug --with example.com/gitplug@v0.1.0=$TMP/gitplug` with `CGO_ENABLED=0` (the local and git plugs as replacements at an exact version: `go get` of a replaced module without one asks the proxy for its version list, which the proxy here refuses; xcaddy cannot fetch a git repository itself, so it builds the git plug from its checkout), xcaddy's own defaults giving the same `-tags nobadger,nomysql,nopgx`, `-trimpath` and `-ldflags \"-w -s\"` as the profile (checked below on the binaries). xcaddy is installed by `GOBIN=$TMP/xbin go install github.com/caddyserver/xcaddy/cmd/xcaddy@%s`. Environment: the user's `GOPROXY`, `GOSUMDB`, `GOMODCACHE` and `GOCACHE` (warm unless said), `GOFLAGS=` `GOTOOLCHAIN=local` `GOWORK=off`.\n\n",
		r.caddy, l4Module, l4Version, r.caddy, l4Module, l4Version, xcaddyVersion)
	steps := map[string]func(int) error{"forced": r.overhead, "warm": r.warm, "noop": r.noop, "edit": r.editLoop, "lock": r.lock, "memory": r.memory,
		"cold": func(int) error { return r.cold(coldRuns) }}
	for _, s := range realSections {
		if !run(s) {
			continue
		}
		if err := steps[s](n); err != nil {
			return err
		}
	}
	if len(picked) > 0 {
		os.Stdout.Write(b.md.Bytes())
		return nil
	}
	if len(b.failed) == 0 {
		fmt.Fprintf(&b.md, "### Summary (real world)\n\nEvery target was met.\n")
	} else {
		fmt.Fprintf(&b.md, "### Summary (real world)\n\nTargets not met: %s. Why, and what would meet each, is said under its measurement.\n", strings.Join(b.failed, "; "))
	}
	section := realBegin + "\n" + b.md.String() + realEnd + "\n"
	old, _ := os.ReadFile(out)
	if err := files.WriteFile(out, []byte(spliceReal(string(old), section)), 0o644); err != nil {
		return err
	}
	b.logf("wrote %s", out)
	os.Stdout.WriteString(section)
	return nil
}

// spliceReal puts section in place of doc's real-world section, or at its
// end when it has none.
func spliceReal(doc, section string) string {
	i, j := strings.Index(doc, realBegin), strings.Index(doc, realEnd)
	if i >= 0 && j > i {
		return doc[:i] + section + strings.TrimPrefix(doc[j+len(realEnd):], "\n")
	}
	if doc != "" && !strings.HasSuffix(doc, "\n\n") {
		doc = strings.TrimRight(doc, "\n") + "\n\n"
	}
	return doc + section
}

// realSection returns the real-world section of doc, "" if none.
func realSection(doc string) string {
	i, j := strings.Index(doc, realBegin), strings.Index(doc, realEnd)
	if i < 0 || j < i {
		return ""
	}
	return doc[i:j+len(realEnd)] + "\n"
}

const localPlug = `// Package %[1]s is a Caddy module the bench builds.
package %[1]s

import "github.com/caddyserver/caddy/v2"

func init() { caddy.RegisterModule(Plug{}) }

// Plug does nothing; list-modules shows it.
type Plug struct{}

// CaddyModule returns the module's information.
func (Plug) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "bench.%[1]s", New: func() caddy.Module { return new(Plug) }}
}
`

func (r *realBench) setup(xcaddy bool) error {
	b := r.bench
	data, err := os.ReadFile(filepath.Join(b.repo, "examples", "real", "caddy.yaml"))
	if err != nil {
		return err
	}
	m := regexp.MustCompile(`(?s)core:.*?\n\s+version:\s*(v\S+)`).FindSubmatch(data)
	if m == nil {
		return fmt.Errorf("examples/real/caddy.yaml: no core version")
	}
	r.caddy = string(m[1])
	if r.realGo, err = exec.LookPath("go"); err != nil {
		return err
	}
	if r.realGit, err = exec.LookPath("git"); err != nil {
		return err
	}
	b.logf("building plugctl")
	b.plugctl = filepath.Join(b.tmp, "bin", "plugctl")
	if _, err := b.cmd(b.repo, nil, "go", "build", "-o", b.plugctl, "./cmd/plugctl"); err != nil {
		return err
	}
	if xcaddy {
		b.logf("installing xcaddy %s", xcaddyVersion)
		xbin := filepath.Join(b.tmp, "xbin")
		if _, err := b.cmd(b.repo, map[string]string{"GOBIN": xbin}, "go", "install", "github.com/caddyserver/xcaddy/cmd/xcaddy@"+xcaddyVersion); err != nil {
			return err
		}
		r.xcaddy = filepath.Join(xbin, "xcaddy")
	}
	// The go wrapper: this very program, named go.
	self, err := os.Executable()
	if err != nil {
		return err
	}
	r.wrapDir = filepath.Join(b.tmp, "wrap")
	r.goLog = filepath.Join(b.tmp, "go.log")
	if err := os.MkdirAll(r.wrapDir, 0o755); err != nil {
		return err
	}
	for _, tool := range []string{"go", "git"} {
		if err := copyFile(self, filepath.Join(r.wrapDir, tool), 0o755); err != nil {
			return err
		}
	}

	// The plugs: a directory, and a git repository with a tag.
	b.proj = filepath.Join(b.tmp, "proj")
	mod := "module example.com/%s\n\ngo 1.25\n\nrequire github.com/caddyserver/caddy/v2 " + r.caddy + "\n"
	for _, p := range []struct{ dir, name string }{{filepath.Join(b.proj, "localplug"), "localplug"}, {filepath.Join(b.tmp, "gitplug"), "gitplug"}} {
		if err := os.MkdirAll(p.dir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(p.dir, "go.mod"), []byte(fmt.Sprintf(mod, p.name)), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(p.dir, "plug.go"), []byte(fmt.Sprintf(localPlug, p.name)), 0o644); err != nil {
			return err
		}
	}
	r.gitplug = filepath.Join(b.tmp, "gitplug")
	gitEnv := map[string]string{"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "bench",
		"GIT_COMMITTER_EMAIL": "bench@example.com", "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "."}, {"commit", "-q", "-m", "gitplug"}, {"tag", "v0.1.0"}} {
		if _, err := b.cmd(r.gitplug, gitEnv, "git", args...); err != nil {
			return err
		}
	}
	cfg := fmt.Sprintf(`schema: 1
name: caddy
core:
  module: github.com/caddyserver/caddy/v2
  version: %s
plugins:
  - name: local
    source: ./localplug
  - name: git
    source: git::file://%s
    version: v0.1.0
  - name: l4
    module: %s
    version: %s
`, r.caddy, r.gitplug, l4Module, l4Version)
	if err := os.WriteFile(filepath.Join(b.proj, "plugconfig.yaml"), []byte(cfg), 0o644); err != nil {
		return err
	}
	r.gen = filepath.Join(b.proj, ".plugctl", "gen")
	r.floorOut = filepath.Join(b.tmp, "floor", "caddy")
	r.xOut = filepath.Join(b.tmp, "xcaddy", "caddy")
	b.logf("first build (writes the lock; fetches what the caches lack)")
	if _, err := b.cmd(b.proj, nil, b.plugctl, "build", "-q"); err != nil {
		return err
	}
	return nil
}

// wrapped runs plugctl args in the project, with env added, the logging go
// and git first on PATH, and returns when it started and ended and the go
// and git commands it ran.
func (r *realBench) wrapped(env map[string]string, args ...string) (start, end time.Time, calls []goCall, err error) {
	os.Remove(r.goLog)
	extra := map[string]string{"PATH": r.wrapDir + string(os.PathListSeparator) + os.Getenv("PATH"), wrapEnv: r.goLog, "BENCH_REAL_GO": r.realGo, "BENCH_REAL_GIT": r.realGit}
	for k, v := range env {
		extra[k] = v
	}
	start = time.Now()
	_, err = r.cmd(r.proj, extra, r.plugctl, args...)
	end = time.Now()
	if err != nil {
		return
	}
	data, err := os.ReadFile(r.goLog)
	if err != nil {
		return start, end, nil, fmt.Errorf("plugctl ran no go command through the wrapper: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var c goCall
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return start, end, nil, err
		}
		calls = append(calls, c)
	}
	return start, end, calls, nil
}

// around is where one plugctl build spent its time, from the wrapper's log.
type around struct {
	pre, post time.Duration // plugctl's start to go build's start; go build's end to plugctl's exit
	preCmds   time.Duration // of pre, time in go and git commands (their union)
	compile   time.Duration // the go build
	build     *goCall
}

// own is plugctl's own time around the compile: pre and post minus the go
// and git commands it waited for.
func (a around) own() time.Duration { return a.pre + a.post - a.preCmds }

func splitRun(start, end time.Time, calls []goCall) (around, error) {
	var a around
	for k := range calls {
		c := &calls[k]
		if c.Tool == "go" && len(c.Args) > 0 && c.Args[0] == "build" {
			a.build = c
		}
	}
	if a.build == nil {
		return a, fmt.Errorf("plugctl ran no go build")
	}
	a.pre = time.Duration(a.build.Start - start.UnixNano())
	a.post = time.Duration(end.UnixNano() - a.build.End)
	a.compile = time.Duration(a.build.End - a.build.Start)
	// The union of the command intervals before the go build (go may run
	// git itself: nested intervals count once).
	var spans [][2]int64
	for _, c := range calls {
		if c.Start < a.build.Start {
			spans = append(spans, [2]int64{c.Start, min(c.End, a.build.Start)})
		}
	}
	slices.SortFunc(spans, func(x, y [2]int64) int { return int(x[0] - y[0]) })
	var cur [2]int64
	for i, sp := range spans {
		if i == 0 || sp[0] > cur[1] {
			if i > 0 {
				a.preCmds += time.Duration(cur[1] - cur[0])
			}
			cur = sp
			continue
		}
		cur[1] = max(cur[1], sp[1])
	}
	if len(spans) > 0 {
		a.preCmds += time.Duration(cur[1] - cur[0])
	}
	return a, nil
}

// describeCalls lists the go and git commands other than the go build.
func describeCalls(calls []goCall, tmp string) string {
	var out []string
	for _, c := range calls {
		if c.Tool == "go" && len(c.Args) > 0 && c.Args[0] == "build" {
			continue
		}
		out = append(out, "`"+c.Tool+" "+strings.Join(redactTmp(c.Args, tmp), " ")+"`")
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// overhead measures plugctl's own time before and after its go build, and
// learns the exact go build it runs: the floor is that command.
func (r *realBench) overhead(n int) error {
	b := r.bench
	var pres, posts, cmds, owns, cpus []time.Duration
	var seen string
	// A first run through the wrapper, not counted: plugctl caches what
	// go env says by the go command's path, which the wrapper changes.
	if _, _, _, err := r.wrapped(nil, "build", "--force", "-q"); err != nil {
		return err
	}
	for i := range n {
		b.logf("overhead run %d/%d", i+1, n)
		start, end, calls, err := r.wrapped(nil, "build", "--force", "-q")
		if err != nil {
			return err
		}
		a, err := splitRun(start, end, calls)
		if err != nil {
			return err
		}
		pres, posts, cmds, owns = append(pres, a.pre), append(posts, a.post), append(cmds, a.preCmds), append(owns, a.own())
		own := b.lastCPU // plugctl and every command it ran, less the commands
		for _, c := range calls {
			own -= time.Duration(c.CPU)
		}
		cpus = append(cpus, own)
		if i == 0 {
			seen = describeCalls(calls, b.tmp)
			build := a.build
			r.goBuild = nil
			for k := 1; k < len(build.Args); k++ { // "build" and "." aside
				if build.Args[k] == "-o" {
					k++
					continue
				}
				if k == len(build.Args)-1 && build.Args[k] == "." {
					break
				}
				r.goBuild = append(r.goBuild, build.Args[k])
			}
			r.goEnv = nil
			for k, v := range build.Env {
				if v != "" || k == "GOFLAGS" {
					r.goEnv = append(r.goEnv, k+"="+v)
				}
			}
			slices.Sort(r.goEnv)
		}
	}
	bin := filepath.Join(r.proj, "dist", "caddy")
	fi, err := os.Stat(bin)
	if err != nil {
		return err
	}
	r.sizes["plugctl"] = fi.Size()
	var hashes []time.Duration
	for range n {
		start := time.Now()
		if _, err := hashFile(bin); err != nil {
			return err
		}
		hashes = append(hashes, time.Since(start))
	}
	pre, post, own := median(pres), median(posts), median(owns)
	fmt.Fprintf(&b.md, "### Where plugctl's time goes around the compile\n\n")
	fmt.Fprintf(&b.md, "`plugctl build --force -q`, %d runs (after one uncounted), with a `go` and a `git` first on `PATH` that log when each command starts and ends (the bench binary itself, running the real one): before = plugctl's start to its `go build`'s start, after = that `go build`'s end to plugctl's exit (hashing the artifact, reading its build information, the SBOM, the record); plugctl's own = both, less the go and git commands it waited for.\n\n", n)
	fmt.Fprintf(&b.md, "| | median | runs |\n|---|---|---|\n| before the compile | %s | %s |\n| of which go and git commands | %s | %s |\n| after the link | %s | %s |\n| **plugctl's own** (before + after − commands) | %s | %s |\n| plugctl's own CPU time (user + system, the whole run less every go and git command's), which waiting for a busy CPU does not inflate | %s | %s |\n| for reference: SHA-256 of the %s MB binary, in the bench's process | %s | %s |\n\n",
		ms(pre), list(pres), ms(median(cmds)), list(cmds), ms(post), list(posts), ms(own), list(owns), ms(median(cpus)), list(cpus), mb(fi.Size()), ms(median(hashes)), list(hashes))
	fmt.Fprintf(&b.md, "Commands a forced build ran besides the compile: %s.\n\n", seen)
	total := pre + post
	ok := total <= 100*time.Millisecond
	fmt.Fprintf(&b.md, "Target: plugctl's work around the compile (before plus after) ≤ 100 ms on Caddy: %s, of which plugctl's own %s: %s. ", ms(total), ms(own), b.verdict(ok, "work around the compile ≤ 0.1 s"))
	if !ok {
		fmt.Fprintf(&b.md, "From an up-to-date lock no go command runs before the compile: the modules the lock pins are taken from the module cache, their `.ziphash` checked against the lock's hashes as go itself checks them (`go mod download` only for what the cache lacks or holds otherwise); the commands left are the git plug's (`ls-remote`, the check that its pin still matches its tag, which runs alongside the other components' checks, and `rev-parse`). plugctl's own work before the compile is mostly writing the build module's go.mod from the lock, which reads and parses the go.mod of each module of the graph from the cache (about 15 ms of CPU for Caddy, profiled). After the link it is almost all the SHA-256 of the binary (compare the reference row): one pass over a memory map, which gives the build information too; go's linker writes the binary through a memory map and go renames it into place, so there is no stream for plugctl to hash while it is written. The SBOMs, the provenance and the record come from the lock and what plugctl already knows (a few milliseconds, profiled), and the binary replaced is freed in the background. What is left above the target is that hash (about 45 ms of CPU for 53 MB here) and the git check's round trip: meeting it needs the hash from the linker itself, or taken while another target compiles.")
	}
	fmt.Fprintf(&b.md, "\n\nThe go build plugctl ran (the floor below runs exactly this, `-o` aside): `%s go build %s`, in `$PROJ/.plugctl/gen`.\n\n", strings.Join(r.goEnv, " "), strings.Join(r.goBuild, " "))
	return nil
}

func (r *realBench) floorArgs(out string) []string {
	return append(append([]string{"build"}, r.goBuild...), "-o", out, ".")
}

func (r *realBench) floorEnv(extra map[string]string) []string {
	env := envOverride(r.env, r.goEnv)
	if extra != nil {
		env = envOverride(env, kv(extra))
	}
	return env
}

func (r *realBench) xcaddyArgs() []string {
	return []string{"build", r.caddy, "--output", r.xOut,
		"--with", l4Module + "@" + l4Version,
		"--with", "example.com/localplug@v0.0.0=" + filepath.Join(r.proj, "localplug"),
		"--with", "example.com/gitplug@v0.1.0=" + r.gitplug}
}

// warm measures plugctl build --force against the floor and xcaddy.
func (r *realBench) warm(n int) error {
	b := r.bench
	os.MkdirAll(filepath.Dir(r.floorOut), 0o755)
	xenv := map[string]string{"CGO_ENABLED": "0"}
	var pt, ft, xt []time.Duration
	var pf, px []float64
	for i := range n {
		b.logf("warm run %d/%d", i+1, n)
		var p, f, x time.Duration
		runs := []func() error{
			func() (err error) { p, err = b.cmd(r.proj, nil, b.plugctl, "build", "--force", "-q"); return },
			func() (err error) {
				os.Remove(r.floorOut)
				f, err = b.cmdEnv(r.gen, r.floorEnv(nil), "go", r.floorArgs(r.floorOut)...)
				return
			},
			func() (err error) { x, err = b.cmd(r.tmp, xenv, r.xcaddy, r.xcaddyArgs()...); return },
		}
		for k := range runs { // rotate the order
			if err := runs[(i+k)%len(runs)](); err != nil {
				return err
			}
		}
		pt, ft, xt = append(pt, p), append(ft, f), append(xt, x)
		pf, px = append(pf, float64(p)/float64(f)), append(px, float64(x)/float64(p))
	}
	bin := filepath.Join(r.proj, "dist", "caddy")
	facts := map[string]string{}
	for name, path := range map[string]string{"plugctl": bin, "floor": r.floorOut, "xcaddy": r.xOut} {
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		r.sizes[name] = fi.Size()
		facts[name] = binaryFacts(path)
	}
	h1, err1 := hashFile(bin)
	h2, err2 := hashFile(r.floorOut)
	same := err1 == nil && err2 == nil && h1 == h2
	mods := map[string]string{}
	for name, path := range map[string]string{"plugctl": bin, "xcaddy": r.xOut} {
		out, err := exec.Command(path, "list-modules").Output()
		if err != nil {
			return fmt.Errorf("%s list-modules: %v", path, err)
		}
		var have []string
		for _, m := range []string{"bench.localplug", "bench.gitplug", "layer4"} {
			if regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(m) + `$`).Match(out) {
				have = append(have, m)
			}
		}
		mods[name] = strings.Join(have, ", ")
	}
	ratio, xratio := medianFloat(pf), medianFloat(px)
	fmt.Fprintf(&b.md, "### Warm forced build: plugctl, the floor, xcaddy\n\n%d rounds, the three commands in each round in rotating order; caches warm, all three link a new binary every time (xcaddy has no no-op: it always makes a new module and builds).\n\n", n)
	fmt.Fprintf(&b.md, "| command | median | runs |\n|---|---|---|\n")
	fmt.Fprintf(&b.md, "| `plugctl build --force -q` (in `$PROJ`) | %s | %s |\n", ms(median(pt)), list(pt))
	fmt.Fprintf(&b.md, "| floor: `%s go %s` (in `$PROJ/.plugctl/gen`; output removed before each run) | %s | %s |\n", strings.Join(r.goEnv, " "), strings.Join(redactTmp(r.floorArgs(r.floorOut), b.tmp), " "), ms(median(ft)), list(ft))
	fmt.Fprintf(&b.md, "| `CGO_ENABLED=0 xcaddy %s` | %s | %s |\n\n", strings.Join(redactTmp(r.xcaddyArgs(), b.tmp), " "), ms(median(xt)), list(xt))
	fmt.Fprintf(&b.md, "Binaries: plugctl's %s MB (%s; Caddy modules of the plugs: %s), the floor's %s MB (byte-identical to plugctl's: %v), xcaddy's %s MB (%s; %s).\n\n",
		mb(r.sizes["plugctl"]), facts["plugctl"], mods["plugctl"], mb(r.sizes["floor"]), same, mb(r.sizes["xcaddy"]), facts["xcaddy"], mods["xcaddy"])
	ok := ratio <= 1.03
	fmt.Fprintf(&b.md, "- plugctl / floor, median of the per-round ratios: **%.3f×** (ratio of the medians %.3f×; target ≤ 1.03×: %s).", ratio, float64(median(pt))/float64(median(ft)), b.verdict(ok, "forced build ≤ 1.03× the floor on Caddy"))
	if !ok {
		fmt.Fprintf(&b.md, " What plugctl adds is its own work around the compile, measured above; at this size of compile 3%% is about %s, so meeting it needs that work under %s.", ms(median(ft)*3/100), ms(median(ft)*3/100))
	}
	fmt.Fprintf(&b.md, "\n- xcaddy / plugctl, median of the per-round ratios: **%.2f×** (plugctl is that many times faster; target ≥ 4×: %s).", xratio, b.verdict(xratio >= 4, "warm build ≥ 4× faster than xcaddy"))
	if xratio < 4 {
		fmt.Fprintf(&b.md, " plugctl's time is the floor's (the ratio above) — go's compile and link of a %s MB binary, which xcaddy pays too — and xcaddy's is that plus its `go get` of a fresh module each time. So xcaddy / plugctl is at most xcaddy / floor = %.2f× here; nothing plugctl does can raise it, only a link that is a smaller share of xcaddy's time (a machine where the link is fast beside the module work, as in the issue's 10.26 s against 3.08 s).", mb(r.sizes["plugctl"]), float64(median(xt))/float64(median(ft)))
	}
	fmt.Fprintf(&b.md, "\n\n")
	r.floorMedian = median(ft)
	r.xMedian = median(xt)
	return nil
}

// binaryFacts says how a binary was built: its -tags and whether it holds a
// symbol table and DWARF.
func binaryFacts(path string) string {
	var parts []string
	if bi, err := buildinfo.ReadFile(path); err == nil {
		tags := "no -tags"
		for _, s := range bi.Settings {
			if s.Key == "-tags" {
				tags = "-tags=" + s.Value
			}
		}
		parts = append(parts, tags)
	}
	if f, err := elf.Open(path); err == nil {
		stripped := f.Section(".symtab") == nil && f.Section(".debug_info") == nil && f.Section(".zdebug_info") == nil
		f.Close()
		if stripped {
			parts = append(parts, "no symbol table or DWARF: -s -w")
		} else {
			parts = append(parts, "symbols or DWARF kept")
		}
	}
	return strings.Join(parts, ", ")
}

// noop measures a build with nothing changed.
func (r *realBench) noop(n int) error {
	b := r.bench
	runs := max(n, 15)
	var ts, cpu []time.Duration
	for i := range runs {
		b.logf("no-op run %d/%d", i+1, runs)
		d, err := b.cmd(r.proj, nil, b.plugctl, "build", "-q")
		if err != nil {
			return err
		}
		ts, cpu = append(ts, d), append(cpu, b.lastCPU)
	}
	out, err := exec.Command(b.plugctl, "build", "-f", filepath.Join(r.proj, "plugconfig.yaml")).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("reused")) {
		return fmt.Errorf("the no-op build did not reuse the artifact: %v\n%s", err, out)
	}
	d := median(ts)
	fmt.Fprintf(&b.md, "### No-op build\n\n| command | median | runs |\n|---|---|---|\n| `plugctl build -q` (nothing changed: the artifact is reused) | %s | %s |\n\n", ms(d), list(ts))
	fmt.Fprintf(&b.md, "CPU time (user + system), which waiting for a busy CPU does not inflate: median %s (%s).\n\n", ms(median(cpu)), list(cpu))
	ok := d <= 15*time.Millisecond
	fmt.Fprintf(&b.md, "Target ≤ 15 ms on Caddy: %s.", b.verdict(ok, "no-op ≤ 15 ms on Caddy"))
	if r.xMedian > 0 {
		fmt.Fprintf(&b.md, " xcaddy has no no-op: its build above took %s.", ms(r.xMedian))
	}
	if !ok {
		fmt.Fprintf(&b.md, " A no-op runs no go or git command. It reads the %s kB lock once: a lock as plugctl writes it is decoded and encoded back (directly, not through reflection), and when that gives the file's very bytes no token walk is needed for positioned errors and its digest comes from those bytes; every other lock gets the walk, as strict as before. Profiled by hand (perf record of 40 no-ops of this project, 2026-11-30): what is left is the Go runtime's start and package initialisation (regular expressions compiled at init, a third of them in dependencies), decoding the lock, and the artifact check. On a shared machine the wall time is the scheduler's: the CPU time above is the figure to judge by; on an idle core the wall time is about the CPU time.", kb(filepath.Join(r.proj, "plugconfig.lock")))
	}
	fmt.Fprintf(&b.md, "\n\n")
	return nil
}

// editLoop measures a build after an edit of the local plug against the
// floor after the same kind of edit.
func (r *realBench) editLoop(n int) error {
	b := r.bench
	src := filepath.Join(r.proj, "localplug", "plug.go")
	orig, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	defer os.WriteFile(src, orig, 0o644)
	edit := 0
	touch := func() error {
		edit++
		return os.WriteFile(src, append(slices.Clone(orig), fmt.Sprintf("\nvar edit%d = %d\n", edit, edit)...), 0o644)
	}
	var pt, ft []time.Duration
	var ratios []float64
	for i := range n {
		b.logf("edit loop run %d/%d", i+1, n)
		var p, f time.Duration
		runs := []func() error{
			func() error {
				if err := touch(); err != nil {
					return err
				}
				d, err := b.cmd(r.proj, nil, b.plugctl, "build", "-q")
				p = d
				return err
			},
			func() error {
				if err := touch(); err != nil {
					return err
				}
				os.Remove(r.floorOut)
				d, err := b.cmdEnv(r.gen, r.floorEnv(nil), "go", r.floorArgs(r.floorOut)...)
				f = d
				return err
			},
		}
		for k := range runs {
			if err := runs[(i+k)%2](); err != nil {
				return err
			}
		}
		pt, ft = append(pt, p), append(ft, f)
		ratios = append(ratios, float64(p)/float64(f))
	}
	// One more edit, built through the logging go: which go commands an
	// edit costs besides the compile.
	if err := touch(); err != nil {
		return err
	}
	_, _, calls, err := r.wrapped(nil, "build", "-q")
	if err != nil {
		return err
	}
	tidy := false
	for _, c := range calls {
		tidy = tidy || c.Tool == "go" && len(c.Args) > 1 && c.Args[0] == "mod" && c.Args[1] == "tidy"
	}
	ratio := medianFloat(ratios)
	fmt.Fprintf(&b.md, "### Edit loop on the local plug\n\nEach run appends a new declaration to `$PROJ/localplug/plug.go` and then builds, %d rounds alternating:\n\n| command | median | runs |\n|---|---|---|\n", n)
	fmt.Fprintf(&b.md, "| `plugctl build -q` | %s | %s |\n| floor (the go build above; the generated module reaches the plug through a symlink) | %s | %s |\n\n", ms(median(pt)), list(pt), ms(median(ft)), list(ft))
	ok := ratio <= 1.1
	fmt.Fprintf(&b.md, "Commands a build after an edit ran besides the compile (one more edit, through the logging go and git): %s.\n\n", describeCalls(calls, b.tmp))
	fmt.Fprintf(&b.md, "plugctl / floor, median of the per-round ratios: **%.3f×** (target ≤ 1.1×: %s).", ratio, b.verdict(ok, "edit loop ≤ 1.1× the floor"))
	if !ok && tidy {
		fmt.Fprintf(&b.md, " The edit made plugctl run `go mod tidy` over the whole Caddy graph before compiling; writing go.mod and go.sum from an up-to-date lock removes that run.")
	} else if !ok {
		fmt.Fprintf(&b.md, " No `go mod tidy` ran: what plugctl adds is the go commands listed and its own work around the compile (above).")
	}
	fmt.Fprintf(&b.md, "\n\n")
	return nil
}

// lock measures plugctl lock from nothing against go mod download of the
// same graph, both with an empty module cache.
func (r *realBench) lock(n int) error {
	b := r.bench
	// The graph go mod download fetches: a copy of the generated module.
	dl := filepath.Join(r.tmp, "download")
	if err := copyModule(r.gen, dl); err != nil {
		return err
	}
	lproj := filepath.Join(r.tmp, "lockproj")
	if err := os.MkdirAll(lproj, 0o755); err != nil {
		return err
	}
	if err := copyTree(filepath.Join(r.proj, "localplug"), filepath.Join(lproj, "localplug")); err != nil {
		return err
	}
	if err := copyFile(filepath.Join(r.proj, "plugconfig.yaml"), filepath.Join(lproj, "plugconfig.yaml"), 0o644); err != nil {
		return err
	}
	cache := filepath.Join(r.tmp, "modcache-lock")
	env := map[string]string{"GOMODCACHE": cache}
	var lt, dt, lc, dc []time.Duration
	var ratios []float64
	var hwm int64
	var mods int
	for i := range n {
		b.logf("lock run %d/%d (empty module cache)", i+1, n)
		var l, d, lcpu, dcpu time.Duration
		runs := []func() error{
			func() error {
				removeAll(cache)
				removeAll(filepath.Join(lproj, ".plugctl"))
				os.Remove(filepath.Join(lproj, "plugconfig.lock"))
				st, err := b.sample(lproj, env, "lock", "-q")
				l, lcpu = st.wall, st.cpu
				hwm = max(hwm, st.hwm)
				return err
			},
			func() error {
				removeAll(cache)
				var err error
				d, err = b.cmd(dl, env, "go", "mod", "download")
				dcpu = b.lastCPU
				mods = countModules(cache)
				return err
			},
		}
		for k := range runs {
			if err := runs[(i+k)%2](); err != nil {
				return err
			}
		}
		lt, dt, lc, dc = append(lt, l), append(dt, d), append(lc, lcpu), append(dc, dcpu)
		ratios = append(ratios, float64(l)/float64(d))
	}
	r.lockHWM = hwm
	ratio := medianFloat(ratios)
	fmt.Fprintf(&b.md, "### lock against go mod download, empty module cache\n\n%d rounds alternating, `GOMODCACHE` an empty directory before every run, from the module proxy:\n\n| command | median | runs |\n|---|---|---|\n", n)
	fmt.Fprintf(&b.md, "| `plugctl lock -q` (a copy of the project without lock or `.plugctl`) | %s | %s |\n", ms(median(lt)), list(lt))
	fmt.Fprintf(&b.md, "| `go mod download` (in a copy of plugctl's generated module: the same graph; %d module versions downloaded) | %s | %s |\n\n", mods, ms(median(dt)), list(dt))
	fmt.Fprintf(&b.md, "CPU time (user + system, the go commands included): `plugctl lock` median %s (%s), `go mod download` median %s (%s).\n\n", ms(median(lc)), list(lc), ms(median(dc)), list(dc))
	ok := ratio <= 1.2
	fmt.Fprintf(&b.md, "plugctl / go mod download, median of the per-round ratios: **%.3f×** (target ≤ 1.2×: %s).", ratio, b.verdict(ok, "lock ≤ 1.2× go mod download"))
	if !ok {
		fmt.Fprintf(&b.md, " plugctl starts the download of the graph of the core and the proxy plugs (`go mod download all`, more downloads at once than the go command runs by default) as soon as resolve knows their versions, then `go mod tidy` of the generated module downloads what is left: the modules only the tests of dependencies need, whose hashes go.sum keeps and `go mod download` of the build module does not fetch. The gap is those modules and the resolve and fetch before the download starts.")
	}
	fmt.Fprintf(&b.md, "\n\n")
	return nil
}

// memory measures plugctl's own peak memory for each command.
func (r *realBench) memory(int) error {
	b := r.bench
	bundle := filepath.Join(r.tmp, "caddy-bundle.tar.gz")
	bin := filepath.Join(r.proj, "dist", "caddy")
	fi, err := os.Stat(bin)
	if err != nil {
		return err
	}
	type row struct {
		args []string
		what string
	}
	rows := []row{
		{[]string{"build", "--force", "-q"}, "warm caches"},
		{[]string{"build", "-q"}, "no-op"},
		{[]string{"vendor", "-q"}, "a fresh vendor tree"},
		{[]string{"bundle", "-q", "-o", bundle}, "from that tree"},
		{[]string{"inspect", bin}, fmt.Sprintf("the %s MB binary", mb(fi.Size()))},
	}
	fmt.Fprintf(&b.md, "### plugctl's own peak memory\n\nplugctl's process alone, excluding the go and git processes it runs: the kernel's high-water mark `VmHWM` of `/proc/PID/status`, sampled every millisecond until exit (a lower bound, reached by the end). (`ru_maxrss` from `wait4` is not shown: Linux folds into it the peak of every waited-for descendant — the linker's, for a build — and what the process had when it was started.) `rchar` is the bytes plugctl read through read system calls (`/proc/PID/io`, last sample: a lower bound).\n\n")
	fmt.Fprintf(&b.md, "| command | VmHWM (plugctl) | rchar | wall |\n|---|---|---|---|\n")
	most := r.lockHWM
	fmt.Fprintf(&b.md, "| `plugctl lock -q` (empty module cache, the runs above) | %.1f MiB | | |\n", float64(r.lockHWM)/1024)
	removeAll(filepath.Join(r.proj, ".plugctl", "vendor"))
	for _, rw := range rows {
		b.logf("memory: plugctl %s", strings.Join(rw.args, " "))
		st, err := b.sample(r.proj, nil, rw.args...)
		if err != nil {
			return err
		}
		most = max(most, st.hwm)
		if rw.args[0] == "inspect" {
			r.inspectRead = st.rchar
		}
		fmt.Fprintf(&b.md, "| `plugctl %s` (%s) | %.1f MiB | %s MB | %s |\n", strings.Join(redactTmp(rw.args, r.tmp), " "), rw.what, float64(st.hwm)/1024, mb(st.rchar), ms(st.wall))
	}
	const target = 100 << 10 // KiB
	fmt.Fprintf(&b.md, "\nTarget: plugctl's own peak < 100 MiB for every command on Caddy; highest %.1f MiB: %s. `inspect` reads only the sections it needs: %s MB read of %s MB: %s.\n\n",
		float64(most)/1024, b.verdict(most > 0 && most < target, "peak memory < 100 MiB"), mb(r.inspectRead), mb(fi.Size()), b.verdict(r.inspectRead > 0 && r.inspectRead < fi.Size()/2, "inspect reads only the sections it needs"))
	return nil
}

// cold measures a forced build with an empty build cache against the floor
// with one.
func (r *realBench) cold(runs int) error {
	b := r.bench
	if runs < 1 {
		fmt.Fprintf(&b.md, "### Cold build: empty build cache\n\nSkipped (`-cold-runs 0`).\n\n")
		return nil
	}
	cache := filepath.Join(r.tmp, "gocache-cold")
	env := map[string]string{"GOCACHE": cache}
	var pt, ft, inner, owns []time.Duration
	var ratios []float64
	for i := range runs {
		var p, f time.Duration
		steps := []func() error{
			func() error {
				b.logf("cold run %d/%d: plugctl", i+1, runs)
				removeAll(cache)
				start, end, calls, err := r.wrapped(env, "build", "--force", "-q")
				if err != nil {
					return err
				}
				p = end.Sub(start)
				a, err := splitRun(start, end, calls)
				if err != nil {
					return err
				}
				inner, owns = append(inner, a.compile), append(owns, a.own())
				return nil
			},
			func() (err error) {
				b.logf("cold run %d/%d: floor", i+1, runs)
				removeAll(cache)
				os.Remove(r.floorOut)
				f, err = b.cmdEnv(r.gen, r.floorEnv(env), "go", r.floorArgs(r.floorOut)...)
				return
			},
		}
		for k := range steps {
			if err := steps[(i+k)%2](); err != nil {
				return err
			}
		}
		pt, ft = append(pt, p), append(ft, f)
		ratios = append(ratios, float64(p)/float64(f))
	}
	removeAll(cache)
	ratio := medianFloat(ratios)
	fmt.Fprintf(&b.md, "### Cold build: empty build cache\n\n`GOCACHE` an empty directory before every run (module cache warm), %d round(s) alternating; each compiles the standard library and all of Caddy:\n\n| command | median | runs |\n|---|---|---|\n", runs)
	fmt.Fprintf(&b.md, "| `plugctl build --force -q` (through the logging go and git) | %s | %s |\n| of which its go build | %s | %s |\n| of which plugctl's own work (as above) | %s | %s |\n| floor (the go build above) | %s | %s |\n\n", ms(median(pt)), list(pt), ms(median(inner)), list(inner), ms(median(owns)), list(owns), ms(median(ft)), list(ft))
	ok := ratio <= 1.05
	fmt.Fprintf(&b.md, "plugctl / floor: **%.3f×** (target ≤ 1.05×: %s); plugctl's go build / floor: %.3f×.", ratio, b.verdict(ok, "cold build ≤ 1.05× the cold floor"), float64(median(inner))/float64(median(ft)))
	switch {
	case !ok && median(owns) < median(ft)/100:
		fmt.Fprintf(&b.md, " plugctl's own work (the row above) is under 1%% of the compile; the gap is the same go build taking longer while plugctl ran it, that is the shared machine's load over the minutes of one round. Meeting the target in this measurement needs more rounds on a machine to itself, not a change to plugctl.")
	case !ok:
		fmt.Fprintf(&b.md, " plugctl's own work (the row above) is %.1f%% of the floor: that, less what the warm section says can go, is what would have to go.", 100*float64(median(owns))/float64(median(ft)))
	}
	fmt.Fprintf(&b.md, "\n\n")
	return nil
}

// runStats are what sample measured of one plugctl run.
type runStats struct {
	wall        time.Duration
	cpu         time.Duration // user + system, the children waited for included
	hwm, maxrss int64         // KiB
	rchar       int64         // bytes
}

// sample runs plugctl args in dir and measures its own peak memory and
// bytes read, sampling /proc every millisecond.
func (b *bench) sample(dir string, extra map[string]string, args ...string) (runStats, error) {
	var st runStats
	c := exec.Command(b.plugctl, args...)
	c.Dir, c.Env = dir, envOverride(b.env, kv(extra))
	var stderr bytes.Buffer
	c.Stderr = &stderr
	start := time.Now()
	if err := c.Start(); err != nil {
		return st, err
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	status := fmt.Sprintf("/proc/%d/status", c.Process.Pid)
	ioFile := fmt.Sprintf("/proc/%d/io", c.Process.Pid)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		st.hwm = max(st.hwm, vmHWM(status))
		if v := rchar(ioFile); v > st.rchar {
			st.rchar = v
		}
		select {
		case err := <-done:
			st.wall = time.Since(start)
			if err != nil {
				return st, fmt.Errorf("plugctl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
			}
			if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
				st.maxrss = ru.Maxrss
			}
			st.cpu = c.ProcessState.UserTime() + c.ProcessState.SystemTime()
			return st, nil
		case <-tick.C:
		}
	}
}

// rchar reads the rchar line of a /proc io file; 0 if gone.
func rchar(path string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "rchar:"); ok {
			var v int64
			fmt.Sscan(strings.TrimSpace(rest), &v)
			return v
		}
	}
	return 0
}

// countModules counts the module versions in a module cache's download
// cache (one .zip or .mod-only version each).
func countModules(cache string) int {
	n := 0
	filepath.Walk(filepath.Join(cache, "cache", "download"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".mod") {
			n++
		}
		return nil
	})
	return n
}

// copyModule copies a generated module's files, its symlinks kept.
func copyModule(src, dst string) error {
	return filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case fi.IsDir():
			return os.MkdirAll(target, 0o755)
		case fi.Mode().IsRegular():
			return copyFile(p, target, 0o644)
		}
		return nil
	})
}

func copyFile(src, dst string, mode os.FileMode) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, mode)
}

// hashFile returns the SHA-256 of the file at path, reading it in a stream.
func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func kb(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "?"
	}
	return fmt.Sprintf("%.0f", float64(fi.Size())/1e3)
}

func mb(n int64) string { return fmt.Sprintf("%.1f", float64(n)/1e6) }
