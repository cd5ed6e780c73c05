package checker

import (
	"math"
	"math/bits"
	"slices"
	"sync/atomic"
	"unsafe"
)

// Level-synchronous parallel expansion, for a search on the fast path
// (packed.go) with a FingerprintStore and no graph: the commonest large
// search, and the one where the pipeline of parallel.go leaves the most to
// the exploring goroutine — taking every transition in order, the four in
// five that reach a known state included, and probing the table again for
// each of the others.
//
// A level is expanded in rounds of up to syncRound states, and a round in
// three phases, each shared among the workers, with the table written only
// after the first:
//
//  1. Successors. Each worker takes the slices of its share of the round
//     one after another, then what is left of the others' (syncShare),
//     computes each state's successors, hashes them and looks each up in
//     the table as it was when the round began (no one writes it). A
//     successor found is done with. The others are kept: their words,
//     their hash, the position in the level of the state they leave, and,
//     under their bucket (the top bits of the hash), an entry to find
//     them by.
//  2. New states. The workers take buckets in turn. Of the successors of a
//     bucket with the same fingerprint, the one taken first by the
//     sequential search wins — the one whose state comes first in the
//     level, and of one state's, the first in the order of AppendNext: it
//     gives the new state its parent. The winners' invariants are
//     evaluated, and each worker counts the winners of each slice. Where
//     the table has room for every successor kept, which is every round
//     but those where it grows, settle takes a bucket's successors in the
//     order of the sequential search and stores each one whose fingerprint
//     is not yet in the table: the first of a fingerprint is stored and
//     wins (a bucket's fingerprints are its own, so no two workers store
//     the same one; plain stores in a bucket's own part of the table, a
//     compare-and-swap at its edge, where the buckets before may run into
//     it: rangeOf; a successor whose probe would run further is left to
//     the exploring goroutine, once the workers are done). Otherwise dedup
//     finds the winners in a scratch table per bucket, the table grows
//     for them, and insert stores them in the same way.
//  3. Queueing. The exploring goroutine gives each slice its place in the
//     next level, in order, and numbers and links the winners; and the
//     workers take slices again, each those of its share of phase 1 first,
//     and write the words of their winners in their places
//     (level.reserve).
//
// The states are so numbered, linked and queued in the order of the
// sequential search, with the same parents: the result is the sequential
// search's, for any number of workers. A round in which something happens
// that the sequential search would meet in its middle — an invariant
// fails, a state has no transition while deadlocks are checked, MaxStates
// would be passed, the table's growth would pass MaxMemory — is expanded
// again sequentially instead (nothing has been written when that is
// known, or settle takes the winners it stored out of the table again:
// unsettle), and the sequential search stops where it stops.
type levelSync[S comparable, A any] struct {
	w       *workers[S, A]
	arenas  []syncArena // one per worker
	decoded []S         // one per worker, as explorer.decoded
	// batches holds a worker's successors of a slice in phase 1, kept
	// from round to round (no actions: no graph, and a violation ends the
	// round).
	batches   []succBatch[S, A]
	spans     []syncSpan // per slice of the round
	lo, hi    int        // the round: states lo to hi-1 of the level
	at        int        // the place in the next level of the round's first winner
	buckets   int        // a power of two
	shift     uint       // 64 - log2(buckets)
	sliceBits uint       // log2(syncSlice)

	claimed  atomic.Int64 // phase 2: buckets taken
	shares   []syncShare  // phase 1: one per worker
	stop     atomic.Bool
	winners  atomic.Int64
	failures atomic.Int64 // of invariants not yet violated, on winners
	held     atomic.Int64 // bytes, see measure
}

// A syncArena is what one worker computed in phase 1 — the successors it
// kept, and per bucket the entries of those in it — and in phase 2.
type syncArena struct {
	words    []uint64 // PackedWords a successor
	hashes   []uint64
	pos      []int32 // in the level, of the state it leaves
	win      []bool  // set in phase 2
	inBucket [][]syncEntry
	// runs holds the first successor of each run of slices this worker
	// took one after another in phase 1 but the first: a run's states
	// come after those of the run before it in the level, or before, but
	// within a run in order.
	runs []uint32
	// counts[k] is the number of winners of slice k of the round among
	// the successors of the buckets this worker took in phase 2.
	counts []int32
	gen    int // transitions
	dead   int // states with no transition, not final
	// recent holds fingerprints of successors kept in this round, each
	// at its hash modulo syncRecent.
	recent []uint64

	// Phase 2 by dedup: a scratch table for one bucket, and the hashes of
	// the winners of the buckets taken; by insert: those of them that it
	// left to the exploring goroutine.
	seen     []uint64
	won      []uint64
	wonIn    []syncWon // the buckets of won, one after another
	deferred []uint64
	// settle: the successors of a bucket in the order of the sequential
	// search, their hashes (for the reads ahead), the merge's heads, and
	// those whose inserts it left to the exploring goroutine.
	order   []syncPick
	orderFP []uint64
	heads   []syncHead
	later   []syncPick
	// touched keeps what phase 1's reads ahead read (fpTable.touch).
	touched uint64
}

