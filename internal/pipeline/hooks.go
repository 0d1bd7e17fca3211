package pipeline

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/extract"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/manifest"
	"github.com/plugctl/plugctl/internal/run"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/vendortree"
)

// HooksDir is the directory of the state directory that holds each plug's
// tree as its build-time hooks left it (hooks/NAME), which the build
// module links to in place of the fetched tree.
const HooksDir = "hooks"

// hasHooks reports whether some plug of the build has build-time hooks to
// run (found by check: declared by its manifest, allowed by the config).
func (s *State) hasHooks() bool { return len(s.hookCmds) > 0 }

// runsHooks reports whether the plug c has build-time hooks that run: its
// manifest declares some and the config allows them. check decides it
// again as it checks the manifests (checkManifests); this is for the
// checks before that one.
func (s *State) runsHooks(c source.Component) bool {
	if c.Name == source.CoreName || c.Root == "" {
		return false
	}
	allowed := false
	for _, pl := range s.Config.Enabled() {
		allowed = allowed || pl.Name == c.Name && pl.Hooks == config.HooksAllow
	}
	if !allowed {
		return false
	}
	m, err := loadManifest(c)
	return err == nil && m != nil && len(m.Generate) > 0
}

// hooksDetail names the plugs whose hooks run.
func (s *State) hooksDetail() string {
	var names []string
	for _, c := range s.Set.Plugs {
		if len(s.hookCmds[c.Name]) > 0 {
			names = append(names, c.Name)
		}
	}
	return strings.Join(names, ", ")
}

// hooks (the hooks step) runs the build-time hooks of every plug that has
// them, in config order, each plug's in order (docs/plugs.md: Build-time
// hooks). A plug's hooks run in a copy of its fetched tree — never in the
// user's directory, the module cache or plugctl's fetched tree — with an
// empty environment but for PATH, a fresh HOME and TMPDIR, and the go
// command's settings (gotool.HookEnv), all of them within the hook time
// limit (source.Limits.HookTimeout). What they leave in the copy, checked
// as the extractor checks a tree (extract.CheckTree: no link leading out,
// no special file, within the tree limits), becomes the plug's tree: the
// build module links to it, its hash is the one the lock and the vendor
// manifest record, and the lock lists the hooks beside it. A hook that
// exits non-zero, runs out of time, or changes anything in HOME, TMPDIR or
// beside the copy fails the run naming the plug and the command (exit 4:
// the hook makes part of the plug's content, as a fetch does).
//
// The lock's hash of such a plug is checked here, once its hooks ran, not
// by check (checkPins), which sees the fetched tree.
func (s *State) hooks(ctx context.Context) error {
	total := 0
	for _, cmds := range s.hookCmds {
		total += len(cmds)
	}
	done := 0
	s.Progress(done, total)
	var probs []string
	for i := range s.Set.Plugs {
		c := &s.Set.Plugs[i]
		cmds := s.hookCmds[c.Name]
		if len(cmds) == 0 {
			continue
		}
		if err := s.runHooks(ctx, c, cmds, func() { done++; s.Progress(done, total) }); err != nil {
			return err
		}
		if p := s.pinProblem(*c); p != "" {
			probs = append(probs, p)
		}
	}
	if len(probs) > 0 {
		return fail.New(fail.Mismatch, "what the hooks made does not match %s:\n  %s\nrun plugctl lock to update it, after checking why it changed (a hook whose output differs from run to run cannot be locked)", s.LockName(), strings.Join(probs, "\n  "))
	}
	return nil
}

