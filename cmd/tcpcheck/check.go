package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/verify"
)

var checkCommand = &command{
	Name:      "check",
	UsageLine: "check [--model segment|diagram] [--preset NAME] [model knobs] [--property ID]... [limits] [--json]",
	Short:     "explore a model and check its properties",
	Long: `Check explores every reachable state of the configured model, breadth
first, and checks the selected properties on each. A violated invariant is
reported with a shortest counterexample: a numbered table of steps, the
action taken, both endpoints' states and the segments in flight, with the
violating state marked and a sentence saying why the property fails there.

The configuration is a preset (see 'tcpcheck list') with any knob given on
the command line applied on top. Figures are counted as TLC counts them:
distinct states are the states stored, generated states every successor
computed, depth the longest shortest path in states.

After the figures, a coverage line says how many of Figure 5's arcs and
of the model's action kinds the search exercised, and names those it
never did; --coverage prints the whole table (docs/coverage.md). With
--dfs a counterexample is valid but not always the shortest.

On a terminal a long search redraws a progress line on stderr; on a file
or a pipe it writes a line every 10 seconds (--progress).

With --json, one JSON document is written to stdout instead (its schema is
in docs/json.md).`,
	Flags: func(fs *flag.FlagSet) func(*env, []string) int {
		f := &checkFlags{}
		f.register(fs)
		return f.run
	},
}

