package artifact

import (
	"os"
	"syscall"
)

// statOf identifies the current state of the file at path cheaply: any
// write, rename, chmod or copy over it changes its inode change time, which
// no ordinary user can set back. ok is false when that cannot be told.
func statOf(path string) (s FileStat, ok bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return s, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return s, false
	}
	return FileStat{
		Size:  fi.Size(),
		MTime: fi.ModTime().UnixNano(),
		CTime: st.Ctim.Sec*1e9 + st.Ctim.Nsec,
		Inode: st.Ino,
		Dev:   uint64(st.Dev),
	}, true
}
