//go:build unix

package main

import (
	"syscall"
	"time"
)

// cpuSeconds is the CPU time the process has used, user and system, so
// that a rate measured on a busy machine counts the work done, not the
// wait for a core.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
