package cli

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/plugctl/plugctl/internal/adopt"
	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/inspect"
	"github.com/plugctl/plugctl/internal/pipeline"
	"github.com/plugctl/plugctl/internal/platform"
)

// rebuiltResult is the rebuilt member of verify --rebuild --json.
type rebuiltResult struct {
	// Config is the config rebuilt from (absolute).
	Config string `json:"config"`
	// SHA256 is the rebuilt binary's "sha256:<hex>".
	SHA256 string `json:"sha256"`
	// Identical is true when the bytes are the binary's.
	Identical bool `json:"identical"`
	// Difference names where they first differ: the section and offset.
	Difference string `json:"difference,omitempty"`
}

// verifyRebuild rebuilds the binary at o.Path from its config and lock,
// for its target, into a temporary directory, and compares the bytes.
func verifyRebuild(ctx context.Context, o *verifyOptions, res *verifyResult) error {
	if o.Path == "" {
		return usage(errors.New("--rebuild needs the BINARY to rebuild"))
	}
	if len(o.VerifyKeys) > 0 {
		return usage(errors.New("--rebuild compares bytes, it checks no signature: run verify BINARY --verify-key for that"))
	}
	abs, err := filepath.Abs(o.Path)
	if err != nil {
		return err
	}
	res.Path, res.Kind = abs, "binary"
	want, err := files.ReadFile(o.Path, 1<<30)
	if err != nil {
		return usage(err)
	}
	bi, err := buildinfo.Read(bytes.NewReader(want))
	if err != nil {
		return usage(fmt.Errorf("%s: not a Go binary with build information (%v)", o.Path, err))
	}
	targets, err := platform.ParseList([]string{adopt.Target(bi)})
	if err != nil {
		return usage(fmt.Errorf("%s: its target: %w", o.Path, err))
	}
	if !o.fileSet {
		if found, _ := searchConfig(filepath.Dir(abs)); found != "" {
			o.file = found
		}
	}
	if err := o.findConfig(); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "plugctl-rebuild-*")
	if err != nil {
		return &fail.EnvError{Path: os.TempDir(), Err: err}
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, filepath.Base(o.Path))
	s := o.newState(pipeline.Options{File: o.file, Targets: targets, Output: out, Force: true,
		Lock: pipeline.LockOptions{Locked: true}})
	defer s.Close()
	if err := pipeline.Run(ctx, s, pipeline.BuildSteps); err != nil {
		return err
	}
	got, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	sum, _, _ := artifact.Hash(out)
	cfg, _ := filepath.Abs(o.file)
	rb := &rebuiltResult{Config: cfg, SHA256: "sha256:" + sum}
	res.Rebuilt = rb
	wantSum, _, _ := artifact.Hash(o.Path)
	res.Checksum = "sha256:" + wantSum
	d := inspect.Compare(want, got)
	if d.Offset >= 0 {
		rb.Difference = d.String()
		return fail.New(fail.Mismatch, "%s is not what %s and its lock build: rebuilt as sha256:%s, it is sha256:%s; they first differ at %s", o.Path, o.file, sum, wantSum, d)
	}
	rb.Identical = true
	if !o.json {
		fmt.Fprintf(o.ios.Out, "%s\treproduced: sha256:%s, rebuilt from %s and its lock\n", o.Path, sum, o.file)
	}
	return nil
}
