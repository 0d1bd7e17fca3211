// Package build compiles a generated build module into one static binary per
// target, in parallel, with the explicit environment docs/build.md's "How a
// build works" lists.
package build

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/ldflags"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/run"
)

// Options says what to compile and how.
type Options struct {
	Dir     string            // the build module
	Targets []platform.Target // at least one
	Output  func(platform.Target) string
	Tags    []string
	Ldflags []string
	// Gcflags are compiler flags for every package (-gcflags=all=…).
	Gcflags []string
	// Cgo builds with CGO_ENABLED=1 (a binary linked against C); the
	// default is static.
	Cgo    bool
	Vendor bool // build from Dir/vendor with the network off
	// Mirror, when set, is a directory in GOPROXY layout holding every
	// module of the build (a vendor tree's mirror): the build is in module
	// mode, as online, with GOPROXY pointing there alone and the module
	// cache ModCache, so the binary is the online one, byte for byte.
	Mirror   string
	ModCache string
	// Owners maps module paths to the plug (or "core") they belong to, so a
	// compile error can name its culprit; Sources maps the directories of
	// the plugs built from one to them, for the errors that name a file by
	// its path rather than its package: absolute directories (links
	// resolved), or slash paths relative to Dir ("local/NAME").
	Owners  map[string]string
	Sources map[string]string
	// Locate, when set, says how a compile error shows the file go named
	// at an absolute path: a local source relative to the current
	// directory, a module's file as module@version/path; "" leaves the
	// path as go gave it.
	Locate func(path string) string
	// Notes, by the names of Owners, say more of a culprit when its
	// packages fail to compile: the plugs that raised the core's
	// dependencies.
	Notes map[string]string
	// Progress, when set, is told how many targets compiled of how many,
	// at the start and as each succeeds: a failed target is not done.
	Progress func(done, total int)
	// Packages, when set, is told each time a target begins to compile
	// one of its packages (not those the build cache already holds), with
	// how many it has for all targets together: where a long compile is.
	// It needs go build -json (Go 1.24 and later).
	Packages func(compiled int)
	// Claim, when set, is called just before a compiled binary is moved to
	// its output path; an error leaves the path as it was. The pipeline
	// checks there that the path is plugctl's to replace and marks it so
	// (artifact.Claim).
	Claim func(path string, t platform.Target) error
	// Discard, when set, is given the temporary directory of a compiled
	// binary once it is in place, holding a link to the binary it
	// replaced, to remove (freeing that binary) while the caller goes
	// on; without it the directory is removed before Compile returns.
	Discard func(dir string)
	// Check, when set, is called with each compiled binary at its
	// temporary path, before Claim: an error leaves the output path as it
	// was and the binary is removed. The pipeline audits the target there
	// when a policy asks (policy.audit: build).
	Check func(ctx context.Context, tmp string, t platform.Target) error
	// Built, when set, is told of each binary as soon as it is in place,
	// while other targets may still compile: what reads it can start.
	Built func(a Artifact)
}

// Artifact is one compiled binary.
type Artifact struct {
	Target   platform.Target
	Path     string
	Duration time.Duration
}

// TargetError is the failure of one target.
type TargetError struct {
	Target platform.Target
	Err    error
}

func (e *TargetError) Error() string { return fmt.Sprintf("target %s: %v", e.Target, e.Err) }
func (e *TargetError) Unwrap() error { return e.Err }

// Compile builds every target, at most GOMAXPROCS at a time. It returns the
// artifacts that were built, in target order, and the failures of the others
// joined together: one failing target does not hide the rest.
func Compile(ctx context.Context, r report.Reporter, o Options) ([]Artifact, error) {
	arts := make([]*Artifact, len(o.Targets))
	errs := make([]error, len(o.Targets))
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	var mu sync.Mutex
	compiled := 0
	progress := func(add int) {
		if o.Progress != nil {
			mu.Lock()
			defer mu.Unlock()
			compiled += add
			o.Progress(compiled, len(o.Targets))
		}
	}
	packages := 0
	pkg := func() {
		if o.Packages != nil {
			mu.Lock()
			defer mu.Unlock()
			packages++
			o.Packages(packages)
		}
	}
	progress(0)
	for i, t := range o.Targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			a, err := compileOne(ctx, r, o, t, pkg)
			if err != nil {
				errs[i] = &TargetError{Target: t, Err: err}
				return
			}
			arts[i] = a
			if o.Built != nil {
				o.Built(*a)
			}
			progress(1)
		}()
	}
	wg.Wait()
	var out []Artifact
	for _, a := range arts {
		if a != nil {
			out = append(out, *a)
		}
	}
	return out, errors.Join(errs...)
}

