package checker

import (
	"context"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// packedToy is a toy over ints that is also a Packer: a state packs into
// two words, the int and its complement, so that a Packer of more than one
// word is tried.
type packedToy struct {
	toy[int]
	appended *atomic.Int64 // calls of AppendNext, to tell that the fast path ran
}

func (p packedToy) PackedWords() int { return 2 }

func (p packedToy) Pack(w []uint64, s int) bool {
	w[0], w[1] = uint64(s), ^uint64(s)
	return true
}

func (p packedToy) Unpack(w []uint64) int {
	if w[1] != ^w[0] {
		panic("packedToy: bad words")
	}
	return int(w[0])
}

func (p packedToy) AppendNext(w []uint64, succ []uint64, acts []string) ([]uint64, []string, bool) {
	p.appended.Add(1)
	wantActs := acts != nil
	for _, m := range p.next(p.Unpack(w)) {
		succ = append(succ, uint64(m.to), ^uint64(m.to))
		if wantActs {
			acts = append(acts, m.action)
		}
	}
	return succ, acts, true
}

// statePackedToy is a packedToy that is also a StatePacker, counting the
// states it gives.
type statePackedToy struct {
	packedToy
	given *atomic.Int64
}

func (p statePackedToy) AppendNextStates(w []uint64, succ []uint64, acts []string, states []int) ([]uint64, []string, []int, bool) {
	n := len(succ)
	succ, acts, ok := p.AppendNext(w, succ, acts)
	for k := n; k < len(succ); k += 2 {
		states = append(states, int(succ[k]))
		p.given.Add(1)
	}
	return succ, acts, states, ok
}

// The fast path gives the result of the common path, for any number of
// workers and either store: counts, violations and their traces, stop
// reason, graph.
func TestPackedAgreesWithNext(t *testing.T) {
	smallWork(t)
	rapid.Check(t, func(t *rapid.T) {
		g := drawGraph(t)
		opts := drawOptions(t)
		if rapid.Bool().Draw(t, "constrained") {
			// Not the fast path: the Packer is then explored by Next.
			opts.StateConstraint = g.options().StateConstraint
		}
		bad := rapid.IntRange(0, 40).Draw(t, "bad")
		if rapid.Bool().Draw(t, "invariants") {
			opts.Invariants = []Invariant[int]{
				{Name: "not-bad", Holds: func(u *int) bool { return *u != bad }},
				{Name: "small", Holds: func(u *int) bool { return *u < 25 }},
			}
		}
		// Transition invariants are checked on the fast path too, on
		// every transition, to a state stored already or not.
		worse := rapid.IntRange(0, 40).Draw(t, "worse")
		if rapid.Bool().Draw(t, "transition invariants") {
			opts.TransitionInvariants = []TransitionInvariant[int, string]{
				{Name: "not-down-to-worse", Holds: func(from *int, _ string, to *int) bool { return *to != worse || *from < *to }},
				{Name: "short-steps", Holds: func(from *int, a string, to *int) bool { return *to-*from < 12 || a == "" }},
			}
		}
		var calls, given atomic.Int64
		var sys System[int, string] = packedToy{g.system(), &calls}
		statePacker := rapid.Bool().Draw(t, "state packer")
		if statePacker {
			sys = statePackedToy{packedToy{g.system(), &calls}, &given}
		}
		want, left := sameForWorkers1to4(t, g.system(), sys, opts)
		require.Equal(t, []bool{false, false, false, false}, left, "the fast path left")
		if !statePacker || opts.TransitionInvariants == nil {
			require.Zero(t, given.Load(), "states asked for with no transition invariant")
		}
		if opts.StateConstraint == nil && want.Stats.Distinct > 0 && (opts.MaxDepth == 0 || opts.MaxDepth > 1) &&
			want.Stats.Generated > len(g.init) {
			require.Positive(t, calls.Load(), "the fast path did not run")
			if statePacker && opts.TransitionInvariants != nil {
				require.Positive(t, given.Load(), "the transition invariants unpacked what the StatePacker gives")
			}
		}
	})
}

// steady is viewed with the figures that differ from run to run
// zeroed.
func steady(res *Result[int, string]) (*Result[int, string], *graphView[int, string]) {
	r, g := viewed(res)
	r.Stats.Elapsed, r.Stats.StoreBytes, r.Stats.SearchBytes = 0, 0, 0
	return r, g
}

// sameForWorkers1to4 requires that exploring sys with opts and 1 to 4
// workers gives the result and graph of exploring plain (a system that
// is no Packer) with opts, PackedPathLeft aside, and returns that result
// and PackedPathLeft for each number of workers.
func sameForWorkers1to4(t *rapid.T, plain, sys System[int, string], opts Options[int, string]) (*Result[int, string], []bool) {
	want, wantGraph := steady(explore(t, plain, opts))
	var left []bool
	for _, w := range []int{1, 2, 3, 4} {
		opts.Workers = w
		got, gotGraph := steady(explore(t, sys, opts))
		left = append(left, got.PackedPathLeft)
		got.PackedPathLeft = false
		require.Equal(t, want, got, "%d workers", w)
		require.Equal(t, wantGraph, gotGraph, "%d workers", w)
	}
	return want, left
}

// limitedPacker is a packedToy whose packed form has room for the states
// under limit only, as a Packer that numbers components runs out of
// numbers.
type limitedPacker struct {
	packedToy
	limit int
}

func (p limitedPacker) Pack(w []uint64, s int) bool {
	return s < p.limit && p.packedToy.Pack(w, s)
}

func (p limitedPacker) AppendNext(w []uint64, succ []uint64, acts []string) ([]uint64, []string, bool) {
	n := len(succ)
	succ, acts, _ = p.packedToy.AppendNext(w, succ, acts)
	for k := n; k < len(succ); k += 2 {
		if int(succ[k]) >= p.limit {
			return succ, acts, false
		}
	}
	return succ, acts, true
}

// A search that meets a state its Packer cannot pack gives the result of
// the common path, for any number of workers and either store, and says
// it left the fast path.
func TestUnpackableStateLeavesPackedPath(t *testing.T) {
	smallWork(t)
	rapid.Check(t, func(t *rapid.T) {
		g := drawGraph(t)
		opts := drawOptions(t)
		if rapid.Bool().Draw(t, "unlimited") {
			opts.MaxStates, opts.MaxDepth = 0, 0
		}
		bad := rapid.IntRange(0, 40).Draw(t, "bad")
		opts.Invariants = []Invariant[int]{{Name: "not-bad", Holds: func(u *int) bool { return *u != bad }}}
		if rapid.Bool().Draw(t, "counters") {
			opts.Counters = drawCounters(t) // counted again from the start
		}
		limit := rapid.IntRange(0, 40).Draw(t, "limit")
		sys := limitedPacker{packedToy{g.system(), new(atomic.Int64)}, limit}
		want, left := sameForWorkers1to4(t, g.system(), sys, opts)
		if opts.MaxStates == 0 && opts.MaxDepth == 0 && want.Verdict == Holds {
			// Every reachable state was met.
			r := reachesAtLeast(g, limit)
			require.Equal(t, []bool{r, r, r, r}, left)
		}
	})
}

// reachesAtLeast reports whether a state of at least limit is reachable
// in g.
func reachesAtLeast(g randomGraph, limit int) bool {
	seen := map[int]bool{}
	queue := slices.Clone(g.init)
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		if seen[u] {
			continue
		}
		if u >= limit {
			return true
		}
		seen[u] = true
		queue = append(queue, g.adj[u]...)
	}
	return false
}

