package main

import (
	"flag"
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/diagram"
	"github.com/tcpcheck/tcpcheck/properties"
	"github.com/tcpcheck/tcpcheck/properties/fuzz"
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

Its exit codes: 0 when no walk found a violation (not a proof), 1 when one
did, 2 for bad input, 3 when interrupted before the last walk.`,
	ExitCodes: `Exit codes:
  0  no walk found a violation (not a proof: 'check' explores every behaviour)
  1  a walk found a violation
  2  bad usage or bad input
  3  interrupted (Ctrl-C, SIGTERM) or --timeout reached before the last walk
`,
	Flags: func(fs *flag.FlagSet) func(*env, []string) int {
		f := &simulateFlags{}
		f.register(fs)
		return f.run
	},
}

type simulateFlags struct {
	modelFlags
	props   multiFlag
	steps   int
	walks   int
	seed    uint64
	timeout time.Duration
}

func (f *simulateFlags) register(fs *flag.FlagSet) {
	f.modelFlags.register(fs)
	fs.Var(&f.props, "property", "invariant to check, by ID (repeatable; default: every invariant of the model, see 'tcpcheck list')")
	fs.IntVar(&f.steps, "steps", 1000, "transitions a walk takes at most")
	fs.IntVar(&f.walks, "walks", 100, "how many walks to take")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the first walk (default: from the clock, and printed)")
	registerTimeout(fs, &f.timeout)
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
	}
	if !f.set("seed") {
		f.seed = uint64(time.Now().UnixNano())
	}
	bounded, cancel, err := e.withTimeout(f.timeout)
	if err != nil {
		return fail(e, "simulate", err)
	}
	defer cancel()
	e = bounded
	if f.model == diagramModel {
		t, err := f.diagramTarget()
		if err != nil {
			return fail(e, "simulate", err)
		}
		return runSimulate(e, f, t)
	}
	t, err := f.segmentTarget()
	if err != nil {
		return fail(e, "simulate", err)
	}
	return runSimulate(e, f, t)
}

// segmentTarget is the segment model the flags configure, with its
// catalogue, legitimate ends and trace columns (check adds its sequence
// chart).
func (f *modelFlags) segmentTarget() (target[model.State, model.Action], error) {
	cfg, err := f.segmentConfig()
	if err != nil {
		return target[model.State, model.Action]{}, err
	}
	m, err := model.New(cfg)
	if err != nil {
		return target[model.State, model.Action]{}, usagef("%v", err)
	}
	return target[model.State, model.Action]{
		model: segmentModel, preset: f.presetName(), config: cfg.String(),
		sys: m, catalogue: properties.Segment(), final: m.Final,
		columns: segmentColumns,
	}, nil
}

// diagramTarget is the diagram model the flags configure, with its
// constraints.
func (f *modelFlags) diagramTarget() (target[diagram.State, diagram.Action], error) {
	cfg, err := f.diagramConfig()
	if err != nil {
		return target[diagram.State, diagram.Action]{}, err
	}
	m := diagram.New(cfg)
	return target[diagram.State, diagram.Action]{
		model: diagramModel, preset: f.presetName(), config: fmt.Sprintf("single-active-open=%t no-retransmission=%t", cfg.SingleActiveOpen, cfg.NoRetransmission),
		sys: m, catalogue: properties.Diagram(), final: func(diagram.State) bool { return false },
		stateConstraint: m.StateConstraint, actionConstraint: m.ActionConstraint,
		columns: diagramColumns,
	}, nil
}

// maxDistinct bounds the states a run remembers to count the distinct
// ones: past it the count is a lower bound.
const maxDistinct = 1 << 20

func runSimulate[S comparable, A any](e *env, f *simulateFlags, t target[S, A]) int {
	props, err := properties.Select(t.catalogue, f.props)
	if err != nil {
		return fail(e, "simulate", usagef("%v", err))
	}
	var checked, temporal []string
	for _, p := range props {
		if p.Kind == properties.Temporal {
			temporal = append(temporal, p.ID)
		} else {
			checked = append(checked, p.ID)
		}
	}
	props = slices.DeleteFunc(props, func(p properties.Property[S, A]) bool { return p.Kind == properties.Temporal })
	if len(props) == 0 {
		return fail(e, "simulate", usagef("--property: %s is temporal, which a random walk cannot decide (use 'tcpcheck check')", strings.Join(temporal, ", ")))
	}
	w := e.stdout
	fmt.Fprintf(w, "tcpcheck simulate: model %s, preset %s\n", t.model, t.preset)
	fmt.Fprintf(w, "config: %s\n", t.config)
	fmt.Fprintf(w, "properties: %s\n", strings.Join(checked, ", "))
	if len(temporal) > 0 {
		fmt.Fprintf(w, "not checked: %s (temporal: no random walk decides it)\n", strings.Join(temporal, ", "))
	}
	fmt.Fprintf(w, "seed: %d (walk k takes seed %d+k)\n\n", f.seed, f.seed)

	tg := fuzz.Target[S, A]{
		System:     constrained[S, A]{t.sys, t.stateConstraint, t.actionConstraint},
		Properties: props,
		Final:      t.final,
		Columns:    tableColumns(t.columns),
	}
	distinct := map[S]struct{}{}
	visit := func(s S) {
		if len(distinct) < maxDistinct {
			distinct[s] = struct{}{}
		}
	}
	var walks, steps, longest, ended, bounded int
	var found *fuzz.Violation[S, A]
	var foundSeed uint64
	interrupted := false
	start := time.Now()
	for k := range f.walks {
		if e.ctx.Err() != nil {
			interrupted = true
			break
		}
		seed := f.seed + uint64(k)
		out := fuzz.RandomWalk(tg, f.steps, seed, visit)
		walks++
		steps += out.Steps
		longest = max(longest, out.Steps)
		if out.Violation != nil {
			found, foundSeed = out.Violation, seed
			break
		}
		if out.Ended {
			ended++
		} else {
			bounded++
		}
	}
	elapsed := time.Since(start)

	if found != nil {
		fuzz.WriteViolation(w, found, tg.Columns)
		fmt.Fprintf(w, "found by walk %d (seed %d); to walk it again:\n  %s\n\n", walks-1, foundSeed, reproduce(f, foundSeed))
	}
	states := fmt.Sprint(len(distinct))
	if len(distinct) >= maxDistinct {
		states = "at least " + states
	}
	fmt.Fprintf(w, "%d walk(s), %d steps (longest %d), %s distinct states, in %.2fs (%.0f states/s)\n",
		walks, steps, longest, states, elapsed.Seconds(), float64(steps+walks)/max(elapsed.Seconds(), 1e-9))
	fmt.Fprintf(w, "walks ended: %d with no enabled transition, %d at --steps %d, %d at a violation\n", ended, bounded, f.steps, walks-ended-bounded)
	switch {
	case found != nil:
		fmt.Fprintf(w, "\nresult: violation\n")
		return exitViolation
	case interrupted:
		fmt.Fprintf(w, "%s after %d of %d walks\n\nresult: incomplete\n", stoppedBy(e.ctx), walks, f.walks)
		return exitIncomplete
	}
	fmt.Fprintf(w, "no violation found: not a proof ('tcpcheck check' explores every behaviour within the bounds)\n\nresult: ok\n")
	return exitOK
}

// tableColumns turns a trace table's columns as check prints them into
// the columns of a walk's trace table.
func tableColumns[S any](columns func(S) stateColumns) fuzz.Columns[S] {
	return fuzz.Columns[S]{
		Headers: []string{"A", "B", "IN FLIGHT"},
		Cells: func(s S) []string {
			c := columns(s)
			inFlight := strings.Join(c.InFlight, " ")
			if inFlight == "" {
				inFlight = "-"
			}
			return []string{c.A, c.B, inFlight}
		},
	}
}

// constrained is a system with the checker's constraints applied as the
// checker applies them (TLC's way): a transition the action constraint
// rejects is not taken, a state the state constraint rejects is not
// entered. Nil constraints allow everything.
type constrained[S comparable, A any] struct {
	sys    checker.System[S, A]
	state  func(S) bool
	action func(S, A, S) bool
}

func (c constrained[S, A]) Init() iter.Seq[S] {
	return func(yield func(S) bool) {
		for s := range c.sys.Init() {
			if (c.state == nil || c.state(s)) && !yield(s) {
				return
			}
		}
	}
}

func (c constrained[S, A]) Next(s S) iter.Seq2[A, S] {
	return func(yield func(A, S) bool) {
		for a, t := range c.sys.Next(s) {
			if (c.action == nil || c.action(s, a, t)) && (c.state == nil || c.state(t)) && !yield(a, t) {
				return
			}
		}
	}
}

// reproduce is the command line that takes the walk of seed again: the
// flags given, but for the seed and the number of walks.
func reproduce(f *simulateFlags, seed uint64) string {
	args := []string{"tcpcheck", "simulate"}
	f.fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "seed", "walks", "steps":
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