// Flags returns the go build flags for o, output excluded. It fails on an
// ldflags item the config would refuse (package ldflags).
func Flags(o Options) ([]string, error) {
	args := []string{"-trimpath", "-buildvcs=false"}
	if o.Vendor {
		args = append(args, "-mod=vendor")
	} else {
		args = append(args, "-mod=readonly")
	}
	if len(o.Tags) > 0 {
		args = append(args, "-tags="+strings.Join(o.Tags, ","))
	}
	// -ldflags is always set, so a user's GOFLAGS cannot inject one.
	ld, err := ldflags.Join(o.Ldflags)
	if err != nil {
		return nil, fail.Wrap(fail.Config, err)
	}
	gc, err := ldflags.JoinGC(o.Gcflags)
	if err != nil {
		return nil, fail.Wrap(fail.Config, err)
	}
	if gc != "" {
		// Every package: a debugger needs the dependencies unoptimised too.
		args = append(args, "-gcflags=all="+gc)
	}
	return append(args, "-ldflags="+ld), nil
}

// Env returns the environment overrides for compiling t.
func Env(o Options, t platform.Target) map[string]string {
	env := map[string]string{"GOOS": t.OS, "GOARCH": t.Arch, "CGO_ENABLED": "0"}
	if o.Cgo {
		env["CGO_ENABLED"] = "1"
	}
	for k, v := range t.Env() {
		env[k] = v // GOARM=6 for linux/arm/v6
	}
	if o.Vendor {
		env["GOFLAGS"] = "-mod=vendor"
		env["GOPROXY"] = "off"
		env["GOSUMDB"] = "off"
	}
	if o.Mirror != "" {
		// go.sum is complete (it came with the tree, made from the lock):
		// no checksum database, no private patterns that would send a
		// module anywhere but the mirror.
		url := "file://" + filepath.ToSlash(o.Mirror)
		if !strings.HasPrefix(url, "file:///") {
			url = "file:///" + strings.TrimPrefix(url, "file://") // C:/… on Windows
		}
		env["GOPROXY"] = url
		env["GOSUMDB"] = "off"
		env["GONOSUMDB"], env["GOPRIVATE"], env["GONOPROXY"], env["GOINSECURE"] = "", "", "", ""
		env["GOMODCACHE"] = o.ModCache
		env["GOFLAGS"] = "-modcacherw" // so that the private cache can be removed
	}
	return env
}

func compileOne(ctx context.Context, r report.Reporter, o Options, t platform.Target, compiled func()) (*Artifact, error) {
	start := time.Now()
	out := o.Output(t)
	flags, err := Flags(o)
	if err != nil {
		return nil, err
	}
	// A directory that cannot be made or written is the environment's
	// failure (exit 1), named by the output's directory.
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, &fail.EnvError{Path: filepath.Dir(out), Err: err}
	}
	// The binary is linked in a directory of this process's own beside
	// out (a rename into place stays on one file system), so that two
	// builds to the same path never write one temporary file; go build -o
	// would refuse an existing empty file, hence a directory.
	tmpDir, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return nil, &fail.EnvError{Path: filepath.Dir(out), Err: err}
	}
	discarded := false
	defer func() {
		if !discarded {
			os.RemoveAll(tmpDir)
		}
	}()
	tmp := filepath.Join(tmpDir, filepath.Base(out))
	// -json -v: each package go begins to compile is an event on stdout
	// (counted), and so is what go prints of a package's errors (go help
	// buildjson); what go itself says stays on stderr.
	args := []string{"build"}
	if o.Packages != nil {
		args = append(args, "-json", "-v")
	}
	args = append(args, flags...)
	args = append(args, "-o", tmp, ".")
	evs := &events{compiled: compiled}
	_, err = gotool.Run(ctx, r, run.Cmd{Dir: o.Dir, Stdout: evs}, Env(o, t), args...)
	var re *run.Error
	if err != nil && errors.As(err, &re) {
		// The errors as go build without -json prints them: the
		// packages' output, then go's own.
		text := strings.Trim(evs.text(), "\n")
		if text != "" && re.Stderr != "" {
			text += "\n"
		}
		re.Stderr = text + re.Stderr
		var env *fail.EnvError
		if !errors.As(err, &env) && ctx.Err() == nil {
			// The machine's failure may be in the events rather than on
			// stderr (a full disk while compiling).
			if env := gotool.Environment(ctx, Env(o, t), re.Stderr); env != nil {
				err = env
			}
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		var env *fail.EnvError
		if errors.As(err, &env) && env.Var == "" && strings.HasPrefix(env.Path, tmpDir) {
			// go could not write the binary: say where it was going.
			return nil, &fail.EnvError{Path: out, Err: env.Err}
		}
		if errors.As(err, &re) && re.Stderr != "" {
			return nil, fail.Wrap(fail.Compile, compileError(re.Stderr, o))
		}
		return nil, fail.Wrap(fail.Compile, err)
	}
	if o.Check != nil {
		if err := o.Check(ctx, tmp, t); err != nil {
			return nil, err
		}
	}
	if o.Claim != nil {
		if err := o.Claim(out, t); err != nil {
			return nil, err
		}
	}
	if o.Discard != nil {
		// A link keeps the binary replaced alive past the rename, so
		// that freeing its pages — tens of milliseconds for a large one
		// — is Discard's, not the rename's; the rename stays atomic.
		os.Link(out, filepath.Join(tmpDir, "replaced"))
	}
	if err := os.Rename(tmp, out); err != nil {
		return nil, &fail.EnvError{Path: out, Err: err}
	}
	if o.Discard != nil {
		discarded = true
		o.Discard(tmpDir)
	}
	return &Artifact{Target: t, Path: out, Duration: time.Since(start)}, nil
}

