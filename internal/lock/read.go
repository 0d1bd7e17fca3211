package lock

import "github.com/plugctl/plugctl/internal/files"

// MaxFileSize is the largest lock file plugctl reads: hundreds of times
// what a build graph of thousands of modules needs, and small enough that
// a lock replaced by something hostile (a link to /dev/zero, a huge file)
// costs nothing.
const MaxFileSize = 16 << 20

// ReadFile reads the lock file name: a regular file of at most MaxFileSize
// bytes. A missing file is an error satisfying errors.Is(err,
// fs.ErrNotExist).
func ReadFile(name string) ([]byte, error) {
	return files.ReadFile(name, MaxFileSize)
}
