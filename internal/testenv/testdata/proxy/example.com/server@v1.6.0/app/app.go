// Package app is the test core's entry point.
package app

import (
	"fmt"

	"example.com/server/registry"
)

// Version is this release of the core.
const Version = "v1.6.0"

// Main prints the core's version and the plugs registered with it.
func Main() {
	fmt.Println("server " + Version)
	for _, p := range registry.Plugs() {
		fmt.Println("plug " + p)
	}
}