// On a grid, a Packer with room for half the states leaves the fast path
// with every worker count and gives the common path's figures; off the
// fast path too (a state constraint), where a Packer that is no Encoder
// has its states stored as their words.
func TestUnpackableGrid(t *testing.T) {
	const n = 40
	grid := gridToy(n, true)
	always := func(int) bool { return true }
	for _, c := range []struct {
		kind       StoreKind
		constraint func(int) bool
	}{{ExactStore, nil}, {FingerprintStore, nil}, {ExactStore, always}, {FingerprintStore, always}} {
		kind := c.kind
		opts := Options[int, string]{Store: kind, CheckDeadlock: true, StateConstraint: c.constraint}
		want := explore(t, grid, opts)
		for _, w := range []int{1, 2, 4} {
			opts.Workers = w
			got := explore(t, limitedPacker{packedToy{grid, new(atomic.Int64)}, n * n / 2}, opts)
			require.True(t, got.PackedPathLeft, "%d workers", w)
			require.Equal(t, want.Stats.Distinct, got.Stats.Distinct)
			require.Equal(t, want.Stats.Generated, got.Stats.Generated)
			require.Equal(t, want.Violations, got.Violations)
		}
	}
}

// The level-synchronous expansion (levelsync.go) gives the sequential
// result on a grid, where nearly every state is reached from two states
// of the level before, often by transitions that different workers
// compute in the same round: the figures, the traces of invariant
// violations met in the middle of a level or at its end, one or all,
// the deadlock of the far corner, a MaxStates stop.
func TestLevelSyncAgreesOnGrid(t *testing.T) {
	smallWork(t)
	const n = 30
	grid := gridToy(n, true)
	var calls atomic.Int64
	sys := packedToy{grid, &calls}
	for _, c := range []struct {
		name string
		opts Options[int, string]
	}{
		{"no violation", Options[int, string]{}},
		{"deadlock", Options[int, string]{CheckDeadlock: true}},
		{"final corner", Options[int, string]{CheckDeadlock: true, Final: func(u int) bool { return u == n*n-1 }}},
		{"invariant", Options[int, string]{Invariants: []Invariant[int]{{Name: "not-17-9", Holds: func(u *int) bool { return *u != 17*n+9 }}}}},
		{"all", Options[int, string]{ContinueAfterViolation: true, CheckDeadlock: true, Invariants: []Invariant[int]{
			{Name: "not-17-9", Holds: func(u *int) bool { return *u != 17*n+9 }},
			{Name: "row-under-20", Holds: func(u *int) bool { return *u/n < 20 }},
		}}},
		{"max states", Options[int, string]{MaxStates: 500}},
		{"transition", Options[int, string]{TransitionInvariants: []TransitionInvariant[int, string]{
			{Name: "not-into-17-9", Holds: func(_ *int, _ string, to *int) bool { return *to != 17*n+9 }},
		}}},
		{"all transitions", Options[int, string]{ContinueAfterViolation: true, TransitionInvariants: []TransitionInvariant[int, string]{
			{Name: "not-into-17-9", Holds: func(_ *int, _ string, to *int) bool { return *to != 17*n+9 }},
			{Name: "not-from-row-20", Holds: func(from *int, _ string, _ *int) bool { return *from/n != 20 }},
		}, Invariants: []Invariant[int]{{Name: "row-under-25", Holds: func(u *int) bool { return *u/n < 25 }}}}},
	} {
		for _, recent := range []int{0, 4} {
			t.Run(c.name+"/recent="+strconv.Itoa(recent), func(t *testing.T) {
				r := syncRecent
				syncRecent = recent
				defer func() { syncRecent = r }()
				c.opts.Store = FingerprintStore
				res := sameForWorkers(t, sys, c.opts)
				require.Positive(t, res.Stats.Distinct)
			})
		}
	}
	require.Positive(t, calls.Load())
}

