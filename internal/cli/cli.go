// Package cli is plugctl's command-line interface: one file per command, each
// an options struct, a constructor and a run function a test can call.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
	"github.com/plugctl/plugctl/internal/policy"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/run"
	"github.com/plugctl/plugctl/internal/suggest"
)

// Main runs plugctl with the process's arguments and streams and returns the
// exit code.
//
// Ctrl-C (SIGINT) or SIGTERM cancels the command's context: child processes
// are stopped and what was half-written is removed, and plugctl exits 130.
// Should plugctl itself be stuck where a cancellation does not reach (a
// system call that waits, like opening a FIFO), a second signal, or
// interruptGrace after the first, ends the process all the same.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go watchdog(sigs, interruptGrace, func(code int) {
		fmt.Fprintln(os.Stderr, "plugctl: interrupted")
		os.Exit(code)
	})
	return Run(ctx, System(), os.Args[1:])
}

// interruptGrace is how long a cancelled command has to end on its own:
// its child processes get a second to stop before they are killed (package
// run), a program run --watch started five (stopGrace), then a little for
// the clean-up.
const interruptGrace = 10 * time.Second

// programRunning is set while plugctl run waits for the program it
// started, which handles the signals itself (execProgram): plugctl then
// ends when the program does, however long that takes.
var programRunning atomic.Bool

// watchdog ends the process with exit 130 when plugctl did not end after a
// signal: at a second signal, or grace after the first. It returns when
// sigs is closed.
func watchdog(sigs <-chan os.Signal, grace time.Duration, exit func(int)) {
	var timeout <-chan time.Time
	for {
		select {
		case _, ok := <-sigs:
			switch {
			case !ok:
				return
			case programRunning.Load():
			case timeout != nil:
				exit(int(fail.Interrupted))
				return
			default:
				timeout = time.After(grace)
			}
		case <-timeout:
			if !programRunning.Load() {
				exit(int(fail.Interrupted))
				return
			}
			timeout = nil
		}
	}
}

// Run executes one plugctl command line and returns its exit code.
func Run(ctx context.Context, ios *IOStreams, args []string) int {
	g := &globals{ios: ios}
	return execute(ctx, g, NewRoot(g), args)
}

// execute runs the command line args on root, whose commands share g, and
// returns the exit code.
func execute(ctx context.Context, g *globals, root *cobra.Command, args []string) int {
	ios := g.ios
	root.SetArgs(args)
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	cmd, err := root.ExecuteContextC(ctx)
	g.finish()
	var es *exitStatus
	if errors.As(err, &es) {
		return es.code // plugctl run: the program's own exit code
	}
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("interrupted: %w", context.Canceled)
	}
	if err != nil && !g.started {
		// cobra refused the command line before the command ran (an
		// unknown command or flag, a flag group, a required flag): a usage
		// error.
		err = usage(err)
	}
	if g.json && wantsEnvelope(cmd) && (cmd.HasParent() || err != nil) {
		if jerr := g.printResult(cmd, err); jerr != nil && err == nil {
			err = jerr
		}
	}
	if err == nil {
		return 0
	}
	printError(ios, err)
	if ue := (*usageError)(nil); errors.As(err, &ue) && cmd != nil {
		fmt.Fprintf(ios.ErrOut, "run '%s --help' for usage\n", cmd.CommandPath())
	}
	return fail.Code(err)
}

// usageError is a mistake in the command line: it exits 2, and its message
// is followed by how to get help on the command.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usage marks err, if not nil, as a mistake in the command line.
func usage(err error) error {
	if err == nil {
		return nil
	}
	if ue := (*usageError)(nil); errors.As(err, &ue) {
		return err
	}
	return fail.Wrap(fail.Config, &usageError{err})
}

// globals are the flags every command takes.
type globals struct {
	ios     *IOStreams
	file    string
	json    bool
	quiet   bool
	verbose bool
	// policy is the site's policy file (--policy); sitePolicy falls back
	// on the environment.
	policy string

	// result is the command's --json document, printed by Run once the
	// command has returned so that failures get one too.
	result jsonResult
	// progress draws the steps; made on first use, finished by Run.
	progress *progress
	// prompt asks questions on a terminal; made on first use.
	prompt *prompter
	// started is set once a command's own code runs: errors before that
	// are cobra's verdict on the command line.
	started bool
	// fileSet is set when -f was given; findConfig looks for the config
	// otherwise.
	fileSet bool
}

