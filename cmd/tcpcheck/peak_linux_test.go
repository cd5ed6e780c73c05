package main

import (
	"os"
	"syscall"
)

// measuresPeak: peakRSS reads a child's peak resident memory here.
const measuresPeak = true

// peakRSS is the peak resident memory, in bytes, of the process ps
// describes, once it has ended.
func peakRSS(ps *os.ProcessState) int64 {
	return ps.SysUsage().(*syscall.Rusage).Maxrss << 10 // kB on Linux
}
