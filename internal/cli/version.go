package cli

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/report"
)

// versionOptions are the inputs of plugctl version.
type versionOptions struct {
	*globals
}

func newCmdVersion(g *globals, runF func(context.Context, *versionOptions) error) *cobra.Command {
	o := &versionOptions{globals: g}
	return &cobra.Command{
		Use:   "version",
		Short: "Print plugctl's version and the Go toolchain it will build with",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return versionRun(cmd.Context(), o)
		},
	}
}

// Version returns plugctl's own module version, "(devel)" in a source build.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

func versionRun(ctx context.Context, o *versionOptions) error {
	tc, err := gotool.Detect(ctx, report.Discard)
	if err != nil {
		return err
	}
	if o.json {
		return o.printJSON(map[string]string{"plugctl": Version(), "go": tc.Version, "host": tc.GOOS + "/" + tc.GOARCH})
	}
	fmt.Fprintf(o.ios.Out, "plugctl %s\ngo %s %s/%s\n", Version(), tc.Version, tc.GOOS, tc.GOARCH)
	return nil
}
