//go:build linux

// Command bench measures plugctl against its performance targets and writes
// the results, the targets and the exact commands run to a Markdown file:
//
//	go run ./internal/bench -o BENCHMARKS.md     (what `make bench` runs)
//
// Everything is measured as ratios within one run, the commands of a pair
// interleaved, so that a busy machine slows both sides alike; each figure is
// the median of -n runs. It builds plugctl itself first, so it works on a
// fresh clone. Measured:
//
//	(a) plugctl build of the example vs plain go build of the same
//	    generated module, same flags and environment, warm caches
//	(b) a no-op plugctl build (nothing changed: the artifact is reused)
//	(c) an offline build from the vendor tree, empty vs warm module cache
//	(d) plugctl's own peak memory during vendor and build
//	(e) a build as another user, elsewhere, with cold caches, compared byte
//	    for byte with the first (root only; needs setpriv)
//	(f) with -baseline REV: an offline rebuild of the example by this
//	    plugctl (which compiles from a private, verified copy of the vendor
//	    tree) vs plugctl built at REV; and the copy's cost on a large tree
//
// With -real (make bench-real) it measures Caddy with three plugs instead,
// against the floor and a pinned xcaddy, from the module proxy (real.go),
// and rewrites only its own section of the file; make bench keeps that
// section.
//
// It runs on Linux only: memory is read from /proc and wait4's rusage.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/plugctl/plugctl/internal/build"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/testenv"
	"github.com/plugctl/plugctl/internal/vendortree"
)

