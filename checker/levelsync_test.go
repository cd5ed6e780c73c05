package checker

import (
	"cmp"
	"context"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// Phase 2's stores, by settle and by insert, store the states the
// sequential search stores, whatever the width of the buckets' edges:
// compare-and-swaps everywhere (an edge wider than any bucket's range),
// plain stores everywhere but the first slot of each range, with every
// insert that runs past it left to the exploring goroutine — which then
// happens, on tables of a few slots a bucket.
func TestLevelSyncInsertEdges(t *testing.T) {
	smallWork(t)
	const n = 40
	var calls atomic.Int64
	sys := packedToy{gridToy(n, true), &calls}
	for _, edge := range []uint64{1, 4, 1 << 10, 1 << 40} {
		t.Run("edge="+strconv.FormatUint(edge, 10), func(t *testing.T) {
			e := syncEdge
			syncEdge = edge
			defer func() { syncEdge = e }()
			before, settled, deduped := syncDeferred.Load(), syncSettled.Load(), syncDeduped.Load()
			res := sameForWorkers(t, sys, Options[int, string]{Store: FingerprintStore,
				Invariants: []Invariant[int]{{Name: "corner", Holds: func(u *int) bool { return *u != n*n-1 }}}})
			require.Equal(t, n*n, res.Stats.Distinct)
			require.Equal(t, Violated, res.Verdict)
			if edge == 1 {
				require.Positive(t, syncDeferred.Load()-before, "no insert was left to the exploring goroutine")
			}
			// Both ways of a round: settle, and dedup where the table grows.
			require.Positive(t, syncSettled.Load()-settled)
			require.Positive(t, syncDeduped.Load()-deduped)
		})
	}
	require.Positive(t, calls.Load())
}

// add stores a fingerprint in its first empty slot, with a plain store
// in its bucket's own part of the table and a compare-and-swap in the
// next bucket's edge (the table's start, past its end), and leaves it
// unstored where its run goes past that edge.
func TestLevelSyncAddStaysInItsRange(t *testing.T) {
	e := syncEdge
	syncEdge = 4
	defer func() { syncEdge = e }()
	// Four buckets, the top two bits of a fingerprint, over 64 slots:
	// bucket b's home slots are 16b to 16b+15, its fingerprint's top six
	// bits.
	ls := &levelSync[int, string]{buckets: 4, shift: 62}
	homed := func(slot uint64) uint64 { return slot<<58 | 1 }
	for _, c := range []struct {
		name   string
		home   uint64
		filled []uint64 // slots
		want   int      // the slot it is stored in, or -1
	}{
		{"home empty", 20, nil, 20},
		{"run inside", 20, []uint64{20, 21, 22}, 23},
		{"into the next edge", 30, []uint64{30, 31, 32}, 33},
		{"past the next edge", 30, []uint64{30, 31, 32, 33, 34, 35}, -1},
		{"in its own edge", 16, []uint64{16}, 17},
		{"the last bucket, into the first's edge", 62, []uint64{62, 63, 0, 1}, 2},
		{"the last bucket, past it", 62, []uint64{62, 63, 0, 1, 2, 3}, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			tab := fpTable{slots: make([]uint64, 64), occupancy: occupancy{size: 64, load: growLoad}}
			for _, s := range c.filled {
				tab.slots[s] = homed(s) ^ 2 // another fingerprint
			}
			h := homed(c.home)
			added := tab.add(h, ls.rangeOf(&tab, h>>ls.shift))
			for s, x := range tab.slots {
				if x == h {
					require.Equal(t, c.want, s)
					require.Equal(t, syncStored, added)
					return
				}
			}
			require.Equal(t, -1, c.want, "not stored")
			require.Equal(t, syncLater, added)
		})
	}
}

