package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/audit"
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/source"
)

// auditOptions are the inputs of plugctl audit.
type auditOptions struct {
	*globals
	// Binary, when given, is audited instead of the build module.
	Binary string
	// DB is the vulnerability database (--db): a URL or a directory.
	DB string
	// Offline audits the vendor tree's build module with the network off.
	Offline bool
	// Locked fails, offline, on a missing or stale lock.
	Locked bool
	// Targets pick the platforms the build module is loaded for (default
	// build.targets).
	Targets []string
	// Bundle audits a bundle's vendor tree, offline, instead of the
	// config's build.
	Bundle string
	// VerifyKeys are verifier keys (FILE.pub) the bundle must be signed
	// by, any one.
	VerifyKeys []string
}

func newCmdAudit(g *globals, runF func(context.Context, *auditOptions) error) *cobra.Command {
	o := &auditOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "audit [BINARY] [--target os/arch]... [--offline | --bundle FILE]",
		Short: "Find the known vulnerabilities the build reaches (govulncheck's analysis)",
		Long: `audit runs govulncheck's analysis (golang.org/x/vuln) on the build: it generates the
build module as build does (writing no lock), loads its main package for each target of
build.targets (or each --target) with the build's tags, and finds the known vulnerabilities
of every module and of the Go standard library the program reaches on that platform. A vulnerability is called
when a vulnerable function is reachable from the program, imported when a vulnerable
package is imported but none of its vulnerable functions reached, required when a module
is only at an affected version. The findings that reach the policy's threshold
(policy.vulnerabilities, default called; the stricter of the config's and the site's
--policy) fail the audit, exit 6, each at the config's position of the core or plug it
comes through: whose code calls it, else whose requirements bring its module in.

With BINARY, audit reads a Go binary instead — what its linker kept is what it reaches — and
the config, when there is one, for its database and threshold.

The database is --db, else the config's audit.db, else govulncheck's own: an https URL, or
a directory (or file:// URL) in the vulnerability database layout. --offline audits the
vendor tree's build module with the network off, against --db, else the copy of a database
plugctl vendor --vulndb DIR carried into the tree, else a local audit.db. --bundle FILE does
the same for a bundle made by plugctl bundle, checked and unpacked as build --bundle does
(its checksum first, then its tree; --verify-key for its signature), with its config.`,
		Example: `  plugctl audit
  plugctl audit --json
  plugctl audit --db ./vulndb dist/hello
  plugctl vendor --vulndb ./vulndb && plugctl audit --offline
  plugctl audit --bundle site.tar.gz --verify-key release.key.pub`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Binary = args[0]
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return auditRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.DB, "db", "", "the vulnerability database: an https or file URL, or a directory (default: audit.db, else govulncheck's)")
	cmd.Flags().BoolVar(&o.Offline, "offline", false, "audit the vendor tree's build module with the network off")
	cmd.Flags().BoolVar(&o.Locked, "locked", false, "with --offline: fail when plugconfig.lock is missing or does not match the tree")
	cmd.Flags().StringArrayVar(&o.Targets, "target", nil, "os/arch to load the build for, repeatable (default: build.targets)")
	cmd.Flags().StringVar(&o.Bundle, "bundle", "", "audit a bundle (plugctl bundle) offline instead of the config's build")
	cmd.Flags().StringArrayVar(&o.VerifyKeys, "verify-key", nil, "with --bundle: the bundle must be signed by this verifier key (FILE.pub), repeatable: any one")
	_ = cmd.MarkFlagDirname("db")
	_ = cmd.MarkFlagFilename("bundle", "tar.gz", "tgz")
	_ = cmd.RegisterFlagCompletionFunc("target", completeTargets)
	return withExits(cmd, fail.Config, fail.Mismatch, fail.Fetch, fail.Policy)
}

// auditResult is the --json document of audit (docs/json.md).
type auditResult struct {
	envelope
	*pipeline.AuditResult
}