// The places in go build's output that say where an error is: the
// "# import/path" lines before a package's errors (pkgHeader); positions,
// "module@version/file.go:", "module/file.go:", or, for an error met while
// loading packages (a file that does not parse), the file's path in the
// build module, "local/NAME/file.go:" or "vendor/module/file.go:"
// (fileLine); the packages an import cycle or a missing package lists,
// "package a" and "\timports b" (pkgLine); and the directory of "found
// packages a (a.go) and b (b.go) in DIR" (inDir).
var (
	pkgHeader = regexp.MustCompile(`(?m)^# (\S+)`)
	fileLine  = regexp.MustCompile(`(?m)^(\S+?)\.go:\d+`)
	pkgLine   = regexp.MustCompile(`(?m)^\s*(?:package|imports) (\S+)`)
	inDir     = regexp.MustCompile(`(?m) in (\S+)$`)
)

// culprits names the plugs (or the core) whose packages or files the
// compile errors in stderr come from, as a first line of the error, with
// the notes of those it names.
func culprits(stderr string, o Options) string {
	names := culpritNames(stderr, o)
	if len(names) == 0 {
		return "compile failed:\n"
	}
	names = slices.Clone(names)
	var said []string
	for i, n := range names {
		if o.Notes[n] != "" {
			said = append(said, o.Notes[n])
		}
		if n != "core" {
			names[i] = fmt.Sprintf("plug %q", n)
		}
	}
	if len(said) > 0 {
		return "compile failed in " + strings.Join(names, ", ") + " (" + strings.Join(said, "; ") + "):\n"
	}
	return "compile failed in " + strings.Join(names, ", ") + ":\n"
}

// culpritNames returns the names of the plugs (and "core") whose packages or
// files the compile errors in stderr come from, sorted.
func culpritNames(stderr string, o Options) []string {
	var paths []string
	for _, re := range []*regexp.Regexp{pkgHeader, fileLine, pkgLine, inDir} {
		for _, m := range re.FindAllStringSubmatch(stderr, -1) {
			paths = append(paths, m[1])
		}
	}
	seen := map[string]bool{}
	var names []string
	for _, p := range paths {
		if who := o.owner(p); who != "" && !seen[who] {
			seen[who] = true
			names = append(names, who)
		}
	}
	sort.Strings(names)
	return names
}

// owner finds who owns p, a package path or a file's path as go build
// printed it: by module path, the longest that is p or a prefix of it (in
// vendor/ too); else by directory.
func (o Options) owner(p string) string {
	mod, _, _ := strings.Cut(p, "@")
	if who := longest(mod, o.Owners); who != "" {
		return who
	}
	if rest, ok := strings.CutPrefix(p, "vendor/"); ok {
		if who := longest(rest, o.Owners); who != "" {
			return who
		}
	}
	if who := longest(filepath.ToSlash(p), o.Sources); who != "" {
		return who
	}
	// A path through a link of the build module (local/NAME → the source
	// directory), or any other: compare with links resolved.
	abs := p
	if !filepath.IsAbs(abs) {
		if o.Dir == "" {
			return ""
		}
		abs = filepath.Join(o.Dir, filepath.FromSlash(p))
	}
	for d := abs; d != filepath.Dir(d); d = filepath.Dir(d) {
		if r, err := filepath.EvalSymlinks(d); err == nil {
			rel, _ := filepath.Rel(d, abs)
			return longest(filepath.ToSlash(filepath.Join(r, rel)), o.Sources)
		}
	}
	return ""
}

