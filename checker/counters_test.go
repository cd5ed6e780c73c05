package checker

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// drawCounters draws counters of states and transitions of the toys,
// several bits at a time.
func drawCounters(t *rapid.T) []Counter[int, string] {
	m := rapid.IntRange(1, 9).Draw(t, "modulus")
	cs := []Counter[int, string]{
		{Name: "residue", State: func(u *int) uint64 { return 1<<(*u%m) | 1<<63 }},
		{Name: "step", Step: func(from *int, a string, to *int) uint64 {
			b := uint64(1) << (len(a) % 7)
			if *to > *from {
				b |= 1 << 40
			}
			return b
		}},
		{Name: "both", State: func(u *int) uint64 { return uint64(*u&1) + 2 },
			Step: func(from *int, _ string, to *int) uint64 { return 1 << ((*from + *to) % 64) }},
	}
	return cs[:rapid.IntRange(1, len(cs)).Draw(t, "counters")]
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
		var calls, given atomic.Int64
		var sys System[int, string] = packedToy{g.system(), &calls}
		if rapid.Bool().Draw(t, "state packer") {
			sys = statePackedToy{packedToy{g.system(), &calls}, &given}
		}
		want, _ := sameForWorkers1to4(t, g.system(), sys, opts)
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
}
