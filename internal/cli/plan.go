package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
	"github.com/plugctl/plugctl/internal/platform"
)

// planOptions are the inputs of plugctl plan.
type planOptions struct {
	*globals
	// Configs are the site configs to plan, in order; none means the one
	// -f names (or the one found).
	Configs []string
	// Targets override each config's build.targets ("os/arch").
	Targets []string

	targets []platform.Target
}

func newCmdPlan(g *globals, runF func(context.Context, *planOptions) error) *cobra.Command {
	o := &planOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "plan [CONFIG...] [--target os/arch]...",
		Short: "List the build jobs of a CI fan-out: one per artifact",
		Long: `plan lists the jobs that build the artifacts of one or more site configs: one job per
(config, target), with the command that builds it and the digest of its inputs — the
digest the artifact's record will hold. It reads the configs, their locks and local
sources only: nothing is resolved, fetched or compiled, and every config needs its lock
(each job builds with --locked).

Configs whose artifacts for a target would be the same bytes — the same config apart
from build.targets, build.output and comments, the same lock — plan one job, which
lists them all. With no CONFIG, the config -f names is planned.

--json prints the jobs for a CI matrix (GitHub Actions: fromJSON); plugctl checksums
--plan checks the artifacts the jobs built against it. See docs/ci.md.`,
		Example: `  plugctl plan --json
  plugctl plan --json sites/eu.yaml sites/us.yaml
  plugctl plan sites/*.yaml --target linux/amd64 --target linux/arm64`,
		Args: usageArgs(cobra.ArbitraryArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Configs = args
			o.fileSet = cmd.Flags().Changed("file")
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return planRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringArrayVar(&o.Targets, "target", nil, "os/arch to plan for, repeatable (default: each config's build.targets)")
	_ = cmd.RegisterFlagCompletionFunc("target", completeTargets)
	return withExits(cmd, fail.Config, fail.Mismatch, fail.Policy)
}

// planResult is the --json document of plan (docs/json.md).
type planResult struct {
	envelope
	// Jobs are the jobs, in the order of the configs and their targets.
	Jobs []planJob `json:"jobs"`
}

// planJob is one job of the plan.
type planJob struct {
	// ID names the job: {name}-{os}-{arch}-{first 8 hex digits of the
	// digest}, usable as a CI job or artifact name.
	ID string `json:"id"`
	// Config is the config the command builds; Configs every config
	// whose artifact for Target this job makes.
	Config  string   `json:"config"`
	Configs []string `json:"configs"`
	Target  string   `json:"target"`
	// Digest is the artifact's inputs digest, as its record will hold it.
	Digest string `json:"digest"`
	// Command builds the artifact, for a shell; Args are its words.
	Command string   `json:"command"`
	Args    []string `json:"args"`
	// Artifact is where the command writes the binary (relative to the
	// working directory when below it); its .sha256, .cdx.json and
	// .plugctl.json files are beside it.
	Artifact string `json:"artifact"`
}

// validate checks what the flags say on their own; planRun calls it first.
func (o *planOptions) validate() error {
	if len(o.Configs) > 0 && o.fileSet {
		return usage(errors.New("name the configs either with -f or as arguments, not both"))
	}
	if len(o.Targets) > 0 {
		targets, err := platform.ParseList(o.Targets)
		if err != nil {
			return usage(fmt.Errorf("--target: %w", err))
		}
		o.targets = targets
	}
	return nil
}

func planRun(ctx context.Context, o *planOptions) error {
	res := &planResult{Jobs: []planJob{}}
	o.result = res
	if err := o.validate(); err != nil {
		return err
	}
	configs := o.Configs
	if len(configs) == 0 {
		if err := o.findConfig(); err != nil {
			return err
		}
		configs = []string{o.file}
	}
	byDigest := map[string]int{}
	for _, file := range configs {
		s := o.newState(pipeline.Options{File: file, Targets: o.targets, Lock: pipeline.LockOptions{Locked: true}})
		err := pipeline.Run(ctx, s, pipeline.PlanSteps)
		s.Close()
		if err != nil {
			return err
		}
		for _, j := range s.Jobs {
			if i, ok := byDigest[j.Digest]; ok {
				res.Jobs[i].Configs = append(res.Jobs[i].Configs, file)
				continue
			}
			byDigest[j.Digest] = len(res.Jobs)
			res.Jobs = append(res.Jobs, newPlanJob(s.Config.Name, file, j))
		}
	}
	if o.json {
		return nil
	}
	for _, j := range res.Jobs {
		fmt.Fprintf(o.ios.Out, "%s\t%s\t%s\t%s\n", j.ID, j.Target, j.Digest, j.Command)
	}
	return nil
}

// newPlanJob is the job of config file (named name) that makes j.
func newPlanJob(name, file string, j pipeline.Job) planJob {
	t := j.Target.String()
	// -o: a build of one --target writes where build.output names one
	// target's artifact, which is not where the config's several targets
	// go; the job writes where the plan says.
	artifact := filepath.ToSlash(relPath(j.Output))
	args := []string{"plugctl", "build", "-f", file, "--target", t, "--locked", "-o", artifact}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellQuote(a)
	}
	return planJob{
		ID:     fmt.Sprintf("%s-%s-%s-%s", name, j.Target.OS, j.Target.ArchName(), strings.TrimPrefix(j.Digest, "sha256:")[:8]),
		Config: file, Configs: []string{file}, Target: t, Digest: j.Digest,
		Command: strings.Join(quoted, " "), Args: args, Artifact: artifact,
	}
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