// A syncEntry is successor x of an arena, whose hash is hash and whose
// state leaves the state at pos in the level.
type syncEntry struct {
	hash uint64
	pos  int32
	x    uint32
}

// before reports whether the sequential search takes the transition of
// e before that of f. Two of one state are in one arena, in order.
func (e *syncEntry) before(f *syncEntry) bool {
	return e.pos < f.pos || e.pos == f.pos && e.x < f.x
}

// A syncShare is a worker's share of the slices of a round, from to
// to-1: the worker takes them one after another from next, and the others
// take what is left of it once theirs are done. In phase 1 a worker so
// computes neighbouring states, whose successors repeat each other's
// (two moves that commute lead to one state), and its cache of the
// successors it kept last (syncArena.recent) finds more of them: on
// diagram K=2, slices dealt to two workers by turns kept 2.31 M
// successors for 1.40 M new states, one worker 1.51 M. In phase 3 the
// slices are taken again by shares (resetShares), so that a worker
// places the successors it kept itself, in its own core's cache:
// dealt by turns, half of them were read from the other core's, and two
// workers placed the winners of diagram K=2 in 14.0–18.1 ms against
// 9.8–10.8 (phase timers patched in, not in the tree).
type syncShare struct {
	next     atomic.Int64
	from, to int64
	_        [40]byte // a cache line each
}

// A syncPick is successor x of arena a, with its hash and the position
// in the level of the state it leaves.
type syncPick struct {
	hash uint64
	pos  int32
	x    uint32
	a    int32
}

// A syncHead is a run of a bucket's successors in one arena, from at to
// end-1 of its inBucket, in the order of the sequential search.
type syncHead struct {
	a       int32
	at, end int32
}

// A syncWon is a bucket b whose winners in an arena's won end at end.
type syncWon struct {
	b   uint64
	end int
}

// A syncSpan is a slice of the round, as a worker computed it: its
// successors kept, from..to-1 of the worker's arena, and its transitions.
type syncSpan struct {
	worker   int32
	from, to int32
	gen      int32
	won      int32 // of its successors, the winners
	at       int32 // the place in the next level of its first winner
}

// syncSlice is how many states a worker takes at a time in phase 1, a
// power of two, and syncRound how many states a round has, at most, per
// worker: enough to make the barriers of a round cheap, few enough to
// keep the successors of a round in a few megabytes. Variables, so that
// tests can make them small.
var (
	syncSlice = 64
	syncRound = 1 << 14
	// syncRecent is the size of a worker's cache of the successors it
	// kept last, a power of two (0: none, so that tests send every
	// successor through phase 2).
	syncRecent = 1 << 14
)

// levelSyncOK reports whether the level-synchronous expansion serves the
// search.
//
// Not with transition invariants: phase 1 would evaluate them on every
// transition of a round, and the round, should one fail, would be
// expanded again sequentially, evaluating them twice. The workers'
// pipeline evaluates each once, ahead, and the commit reads the result
// (but for a slice computed again after a stall, or ahead of where a
// violation or a limit stops the search). Nor with Counters: the rounds
// would need to count in the order of the sequential search, which only
// the pipeline's commit does.
func (e *explorer[S, A]) levelSyncOK() bool {
	return e.packedPath() && e.store.kind == FingerprintStore && e.store.anonymous && // anonymous: no graph
		len(e.opts.TransitionInvariants) == 0 && len(e.opts.Counters) == 0
}

func newLevelSync[S comparable, A any](w *workers[S, A]) *levelSync[S, A] {
	lb := bits.Len(uint(64*w.n - 1))
	return &levelSync[S, A]{w: w, arenas: make([]syncArena, w.n), decoded: make([]S, w.n), batches: make([]succBatch[S, A], w.n),
		shares: make([]syncShare, w.n), buckets: 1 << lb, shift: uint(64 - lb)}
}

// run runs f(i) for i in 0..n-1 on the workers' crew, the exploring
// goroutine as worker 0, and returns when all are done.
func (w *workers[S, A]) run(f func(i int)) {
	if w.crew == nil {
		w.crew = newCrew(w.n)
	}
	w.crew.run(f)
}

