package plug

import (
	"runtime/debug"
	"strings"
	"sync"
)

// buildInfo is the binary's build information, read once; nil when the
// binary has none.
var buildInfo = sync.OnceValue(func() *debug.BuildInfo {
	bi, _ := debug.ReadBuildInfo()
	return bi
})

// moduleVersion returns the version bi records for the module that holds
// the package pkg (an import path): the version of the module it is
// replaced by when that is a module version, else its own (a module
// replaced by a directory keeps the version it is required at); "" when bi
// holds no such module or no version of it, as for the main module of a
// test or of go run ("(devel)").
func moduleVersion(bi *debug.BuildInfo, pkg string) string {
	if bi == nil || pkg == "" {
		return ""
	}
	var best *debug.Module
	for _, m := range append([]*debug.Module{&bi.Main}, bi.Deps...) {
		if m == nil || !within(pkg, m.Path) {
			continue
		}
		// The longest module path holding pkg is its module: a nested
		// module (example.com/a/b) is not part of example.com/a.
		if best == nil || len(m.Path) > len(best.Path) {
			best = m
		}
	}
	if best == nil {
		return ""
	}
	v := best.Version
	if r := best.Replace; r != nil && r.Version != "" {
		v = r.Version
	}
	if v == "(devel)" {
		return ""
	}
	return v
}

// within reports whether the package pkg is in the module mod by path.
func within(pkg, mod string) bool {
	return mod != "" && (pkg == mod || strings.HasPrefix(pkg, mod+"/"))
}