// insert on random tables: sizes from one slot up, 2 to 512 buckets,
// edges from one slot to wider than the table, loads up to 99%, home slots
// bunched so that runs are long and wrap past the table's end, buckets
// dealt to one to four workers at random. Every fingerprint is stored
// once and found again. Under the race detector (CI runs LevelSync tests
// with -race) it also shows that no slot is written by one worker and
// read or written by another without a compare-and-swap.
func TestLevelSyncInsertStoresEachOnce(t *testing.T) {
	c := crewSpin
	crewSpin = 0
	defer func() { crewSpin = c }()
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []uint64{1, 2, 3, 5, 7, 17, 63, 64, 65, 100, 127, 200, 1000, 1024, 1536, 4099}
	before := syncDeferred.Load()
	for range 400 {
		storeEachOnce(t, rng, 1+rng.IntN(4), 1<<(1+rng.IntN(9)), sizes[rng.IntN(len(sizes))],
			[]uint64{1, 2, 3, 4, 16, 1 << 10, 1 << 40}[rng.IntN(7)],
			[]float64{0.3, 0.6, 0.85, 0.99}[rng.IntN(4)], rng.IntN(3) == 0)
	}
	require.Positive(t, syncDeferred.Load()-before)
}

func storeEachOnce(t *testing.T, rng *rand.Rand, nw, buckets int, size, edge uint64, load float64, bunched bool) {
	t.Helper()
	e := syncEdge
	syncEdge = edge
	defer func() { syncEdge = e }()
	lb := bits.Len(uint(buckets - 1))
	st := &store[int]{kind: FingerprintStore, anonymous: true, untraced: true}
	tab := fpTable{slots: make([]uint64, size), occupancy: occupancy{size: size, load: 100}}
	st.fpt.Store(&tab)
	w := &workers[int, string]{e: &explorer[int, string]{store: st}, n: nw}
	defer func() { w.crew.stop() }()
	ls := &levelSync[int, string]{w: w, arenas: make([]syncArena, nw), shares: make([]syncShare, nw),
		buckets: buckets, shift: uint(64 - lb)}
	total := min(int(load*float64(size)), int(size)-1)
	stored := rng.IntN(total + 1)
	used := map[uint64]bool{}
	center := rng.Uint64()
	draw := func() uint64 {
		for {
			h := rng.Uint64()
			if bunched {
				h = center + rng.Uint64N(1<<60) // home slots near center's
			}
			if h > 1 && !used[h] {
				used[h] = true
				return h
			}
		}
	}
	var all []uint64
	for range stored {
		h := draw()
		i, ok := tab.find(h)
		require.False(t, ok)
		tab.set(i, h, 0)
		all = append(all, h)
	}
	inBucket := map[uint64][]uint64{}
	for range total - stored {
		h := draw()
		all = append(all, h)
		inBucket[h>>ls.shift] = append(inBucket[h>>ls.shift], h)
	}
	for b := range uint64(buckets) {
		if hs := inBucket[b]; len(hs) > 0 {
			ar := &ls.arenas[rng.IntN(nw)]
			ar.won = append(ar.won, hs...)
			ar.wonIn = append(ar.wonIn, syncWon{b, len(ar.won)})
		}
	}
	w.run(ls.insert)
	ls.storeDeferred()
	count := map[uint64]int{}
	for _, x := range tab.slots {
		if x != 0 {
			count[x]++
		}
	}
	require.Len(t, count, len(all), "buckets %d, size %d, edge %d, workers %d", buckets, size, edge, nw)
	for _, h := range all {
		require.Equal(t, 1, count[h], "%x", h)
		_, ok := tab.find(h)
		require.True(t, ok, "%x stored, not found", h)
	}
}

// Phase 2 takes the hashes 0 and 1, which the table stores as one
// fingerprint (fpSlot), for one state: the first wins, the other is a
// duplicate.
func TestLevelSyncDedupTakesZeroForOne(t *testing.T) {
	for _, first := range []uint64{0, 1} {
		e := &explorer[int, string]{opts: &Options[int, string]{}}
		ls := &levelSync[int, string]{w: &workers[int, string]{e: e, n: 1}, arenas: make([]syncArena, 1), buckets: 1, shift: 63, sliceBits: 6}
		ar := &ls.arenas[0]
		ar.inBucket = [][]syncEntry{{{hash: first, pos: 0, x: 0}, {hash: 1 - first, pos: 1, x: 1}, {hash: 2, pos: 1, x: 2}}}
		ar.win, ar.counts = make([]bool, 3), make([]int32, 1)
		ls.dedup(0)
		require.Equal(t, int64(2), ls.winners.Load(), "hash %d first", first)
		require.Equal(t, []bool{true, false, true}, ar.win, "hash %d first", first)
	}
}

