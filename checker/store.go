package checker

import (
	"bytes"
	"math"
	"sync/atomic"
	"unsafe"
)

// A store remembers the states a search has visited and numbers them 0, 1,
// 2, … in the order they were first stored. The numbers index the parent
// links from which traces are rebuilt, and the states of Result.Graph.
//
// A FingerprintStore is one table (see fptable.go) of 64-bit fingerprints
// and the numbers of their states. An ExactStore keeps each state densely,
// by number, in one of two forms:
//
//   - for a System that is an Encoder: its encoding, packed in an arena;
//   - otherwise: the state itself;
//
// and a table (see table.go) maps the hash of a state to its number. The
// hash is the fingerprint: the hash of the encoding when the system has an
// encoder, the layout hash of fingerprint.go otherwise.
type store[S comparable] struct {
	kind StoreKind
	max  int
	tab  table // ExactStore
	// fpt is the table of a FingerprintStore, published atomically so
	// that workers may probe it while the explorer inserts and grows it
	// (see parallel.go): a worker probing a table just replaced may miss
	// a state, never find one that is not stored.
	fpt atomic.Pointer[fpTable]
	enc Encoder[S] // nil when the system has none
	fp  *fingerprinter[S]

	codes  arena      // ExactStore with an encoder
	states chunked[S] // ExactStore without one

	scratch []byte // an encoding, for put and lookup

	// anonymous: find need not tell the number of a state it finds in a
	// FingerprintStore (it says 0), which spares it reading the number,
	// and the table keeps none: fps keeps the fingerprints by number
	// instead, for holds. The explorer sets it, before the first insert,
	// when it numbers nothing but new states.
	anonymous bool
	// untraced: no trace will be rebuilt (the search checks nothing a
	// trace could be asked for), so an anonymous store does not keep fps
	// either. The explorer sets it with anonymous.
	untraced bool
	touched  uint64 // see touch
	fps      chunked[uint64]
	// freed is the memory of the tables the store let go as it grew.
	freed int64
}

// newStore returns an empty store of the given kind that holds at most max
// states (max <= 0: as many as state numbers allow, math.MaxInt32). enc,
// if not nil, encodes the states.
func newStore[S comparable](kind StoreKind, max int, enc Encoder[S]) *store[S] {
	if max <= 0 || max > math.MaxInt32 {
		max = math.MaxInt32
	}
	st := &store[S]{kind: kind, max: max, enc: enc} // the table is made by the first insert
	if enc == nil {
		st.fp = newFingerprinter[S]()
	}
	return st
}

// appendKey appends to buf the encoding of s, if the system has an
// encoder, and returns the extended buffer and the hash of s.
func (st *store[S]) appendKey(buf []byte, s *S) ([]byte, uint64) {
	if st.enc == nil {
		return buf, st.fp.sum(s)
	}
	n := len(buf)
	buf = st.enc.AppendState(buf, *s)
	return buf, hashBytes(buf[n:])
}

// find returns the number of the state with hash h, encoding code (nil
// without an encoder) and value *s, if it is stored; otherwise the slot
// where it would go. It only reads the store.
func (st *store[S]) find(h uint64, code []byte, s *S) (num int32, slot uint64, ok bool) {
	return st.findNumbered(h, code, s, !st.anonymous)
}

// findNumbered is find, telling the number of a state found in a
// FingerprintStore only if numbered.
func (st *store[S]) findNumbered(h uint64, code []byte, s *S, numbered bool) (num int32, slot uint64, ok bool) {
	if st.kind == FingerprintStore {
		t := st.fpt.Load()
		if t == nil {
			return -1, 0, false
		}
		i, ok := t.find(h)
		switch {
		case !ok:
			return -1, i, false
		case !numbered:
			return 0, i, true
		}
		return int32(atomic.LoadUint32(&t.nums[i])), i, true
	}
	t := &st.tab
	if t.size == 0 {
		return -1, 0, false
	}
	tag := tagOf(h)
	i := t.home(h)
	for {
		e := t.slot(i)
		if e == 0 {
			return -1, i, false
		}
		if e&^math.MaxUint32 == tag {
			n := int(uint32(e) - 1)
			if st.equal(n, h, code, s) {
				return int32(n), i, true
			}
		}
		if i++; i == t.size {
			i = 0
		}
	}
}