// expand expands e.cur, round after round, unless the search stops.
func (ls *levelSync[S, A]) expand() {
	e := ls.w.e
	for !e.done && e.pos < e.cur.len() {
		// A level may be one short round: the clock, the context and the
		// memory are looked at before each (interrupted), not only after
		// sixteen slices of worker 0's.
		if e.interrupted() {
			return
		}
		ls.lo, ls.hi = e.pos, min(e.pos+syncRound*ls.w.n, e.cur.len())
		if !ls.round() && !e.done {
			e.expandPackedLevel(ls.hi)
		}
	}
}

// round expands states lo to hi-1 of the level and reports false if they
// must be expanded sequentially instead, having written nothing (or taken
// out again what settle wrote: unsettle). It returns true, with e.done
// set, if the search was interrupted.
func (ls *levelSync[S, A]) round() bool {
	e := ls.w.e
	if syncSlice <= 0 || syncSlice&(syncSlice-1) != 0 || syncEdge < 1 {
		panic("checker: syncSlice is not a power of two, or syncEdge is 0")
	}
	nSlices := (ls.hi - ls.lo + syncSlice - 1) / syncSlice
	ls.sliceBits = uint(bits.TrailingZeros(uint(syncSlice)))
	ls.spans = slices.Grow(ls.spans[:0], nSlices)[:nSlices]
	ls.share(nSlices)
	ls.stop.Store(false)
	ls.w.run(ls.successors)
	ls.measure()
	if ls.stop.Load() {
		return true
	}
	for i := range ls.arenas {
		if ls.arenas[i].dead > 0 && e.opts.CheckDeadlock && !e.deadlocked {
			return false
		}
	}
	ls.claimed.Store(0)
	ls.winners.Store(0)
	ls.failures.Store(0)
	kept := 0
	for i := range ls.arenas {
		kept += len(ls.arenas[i].hashes)
	}
	if t := e.store.fpt.Load(); t != nil && t.fits(kept+1) {
		// Every successor kept fits: settle stores the winners as it
		// finds them, and takes them out again if the round is to be
		// expanded sequentially.
		syncSettled.Add(1)
		ls.w.run(ls.settle)
		ls.settleLater()
		ls.measure()
		if ls.failures.Load() > 0 || e.store.len()+int(ls.winners.Load()) > e.store.max {
			ls.unsettle()
			return false
		}
	} else {
		// The table may have to grow: the winners are found first, so
		// that it grows for them only, as the sequential search's does.
		syncDeduped.Add(1)
		ls.w.run(ls.dedup)
		ls.measure()
		winners := int(ls.winners.Load())
		if ls.failures.Load() > 0 || e.store.len()+winners > e.store.max || !ls.makeRoom(winners) {
			return false
		}
		ls.w.run(ls.insert)
		ls.storeDeferred()
	}
	ls.number()
	return true
}

// successors is phase 1, for worker i.
func (ls *levelSync[S, A]) successors(i int) {
	e := ls.w.e
	ar := &ls.arenas[i]
	ar.words, ar.hashes, ar.pos, ar.runs, ar.gen, ar.dead = ar.words[:0], ar.hashes[:0], ar.pos[:0], ar.runs[:0], 0, 0
	nSlices := len(ls.spans)
	ar.counts = slices.Grow(ar.counts[:0], nSlices)[:nSlices]
	clear(ar.counts)
	if len(ar.inBucket) != ls.buckets {
		ar.inBucket = make([][]syncEntry, ls.buckets)
	}
	for b := range ar.inBucket {
		ar.inBucket[b] = ar.inBucket[b][:0]
	}
	switch {
	case syncRecent == 0:
		ar.recent = nil
	case len(ar.recent) != syncRecent:
		ar.recent = make([]uint64, syncRecent)
	default:
		clear(ar.recent)
	}
	n := e.words.words
	sb := &ls.batches[i]
	t := e.store.fpt.Load()
	last := -1 // the slice taken last
	for done := 0; ; done++ {
		if i == 0 && done%16 == 15 && e.interrupted() {
			ls.stop.Store(true)
		}
		if ls.stop.Load() {
			return
		}
		k, ok := ls.take(i)
		if !ok {
			ls.unmark(i)
			return
		}
		if ar.newRun(k, last) && ar.recent != nil {
			// What the cache remembers comes after this slice in the
			// sequential search, which must not skip its first
			// successors for it.
			clear(ar.recent)
		}
		last = k
		lo := ls.lo + k*syncSlice
		hi := min(lo+syncSlice, ls.hi)
		sp := syncSpan{worker: int32(i), from: int32(len(ar.hashes))}
		sb.fill(e.words, e.cur, lo, hi, false, false, false)
		sp.gen = int32(len(sb.hashes))
		ar.room(len(sb.hashes), n)
		if t != nil {
			ar.touched += t.touch(sb.hashes)
		}
		j := 0
		for p := lo; p < hi; p++ {
			if sb.from(p-lo) == sb.ends[p-lo] && (e.opts.Final == nil || !e.opts.Final(e.enc.DecodeState(e.cur.code(p)))) {
				ar.dead++
			}
			for ; j < sb.ends[p-lo]; j++ {
				h := sb.hashes[j]
				if t != nil {
					if _, ok := t.find(h); ok {
						continue
					}
				}
				// A successor this worker kept already in this round is
				// one the sequential search takes earlier: skip it, as far
				// as a small cache of the last kept remembers.
				if ar.recent != nil {
					if c := &ar.recent[h&uint64(syncRecent-1)]; *c == fpSlot(h) {
						continue
					} else {
						*c = fpSlot(h)
					}
				}
				b := fpSlot(h) >> ls.shift
				ar.inBucket[b] = append(ar.inBucket[b], syncEntry{hash: h, pos: int32(p), x: uint32(len(ar.hashes))})
				ar.words = append(ar.words, sb.succ[j*n:(j+1)*n]...)
				ar.hashes = append(ar.hashes, h)
				ar.pos = append(ar.pos, int32(p))
			}
		}
		sp.to = int32(len(ar.hashes))
		ar.gen += int(sp.gen)
		ls.spans[k] = sp
	}
}

