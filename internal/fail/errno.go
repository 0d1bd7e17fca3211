package fail

import "syscall"

// envErrnos are the system errors that only ever mean the machine, never
// plugctl's input: no space left, quota exceeded, read-only file system.
// (syscall defines them on Windows too, where a full disk also reads as
// ERROR_DISK_FULL; see errno_windows.go.)
var envErrnos = append([]error{syscall.ENOSPC, syscall.EDQUOT, syscall.EROFS}, platformErrnos...)
