package pipeline

import (
	"context"
	"strings"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/platform"
)

// Job is one job of a build plan (plugctl plan): the artifact one target
// of one config makes, named by the digest of its inputs — the digest its
// record will hold (artifact.Inputs.Digest), so that two configs whose
// artifacts for a target would be the same bytes plan one job.
type Job struct {
	Target platform.Target
	// Digest is the artifact's inputs digest, "sha256:<hex>".
	Digest string
	// Output is where build writes the artifact (absolute).
	Output string
}

// plan (the plan step) lists the job of every target: the artifact
// inputs digest, from the config, the lock, the local sources and the
// toolchain alone — nothing is resolved, fetched or compiled. It needs
// every version pinned (use-lock with --locked checked the lock against
// the config), for a digest of unpinned inputs names no artifact.
func (s *State) plan(context.Context) error {
	version, ok := s.pinned()
	if f := s.lockOnDisk(); f != nil && version == "" {
		version, ok = f.Core.Version, true
	}
	if !ok {
		return fail.New(fail.Mismatch, "%s: a plan needs every version pinned; run plugctl lock", s.Config.File)
	}
	in, err := s.artifactInputs()
	if err != nil {
		return err
	}
	s.Jobs = nil
	for _, t := range s.Targets {
		out := s.Output
		if out == "" {
			out = s.Config.Build.Output
		}
		v := version
		if !strings.Contains(out, "{version}") {
			v = ""
		}
		s.Jobs = append(s.Jobs, Job{Target: t, Digest: in.Digest(t.String()), Output: s.outputFor(t, v)})
	}
	return nil
}