// room makes room in ar for more successors of n words each, doubling
// what it holds if need be: append would grow the arenas by a quarter at
// a time in the first rounds of a level larger than any before, making
// garbage of five times what they hold (on diagram K=2, 20 MB of the 34 a
// search with two workers allocated on top of one's, and six more
// collections under tcpbench's GOGC of 25).
func (ar *syncArena) room(more, n int) {
	if len(ar.hashes)+more <= cap(ar.hashes) && len(ar.words)+more*n <= cap(ar.words) && len(ar.pos)+more <= cap(ar.pos) {
		return
	}
	c := max(2*cap(ar.hashes), len(ar.hashes)+more)
	ar.words = slices.Grow(ar.words, c*n-len(ar.words))
	ar.hashes = slices.Grow(ar.hashes, c-len(ar.hashes))
	ar.pos = slices.Grow(ar.pos, c-len(ar.pos))
}

// newRun notes in ar that slice k, taken after slice last, begins a run
// (syncArena.runs) if it comes before last, and reports whether it does.
func (ar *syncArena) newRun(k, last int) bool {
	if k >= last {
		return false
	}
	ar.runs = append(ar.runs, uint32(len(ar.hashes)))
	return true
}

// share deals the n slices of a round to the workers, a contiguous share
// each, and lets them take them (resetShares).
func (ls *levelSync[S, A]) share(n int) {
	for i := range ls.shares {
		sh := &ls.shares[i]
		sh.from, sh.to = int64(i*n/len(ls.shares)), int64((i+1)*n/len(ls.shares))
	}
	ls.resetShares()
}

// resetShares lets the workers take the slices of the round again.
func (ls *levelSync[S, A]) resetShares() {
	for i := range ls.shares {
		ls.shares[i].next.Store(ls.shares[i].from)
	}
}

// take returns the next slice for worker i: of its share, or, once that
// is done, of the others' in turn; false once none is left.
func (ls *levelSync[S, A]) take(i int) (int, bool) {
	for j := range ls.shares {
		sh := &ls.shares[(i+j)%len(ls.shares)]
		if sh.next.Load() >= sh.to {
			continue
		}
		if k := sh.next.Add(1) - 1; k < sh.to {
			return int(k), true
		}
	}
	return 0, false
}

// unmark clears worker i's marks of winners, before phase 2.
func (ls *levelSync[S, A]) unmark(i int) {
	ar := &ls.arenas[i]
	ar.win = slices.Grow(ar.win[:0], len(ar.hashes))[:len(ar.hashes)]
	clear(ar.win)
}