// reporter returns the command's progress display: quiet with -q, and with
// --json unless -v asks for the commands being run.
func (g *globals) reporter() report.Reporter {
	if g.progress == nil {
		level := normal
		switch {
		case g.verbose:
			level = verbose
		case g.quiet, g.json:
			level = quiet
		}
		g.progress = newProgress(g.ios, level)
	}
	return g.progress
}

// newState starts a run of the pipeline with opts, held to the site's
// policy: --policy, else $PLUGCTL_POLICY.
func (g *globals) newState(opts pipeline.Options) *pipeline.State {
	if opts.Policy == "" {
		opts.Policy = g.sitePolicy()
	}
	return pipeline.New(g.reporter(), opts)
}

// sitePolicy is the site's policy file: --policy, else $PLUGCTL_POLICY;
// "" for none.
func (g *globals) sitePolicy() string {
	if g.policy != "" {
		return g.policy
	}
	return os.Getenv(policy.EnvSite)
}

// finish ends the progress display, leaving the terminal clean.
func (g *globals) finish() {
	if g.progress != nil {
		g.progress.Close()
	}
}

// NewRoot builds the command tree.
func NewRoot(g *globals) *cobra.Command {
	return newRoot(g, commands(g))
}

// Command returns plugctl's command tree on the process's streams, for
// documentation generators (tools/man writes the man pages from it).
func Command() *cobra.Command {
	return NewRoot(&globals{ios: System()})
}

// commands are plugctl's commands, each made with its run function.
func commands(g *globals) []*cobra.Command {
	return []*cobra.Command{
		newCmdValidate(g, nil),
		newCmdGenerate(g, nil),
		newCmdBuild(g, nil),
		newCmdInspect(g, nil),
		newCmdLock(g, nil),
		newCmdOutdated(g, nil),
		newCmdVendor(g, nil),
		newCmdBundle(g, nil),
		newCmdVersion(g, nil),
		newCmdSchema(g, nil),
		newCmdInit(g, nil),
		newCmdNew(newCmdNewPlug(g, nil)),
		newCmdRun(g, nil),
		newCmdAdd(g, nil),
		newCmdRemove(g, nil),
		newCmdDoctor(g, nil),
		newCmdClean(g, nil),
		newCmdKey(newCmdKeyGenerate(g, nil), newCmdKeyExportPEM(g, nil)),
		newCmdVerify(g, nil),
		newCmdPack(g, nil),
		newCmdWhy(g, nil),
		newCmdPlan(g, nil),
		newCmdChecksums(g, nil),
		newCmdAudit(g, nil),
		newCmdImport(g, nil),
	}
}

// newRoot puts cmds under the root command, which holds the global flags,
// and makes every usage error of the tree exit 2. Tests build a tree of
// commands made with a runF that records their options.
func newRoot(g *globals, cmds []*cobra.Command) *cobra.Command {
	root := &cobra.Command{
		Use:           "plugctl",
		Short:         "Build custom binaries from a core Go program and its plugs",
		Long:          "plugctl reads a plug config naming a core Go program and the plugs to compile into it,\nresolves and pins their versions, and builds one static binary per target.",
		SilenceUsage:  true,
		SilenceErrors: true,
		// Runnable, so that cobra checks its arguments: an unknown command
		// is then a usage error (exit 2) rather than a bare failure. cobra
		// suggests commands only for a root without Args; unknownCommand
		// does, as every other "did you mean" of plugctl does.
		Args: unknownCommand,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		// plugctl --version prints the version alone; plugctl version adds
		// the Go toolchain.
		Version: Version(),
	}
	root.SetVersionTemplate("plugctl {{.Version}}\n")
	root.PersistentFlags().StringVarP(&g.file, "file", "f", "plugconfig.yaml", "the plug config")
	root.PersistentFlags().BoolVar(&g.json, "json", false, "print a machine-readable result on stdout")
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "no progress: print only results and errors")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "also show every go and git command")
	root.PersistentFlags().StringVar(&g.policy, "policy", "", "a site's policy file, held beside the config's own policy (default $"+policy.EnvSite+")")
	root.MarkFlagsMutuallyExclusive("quiet", "verbose")
	_ = root.MarkPersistentFlagFilename("file", "yaml", "yml")
	_ = root.MarkPersistentFlagFilename("policy", "yaml", "yml")
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(cmds...)
	var wrap func(*cobra.Command)
	wrap = func(parent *cobra.Command) {
		for _, c := range parent.Commands() {
			if h := exitHelp(c); h != "" {
				c.Long = strings.TrimRight(c.Long, "\n") + "\n\n" + h
			}
			c.Args = usageArgs(c.Args)
			if run := c.RunE; run != nil {
				c.RunE = func(cmd *cobra.Command, args []string) error {
					g.started = true
					g.fileSet = cmd.Flags().Changed("file")
					return run(cmd, args)
				}
			}
			wrap(c)
		}
	}
	root.Args = usageArgs(root.Args)
	wrap(root)
	groupCommands(root)
	return root
}