func auditRun(ctx context.Context, o *auditOptions) error {
	res := &auditResult{}
	o.result = res
	switch {
	case o.Binary != "" && (o.Offline || len(o.Targets) > 0 || o.Bundle != ""):
		return usage(errors.New("a binary is audited as it is: --offline, --bundle and --target audit the build module"))
	case o.Locked && !o.Offline:
		return usage(errors.New("--locked checks the lock an offline audit's vendor tree was made with: use it with --offline"))
	case o.Bundle != "" && o.fileSet:
		return usage(errors.New("--bundle and -f cannot be used together: the bundle holds its config"))
	case o.Bundle != "" && o.Offline:
		return usage(errors.New("--bundle audits offline already: leave --offline out"))
	case len(o.VerifyKeys) > 0 && o.Bundle == "":
		return usage(errors.New("--verify-key checks a bundle's signature: use it with --bundle"))
	}
	if o.DB != "" {
		if msg := config.CheckVulnDB(o.DB); msg != "" {
			return usage(fmt.Errorf("--db %s", msg))
		}
	}
	keys, err := loadVerifiers(o.VerifyKeys)
	if err != nil {
		return err
	}
	opts := pipeline.Options{File: o.file, Audit: pipeline.AuditOptions{DB: o.DB, Binary: o.Binary},
		Lock: pipeline.LockOptions{Locked: o.Locked}, Bundle: o.Bundle, VerifyKeys: keys}
	if len(o.Targets) > 0 {
		if opts.Targets, err = platform.ParseList(o.Targets); err != nil {
			return usage(fmt.Errorf("--target: %w", err))
		}
	}
	steps := pipeline.AuditSteps
	var cfg *config.Config
	switch {
	case o.Bundle != "":
		steps = pipeline.AuditBundleSteps
	case o.Binary != "":
		steps = pipeline.AuditBinarySteps
		// The config, when there is one, gives the database and the
		// threshold; a binary needs none.
		if o.findConfig() == nil {
			c, err := config.Load(o.file)
			if err != nil {
				return err
			}
			cfg = c
		}
	default:
		if err := o.findConfig(); err != nil {
			return err
		}
		opts.File = o.file
		if o.Offline {
			steps = pipeline.AuditOfflineSteps
		}
	}
	s := o.newState(opts)
	defer s.Close()
	s.Config = cfg
	err = pipeline.Run(ctx, s, steps)
	res.AuditResult = s.Audit
	if s.Audit != nil && !o.json {
		o.printAudit(s.Audit)
	}
	return err
}

// printAudit shows the findings of each target, furthest reaching first;
// each target's under a line naming it when there are several.
func (o *auditOptions) printAudit(r *pipeline.AuditResult) {
	out := o.ios.Out
	for _, t := range r.Targets {
		if len(r.Targets) > 1 {
			fmt.Fprintf(out, "%s:\n", t.Target)
		}
		printFindings(out, t.Findings)
	}
}

// printFindings shows findings, furthest reaching first, each with its
// call path.
func printFindings(out io.Writer, findings []audit.Finding) {
	if len(findings) == 0 {
		fmt.Fprintln(out, "no known vulnerabilities")
		return
	}
	for _, l := range []audit.Level{audit.Called, audit.Imported, audit.Required} {
		for _, f := range findings {
			if f.Level != l {
				continue
			}
			fixed := "no fixed version"
			if f.Fixed != "" {
				fixed = "fixed in " + f.Fixed
			}
			fmt.Fprintf(out, "%s\t%s\t%s %s\t%s\n", f.ID, f.Level, f.Module, f.Version, fixed)
			if f.Summary != "" {
				fmt.Fprintf(out, "  %s\n", f.Summary)
			}
			if f.Component != "" {
				fmt.Fprintf(out, "  through %s\n", source.Label(f.Component))
			}
			for i, fr := range f.CallPath {
				pos := ""
				if fr.Position != "" {
					pos = " (" + fr.Position + ")"
				}
				fmt.Fprintf(out, "  %s%s.%s%s\n", strings.Repeat("  ", min(i, 1)), fr.Package, fr.Function, pos)
			}
		}
	}
}
