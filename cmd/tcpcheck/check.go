package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/graphs"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/diagram"
	"github.com/tcpcheck/tcpcheck/properties"
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
	workers    int
	maxMemory  string
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
	fs.StringVar(&f.traceDot, "trace-dot", "", "when a violation is found, write its counterexample as a message sequence chart (DOT) to this file")
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
	var store checker.StoreKind
	switch f.store {
	case "exact":
		store = checker.ExactStore
	case "fingerprint":
		store = checker.FingerprintStore
	default:
		return fail(e, "check", usagef("--store: unknown store %q (known: exact, fingerprint)", f.store))
	}
	if f.model == diagramModel {
		if f.traceDot != "" {
			return fail(e, "check", usagef("--trace-dot draws the segment model's counterexamples only"))
		}
		t, err := f.diagramTarget()
		if err != nil {
			return fail(e, "check", err)
		}
		return runCheck(e, f, store, maxMemory, t)
	}
	t, err := f.segmentTarget()
	if err != nil {
		return fail(e, "check", err)
	}
	m := t.sys.(*model.Model)
	t.chart = func(trace []checker.Step[model.State, model.Action], loopStart int, title string) ([]byte, error) {
		c, err := graphs.TraceChart(m, trace, loopStart)
		if err != nil {
			return nil, err
		}
		c.Title = title
		return c.DOT(), nil
	}
	return runCheck(e, f, store, maxMemory, t)
}

// target is one model, ready to check: the parts of a run that depend on
// the model's types.
type target[S comparable, A any] struct {
	model, preset, config string
	sys                   checker.System[S, A]
	catalogue             []properties.Property[S, A]
	final                 func(S) bool
	stateConstraint       func(S) bool
	actionConstraint      func(S, A, S) bool
	// columns renders a state as the columns of a trace table.
	columns func(S) stateColumns
	// chart draws a counterexample as a sequence chart (nil: not drawn).
	chart func(trace []checker.Step[S, A], loopStart int, title string) ([]byte, error)
}

// stateColumns is a state as a trace table shows it.
type stateColumns struct {
	A, B     string
	InFlight []string
}

func segmentColumns(s model.State) stateColumns {
	return stateColumns{A: s.Ep[model.A].State.String(), B: s.Ep[model.B].State.String(), InFlight: s.InFlightText()}
}

func diagramColumns(s diagram.State) stateColumns {
	c := stateColumns{A: s.Peers[diagram.A].Conn.String(), B: s.Peers[diagram.B].Conn.String()}
	for _, p := range []diagram.Peer{diagram.A, diagram.B} {
		if q := s.Peers[p].Queue; q.Len() > 0 {
			c.InFlight = append(c.InFlight, fmt.Sprintf("→%s %s", p, q))
		}
	}
	return c
}

func runCheck[S comparable, A any](e *env, f *checkFlags, store checker.StoreKind, maxMemory int64, t target[S, A]) int {
	props, err := properties.Select(t.catalogue, f.props)
	if err != nil {
		return fail(e, "check", usagef("%v", err))
	}
	temporal := false
	if f.noTemporal {
		props = slices.DeleteFunc(props, func(p properties.Property[S, A]) bool { return p.Kind == properties.Temporal })
		if len(props) == 0 {
			return fail(e, "check", usagef("--no-temporal leaves no property to check"))
		}
	}
	for _, p := range props {
		temporal = temporal || p.Kind == properties.Temporal
	}
	opts := checker.Options[S, A]{
		StateConstraint:        t.stateConstraint,
		ActionConstraint:       t.actionConstraint,
		Store:                  store,
		ContinueAfterViolation: f.all,
		MaxStates:              f.maxStates,
		MaxDepth:               f.maxDepth,
		Timeout:                f.timeout,
		Workers:                f.workers,
		MaxMemory:              maxMemory,
	}
	if f.dfs {
		opts.Strategy = checker.DFS
	}
	if temporal {
		// Liveness is decided on the whole explored graph, so the search
		// keeps it and does not stop at an invariant's violation. A graph
		// too large to keep is let go: the invariants are still decided,
		// the temporal properties are then unknown.
		opts.KeepGraph, opts.ContinueAfterViolation = true, true
		opts.MaxGraphEdges, opts.DropGraphOverLimit = maxGraphEdges, true
	}
	properties.Apply(&opts, props, t.final)
	rep := newReport(t, f, props)
	rep.MaxMemory = maxMemory
	if !f.json {
		rep.header(e.stdout)
	}
	progress := newProgressLine(e.stderr)
	if progress != nil {
		opts.Progress = progress.update
	}
	// The search's memory is large arrays of no pointers, which the
	// garbage collector marks at no cost: collecting four times as often
	// as Go's default keeps the garbage to a quarter of what the search
	// holds, so that the bytes per state reported are what the process
	// takes, and --max-memory can be held.
	defer debug.SetGCPercent(debug.SetGCPercent(searchGCPercent))
	res, err := checker.Explore(e.ctx, t.sys, opts)
	progress.clear()
	if err != nil {
		fmt.Fprintf(e.stderr, "tcpcheck check: %v\n", err)
		return exitUsage
	}
	fillReport(rep, res, props, t, opts.ContinueAfterViolation)
	var outcomes []properties.TemporalOutcome[S, A]
	if temporal {
		outcomes = properties.CheckTemporal(res, props)
		fillTemporal(rep, outcomes, t)
	}
	if f.traceDot != "" && t.chart != nil {
		if err := writeTraceDot(f.traceDot, res, outcomes, props, t); err != nil {
			fmt.Fprintf(e.stderr, "tcpcheck check: --trace-dot: %v\n", err)
			return exitUsage
		}
	}
	if f.json {
		if err := rep.writeJSON(e.stdout); err != nil {
			fmt.Fprintf(e.stderr, "tcpcheck check: %v\n", err)
			return exitUsage
		}
	} else {
		rep.writeText(e.stdout)
	}
	switch rep.Result {
	case "violation":
		return exitViolation
	case "incomplete":
		return exitIncomplete
	}
	return exitOK
}

// writeTraceDot writes the first counterexample, an invariant's or else a
// temporal property's lasso, as a sequence chart; nothing when every
// property holds.
func writeTraceDot[S comparable, A any](path string, res *checker.Result[S, A], outcomes []properties.TemporalOutcome[S, A], props []properties.Property[S, A], t target[S, A]) error {
	var trace []checker.Step[S, A]
	loop, title := graphs.NoLoop, ""
	if len(res.Violations) > 0 {
		v := res.Violations[0]
		trace, title = v.Trace, v.Name
		if p, ok := properties.Find(props, v.Name); ok {
			title = p.ID
		}
	} else {
		for _, o := range outcomes {
			if o.Lasso != nil {
				trace, loop, title = o.Lasso.Trace, o.Lasso.LoopStart, o.Property.ID+": "+o.Why
				break
			}
		}
	}
	if trace == nil {
		return nil
	}
	dot, err := t.chart(trace, loop, title)
	if err != nil {
		return err
	}
	return os.WriteFile(path, dot, 0o644)
}

// searchGCPercent is the garbage collector's GOGC during a search.
const searchGCPercent = 25

// maxGraphEdges bounds the explored graph kept for the temporal
// properties: about 2 GB with its states on the segment model.
const maxGraphEdges = 20_000_000

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
