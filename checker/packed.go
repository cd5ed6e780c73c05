package checker

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync/atomic"
	"unsafe"
)

// The fast path for a System that is a Packer (see system.go).
//
// A packed state is kept where an encoding would be — in the store's arena,
// the frontier and the workers' buffers — as its words written out in
// little-endian order: wordEncoder is the Encoder of those bytes, so that
// the stores, the frontier and trace rebuilding need nothing of their own.
// What changes is the expansion: AppendNext writes the successors' words
// into the explorer's buffer, and each is turned into bytes, hashed and
// probed, with no state built unless an invariant, the graph or a trace
// asks for it.

// wordEncoder encodes a state as the bytes of its packed words.
type wordEncoder[S, A any] struct {
	pk    Packer[S, A]
	sp    StatePacker[S, A] // pk, if it is one
	lp    LabelPacker[S, A] // pk, if it is one
	words int
	// unpackable is set when Pack or AppendNext could not pack a state.
	unpackable *atomic.Bool
}

func newWordEncoder[S, A any](pk Packer[S, A], unpackable *atomic.Bool) *wordEncoder[S, A] {
	n := pk.PackedWords()
	if n < 1 {
		panic("checker: a Packer with fewer than one word a state")
	}
	sp, _ := pk.(StatePacker[S, A])
	lp, _ := pk.(LabelPacker[S, A])
	return &wordEncoder[S, A]{pk: pk, sp: sp, lp: lp, words: n, unpackable: unpackable}
}

// AppendState appends the words of s; if s has no packed form, it marks
// the search void and appends zeros, which nothing will read.
func (we *wordEncoder[S, A]) AppendState(b []byte, s S) []byte {
	w := make([]uint64, we.words) // not on the fast path: traces and initial states
	if !we.pk.Pack(w, s) {
		we.unpackable.Store(true)
		clear(w)
	}
	return appendWords(b, w)
}

// appendNext is the Packer's AppendNext: if a successor has no packed
// form, it marks the search void and appends nothing, as if src had no
// successors.
func (we *wordEncoder[S, A]) appendNext(src []uint64, succ []uint64, acts []A) ([]uint64, []A) {
	ns, na := len(succ), len(acts)
	succ, acts, ok := we.pk.AppendNext(src, succ, acts)
	if !ok {
		we.unpackable.Store(true)
		return succ[:ns], acts[:na]
	}
	return succ, acts
}

// appendNextStates is appendNext that also appends the successors'
// states: the StatePacker's, or unpacked; and if labels is not nil, the
// transitions' labels, which only a LabelPacker gives.
func (we *wordEncoder[S, A]) appendNextStates(src []uint64, succ []uint64, acts []A, states []S, labels []uint64) ([]uint64, []A, []S, []uint64) {
	ns, na, nt, nl := len(succ), len(acts), len(states), len(labels)
	ok := true
	switch {
	case labels != nil:
		succ, acts, states, labels, ok = we.lp.AppendNextLabeled(src, succ, acts, states, labels)
		if n := (len(succ) - ns) / we.words; ok && (len(states)-nt != n || len(labels)-nl != n) {
			panic(fmt.Sprintf("checker: AppendNextLabeled gave %d states and %d labels for %d successors", len(states)-nt, len(labels)-nl, n))
		}
	case we.sp != nil:
		succ, acts, states, ok = we.sp.AppendNextStates(src, succ, acts, states)
		if ok && len(states)-nt != (len(succ)-ns)/we.words {
			panic(fmt.Sprintf("checker: AppendNextStates gave %d states for %d successors", len(states)-nt, (len(succ)-ns)/we.words))
		}
	default:
		succ, acts, ok = we.pk.AppendNext(src, succ, acts)
		for k := ns; ok && k < len(succ); k += we.words {
			states = append(states, we.pk.Unpack(succ[k:k+we.words]))
		}
	}
	if !ok {
		we.unpackable.Store(true)
		return succ[:ns], acts[:na], states[:nt], labels[:nl]
	}
	return succ, acts, states, labels
}

func (we *wordEncoder[S, A]) DecodeState(b []byte) S {
	return we.pk.Unpack(readWords(make([]uint64, we.words), b))
}

// appendWords appends the words of w to b, in little-endian order.
func appendWords(b []byte, w []uint64) []byte {
	if littleEndian { // the words' bytes as they are in memory: one copy
		return append(b, wordBytes(w)...)
	}
	for _, x := range w {
		b = binary.LittleEndian.AppendUint64(b, x)
	}
	return b
}

// putWords writes the words of w into b, in little-endian order.
func putWords(b []byte, w []uint64) {
	_ = b[8*len(w)-1]
	if littleEndian {
		copy(b, wordBytes(w))
		return
	}
	for k, x := range w {
		binary.LittleEndian.PutUint64(b[8*k:], x)
	}
}

