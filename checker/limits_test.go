package checker

import (
	"context"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestMaxStates(t *testing.T) {
	for _, strategy := range []Strategy{BFS, DFS} {
		for _, kind := range []StoreKind{ExactStore, FingerprintStore} {
			res := explore(t, counter(100), Options[int, string]{Strategy: strategy, Store: kind, MaxStates: 10})
			require.Equal(t, Incomplete, res.Verdict)
			require.Equal(t, StopMaxStates, res.StopReason)
			require.Equal(t, 10, res.Stats.Distinct)
			// 9 was stored; expanding it, 10 did not fit: 9 is unexpanded.
			require.Equal(t, 1, res.Stats.Frontier)
		}
	}
	// A limit the search does not reach changes nothing.
	res := explore(t, counter(100), Options[int, string]{MaxStates: 100})
	require.Equal(t, Holds, res.Verdict)
}

func TestMaxDepth(t *testing.T) {
	// States at depth 5 are stored and checked but not expanded.
	res := explore(t, counter(100), Options[int, string]{MaxDepth: 5})
	require.Equal(t, Incomplete, res.Verdict)
	require.Equal(t, StopMaxDepth, res.StopReason, "%+v", res.Stats)
	require.Equal(t, 5, res.Stats.Distinct)
	require.Equal(t, 5, res.Stats.Depth)
	require.Equal(t, 1+4*2, res.Stats.Generated) // 0..3 expanded
	require.Equal(t, 1, res.Stats.Frontier)

	// An invariant violated at the bound is found.
	res = explore(t, counter(100), Options[int, string]{
		MaxDepth:   5,
		Invariants: []Invariant[int]{{Name: "below4", Holds: func(x *int) bool { return *x < 4 }}},
	})
	require.Equal(t, Violated, res.Verdict)
	require.Equal(t, []int{0, 1, 2, 3, 4}, states(res.Violations[0].Trace))

	// When nothing lies beyond the bound, the search is complete, and a
	// deadlock at the bound is still seen.
	res = explore(t, line(5), Options[int, string]{MaxDepth: 5})
	require.Equal(t, Holds, res.Verdict)
	require.Empty(t, res.StopReason)
	res = explore(t, line(5), Options[int, string]{MaxDepth: 5, CheckDeadlock: true})
	require.Equal(t, Violated, res.Verdict)
	require.Equal(t, DeadlockName, res.Violations[0].Name)
}

func TestTimeout(t *testing.T) {
	res := explore(t, unbounded(), Options[uint64, string]{Timeout: 20 * time.Millisecond})
	require.Equal(t, Incomplete, res.Verdict)
	require.Equal(t, StopTimeout, res.StopReason)
	require.Positive(t, res.Stats.Distinct)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	res, err := Explore(ctx, unbounded(), Options[uint64, string]{})
	require.NoError(t, err)
	require.Equal(t, Incomplete, res.Verdict)
	require.Equal(t, StopTimeout, res.StopReason)
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Explore(ctx, counter(10), Options[int, string]{})
	require.NoError(t, err)
	require.Equal(t, Incomplete, res.Verdict)
	require.Equal(t, StopCanceled, res.StopReason)
	require.Zero(t, res.Stats.Distinct)

	// Canceled while running: Progress, called from the search, cancels.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	res2, err := Explore(ctx, unbounded(), Options[uint64, string]{
		ProgressInterval: time.Nanosecond,
		Progress: func(s Stats) {
			calls++
			require.Positive(t, s.Distinct)
			cancel()
		},
	})
	require.NoError(t, err)
	require.Equal(t, Incomplete, res2.Verdict)
	require.Equal(t, StopCanceled, res2.StopReason)
	require.Equal(t, 1, calls)
	// Stopped at the first look, after checkEvery expansions.
	require.Equal(t, checkEvery+1, res2.Stats.Distinct)
}

