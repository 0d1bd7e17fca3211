package run

import (
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// group is a started child and every process it starts. Windows has no
// process groups that can be killed as one, so the child is put in a job
// object: processes it starts join the job, TerminateJobObject ends them
// all, and the job's kill-on-close limit ends them when plugctl dies without
// stopping them (the counterpart of Pdeathsig on Linux).
//
// The child is assigned to the job just after it starts, so a process it
// starts in that instant escapes the job; go and git start nothing that
// early. When the job cannot be made, kill falls back to killing the child
// alone.
type group struct {
	p   *os.Process
	job windows.Handle
}

func newGroup(p *os.Process) *group {
	g := &group{p: p}
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return g
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{}
	info.BasicLimitInformation.LimitFlags = windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		windows.CloseHandle(job)
		return g
	}
	h, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(p.Pid))
	if err != nil {
		windows.CloseHandle(job)
		return g
	}
	defer windows.CloseHandle(h)
	if err := windows.AssignProcessToJobObject(job, h); err != nil {
		windows.CloseHandle(job)
		return g
	}
	g.job = job
	return g
}

// interrupt sends the child's process group a Ctrl-Break, which Go programs
// receive as os.Interrupt. It reaches only processes sharing plugctl's
// console; kill follows for the others.
func (g *group) interrupt() {
	_ = windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(g.p.Pid))
}

// kill ends every process of the job, or the child alone without one.
func (g *group) kill() {
	if g.job != 0 {
		_ = windows.TerminateJobObject(g.job, 1)
		return
	}
	_ = g.p.Kill()
}

// close releases the job handle, which ends any process the child left
// running (kill on close): nothing plugctl started outlives the command
// that started it.
func (g *group) close() {
	if g.job != 0 {
		windows.CloseHandle(g.job)
		g.job = 0
	}
}
