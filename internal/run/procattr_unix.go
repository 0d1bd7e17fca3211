//go:build unix && !linux

package run

import "syscall"

// procAttr puts the child in a session (so a process group) of its own, so
// that go's own children (compile, link, git-remote-https) can be stopped
// with it.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true}
}
