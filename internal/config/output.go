package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/platform"
)

// The placeholders an output path may use.
var placeholders = []string{"{name}", "{os}", "{arch}", "{version}"}

// CheckOutput checks an artifact path template for a build of n targets:
// only the placeholders {name} {os} {arch} {version}, no control
// characters, naming a file rather than a directory, and holding {os} and
// {arch} when n > 1 so that artifacts do not overwrite each other. An empty
// output is accepted: it means "no override" to the CLI, and Parse rejects an
// empty build.output itself.
func CheckOutput(output string, n int) error {
	if output == "" {
		return nil
	}
	for _, r := range output {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%s contains control character %U (valid: a file path)", diag.Quote(output), r)
		}
	}
	rest := output
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return fmt.Errorf("%s has a '{' without '}' (valid placeholders: %s)", diag.Quote(output), strings.Join(placeholders, " "))
		}
		ph := rest[i : i+j+1]
		if !slices.Contains(placeholders, ph) {
			return fmt.Errorf("unknown placeholder %s in %s (valid: %s)", ph, diag.Quote(output), strings.Join(placeholders, " "))
		}
		rest = rest[i+j+1:]
	}
	if strings.HasSuffix(output, "/") || output == "." || output == ".." || strings.HasSuffix(output, "/.") || strings.HasSuffix(output, "/..") {
		return fmt.Errorf("%s names a directory (valid: a file path like %s)", diag.Quote(output), DefaultOutput)
	}
	if n > 1 && (!strings.Contains(output, "{os}") || !strings.Contains(output, "{arch}")) {
		return fmt.Errorf("%s must contain {os} and {arch} when building %d targets, or the artifacts would overwrite each other (valid: like %s)", diag.Quote(output), n, DefaultMultiOutput)
	}
	return nil
}

// OutputPath returns build.output with its placeholders replaced for target
// t and the core version, as written: relative to Dir unless absolute.
func (c *Config) OutputPath(t platform.Target, version string) string {
	return strings.NewReplacer("{name}", c.Name, "{os}", t.OS, "{arch}", t.ArchName(), "{version}", version).Replace(c.Build.Output)
}