func TestMaxGraphEdges(t *testing.T) {
	res := explore(t, counter(10), Options[int, string]{KeepGraph: true, MaxGraphEdges: 3})
	require.Equal(t, Incomplete, res.Verdict)
	require.Equal(t, StopMaxGraphEdges, res.StopReason)
	require.Equal(t, 3, res.Graph.NumEdges())
	// Every stored state is in the graph, every edge between them.
	require.Equal(t, res.Stats.Distinct, res.Graph.NumStates())
}

func TestViolationBeatsIncomplete(t *testing.T) {
	res := explore(t, counter(100), Options[int, string]{
		MaxStates:              10,
		ContinueAfterViolation: true,
		Invariants:             []Invariant[int]{{Name: "below4", Holds: func(x *int) bool { return *x < 4 }}},
	})
	require.Equal(t, Violated, res.Verdict)
	require.Len(t, res.Violations, 1)
	// The limit is still told.
	require.Equal(t, StopMaxStates, res.StopReason)
}

func TestMaxMemory(t *testing.T) {
	var g memoryGauge
	limit := g.inUse() + 16<<20
	for _, w := range []int{1, 2} {
		res := explore(t, unbounded(), Options[uint64, string]{MaxMemory: limit, Workers: w})
		require.Equal(t, Incomplete, res.Verdict)
		require.Equal(t, StopMaxMemory, res.StopReason)
		require.Positive(t, res.Stats.Distinct)
		require.LessOrEqual(t, g.inUse(), limit)
	}
}

// With DropGraphOverLimit the search goes on without its graph, and
// liveness is refused with the reason.
func TestDropGraphOverLimit(t *testing.T) {
	res, err := Explore(context.Background(), counter(51), Options[int, string]{
		KeepGraph: true, MaxGraphEdges: 10, DropGraphOverLimit: true,
	})
	require.NoError(t, err)
	require.Equal(t, Holds, res.Verdict)
	require.Equal(t, 51, res.Stats.Distinct, "the search went on to the end")
	require.True(t, res.GraphDropped)
	require.Nil(t, res.Graph)
	_, err = CompleteGraph(res)
	require.ErrorContains(t, err, "dropped")
}

// SearchBytes counts what the search holds beyond its store: the graph,
// at its size at least, and the frontier.
func TestSearchBytes(t *testing.T) {
	plain := explore(t, counter(50_000), Options[int, string]{})
	require.Greater(t, plain.Stats.SearchBytes, plain.Stats.StoreBytes, "the frontier is counted")
	kept := explore(t, counter(50_000), Options[int, string]{KeepGraph: true})
	g := kept.Graph
	least := int64(8*g.NumStates() + 8*g.NumEdges())
	require.GreaterOrEqual(t, kept.Stats.SearchBytes, kept.Stats.StoreBytes+least)
	// ... and not much more: slack of growth by a quarter, the frontier.
	require.Less(t, kept.Stats.SearchBytes, 2*(plain.Stats.SearchBytes+least))
}

// MaxMemory holds with the graph kept, whose growth is looked at before
// it happens.
func TestMaxMemoryWithGraph(t *testing.T) {
	var g memoryGauge
	limit := g.inUse() + 24<<20
	res := explore(t, unbounded(), Options[uint64, string]{MaxMemory: limit, KeepGraph: true, MaxGraphEdges: 1 << 40})
	require.Equal(t, StopMaxMemory, res.StopReason)
	require.Positive(t, res.Stats.Distinct)
	require.LessOrEqual(t, g.inUse(), limit)
	require.LessOrEqual(t, res.Stats.SearchBytes, int64(24<<20))
}

func TestGrownCap(t *testing.T) {
	require.Equal(t, 64, grownCap(0))
	require.Equal(t, 2048, grownCap(1024))
	require.Equal(t, 1<<20+1<<18, grownCap(1<<20))
	s := appendGrown([]int(nil), 1)
	for i := 2; i <= 100_000; i++ {
		s = appendGrown(s, i)
	}
	require.Len(t, s, 100_000)
	require.Equal(t, 100_000, s[len(s)-1])
	require.LessOrEqual(t, cap(s), 100_000*5/4+1)
}

