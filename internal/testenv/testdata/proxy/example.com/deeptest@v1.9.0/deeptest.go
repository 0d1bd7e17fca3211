// Package deeptest is a dependency of example.com/testonly.
package deeptest

// Name names the version.
const Name = "deeptest v1.9.0"
