package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/profile"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/watch"
)

// stopGrace is how long a program plugctl run --watch stops has to exit
// after an interrupt before it is killed.
const stopGrace = 5 * time.Second

// watch is plugctl run --watch: build, start, and on every change to what
// feeds the build, rebuild and restart.
func (o *runOptions) watch(ctx context.Context) error {
	var (
		prog    *program
		running string // the SHA-256 of the binary prog runs
		ignore  []string
	)
	defer func() { prog.stop() }()
	say := func(format string, args ...any) {
		if !o.quiet {
			fmt.Fprintf(o.ios.ErrOut, "watch: "+format+"\n", args...)
		}
	}
	roots := func() []string { return o.watchRoots() }
	skip := func(p string) bool { return slices.Contains(ignore, p) }
	// The files are listed before each build: an edit made while it runs
	// is a change for the next one.
	last := watch.Scan(roots(), skip)
	first := true
	for {
		art, err := o.hostBinary(ctx)
		o.finish()
		o.progress = nil // the next build draws afresh
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The build may write the lock: its own doing, not a change.
		if l, err := filepath.Abs(lock.PathFor(o.file)); err == nil {
			last = last.Update(watch.Scan([]string{l}, nil))
		}
		switch {
		case err != nil:
			printError(o.ios, err)
			say("waiting for a change")
		case art.SHA256 == running && prog.alive():
			say("%s did not change", relPath(art.Path))
		default:
			if prog.alive() {
				say("restarting %s", relPath(art.Path))
				prog.stop()
			}
			ignore = []string{art.Path, artifact.SumPath(art.Path), artifact.SBOMPath(art.Path), artifact.RecordPath(art.Path)}
			if prog, err = startProgram(o.ios, art.Path, o.Args, func(err error) {
				say("%s exited (%v); waiting for a change", relPath(art.Path), exitText(err))
			}); err != nil {
				return err
			}
			running = art.SHA256
		}
		if first {
			say("watching %s every %v; Ctrl-C stops", strings.Join(shortRoots(roots()), ", "), watch.Interval)
			first = false
		}
		now, err := watch.Wait(ctx, watch.Interval, last, roots, skip)
		if err != nil {
			return err
		}
		if ch := last.Changed(now, 3); len(ch) > 0 {
			shown := make([]string, len(ch))
			for i, c := range ch {
				shown[i] = relPath(c)
			}
			slices.Sort(shown)
			say("changed: %s", strings.Join(shown, ", "))
		}
		last = now
	}
}

// watchRoots are the files and directories that feed the build of the
// config: the config, its lock, core.template, the local sources of the
// core, the enabled plugs and replace entries, and build.embed's directory. When the config does not
// load, the config alone: fixing it is the change to wait for.
func (o *runOptions) watchRoots() []string {
	var roots []string
	for _, f := range []string{o.file, lock.PathFor(o.file)} {
		if abs, err := filepath.Abs(f); err == nil {
			roots = append(roots, abs)
		}
	}
	cfg, err := config.Load(o.file)
	if err != nil {
		return roots
	}
	local := func(p string) {
		if p == "" {
			return
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(cfg.Dir, filepath.FromSlash(p))
		}
		roots = append(roots, p)
	}
	if isKind(cfg.Core.Source, source.Local) {
		local(cfg.Core.Source)
	}
	local(cfg.Core.Template)
	if profile.IsPath(cfg.Core.Profile) {
		// The profile file and the templates it lists.
		local(cfg.Core.Profile)
		if spec, err := profile.LoadFile(cfg.Dir, cfg.Core.Profile); err == nil {
			for _, t := range append(spec.Templates, spec.Embed...) {
				local(t.From)
			}
		}
	}
	for _, p := range cfg.Enabled() {
		if isKind(p.Source, source.Local) {
			local(p.Source)
		}
	}
	for _, r := range cfg.Replace {
		local(r.Dir)
	}
	local(cfg.Build.Embed)
	return roots
}

// shortRoots are roots for a message: the lock left out (it goes with the
// config), the rest relative to the working directory.
func shortRoots(roots []string) []string {
	var out []string
	for _, r := range roots {
		if !strings.HasSuffix(r, ".lock") {
			out = append(out, relPath(r))
		}
	}
	return out
}

// program is a program run --watch started.
type program struct {
	cmd      *exec.Cmd
	waited   chan struct{} // closed once it has exited
	stopping atomic.Bool   // its end is plugctl's doing: not news
}

// startProgram starts bin with args, its stdout and stderr plugctl's and no
// stdin, and calls exited (from another goroutine) if it ends on its own.
func startProgram(ios *IOStreams, bin string, args []string, exited func(error)) (*program, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = ios.Out, ios.ErrOut
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("running %s: %w", bin, err)
	}
	p := &program{cmd: cmd, waited: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		close(p.waited)
		if !p.stopping.Load() {
			exited(err)
		}
	}()
	return p, nil
}

// alive reports whether p is running.
func (p *program) alive() bool {
	if p == nil {
		return false
	}
	select {
	case <-p.waited:
		return false
	default:
		return true
	}
}

// stop interrupts p, and kills it if it has not exited within stopGrace.
func (p *program) stop() {
	if !p.alive() {
		return
	}
	p.stopping.Store(true)
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		_ = p.cmd.Process.Kill() // no interrupt on Windows
	}
	select {
	case <-p.waited:
	case <-time.After(stopGrace):
		_ = p.cmd.Process.Kill()
		<-p.waited
	}
}

// exitText describes how a program ended.
func exitText(err error) string {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return "status 0"
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return "signal " + ws.Signal().String()
		}
		return fmt.Sprintf("status %d", ee.ExitCode())
	}
	return err.Error()
}