// A Packer's states are found again, in both stores, when a trace is
// rebuilt: the shortest trace to the far corner of the grid.
func TestPackedTrace(t *testing.T) {
	const n = 60
	grid := gridToy(n, false)
	var calls atomic.Int64
	for _, kind := range []StoreKind{ExactStore, FingerprintStore} {
		res := explore(t, packedToy{grid, &calls}, Options[int, string]{
			Store:      kind,
			Invariants: []Invariant[int]{{Name: "corner", Holds: func(u *int) bool { return *u != n*n-1 }}},
		})
		require.Equal(t, Violated, res.Verdict)
		require.Len(t, res.Violations[0].Trace, 2*n-1)
		require.NoError(t, Replay(grid, res.Violations[0].Trace))
	}
	require.Positive(t, calls.Load())
}

// encodingPackedToy is a packedToy that is also an Encoder, counting the
// states it packs and encodes.
type encodingPackedToy struct {
	packedToy
	packs, encodes *atomic.Int64
}

func (p encodingPackedToy) Pack(w []uint64, s int) bool {
	p.packs.Add(1)
	return p.packedToy.Pack(w, s)
}

func (p encodingPackedToy) AppendState(b []byte, s int) []byte {
	p.encodes.Add(1)
	return strconv.AppendInt(b, int64(s), 10)
}