// runHooks runs cmds, the hooks of plug c, and makes c the tree they left.
func (s *State) runHooks(ctx context.Context, c *source.Component, cmds []manifest.Command, ran func()) error {
	label := source.Label(c.Name)
	env, err := s.sourceEnv()
	if err != nil {
		return err
	}
	limits := env.Limit()
	sums := c.Sums
	if sums == nil { // a module the go command fetched: its cache directory
		if sums, err = s.hashCache().Dir(c.Root); err != nil {
			return fmt.Errorf("%s: reading its tree for its hooks: %w", label, err)
		}
	}
	final := s.statePath(filepath.Join(HooksDir, c.Name))
	work, err := files.TempDir(final)
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	tree, home, tmp := filepath.Join(work, "tree"), filepath.Join(work, "home"), filepath.Join(work, "tmp")
	if err := vendortree.CopyModule(sums, tree, nil); err != nil {
		return fmt.Errorf("%s: copying its tree for its hooks: %w", label, err)
	}
	if err := sandboxHome(home); err != nil {
		return err
	}
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return err
	}
	before, err := outside(work)
	if err != nil {
		return err
	}
	vars, err := gotool.HookEnv(ctx, s.R, home, tmp)
	if err != nil {
		return err
	}
	hctx, cancel := context.WithTimeout(ctx, limits.HookTimeout)
	defer cancel()
	for _, cmd := range cmds {
		shown := strings.Join(cmd.Args, " ")
		_, err := run.Output(hctx, s.R, run.Cmd{Dir: tree, Env: vars, Args: cmd.Args})
		switch {
		case ctx.Err() != nil:
			return fmt.Errorf("%s: hook %s: %w", label, shown, ctx.Err())
		case errors.Is(err, context.DeadlineExceeded):
			return fail.New(fail.Fetch, "%s: hook %s: timed out after %s, the time a plug's hooks may take (%s)", label, shown, limits.HookTimeout, source.EnvHookTimeout)
		case err != nil:
			return fail.Wrap(fail.Fetch, fmt.Errorf("%s: hook %s failed: %w", label, shown, err))
		}
		after, err := outside(work)
		if err != nil {
			return err
		}
		if changed := changedPaths(before, after); len(changed) > 0 {
			return fail.New(fail.Fetch, "%s: hook %s wrote outside its copy of the plug's tree: %s (a hook may write only in the directory it runs in)", label, shown, strings.Join(changed, ", "))
		}
		ran()
	}
	if err := extract.CheckTree(tree, extract.Limits{MaxEntries: limits.MaxFiles, MaxBytes: limits.MaxTreeBytes}); err != nil {
		return fail.Wrap(fail.Fetch, fmt.Errorf("%s: the tree its hooks left: %w", label, err))
	}
	if err := files.ReplaceDir(tree, final); err != nil {
		return err
	}
	return s.useHooked(c, final, manifest.Commands(cmds))
}

// useHooked makes c the module in dir, the tree hooks left.
func (s *State) useHooked(c *source.Component, dir string, hooks [][]string) error {
	label := source.Label(c.Name)
	sums, err := s.hashCache().Dir(dir)
	if err != nil {
		return err
	}
	gomod, err := source.SumsGoMod(sums, filepath.Join(dir, "go.mod"))
	if err != nil {
		return fail.Wrap(fail.Fetch, fmt.Errorf("%s: after its hooks: %w", label, err))
	}
	if gomod.Module.Mod.Path != c.Module {
		return fail.New(fail.Fetch, "%s: after its hooks, go.mod says module %s, not %s", label, gomod.Module.Mod.Path, c.Module)
	}
	hash, err := sums.Module(c.Module, c.Version)
	if err != nil {
		return fail.Wrap(fail.Fetch, fmt.Errorf("%s: hashing the tree its hooks left: %w", label, err))
	}
	c.Dir, c.Root, c.Sums, c.GoMod, c.Hash, c.Hooks = dir, dir, sums, gomod, hash, hooks
	// The SBOM and the provenance name a local plug's tree by its content
	// hash, by directory.
	_, err = s.treeHash(dir)
	return err
}

// sandboxHome makes the hook's HOME: empty but for the go command's
// telemetry mode, off, so that the go command a hook runs writes nothing
// there of its own accord (it keeps counters under the user's config
// directory otherwise).
func sandboxHome(home string) error {
	var cfg string
	switch runtime.GOOS {
	case "windows", "plan9":
		return os.Mkdir(home, 0o755) // the config directory is not under HOME
	case "darwin", "ios":
		cfg = filepath.Join(home, "Library", "Application Support")
	default:
		cfg = filepath.Join(home, ".config")
	}
	dir := filepath.Join(cfg, "go", "telemetry")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "mode"), []byte("off\n"), 0o644)
}

// outside lists what the hook's work directory holds besides the tree:
// its HOME and TMPDIR and anything written beside them, each path (slash,
// relative to work) with what it is — a directory, a link and its target,
// or a file and its SHA-256.
func outside(work string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(work, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(work, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch t := d.Type(); {
		case rel == "tree":
			return fs.SkipDir
		case t.IsDir():
			out[rel] = "directory"
		case t&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[rel] = "link " + target
		case t.IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = fmt.Sprintf("file %x", sha256.Sum256(data))
		default:
			out[rel] = t.String()
		}
		return nil
	})
	return out, err
}

// changedPaths lists, sorted, the paths added, removed or changed between
// two listings of outside, as the hook would name them: $HOME/…, $TMPDIR/…,
// or the path beside its tree.
func changedPaths(before, after map[string]string) []string {
	var out []string
	name := func(rel string) string {
		switch {
		case rel == "home" || strings.HasPrefix(rel, "home/"):
			return "$HOME" + strings.TrimPrefix(rel, "home")
		case rel == "tmp" || strings.HasPrefix(rel, "tmp/"):
			return "$TMPDIR" + strings.TrimPrefix(rel, "tmp")
		}
		return "../" + rel
	}
	for rel, a := range after {
		if b, ok := before[rel]; !ok || b != a {
			out = append(out, name(rel))
		}
	}
	for rel := range before {
		if _, ok := after[rel]; !ok {
			out = append(out, name(rel))
		}
	}
	slices.Sort(out)
	return out
}
