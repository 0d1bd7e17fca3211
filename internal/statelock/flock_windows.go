package statelock

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// lockedByte returns the region LockFileEx locks: one byte far beyond the
// pid the file holds. Windows locks are mandatory, so locking the pid itself
// would keep a waiting process from reading whom it waits for.
func lockedByte() *windows.Overlapped {
	return &windows.Overlapped{OffsetHigh: 0x7fffffff}
}

// tryLock takes an exclusive LockFileEx lock on f without waiting; busy
// reports that another process holds it.
func tryLock(f *os.File) (busy bool, err error) {
	err = windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, lockedByte())
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return true, nil
	}
	return false, err
}

func unlock(f *os.File) error {
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, lockedByte())
}