// dedup is phase 2 where the table may grow, for worker i: it takes
// buckets in turn and marks the winners of each.
func (ls *levelSync[S, A]) dedup(i int) {
	me := &ls.arenas[i]
	me.won, me.wonIn = me.won[:0], me.wonIn[:0]
	var winners, failures int64
	for {
		b := int(ls.claimed.Add(1)) - 1
		if b >= ls.buckets {
			break
		}
		m := 0
		for a := range ls.arenas {
			m += len(ls.arenas[a].inBucket[b])
		}
		if m == 0 {
			continue
		}
		size := 1 << bits.Len(uint(2*m))
		mask := uint64(size - 1)
		me.seen = slices.Grow(me.seen[:0], size)[:size]
		clear(me.seen) // 0: empty; else arena<<32 | entry, plus one
		for a := range ls.arenas {
			for k := range ls.arenas[a].inBucket[b] {
				x := &ls.arenas[a].inBucket[b][k]
				ref := uint64(a)<<32 | uint64(k)
				// Fingerprints as the table stores them (fpSlot), which
				// takes the hashes 0 and 1 for one.
				h := fpSlot(x.hash)
				for s := h & mask; ; s = (s + 1) & mask {
					r := me.seen[s]
					if r == 0 {
						me.seen[s] = ref + 1
						break
					}
					y := ls.entry(b, r-1)
					if fpSlot(y.hash) != h {
						continue
					}
					if x.before(y) {
						me.seen[s] = ref + 1
					}
					break
				}
			}
		}
		from := len(me.won)
		for _, r := range me.seen {
			if r == 0 {
				continue
			}
			x := ls.entry(b, r-1)
			failures += ls.win(i, int(r>>32), x.x, x.pos)
			winners++
			me.won = append(me.won, x.hash)
		}
		if len(me.won) > from {
			me.wonIn = append(me.wonIn, syncWon{uint64(b), len(me.won)})
		}
	}
	ls.winners.Add(winners)
	ls.failures.Add(failures)
}

// settle is phase 2, finding the winners and storing them in one, for
// worker i, in a round whose successors kept all fit in the table
// (round): it takes buckets in turn, and of each the successors in the
// order of the sequential search (merge), storing each whose fingerprint
// is not in the table: the first of a fingerprint stored wins, the
// others are duplicates. No scratch table, and no second pass over the
// winners; the stores are insert's (rangeOf), and what insert leaves to
// the exploring goroutine, settle does too (settleLater), in order.
func (ls *levelSync[S, A]) settle(i int) {
	t := ls.w.e.store.fpt.Load()
	me := &ls.arenas[i]
	me.later = me.later[:0]
	var winners, failures int64
	for {
		b := uint64(ls.claimed.Add(1)) - 1
		if b >= uint64(ls.buckets) {
			break
		}
		ls.merge(me, b)
		if len(me.order) == 0 {
			continue
		}
		r := ls.rangeOf(t, b)
		for at := 0; at < len(me.order); at += packBatch {
			batch := me.order[at:min(at+packBatch, len(me.order))]
			me.touched += t.touch(me.orderFP[at : at+len(batch)])
			for _, p := range batch {
				switch t.add(fpSlot(p.hash), r) {
				case syncStored:
					failures += ls.win(i, int(p.a), p.x, p.pos)
					winners++
				case syncLater:
					me.later = append(me.later, p)
				}
			}
		}
	}
	ls.winners.Add(winners)
	ls.failures.Add(failures)
}

// merge puts bucket b's successors in me.order, in the order of the
// sequential search, and their hashes in me.orderFP. An arena's are in
// that order within each of its runs; the runs of all arenas are merged,
// the first state first (two runs never hold one state).
func (ls *levelSync[S, A]) merge(me *syncArena, b uint64) {
	me.order, me.orderFP, me.heads = me.order[:0], me.orderFP[:0], me.heads[:0]
	for a := range ls.arenas {
		in := ls.arenas[a].inBucket[b]
		at := 0
		for _, start := range ls.arenas[a].runs {
			end := at
			for end < len(in) && in[end].x < start {
				end++
			}
			if end > at {
				me.heads = append(me.heads, syncHead{int32(a), int32(at), int32(end)})
			}
			at = end
		}
		if at < len(in) {
			me.heads = append(me.heads, syncHead{int32(a), int32(at), int32(len(in))})
		}
	}
	for len(me.heads) > 0 {
		first := 0
		for k := 1; k < len(me.heads); k++ {
			if ls.arenas[me.heads[k].a].inBucket[b][me.heads[k].at].pos < ls.arenas[me.heads[first].a].inBucket[b][me.heads[first].at].pos {
				first = k
			}
		}
		hd := &me.heads[first]
		in := ls.arenas[hd.a].inBucket[b]
		// Take from this run up to the next run's first state.
		next := int32(math.MaxInt32)
		for k := range me.heads {
			if k != first {
				next = min(next, ls.arenas[me.heads[k].a].inBucket[b][me.heads[k].at].pos)
			}
		}
		for ; hd.at < hd.end && in[hd.at].pos < next; hd.at++ {
			x := &in[hd.at]
			me.order = append(me.order, syncPick{hash: x.hash, pos: x.pos, x: x.x, a: hd.a})
			me.orderFP = append(me.orderFP, x.hash)
		}
		if hd.at == hd.end {
			me.heads[first] = me.heads[len(me.heads)-1]
			me.heads = me.heads[:len(me.heads)-1]
		}
	}
}

