package run

import "syscall"

// procAttr puts the child in a session (so a process group) of its own, with
// no controlling terminal for ssh or a credential helper to prompt on, so that go's own
// children (compile, link, git-remote-https) can be stopped with it, and has
// the kernel send it SIGTERM should plugctl die without stopping it (kill -9):
// a vendor run killed mid-way must not leave a go or git process writing into
// the temporary tree the next run sweeps. SIGTERM rather than SIGKILL lets git
// remove its lock files. Pdeathsig fires when the thread that started the
// child exits, which the Go runtime does only for goroutines locked to their
// thread (golang.org/issue/27505); plugctl locks none.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true, Pdeathsig: syscall.SIGTERM}
}
