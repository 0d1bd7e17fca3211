// Package caddycmd is a fixture of Caddy's command line: Main runs the
// command its arguments name.
package caddycmd

import (
	"fmt"
	"os"

	"github.com/caddyserver/caddy/v2"
)

// Main runs list-modules (every registered module, one a line) or version.
func Main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: caddy list-modules|version")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "list-modules":
		for _, id := range caddy.Modules() {
			fmt.Println(id)
		}
	case "version":
		fmt.Println("v2.0.0-fixture")
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}
