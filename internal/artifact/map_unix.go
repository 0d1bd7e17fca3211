//go:build unix

package artifact

import (
	"math"
	"os"
	"syscall"
)

// mapFile maps the size bytes of f for reading; ok is false when it
// cannot (an empty file, or one too large to map), and f is then read.
func mapFile(f *os.File, size int64) (data []byte, unmap func(), ok bool) {
	if size <= 0 || size > math.MaxInt32 {
		return nil, nil, false
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, false
	}
	return data, func() { syscall.Munmap(data) }, true
}