func main() {
	out := flag.String("o", "BENCHMARKS.md", "the Markdown file to write")
	n := flag.Int("n", 15, "runs of each measured command (the median is reported)")
	cold := flag.Bool("cold", true, "also run the cold-cache checks (c) and (e), which compile the standard library")
	baseline := flag.String("baseline", "", "a git revision of plugctl to compare offline rebuilds with (f)")
	real := flag.Bool("real", false, "run the real-world bench instead (make bench-real: Caddy, xcaddy, the module proxy)")
	coldRuns := flag.Int("cold-runs", 1, "with -real: rounds of the cold build, which compiles all of Caddy")
	only := flag.String("real-only", "", "with -real: run only these sections, comma-separated ("+strings.Join(realSections, ", ")+"), and print them instead of writing -o")
	keep := flag.Bool("real-keep", false, "with -real: keep the temporary directory (the project, the logging go and git) and print its path")
	if tool := filepath.Base(os.Args[0]); os.Getenv(wrapEnv) != "" && (tool == "go" || tool == "git") {
		os.Exit(goWrapper(tool)) // this program as the logging go or git of -real
	}
	flag.Parse()
	if *real {
		if err := runReal(*out, *n, *coldRuns, *only, *keep); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*out, *n, *cold, *baseline); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// bench holds the state of one benchmark run.
type bench struct {
	repo    string // the plugctl repository
	tmp     string // everything the run writes
	plugctl string // plugctl built from repo
	proj    string // the example project
	env     []string
	md      bytes.Buffer
	failed  []string          // targets not met
	lastCPU time.Duration     // user+sys time of the last command and its children
	vproj   string            // the project with a proxy plug, once made
	venv    map[string]string // its environment
}

func run(out string, n int, cold bool, baseline string) error {
	b := &bench{}
	var err error
	if b.repo, err = repoRoot(); err != nil {
		return err
	}
	if b.tmp, err = os.MkdirTemp("", "plugctl-bench-"); err != nil {
		return err
	}
	defer removeAll(b.tmp)
	// The user's GOCACHE stays: (a) is about warm caches. Nothing else of
	// the shell may change a build.
	b.env = environ(map[string]string{"GOFLAGS": "", "GOTOOLCHAIN": "local", "GOWORK": "off", "GOPROXY": "off", "GOSUMDB": "off", "NO_COLOR": "1"})

	b.logf("building plugctl")
	b.plugctl = filepath.Join(b.tmp, "bin", "plugctl")
	if _, err := b.cmd(b.repo, nil, "go", "build", "-o", b.plugctl, "./cmd/plugctl"); err != nil {
		return err
	}
	if b.proj, err = b.example(filepath.Join(b.tmp, "project")); err != nil {
		return err
	}
	host := platform.Target{OS: runtime.GOOS, Arch: runtime.GOARCH}
	fmt.Fprintf(&b.md, "# plugctl benchmarks\n\nWritten by `make bench` (`go run ./internal/bench -o BENCHMARKS.md`, source: `internal/bench/main.go`).\n")
	fmt.Fprintf(&b.md, "Machine: %s, %d CPUs, %s. Each figure is the median of %d runs; the commands of a pair run interleaved, so that\nother load on the machine slows both alike, and results are compared as ratios within this one run.\n\n", host, runtime.NumCPU(), goVersion(), n)
	fmt.Fprintf(&b.md, "The project is the bundled example (`plugconfig.example.yaml`: the example core, two local plugs, the SDK), copied to a temporary directory. Environment for every command: the user's `GOCACHE` (warm), `GOFLAGS=` `GOTOOLCHAIN=local` `GOWORK=off` `GOPROXY=off` `GOSUMDB=off`.\n\n")

	if err := b.compare(n); err != nil {
		return err
	}
	if err := b.editLoop(n); err != nil {
		return err
	}
	if cold {
		if err := b.vendor(); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(&b.md, "## (c) offline build from the vendor tree\n\nSkipped (`-cold=false`).\n\n")
	}
	if err := b.memory(); err != nil {
		return err
	}
	if cold {
		if err := b.otherUser(); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(&b.md, "## (e) reproducible as another user\n\nSkipped (`-cold=false`).\n\n")
	}
	if baseline != "" {
		if err := b.snapshot(n, baseline); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(&b.md, "## (f) offline rebuild: compiling from a verified copy\n\nSkipped (no `-baseline`; `make bench BASELINE=REV` compares with plugctl at REV).\n\n")
	}
	if len(b.failed) == 0 {
		fmt.Fprintf(&b.md, "## Summary\n\nEvery target was met.\n")
	} else {
		fmt.Fprintf(&b.md, "## Summary\n\nTargets missed: %s.\n", strings.Join(b.failed, "; "))
	}
	// The real-world section make bench-real wrote stays.
	if old, err := os.ReadFile(out); err == nil {
		if sec := realSection(string(old)); sec != "" {
			b.md.WriteString("\n" + sec)
		}
	}
	if err := files.WriteFile(out, b.md.Bytes(), 0o644); err != nil {
		return err
	}
	b.logf("wrote %s", out)
	os.Stdout.Write(b.md.Bytes())
	return nil
}

// compare measures (a) and (b).
func (b *bench) compare(n int) error {
	gen := filepath.Join(b.proj, ".plugctl", "gen")
	b.logf("warming up")
	if _, err := b.cmd(b.proj, nil, b.plugctl, "build", "-q"); err != nil {
		return err
	}
	// The plain build is exactly what plugctl's compile step runs: same
	// flags (build.Flags), same environment (gotool.Env with build.Env),
	// into a fresh output file each time as plugctl does (go skips the link
	// when the output file is already up to date).
	host := platform.Target{OS: runtime.GOOS, Arch: runtime.GOARCH}
	opts := build.Options{}
	plainOut := filepath.Join(b.tmp, "plain", "hello")
	flags, err := build.Flags(opts)
	if err != nil {
		return err
	}
	plainArgs := append(append([]string{"build"}, flags...), "-o", plainOut, ".")
	plainEnv := envOverride(b.env, gotool.Env(build.Env(opts, host)))
	if _, err := b.cmdEnv(gen, plainEnv, "go", plainArgs...); err != nil {
		return err
	}
	var ptimes, ftimes, ntimes, pcpu, fcpu, ncpu []time.Duration
	var ratios, cpuRatios []float64
	for i := range n {
		b.logf("(a) run %d/%d", i+1, n)
		// Alternate which of the pair goes first, so neither is always
		// the one that meets a burst of load or a cold page cache.
		var pd, fd, pc, fc time.Duration
		plainRun := func() error {
			os.Remove(plainOut)
			d, err := b.cmdEnv(gen, plainEnv, "go", plainArgs...)
			pd, pc = d, b.lastCPU
			return err
		}
		plugRun := func() error {
			d, err := b.cmd(b.proj, nil, b.plugctl, "build", "--force", "-q")
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
	for i := range n {
		b.logf("(b) run %d/%d", i+1, n)
		d, err := b.cmd(b.proj, nil, b.plugctl, "build", "-q")
		if err != nil {
			return err
		}
		ntimes, ncpu = append(ntimes, d), append(ncpu, b.lastCPU)
	}
	out, err := exec.Command(b.plugctl, "build", "-f", filepath.Join(b.proj, "plugconfig.yaml")).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("reused")) {
		return fmt.Errorf("the no-op build did not reuse the artifact: %v\n%s", err, out)
	}
	plain, force, noop := median(ptimes), median(ftimes), median(ntimes)
	ratio := float64(force) / float64(plain)
	share := float64(noop) / float64(plain)

	fmt.Fprintf(&b.md, "## (a) plugctl build vs plain go build, warm caches\n\n")
	fmt.Fprintf(&b.md, "| command | median | runs |\n|---|---|---|\n")
	fmt.Fprintf(&b.md, "| `go %s` (in `.plugctl/gen`, with `%s`; output removed before each run) | %s | %s |\n", strings.Join(redactTmp(plainArgs, b.tmp), " "), strings.Join(knobs(build.Env(opts, host)), " "), ms(plain), list(ptimes))
	fmt.Fprintf(&b.md, "| `plugctl build --force -q` | %s | %s |\n\n", ms(force), list(ftimes))
	fmt.Fprintf(&b.md, "Ratio of the medians, plugctl / go build: **%.3f×** (target ≤ 1.05×: %s). The %d pairs ran back to back, the order alternating; the median of the per-pair ratios is %.3f×, the ratio of the fastest runs %.3f×.\n\n", ratio, b.verdict(ratio <= 1.05, "(a) ratio ≤ 1.05×"), n, medianFloat(ratios), float64(slices.Min(ftimes))/float64(slices.Min(ptimes)))
	fmt.Fprintf(&b.md, "CPU time (user + system, of the command and the children it waited for: go's compile and link), which waiting for a busy CPU does not inflate: go build median %s (%s), plugctl median %s (%s); the median of the per-pair ratios **%.3f×**.\n\n", ms(median(pcpu)), list(pcpu), ms(median(fcpu)), list(fcpu), medianFloat(cpuRatios))
	fmt.Fprintf(&b.md, "`--force` makes plugctl compile although nothing changed; it still loads the config, hashes the local sources, resolves, finds the build module up to date (so `go mod tidy` does not run: it does only when its inputs change, adding about one `go mod tidy` run), compiles, and writes the `.sha256`, SBOM and record files. `go env` comes from plugctl's cache.\n\n")
	fmt.Fprintf(&b.md, "## (b) no-op build\n\n")
	fmt.Fprintf(&b.md, "| command | median | runs |\n|---|---|---|\n")
	fmt.Fprintf(&b.md, "| `plugctl build -q` (nothing changed: \"reused dist/hello (nothing changed)\") | %s | %s |\n\n", ms(noop), list(ntimes))
	fmt.Fprintf(&b.md, "CPU time (user + system), which waiting for a busy CPU does not inflate: median %s (%s).\n\n", ms(median(ncpu)), list(ncpu))
	fmt.Fprintf(&b.md, "Target ≤ 15 ms: %s. Share of (a)'s plain go build: **%.1f%%** (target ≤ 5%%: %s).\n\n", b.verdict(noop <= 15*time.Millisecond, "(b) ≤ 15 ms"), 100*share, b.verdict(share <= 0.05, "(b) ≤ 5% of plain build"))
	return nil
}

// memory measures (d).
func (b *bench) memory() error {
	fmt.Fprintf(&b.md, "## (d) peak memory of plugctl\n\n")
	fmt.Fprintf(&b.md, "plugctl's own peak resident set, as the kernel's high-water mark (`VmHWM` of `/proc/PID/status`, sampled every millisecond until exit; the last sample is a lower bound, reached by the end of the run). `ru_maxrss` from `wait4` is shown beside it: Linux folds into it the peak of every descendant the child waited for, so for a build it is the `go` command's or the compiler's or linker's peak, not plugctl's.\n\n")
	fmt.Fprintf(&b.md, "| command | plugctl peak RSS (VmHWM) | ru_maxrss incl. go children |\n|---|---|---|\n")
	type row struct {
		dir  string
		env  map[string]string
		args []string
		what string
	}
	rows := []row{
		{b.proj, nil, []string{"build", "--force", "-q"}, " (the example)"},
		{b.proj, nil, []string{"build", "-q"}, " (the example, no-op: reused)"},
	}
	if b.hasCommand("vendor") {
		proj, env, err := b.vendorProject()
		if err != nil {
			return err
		}
		removeAll(filepath.Join(proj, ".plugctl"))
		rows = append(rows,
			row{proj, env, []string{"vendor", "-q"}, " (example + proxy plug, fresh tree)"},
			row{proj, map[string]string{"GOPROXY": "off"}, []string{"build", "--offline", "--force", "-q"}, " (from that tree)"})
	}
	var most int64 // KiB, plugctl's own, over every row
	for _, r := range rows {
		hwm, maxrss, err := b.peak(r.dir, r.env, r.args...)
		if err != nil {
			return err
		}
		most = max(most, hwm)
		fmt.Fprintf(&b.md, "| `plugctl %s`%s | %.1f MiB | %.1f MiB |\n", strings.Join(r.args, " "), r.what, float64(hwm)/1024, float64(maxrss)/1024)
	}
	if !b.hasCommand("vendor") {
		fmt.Fprintf(&b.md, "\n`plugctl vendor`: not yet measurable — the command has not landed (issue 4).\n")
	}
	const target = 100 << 10 // KiB: 100 MiB
	fmt.Fprintf(&b.md, "\nTarget: plugctl's own peak resident set — VmHWM, the figure `getrusage(RUSAGE_SELF)` reports as plugctl's own `ru_maxrss` — stays under 100 MiB while vendoring and building (the `go` children it runs are not plugctl and are not counted). Highest: %.1f MiB: %s.\n\n",
		float64(most)/1024, b.verdict(most > 0 && most < target, "(d) plugctl's own peak memory < 100 MiB"))
	return nil
}

// vendorProject makes, once, the project (c) and (d) use: the example plus
// a plug from a file:// module proxy built from the test proxy's modules,
// so that the vendor tree holds a module the module cache would otherwise
// provide. It returns the project and the environment for its commands.
func (b *bench) vendorProject() (string, map[string]string, error) {
	if b.vproj != "" {
		return b.vproj, b.venv, nil
	}
	proxy := filepath.Join(b.tmp, "proxy")
	if err := testenv.BuildProxy(filepath.Join(b.repo, "internal", "testenv", "testdata", "proxy"), proxy); err != nil {
		return "", nil, err
	}
	dir, err := b.example(filepath.Join(b.tmp, "vproject"))
	if err != nil {
		return "", nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "plugconfig.yaml"), os.O_RDWR, 0)
	if err != nil {
		return "", nil, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return "", nil, err
	}
	// The wave plug goes last in the plugins list, before replace:.
	cfg := strings.Replace(string(data), "\n# The SDK is built", "\n  - name: wave\n    module: example.com/wave\n    version: ^0.1.0\n\n# The SDK is built", 1)
	f.Close()
	if cfg == string(data) {
		return "", nil, fmt.Errorf("cannot add the wave plug to plugconfig.example.yaml: its layout changed")
	}
	if err := os.WriteFile(filepath.Join(dir, "plugconfig.yaml"), []byte(cfg), 0o644); err != nil {
		return "", nil, err
	}
	b.vproj = dir
	b.venv = map[string]string{"GOPROXY": testenv.FileURL(proxy), "GOMODCACHE": filepath.Join(b.tmp, "modcache-warm")}
	return b.vproj, b.venv, nil
}

// vendor measures (c).
func (b *bench) vendor() error {
	fmt.Fprintf(&b.md, "## (c) offline build from the vendor tree, empty vs warm module cache\n\n")
	if !b.hasCommand("vendor") {
		fmt.Fprintf(&b.md, "Not yet measurable: `plugctl vendor` has not landed (issue 4).\n\n")
		return nil
	}
	proj, env, err := b.vendorProject()
	if err != nil {
		return err
	}
	b.logf("(c) vendoring")
	if _, err := b.cmd(proj, env, b.plugctl, "vendor", "-q"); err != nil {
		return err
	}
	empty := filepath.Join(b.tmp, "modcache-empty")
	emptyEnv := map[string]string{"GOPROXY": "off", "GOMODCACHE": empty}
	warmEnv := map[string]string{"GOPROXY": "off", "GOMODCACHE": env["GOMODCACHE"]}
	var etimes, wtimes []time.Duration
	const runs = 5
	for i := range runs {
		b.logf("(c) run %d/%d", i+1, runs)
		removeAll(empty)
		d, err := b.cmd(proj, emptyEnv, b.plugctl, "build", "--offline", "--force", "-q")
		if err != nil {
			return err
		}
		etimes = append(etimes, d)
		d, err = b.cmd(proj, warmEnv, b.plugctl, "build", "--offline", "--force", "-q")
		if err != nil {
			return err
		}
		wtimes = append(wtimes, d)
	}
	if _, err := os.Stat(empty); err == nil {
		entries, _ := os.ReadDir(empty)
		if len(entries) > 0 {
			return fmt.Errorf("the offline build wrote into the empty module cache %s", empty)
		}
	}
	e, w := median(etimes), median(wtimes)
	fmt.Fprintf(&b.md, "Project: the example plus the plug `example.com/wave ^0.1.0` from a file:// module proxy (`internal/testenv/testdata/proxy`), vendored first with `plugctl vendor -q` (which fills a bench-private module cache). Then, interleaved, %d runs each with `GOPROXY=off`:\n\n", runs)
	fmt.Fprintf(&b.md, "| command | median | runs |\n|---|---|---|\n")
	fmt.Fprintf(&b.md, "| `plugctl build --offline --force -q`, `GOMODCACHE` an empty directory (removed before each run) | %s | %s |\n", ms(e), list(etimes))
	fmt.Fprintf(&b.md, "| `plugctl build --offline --force -q`, `GOMODCACHE` the warm cache `vendor` filled | %s | %s |\n\n", ms(w), list(wtimes))
	fmt.Fprintf(&b.md, "Ratio empty / warm: **%.3f×**. The vendor tree holds every byte compiled (the build runs in module mode from the tree's module mirror, with a module cache of its own, after verifying the tree's manifest), so the user's module cache is never read: any difference from 1 is noise, and the empty cache is still empty afterwards (checked).\n\n", float64(e)/float64(w))
	return b.mirrorCost(proj, runs)
}

// mirrorCost measures (c2): what building from the tree's module mirror
// (module mode, the online bytes) costs over -mod=vendor (which records no
// module sums), with the go command alone on a copy of the tree, as
// plugctl's compile step runs it.
func (b *bench) mirrorCost(proj string, runs int) error {
	tree := filepath.Join(b.tmp, "tree-copy")
	if err := copyTree(filepath.Join(proj, ".plugctl", "vendor"), tree); err != nil {
		return err
	}
	host := platform.Target{OS: runtime.GOOS, Arch: runtime.GOARCH}
	out := filepath.Join(b.tmp, "mirror-out", "hello")
	cache := filepath.Join(b.tmp, "modcache-mirror")
	variants := []struct {
		name string
		opts build.Options
	}{
		{"-mod=vendor", build.Options{Vendor: true}},
		{"module mirror", build.Options{Mirror: filepath.Join(tree, vendortree.MirrorDir), ModCache: cache}},
	}
	times := make([][]time.Duration, len(variants))
	for i := range runs {
		b.logf("(c2) run %d/%d", i+1, runs)
		for j, v := range variants {
			flags, err := build.Flags(v.opts)
			if err != nil {
				return err
			}
			removeAll(cache)
			os.Remove(out)
			env := envOverride(b.env, gotool.Env(build.Env(v.opts, host)))
			d, err := b.cmdEnv(tree, env, "go", append(append([]string{"build"}, flags...), "-o", out, ".")...)
			if err != nil {
				return err
			}
			times[j] = append(times[j], d)
		}
	}
	removeAll(cache)
	v, m := median(times[0]), median(times[1])
	fmt.Fprintf(&b.md, "## (c2) offline build: module mirror vs `-mod=vendor`\n\n")
	fmt.Fprintf(&b.md, "The same tree, `go build` with plugctl's flags and environment (`build.Flags`, `build.Env`), the user's warm `GOCACHE`, the output removed before each run, %d runs interleaved. The mirror build starts from an empty private module cache each time, as plugctl's does: it unpacks the zips of the graph first.\n\n", runs)
	fmt.Fprintf(&b.md, "| build | median | runs |\n|---|---|---|\n")
	fmt.Fprintf(&b.md, "| `-mod=vendor` (no module sums in the binary) | %s | %s |\n", ms(v), list(times[0]))
	fmt.Fprintf(&b.md, "| module mirror, `GOPROXY=file://…/mirror` (the online bytes) | %s | %s |\n\n", ms(m), list(times[1]))
	fmt.Fprintf(&b.md, "Ratio mirror / vendor: **%.3f×**.\n\n", float64(m)/float64(v))
	return nil
}

// otherUser builds the example as another user, in another directory, with
// another HOME, TZ and umask and cold build and module caches, and compares
// the binary with the one built above (e).
func (b *bench) otherUser() error {
	fmt.Fprintf(&b.md, "## (e) reproducible as another user, with cold caches\n\n")
	setpriv, err := exec.LookPath("setpriv")
	if os.Geteuid() != 0 || err != nil {
		fmt.Fprintf(&b.md, "Not run: it needs root and setpriv to switch users. `internal/cli/testdata/script/build_reproducible.txtar` covers directory, HOME, TZ, umask, mtimes and GOFLAGS.\n\n")
		return nil
	}
	dir := filepath.Join(b.tmp, "nobody", "somewhere", "else")
	proj, err := b.example(dir)
	if err != nil {
		return err
	}
	home := filepath.Join(b.tmp, "nobody", "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return err
	}
	for _, d := range []string{filepath.Join(b.tmp, "nobody"), b.tmp, filepath.Dir(b.plugctl)} {
		os.Chmod(d, 0o755)
	}
	if err := chownAll(filepath.Join(b.tmp, "nobody"), 65534, 65534); err != nil {
		return err
	}
	extra := map[string]string{"XDG_CACHE_HOME": filepath.Join(home, ".cache"),
		"HOME": home, "GOCACHE": filepath.Join(home, "gocache"), "GOMODCACHE": filepath.Join(home, "modcache"),
		"GOPATH": filepath.Join(home, "go"), "TZ": "Pacific/Chatham", "USER": "nobody", "LOGNAME": "nobody",
	}
	b.logf("(e) building as nobody with cold caches (compiles the standard library)")
	d, err := b.cmd(proj, extra, setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--", "sh", "-c", "umask 077 && exec \"$0\" build -q", b.plugctl)
	if err != nil {
		return err
	}
	a, _ := os.ReadFile(filepath.Join(b.proj, "dist", "hello.sha256"))
	o, _ := os.ReadFile(filepath.Join(proj, "dist", "hello.sha256"))
	same := len(a) > 0 && bytes.Equal(a, o)
	fmt.Fprintf(&b.md, "Command: `setpriv --reuid=65534 --regid=65534 --clear-groups -- sh -c 'umask 077 && exec plugctl build -q'` in a copy of the project at another path, with `HOME`, `GOCACHE`, `GOMODCACHE` and `GOPATH` empty directories of that user's and `TZ=Pacific/Chatham` (%s, cold).\n\n", ms(d))
	fmt.Fprintf(&b.md, "| build | sha256 |\n|---|---|\n| root, warm caches | `%s` |\n| nobody, cold caches | `%s` |\n\n", field(a), field(o))
	fmt.Fprintf(&b.md, "Byte-identical: %s.\n\n", b.verdict(same, "(e) identical as another user"))
	return nil
}

// example copies the bundled example project (config, core, plugs, SDK)
// into dir and returns dir.
func (b *bench) example(dir string) (string, error) {
	for _, sub := range []string{"examples", "plug"} {
		if err := copyTree(filepath.Join(b.repo, sub), filepath.Join(dir, sub)); err != nil {
			return "", err
		}
	}
	data, err := os.ReadFile(filepath.Join(b.repo, "plugconfig.example.yaml"))
	if err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "plugconfig.yaml"), data, 0o644)
}

