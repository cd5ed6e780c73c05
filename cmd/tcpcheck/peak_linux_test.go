package main

import (
	"os"
	"os/exec"
	"syscall"
)

// measuresPeak: peakRSS reads a child's peak resident memory here.
const measuresPeak = true

// peakRSS is the peak resident memory, in bytes, of the process ps
// describes, once it has ended.
func peakRSS(ps *os.ProcessState) int64 {
	return ps.SysUsage().(*syscall.Rusage).Maxrss << 10 // kB on Linux
}

// exitCodeOf is ps's exit code, or 128 plus the signal that ended it, as
// a shell says.
func exitCodeOf(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// ownGroup has cmd start a process group of its own, so that killGroup
// ends the measured child's small parent and the child under it at once.
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

func killGroup(p *os.Process) { syscall.Kill(-p.Pid, syscall.SIGKILL) }