// settleLater decides, once the workers are done, the successors settle
// left to the exploring goroutine: each worker's in the order it met
// them, which is the sequential search's for each fingerprint (all of
// one are in one bucket).
func (ls *levelSync[S, A]) settleLater() {
	t := ls.w.e.store.fpt.Load()
	var winners, failures int64
	for i := range ls.arenas {
		for _, p := range ls.arenas[i].later {
			if t.addLater(p.hash) {
				failures += ls.win(0, int(p.a), p.x, p.pos)
				winners++
			}
		}
	}
	ls.winners.Add(winners)
	ls.failures.Add(failures)
}

// unsettle takes the winners settle stored out of the table again, for a
// round that is to be expanded sequentially: every one went into a slot
// that was empty when the round began, so that emptying those slots,
// found before any is emptied, leaves the table as it was.
func (ls *levelSync[S, A]) unsettle() {
	t := ls.w.e.store.fpt.Load()
	var stored []uint64
	for a := range ls.arenas {
		ar := &ls.arenas[a]
		for x, w := range ar.win {
			if w {
				slot, ok := t.find(ar.hashes[x])
				if !ok {
					panic("checker: a winner of a round is not in the table")
				}
				stored = append(stored, slot)
			}
		}
	}
	for _, slot := range stored {
		t.slots[slot] = 0
	}
}

// win marks successor x of arena a, which leaves the state at pos in the
// level, a winner, for worker i, and returns the number of invariants not
// yet violated that it violates.
func (ls *levelSync[S, A]) win(i, a int, x uint32, pos int32) int64 {
	e := ls.w.e
	ar := &ls.arenas[a]
	ar.win[x] = true
	ls.arenas[i].counts[(int(pos)-ls.lo)>>ls.sliceBits]++ // pos's slice
	var failures int64
	if len(e.opts.Invariants) > 0 {
		s := &ls.decoded[i]
		*s = e.pk.Unpack(ls.words(ar, x))
		for k, inv := range e.opts.Invariants {
			if !e.invFailed[k] && !inv.Holds(s) {
				failures++
			}
		}
	}
	return failures
}

// entry returns the entry of bucket b of ref, arena<<32 | index.
func (ls *levelSync[S, A]) entry(b int, ref uint64) *syncEntry {
	return &ls.arenas[ref>>32].inBucket[b][uint32(ref)]
}

// words returns the words of successor x of ar.
func (ls *levelSync[S, A]) words(ar *syncArena, x uint32) []uint64 {
	n := uint32(ls.w.e.words.words)
	return ar.words[x*n : (x+1)*n]
}

// makeRoom grows the table, if need be, so that winners more states fit
// under its maximum load, and reports false if that would pass MaxMemory.
func (ls *levelSync[S, A]) makeRoom(winners int) bool {
	e := ls.w.e
	t := e.store.fpt.Load()
	if t == nil {
		t = e.store.growFP()
	}
	for !t.fits(winners + 1) {
		more := t.grownBytes()
		if e.opts.MaxMemory > 0 && e.overMemory(more) {
			return false
		}
		e.notePeak(more)
		t = e.store.growFPBy(ls.w.n, ls.w.run)
	}
	return true
}

// insert is phase 2's second part where the table may grow, once it has
// grown, for worker i: it puts the winners of the buckets worker i took
// in dedup into the table.
//
// An insert into the bucket's own slots is a plain store, one at its
// edges a compare-and-swap, where another bucket's inserts may write too
// (add, rangeOf). Every insert was a
// compare-and-swap until 2026-11-30, and on this project's
// shared virtual machine the locked instructions were the phase's weak
// spot: in stretches of minutes, diagram K=2's inserts with two workers
// took 47–58 ms instead of 15–19, while one worker's search was no slower.
// Alternated over five minutes, 321 runs each, in the 36 where the
// compare-and-swap was slow: 51.0 ms with a compare-and-swap each, 25.0
// as here, 20.1 with nothing but plain stores (unsafe at a bucket's
// edge); whole searches 0.350, 0.330 and 0.316 s. In the 270 quiet ones:
// 19.0, 17.9 and 17.2 ms; whole searches the same (0.292 s).
func (ls *levelSync[S, A]) insert(i int) {
	t := ls.w.e.store.fpt.Load()
	ar := &ls.arenas[i]
	ar.deferred = ar.deferred[:0]
	from := 0
	for _, bw := range ar.wonIn {
		r := ls.rangeOf(t, bw.b)
		for won := ar.won[from:bw.end]; len(won) > 0; {
			// Read the slots of a batch first, as the fast path does (see
			// packBatch), so that the inserts' cache misses overlap.
			k := min(len(won), packBatch)
			ar.touched += t.touch(won[:k])
			for _, h := range won[:k] {
				if t.add(fpSlot(h), r) == syncLater {
					ar.deferred = append(ar.deferred, h)
				}
			}
			won = won[k:]
		}
		from = bw.end
	}
}

