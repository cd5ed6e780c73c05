package main

import (
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"
)

// TestMain runs tcpbench itself when the test binary is started by
// tcpbench (below) with TCPBENCH_MAIN set.
func TestMain(m *testing.M) {
	if os.Getenv("TCPBENCH_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// command is tcpbench with args, run as the test binary.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "TCPBENCH_MAIN=1")
	return cmd
}

// tcpbench runs tcpbench with args and returns what it printed.
func tcpbench(t *testing.T, args ...string) string {
	t.Helper()
	out, err := command(args...).CombinedOutput()
	if err != nil {
		t.Fatalf("tcpbench %v: %v\n%s", args, err, out)
	}
	return string(out)
}

var spilled = regexp.MustCompile(`spilled_bytes=(\d+)`)

// The frontier's flags reach both models: a segment search told to keep
// 1 KiB of its frontier in memory spills the rest, into the directory
// given, and one not told spills nothing.
func TestFrontierFlagsReachEitherModel(t *testing.T) {
	for _, model := range [][]string{
		{"-model", "diagram", "-k", "1"},
		{"-model", "segment", "-preset", "lifecycle", "-isn-a", "100", "-isn-b", "1000"},
	} {
		dir := t.TempDir()
		out := tcpbench(t, append(model, "-store", "fingerprint", "-frontier-memory", "1024", "-spill-dir", dir)...)
		if m := spilled.FindStringSubmatch(out); m == nil || m[1] == "0" {
			t.Errorf("%v with -frontier-memory 1024: nothing spilled:\n%s", model, out)
		}
		out = tcpbench(t, append(model, "-store", "fingerprint", "-spill-dir", "/nonexistent")...)
		if m := spilled.FindStringSubmatch(out); m == nil || m[1] != "0" {
			t.Errorf("%v with no bound: spilled:\n%s", model, out)
		}
		dir = t.TempDir() + "/missing"
		if out, err := command(append(model, "-store", "fingerprint", "-frontier-memory", "1024", "-spill-dir", dir)...).CombinedOutput(); err == nil {
			t.Errorf("%v spilling into a missing directory: no error:\n%s", model, out)
		}
	}
}

// cpuSeconds counts the work the process does: a busy loop of 50 ms of
// wall time adds to it (the rates tcpbench prints are per CPU second).
func TestCPUSecondsCounts(t *testing.T) {
	before := cpuSeconds()
	x := uint64(1)
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		x = x*6364136223846793005 + 1442695040888963407
	}
	if after := cpuSeconds(); after-before < 0.01 || x == 0 {
		t.Errorf("cpuSeconds went from %.3f to %.3f over 50 ms of work", before, after)
	}
}
