package git

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/plugctl/plugctl/internal/run"
	"github.com/plugctl/plugctl/internal/source"
)

// CheckoutVersion returns the version a module in a local directory forks
// when the directory is in a git checkout: the highest semver tag reachable
// from the checkout's HEAD that fits the module path mod (the directory's
// own path/vX.Y.Z tags first, as semverTags reads them), or "" when the
// directory is in no checkout, or no tag fits. It is what a local fork of a
// core, or a plug's working copy, reports instead of v0.0.0.
//
// The checkout is the user's own; git runs in it with the configuration
// every git command of plugctl has (no fsmonitor, no transport that runs
// a command) and only reads refs. Any failure of git means "no version":
// a directory that is not a checkout, a repository git refuses (owned by
// another user), no git at all.
func CheckoutVersion(ctx context.Context, env *source.Env, dir, mod string) string {
	c := client{env}
	gitIn := func(args ...string) (string, bool) {
		argv := append(append([]string{"git"}, gitConfig...), args...)
		// No ceiling: the directory may be a module below the checkout's
		// root. GIT_DIR and the like are dropped by gitEnv.
		out, err := run.Output(ctx, c.env.Reporter(), run.Cmd{Dir: dir, Env: gitEnv(""), Args: argv})
		return strings.TrimSpace(string(out)), err == nil
	}
	prefix, ok := gitIn("rev-parse", "--show-prefix")
	if !ok {
		return ""
	}
	out, ok := gitIn("for-each-ref", "--format=%(refname)", "--merged=HEAD", "refs/tags/")
	if !ok {
		return ""
	}
	return baseTag(strings.Fields(out), strings.TrimSuffix(filepath.ToSlash(prefix), "/"), mod)
}
