package source

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/plugctl/plugctl/internal/fail"
)

// The environment variables that set Limits (see LimitsFromEnv).
const (
	EnvMaxFetchBytes   = "PLUGCTL_MAX_FETCH_BYTES"   // Limits.MaxBytes
	EnvMaxArchiveFiles = "PLUGCTL_MAX_ARCHIVE_FILES" // Limits.MaxFiles
	EnvMaxTreeBytes    = "PLUGCTL_MAX_TREE_BYTES"    // Limits.MaxTreeBytes
	EnvFetchTimeout    = "PLUGCTL_FETCH_TIMEOUT"     // Limits.Timeout
	EnvHookTimeout     = "PLUGCTL_HOOK_TIMEOUT"      // Limits.HookTimeout
)

// LimitsFromEnv reads Limits from the environment through lookup
// (os.LookupEnv in plugctl). Limits are the policy of the machine that runs
// plugctl, not of the project, which is why they come from the environment
// and not from the config: a hostile config cannot raise its own caps, and
// a CI job can lower them for everything it builds.
//
//	PLUGCTL_MAX_FETCH_BYTES    bytes one archive download may have (default 512MiB)
//	PLUGCTL_MAX_ARCHIVE_FILES  entries of one archive or source tree (default 100000)
//	PLUGCTL_MAX_TREE_BYTES     bytes of one tree once extracted (default 2GiB)
//	PLUGCTL_FETCH_TIMEOUT      time to resolve or fetch one source (default 10m)
//	PLUGCTL_HOOK_TIMEOUT       time one plug's build-time hooks may take, all of
//	                           them (default: the fetch timeout)
//
// Sizes are a number of bytes with an optional KiB, MiB or GiB suffix;
// the timeout is a Go duration such as 90s or 5m. An unset or empty
// variable means the default; anything unreadable or not positive is a
// fail.Config error naming the variable.
func LimitsFromEnv(lookup func(string) (string, bool)) (Limits, error) {
	var l Limits
	var errs []string
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	if v := get(EnvMaxFetchBytes); v != "" {
		n, err := parseSize(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s=%s: %v", EnvMaxFetchBytes, Quote(v), err))
		}
		l.MaxBytes = n
	}
	if v := get(EnvMaxTreeBytes); v != "" {
		n, err := parseSize(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s=%s: %v", EnvMaxTreeBytes, Quote(v), err))
		}
		l.MaxTreeBytes = n
	}
	if v := get(EnvMaxArchiveFiles); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Sprintf("%s=%s: not a positive number of files", EnvMaxArchiveFiles, Quote(v)))
		}
		l.MaxFiles = n
	}
	if v := get(EnvFetchTimeout); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Sprintf("%s=%s: not a positive duration (valid: a Go duration like 90s or 5m)", EnvFetchTimeout, Quote(v)))
		}
		l.Timeout = d
	}
	if v := get(EnvHookTimeout); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Sprintf("%s=%s: not a positive duration (valid: a Go duration like 90s or 5m)", EnvHookTimeout, Quote(v)))
		}
		l.HookTimeout = d
	}
	if len(errs) > 0 {
		return Limits{}, fail.New(fail.Config, "%s", strings.Join(errs, "; "))
	}
	return l, nil
}

// parseSize reads a size: a number of bytes, or a number followed by KiB,
// MiB or GiB.
func parseSize(s string) (int64, error) {
	num, mult := s, int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"B", 1}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("not a positive size (valid: a number of bytes, optionally followed by KiB, MiB or GiB, like 64MiB)")
	}
	return n * mult, nil
}
