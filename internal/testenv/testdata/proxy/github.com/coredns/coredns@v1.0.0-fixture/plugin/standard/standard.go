// Package standard registers the fixture's own plugins.
package standard

import "github.com/coredns/coredns/plugin"

func pass(name string) plugin.Handler {
	return func(q string, next func(string) string) string { return name + " " + next(q) }
}

func init() {
	for _, n := range []string{"root", "log", "cache", "whoami"} {
		plugin.Register(n, pass(n))
	}
	plugin.Register("forward", func(q string, _ func(string) string) string { return "forward(" + q + ")" })
}