func (b *bench) hasCommand(name string) bool {
	out, err := exec.Command(b.plugctl, "help").CombinedOutput()
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 0 && f[0] == name {
			return true
		}
	}
	return false
}

// cmd runs name args in dir with the bench environment plus extra and
// returns its wall time.
func (b *bench) cmd(dir string, extra map[string]string, name string, args ...string) (time.Duration, error) {
	env := b.env
	if extra != nil {
		env = envOverride(env, kv(extra))
	}
	return b.cmdEnv(dir, env, name, args...)
}

func (b *bench) cmdEnv(dir string, env []string, name string, args ...string) (time.Duration, error) {
	c := exec.Command(name, args...)
	c.Dir, c.Env = dir, env
	var stderr bytes.Buffer
	c.Stderr = &stderr
	start := time.Now()
	err := c.Run()
	d := time.Since(start)
	if c.ProcessState != nil {
		// wait4's rusage covers the children the command waited for:
		// the go command's compiles and link count.
		b.lastCPU = c.ProcessState.UserTime() + c.ProcessState.SystemTime()
	}
	if err != nil {
		return d, fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return d, nil
}

// peak runs plugctl args in dir and returns its own peak RSS (VmHWM, KiB)
// and wait4's ru_maxrss (KiB, descendants included).
func (b *bench) peak(dir string, extra map[string]string, args ...string) (hwm, maxrss int64, err error) {
	c := exec.Command(b.plugctl, args...)
	c.Dir, c.Env = dir, envOverride(b.env, kv(extra))
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Start(); err != nil {
		return 0, 0, err
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	status := fmt.Sprintf("/proc/%d/status", c.Process.Pid)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		if v := vmHWM(status); v > hwm {
			hwm = v
		}
		select {
		case err := <-done:
			if err != nil {
				return 0, 0, fmt.Errorf("plugctl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
			}
			if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
				maxrss = ru.Maxrss
			}
			return hwm, maxrss, nil
		case <-tick.C:
		}
	}
}

// vmHWM reads the VmHWM line (KiB) of a /proc status file; 0 if gone.
func vmHWM(status string) int64 {
	data, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				v, _ := strconv.ParseInt(f[0], 10, 64)
				return v
			}
		}
	}
	return 0
}

