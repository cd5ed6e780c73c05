package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The tests of this file run the command as a child process, as a user
// or a CI system does, to send it signals and to measure its memory.

var (
	buildOnce   sync.Once
	builtBinary string
	buildErr    error
	buildDir    string
)

// tcpcheckBinary builds the command once for the tests of this package.
func tcpcheckBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "tcpcheck-test-")
		if buildErr != nil {
			return
		}
		builtBinary = filepath.Join(buildDir, "tcpcheck")
		out, err := exec.Command("go", "build", "-o", builtBinary, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			builtBinary = string(out)
		}
	})
	require.NoError(t, buildErr, builtBinary)
	return builtBinary
}

// peakFileEnv makes the test binary a small parent for a measured child:
// it runs the command its arguments give, with its output and exit code,
// and writes the child's peak resident memory, in bytes, to the file the
// variable names. On Linux a child's peak counts its parent's peak so
// far (Go starts a child sharing its parent's memory until it execs), so
// a child started from a test process that has grown would read as large
// as that process.
const peakFileEnv = "TCPCHECK_TEST_PEAK_FILE"

func TestMain(m *testing.M) {
	if f := os.Getenv(peakFileEnv); f != "" {
		cmd := exec.Command(os.Args[1], os.Args[2:]...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); cmd.ProcessState == nil {
			fmt.Fprintln(os.Stderr, "measured child:", err)
			os.Exit(125)
		}
		peak := peakRSS(cmd.ProcessState)
		if err := os.WriteFile(f, []byte(strconv.FormatInt(peak, 10)), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "measured child:", err)
			os.Exit(125)
		}
		os.Exit(exitCodeOf(cmd.ProcessState))
	}
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// child is a run of the command in a child process.
type child struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	peakFile       string // see startMeasured
}

func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(tcpcheckBinary(t), args...)}
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	require.NoError(t, c.cmd.Start())
	t.Cleanup(func() { c.cmd.Process.Kill() })
	return c
}

// startMeasured is startChild for a child whose peak resident memory
// is read (peak): it is started from a small parent (peakFileEnv).
func startMeasured(t *testing.T, args ...string) *child {
	t.Helper()
	if !measuresPeak {
		t.Skip("reads a child's peak resident memory, which these tests do on Linux only")
	}
	c := &child{peakFile: filepath.Join(t.TempDir(), "peak")}
	c.cmd = exec.Command(os.Args[0], append([]string{tcpcheckBinary(t)}, args...)...)
	c.cmd.Env = append(os.Environ(), peakFileEnv+"="+c.peakFile)
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	ownGroup(c.cmd)
	require.NoError(t, c.cmd.Start())
	t.Cleanup(c.kill)
	return c
}

// kill ends the child: for one started by startMeasured, its small
// parent and the command under it, which would otherwise run on and keep
// the output open.
func (c *child) kill() {
	if c.peakFile != "" {
		killGroup(c.cmd.Process)
	}
	c.cmd.Process.Kill()
}

// peak is the peak resident memory of a child started by startMeasured,
// once it has ended.
func (c *child) peak(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile(c.peakFile)
	require.NoError(t, err)
	n, err := strconv.ParseInt(string(b), 10, 64)
	require.NoError(t, err)
	return n
}

// wait waits for the child to end, at most limit, and returns its exit
// code and how long it took from now.
func (c *child) wait(t *testing.T, limit time.Duration) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(limit):
		c.kill()
		<-done
		t.Fatalf("%v did not end within %v", c.cmd.Args, limit)
	}
	return c.cmd.ProcessState.ExitCode(), time.Since(start)
}

// SIGTERM and SIGINT stop every long-running command promptly, with what
// it has and exit code 3.
func TestSignalsStopCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and runs it")
	}
	commands := []struct {
		args []string
		want string // in the partial output
	}{
		{[]string{"check", "--preset", "stress"}, "search stopped early: interrupted"},
		{[]string{"check", "--preset", "stress", "--no-temporal", "--workers", "2"}, "result: incomplete"},
		{[]string{"graph", "--kind", "quotient", "--preset", "stress"}, "interrupted before the configuration was explored"},
		{[]string{"simulate", "--preset", "stress", "--walks", "100000000", "--seed", "1"}, "interrupted after"},
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		for _, cmd := range commands {
			t.Run(sig.String()+" "+strings.Join(cmd.args[:1], " "), func(t *testing.T) {
				c := startChild(t, cmd.args...)
				time.Sleep(700 * time.Millisecond) // well into the search
				require.NoError(t, c.cmd.Process.Signal(sig))
				// Within a second on an idle machine; the test machine
				// may be busy.
				code, took := c.wait(t, 10*time.Second)
				require.Equal(t, exitIncomplete, code, "stdout:\n%s\nstderr:\n%s", &c.stdout, &c.stderr)
				require.Contains(t, c.stdout.String()+c.stderr.String(), cmd.want)
				t.Logf("%v stopped %v after %v", cmd.args, sig, took)
			})
		}
	}
}