// merge puts a bucket's successors in the order of the sequential search,
// however the slices of a round were taken: random rounds of up to 24
// slices of four states each, dealt to one to four workers, each taking
// its slices in a random order (a run begins at each slice before the
// last taken), with up to three successors a state in four buckets.
func TestLevelSyncMergeTakesSequentialOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const perSlice, buckets = 4, 4
	type succ struct {
		pos  int32
		a    int
		x    uint32
		hash uint64
	}
	for range 300 {
		nw, nSlices := 1+rng.IntN(4), 1+rng.IntN(24)
		ls := &levelSync[int, string]{arenas: make([]syncArena, nw), buckets: buckets, shift: 62}
		for a := range ls.arenas {
			ls.arenas[a].inBucket = make([][]syncEntry, buckets)
		}
		var want [buckets][]succ // in the sequential search's order
		taken := make([][]int, nw)
		for _, k := range rng.Perm(nSlices) {
			a := rng.IntN(nw)
			taken[a] = append(taken[a], k)
		}
		var all []succ
		for a, ks := range taken {
			ar := &ls.arenas[a]
			x, last := uint32(0), -1
			for _, k := range ks {
				ar.newRun(k, last)
				last = k
				for pos := int32(k * perSlice); pos < int32((k+1)*perSlice); pos++ {
					for range rng.IntN(4) {
						h := rng.Uint64()
						ar.inBucket[h>>62] = append(ar.inBucket[h>>62], syncEntry{hash: h, pos: pos, x: x})
						ar.hashes = append(ar.hashes, h)
						all = append(all, succ{pos, a, x, h})
						x++
					}
				}
			}
		}
		slices.SortFunc(all, func(p, q succ) int { return cmp.Or(cmp.Compare(p.pos, q.pos), cmp.Compare(p.x, q.x)) })
		for _, s := range all {
			want[s.hash>>62] = append(want[s.hash>>62], s)
		}
		me := &syncArena{}
		for b := range uint64(buckets) {
			ls.merge(me, b)
			var got []succ
			for k, p := range me.order {
				require.Equal(t, p.hash, me.orderFP[k])
				got = append(got, succ{p.pos, int(p.a), p.x, p.hash})
			}
			require.Equal(t, want[b], got, "bucket %d, slices taken %v", b, taken)
		}
	}
}

// An arena makes room for a slice's successors at once, doubling: the
// successors of n words each fit without another allocation, and a
// growth at least doubles what it holds.
func TestSyncArenaRoomDoubles(t *testing.T) {
	const n = 3
	var ar syncArena
	for k := range 30 {
		c := cap(ar.hashes)
		more := []int{0, 7, 300}[k%3] // less than fits, all, or much more
		if k%3 == 1 {
			more = c - len(ar.hashes) + 1 // one more than fits
		}
		ar.room(more, n)
		require.GreaterOrEqual(t, cap(ar.hashes), len(ar.hashes)+more)
		require.GreaterOrEqual(t, cap(ar.words), len(ar.words)+more*n)
		require.GreaterOrEqual(t, cap(ar.pos), len(ar.pos)+more)
		if cap(ar.hashes) > c {
			require.GreaterOrEqual(t, cap(ar.hashes), 2*c)
		}
		words, hashes, pos := cap(ar.words), cap(ar.hashes), cap(ar.pos)
		for range more {
			ar.words = append(ar.words, 1, 2, 3)
			ar.hashes = append(ar.hashes, 4)
			ar.pos = append(ar.pos, 5)
		}
		require.Equal(t, []int{words, hashes, pos}, []int{cap(ar.words), cap(ar.hashes), cap(ar.pos)}, "grown by append")
	}
}

