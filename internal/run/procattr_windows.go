package run

import "syscall"

// procAttr starts the child in a process group of its own: a Ctrl-C typed
// at plugctl's console reaches plugctl, which stops its children itself (as
// the session of its own does on Unix), and group.interrupt can send the
// group a Ctrl-Break.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}