// With the graph kept, MaxMemory leaves room for the liveness analysis
// that follows the search (LivenessBytes): a bound the search and its
// graph fit under, but not with the analysis, stops the search as
// "max-memory"; one with room for both lets it finish.
func TestMaxMemoryLeavesRoomForLiveness(t *testing.T) {
	const n = 1_000_000
	line := toy[uint64]{init: []uint64{0}, next: func(x uint64) []move[uint64] {
		return []move[uint64]{{"inc", min(x+1, n-1)}}
	}}
	opts := Options[uint64, string]{KeepGraph: true, FairnessClasses: 3}
	res := explore(t, line, opts)
	require.Empty(t, res.StopReason)
	held := res.Stats.SearchBytes
	analysis := LivenessBytes(res.Stats.Distinct, res.Graph.NumEdges(), 3)
	require.Greater(t, analysis, int64(32<<20), "room enough to tell the bounds apart")

	// The bound counts the process's resident memory (limitMemory; under
	// the race detector, much of it the detector's own).
	debug.FreeOSMemory()
	opts.MaxMemory = residentBytes() + held + analysis/2
	res = explore(t, line, opts)
	require.Equal(t, StopMaxMemory, res.StopReason, "the analysis would not fit")

	debug.FreeOSMemory()
	opts.MaxMemory = residentBytes() + held + analysis + 16<<20
	res = explore(t, line, opts)
	require.Empty(t, res.StopReason, "room for both")

	// The sets of states the properties mark (MarkStates) are counted
	// too: four thousand of them outweigh the analysis.
	opts.LivenessSets = 4000
	sets := 4000 * StateSetBytes(res.Stats.Distinct)
	require.Greater(t, sets, 2*analysis)
	debug.FreeOSMemory()
	opts.MaxMemory = residentBytes() + held + analysis + sets/2
	res = explore(t, line, opts)
	require.Equal(t, StopMaxMemory, res.StopReason, "the sets would not fit")
	debug.FreeOSMemory()
	opts.MaxMemory = residentBytes() + held + analysis + sets + 16<<20
	res = explore(t, line, opts)
	require.Empty(t, res.StopReason, "room for all")
}

// Workers on the fast path go on while the exploring goroutine lets the
// graph go: what they read of the search was decided before they started
// (actionsWanted; go test -race caught a read of the graph).
func TestDropGraphOverLimitWithWorkers(t *testing.T) {
	smallWork(t)
	for _, store := range []StoreKind{ExactStore, FingerprintStore} {
		res := sameForWorkers(t, System[int, string](packedToy{gridToy(30, true), new(atomic.Int64)}), Options[int, string]{
			Store: store, KeepGraph: true, MaxGraphEdges: 200, DropGraphOverLimit: true,
		})
		require.True(t, res.GraphDropped)
		require.Equal(t, 900, res.Stats.Distinct, "the search went on to the end")
	}
}

// A search of many narrow levels stops at its Timeout with two workers
// too, where each level is one short round of the level-synchronous
// expansion (levelsync.go): the round looks at the clock before it
// starts, not only after a worker's sixteenth slice.
func TestNarrowLevelsStopAtTimeout(t *testing.T) {
	var appended atomic.Int64
	chain := packedToy{counter(1 << 18), &appended} // 2^18 levels of one state
	for _, workers := range []int{1, 2} {
		start := time.Now()
		res := explore(t, chain, Options[int, string]{Store: FingerprintStore, Workers: workers, Timeout: 50 * time.Millisecond})
		require.Equal(t, StopTimeout, res.StopReason, "workers %d", workers)
		require.Less(t, time.Since(start), 10*time.Second, "workers %d", workers)
	}
	require.Positive(t, appended.Load())
}