func (p encodingPackedToy) DecodeState(b []byte) int {
	s, err := strconv.Atoi(string(b))
	if err != nil {
		panic(err)
	}
	return s
}

// A Packer that is also an Encoder is stored by its encoding off the fast
// path (here, under a state constraint), and by its words on it.
func TestPackerEncoderOffFastPath(t *testing.T) {
	line := toy[int]{init: []int{0}, next: func(u int) []move[int] {
		if u < 100 {
			return []move[int]{{"step", u + 1}}
		}
		return nil
	}}
	var calls, packs, encodes atomic.Int64
	sys := encodingPackedToy{packedToy{line, &calls}, &packs, &encodes}
	res := explore(t, sys, Options[int, string]{StateConstraint: func(int) bool { return true }})
	require.Equal(t, 101, res.Stats.Distinct)
	require.Zero(t, calls.Load()+packs.Load())
	require.Positive(t, encodes.Load())
	encodes.Store(0)
	res = explore(t, sys, Options[int, string]{})
	require.Equal(t, 101, res.Stats.Distinct)
	require.Positive(t, calls.Load())
	require.Positive(t, packs.Load())
	require.Zero(t, encodes.Load())
}

// gridToy is an n by n grid walked right and down from its corner 0 (the
// moves down name the state they leave, so that every trace is told from
// every other), and, if diagonal, down-left too: a second way to the
// states of the next level.
func gridToy(n int, diagonal bool) toy[int] {
	return toy[int]{
		init: []int{0},
		next: func(u int) []move[int] {
			var ms []move[int]
			if u%n+1 < n {
				ms = append(ms, move[int]{"right", u + 1})
			}
			if u/n+1 < n {
				ms = append(ms, move[int]{"down:" + strconv.Itoa(u), u + n})
			}
			if diagonal && u%n > 0 && u/n+1 < n {
				ms = append(ms, move[int]{"down-left", u + n - 1})
			}
			return ms
		},
	}
}

// drawOptions draws what the fast path's agreement tests vary: graph,
// store, deadlocks, all violations or the first, and the limits.
func drawOptions(t *rapid.T) Options[int, string] {
	return Options[int, string]{
		KeepGraph:              rapid.Bool().Draw(t, "graph"),
		Store:                  StoreKind(rapid.IntRange(0, 1).Draw(t, "store")),
		CheckDeadlock:          rapid.Bool().Draw(t, "deadlock"),
		ContinueAfterViolation: rapid.Bool().Draw(t, "all"),
		MaxStates:              rapid.IntRange(0, 20).Draw(t, "maxStates"),
		MaxDepth:               rapid.IntRange(0, 6).Draw(t, "maxDepth"),
	}
}

// A search with transition invariants takes the fast path, but not in
// level-synchronous rounds (levelSyncOK): a round redone sequentially
// would ask them twice of its transitions, and a property that counts
// what it is asked would count differently with more workers.
func TestTransitionInvariantsSkipLevelSync(t *testing.T) {
	sys := System[int, string](packedToy{gridToy(10, true), new(atomic.Int64)})
	opts := Options[int, string]{Store: FingerprintStore, Workers: 2}
	e := newExplorer(context.Background(), sys, &opts, time.Now())
	require.True(t, e.levelSyncOK())
	opts.TransitionInvariants = []TransitionInvariant[int, string]{{Name: "any", Holds: func(*int, string, *int) bool { return true }}}
	e = newExplorer(context.Background(), sys, &opts, time.Now())
	require.True(t, e.packedPath())
	require.False(t, e.levelSyncOK())
}

// shortStatePacker breaks StatePacker's contract: it gives no states.
type shortStatePacker struct{ packedToy }

