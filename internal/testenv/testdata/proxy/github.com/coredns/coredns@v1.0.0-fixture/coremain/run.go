// Package coremain is a fixture of CoreDNS's main: Run reads a Corefile,
// refuses a directive not in dnsserver.Directives as CoreDNS does, and
// answers one query through the plugins it uses, in the list's order.
package coremain

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin"
)

// Run is coredns -plugins (the registered plugins) or coredns -conf FILE
// QUERY: the chain of the Corefile's directives, in order, answers QUERY.
func Run() {
	args := os.Args[1:]
	if len(args) == 1 && args[0] == "-plugins" {
		for _, n := range plugin.Names() {
			fmt.Println("  dns." + n)
		}
		return
	}
	if len(args) != 3 || args[0] != "-conf" {
		fmt.Fprintln(os.Stderr, "usage: coredns -plugins | -conf FILE QUERY")
		os.Exit(2)
	}
	data, err := os.ReadFile(args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var used []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if !slices.Contains(dnsserver.Directives, f[0]) {
			fmt.Fprintf(os.Stderr, "%s:%d - Error during parsing: Unknown directive '%s'\n", args[1], 1, f[0])
			os.Exit(1)
		}
		used = append(used, f[0])
	}
	var chain []plugin.Handler
	for _, d := range dnsserver.Directives {
		if slices.Contains(used, d) {
			h, ok := plugin.Lookup(d)
			if !ok {
				fmt.Fprintf(os.Stderr, "no plugin for directive %q\n", d)
				os.Exit(1)
			}
			chain = append(chain, h)
		}
	}
	var serve func(i int, q string) string
	serve = func(i int, q string) string {
		if i == len(chain) {
			return "NXDOMAIN"
		}
		return chain[i](q, func(q string) string { return serve(i+1, q) })
	}
	fmt.Println(serve(0, args[2]))
}