func (b *bench) verdict(ok bool, what string) string {
	if ok {
		return "**met**"
	}
	b.failed = append(b.failed, what)
	return "**not met**"
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func medianFloat(fs []float64) float64 {
	s := slices.Clone(fs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func list(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%.0f", float64(d)/float64(time.Millisecond))
	}
	return strings.Join(parts, " ") + " ms"
}

// knobs renders the variables plugctl sets for a compile, sorted.
func knobs(env map[string]string) []string {
	var out []string
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return append(out, "GOTOOLCHAIN=local", "GOWORK=off", "GOFLAGS=")
}

func redactTmp(args []string, tmp string) []string {
	out := slices.Clone(args)
	for i, a := range out {
		out[i] = strings.ReplaceAll(a, tmp, "$TMP")
	}
	return out
}

func field(sum []byte) string {
	if f := strings.Fields(string(sum)); len(f) > 0 {
		return f[0]
	}
	return "(none)"
}

func goVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return "go (unknown)"
	}
	return strings.TrimSpace(string(out))
}

// environ is the process environment with set overriding it.
func environ(set map[string]string) []string {
	return envOverride(os.Environ(), kv(set))
}

func kv(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

// envOverride returns base with every KEY=VALUE of over replacing base's.
func envOverride(base, over []string) []string {
	keys := map[string]bool{}
	for _, e := range over {
		k, _, _ := strings.Cut(e, "=")
		keys[k] = true
	}
	var out []string
	for _, e := range base {
		k, _, _ := strings.Cut(e, "=")
		if !keys[k] {
			out = append(out, e)
		}
	}
	return append(out, over...)
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.Contains(data, []byte("module github.com/plugctl/plugctl\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("run bench inside the plugctl repository")
		}
		dir = parent
	}
}

// copyTree copies the regular files and directories under src to dst.
func copyTree(src, dst string) error {
	return filepath.Walk(src, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if fi.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !fi.Mode().IsRegular() {
			return nil
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

func chownAll(dir string, uid, gid int) error {
	return filepath.Walk(dir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
}

// removeAll removes dir, module cache files made read-only included.
func removeAll(dir string) {
	filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err == nil && fi.IsDir() {
			os.Chmod(path, 0o755)
		}
		return nil
	})
	os.RemoveAll(dir)
}