type checkFlags struct {
	modelFlags
	props      multiFlag
	maxStates  int
	maxDepth   int
	timeout    time.Duration
	store      string
	dfs        bool
	all        bool
	json       bool
	noTemporal bool
	traceDot   string
	cpuProfile string
	workers    int
	maxMemory  string
	coverage   bool
	noCoverage bool
	progress   string
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (f *checkFlags) register(fs *flag.FlagSet) {
	f.modelFlags.register(fs)
	fs.Var(&f.props, "property", "property to check, by ID (repeatable; default: every property of the model, see 'tcpcheck list')")
	fs.IntVar(&f.maxStates, "max-states", 0, "stop after this many distinct states (0: no limit)")
	fs.IntVar(&f.maxDepth, "max-depth", 0, "do not explore past this depth, in states (0: no limit)")
	fs.DurationVar(&f.timeout, "timeout", 0, "stop after this long, e.g. 30s or 5m (0: no limit)")
	fs.StringVar(&f.store, "store", "exact", "how visited states are kept: exact, or fingerprint (64-bit, TLC's way: less memory, reports the chance a collision hid a state)")
	fs.BoolVar(&f.dfs, "dfs", false, "search depth first (counterexamples are then valid but not always shortest)")
	fs.BoolVar(&f.all, "all", false, "keep going after the first violation and report every violated property")
	fs.BoolVar(&f.json, "json", false, "write one JSON document to stdout instead of the text report")
	fs.BoolVar(&f.noTemporal, "no-temporal", false, "skip the temporal (liveness) properties, which need the explored graph in memory")
	fs.IntVar(&f.workers, "workers", runtime.GOMAXPROCS(0), "goroutines computing successors, at most one per CPU: more are cut to that with a notice (results are identical for any number)")
	fs.StringVar(&f.maxMemory, "max-memory", "", "stop the search (exit 3) before the process holds this much memory, e.g. 16GiB or 500MB (default: half the machine's memory, less if less is available; see docs/performance.md)")
	fs.BoolVar(&f.coverage, "coverage", false, "print the whole coverage table (transitions per action kind and per Figure 5 arc, those never exercised marked) instead of its summary line")
	fs.BoolVar(&f.noCoverage, "no-coverage", false, "do not count coverage (a large search is then up to about 20% faster)")
	fs.StringVar(&f.progress, "progress", "auto", "progress on stderr: auto (a live line on a terminal, a line every 10s on a file or pipe), always (a line every 10s) or never")
	fs.StringVar(&f.traceDot, "trace-dot", "", "when a violation is found, write its counterexample as a message sequence chart (DOT) to this file")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file, for go tool pprof (where a check spends its time)")
}

func (f *checkFlags) run(e *env, args []string) int {
	if len(args) > 0 {
		return fail(e, "check", usagef("unexpected argument %q", args[0]))
	}
	if err := f.validateModel(); err != nil {
		return fail(e, "check", err)
	}
	switch {
	case f.maxStates < 0:
		return fail(e, "check", usagef("--max-states: must not be negative, not %d", f.maxStates))
	case f.maxDepth < 0:
		return fail(e, "check", usagef("--max-depth: must not be negative, not %d", f.maxDepth))
	case f.timeout < 0:
		return fail(e, "check", usagef("--timeout: must not be negative, not %s", f.timeout))
	}
	if f.traceDot != "" {
		if err := checkWritable(f.traceDot); err != nil {
			return fail(e, "check", usagef("--trace-dot: %v", err))
		}
	}
	if f.cpuProfile != "" {
		if err := checkWritable(f.cpuProfile); err != nil {
			return fail(e, "check", usagef("--cpuprofile: %v", err))
		}
	}
	if f.workers < 1 {
		return fail(e, "check", usagef("--workers: must be at least 1, not %d", f.workers))
	}
	if cpus := runtime.GOMAXPROCS(0); f.workers > cpus {
		// More workers than CPUs cannot go faster, and each holds its
		// buffers: cut to one per CPU rather than refuse, so that a
		// script written for a larger machine still runs.
		fmt.Fprintf(e.stderr, "tcpcheck check: --workers %d is more than the %d CPUs; using %d\n", f.workers, cpus, cpus)
		f.workers = cpus
	}
	maxMemory, err := parseBytes(f.maxMemory)
	if err != nil {
		return fail(e, "check", usagef("--max-memory: %v", err))
	}
	if maxMemory == 0 {
		maxMemory = defaultMaxMemory()
	}
	// The search's memory is large arrays of no pointers, which the
	// garbage collector marks at no cost: collecting four times as often
	// as Go's default keeps the garbage to a quarter of what the search
	// holds, so that the bytes per state reported are what the process
	// takes, and --max-memory can be held.
	defer debug.SetGCPercent(debug.SetGCPercent(searchGCPercent))
	if f.coverage && f.noCoverage {
		return fail(e, "check", usagef("--coverage and --no-coverage: choose one"))
	}
	progress, err := verify.ParseProgressMode(f.progress)
	if err != nil {
		return fail(e, "check", usagef("--%v", err))
	}
	opts := verify.Options{
		Properties: f.props, NoTemporal: f.noTemporal, All: f.all, CoverageTable: f.coverage, NoCoverage: f.noCoverage,
		MaxStates: f.maxStates, MaxDepth: f.maxDepth, Timeout: f.timeout,
		Workers: f.workers, MaxMemory: maxMemory,
	}
	switch f.store {
	case "exact":
		opts.Store = checker.ExactStore
	case "fingerprint":
		opts.Store = checker.FingerprintStore
	default:
		return fail(e, "check", usagef("--store: unknown store %q (known: exact, fingerprint)", f.store))
	}
	if f.dfs {
		opts.Strategy = checker.DFS
	}
	if f.cpuProfile != "" {
		stop, err := startCPUProfile(f.cpuProfile)
		if err != nil {
			return fail(e, "check", usagef("--cpuprofile: %v", err))
		}
		defer stop()
	}
	if f.model == diagramModel {
		if f.traceDot != "" {
			return fail(e, "check", usagef("--trace-dot draws the segment model's counterexamples only"))
		}
		m, err := f.diagramTarget()
		if err != nil {
			return fail(e, "check", err)
		}
		return runCheck(e, f, opts, progress, m)
	}
	if f.preset == allPresets {
		return checkAll(e, f, opts, progress)
	}
	m, err := f.segmentTarget()
	if err != nil {
		return fail(e, "check", err)
	}
	return runCheck(e, f, opts, progress, m)
}

// allPresets is the --preset that runs every preset of model.AllPresets.
const allPresets = "all"

// checkAll checks each preset of model.AllPresets in turn, with the
// knobs given applied on top of each: each report as check prints it,
// then the summary (or one JSON document holding them all).
func checkAll(e *env, f *checkFlags, opts verify.Options, mode verify.ProgressMode) int {
	if f.traceDot != "" {
		return fail(e, "check", usagef("--trace-dot draws one counterexample: name one preset, not all"))
	}
	var targets []*verify.Model[model.State, model.Action]
	for _, name := range model.AllPresets {
		f.preset = name
		m, err := f.segmentTarget()
		if err != nil {
			return fail(e, "check", err)
		}
		targets = append(targets, m)
	}
	f.preset = allPresets
	var suite verify.Suite
	for i, m := range targets {
		res, code := search(e, f, opts, mode, m, func() {
			if i > 0 {
				fmt.Fprintln(e.stdout)
			}
			fmt.Fprintf(e.stdout, "== preset %s (%d of %d)\n", m.Preset, i+1, len(targets))
		})
		if res == nil {
			return code
		}
		if !f.json {
			res.WriteText(e.stdout)
		}
		suite.Add(res.Report)
		if res.StopReason == checker.StopCanceled {
			break // interrupted: report what was checked
		}
	}
	if f.json {
		if err := suite.WriteJSON(e.stdout); err != nil {
			fmt.Fprintf(e.stderr, "tcpcheck check: %v\n", err)
			return exitUsage
		}
	} else {
		suite.WriteSummary(e.stdout)
	}
	return resultCode(suite.Result)
}

// resultCode is the exit code of a report's result.
func resultCode(result string) int {
	switch result {
	case "violation":
		return exitViolation
	case "incomplete":
		return exitIncomplete
	}
	return exitOK
}

// search prepares and runs the library's check of m with the progress
// line, writing first (unless --json) what preamble writes and the
// report's header. It returns the result, or nil and the exit code of
// what went wrong.
func search[S comparable, A any](e *env, f *checkFlags, opts verify.Options, mode verify.ProgressMode, m *verify.Model[S, A], preamble func()) (*verify.Result[S, A], int) {
	progress := verify.NewProgressWriter(e.stderr, mode)
	opts.Progress, opts.ProgressInterval = progress.Func(), progress.Interval()
	c, err := verify.NewCheck(m, opts)
	switch {
	case errors.Is(err, verify.ErrOnlyTemporal):
		return nil, fail(e, "check", usagef("--no-temporal leaves no property to check"))
	case err != nil:
		return nil, fail(e, "check", usagef("%v", err))
	}
	if !f.json {
		preamble()
		c.WriteHeader(e.stdout)
	}
	res, err := c.Run(e.ctx)
	if res != nil {
		progress.Done(&res.Search.Stats)
	} else {
		progress.Done(nil)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "tcpcheck check: %v\n", err)
		return nil, exitUsage
	}
	return res, exitOK
}