func (p shortStatePacker) AppendNextStates(w []uint64, succ []uint64, acts []string, states []int) ([]uint64, []string, []int, bool) {
	succ, acts, ok := p.AppendNext(w, succ, acts)
	return succ, acts, states, ok
}

// A StatePacker that gives fewer states than successors is a bug of the
// system's, said as such, not a wrong state checked.
func TestStatePackerContract(t *testing.T) {
	sys := shortStatePacker{packedToy{gridToy(5, true), new(atomic.Int64)}}
	opts := Options[int, string]{TransitionInvariants: []TransitionInvariant[int, string]{{Name: "any", Holds: func(*int, string, *int) bool { return true }}}}
	require.PanicsWithValue(t, "checker: AppendNextStates gave 0 states for 2 successors", func() {
		_, _ = Explore(context.Background(), System[int, string](sys), opts)
	})
}

// A worker that has done its share of a round and takes a slice from an
// earlier share (syncShare) forgets the successors it kept last first:
// they come after that slice in the sequential search. Here worker 0 is
// held up by the round's first state, so worker 1 does its share, where
// state q reaches x, and then takes state p, which reaches x too and
// comes first: x's parent must be p, as for one worker, and so must the
// trace to the state after x, which fails the invariant.
func TestStolenSliceForgetsLaterSuccessors(t *testing.T) {
	sl := syncSlice
	syncSlice = 1
	defer func() { syncSlice = sl }()
	const (
		n    = 64 // level 1: states 1..n, two shares of 32 slices
		p, q = 2, n/2 + 2
		x    = 5000
		bad  = 6000
	)
	var calls atomic.Int64
	sys := packedToy{toy[int]{init: []int{0}, next: func(u int) []move[int] {
		switch {
		case u == 0:
			ms := make([]move[int], n)
			for i := range ms {
				ms[i] = move[int]{"to-" + strconv.Itoa(i+1), i + 1}
			}
			return ms
		case u == 1:
			time.Sleep(100 * time.Millisecond) // worker 0's first slice
			return []move[int]{{"on", 1000 + u}}
		case u == p || u == q:
			return []move[int]{{"to-x-from-" + strconv.Itoa(u), x}}
		case u == x:
			return []move[int]{{"fail", bad}}
		case u <= n:
			return []move[int]{{"on", 1000 + u}}
		}
		return nil
	}}, &calls}
	opts := Options[int, string]{Store: FingerprintStore, Invariants: []Invariant[int]{
		{Name: "not-bad", Holds: func(u *int) bool { return *u != bad }},
	}}
	want := explore(t, sys, opts)
	require.Equal(t, Violated, want.Verdict)
	require.Equal(t, "to-x-from-2", want.Violations[0].Trace[2].Action)
	for range 3 {
		opts.Workers = 2
		got := explore(t, sys, opts)
		require.Equal(t, want.Violations, got.Violations)
	}
	require.Positive(t, calls.Load())
}

// A search whose levels all go by the crew (levelsync.go) starts no
// channel helpers beside it; one that takes the pipelined path (a
// transition invariant keeps it off the crew) starts them.
func TestCrewSearchStartsNoIdleHelpers(t *testing.T) {
	const n = 30
	sys := packedToy{gridToy(n, true), new(atomic.Int64)}
	for _, c := range []struct {
		name    string
		opts    Options[int, string]
		helpers int64
	}{
		{"crew", Options[int, string]{}, 0},
		{"pipelined", Options[int, string]{TransitionInvariants: []TransitionInvariant[int, string]{
			{Name: "any", Holds: func(*int, string, *int) bool { return true }},
		}}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, settled, deduped := helpersStarted.Load(), syncSettled.Load(), syncDeduped.Load()
			c.opts.Store, c.opts.Workers = FingerprintStore, 2
			res, err := Explore(context.Background(), sys, c.opts)
			require.NoError(t, err)
			require.Equal(t, n*n, res.Stats.Distinct)
			require.Equal(t, c.helpers, helpersStarted.Load()-before, "helpers started")
			rounds := syncSettled.Load() - settled + syncDeduped.Load() - deduped
			require.Equal(t, c.helpers == 0, rounds > 0, "%d rounds by the crew", rounds)
		})
	}
}
