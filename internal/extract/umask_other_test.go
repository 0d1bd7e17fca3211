//go:build !unix

package extract

// umask does nothing where there is no umask.
func umask(int) (restore func()) { return func() {} }
