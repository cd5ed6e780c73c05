//go:build !linux

package main

import (
	"os"
	"os/exec"
)

// measuresPeak: the tests that read a child's peak resident memory run
// on Linux only, where getrusage counts it in kilobytes (macOS counts
// bytes; Windows has no such figure in os.ProcessState).
const measuresPeak = false

func peakRSS(*os.ProcessState) int64     { return 0 }
func exitCodeOf(ps *os.ProcessState) int { return ps.ExitCode() }
func ownGroup(*exec.Cmd)                 {}
func killGroup(*os.Process)              {}
