package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/pipeline"
	"github.com/plugctl/plugctl/internal/vendortree"
)

// cleanOptions are the inputs of plugctl clean.
type cleanOptions struct {
	*globals
	// Dist also removes the artifacts the project's builds recorded.
	Dist bool
	// Vendor also removes the vendor tree where the config puts it outside
	// the state directory.
	Vendor bool
	// DryRun lists what would be removed, removing nothing.
	DryRun bool
}

func newCmdClean(g *globals, runF func(context.Context, *cleanOptions) error) *cobra.Command {
	o := &cleanOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "clean [--dist] [--vendor] [-n]",
		Short: "Remove plugctl's state beside the config, and with flags the artifacts it built",
		Long: `clean removes what plugctl keeps in the state directory beside the config (.plugctl):
the generated build module, fetched sources, the default vendor tree, run's binaries
and the records that let a build reuse an artifact. Only .plugctl/lock is left, the
empty file plugctl processes take turns on. The next build starts from scratch; the
config and the lock are never touched.

--dist also removes the artifacts the project's builds wrote (each binary with its
.sha256, .cdx.json, .spdx.json, .intoto.jsonl and .plugctl.json files), wherever -o put them: those recorded in
the state directory, and only while the binary is still the one plugctl built. A file
edited or put in an artifact's place is kept, and said so. --vendor also removes the
vendor tree where the config's vendor key puts it outside .plugctl, when it holds
plugctl's manifest. -n lists what would be removed and removes nothing.`,
		Example: `  plugctl clean
  plugctl clean --dist -n
  plugctl clean --dist --vendor`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return cleanRun(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.Dist, "dist", false, "also remove the artifacts the builds recorded, with their .sha256, SBOM and record")
	cmd.Flags().BoolVar(&o.Vendor, "vendor", false, "also remove the vendor tree where the config puts it outside .plugctl")
	cmd.Flags().BoolVarP(&o.DryRun, "dry-run", "n", false, "list what would be removed, and remove nothing")
	return withExits(cmd, fail.Config)
}

// cleanResult is the --json document of clean (docs/json.md).
type cleanResult struct {
	envelope
	// DryRun is true when nothing was removed.
	DryRun bool `json:"dry_run"`
	// Removed are the files and directories removed (or, with DryRun,
	// that would be), absolute.
	Removed []string `json:"removed"`
	// Kept are the recorded artifacts left alone, with why.
	Kept []keptFile `json:"kept"`
}

// keptFile is a file clean did not remove.
type keptFile struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

func cleanRun(ctx context.Context, o *cleanOptions) error {
	res := &cleanResult{DryRun: o.DryRun, Removed: []string{}, Kept: []keptFile{}}
	o.result = res
	if err := o.findConfig(); err != nil {
		return err
	}
	dir, err := filepath.Abs(filepath.Dir(o.file))
	if err != nil {
		return err
	}
	state := filepath.Join(dir, pipeline.StateDir)
	var vendor string
	if o.Vendor {
		// Only the vendor key is needed, but an invalid config is no
		// ground to guess where the tree is.
		cfg, err := config.Load(o.file)
		if err != nil {
			return err
		}
		vendor = cfg.Vendor
		if !filepath.IsAbs(vendor) {
			vendor = filepath.Join(cfg.Dir, filepath.FromSlash(vendor))
		}
	}
	if _, err := os.Stat(state); err == nil {
		// Another plugctl building now would lose its work: wait for it.
		release, err := pipeline.LockProject(ctx, o.reporter(), dir)
		if err != nil {
			return err
		}
		defer release()
	}
	removed := func(p string) {
		res.Removed = append(res.Removed, p)
		if !o.json {
			verb := "removed"
			if o.DryRun {
				verb = "would remove"
			}
			fmt.Fprintf(o.ios.Out, "%s %s\n", verb, relPath(p))
		}
	}
	if o.Dist {
		paths, err := artifact.Recorded(filepath.Join(state, "artifacts"))
		if err != nil {
			return fmt.Errorf("reading the recorded artifacts: %w", err)
		}
		for _, p := range paths {
			files, err := artifact.Remove(p, o.DryRun)
			for _, f := range files {
				removed(f)
			}
			switch {
			case errors.Is(err, artifact.ErrNotArtifact):
				if _, serr := os.Lstat(p); serr != nil {
					continue // gone already
				}
				res.Kept = append(res.Kept, keptFile{p, "changed since plugctl built it"})
				if !o.json {
					fmt.Fprintf(o.ios.ErrOut, "kept %s: changed since plugctl built it\n", relPath(p))
				}
			case err != nil:
				return fmt.Errorf("removing %s: %w", relPath(p), err)
			}
		}
	}
	if o.Vendor && !inside(vendor, state) {
		if _, err := os.Stat(filepath.Join(vendor, vendortree.ManifestName)); err == nil {
			if !o.DryRun {
				if err := os.RemoveAll(vendor); err != nil {
					return fmt.Errorf("removing the vendor tree: %w", err)
				}
			}
			removed(vendor)
		} else if _, err := os.Stat(vendor); err == nil {
			return fail.New(fail.Config, "%s holds no %s: not a vendor tree plugctl wrote, left alone", relPath(vendor), vendortree.ManifestName)
		}
	}
	entries, err := os.ReadDir(state)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, e := range entries {
		if e.Name() == "lock" {
			continue
		}
		p := filepath.Join(state, e.Name())
		if !o.DryRun {
			if err := os.RemoveAll(p); err != nil {
				return fmt.Errorf("removing %s: %w", relPath(p), err)
			}
		}
		removed(p)
	}
	slices.Sort(res.Removed)
	if len(res.Removed) == 0 && !o.json {
		fmt.Fprintln(o.ios.Out, "nothing to remove")
	}
	return nil
}

// inside reports whether path is dir or below it.
func inside(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
