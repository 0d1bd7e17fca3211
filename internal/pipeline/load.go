package pipeline

import (
	"context"
	"os"
	"path/filepath"

	"github.com/plugctl/plugctl/internal/bundle"
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/statelock"
)

// configName names the config in messages: as the user named it, or
// inside the bundle it comes from.
func (s *State) configName() string {
	if s.Opts.Bundle != "" {
		return s.Opts.Bundle + ":" + bundle.ConfigName
	}
	return s.Opts.File
}

// unpack (build --bundle) checks the bundle's checksum and unpacks it into
// a temporary directory, which Close removes; load then reads its config
// as if it lived in the current directory, so that build.output lands
// there, and verify its vendor tree and lock.
func (s *State) unpack(ctx context.Context) error {
	tmp, err := bundle.Unpack(ctx, s.Opts.Bundle, bundle.DefaultLimits)
	if err != nil {
		return err
	}
	s.onClose(func() { os.RemoveAll(tmp) })
	root := filepath.Join(tmp, bundle.Root)
	data, err := os.ReadFile(filepath.Join(root, bundle.ConfigName))
	if err != nil {
		return fail.New(fail.Mismatch, "bundle %s holds no %s: it was not made by plugctl bundle", s.Opts.Bundle, bundle.ConfigName)
	}
	s.bundleDir, s.bundleData = root, data
	s.TreeDir, s.treeLock = filepath.Join(root, bundle.VendorDir), filepath.Join(root, bundle.LockName)
	return nil
}

// load reads and validates the config (or the unpacked bundle's), the
// fetch limits of the environment, and finds the go toolchain.
func (s *State) load(ctx context.Context) error {
	if err := s.loadSite(); err != nil {
		return err
	}
	if s.bundleDir != "" {
		cwd, err := os.Getwd()
		if err != nil {
			return err
		}
		if s.Config, err = config.Parse(s.configName(), s.bundleData, cwd); err != nil {
			return err
		}
		// No fetch limits: a project loaded from a bundle builds offline.
	} else {
		cfg, err := config.Load(s.Opts.File)
		if err != nil {
			return err
		}
		s.Config = cfg
		if s.Limits, err = source.LimitsFromEnv(os.LookupEnv); err != nil {
			return err
		}
	}
	if err := s.checkPolicyStatic(); err != nil {
		return err
	}
	if s.bundleDir != "" {
		if err := s.policies().CheckBundle(s.Opts.VerifyKeys != nil); err != nil {
			return err
		}
	}
	var err error
	s.Toolchain, err = gotool.DetectCached(ctx, s.R)
	return err
}

// lockState (the state-lock step) takes the project lock until Close:
// every command that writes the project's state holds it for its whole
// run.
func (s *State) lockState(ctx context.Context) error {
	release, err := LockProject(ctx, s.R, s.Config.Dir)
	if err != nil {
		return err
	}
	s.onClose(release)
	return nil
}

// LockProject takes the lock of the project whose config is in dir
// (.plugctl/lock), waiting while another plugctl holds it, and returns
// the function that gives it back. The state-lock step takes it; so do
// the commands that change a project without running steps (add, remove,
// clean).
func LockProject(ctx context.Context, r report.Reporter, dir string) (release func(), err error) {
	l, err := statelock.Acquire(ctx, r, filepath.Join(dir, StateDir, "lock"))
	if err != nil {
		return nil, err
	}
	return func() { _ = l.Release() }, nil
}

// VendorDir returns the absolute directory of the project's vendor tree
// (the config's vendor key).
func (s *State) VendorDir() string {
	if filepath.IsAbs(s.Config.Vendor) {
		return filepath.Clean(s.Config.Vendor)
	}
	return filepath.Join(s.Config.Dir, s.Config.Vendor)
}
