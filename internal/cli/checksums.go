package cli

import (
	"context"
	"encoding/json"

	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/checksums"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
)

// checksumsOptions are the inputs of plugctl checksums.
type checksumsOptions struct {
	*globals
	// Dir holds the artifacts, at any depth.
	Dir string
	// Plan is a plan's --json document (plugctl plan --json) the artifacts
	// must match.
	Plan string
	// Output is where SHA256SUMS goes; default DIR/SHA256SUMS.
	Output string
}

func newCmdChecksums(g *globals, runF func(context.Context, *checksumsOptions) error) *cobra.Command {
	o := &checksumsOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "checksums DIR [--plan plan.json] [-o FILE]",
		Short: "Gather the artifacts of a fan-out into one SHA256SUMS, checking each",
		Long: `checksums finds every artifact plugctl built below DIR — each binary with its
.sha256, .cdx.json, .spdx.json, .intoto.jsonl and .plugctl.json files, as the jobs of a
plan uploaded them — checks that each binary is the one its record, sha256 file, both
SBOMs and its provenance describe, and that artifacts of the same inputs are the same
bytes, then writes one SHA256SUMS: a line for each binary and for each of its SBOMs and
its provenance, paths relative to DIR, sorted. sha256sum -c SHA256SUMS checks it in DIR.

With --plan (the output of plugctl plan --json), every artifact must be a job of the plan
and every job must have its artifact. Any mismatch exits 3 and writes nothing.`,
		Example: `  plugctl checksums artifacts
  plugctl checksums --plan plan.json artifacts
  plugctl checksums --json --plan plan.json -o release/SHA256SUMS artifacts`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Dir = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return checksumsRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.Plan, "plan", "", "a plan (plugctl plan --json) the artifacts must match")
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "where to write SHA256SUMS (default DIR/SHA256SUMS)")
	_ = cmd.MarkFlagFilename("plan", "json")
	return withExits(cmd, fail.Config, fail.Mismatch)
}

// checksumsResult is the --json document of checksums (docs/json.md).
type checksumsResult struct {
	envelope
	// Sums is the SHA256SUMS file written.
	Sums string `json:"sums"`
	// Artifacts are the artifacts found, by path.
	Artifacts []checksumsArtifact `json:"artifacts"`
}

// checksumsArtifact is one artifact checksums found.
type checksumsArtifact struct {
	Path   string `json:"path"` // relative to DIR
	Target string `json:"target"`
	Digest string `json:"digest"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// SBOM, SPDX and Provenance are the documents beside it, relative to
	// DIR: its CycloneDX and SPDX SBOMs and its provenance.
	SBOM       string `json:"sbom"`
	SPDX       string `json:"spdx"`
	Provenance string `json:"provenance"`
}

// maxPlan bounds the plan read: a thousand jobs are a few hundred KiB.
const maxPlan = 64 << 20

func checksumsRun(_ context.Context, o *checksumsOptions) error {
	res := &checksumsResult{Artifacts: []checksumsArtifact{}}
	o.result = res
	var jobs []checksums.Job
	if o.Plan != "" {
		data, err := files.ReadFile(o.Plan, maxPlan)
		if err != nil {
			return fail.Wrap(fail.Config, fmt.Errorf("--plan: %w", err))
		}
		var p planResult
		if err := json.Unmarshal(data, &p); err != nil || p.Schema != JSONSchema || p.Command != "plan" || !p.OK {
			return fail.Wrap(fail.Config, fmt.Errorf("--plan %s: not a plan written by plugctl plan --json", o.Plan))
		}
		for _, j := range p.Jobs {
			jobs = append(jobs, checksums.Job{ID: j.ID, Target: j.Target, Digest: j.Digest})
		}
	}
	arts, err := checksums.Gather(o.Dir)
	if err == nil && o.Plan != "" {
		err = checksums.Check(arts, jobs)
	}
	for _, a := range arts {
		res.Artifacts = append(res.Artifacts, checksumsArtifact{Path: a.Path, Target: a.Target, Digest: a.Digest, SHA256: a.SHA256, Size: a.Size,
			SBOM: a.SBOM, SPDX: a.SPDX, Provenance: a.Provenance})
	}
	if err != nil {
		return err
	}
	out := o.Output
	if out == "" {
		out = filepath.Join(o.Dir, checksums.FileName)
	}
	if err := checksums.Write(out, arts); err != nil {
		return err
	}
	res.Sums = out
	if !o.json {
		fmt.Fprintf(o.ios.Out, "%s: %d artifacts\n", out, len(arts))
	}
	return nil
}
