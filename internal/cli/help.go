package cli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/suggest"
)

// exitsAnnotation holds the exit codes a command can return besides 0, 1
// and 130, which every command can: space-separated, as withExits sets it.
const exitsAnnotation = "plugctl/exits"

// exitMeanings are the exit codes (docs/commands.md; internal/fail).
var exitMeanings = map[int]string{
	0:                     "success",
	int(fail.Unexpected):  "unexpected failure, the environment's included (disk full, unwritable paths)",
	int(fail.Config):      "bad config, manifest or command line",
	int(fail.Mismatch):    "lock, integrity or signature mismatch",
	int(fail.Fetch):       "fetch or network failure",
	int(fail.Compile):     "the Go compile failed",
	int(fail.Policy):      "a policy check failed (the config's or the site's policy, or a vulnerability the audit found)",
	int(fail.Interrupted): "interrupted (Ctrl-C): child go and git processes stopped, nothing half-written",
}

// withExits records on cmd the exit codes it can return besides 0, 1 and
// 130; newRoot adds them to its help.
func withExits(cmd *cobra.Command, kinds ...fail.Kind) *cobra.Command {
	codes := make([]string, len(kinds))
	for i, k := range kinds {
		codes[i] = strconv.Itoa(int(k))
	}
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[exitsAnnotation] = strings.Join(codes, " ")
	return cmd
}

// exitHelp is the "Exit codes:" section of cmd's help, "" when cmd records
// none.
func exitHelp(cmd *cobra.Command) string {
	v, ok := cmd.Annotations[exitsAnnotation]
	if !ok {
		return ""
	}
	codes := []int{0, int(fail.Unexpected), int(fail.Interrupted)}
	for _, f := range strings.Fields(v) {
		if n, err := strconv.Atoi(f); err == nil && !slices.Contains(codes, n) {
			codes = append(codes, n)
		}
	}
	slices.Sort(codes)
	var b strings.Builder
	b.WriteString("Exit codes:\n")
	for _, c := range codes {
		fmt.Fprintf(&b, "  %-4d %s\n", c, exitMeanings[c])
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// parentRun is the RunE of a command that only groups others (new, key):
// its help, or a usage error for an unknown child, named by format (one
// %q) with a "did you mean" and the valid names.
func parentRun(format string, valid ...string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		hint := ""
		if h := suggest.Hint(args[0], valid); h != "" {
			hint = ", " + h
		}
		return usage(fmt.Errorf(format+"%s (valid: %s)", args[0], hint, strings.Join(valid, ", ")))
	}
}