// equal reports whether state number n is the state with hash h,
// encoding code and value *s.
func (st *store[S]) equal(n int, h uint64, code []byte, s *S) bool {
	if st.enc != nil {
		return bytes.Equal(st.codes.at(n), code)
	}
	return *st.states.at(n) == *s
}

// touch reads the slots where the states of hashes hs would be found
// first, so that their cache lines are on their way before the probes
// (see packBatch). It changes nothing but touched, where it keeps what
// it read so that the reads are not left out.
func (st *store[S]) touch(hs []uint64) { st.touched += st.readAhead(hs) }

// readAhead is touch for a caller that keeps what was read itself (a
// worker, which must not write st): it returns it, added up.
func (st *store[S]) readAhead(hs []uint64) uint64 {
	var sum uint64
	if t := st.fpt.Load(); t != nil {
		sum = t.touch(hs)
	} else if t := &st.tab; t.size > 0 {
		for _, h := range hs {
			sum += uint64(t.slots[t.home(h)*slotSize])
		}
	}
	return sum
}

// growFP makes the fingerprint table, or replaces it with one grown by
// half holding the same fingerprints, and returns it.
func (st *store[S]) growFP() *fpTable { return st.growFPBy(1, nil) }

// growFPBy is growFP, the entries copied by n goroutines (fpTable.grownBy).
func (st *store[S]) growFPBy(n int, run func(func(i int))) *fpTable {
	var g fpTable
	if t := st.fpt.Load(); t == nil {
		g = newFPTable(0, !st.anonymous)
	} else {
		g = t.grownBy(n, run)
		st.freed += t.bytes()
	}
	st.fpt.Store(&g)
	return &g
}

// insert is put with the key already computed: it returns the number of
// the state and false if it is stored; otherwise it stores it and returns
// its new number and true, or, if the store is full, -1 and false.
func (st *store[S]) insert(h uint64, code []byte, s *S) (int32, bool) {
	num, slot, ok := st.find(h, code, s)
	if ok {
		return num, false
	}
	n := st.len()
	if n >= st.max {
		return -1, false
	}
	if st.kind == FingerprintStore {
		t := st.fpt.Load()
		if t == nil || t.full() {
			t = st.growFP()
			slot, _ = t.find(h)
		}
		t.set(slot, h, uint32(n))
		st.numbered(h)
		return int32(n), true
	}
	switch {
	case st.enc != nil:
		st.codes.append(code)
	default:
		st.states.append(*s)
	}
	if st.tab.full() {
		st.grow()
		st.tab.insertNew(h, uint32(n))
	} else {
		st.tab.set(slot, h, uint32(n))
	}
	return int32(n), true
}

// insertVacant is insert for a FingerprintStore's fingerprint h that
// t.find just reported absent, its probe ending at the empty slot: if t
// is still the table and has room, h goes there with no second look-up.
func (st *store[S]) insertVacant(t *fpTable, slot, h uint64) (int32, bool) {
	if st.fpt.Load() != t || t.full() {
		return st.insert(h, nil, nil)
	}
	n := st.len()
	if n >= st.max {
		return -1, false
	}
	t.set(slot, h, uint32(n))
	st.numbered(h)
	return int32(n), true
}

// numbered records, in an anonymous FingerprintStore, that the state
// just numbered has fingerprint h, for holds — unless no trace will ask.
func (st *store[S]) numbered(h uint64) {
	if st.anonymous && !st.untraced {
		st.fps.append(h)
	}
}

// presize makes the table, empty, large enough for n states at the
// given load (growLoad, or fullLoad where memory is short), so that it
// does not grow before it holds them.
func (st *store[S]) presize(n int, load uint64) {
	size := st.presizeSlots(n, load)
	if size == 0 {
		return
	}
	if st.kind == FingerprintStore {
		t := newFPTable(size, !st.anonymous)
		t.load = load
		st.fpt.Store(&t)
		return
	}
	st.tab = newTable(size)
	st.tab.load = load
}

// presizeSlots is the size of the table presize(n, load) makes, 0 if
// none: room for n states and one more, so that once it holds n states
// it is not full — the search asks, before each transition, whether
// storing one more state would grow the table past MaxMemory.
func (st *store[S]) presizeSlots(n int, load uint64) uint64 {
	n = min(n, st.max)
	if n <= 0 {
		return 0
	}
	return max((uint64(n+1)*100+load-1)/load, minTableSize)
}

