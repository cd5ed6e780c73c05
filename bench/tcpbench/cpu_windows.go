//go:build windows

package main

import (
	"syscall"
	"time"
)

// cpuSeconds is the CPU time the process has used, user and kernel, as
// GetProcessTimes reports it (in units of 100 ns).
func cpuSeconds() float64 {
	var creation, exit, kernel, user syscall.Filetime
	h, err := syscall.GetCurrentProcess()
	if err != nil {
		return 0
	}
	if err := syscall.GetProcessTimes(h, &creation, &exit, &kernel, &user); err != nil {
		return 0
	}
	ticks := func(t syscall.Filetime) int64 { return int64(t.HighDateTime)<<32 | int64(t.LowDateTime) }
	return time.Duration((ticks(kernel) + ticks(user)) * 100).Seconds()
}