// The workers' slices of a round, taken as take deals them (each its own
// share in order, then the others' in turn), in random interleavings of
// one to four workers: within each run that newRun notes, a worker's
// slices come in the order of the level, as merge needs; and every slice
// is taken once.
func TestLevelSyncRunsAreInOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		nw, nSlices := 1+rng.IntN(4), 1+rng.IntN(16)
		ls := &levelSync[int, string]{arenas: make([]syncArena, nw), shares: make([]syncShare, nw)}
		ls.share(nSlices)
		last := make([]int, nw)
		slice := make([][]int, nw) // per worker, the slice of each successor
		for i := range last {
			last[i] = -1
		}
		var taken []int
		for busy := nw; busy > 0; {
			i := rng.IntN(nw)
			if last[i] == -2 {
				continue
			}
			k, ok := ls.take(i)
			if !ok {
				last[i], busy = -2, busy-1
				continue
			}
			ar := &ls.arenas[i]
			ar.newRun(k, last[i])
			last[i] = k
			taken = append(taken, k)
			for range rng.IntN(3) {
				ar.hashes = append(ar.hashes, 0)
				slice[i] = append(slice[i], k)
			}
		}
		slices.Sort(taken)
		require.Equal(t, nSlices, len(taken))
		for k, got := range taken {
			require.Equal(t, k, got, "slice taken twice or never")
		}
		for i := range ls.arenas {
			starts := append([]uint32{0}, ls.arenas[i].runs...)
			starts = append(starts, uint32(len(slice[i])))
			for r := 0; r+1 < len(starts); r++ {
				run := slice[i][starts[r]:starts[r+1]]
				require.True(t, slices.IsSorted(run), "worker %d of %d, run %v out of order (runs %v)", i, nw, run, ls.arenas[i].runs)
			}
		}
	}
}

// settle on random rounds: one to four workers, 2 to 128 buckets, tables
// of 17 to 4,099 slots part full, edges from one slot to wider than the
// table, home slots bunched so that runs wrap past the table's end, the
// hashes 0 and 1 among the others, slices dealt at random and taken in
// random orders. The winners are those of the sequential order (the
// first of each fingerprint, as fpSlot makes it), counted in their
// slices, each stored once; and unsettle leaves the table as it was.
// Under the race detector (CI runs LevelSync tests with -race) it also
// shows that no slot is written by one worker and read or written by
// another without a compare-and-swap. Written by a review of c3d2d0d.
func TestLevelSyncSettleKeepsTheFirst(t *testing.T) {
	c := crewSpin
	crewSpin = 0
	defer func() { crewSpin = c }()
	rng := rand.New(rand.NewPCG(7, 8))
	before := syncDeferred.Load()
	sizes := []uint64{17, 63, 64, 65, 100, 127, 200, 1000, 1024, 1536, 4099}
	for it := range 600 {
		settleOnce(t, rng, it, 1+rng.IntN(4), 1<<(1+rng.IntN(7)), sizes[rng.IntN(len(sizes))],
			[]uint64{1, 2, 3, 4, 16, 1 << 10, 1 << 40}[rng.IntN(7)], rng.IntN(2) == 0)
	}
	require.Positive(t, syncDeferred.Load()-before, "settleLater decided nothing")
}