// readWords reads len(w) words from b into w and returns w.
func readWords(w []uint64, b []byte) []uint64 {
	_ = b[8*len(w)-1]
	if littleEndian {
		copy(wordBytes(w), b)
		return w
	}
	for i := range w {
		w[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return w
}

// littleEndian reports whether the machine keeps a word's bytes in
// little-endian order, as the packed states' encoding has them.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// wordBytes returns the bytes of the words of w, as they are in memory.
func wordBytes(w []uint64) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), 8*len(w))
}

// packedPath reports whether the search takes the fast path: a BFS of a
// Packer with no constraint, which are evaluated on states and
// transitions the fast path does not build.
func (e *explorer[S, A]) packedPath() bool {
	return e.pk != nil && fastPathOptions(e.opts)
}

// fastPathOptions reports whether a search with options o takes the fast
// path if its system is a Packer. Its transition invariants, if any, are
// evaluated on the states of the transitions (transFails: given by a
// StatePacker, else unpacked), at most maxPrecheck of them, as the bits
// of a mask.
func fastPathOptions[S comparable, A any](o *Options[S, A]) bool {
	return o.Strategy == BFS && o.ActionConstraint == nil && o.StateConstraint == nil &&
		len(o.TransitionInvariants) <= maxPrecheck
}

// transFails returns the mask of the transition invariants that fail on
// the transition by a from *from to *to (not locals: the invariants are
// passed pointers). Those in the mask skip are not evaluated: the sequential
// search skips those violated already, as checkTransition does; a
// worker evaluates them all, as slice.add does, and need not read what
// the exploring goroutine writes. (What is to be counted is counted by
// Counters, not as a side effect of Holds.)
func (e *explorer[S, A]) transFails(from *S, a A, to *S, skip uint64) uint64 {
	var fails uint64
	for k, inv := range e.opts.TransitionInvariants {
		if skip&(1<<k) == 0 && !inv.Holds(from, a, to) {
			fails |= 1 << k
		}
	}
	return fails
}

// transFailedMask is the mask of the transition invariants violated so
// far.
func (e *explorer[S, A]) transFailedMask() uint64 {
	var m uint64
	for k, failed := range e.transFailed {
		if failed {
			m |= 1 << k
		}
	}
	return m
}

// unpackAt unpacks the state at position p of the level being expanded,
// reading its words into *buf (made on first use).
func (e *explorer[S, A]) unpackAt(p int, buf *[]uint64) S {
	if len(*buf) != e.words.words {
		*buf = make([]uint64, e.words.words)
	}
	return e.pk.Unpack(readWords(*buf, e.cur.code(p)))
}

// checkPackedTransition is checkTransition on the fast path, for the
// transition by a from e.cur0 to *to, on which the transition invariants
// of mask fails fail. It reports whether the expansion goes on; a
// violation that ends the search counts the transition, as take does, and
// stores nothing.
func (e *explorer[S, A]) checkPackedTransition(a A, fails uint64, to *S) bool {
	for k, inv := range e.opts.TransitionInvariants {
		if e.transFailed[k] || fails&(1<<k) == 0 {
			continue
		}
		e.transFailed[k] = true
		e.violate(inv.Name, TransitionViolation, e.extend(e.cur0.index, a, *to))
		if e.done {
			e.generated++
			e.enabled = true
			return false
		}
	}
	return true
}

// packBatch is how many states of a level the fast path expands ahead:
// their successors are computed and hashed, and the table slots where
// they would be found are read, all before the first is taken, so that
// the cache misses of the probes overlap instead of coming one after
// another (the processor keeps many independent loads in flight; a probe
// waits on its load before the next can start).
const packBatch = 32

// expandPackedLevel expands the states of the level from e.pos to to-1
// on the fast path, and reports false if the search was interrupted.
func (e *explorer[S, A]) expandPackedLevel(to int) bool {
	for !e.done && e.pos < to {
		k := min(packBatch, to-e.pos)
		e.prepareBatch(e.pos, k)
		for b := 0; b < k && !e.done; b++ {
			if e.due() && e.interrupted() {
				return false
			}
			e.expansions++
			e.pos++
			e.expandPacked(e.pos-1, b)
		}
	}
	return true
}

// A succBatch is the successors of consecutive states of a level, as the
// fast path computes them ahead of taking them: their words, PackedWords
// each; their actions, if wanted (else acts is nil); their states, if
// wanted, for the transition invariants; ends[i], the end (in
// successors) of those of the i-th state; and their hashes. The
// sequential fast path has one, each worker of a level-synchronous round
// its own, and each slice of the workers' pipeline.
type succBatch[S, A any] struct {
	succ    []uint64
	acts    []A
	actsBuf []A // acts' memory, kept while acts is nil
	states  []S
	ends    []int
	hashes  []uint64
	labels  []uint64 // the transitions' labels, if wanted (else nil)
	src     []uint64 // the state being expanded
}

