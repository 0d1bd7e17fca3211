// Package testonly is a test library only the tests of example.com/shaped
// import.
package testonly

import "example.com/deeptest"

// Name names the library.
func Name() string { return "testonly " + deeptest.Name }
