package checker

import (
	"context"
	"os"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// A frontier spilled to disk, and a table sized in advance, change
// nothing in the result of a search of a Packer: counts, violations and
// their traces, stop reason, graph, for any number of workers and either
// store. Every level goes to disk (FrontierMemory 1), and every file is
// removed at the end.
func TestSpilledFrontierAgrees(t *testing.T) {
	smallWork(t)
	dir := t.TempDir()
	var calls atomic.Int64
	rapid.Check(t, func(t *rapid.T) {
		g := drawGraph(t)
		opts := drawOptions(t)
		opts.Workers = rapid.IntRange(1, 3).Draw(t, "workers")
		opts.SpillDir = dir
		if rapid.Bool().Draw(t, "invariants") {
			bad := rapid.IntRange(0, 40).Draw(t, "bad")
			opts.Invariants = []Invariant[int]{{Name: "not-bad", Holds: func(u *int) bool { return *u != bad }}}
		}
		sys := packedToy{g.system(), &calls}
		want, wantGraph := viewed(explore(t, sys, opts))
		opts.FrontierMemory = 1
		opts.ExpectedStates = rapid.IntRange(0, 40).Draw(t, "expected")
		got, gotGraph := viewed(explore(t, sys, opts))
		if want.Stats.Distinct > 0 {
			require.Positive(t, got.Stats.SpilledBytes)
		}
		for _, r := range []*Result[int, string]{want, got} {
			r.Stats.Elapsed, r.Stats.StoreBytes, r.Stats.SearchBytes, r.Stats.SpilledBytes = 0, 0, 0, 0
		}
		require.Equal(t, want, got)
		require.Equal(t, wantGraph, gotGraph)
		left, err := os.ReadDir(dir)
		require.NoError(t, err)
		require.Empty(t, left, "files of spilled levels")
	})
	require.Positive(t, calls.Load())
}

// A level moves to disk when it passes half of FrontierMemory, keeps
// its states and their numbers, and counts what it wrote; a level of
// fixed width too.
func TestLevelSpills(t *testing.T) {
	for _, fixed := range []bool{false, true} {
		sp := &spill{dir: t.TempDir(), limit: 3 * levelBlock, width: 16}
		l := newLevel[int](newWordEncoder(packedToy{}, new(atomic.Bool)), 1)
		if fixed {
			l.fixedWidth(16)
		}
		l.sp = sp
		const n = 20000 // 320,000 bytes: five blocks
		for i := range n {
			code := appendWords(nil, []uint64{uint64(i), ^uint64(i)})
			l.push(nil, code, int32(7+i))
			if i < 2*levelBlock/16 {
				require.Nil(t, l.disk, "state %d", i)
			}
		}
		require.NotNil(t, l.disk)
		require.NoError(t, l.seal())
		require.Equal(t, n, l.len())
		require.Equal(t, int64(16*n), sp.written)
		for i := range n {
			x := l.at(i)
			require.Equal(t, i, x.state)
			require.Equal(t, int32(7+i), x.index)
		}
		name := l.disk.file.Name()
		if removeWhileOpen {
			left, err := os.ReadDir(sp.dir)
			require.NoError(t, err)
			require.Empty(t, left, "the level's file, while it is open")
		}
		l.reset(2)
		require.Zero(t, l.len())
		_, err := os.Stat(name)
		require.True(t, os.IsNotExist(err), "the level's file is removed")
	}
}

// A table sized in advance is held to MaxMemory: a search whose table
// alone would pass it stops before allocating it. One that fits is not
// stopped by it (the table is allocated once the memory the process held
// before the search is known, and counted once).
func TestPresizedTableHeldToMaxMemory(t *testing.T) {
	sys := counter(100)
	// 1 GiB more than the process holds, as the bound counts it
	// (limitMemory; under the race detector, earlier tests' shadow
	// memory is much of it).
	debug.FreeOSMemory()
	limit := residentBytes() + 1<<30
	res := explore(t, sys, Options[int, string]{Store: FingerprintStore, ExpectedStates: 1 << 30, MaxMemory: limit})
	require.Equal(t, StopMaxMemory, res.StopReason)
	require.Zero(t, res.Stats.Distinct)
	res = explore(t, sys, Options[int, string]{Store: FingerprintStore, ExpectedStates: 1 << 26, MaxMemory: limit})
	require.Equal(t, Holds, res.Verdict)
	require.Equal(t, 100, res.Stats.Distinct)
	require.Greater(t, res.Stats.SearchBytes, int64(8<<26))
}

// A table sized for n states holds them without growing, and is not
// full once it holds them: a search that stores exactly n states is not
// stopped at its end by a growth that would pass MaxMemory (diagram K=3
// was, after its last state).
func TestPresizedTableDoesNotGrow(t *testing.T) {
	for _, kind := range []StoreKind{ExactStore, FingerprintStore} {
		for _, load := range []uint64{growLoad, fullLoad} {
			st := newStore[point](kind, 0, nil)
			st.anonymous = kind == FingerprintStore
			st.presize(5000, load)
			size := st.tableSize()
			require.Equal(t, st.presizeSlots(5000, load), size)
			for i := range 5000 {
				require.Zero(t, st.growthBytes(), "%v at %d%%, state %d", kind, load, i)
				_, added := st.put(point{i, -i})
				require.True(t, added)
			}
			require.Zero(t, st.growthBytes(), "%v at %d%%, full", kind, load)
			require.Equal(t, size, st.tableSize())
		}
	}
}

// The fingerprints by number and the parent links, kept to rebuild
// traces, are kept exactly when the search checks something a trace may
// be asked for.
func TestTraceLinksOnlyWhenNeeded(t *testing.T) {
	var calls atomic.Int64
	sys := packedToy{gridToy(20, true), &calls}
	holds := []Invariant[int]{{Name: "holds", Holds: func(*int) bool { return true }}}
	always := []TransitionInvariant[int, string]{{Name: "holds", Holds: func(*int, string, *int) bool { return true }}}
	for _, c := range []struct {
		name  string
		opts  Options[int, string]
		links bool
	}{
		{"nothing checked", Options[int, string]{}, false},
		{"nothing checked, graph", Options[int, string]{KeepGraph: true}, false},
		{"invariant", Options[int, string]{Invariants: holds}, true},
		{"transition invariant", Options[int, string]{TransitionInvariants: always}, true},
		{"deadlock", Options[int, string]{CheckDeadlock: true, Final: func(int) bool { return true }}, true},
	} {
		for _, w := range []int{1, 2} {
			c.opts.Store, c.opts.Workers = FingerprintStore, w
			e := newExplorer(context.Background(), System[int, string](sys), &c.opts, time.Now())
			e.run()
			require.NoError(t, e.err)
			require.Equal(t, 400, e.store.len())
			require.Equal(t, c.links, e.parents.bytes() > 0, "%s, %d workers: parent links", c.name, w)
			fps := e.store.fps.len()
			require.Equal(t, c.links && !c.opts.KeepGraph, fps == 400, "%s, %d workers: fingerprints by number (%d)", c.name, w, fps)
		}
	}
}

// The memory a search lets go — the tables it grew out of, the blocks of
// levels moved to their files — is given back to the system once there
// is returnFreedAt of it, with every store and on every path, and not
// before.
func TestLetGoMemoryGivenBack(t *testing.T) {
	saved, savedAt := freeOSMemory, returnFreedAt
	defer func() { freeOSMemory, returnFreedAt = saved, savedAt }()
	calls := 0
	freeOSMemory = func() { calls++ }
	var packs atomic.Int64
	grid := packedToy{gridToy(300, false), &packs}
	// Levels of up to 65,536 states, whose blocks a small frontier
	// budget lets go when they move to files.
	tree := packedToy{binaryTree(17), &packs}
	for _, c := range []struct {
		name string
		sys  System[int, string]
		opts Options[int, string]
	}{
		{"exact", counter(100000), Options[int, string]{}},
		{"fingerprint", counter(100000), Options[int, string]{Store: FingerprintStore}},
		{"packed, two workers", grid, Options[int, string]{Store: FingerprintStore, Workers: 2}},
		{"spilled", tree, Options[int, string]{ExpectedStates: 1 << 17, Store: FingerprintStore, FrontierMemory: 8 * levelBlock, SpillDir: t.TempDir()}},
	} {
		t.Run(c.name, func(t *testing.T) {
			calls = 0
			returnFreedAt = 1 << 40
			want := explore(t, c.sys, c.opts)
			require.Zero(t, calls)
			returnFreedAt = 1 << 12
			got := explore(t, c.sys, c.opts)
			require.Positive(t, calls)
			require.Equal(t, want.Stats.Distinct, got.Stats.Distinct)
			if c.opts.FrontierMemory > 0 {
				require.Positive(t, got.Stats.SpilledBytes)
			}
		})
	}
	require.Positive(t, packs.Load())
}

// binaryTree is the binary tree of 2^depth-1 states, numbered in
// breadth-first order: its levels double.
func binaryTree(depth int) toy[int] {
	return toy[int]{init: []int{0}, next: func(x int) []move[int] {
		if x >= 1<<(depth-1)-1 {
			return nil
		}
		return []move[int]{{"left", 2*x + 1}, {"right", 2*x + 2}}
	}}
}

// A level the level-synchronous rounds fill partly in memory, by
// reserved places (levelsync.go's numbering), and partly in its file,
// once a round's reservation would pass the budget, gives the result of
// one worker: the figures and the trace to a state of the last level.
func TestReservedLevelSpillsMidway(t *testing.T) {
	s := syncRound
	syncRound = 256
	defer func() { syncRound = s }()
	var packs atomic.Int64
	tree := packedToy{binaryTree(17), &packs}
	opts := Options[int, string]{Store: FingerprintStore, Invariants: []Invariant[int]{
		{Name: "not-far-leaf", Holds: func(x *int) bool { return *x != 1<<17-2 }},
	}}
	want := explore(t, tree, opts)
	require.Equal(t, Violated, want.Verdict)
	for _, workers := range []int{2, 3} {
		for _, blocks := range []int64{3, 5} {
			o := opts
			o.Workers, o.FrontierMemory, o.SpillDir = workers, blocks*levelBlock, t.TempDir()
			got := explore(t, tree, o)
			require.Positive(t, got.Stats.SpilledBytes, "workers %d, %d blocks", workers, blocks)
			require.Equal(t, want.Violations, got.Violations, "workers %d, %d blocks", workers, blocks)
			require.Equal(t, want.Stats.Distinct, got.Stats.Distinct)
			require.Equal(t, want.Stats.Generated, got.Stats.Generated)
			require.Equal(t, want.Stats.Depth, got.Stats.Depth)
		}
	}
	require.Positive(t, packs.Load())
}