// commandGroups sorts the commands of plugctl --help by what a user is
// doing; commands not listed (completion, help, those of newer features)
// appear under "Additional Commands".
var commandGroups = []struct {
	id, title string
	commands  []string
}{
	{"start", "Start a project:", []string{"init", "new", "import"}},
	{"edit", "Edit the config:", []string{"add", "remove"}},
	{"build", "Build:", []string{"validate", "lock", "outdated", "vendor", "build", "bundle", "run", "generate"}},
	{"ci", "Fan out in CI:", []string{"plan", "checksums"}},
	{"trust", "Sign, verify and audit:", []string{"key", "verify", "audit"}},
	{"look", "Look inside:", []string{"inspect", "why", "schema", "version"}},
	{"care", "Look after the project:", []string{"doctor", "clean"}},
}

func groupCommands(root *cobra.Command) {
	for _, g := range commandGroups {
		root.AddGroup(&cobra.Group{ID: g.id, Title: g.title})
		for _, c := range root.Commands() {
			if slices.Contains(g.commands, c.Name()) {
				c.GroupID = g.id
			}
		}
	}
}

// usageArgs makes argument-count errors exit 2 like every other usage error.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	if check == nil {
		check = cobra.NoArgs
	}
	return func(cmd *cobra.Command, args []string) error {
		return usage(check(cmd, args))
	}
}

// unknownCommand refuses arguments to a command that has subcommands
// instead, suggesting the nearest subcommand.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
			names = append(names, c.Aliases...)
		}
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if h := suggest.Hint(args[0], names); h != "" {
		msg += ", " + h
	}
	return errors.New(msg)
}

// flagError makes a flag error a usage error, suggesting the nearest flag
// of the command for an unknown one.
func flagError(cmd *cobra.Command, err error) error {
	var ne *pflag.NotExistError
	if errors.As(err, &ne) && strings.HasPrefix(err.Error(), "unknown flag: --") {
		var names []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden {
				names = append(names, "--"+f.Name)
			}
		})
		if h := suggest.Hint("--"+ne.GetSpecifiedName(), names); h != "" {
			err = fmt.Errorf("%w, %s", err, h)
		}
	}
	return usage(err)
}

// printError writes err to stderr. The positioned problems it holds,
// whichever part of plugctl found them (the config, a manifest, the lock,
// resolution, a check of the build), print one way: one per line, then a
// line counting them; the failures it holds beside them follow, one per
// line.
func printError(ios *IOStreams, err error) {
	problems, others := diag.Collect(err)
	if len(problems) == 0 {
		fmt.Fprintln(ios.ErrOut, "plugctl: "+safeText(err.Error()))
		return
	}
	for _, p := range problems {
		fmt.Fprintln(ios.ErrOut, safeText(p.Error()))
	}
	fmt.Fprintf(ios.ErrOut, "plugctl: %d problem(s) in %s\n", len(problems), safeText(problemsIn(err, problems)))
	for _, e := range others {
		fmt.Fprintln(ios.ErrOut, "plugctl: "+safeText(e.Error()))
	}
}

// problemsIn says where problems are for the line counting them: "the
// config" when err is a config problem (exit 2: the config or what it names,
// a plug's manifest), else the files holding them, like plugconfig.lock.
func problemsIn(err error, problems diag.List) string {
	if fail.KindOf(err) == fail.Config {
		return "the config"
	}
	var files []string
	for _, p := range problems {
		if p.File != "" && !slices.Contains(files, p.File) {
			files = append(files, p.File)
		}
	}
	if len(files) == 0 {
		return "the config"
	}
	return strings.Join(files, ", ")
}

// safeText makes a message fit for a terminal and a CI log whatever it
// quotes — a server's error, a hostile go.mod: credentials redacted and
// terminal controls escaped (run.Sanitize).
func safeText(s string) string {
	return redact.String(run.Sanitize(redact.String(s)))
}