// presizeBytes is what presize(n, load) allocates.
func (st *store[S]) presizeBytes(n int, load uint64) int64 {
	size := int64(st.presizeSlots(n, load))
	if st.kind == ExactStore {
		return size * slotSize
	}
	return size * fpSlotBytes(!st.anonymous)
}

// grow replaces the table by a larger one, rehashing from the dense
// arrays.
func (st *store[S]) grow() {
	old := st.tab
	st.tab = newTable(old.grownSize())
	st.freed += old.bytes()
	for n := range old.n {
		st.tab.insertNew(st.hashOf(n), uint32(n))
	}
}

// stretch lets a table that is full at growLoad fill on to fullLoad
// instead of growing, and reports whether that gives it room: what the
// search does when growing the table would pass MaxMemory.
func (st *store[S]) stretch() bool {
	if st.kind == FingerprintStore {
		t := st.fpt.Load()
		return t != nil && t.stretch()
	}
	return st.tab.stretch()
}

// growthBytes is how much memory the next growth of the table will
// allocate, and 0 if the next insertion does not grow it.
func (st *store[S]) growthBytes() int64 {
	if st.kind == FingerprintStore {
		t := st.fpt.Load()
		if t == nil || !t.full() {
			return 0
		}
		return t.grownBytes()
	}
	if !st.tab.full() {
		return 0
	}
	return int64(st.tab.grownSize() * slotSize)
}

// tableSize is the number of slots of the store's table.
func (st *store[S]) tableSize() uint64 {
	if st.kind == FingerprintStore {
		if t := st.fpt.Load(); t != nil {
			return t.size
		}
		return 0
	}
	return st.tab.size
}

// hashOf returns the hash of state number n.
func (st *store[S]) hashOf(n int) uint64 {
	switch {
	case st.enc != nil:
		return hashBytes(st.codes.at(n))
	}
	return st.fp.sum(st.states.at(n))
}

// put stores s: it returns the number of s and false if s is already
// stored. Otherwise it stores s and returns its new number and true, or,
// if the store is full, -1 and false.
func (st *store[S]) put(s S) (int32, bool) {
	var h uint64
	st.scratch, h = st.appendKey(st.scratch[:0], &s)
	return st.insert(h, st.scratch, &s)
}

// holds reports whether s is stored as state number n.
func (st *store[S]) holds(s S, n int32) bool {
	if st.kind == FingerprintStore && st.anonymous {
		var h uint64
		st.scratch, h = st.appendKey(st.scratch[:0], &s)
		return int(n) < st.fps.len() && fpSlot(*st.fps.at(int(n))) == fpSlot(h)
	}
	j, ok := st.lookup(s)
	return ok && j == n
}

// lookup returns the number of s if s is stored. An anonymous
// FingerprintStore knows no numbers: use holds.
func (st *store[S]) lookup(s S) (int32, bool) {
	var h uint64
	st.scratch, h = st.appendKey(st.scratch[:0], &s)
	num, _, ok := st.findNumbered(h, st.scratch, &s, true)
	return num, ok
}

// len returns the number of states stored.
func (st *store[S]) len() int {
	if t := st.fpt.Load(); t != nil {
		return t.n
	}
	return st.tab.n
}

// bytes is the memory the store holds: its table and dense arrays.
func (st *store[S]) bytes() int64 {
	var s S
	var fp int64
	if t := st.fpt.Load(); t != nil {
		fp = t.bytes()
	}
	return st.tab.bytes() + fp + st.fps.bytes(8) +
		st.codes.bytes() +
		int64(len(st.states.chunks))<<chunkBits*int64(unsafe.Sizeof(s))
}

// collisionProbability is the probability that a fingerprint collision
// hid a state, from TLC's optimistic estimate: each of the
// generated-distinct lookups that found a stored fingerprint may have met
// one of the distinct stored fingerprints by chance, each with
// probability 2^-64, so that λ = n(g-n)/2^64 collisions are expected —
// TLC's figure, which a large search takes past 1 — and at least one
// happens with probability 1-e^-λ (λ itself while it is small).
func collisionProbability(distinct, generated int) float64 {
	n, g := float64(distinct), float64(generated)
	if g < n {
		g = n
	}
	return -math.Expm1(-n * (g - n) / 0x1p64)
}