// number is phase 3: the winners are numbered in the order
// of the sequential search and queued. The exploring goroutine gives
// each slice its place in the next level, and keeps the fingerprints and
// parents of a search that rebuilds traces; then the workers take slices
// (take) and write their winners' words in their places (place). If the
// next level is in a file, or would move there, the exploring goroutine
// queues them itself.
func (ls *levelSync[S, A]) number() {
	e := ls.w.e
	st := e.store
	t := st.fpt.Load()
	won := 0
	for k := range ls.spans {
		sp := &ls.spans[k]
		e.generated += int(sp.gen)
		sp.at = int32(won)
		sp.won = 0
		for i := range ls.arenas {
			sp.won += ls.arenas[i].counts[k]
		}
		won += int(sp.won)
	}
	first := int32(t.n)
	at, reserved := e.next.reserve(won, first)
	if !st.untraced || !reserved {
		num := first
		for _, sp := range ls.spans {
			ar := &ls.arenas[sp.worker]
			for x := uint32(sp.from); x < uint32(sp.to); x++ {
				if !ar.win[x] {
					continue
				}
				st.numbered(ar.hashes[x])
				e.parents.add(e.cur.indexAt(int(ar.pos[x])))
				if !reserved {
					e.code = appendWords(e.code[:0], ls.words(ar, x))
					e.next.push(nil, e.code, num)
				}
				num++
			}
		}
	}
	t.n += won
	if reserved && won > 0 {
		ls.at = at
		ls.resetShares()
		ls.w.run(ls.place)
	}
	e.expansions += ls.hi - ls.lo
	e.pos = ls.hi
	if e.next.len() > 0 && e.cur.depth+1 > e.depth {
		e.depth = e.cur.depth + 1
	}
}

// place is the workers' part of number, for worker i.
func (ls *levelSync[S, A]) place(i int) {
	e := ls.w.e
	width := 8 * e.words.words
	for {
		k, ok := ls.take(i)
		if !ok {
			return
		}
		sp := &ls.spans[k]
		ar := &ls.arenas[sp.worker]
		j := ls.at + int(sp.at)
		var to []byte // from the place of the j-th winner to its block's end
		for x := uint32(sp.from); x < uint32(sp.to); x++ {
			if !ar.win[x] {
				continue
			}
			if len(to) == 0 {
				to = e.next.tail(j)
			}
			putWords(to[:width], ls.words(ar, x))
			to = to[width:]
			j++
		}
	}
}

// storeDeferred stores the winners insert left to the exploring
// goroutine (insert), once the workers are done.
func (ls *levelSync[S, A]) storeDeferred() {
	t := ls.w.e.store.fpt.Load()
	for i := range ls.arenas {
		for _, h := range ls.arenas[i].deferred {
			t.addLater(h)
		}
	}
}

// addLater stores fingerprint h, unless it is in t, once the workers are
// done (settleLater, storeDeferred), and reports whether it stored it.
// Not t.set, which counts it: number counts the winners.
func (t *fpTable) addLater(h uint64) bool {
	slot, ok := t.find(h)
	if ok {
		return false
	}
	atomic.StoreUint64(&t.slots[slot], fpSlot(h))
	syncDeferred.Add(1)
	return true
}

// A syncRange is the part of the table that the inserts of a bucket's
// fingerprints may write in phase 2 (settle, insert): with a plain store from own to end,
// with a compare-and-swap from the bucket's first home slot to own and
// from end to end+syncEdge, counted on past the table's end.
type syncRange struct {
	own, end uint64
}

