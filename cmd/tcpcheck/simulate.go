package main

import (
	"flag"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/diagram"
	"github.com/tcpcheck/tcpcheck/verify"
)

var simulateCommand = &command{
	Name:      "simulate",
	UsageLine: "simulate [--model segment|diagram] [--preset NAME] [model knobs] [--property ID]... [--steps N] [--walks W] [--seed S]",
	Short:     "check invariants along random walks, beyond what check explores",
	Long: `Simulate takes random walks through the configured model — from an initial
state, each step one of the enabled transitions, chosen at random — and
checks the selected invariants on every state and transition it passes.
It reaches configurations too large for 'tcpcheck check' to explore, but
it is a test, not a proof: finding no violation says nothing of the
behaviours no walk took.

Each walk takes up to --steps transitions and ends earlier at a state with
no enabled transition. Walk k (from 0) of a run chooses with seed S+k, so
that a run and each of its walks can be taken again: the seed is printed,
and a violation is reported with its trace (a random walk, not a shortest
one) and the command that walks it again. Temporal properties are not
checked.

The report ends with the coverage of the walks, as check's does
(--coverage for the whole table); --json writes one JSON document
instead (docs/json.md).

Its exit codes: 0 when no walk found a violation (not a proof), 1 when one
did, 2 for bad input, 3 when interrupted or stopped by --timeout before
the last walk.`,
	ExitCodes: `Exit codes:
  0  no walk found a violation (not a proof: 'check' explores every behaviour)
  1  a walk found a violation
  2  bad usage or bad input
  3  interrupted, or --timeout reached, before the last walk
`,
	Flags: func(fs *flag.FlagSet) func(*env, []string) int {
		f := &simulateFlags{}
		f.register(fs)
		return f.run
	},
}

type simulateFlags struct {
	modelFlags
	props    multiFlag
	steps    int
	walks    int
	seed     uint64
	timeout  time.Duration
	json     bool
	coverage bool
	progress string
}

func (f *simulateFlags) register(fs *flag.FlagSet) {
	f.modelFlags.register(fs)
	fs.Var(&f.props, "property", "invariant to check, by ID (repeatable; default: every invariant of the model, see 'tcpcheck list')")
	fs.IntVar(&f.steps, "steps", 1000, "transitions a walk takes at most")
	fs.IntVar(&f.walks, "walks", 100, "how many walks to take")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the first walk (default: from the clock, and printed)")
	fs.DurationVar(&f.timeout, "timeout", 0, "stop after this long, e.g. 30s or 5m, between two walks (0: no limit; exit 3)")
	fs.BoolVar(&f.json, "json", false, "write one JSON document to stdout instead of the text report")
	fs.BoolVar(&f.coverage, "coverage", false, "print the whole coverage table instead of its summary line")
	fs.StringVar(&f.progress, "progress", "auto", "progress on stderr: auto (a live line on a terminal, a line every 10s on a file or pipe), always (a line every 10s) or never")
}

func (f *simulateFlags) run(e *env, args []string) int {
	if len(args) > 0 {
		return fail(e, "simulate", usagef("unexpected argument %q", args[0]))
	}
	if err := f.validateModel(); err != nil {
		return fail(e, "simulate", err)
	}
	switch {
	case f.steps < 1:
		return fail(e, "simulate", usagef("--steps: must be at least 1, not %d", f.steps))
	case f.walks < 1:
		return fail(e, "simulate", usagef("--walks: must be at least 1, not %d", f.walks))
	case f.timeout < 0:
		return fail(e, "simulate", usagef("--timeout: must not be negative, not %s", f.timeout))
	}
	if _, err := verify.ParseProgressMode(f.progress); err != nil {
		return fail(e, "simulate", usagef("--%v", err))
	}
	if !f.set("seed") {
		f.seed = uint64(time.Now().UnixNano())
	}
	if f.model == diagramModel {
		m, err := f.diagramTarget()
		if err != nil {
			return fail(e, "simulate", err)
		}
		return runSimulate(e, f, m)
	}
	m, err := f.segmentTarget()
	if err != nil {
		return fail(e, "simulate", err)
	}
	return runSimulate(e, f, m)
}

// segmentTarget is the segment model the flags configure.
func (f *modelFlags) segmentTarget() (*verify.Model[model.State, model.Action], error) {
	cfg, err := f.segmentConfig()
	if err != nil {
		return nil, err
	}
	m, err := verify.Segment(f.presetName(), cfg)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return m, nil
}

// diagramTarget is the diagram model the flags configure.
func (f *modelFlags) diagramTarget() (*verify.Model[diagram.State, diagram.Action], error) {
	cfg, err := f.diagramConfig()
	if err != nil {
		return nil, err
	}
	return verify.Diagram(f.presetName(), cfg), nil
}

// runSimulate runs the library's simulation of m and prints its report.
func runSimulate[S comparable, A any](e *env, f *simulateFlags, m *verify.Model[S, A]) int {
	mode, _ := verify.ParseProgressMode(f.progress)
	sim, err := verify.NewSimulation(m, verify.SimulateOptions{
		Properties: f.props, Steps: f.steps, Walks: f.walks, Seed: f.seed, Timeout: f.timeout,
		Reproduce:     func(seed uint64) string { return reproduce(f, seed) },
		CoverageTable: f.coverage, Progress: verify.NewProgressWriter(e.stderr, mode),
	})
	if err != nil {
		return fail(e, "simulate", usagef("%v", err))
	}
	if !f.json {
		sim.WriteHeader(e.stdout)
	}
	res := sim.Run(e.ctx)
	if f.json {
		if err := res.WriteJSON(e.stdout); err != nil {
			fmt.Fprintf(e.stderr, "tcpcheck simulate: %v\n", err)
			return exitUsage
		}
	} else {
		res.WriteText(e.stdout)
	}
	switch res.Result {
	case "violation":
		return exitViolation
	case "incomplete":
		return exitIncomplete
	}
	return exitOK
}

// reproduce is the command line that takes the walk of seed again: the
// flags given, but for the seed and the number of walks.
func reproduce(f *simulateFlags, seed uint64) string {
	args := []string{"tcpcheck", "simulate"}
	f.fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "seed", "walks", "steps", "timeout", "json", "coverage", "progress":
		case "property":
			for _, id := range f.props {
				args = append(args, "--property", shellWord(id))
			}
		default:
			if b, ok := fl.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				if fl.Value.String() == "true" {
					args = append(args, "--"+fl.Name)
				} else {
					args = append(args, "--"+fl.Name+"=false")
				}
				return
			}
			args = append(args, "--"+fl.Name, shellWord(fl.Value.String()))
		}
	})
	args = append(args, "--steps", fmt.Sprint(f.steps), "--seed", fmt.Sprint(seed), "--walks", "1")
	return strings.Join(args, " ")
}

var plainWord = regexp.MustCompile(`^[A-Za-z0-9,._+:/=@-]+$`)

// shellWord quotes s for a POSIX shell, unless it needs no quotes.
func shellWord(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
