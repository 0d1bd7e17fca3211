//go:build unix

package extract

import "syscall"

// umask sets the process's umask to m and returns the function that
// restores it.
func umask(m int) (restore func()) {
	old := syscall.Umask(m)
	return func() { syscall.Umask(old) }
}