// A table that MaxMemory keeps from growing fills on to fullLoad before
// the search stops (store.stretch): the search stops with more states
// than a table growing at growLoad holds, and no more than fullLoad.
// One worker on a chain, and two on a packed grid, whose rounds find the
// table full between rounds (levelSync.makeRoom).
func TestTableFillsOnBeforeMemoryStops(t *testing.T) {
	var packs atomic.Int64
	grid := packedToy{gridToy(2000, false), &packs}
	for _, c := range []struct {
		name string
		run  func(limit int64) (string, Stats)
	}{
		{"chain", func(limit int64) (string, Stats) {
			res := explore(t, unbounded(), Options[uint64, string]{Store: FingerprintStore, MaxMemory: limit})
			return res.StopReason, res.Stats
		}},
		{"grid, two workers", func(limit int64) (string, Stats) {
			res := explore(t, grid, Options[int, string]{Store: FingerprintStore, MaxMemory: limit, Workers: 2})
			return res.StopReason, res.Stats
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The bound counts the process's resident memory (limitMemory),
			// with what earlier tests let go given back.
			debug.FreeOSMemory()
			stop, st := c.run(residentBytes() + 24<<20)
			require.Equal(t, StopMaxMemory, stop)
			// The store is the table alone: 8 bytes a slot, no numbers
			// (no graph), no fingerprints by number (no trace).
			slots := st.StoreBytes / 8
			require.Greater(t, int64(st.Distinct)*100, slots*growLoad, "%d states in %d slots", st.Distinct, slots)
			require.LessOrEqual(t, int64(st.Distinct)*100, slots*fullLoad)
		})
	}
	require.Positive(t, packs.Load())
}

// A table sized in advance (ExpectedStates) that MaxMemory leaves no room
// for at growLoad is made for fullLoad, as a grown table fills on, rather
// than stopping the search before it starts.
func TestPresizeFillsOnWhereMemoryIsShort(t *testing.T) {
	const n = 4_000_000
	st := newStore[uint64](FingerprintStore, 0, nil)
	st.anonymous = true
	at60, at85 := st.presizeBytes(n, growLoad), st.presizeBytes(n, fullLoad)
	require.Less(t, at85+8<<20, at60)
	// The process's resident memory, as the bound counts it
	// (limitMemory), with what earlier tests let go given back, and
	// half-way between the two tables.
	debug.FreeOSMemory()
	res := explore(t, unbounded(), Options[uint64, string]{
		Store: FingerprintStore, ExpectedStates: n, MaxDepth: 100_000,
		MaxMemory: residentBytes() + (at85+at60)/2,
	})
	require.Equal(t, StopMaxDepth, res.StopReason, "%+v", res.Stats)
	require.Equal(t, at85, res.Stats.StoreBytes)
	// With the room, the table is made for growLoad.
	res = explore(t, unbounded(), Options[uint64, string]{Store: FingerprintStore, ExpectedStates: n, MaxDepth: 100_000})
	require.Equal(t, at60, res.Stats.StoreBytes)
}

// Searches and analyses running at once hold the collector's memory
// limit to the least of theirs, and the last to end gives back the limit
// from before the first began, whatever the order they end in.
func TestMemoryLimitsHeldTogether(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	const large, small = 100 << 30, 50 << 30
	for _, smallFirst := range []bool{false, true} {
		releaseLarge := holdMemoryLimit(large)
		require.Equal(t, min(before, large), debug.SetMemoryLimit(-1))
		releaseSmall := holdMemoryLimit(small)
		require.Equal(t, min(before, small), debug.SetMemoryLimit(-1))
		if smallFirst {
			releaseSmall()
			require.Equal(t, min(before, large), debug.SetMemoryLimit(-1))
			releaseLarge()
		} else {
			releaseLarge()
			require.Equal(t, min(before, small), debug.SetMemoryLimit(-1))
			releaseSmall()
		}
		releaseSmall() // a second release changes nothing
		require.Equal(t, before, debug.SetMemoryLimit(-1))
	}
}
