// Package platform names what Go builds for: a Target is one GOOS/GOARCH
// pair, as build.targets and --target write it ("linux/amd64"), checked
// against the pairs Go can build for, with an optional variant of the
// architecture ("linux/arm/v6", "linux/amd64/v3"): the value of the
// architecture's knob (GOARM, GOAMD64, …), written as Docker and OCI
// platforms write it. The variant is part of the target: of its name, its
// artifact's {arch}, its record, so that the build stays reproducible.
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

// Target is one GOOS/GOARCH pair, and the variant of the architecture
// ("" for the go command's default).
type Target struct {
	OS, Arch string
	Variant  string `json:",omitempty"`
}

// String returns the target as "os/arch" or "os/arch/variant".
func (t Target) String() string {
	if t.Variant != "" {
		return t.OS + "/" + t.Arch + "/" + t.Variant
	}
	return t.OS + "/" + t.Arch
}

// ArchName is the target's architecture with its variant, as the {arch}
// of an artifact's path names it: "amd64", "armv6", "amd64v3".
func (t Target) ArchName() string { return t.Arch + t.Variant }

// knob is how an architecture's variants reach the go command: the
// variable and, for each variant, its value.
type knob struct {
	env      string
	variants []string
	value    func(variant string) string
}

func same(v string) string { return v }

// knobs are the architectures with variants (go help environment).
var knobs = map[string]knob{
	"arm":      {"GOARM", []string{"v5", "v6", "v7"}, func(v string) string { return strings.TrimPrefix(v, "v") }},
	"amd64":    {"GOAMD64", []string{"v1", "v2", "v3", "v4"}, same},
	"arm64":    {"GOARM64", []string{"v8.0", "v8.1", "v8.2", "v8.3", "v8.4", "v8.5", "v8.6", "v8.7", "v8.8", "v8.9", "v9.0", "v9.1", "v9.2", "v9.3", "v9.4", "v9.5"}, same},
	"386":      {"GO386", []string{"sse2", "softfloat"}, same},
	"mips":     {"GOMIPS", []string{"hardfloat", "softfloat"}, same},
	"mipsle":   {"GOMIPS", []string{"hardfloat", "softfloat"}, same},
	"mips64":   {"GOMIPS64", []string{"hardfloat", "softfloat"}, same},
	"mips64le": {"GOMIPS64", []string{"hardfloat", "softfloat"}, same},
	"ppc64":    {"GOPPC64", []string{"power8", "power9", "power10"}, same},
	"ppc64le":  {"GOPPC64", []string{"power8", "power9", "power10"}, same},
	"riscv64":  {"GORISCV64", []string{"rva20u64", "rva22u64", "rva23u64"}, same},
}

// Env returns the variable the target's variant sets for the go command
// (GOARM=6 for linux/arm/v6); nil without a variant.
func (t Target) Env() map[string]string {
	k, ok := knobs[t.Arch]
	if t.Variant == "" || !ok {
		return nil
	}
	return map[string]string{k.env: k.value(t.Variant)}
}

// Host returns the target of the machine plugctl runs on.
func Host() Target { return Target{OS: runtime.GOOS, Arch: runtime.GOARCH} }

// All returns every os/arch pair a build may name, sorted.
func All() []Target {
	out := make([]Target, len(knownTargets))
	for i, s := range knownTargets {
		os, arch, _ := strings.Cut(s, "/")
		out[i] = Target{OS: os, Arch: arch}
	}
	return out
}

// Parse parses an "os/arch" pair that Go can build for, or an
// "os/arch/variant" with a variant of the architecture (see knobs).
func Parse(s string) (Target, error) {
	if pair, variant, ok := cutVariant(s); ok && slices.Contains(knownTargets, pair) {
		t, _ := Parse(pair)
		k, known := knobs[t.Arch]
		if !known {
			return Target{}, fmt.Errorf("target %s: %s has no variants (valid: %s, or a target whose architecture has variants: %s)", diag.Quote(s), t.Arch, pair, strings.Join(variantArchs(), ", "))
		}
		if !slices.Contains(k.variants, variant) {
			return Target{}, fmt.Errorf("target %s: unknown variant %s of %s (valid: %s, set as %s)", diag.Quote(s), diag.Quote(variant), t.Arch, strings.Join(k.variants, ", "), k.env)
		}
		t.Variant = variant
		return t, nil
	}
	if slices.Contains(knownTargets, s) {
		os, arch, _ := strings.Cut(s, "/")
		return Target{OS: os, Arch: arch}, nil
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

// cutVariant splits "os/arch/variant" into "os/arch" and the variant.
func cutVariant(s string) (pair, variant string, ok bool) {
	i := strings.Index(s, "/")
	if i < 0 {
		return "", "", false
	}
	j := strings.Index(s[i+1:], "/")
	if j < 0 {
		return "", "", false
	}
	return s[:i+1+j], s[i+1+j+1:], true
}

// variantArchs lists the architectures with variants, sorted.
func variantArchs() []string {
	out := make([]string, 0, len(knobs))
	for a := range knobs {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
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