// fill computes into b the successors of the states at positions lo to
// hi-1 of level l, in order, with their actions if wantActs, their
// states if wantStates, their labels if wantLabels (with the states),
// and their hashes.
func (b *succBatch[S, A]) fill(we *wordEncoder[S, A], l *level[S], lo, hi int, wantActs, wantStates, wantLabels bool) {
	n := we.words
	if len(b.src) != n {
		b.src = make([]uint64, n)
	}
	b.succ, b.ends, b.acts, b.states = b.succ[:0], b.ends[:0], nil, b.states[:0]
	if wantLabels {
		b.labels = slices.Grow(b.labels[:0], 64) // empty, and not nil: wanted
	} else {
		b.labels = nil
	}
	if wantActs {
		if b.actsBuf == nil {
			b.actsBuf = make([]A, 0, 256)
		}
		b.acts = b.actsBuf[:0]
	}
	for p := lo; p < hi; p++ {
		if wantStates {
			b.succ, b.acts, b.states, b.labels = we.appendNextStates(readWords(b.src, l.code(p)), b.succ, b.acts, b.states, b.labels)
		} else {
			b.succ, b.acts = we.appendNext(readWords(b.src, l.code(p)), b.succ, b.acts)
		}
		b.ends = append(b.ends, len(b.succ)/n)
	}
	if b.acts != nil {
		b.actsBuf = b.acts
	}
	b.hashes = b.hashes[:0]
	for j := range len(b.succ) / n {
		b.hashes = append(b.hashes, hashWords(b.succ[j*n:(j+1)*n]))
	}
}

// bytes is the memory b's buffers hold.
func (b *succBatch[S, A]) bytes() int64 {
	var (
		a A
		s S
	)
	return int64(cap(b.succ)+cap(b.ends)+cap(b.hashes)+cap(b.src)+cap(b.labels))*8 + int64(cap(b.actsBuf))*int64(unsafe.Sizeof(a)) +
		int64(cap(b.states))*int64(unsafe.Sizeof(s))
}

// from is where the successors of the k-th state begin.
func (b *succBatch[S, A]) from(k int) int {
	if k == 0 {
		return 0
	}
	return b.ends[k-1]
}

// label returns the label of transition j, and whether there is one.
func (b *succBatch[S, A]) label(j int) (uint64, bool) {
	if b.labels == nil {
		return 0, false
	}
	return b.labels[j], true
}

// action returns the action of successor j: its own if the actions were
// computed, else the zero action, which nothing reads.
func (b *succBatch[S, A]) action(j int) A {
	if b.acts == nil {
		var zero A
		return zero
	}
	return b.acts[j]
}

// prepareBatch computes the successors of the states at positions from
// to from+k-1 of the level being expanded into e.batch, with their
// actions if the search has a use for them (actionsWanted), and touches
// their home slots.
func (e *explorer[S, A]) prepareBatch(from, k int) {
	e.batch.fill(e.words, e.cur, from, from+k, e.actionsWanted(), e.stepsChecked(), e.wantLabels)
	e.store.touch(e.batch.hashes)
}

// actionsWanted reports whether the fast path has a use for the actions
// of the transitions it takes: for the graph's edges, for the last step
// of an invariant's counterexample, and for the transition invariants.
// Without any of them, the Packer is spared computing them (see
// Packer.AppendNext).
//
// It is decided once, before the workers start: they read it while the
// exploring goroutine may let the graph go (Options.DropGraphOverLimit),
// and the actions of a graph dropped cost only their computing.
func (e *explorer[S, A]) actionsWanted() bool { return e.wantActs }

