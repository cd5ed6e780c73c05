package checker

import (
	"slices"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// drawCounters draws counters of states and transitions of the toys,
// several bits at a time.
func drawCounters(t *rapid.T) []Counter[int, string] {
	m := rapid.IntRange(1, 9).Draw(t, "modulus")
	step := func(from int, code uint8, to int) uint64 {
		b := uint64(1) << (code % 7)
		if to > from {
			b |= 1 << 40
		}
		return b
	}
	both := func(from, to int) uint64 { return 1 << ((from + to) % 64) }
	cs := []Counter[int, string]{
		{Name: "residue", State: func(u *int) uint64 { return 1<<(*u%m) | 1<<63 }},
		{Name: "step", Step: func(from *int, a string, to *int) uint64 { return step(*from, actionCode(a), *to) },
			Label: func(l uint64) uint64 { from, code, to := fromToyLabel(l); return step(from, code, to) }},
		{Name: "both", State: func(u *int) uint64 { return uint64(*u&1) + 2 },
			Step:  func(from *int, _ string, to *int) uint64 { return both(*from, *to) },
			Label: func(l uint64) uint64 { from, _, to := fromToyLabel(l); return both(from, to) }},
	}
	return cs[:rapid.IntRange(1, len(cs)).Draw(t, "counters")]
}

// A labeledToy labels each transition with its source, a code of its
// action and its target (toyLabel).
type labeledToy struct {
	statePackedToy
	labeled *atomic.Int64
}

func (p labeledToy) AppendNextLabeled(w []uint64, succ []uint64, acts []string, states []int, labels []uint64) ([]uint64, []string, []int, []uint64, bool) {
	succ, acts, states, ok := p.AppendNextStates(w, succ, acts, states)
	for _, m := range p.next(p.Unpack(w)) {
		labels = append(labels, toyLabel(int(w[0]), m.action, m.to))
		p.labeled.Add(1)
	}
	return succ, acts, states, labels, ok
}

func toyLabel(from int, a string, to int) uint64 {
	return uint64(from)<<40 | uint64(actionCode(a))<<32 | uint64(to)
}

func fromToyLabel(l uint64) (from int, code uint8, to int) {
	return int(l >> 40), uint8(l >> 32), int(uint32(l))
}

// actionCode is a byte of a toy's action: its actions "0", "1", … differ
// in it.
func actionCode(a string) uint8 {
	var c uint8
	for i := range len(a) {
		c = c*31 + a[i]
	}
	return c
}

// graphCounts counts, on the explored graph of a complete search, each
// state and each edge with the counters: what Result.Counts must be.
func graphCounts(g *Graph[int, string], cs []Counter[int, string]) [][64]int64 {
	out := make([][64]int64, len(cs))
	add := func(i int, m uint64) {
		for k := range 64 {
			if m&(1<<k) != 0 {
				out[i][k]++
			}
		}
	}
	for i, c := range cs {
		for _, s := range g.States() {
			if c.State != nil {
				add(i, c.State(&s))
			}
		}
		for _, e := range g.Edges() {
			from, to := g.State(e.From), g.State(e.To)
			if c.Step != nil {
				add(i, c.Step(&from, e.Action, &to))
			}
		}
	}
	return out
}

// Counts are the same on the fast path and by Next, for 1 to 4 workers,
// both stores, with or without the graph, stops and violations; on a
// complete search they count each state stored and each edge once.
func TestCountersAgree(t *testing.T) {
	smallWork(t)
	rapid.Check(t, func(t *rapid.T) {
		g := drawGraph(t)
		opts := drawOptions(t)
		opts.Counters = drawCounters(t)
		bad := rapid.IntRange(0, 40).Draw(t, "bad")
		if rapid.Bool().Draw(t, "invariants") {
			opts.Invariants = []Invariant[int]{{Name: "not-bad", Holds: func(u *int) bool { return *u != bad }}}
			opts.TransitionInvariants = []TransitionInvariant[int, string]{
				{Name: "short-steps", Holds: func(from *int, a string, to *int) bool { return *to-*from < 12 || a == "" }},
			}
		}
		var calls, given, labeled atomic.Int64
		var sys System[int, string] = packedToy{g.system(), &calls}
		switch rapid.IntRange(0, 2).Draw(t, "packer") {
		case 1:
			sys = statePackedToy{packedToy{g.system(), &calls}, &given}
		case 2:
			sys = labeledToy{statePackedToy{packedToy{g.system(), &calls}, &given}, &labeled}
		}
		want, _ := sameForWorkers1to4(t, g.system(), sys, opts)
		if _, ok := sys.(labeledToy); ok && calls.Load() > 0 && want.Stats.Generated > len(g.init) && len(opts.Counters) > 1 {
			require.Positive(t, labeled.Load(), "a Counter with a Label asks a LabelPacker for labels")
			// Where a transition has a label, its Step is not called.
			var steps atomic.Int64
			counted := slices.Clone(opts.Counters)
			for i, c := range counted {
				if c.Label != nil {
					counted[i].Step = func(from *int, a string, to *int) uint64 { steps.Add(1); return c.Step(from, a, to) }
				}
			}
			o := opts
			o.Counters, o.Workers = counted, rapid.IntRange(1, 4).Draw(t, "workers")
			labeled.Store(0)
			if res := explore(t, sys, o); labeled.Load() > 0 && !res.PackedPathLeft {
				require.Zero(t, steps.Load(), "Step called where there are labels")
			}
		}
		require.Len(t, want.Counts, len(opts.Counters))
		if want.StopReason == "" && (want.Verdict == Holds || opts.ContinueAfterViolation) {
			full := opts
			full.KeepGraph, full.Workers = true, 1
			res := explore(t, g.system(), full)
			require.Equal(t, graphCounts(res.Graph, opts.Counters), want.Counts)
		}
	})
}

// Counts stay exact when the exploring goroutine computes again the
// slices of workers that are slow (as invariants that count what they
// are asked do not).
func TestCountersExactWhenStealing(t *testing.T) {
	stealAlways(t)
	rapid.Check(t, func(t *rapid.T) {
		g := drawGraph(t)
		opts := g.options()
		opts.StateConstraint, opts.ActionConstraint = nil, nil // the fast path
		opts.Store = FingerprintStore
		opts.Counters = drawCounters(t)
		var calls atomic.Int64
		sys := packedToy{g.system(), &calls}
		want := sameForWorkers(t, System[int, string](sys), opts)
		if want.Stats.Distinct > len(g.init) {
			require.Positive(t, calls.Load(), "the fast path ran")
		}
		full := opts
		full.KeepGraph, full.Workers = true, 1
		res := explore(t, g.system(), full)
		require.Equal(t, graphCounts(res.Graph, opts.Counters), want.Counts)
	})
}

func TestCounterCountsSomething(t *testing.T) {
	_, err := Explore(t.Context(), System[int, string](counter(3)), Options[int, string]{Counters: []Counter[int, string]{{Name: "none"}}})
	require.EqualError(t, err, `checker: counter "none" has neither State nor Step`)
	label := func(uint64) uint64 { return 1 }
	_, err = Explore(t.Context(), System[int, string](counter(3)), Options[int, string]{Counters: []Counter[int, string]{
		{Name: "label only", State: func(*int) uint64 { return 1 }, Label: label}}})
	require.EqualError(t, err, `checker: counter "label only" has a Label but no Step`)
}