// rangeOf returns bucket b's range in t. A bucket's fingerprints have
// their home slots from start(b) to start(b+1), both included, and two
// workers never insert one fingerprint. Every bucket's inserts (and the
// reads ahead of them, fpTable.touch) stop before start(b+1)+syncEdge,
// counted on past the table's end: those of a bucket c before b before
// start(c+1)+syncEdge <= start(b)+syncEdge, and those of the last
// bucket, which run on into the table's start, before syncEdge, which is
// no later. So a slot from start(b)+syncEdge to start(b+1) is accessed
// only by b's inserts, and a plain store does there. In the first
// syncEdge slots of a range, which the inserts of earlier buckets may run
// into (of several, where ranges are shorter than syncEdge: every slot of
// a table of fewer than 128 Ki slots, with two workers), a
// compare-and-swap settles two workers probing into one slot.
func (ls *levelSync[S, A]) rangeOf(t *fpTable, b uint64) syncRange {
	end := ls.start(t, b+1)
	return syncRange{own: ls.start(t, b) + syncEdge, end: end}
}

// What add did with a fingerprint.
type syncAdded int

const (
	syncStored  syncAdded = iota
	syncPresent           // it was in the table
	syncLater             // left to the exploring goroutine
)

// add stores fingerprint h (as fpSlot makes it), of range r, in its
// first empty slot from its home slot on, in settle or insert, unless it
// finds it there first: with a plain store in the bucket's own slots,
// with a compare-and-swap at the edges (rangeOf). It stores nothing and
// returns syncLater if it meets neither before r.end+syncEdge: the
// exploring goroutine decides it once the workers are done. It leaves
// t.n to the caller.
func (t *fpTable) add(h uint64, r syncRange) syncAdded {
	home, _ := bits.Mul64(h, t.size)
	for i, limit := home, min(r.end+syncEdge, home+t.size); i < limit; i++ {
		if i >= r.own && i < r.end { // i < t.size
			switch t.slots[i] {
			case 0:
				t.slots[i] = h
				return syncStored
			case h:
				return syncPresent
			}
			continue
		}
		j := i // i counts on past the table's end, j wraps
		if j >= t.size {
			j -= t.size
		}
		// Another worker may store here, a fingerprint of another
		// bucket: never h.
		switch atomic.LoadUint64(&t.slots[j]) {
		case 0:
			if atomic.CompareAndSwapUint64(&t.slots[j], 0, h) {
				return syncStored
			}
		case h:
			return syncPresent
		}
	}
	return syncLater
}

// syncEdge is how many slots at the start of a bucket's range of the
// table are written with a compare-and-swap in phase 2 (rangeOf), at least
// one: the slot start(b) is also the home slot of some fingerprints of
// bucket b-1, which their worker reads ahead (fpTable.touch). An insert
// whose run of filled slots goes on past them is left to the exploring
// goroutine. A variable, so that tests can make that happen often (1).
var syncEdge uint64 = 1 << 10

// For tests: syncDeferred counts the inserts settle or insert left to
// the exploring goroutine, syncSettled and syncDeduped the rounds that
// went by settle and by dedup.
var syncDeferred, syncSettled, syncDeduped atomic.Int64

// start returns the first home slot in t of the fingerprints of bucket b,
// counted on past the table's end for the buckets past the last.
func (ls *levelSync[S, A]) start(t *fpTable, b uint64) uint64 {
	hi, _ := bits.Mul64(b<<ls.shift, t.size) // b<<shift wraps to 0 for b = buckets
	return hi + b>>(64-ls.shift)*t.size
}

// bytes is the memory the buffers held after the last phase (they are not
// read while the workers write them).
func (ls *levelSync[S, A]) bytes() int64 { return ls.held.Load() }

// measure notes in held the memory the buffers hold, between phases.
func (ls *levelSync[S, A]) measure() {
	b := int64(cap(ls.spans)) * int64(unsafe.Sizeof(syncSpan{}))
	for i := range ls.arenas {
		ar := &ls.arenas[i]
		b += int64(cap(ar.words)+cap(ar.hashes)+cap(ar.seen)+cap(ar.won)+cap(ar.deferred)+cap(ar.recent)+cap(ar.orderFP))*8 +
			int64(cap(ar.pos)+cap(ar.runs)+cap(ar.counts))*4 +
			int64(cap(ar.wonIn))*int64(unsafe.Sizeof(syncWon{})) +
			int64(cap(ar.order)+cap(ar.later))*int64(unsafe.Sizeof(syncPick{})) +
			int64(cap(ar.heads))*int64(unsafe.Sizeof(syncHead{})) +
			int64(cap(ar.win))
		for _, x := range ar.inBucket {
			b += int64(cap(x))*int64(unsafe.Sizeof(syncEntry{})) + 24
		}
	}
	for i := range ls.batches {
		b += ls.batches[i].bytes()
	}
	ls.held.Store(b)
	ls.w.e.notePeak(0)
}