// expandPacked is expand on the fast path, for the state at position p of
// the level being expanded, the k-th of the batch prepareBatch computed:
// the same transitions, taken in the same order, with the same effects on
// the store, the figures and the violations.
func (e *explorer[S, A]) expandPacked(p, k int) {
	x := entry[S]{index: e.cur.indexAt(p), depth: e.cur.depth}
	n := e.words.words
	b := &e.batch
	from := b.from(k)
	e.cur0 = x
	// A successor found stored, with no graph to keep its edge, changes
	// nothing but the count of transitions: it is not taken through
	// takePacked. Unless the table is full while MaxMemory is held, when
	// takePacked looks at the memory before any transition.
	quick := e.store.kind == FingerprintStore && e.graph == nil
	var t *fpTable
	if quick {
		t = e.store.fpt.Load()
	}
	noLimit := e.opts.MaxMemory == 0
	checkTrans := e.stepsChecked()
	var violated uint64 // the transition invariants violated so far
	if checkTrans {
		e.cur0.state = e.unpackAt(p, &e.srcWords)
		violated = e.transFailedMask()
	}
	for j := from; j < b.ends[k]; j++ {
		if checkTrans {
			a, to := b.action(j), &b.states[j]
			label, labeled := b.label(j)
			e.countStep(&e.cur0.state, a, to, label, labeled)
			if fails := e.transFails(&e.cur0.state, a, to, violated); fails != 0 {
				if !e.checkPackedTransition(a, fails, to) {
					break
				}
				violated = e.transFailedMask()
			}
		}
		var (
			vacant *fpTable // where the look-up found no h, if it did
			slot   uint64
		)
		if t != nil && (noLimit || !t.full()) {
			var ok bool
			slot, ok = t.find(b.hashes[j])
			if ok {
				e.generated++
				e.enabled = true
				continue
			}
			if noLimit && e.lean {
				if !e.takeNew(t, slot, b.hashes[j], b.succ[j*n:(j+1)*n]) {
					break
				}
				t = e.store.fpt.Load()
				continue
			}
			vacant = t
		}
		w := b.succ[j*n : (j+1)*n]
		var to *S
		if checkTrans {
			to = &b.states[j]
		}
		if !e.takePacked(b.action(j), b.hashes[j], w, to, nil, -1, 0, nil, false, vacant, slot) {
			break
		}
		if quick {
			t = e.store.fpt.Load() // it may have grown
		}
	}
	if e.done {
		e.unexpanded++
		return
	}
	if from == b.ends[k] {
		x.state = e.cur.at(p).state
		e.checkDeadlock(x)
	}
}

// takeNew is takePacked for a successor of a search with no graph and
// no invariant and no MaxMemory, found absent from the table t at slot:
// all there is to do is store it and queue it.
func (e *explorer[S, A]) takeNew(t *fpTable, slot, h uint64, w []uint64) bool {
	e.generated++
	e.enabled = true
	e.growing()
	i, added := e.store.insertVacant(t, slot, h)
	if i < 0 {
		e.halt(StopMaxStates)
		return false
	}
	if added {
		e.parents.add(e.cur0.index)
		e.code = appendWords(e.code[:0], w)
		e.next.push(nil, e.code, i)
		e.depth = max(e.depth, e.cur0.depth+1)
	}
	return true
}

// takePacked is take on the fast path: the transition by a from e.cur0 to
// the state packed in w, whose hash is h and encoding code (nil: not yet
// written), and which is *to if the batch holds the states (nil: it is
// decoded if an invariant asks). known is its number if a worker found it
// stored, else -1;
// invFail, if precomputed, has bit k set if Invariants[k] fails on it,
// and stateBits are its State counters' bits (appendStateBits). If
// vacant is not nil, the caller has just looked h up in that table and
// found it absent, the look-up ending at the empty slot
// (store.insertVacant). It reports whether the expansion goes on.
func (e *explorer[S, A]) takePacked(a A, h uint64, w []uint64, to *S, code []byte, known int32, invFail uint64, stateBits []uint64, precomputed bool, vacant *fpTable, slot uint64) bool {
	e.generated++
	e.enabled = true
	if !e.roomToStore() {
		return false
	}
	x := &e.cur0
	i, added := known, false
	if i < 0 {
		if code == nil && e.store.kind == ExactStore {
			e.code = appendWords(e.code[:0], w)
			code = e.code
		}
		e.growing()
		if vacant != nil {
			i, added = e.store.insertVacant(vacant, slot, h)
		} else {
			i, added = e.store.insert(h, code, nil)
		}
		if i < 0 {
			e.halt(StopMaxStates)
			return false
		}
	}
	var s *S // the new state, for the invariants
	if added {
		if code == nil {
			e.code = appendWords(e.code[:0], w)
			code = e.code
		}
		e.parents.add(x.index)
		e.next.push(nil, code, i)
		if x.depth+1 > e.depth {
			e.depth = x.depth + 1
		}
		if (len(e.opts.Invariants) > 0 || len(e.stateCounters) > 0) && !precomputed {
			if s = to; s == nil {
				e.decoded, s = e.enc.DecodeState(code), &e.decoded
			}
		}
		if e.graph != nil {
			e.graph.addState(code, nil)
		}
	}
	if e.graph != nil {
		e.graph.addEdge(x.index, i, a)
	}
	if added && len(e.stateCounters) > 0 {
		if precomputed {
			e.addStateBits(stateBits)
		} else {
			e.countState(s)
		}
	}
	if added && len(e.opts.Invariants) > 0 {
		if precomputed {
			if invFail != 0 {
				e.checkStateFails(x.index, a, e.enc.DecodeState(code), invFail)
			}
		} else if s != nil {
			e.checkState(x.index, a, s)
		}
	}
	return !e.done
}
