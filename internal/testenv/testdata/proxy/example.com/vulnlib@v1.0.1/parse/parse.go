// Package parse is a test library; this version fixes GO-2099-0001 of the
// audit fixture database.
package parse

// Unsafe was vulnerable before v1.0.1.
func Unsafe(s string) string { return s + "!" }

// Safe is not affected.
func Safe(s string) string { return s }
