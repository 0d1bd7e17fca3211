// Package parse is a test library with a known vulnerability in Unsafe
// (GO-2099-0001 in the audit fixture database), fixed in v1.0.1; Safe is
// not affected.
package parse

// Unsafe is the vulnerable function.
func Unsafe(s string) string { return s + "!" }

// Safe is not affected.
func Safe(s string) string { return s }
