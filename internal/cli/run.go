package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
)

// runOptions are the inputs of plugctl run.
type runOptions struct {
	*globals
	// Args are passed to the program.
	Args []string
	// Force rebuilds even when nothing that feeds the binary changed.
	Force bool
	// Watch rebuilds and restarts the program whenever a file that feeds
	// the build changes (see watch.go).
	Watch bool
}

func newCmdRun(g *globals, runF func(context.Context, *runOptions) error) *cobra.Command {
	o := &runOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "run [flags] [--] [ARGS...]",
		Short: "Build for this machine and run the binary with ARGS",
		Long: `run builds the config for the host, as build would (an artifact whose inputs did
not change is reused, so an unchanged project starts at once), then runs the binary
with ARGS. The program gets plugctl's stdin, stdout and stderr, and plugctl exits with
its exit code: the plug author's edit-build-run loop. The exit codes below are
plugctl's own, when the build fails before the program runs.

Everything after the first argument (or after --) goes to the program. The binary is
the host's artifact of build.output when build.targets includes the host, and
.plugctl/run/NAME otherwise. Build progress goes to stderr (-q silences it); --json
is refused, since stdout belongs to the program.

With --watch, run keeps going: it polls the files that feed the build every 500 ms
(the config, the lock, core.template and every file of the local core, plugs and
replace directories but hidden files, testdata and _test.go files), and when one
changes it rebuilds and, if the binary changed, stops the program (an interrupt,
then a kill after 5 s) and starts the new one. A build that fails is reported and
the old program keeps running until the next change; a program that exits is
reported and started again after the next change. The program gets no stdin. Ctrl-C
stops both (exit 130).`,
		Example: `  plugctl run -- plugins
  plugctl run -q greet World
  plugctl run --watch -- serve --listen :8080`,
		Args:        cobra.ArbitraryArgs,
		Annotations: map[string]string{noJSONAnnotation: "stdout belongs to the program"},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Args = args
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runRun(cmd.Context(), o)
		},
	}
	// Flags after the first argument are the program's.
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().BoolVar(&o.Force, "force", false, "rebuild even when nothing changed")
	cmd.Flags().BoolVarP(&o.Watch, "watch", "w", false, "rebuild and restart the program whenever a file that feeds the build changes")
	return withExits(cmd, fail.Config, fail.Mismatch, fail.Fetch, fail.Compile, fail.Policy)
}

// exitStatus is the exit code of the program plugctl run ran: Run exits
// with it and prints nothing, since the program spoke for itself.
type exitStatus struct{ code int }

func (e *exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func runRun(ctx context.Context, o *runOptions) error {
	if o.json {
		return usage(errors.New("run does not take --json: stdout belongs to the program (use build --json)"))
	}
	if o.Watch {
		return o.watch(ctx)
	}
	art, err := o.hostBinary(ctx)
	if err != nil {
		return err
	}
	// The display must be gone before the program writes to the terminal.
	o.finish()
	return execProgram(o.ios, art.Path, o.Args)
}

// hostBinary builds (or reuses) the host's artifact, as build does
// (pipeline.Options.Host). The project lock is held while building only:
// the program runs without it.
func (o *runOptions) hostBinary(ctx context.Context) (pipeline.Artifact, error) {
	if err := o.findConfig(); err != nil {
		return pipeline.Artifact{}, err
	}
	s := o.newState(pipeline.Options{File: o.file, Host: true, Force: o.Force})
	defer s.Close()
	if err := pipeline.Run(ctx, s, pipeline.BuildSteps); err != nil {
		return pipeline.Artifact{}, err
	}
	arts := s.Artifacts()
	if len(arts) != 1 {
		return pipeline.Artifact{}, fmt.Errorf("building for %s/%s: no artifact", s.Toolchain.GOOS, s.Toolchain.GOARCH)
	}
	return arts[0], nil
}

// execProgram runs bin with args on ios and returns its exit status as an
// *exitStatus (nil for 0).
//
// A Ctrl-C at a terminal reaches the program directly, since it shares
// plugctl's process group: plugctl then waits for the program to finish on
// its own terms and exits with its code. Termination signals sent to plugctl
// alone (SIGTERM from a supervisor, SIGHUP, or SIGINT when stdin is not a
// terminal) are passed on to the program.
func execProgram(ios *IOStreams, bin string, args []string) error {
	cmd := exec.Command(bin, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = ios.In, ios.Out, ios.ErrOut
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("running %s: %w", bin, err)
	}
	programRunning.Store(true)
	defer programRunning.Store(false)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case sig := <-sigs:
			if sig == os.Interrupt && ios.InTTY {
				continue // the terminal sent it to the program as well
			}
			_ = cmd.Process.Signal(sig)
		case err := <-done:
			var ee *exec.ExitError
			switch {
			case err == nil:
				return nil
			case errors.As(err, &ee):
				code := ee.ExitCode()
				if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					code = 128 + int(ws.Signal()) // as a shell reports it
				}
				return &exitStatus{code}
			}
			return fmt.Errorf("running %s: %w", bin, err)
		}
	}
}
