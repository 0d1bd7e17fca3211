// Package platform names what Go builds for: a Target is one GOOS/GOARCH
// pair, as build.targets and --target write it ("linux/amd64"), checked
// against the pairs Go can build for.
package platform

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/suggest"
)

// knownTargets are the os/arch pairs a build may name: `go tool dist list`
// of Go 1.26, plus freebsd/riscv64, which Go 1.26 lists only with -broken.
var knownTargets = strings.Fields(`aix/ppc64 android/386 android/amd64 android/arm android/arm64
	darwin/amd64 darwin/arm64 dragonfly/amd64 freebsd/386 freebsd/amd64 freebsd/arm freebsd/arm64
	freebsd/riscv64 illumos/amd64 ios/amd64 ios/arm64 js/wasm linux/386 linux/amd64 linux/arm
	linux/arm64 linux/loong64 linux/mips linux/mips64 linux/mips64le linux/mipsle linux/ppc64
	linux/ppc64le linux/riscv64 linux/s390x netbsd/386 netbsd/amd64 netbsd/arm netbsd/arm64
	openbsd/386 openbsd/amd64 openbsd/arm openbsd/arm64 openbsd/ppc64 openbsd/riscv64 plan9/386
	plan9/amd64 plan9/arm solaris/amd64 wasip1/wasm windows/386 windows/amd64 windows/arm64`)

// Target is one GOOS/GOARCH pair.
type Target struct {
	OS, Arch string
}

// String returns the target as "os/arch".
func (t Target) String() string { return t.OS + "/" + t.Arch }

// Host returns the target of the machine plugctl runs on.
func Host() Target { return Target{runtime.GOOS, runtime.GOARCH} }

// All returns every os/arch pair a build may name, sorted.
func All() []Target {
	out := make([]Target, len(knownTargets))
	for i, s := range knownTargets {
		os, arch, _ := strings.Cut(s, "/")
		out[i] = Target{os, arch}
	}
	return out
}

// Parse parses an "os/arch" pair that Go can build for.
func Parse(s string) (Target, error) {
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

// ParseList parses a list of "os/arch" pairs, as the --target flag gives
// them; a pair given twice is an error.
func ParseList(ss []string) ([]Target, error) {
	var out []Target
	for _, s := range ss {
		t, err := Parse(s)
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
