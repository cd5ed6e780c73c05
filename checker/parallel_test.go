package checker

import (
	"context"
	"encoding/binary"
	"iter"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// smallWork makes the workers' slices and rounds tiny, so that even a
// small system is expanded in many rounds of many slices.
func smallWork(t *testing.T) {
	s, r, ss, sr := sliceStates, roundSlices, syncSlice, syncRound
	sliceStates, roundSlices, syncSlice, syncRound = 2, 2, 2, 3
	t.Cleanup(func() { sliceStates, roundSlices, syncSlice, syncRound = s, r, ss, sr })
}

// stealAlways makes the work small and the helpers slow, so that the
// exploring goroutine computes their slices again.
func stealAlways(t *testing.T) {
	smallWork(t)
	steal := stealAfter
	stealAfter, helperDelay = 0, func() { time.Sleep(200 * time.Microsecond) }
	t.Cleanup(func() { stealAfter, helperDelay = steal, nil })
}

// sameForWorkers explores sys with 1, 2, 3 and 4 workers and requires
// the same result from each: verdict, violations and their traces,
// figures, stop reason and graph.
func sameForWorkers[S comparable](t tester, sys System[S, string], opts Options[S, string]) *Result[S, string] {
	t.Helper()
	var want *Result[S, string]
	for _, w := range []int{1, 2, 3, 4} {
		opts.Workers = w
		res := explore(t, sys, opts)
		res.Stats.Elapsed, res.Stats.SearchBytes = 0, 0 // the workers' buffers are counted
		if want == nil {
			want = res
			continue
		}
		require.Equal(t, want, res, "%d workers", w)
	}
	return want
}

func TestWorkersAgreeOnRandomGraphs(t *testing.T) {
	smallWork(t)
	rapid.Check(t, func(t *rapid.T) {
		g := drawGraph(t)
		opts := g.options()
		opts.KeepGraph = rapid.Bool().Draw(t, "graph")
		opts.Store = StoreKind(rapid.IntRange(0, 1).Draw(t, "store"))
		opts.CheckDeadlock = rapid.Bool().Draw(t, "deadlock")
		opts.ContinueAfterViolation = rapid.Bool().Draw(t, "all")
		opts.MaxStates = rapid.IntRange(0, 20).Draw(t, "maxStates")
		opts.MaxDepth = rapid.IntRange(0, 6).Draw(t, "maxDepth")
		bad := rapid.IntRange(0, 40).Draw(t, "bad")
		opts.Invariants = []Invariant[int]{
			{Name: "not-bad", Holds: func(u *int) bool { return *u != bad }},
			{Name: "small", Holds: func(u *int) bool { return *u < 25 }},
		}
		opts.TransitionInvariants = []TransitionInvariant[int, string]{
			{Name: "no-self-loop", Holds: func(u *int, _ string, v *int) bool { return *u != *v }},
		}
		sameForWorkers(t, g.system(), opts)
	})
}

// The exploring goroutine computes again any slice not ready at once,
// as it does when a worker is stopped long: the results are the same.
func TestWorkersAgreeWhenStealing(t *testing.T) {
	stealAlways(t)
	rapid.Check(t, func(t *rapid.T) {
		g := drawGraph(t)
		opts := g.options()
		opts.Store = FingerprintStore
		opts.KeepGraph = rapid.Bool().Draw(t, "graph")
		opts.ContinueAfterViolation = rapid.Bool().Draw(t, "all")
		bad := rapid.IntRange(0, 40).Draw(t, "bad")
		opts.Invariants = []Invariant[int]{{Name: "not-bad", Holds: func(u *int) bool { return *u != bad }}}
		sameForWorkers(t, g.system(), opts)
	})
	counted := sameForWorkers(t, counter(5000), Options[int, string]{Store: FingerprintStore})
	require.Equal(t, 5000, counted.Stats.Distinct)
}

func TestWorkersAgreeOnToys(t *testing.T) {
	smallWork(t)
	res := sameForWorkers(t, peterson(), Options[procs, string]{KeepGraph: true, CheckDeadlock: true})
	require.Equal(t, Holds, res.Verdict)
	res = sameForWorkers(t, naiveLock(), Options[procs, string]{
		Invariants:             []Invariant[procs]{{Name: "mutex", Holds: func(p *procs) bool { return p.PC[0] != 2 || p.PC[1] != 2 }}},
		ContinueAfterViolation: true,
	})
	require.Equal(t, Violated, res.Verdict)
	counted := sameForWorkers(t, counter(1000), Options[int, string]{Store: FingerprintStore})
	require.Equal(t, 1000, counted.Stats.Distinct)
	bounded := sameForWorkers(t, unbounded(), Options[uint64, string]{MaxStates: 777})
	require.Equal(t, StopMaxStates, bounded.StopReason)
}

// grid is the n×n grid, stepping right or down, with an encoder whose
// encodings are long enough to fill several blocks of the arena.
type grid struct{ n uint16 }

func (g grid) Init() iter.Seq[[2]uint16] { return slices.Values([][2]uint16{{}}) }

func (g grid) Next(s [2]uint16) iter.Seq2[string, [2]uint16] {
	return func(yield func(string, [2]uint16) bool) {
		if s[0]+1 < g.n && !yield("right", [2]uint16{s[0] + 1, s[1]}) {
			return
		}
		if s[1]+1 < g.n {
			yield("down", [2]uint16{s[0], s[1] + 1})
		}
	}
}

const gridPad = 300

func (g grid) AppendState(b []byte, s [2]uint16) []byte {
	b = binary.LittleEndian.AppendUint16(b, s[0])
	b = binary.LittleEndian.AppendUint16(b, s[1])
	return append(b, make([]byte, gridPad)...)
}

func (g grid) DecodeState(b []byte) [2]uint16 {
	if len(b) != 4+gridPad {
		panic("grid: bad encoding")
	}
	return [2]uint16{binary.LittleEndian.Uint16(b), binary.LittleEndian.Uint16(b[2:])}
}

func TestEncoderStore(t *testing.T) {
	smallWork(t)
	g := grid{n: 80} // 6400 states of 304 bytes: two arena blocks
	for _, kind := range []StoreKind{ExactStore, FingerprintStore} {
		res := sameForWorkers(t, g, Options[[2]uint16, string]{
			Store:      kind,
			KeepGraph:  true,
			Invariants: []Invariant[[2]uint16]{{Name: "corner", Holds: func(s *[2]uint16) bool { return *s != [2]uint16{79, 79} }}},
		})
		require.Equal(t, Violated, res.Verdict)
		require.Equal(t, 6400, res.Stats.Distinct)
		trace := res.Violations[0].Trace
		require.Len(t, trace, 159)
		require.NoError(t, Replay(g, trace))
	}
}

// With an ExactStore, on the fast path, the helpers compute a round's
// successors while the exploring goroutine commits the round before
// (expandRounds); the look-ups wait for the commit. The results are the
// sequential search's by Next (and go test -race, which CI runs on this
// test, reports a look-up made during a commit).
func TestOverlappedRoundsAgree(t *testing.T) {
	smallWork(t)
	for _, graph := range []bool{false, true} {
		opts := Options[int, string]{
			KeepGraph:  graph,
			Invariants: []Invariant[int]{{Name: "any", Holds: func(*int) bool { return true }}},
			TransitionInvariants: []TransitionInvariant[int, string]{
				{Name: "any", Holds: func(*int, string, *int) bool { return true }},
			},
			Counters: []Counter[int, string]{{Name: "steps", Step: func(from *int, _ string, to *int) uint64 { return 1 << ((*to - *from) & 63) }}},
		}
		var calls atomic.Int64
		want, wantGraph := steady(explore(t, gridToy(60, true), opts)) // by Next, sequentially
		require.Equal(t, 3600, want.Stats.Distinct)
		for _, w := range []int{2, 3, 4} {
			opts.Workers = w
			got, gotGraph := steady(explore(t, System[int, string](packedToy{gridToy(60, true), &calls}), opts))
			require.Equal(t, want, got, "%d workers", w)
			require.Equal(t, wantGraph, gotGraph, "%d workers", w)
		}
		require.Positive(t, calls.Load(), "the fast path ran")
	}
}

// drawWideGraph draws a graph of up to 3000 states, its edges mostly
// forward, so that levels are wide and many successors are met again.
func drawWideGraph(t *rapid.T) toy[int] {
	n := rapid.SampledFrom([]int{1, 5, 50, 300, 1200, 3000}).Draw(t, "n")
	seed := rapid.Uint64().Draw(t, "seed")
	deg := rapid.IntRange(1, 4).Draw(t, "deg")
	r := rand.New(rand.NewPCG(seed, 1))
	adj := make([][]int, n)
	for u := range adj {
		k := r.IntN(deg + 1)
		if r.IntN(8) > 0 {
			k = max(k, 1)
		}
		for range k {
			v := r.IntN(n)
			if r.IntN(4) > 0 {
				v = min(n-1, u+1+r.IntN(40))
			}
			adj[u] = append(adj[u], v)
		}
	}
	return toy[int]{init: []int{0}, next: func(u int) []move[int] {
		ms := make([]move[int], len(adj[u]))
		for k, v := range adj[u] {
			ms[k] = move[int]{strconv.Itoa(k), v}
		}
		return ms
	}}
}

// exploreCanceledAt explores sys, canceling the search at its cancelAt-th
// progress report if cancelAt > 0 (a report every expansion).
func exploreCanceledAt(t *rapid.T, sys System[int, string], opts Options[int, string], cancelAt int) *Result[int, string] {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if cancelAt > 0 {
		calls := 0
		opts.ProgressInterval = time.Nanosecond
		opts.Progress = func(Stats) {
			calls++
			if calls == cancelAt {
				cancel()
			}
		}
	}
	res, err := Explore(ctx, sys, opts)
	require.NoError(t, err)
	return res
}

// An ExactStore's overlapped rounds (expandRounds) give the sequential
// search's result with any stop: limits, violations, deadlocks, the
// graph let go, a timeout, a cancel, the frontier spilled to disk.
func TestRoundsAgreeWithStops(t *testing.T) {
	smallWork(t)
	dir := t.TempDir()
	rapid.Check(t, func(t *rapid.T) {
		g := drawWideGraph(t)
		opts := Options[int, string]{
			Store:                  ExactStore,
			KeepGraph:              rapid.Bool().Draw(t, "graph"),
			CheckDeadlock:          rapid.Bool().Draw(t, "deadlock"),
			ContinueAfterViolation: rapid.Bool().Draw(t, "all"),
			MaxStates:              rapid.SampledFrom([]int{0, 0, 5, 100, 1500}).Draw(t, "maxStates"),
			MaxDepth:               rapid.SampledFrom([]int{0, 0, 2, 6, 30}).Draw(t, "maxDepth"),
		}
		if opts.KeepGraph {
			opts.MaxGraphEdges = rapid.SampledFrom([]int{0, 3, 50, 2000}).Draw(t, "maxEdges")
			opts.DropGraphOverLimit = rapid.Bool().Draw(t, "drop")
		}
		if rapid.Bool().Draw(t, "timeout") {
			opts.Timeout = time.Nanosecond
		}
		if rapid.Bool().Draw(t, "spill") {
			opts.FrontierMemory, opts.SpillDir = 1, dir
		}
		bad := rapid.IntRange(0, 3000).Draw(t, "bad")
		if rapid.Bool().Draw(t, "invariants") {
			opts.Invariants = []Invariant[int]{{Name: "not-bad", Holds: func(u *int) bool { return *u != bad }}, {Name: "odd", Holds: func(u *int) bool { return *u%97 != 5 }}}
		}
		worse := rapid.IntRange(0, 3000).Draw(t, "worse")
		if rapid.Bool().Draw(t, "transition invariants") {
			opts.TransitionInvariants = []TransitionInvariant[int, string]{
				{Name: "not-down-to-worse", Holds: func(from *int, _ string, to *int) bool { return *to != worse || *from < *to }},
			}
		}
		if rapid.Bool().Draw(t, "counters") {
			opts.Counters = drawCounters(t)
		}
		cancelAt := rapid.IntRange(0, 3).Draw(t, "cancelAt")
		want, wantGraph := steady(exploreCanceledAt(t, g, opts, cancelAt))
		var calls, given atomic.Int64
		var sys System[int, string] = packedToy{g, &calls}
		if rapid.Bool().Draw(t, "state packer") {
			sys = statePackedToy{packedToy{g, &calls}, &given}
		}
		for _, w := range []int{1, 2, 3, 4} {
			opts.Workers = w
			got, gotGraph := steady(exploreCanceledAt(t, sys, opts, cancelAt))
			got.PackedPathLeft = false
			got.Stats.SpilledBytes = 0
			require.Equal(t, want, got, "%d workers", w)
			require.Equal(t, wantGraph, gotGraph, "%d workers", w)
		}
	})
}