// --max-memory holds: the child's peak resident memory stays within 10%
// of the limit, with and without the graph kept for temporal properties,
// and it stops with exit code 3 and its figures.
func TestMaxMemoryHolds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and runs searches of seconds")
	}
	const limit = 150 << 20
	for _, args := range [][]string{
		{"check", "--preset", "stress", "--max-memory", "150MiB"},
		{"check", "--preset", "stress", "--max-memory", "150MiB", "--no-temporal", "--store", "fingerprint"},
	} {
		c := startMeasured(t, args...)
		code, _ := c.wait(t, 2*time.Minute)
		require.Equal(t, exitIncomplete, code, "stdout:\n%s\nstderr:\n%s", &c.stdout, &c.stderr)
		require.Contains(t, c.stdout.String(), "search stopped early: --max-memory reached")
		require.Contains(t, c.stdout.String(), "memory limit: 150 MiB")
		peak := c.peak(t)
		t.Logf("%v: peak resident %d MiB", args, peak>>20)
		require.LessOrEqual(t, peak, int64(limit)*11/10, "peak resident memory past the limit by more than 10%%")
		require.Greater(t, peak, int64(limit)/2, "the search stopped far below its limit")
	}
}

// A measured child that does not end is killed with its small parent:
// the wait for it ends at once, the command under it having let go of
// the output it shares.
func TestMeasuredChildKilledWhole(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and runs it")
	}
	c := startMeasured(t, "check", "--preset", "stress", "--progress", "never")
	time.Sleep(500 * time.Millisecond)
	c.kill()
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the measured command outlived its parent's kill")
	}
}

// The report's bytes per state count what the whole check holds at its
// peak: on a complete check with temporal properties, the liveness
// analysis after the search too. So the figure times the states does not
// fall short of the child's peak resident memory, less what any check's
// process holds (about 30 MiB: a trivial check peaks at 28 here), by more
// than 20%, with one worker or two; nor, counting each analysis as
// allocated and those that may run at once together, does it pass that
// peak by half.
func TestBytesPerStateCountsTheAnalysis(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and runs a check of seconds")
	}
	const base = 32 << 20
	for _, workers := range []string{"1", "2"} {
		c := startMeasured(t, "check", "--preset", "lossy", "--max-losses", "1", "--workers", workers, "--json")
		code, _ := c.wait(t, 2*time.Minute)
		require.Equal(t, exitOK, code, c.stderr.String())
		var doc struct {
			States        int     `json:"states"`
			BytesPerState float64 `json:"bytes_per_state"`
			SearchBytes   float64 `json:"search_bytes_per_state"`
		}
		require.NoError(t, json.Unmarshal(c.stdout.Bytes(), &doc))
		require.Greater(t, doc.BytesPerState, doc.SearchBytes, "the analysis after the search is counted")
		held := doc.BytesPerState * float64(doc.States)
		peak := float64(c.peak(t))
		t.Logf("workers %s: %d states; held %.0f MiB (the search %.0f); peak resident %.0f MiB",
			workers, doc.States, held/(1<<20), doc.SearchBytes*float64(doc.States)/(1<<20), peak/(1<<20))
		require.GreaterOrEqual(t, held, 0.8*(peak-base), "the report falls short of the peak")
		require.LessOrEqual(t, held, 1.5*(peak-base), "the report is far above the peak")
	}
}

// --workers above the number of CPUs is cut to it, with a one-line
// notice; the report gives the number used.
func TestWorkersClamped(t *testing.T) {
	cpus := runtime.GOMAXPROCS(0)
	out, errOut, code := tcpcheck(t, "check", "--preset", "handshake", "--no-temporal", "--json", "--workers", "1000")
	require.Equal(t, exitOK, code, errOut)
	require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
	require.Contains(t, errOut, "--workers 1000 is more than the")
	var doc struct {
		Workers   int   `json:"workers"`
		MaxMemory int64 `json:"max_memory"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Equal(t, cpus, doc.Workers)
	// The default memory limit, from the machine's memory.
	if runtime.GOOS == "linux" {
		require.Positive(t, doc.MaxMemory)
		total, _ := machineMemory()
		require.LessOrEqual(t, doc.MaxMemory, total/2)
	}
	_, errOut, code = tcpcheck(t, "check", "--preset", "handshake", "--workers", "1")
	require.Equal(t, exitOK, code)
	require.Empty(t, errOut, "no notice within the CPUs")
}

// Every long-running command takes --timeout, stops at it with exit 3,
// and refuses a negative one with one line and exit 2.
func TestTimeoutFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--preset", "stress"}, "--timeout reached"},
		{[]string{"graph", "--kind", "quotient", "--preset", "stress"}, "--timeout reached before the configuration was explored"},
		{[]string{"simulate", "--preset", "stress", "--walks", "100000000", "--seed", "1"}, "--timeout reached after"},
		{[]string{"explain"}, "--timeout reached after 0 of"},
	} {
		out, errOut, code := tcpcheck(t, append(tt.args, "--timeout", "1ns")...)
		require.Equal(t, exitIncomplete, code, "%v: %s", tt.args, errOut)
		require.Contains(t, out+errOut, tt.want, tt.args)
		_, errOut, code = tcpcheck(t, append(tt.args, "--timeout", "-1s")...)
		require.Equal(t, exitUsage, code, tt.args)
		require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
		require.Contains(t, errOut, "--timeout: must not be negative")
	}
}