// longest returns whom owners maps the longest key that is p or a prefix
// of it (followed by a slash) to.
func longest(p string, owners map[string]string) string {
	best, who := "", ""
	for k, name := range owners {
		if (p == k || strings.HasPrefix(p, k+"/")) && len(k) > len(best) {
			best, who = k, name
		}
	}
	return who
}

// Problem is one compile error at its position, the file shown where a user
// can open it (Options.Locate).
type Problem struct {
	File      string
	Line, Col int    // Col is 0 when go gave none
	Plug      string // the plug whose code it is in, "core", or "" for neither
	Msg       string
}

// String renders p as go does: file:line:col: msg.
func (p Problem) String() string {
	if p.Col > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
}

// CompileError is the go command's failure to build a target: the plugs
// (and the core) it is in, each error at its position, and go's output
// with every file it names shown where a user can open it.
type CompileError struct {
	// Plugs are the names of the plugs the errors are in, sorted; "core"
	// for the core. Empty when they are in none (the generated main).
	Plugs []string
	// Problems are the errors at a position, in go's order.
	Problems []Problem
	// Head is the first line, naming the culprits (culprits); Output what
	// go printed, its files shown as Locate says.
	Head, Output string
}

func (e *CompileError) Error() string { return e.Head + e.Output }

// position matches the "file.go:line:col: message" lines of go's output.
var position = regexp.MustCompile(`^(\S+?\.(?:go|s|c|h|cc|cpp|m|syso)):(\d+)(?::(\d+))?: (.*)$`)

// compileError makes the error of a failed compile from go's stderr: the
// culprits named as culprits names them, and each file go names shown as
// o.Locate says (a path relative to o.Dir, where go ran, made absolute
// first), its plug the file's owner or else that of the package whose
// errors it is among.
func compileError(stderr string, o Options) *CompileError {
	e := &CompileError{Plugs: culpritNames(stderr, o), Head: culprits(stderr, o)}
	var out strings.Builder
	pkg := ""
	for _, line := range strings.SplitAfter(stderr, "\n") {
		text := strings.TrimSuffix(line, "\n")
		if m := pkgHeader.FindStringSubmatch(text); m != nil {
			pkg = m[1]
		}
		m := position.FindStringSubmatch(text)
		if m == nil {
			out.WriteString(line)
			continue
		}
		file := m[1]
		plug := o.owner(file)
		if plug == "" && pkg != "" {
			plug = o.owner(pkg)
		}
		if o.Locate != nil {
			abs := filepath.FromSlash(file)
			if !filepath.IsAbs(abs) {
				abs = filepath.Join(o.Dir, abs)
			}
			if shown := o.Locate(abs); shown != "" {
				file = shown
			}
		}
		ln, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		p := Problem{File: file, Line: ln, Col: col, Plug: plug, Msg: m[4]}
		e.Problems = append(e.Problems, p)
		out.WriteString(p.String() + strings.TrimPrefix(line, text))
	}
	e.Output = out.String()
	return e
}

// event is one line of `go build -json` (go help buildjson): the output
// of building the package ImportPath, or its failure.
type event struct {
	ImportPath string
	Action     string // "build-output" or "build-fail"
	Output     string
}

// events reads the JSON lines go build -json writes. With -v, a package
// about to compile prints its import path as its output: those lines are
// counted (compiled), the rest kept for the error, in order.
type events struct {
	mu       sync.Mutex
	partial  []byte
	output   bytes.Buffer
	compiled func()
}

func (e *events) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			e.partial = append(e.partial, p...)
			break
		}
		e.line(append(e.partial, p[:i]...))
		e.partial = nil
		p = p[i+1:]
	}
	return n, nil
}

func (e *events) line(b []byte) {
	var ev event
	if json.Unmarshal(b, &ev) != nil {
		e.output.Write(b) // not an event: kept as it is
		e.output.WriteByte('\n')
		return
	}
	switch {
	case ev.Action != "build-output":
	case ev.Output == ev.ImportPath+"\n":
		if e.compiled != nil {
			e.compiled()
		}
	default:
		e.output.WriteString(ev.Output)
	}
}

// text returns what go printed besides the package names.
func (e *events) text() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.partial) > 0 {
		e.line(e.partial)
		e.partial = nil
	}
	return e.output.String()
}
