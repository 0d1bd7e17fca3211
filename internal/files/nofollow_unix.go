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

// tempVar names the variable os.TempDir reads.
const tempVar = "TMPDIR"

// OpenRegular opens name for reading and refuses anything but a regular
// file, without blocking: opening a FIFO for reading waits for a writer,
// in the kernel, where neither Ctrl-C nor a deadline reaches, so the file
// is opened non-blocking and checked before a byte is read. (O_NONBLOCK
// changes nothing for a regular file.)
func OpenRegular(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	return checkRegular(name, f)
}
