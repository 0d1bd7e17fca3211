// Package registry is the test core's own plug registry.
package registry

import "sort"

var plugs []string

// Register records a plug and its version.
func Register(name, version string) { plugs = append(plugs, name+" "+version) }

// Plugs lists the registered plugs, sorted.
func Plugs() []string {
	out := append([]string(nil), plugs...)
	sort.Strings(out)
	return out
}
