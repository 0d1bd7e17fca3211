//go:build !windows

package fail

var platformErrnos []error
