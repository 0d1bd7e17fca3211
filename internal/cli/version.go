package cli

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/gotool"
)

// versionOptions are the inputs of plugctl version.
type versionOptions struct {
	*globals
}

func newCmdVersion(g *globals, runF func(context.Context, *versionOptions) error) *cobra.Command {
	o := &versionOptions{globals: g}
	return withExits(&cobra.Command{
		Use:   "version",
		Short: "Print plugctl's version and the Go toolchain it will build with",
		Long: `version prints plugctl's own version (a pseudo-version for a build from a clone,
(devel) under go run) and the go command every build uses: the one on PATH, run with
GOTOOLCHAIN=local, so a build never downloads another toolchain. plugctl --version
prints plugctl's version alone.`,
		Example: `  plugctl version
  plugctl version --json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return versionRun(cmd.Context(), o)
		},
	})
}

// Version returns plugctl's own module version: the pseudo-version go build
// and go install stamp from git in a clone, "(devel)" under go run or without
// VCS information.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// versionResult is the --json document of version (docs/json.md).
type versionResult struct {
	envelope
	Plugctl string `json:"plugctl"` // plugctl's module version (see Version)
	Go      string `json:"go"`      // the toolchain builds use, like go1.26.8
	Host    string `json:"host"`    // the toolchain's host os/arch
}

func versionRun(ctx context.Context, o *versionOptions) error {
	res := &versionResult{Plugctl: Version()}
	o.result = res
	tc, err := gotool.Detect(ctx, o.reporter())
	if err != nil {
		return err
	}
	res.Go, res.Host = tc.Version, tc.GOOS+"/"+tc.GOARCH
	if o.json {
		return nil
	}
	fmt.Fprintf(o.ios.Out, "plugctl %s\ngo %s %s/%s\n", Version(), tc.Version, tc.GOOS, tc.GOARCH)
	return nil
}
