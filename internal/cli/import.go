package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/adopt"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/pipeline"
)

// importOptions are the inputs of plugctl import.
type importOptions struct {
	*globals
	// Binary is the Go binary to read.
	Binary string
	// Force replaces an existing config and lock.
	Force bool
}

func newCmdImport(g *globals, runF func(context.Context, *importOptions) error) *cobra.Command {
	o := &importOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "import BINARY [-f FILE] [--force]",
		Short: "Write a config and a lock from a Go binary's build information",
		Long: `import reads a Go binary's build information and writes the plug config that builds
it (plugconfig.yaml, or -f FILE) and, when the config is whole, its lock beside it. It
knows binaries plugctl built (from the build description they embed: the core, every
plug, the profile and the build flags), binaries xcaddy built (the caddy profile), ocb
built (the otelcol profile), and any other Go binary.

What a binary does not hold is marked in the config with "# FILL IN:" comments and
listed: settings (a binary holds only their digest), local directories, git and
archive URLs, and for binaries plugctl did not build, which modules are plugins (their
build information lists plugins and dependencies alike). The lock is then not written:
fill them in and run plugctl lock. A lock import writes is checked against the binary:
every module the binary links must be locked at the version and hash it was built
with (exit 3 otherwise). Existing files are never replaced without --force.`,
		Example: `  plugctl import dist/caddy
  plugctl import /usr/local/bin/otelcol-custom -f otelcol.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Binary = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return importRun(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.Force, "force", false, "replace an existing config and lock")
	return withExits(cmd, fail.Config, fail.Mismatch, fail.Fetch)
}

// importResult is the --json document of import (docs/json.md).
type importResult struct {
	envelope
	// Kind is what made the binary: plugctl, xcaddy, ocb or go.
	Kind string `json:"kind"`
	// Profile is the core's shipped profile, "" for none.
	Profile string `json:"profile"`
	// Config and Lock are the files written (absolute); Lock is "" when
	// the config has something to fill in first.
	Config string `json:"config"`
	Lock   string `json:"lock"`
	// Core is the core module at its version; Target the binary's.
	Core   string `json:"core"`
	Target string `json:"target"`
	// Unknown lists what the config marks to fill in.
	Unknown []string `json:"unknown"`
}

func importRun(ctx context.Context, o *importOptions) error {
	res := &importResult{Unknown: []string{}}
	o.result = res
	r, err := adopt.Read(o.Binary)
	if err != nil {
		return err
	}
	res.Kind, res.Profile, res.Core, res.Target = r.Kind, r.Profile, r.Core, r.Target
	if r.CoreVersion != "" {
		res.Core += "@" + r.CoreVersion
	}
	if r.Unknown != nil {
		res.Unknown = r.Unknown
	}
	cfg := o.file
	lockFile := lock.PathFor(cfg)
	if !o.Force {
		for _, p := range []string{cfg, lockFile} {
			if _, err := os.Lstat(p); err == nil {
				return usage(fmt.Errorf("%s exists: plugctl import never replaces it; give --force, or -f another file", p))
			}
		}
	}
	if err := files.WriteFile(cfg, r.Config, 0o644); err != nil {
		return &fail.EnvError{Path: cfg, Err: err}
	}
	if res.Config, err = filepath.Abs(cfg); err != nil {
		return err
	}
	if len(r.Unknown) > 0 {
		if err := os.Remove(lockFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return &fail.EnvError{Path: lockFile, Err: err}
		}
		if !o.json {
			fmt.Fprintf(o.ios.Out, "%s\twritten from a %s binary (%s); fill in:\n", cfg, r.Kind, res.Core)
			for _, u := range r.Unknown {
				fmt.Fprintf(o.ios.Out, "  %s\n", u)
			}
			fmt.Fprintf(o.ios.Out, "%s\tnot written: fill in the config, then run plugctl lock\n", lockFile)
		}
		return nil
	}
	if err := os.Remove(lockFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &fail.EnvError{Path: lockFile, Err: err}
	}
	s := o.newState(pipeline.Options{File: cfg})
	defer s.Close()
	if err := pipeline.Run(ctx, s, pipeline.LockSteps); err != nil {
		return err
	}
	f, err := lock.Load(lockFile, lockFile)
	if err != nil {
		return err
	}
	if bad := adopt.Check(r, f); len(bad) > 0 {
		return fail.New(fail.Mismatch, "%s does not lock what %s was built with:\n  %s", lockFile, o.Binary, strings.Join(bad, "\n  "))
	}
	if res.Lock, err = filepath.Abs(lockFile); err != nil {
		return err
	}
	if !o.json {
		fmt.Fprintf(o.ios.Out, "%s\twritten from a %s binary (%s)\n%s\twritten: every module at the version and hash the binary was built with\n", cfg, r.Kind, res.Core, lockFile)
	}
	return nil
}