// runCheck runs the library's check of m and prints its report.
func runCheck[S comparable, A any](e *env, f *checkFlags, opts verify.Options, mode verify.ProgressMode, m *verify.Model[S, A]) int {
	res, code := search(e, f, opts, mode, m, func() {})
	if res == nil {
		return code
	}
	if f.traceDot != "" {
		dot, err := res.TraceDOT()
		if err == nil && dot != nil {
			err = os.WriteFile(f.traceDot, dot, 0o644)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "tcpcheck check: --trace-dot: %v\n", err)
			return exitUsage
		}
	}
	if f.json {
		if err := res.WriteJSON(e.stdout); err != nil {
			fmt.Fprintf(e.stderr, "tcpcheck check: %v\n", err)
			return exitUsage
		}
	} else {
		res.WriteText(e.stdout)
	}
	return resultCode(res.Result)
}

// searchGCPercent is the garbage collector's GOGC during a search.
const searchGCPercent = 25

// defaultMaxMemory is the memory limit of a search when --max-memory is
// not given: half the machine's memory (or of the cgroup's limit, if
// lower), and no more than three quarters of what is available when the
// search starts, so that a default run stops with its figures (exit 3)
// rather than be killed by the system. Zero (no limit) if neither can be
// read.
func defaultMaxMemory() int64 {
	total, available := machineMemory()
	if total == 0 {
		return 0
	}
	limit := total / 2
	if available > 0 {
		limit = min(limit, available/4*3)
	}
	return limit
}

// machineMemory returns the memory of the machine, or of the cgroup the
// process runs in if that is lower, and the memory available now, in
// bytes (0 if unknown): /proc/meminfo's MemTotal and MemAvailable, and
// cgroup v2's memory.max less memory.current.
func machineMemory() (total, available int64) {
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			name, value, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(value), "kB")), 10, 64)
			if err != nil {
				continue
			}
			switch name {
			case "MemTotal":
				total = kb << 10
			case "MemAvailable":
				available = kb << 10
			}
		}
	}
	limitFile, errMax := os.ReadFile("/sys/fs/cgroup/memory.max")
	cur, errCur := os.ReadFile("/sys/fs/cgroup/memory.current")
	if errMax == nil && errCur == nil {
		m, err1 := strconv.ParseInt(strings.TrimSpace(string(limitFile)), 10, 64) // "max": no limit
		c, err2 := strconv.ParseInt(strings.TrimSpace(string(cur)), 10, 64)
		if err1 == nil && err2 == nil && m > 0 {
			if total == 0 || m < total {
				total = m
			}
			if free := m - c; available == 0 || free < available {
				available = max(free, 0)
			}
		}
	}
	return total, available
}

// parseBytes reads a size such as 16GiB, 500MB or 1073741824; "" is no
// limit.
func parseBytes(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	units := []struct {
		suffix string
		factor float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}, {"", 1}}
	for _, u := range units {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || !(v*u.factor >= 1 && v*u.factor < 1<<62) { // also rejects NaN
			break
		}
		return int64(v * u.factor), nil
	}
	return 0, fmt.Errorf("%q is not a size such as 16GiB or 500MB", s)
}
