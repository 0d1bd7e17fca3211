//go:build unix

package run

import (
	"os"
	"syscall"
)

// group is a started child and every process it starts: procAttr made the
// child the leader of a process group of its own, so signalling the negative
// pid reaches them all.
type group struct{ pgid int }

func newGroup(p *os.Process) *group { return &group{pgid: p.Pid} }

// interrupt asks the group to stop (SIGINT), as a terminal's Ctrl-C would.
func (g *group) interrupt() { _ = syscall.Kill(-g.pgid, syscall.SIGINT) }

// kill stops whatever is left of the group.
func (g *group) kill() { _ = syscall.Kill(-g.pgid, syscall.SIGKILL) }

// close releases what newGroup holds; nothing on Unix.
func (g *group) close() {}
