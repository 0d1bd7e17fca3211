//go:build unix

package files

import (
	"os"
	"syscall"
)

// OpenNoFollow opens name for reading, failing when name itself is a
// symbolic link (O_NOFOLLOW): a tree plugctl hashes or packs must not reach
// outside itself through a link put in place of one of its files.
func OpenNoFollow(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
}
