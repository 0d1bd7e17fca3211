package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/suggest"
)

// knownTargets are the os/arch pairs a config may name: `go tool dist list`
// of Go 1.26, plus freebsd/riscv64, which Go 1.26 lists only with -broken.
var knownTargets = strings.Fields(`aix/ppc64 android/386 android/amd64 android/arm android/arm64
	darwin/amd64 darwin/arm64 dragonfly/amd64 freebsd/386 freebsd/amd64 freebsd/arm freebsd/arm64
	freebsd/riscv64 illumos/amd64 ios/amd64 ios/arm64 js/wasm linux/386 linux/amd64 linux/arm
	linux/arm64 linux/loong64 linux/mips linux/mips64 linux/mips64le linux/mipsle linux/ppc64
	linux/ppc64le linux/riscv64 linux/s390x netbsd/386 netbsd/amd64 netbsd/arm netbsd/arm64
	openbsd/386 openbsd/amd64 openbsd/arm openbsd/arm64 openbsd/ppc64 openbsd/riscv64 plan9/386
	plan9/amd64 plan9/arm solaris/amd64 wasip1/wasm windows/386 windows/amd64 windows/arm64`)

// Targets returns every os/arch pair a config may name, sorted.
func Targets() []Target {
	out := make([]Target, len(knownTargets))
	for i, s := range knownTargets {
		os, arch, _ := strings.Cut(s, "/")
		out[i] = Target{os, arch}
	}
	return out
}

// ParseTarget parses an "os/arch" pair that Go can build for.
func ParseTarget(s string) (Target, error) {
	if slices.Contains(knownTargets, s) {
		os, arch, _ := strings.Cut(s, "/")
		return Target{os, arch}, nil
	}
	os, _, _ := strings.Cut(s, "/")
	var same []string
	var oses []string
	for _, t := range knownTargets {
		o, _, _ := strings.Cut(t, "/")
		if o == os {
			same = append(same, t)
		}
		if !slices.Contains(oses, o) {
			oses = append(oses, o)
		}
	}
	hint := suggest.Hint(s, knownTargets)
	switch {
	case len(same) > 0 && hint != "":
		return Target{}, fmt.Errorf("unknown target %s, %s (valid %s targets: %s)", diag.Quote(s), hint, os, strings.Join(same, ", "))
	case len(same) > 0:
		return Target{}, fmt.Errorf("unknown target %s (valid %s targets: %s)", diag.Quote(s), os, strings.Join(same, ", "))
	case hint != "":
		// The list of every OS would bury the likely fix.
		return Target{}, fmt.Errorf("unknown target %s, %s", diag.Quote(s), hint)
	}
	return Target{}, fmt.Errorf("unknown target %s (valid: os/arch with os one of %s; see go tool dist list)", diag.Quote(s), strings.Join(oses, ", "))
}

// ParseTargets parses a list of "os/arch" pairs, as the --target flag gives
// them; a pair given twice is an error.
func ParseTargets(ss []string) ([]Target, error) {
	var out []Target
	for _, s := range ss {
		t, err := ParseTarget(s)
		if err != nil {
			return nil, err
		}
		if slices.Contains(out, t) {
			return nil, fmt.Errorf("duplicate target %q", s)
		}
		out = append(out, t)
	}
	return out, nil
}

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
func (c *Config) OutputPath(t Target, version string) string {
	return strings.NewReplacer("{name}", c.Name, "{os}", t.OS, "{arch}", t.Arch, "{version}", version).Replace(c.Build.Output)
}