func settleOnce(t *testing.T, rng *rand.Rand, it, nw, buckets int, size, edge uint64, bunched bool) {
	t.Helper()
	e := syncEdge
	syncEdge = edge
	defer func() { syncEdge = e }()
	const perSlice = 4
	st := &store[int]{kind: FingerprintStore, anonymous: true, untraced: true, max: 1 << 30}
	tab := fpTable{slots: make([]uint64, size), occupancy: occupancy{size: size, load: 100}}
	st.fpt.Store(&tab)
	w := &workers[int, string]{e: &explorer[int, string]{store: st, opts: &Options[int, string]{}}, n: nw}
	defer func() {
		if w.crew != nil {
			w.crew.stop()
		}
	}()
	ls := &levelSync[int, string]{w: w, arenas: make([]syncArena, nw), shares: make([]syncShare, nw),
		buckets: buckets, shift: uint(64 - bits.Len(uint(buckets-1))), sliceBits: 2}
	center := rng.Uint64()
	draw := func() uint64 {
		switch rng.IntN(20) {
		case 0:
			return 0
		case 1:
			return 1
		}
		if bunched {
			return center + rng.Uint64N(1<<58)
		}
		return rng.Uint64()
	}
	for range rng.IntN(int(size)/2 + 1) { // stored before the round
		h := draw()
		if i, ok := tab.find(h); !ok {
			tab.set(i, h, 0)
		}
	}
	stored := slices.Clone(tab.slots)
	kept := rng.IntN(int(size) - tab.n)
	var pool []uint64 // the fingerprints of the round's successors
	for range kept/2 + 1 {
		if h := draw(); !slices.Contains(pool, h) {
			if _, ok := tab.find(h); !ok {
				pool = append(pool, h)
			}
		}
	}
	if len(pool) == 0 {
		return
	}
	nSlices := 1 + kept/perSlice
	taken := make([][]int, nw)
	for _, k := range rng.Perm(nSlices) {
		a := rng.IntN(nw)
		taken[a] = append(taken[a], k)
	}
	type succ struct {
		pos  int32
		a    int
		x    uint32
		hash uint64
	}
	var all []succ
	left := kept
	for a, ks := range taken {
		ar := &ls.arenas[a]
		ar.inBucket = make([][]syncEntry, buckets)
		ar.counts = make([]int32, nSlices)
		last := -1
		for _, k := range ks {
			ar.newRun(k, last)
			last = k
			for pos := int32(k * perSlice); pos < int32((k+1)*perSlice); pos++ {
				for range rng.IntN(3) {
					if left == 0 {
						break
					}
					left--
					h := pool[rng.IntN(len(pool))]
					x := uint32(len(ar.hashes))
					b := fpSlot(h) >> ls.shift
					ar.inBucket[b] = append(ar.inBucket[b], syncEntry{hash: h, pos: pos, x: x})
					ar.hashes = append(ar.hashes, h)
					all = append(all, succ{pos, a, x, h})
				}
			}
		}
		ar.win = make([]bool, len(ar.hashes))
	}
	slices.SortFunc(all, func(p, q succ) int { return cmp.Or(cmp.Compare(p.pos, q.pos), cmp.Compare(p.x, q.x)) })
	first := map[uint64]bool{} // of the fingerprints, as the table stores them
	wantWin := map[[2]int]bool{}
	wantCounts := make([]int32, nSlices)
	for _, s := range all {
		if h := fpSlot(s.hash); !first[h] {
			first[h] = true
			wantWin[[2]int{s.a, int(s.x)}] = true
			wantCounts[s.pos/perSlice]++
		}
	}
	ls.winners.Store(0)
	w.run(ls.settle)
	ls.settleLater()
	require.Equal(t, int64(len(first)), ls.winners.Load(), "round %d", it)
	gotCounts := make([]int32, nSlices)
	for a := range ls.arenas {
		for x, got := range ls.arenas[a].win {
			require.Equal(t, wantWin[[2]int{a, x}], got, "round %d, arena %d, successor %d", it, a, x)
		}
		for k, c := range ls.arenas[a].counts {
			gotCounts[k] += c
		}
	}
	require.Equal(t, wantCounts, gotCounts, "round %d", it)
	count := map[uint64]int{}
	for _, x := range tab.slots {
		count[x]++
	}
	for h := range first {
		require.Equal(t, 1, count[h], "round %d: %x stored %d times", it, h, count[h])
	}
	ls.unsettle()
	require.Equal(t, stored, tab.slots, "round %d: unsettle", it)
}

// The rounds' tuning variables, which only tests change, are checked:
// a slice that is not a power of two would put winners in the wrong
// slice's count (sliceBits), an edge of no slot would let two workers'
// plain stores meet (rangeOf).
func TestLevelSyncRefusesBadTuning(t *testing.T) {
	sys := packedToy{gridToy(20, true), new(atomic.Int64)}
	for _, c := range []struct {
		slice int
		edge  uint64
	}{{3, syncEdge}, {0, syncEdge}, {syncSlice, 0}} {
		sl, e := syncSlice, syncEdge
		syncSlice, syncEdge = c.slice, c.edge
		require.PanicsWithValue(t, "checker: syncSlice is not a power of two, or syncEdge is 0", func() {
			_, _ = Explore(context.Background(), System[int, string](sys), Options[int, string]{Store: FingerprintStore, Workers: 2})
		}, "slice %d, edge %d", c.slice, c.edge)
		syncSlice, syncEdge = sl, e
	}
	_, err := Explore(context.Background(), System[int, string](sys), Options[int, string]{Store: FingerprintStore, Workers: 2})
	require.NoError(t, err)
}
