package checker

import (
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Parallel breadth-first search.
//
// A level is expanded in rounds of a few thousand states. In a round, the
// workers — the exploring goroutine and Workers-1 helpers — take slices of
// the round's states in turn and compute every transition of each: the
// successor, the constraints, the invariants, the fingerprint and
// encoding, and whether the store already holds it. The store is only
// read meanwhile. Then the exploring goroutine takes the transitions in
// the order of the sequential search — states in the order of the level,
// transitions in the order of Next — through the same code (take), which
// stores the new states, numbers them, links them to their parents and
// reports violations. So the first state to reach another is the one the
// sequential search would have found first, the numbering, parent links,
// traces, graph and figures are those of the sequential search, and a
// violation or a limit stops the search at the same transition. What is
// left to the exploring goroutine alone is storing: one probe of the table
// for a state the workers did not find.
//
// On the fast path (packed.go) with an ExactStore the rounds overlap:
// while the exploring goroutine commits one, the helpers compute the
// next one's successors, and the look-ups follow the commit
// (expandRounds). With a FingerprintStore, whose table may be read while
// it is written, the workers compute ahead with no barrier
// (expandPipelined).

// The size of the work: variables so that tests can make them small.
var (
	sliceStates = 64 // states a worker takes at a time
	roundSlices = 32 // slices per worker in a round
)

// pipelineWindow is how many slices per worker a pipelined level may
// have computed and not yet committed: enough that a worker the system
// deschedules for a while does not stop the others.
var pipelineWindow = 32

const maxPrecheck = 64 // invariants a worker can evaluate ahead (bits of a mask)

type workers[S comparable, A any] struct {
	e       *explorer[S, A]
	n       int
	jobs    chan func() // to the helpers, started by post
	helping bool        // whether post has started them
	slices  []*slice[S, A]
	spare   *slice[S, A] // for a slice the exploring goroutine computes again
	sync    *levelSync[S, A]
	crew    *crew // runs sync's phases, made at the first
}

// A round is work shared among the workers, a slice at a time, and
// waited for (for an ExactStore: the work between two commits, or, on
// the fast path, a part of it: spread).
type round struct {
	slices int
	next   atomic.Int64
	wg     sync.WaitGroup
}

// A slice is a run of states of the level, with their transitions once
// computed.
type slice[S comparable, A any] struct {
	lo, hi  int
	touched uint64 // what lookUp read ahead (store.readAhead)
	trans   []transition[S, A]
	ends    []int   // ends[j] is the end of trans[j]'s encoding in codes
	counts  []int32 // transitions of each state
	codes   []byte

	// On the fast path (packed.go), the transitions are kept apart: their
	// words, actions and hashes in batch, their numbers if known, and
	// failed invariants.
	batch   succBatch[S, A]
	known   []int32
	invFail []uint64

	// The state compute is expanding, and add as a func value made once:
	// a range loop over Next would put its body and what it captures on
	// the heap for every state.
	e     *explorer[S, A]
	from  entry[S]
	yield func(A, S) bool
	// decoded is a state lookUp decodes for the invariants (see
	// explorer.decoded), source the state whose successors it checks
	// against the transition invariants; transFail[j] has bit k set if
	// TransitionInvariants[k] fails on transition j.
	decoded   S
	source    S
	srcWords  []uint64
	transFail []uint64
	// stepBits and stateBits are the bits of the counters (counters.go):
	// of the Step counters, per transition; of the State counters, per
	// successor (zero for one found stored).
	stepBits, stateBits []uint64

	// Pipelined (see expandPipelined): ready is the number of the slice
	// of the level last computed into this one, busy is set while one is
	// being computed; held is the memory its buffers hold, for
	// Stats.SearchBytes, written by whoever computed it (on the fast path
	// by both computeSuccessors and lookUp).
	ready atomic.Int64
	busy  atomic.Bool
	held  atomic.Int64
}

func startWorkers[S comparable, A any](e *explorer[S, A], n int) *workers[S, A] {
	return &workers[S, A]{e: e, n: n, jobs: make(chan func(), n)}
}

// post hands job to a helper, starting the n-1 helpers at the first
// job: a search whose levels all go by the crew (levelsync.go) starts
// none. Only the exploring goroutine posts.
func (w *workers[S, A]) post(job func()) {
	if !w.helping {
		w.helping = true
		helpersStarted.Add(int64(w.n - 1))
		for range w.n - 1 {
			go w.help()
		}
	}
	w.jobs <- job
}

// helpersStarted counts the helpers post started, for tests.
var helpersStarted atomic.Int64

func (w *workers[S, A]) stop() {
	close(w.jobs)
	if w.crew != nil {
		w.crew.stop()
	}
}

func (w *workers[S, A]) help() {
	for job := range w.jobs {
		job()
	}
}

// expandLevel expands e.cur, round after round, unless the search stops.
func (w *workers[S, A]) expandLevel() {
	e := w.e
	if e.levelSyncOK() {
		if w.sync == nil {
			w.sync = newLevelSync(w)
		}
		w.sync.expand()
		return
	}
	if e.opts.Store == FingerprintStore {
		w.expandPipelined()
		return
	}
	if e.packedPath() {
		w.expandRounds()
		return
	}
	set := w.slicesFor(roundSlices * w.n)
	for !e.done && e.pos < e.cur.len() {
		n := w.place(set, e.pos)
		w.spread(set[:n], w.n, w.compute).wg.Wait()
		for _, sl := range set[:n] {
			if !w.commit(sl) {
				return
			}
		}
	}
}

// slicesFor returns the first n of the workers' slices, made if need be.
func (w *workers[S, A]) slicesFor(n int) []*slice[S, A] {
	for len(w.slices) < n {
		w.slices = append(w.slices, &slice[S, A]{})
	}
	return w.slices[:n]
}

// compute computes the transitions of the states of sl. It only reads the
// explorer.
func (w *workers[S, A]) compute(sl *slice[S, A]) {
	e := w.e
	if e.packedPath() {
		w.computePacked(sl)
		return
	}
	sl.trans, sl.ends, sl.counts, sl.codes = sl.trans[:0], sl.ends[:0], sl.counts[:0], sl.codes[:0]
	sl.stepBits, sl.stateBits = sl.stepBits[:0], sl.stateBits[:0]
	if sl.yield == nil {
		sl.e, sl.yield = e, sl.add
	}
	for p := sl.lo; p < sl.hi; p++ {
		sl.from = e.cur.at(p)
		n := len(sl.trans)
		e.sys.Next(sl.from.state)(sl.yield)
		sl.counts = append(sl.counts, int32(len(sl.trans)-n))
	}
	sl.held.Store(sl.bytes())
}

// add computes the transition (a, s) from sl.from and appends it to sl.
// It only reads the explorer.
func (sl *slice[S, A]) add(a A, s S) bool {
	e, opts, x := sl.e, sl.e.opts, &sl.from
	// t is appended first and filled in place: the invariants are passed
	// pointers to its state, which would put a local on the heap.
	sl.trans = append(sl.trans, transition[S, A]{action: a, state: s, known: -1, precomputed: true})
	t := &sl.trans[len(sl.trans)-1]
	c := opts.ActionConstraint
	t.allowed = c == nil || c(x.state, a, s)
	ns, nst := len(sl.stepBits), len(sl.stateBits)
	if t.allowed {
		for k, inv := range opts.TransitionInvariants {
			if !inv.Holds(&x.state, a, &t.state) {
				t.transFail |= 1 << k
			}
		}
		sl.stepBits = e.appendStepBits(sl.stepBits, &x.state, a, &t.state, 0, false)
		c := opts.StateConstraint
		t.inBounds = c == nil || c(s)
	}
	if t.inBounds {
		start := len(sl.codes)
		sl.codes, t.hash = e.store.appendKey(sl.codes, &t.state)
		if num, _, ok := e.store.find(t.hash, sl.codes[start:], &t.state); ok {
			t.known = num
		} else {
			for k, inv := range opts.Invariants {
				if !inv.Holds(&t.state) {
					t.invFail |= 1 << k
				}
			}
			sl.stateBits = e.appendStateBits(sl.stateBits, &t.state)
		}
	}
	// Every transition has a word per counter (0: nothing to count).
	for len(sl.stepBits) < ns+len(e.stepCounters) {
		sl.stepBits = append(sl.stepBits, 0)
	}
	for len(sl.stateBits) < nst+len(e.stateCounters) {
		sl.stateBits = append(sl.stateBits, 0)
	}
	sl.ends = append(sl.ends, len(sl.codes))
	return true
}

// expandRounds expands e.cur in rounds, as expandLevel does for an
// ExactStore, whose table no one may read while the exploring goroutine
// writes it; on the fast path the rounds overlap. While the exploring
// goroutine commits a round, the helpers compute the next one's
// successors (computeSuccessors, which reads nothing a commit writes);
// once the commit is done, every worker joins in, and then all look the
// next round's successors up (lookUp). Half the slices are the round
// being committed, half the next.
func (w *workers[S, A]) expandRounds() {
	e := w.e
	per := roundSlices * w.n
	all := w.slicesFor(2 * per)
	cur, next := all[:per], all[per:]
	n := w.place(cur, e.pos)
	w.spread(cur[:n], w.n, w.computePacked).wg.Wait()
	for n > 0 {
		lo := cur[n-1].hi
		m := w.place(next, lo)
		var r *round // there are helpers: Workers > 1
		if m > 0 {
			r = w.spread(next[:m], w.n-1, w.computeSuccessors)
		}
		goOn := true
		for _, sl := range cur[:n] {
			if goOn = w.commit(sl); !goOn {
				break
			}
		}
		if r != nil {
			if goOn {
				w.take(r, next[:m], w.computeSuccessors) // the exploring goroutine joins in
			} else {
				r.next.Store(int64(r.slices)) // the search stopped: no more
			}
			r.wg.Wait()
		}
		if !goOn || m == 0 {
			return
		}
		w.spread(next[:m], w.n, w.lookUp).wg.Wait()
		cur, next, n = next, cur, m
	}
}

// place sets the slices of set to the states of the level from lo on, a
// slice each, and returns how many it set.
func (w *workers[S, A]) place(set []*slice[S, A], lo int) int {
	e := w.e
	n := 0
	for ; n < len(set) && lo < e.cur.len(); n++ {
		set[n].lo, set[n].hi = lo, min(lo+sliceStates, e.cur.len())
		lo = set[n].hi
	}
	return n
}

// spread has f run on the slices of set by k workers — k-1 helpers and,
// if k is the number of workers, the exploring goroutine, which returns
// when its share is done — and returns the round, whose wg is done when
// the helpers are.
func (w *workers[S, A]) spread(set []*slice[S, A], k int, f func(*slice[S, A])) *round {
	r := &round{slices: len(set)}
	helpers := min(k, w.n-1)
	r.wg.Add(helpers)
	for range helpers {
		w.post(func() {
			w.take(r, set, f)
			r.wg.Done()
		})
	}
	if k == w.n {
		w.take(r, set, f)
	}
	return r
}

// take runs f on the slices of set not yet taken in round r, taking them
// one at a time.
func (w *workers[S, A]) take(r *round, set []*slice[S, A], f func(*slice[S, A])) {
	for {
		k := int(r.next.Add(1)) - 1
		if k >= r.slices {
			return
		}
		f(set[k])
	}
}

// commit takes the transitions of sl in order, as the sequential search
// would, and reports whether the search goes on.
func (w *workers[S, A]) commit(sl *slice[S, A]) bool {
	e := w.e
	packed := e.packedPath()
	checkTrans := packed && len(e.opts.TransitionInvariants) > 0
	ns, nst := len(e.stepCounters), len(e.stateCounters)
	j := 0
	for p := sl.lo; p < sl.hi; p++ {
		if e.due() && e.interrupted() {
			return false
		}
		e.expansions++
		e.pos = p + 1
		e.cur0, e.enabled = entry[S]{index: e.cur.indexAt(p), depth: e.cur.depth}, false
		end := j + int(sl.counts[p-sl.lo])
		for ; j < end; j++ {
			start := 0
			if j > 0 {
				start = sl.ends[j-1]
			}
			code := sl.codes[start:sl.ends[j]]
			var goOn bool
			if packed {
				a := sl.batch.action(j)
				if ns > 0 {
					e.addStepBits(sl.stepBits[j*ns : (j+1)*ns])
				}
				goOn = !checkTrans || e.checkPackedTransition(a, sl.transFail[j], &sl.batch.states[j])
				if goOn {
					goOn = e.takePacked(a, sl.batch.hashes[j], nil, nil, code, sl.known[j], sl.invFail[j], sl.stateBits[j*nst:(j+1)*nst], true, nil, 0)
				}
			} else {
				t := &sl.trans[j]
				t.stepBits, t.stateBits = sl.stepBits[j*ns:(j+1)*ns], sl.stateBits[j*nst:(j+1)*nst]
				goOn = e.take(t, code)
			}
			if !goOn {
				break
			}
		}
		j = end
		if e.done {
			e.unexpanded++
			return false
		}
		if !e.enabled {
			if e.checkDeadlock(e.cur.at(p)); e.done {
				return false
			}
		}
	}
	return true
}

// computePacked is compute on the fast path: the successors, then their
// look-ups in the store.
func (w *workers[S, A]) computePacked(sl *slice[S, A]) {
	w.computeSuccessors(sl)
	w.lookUp(sl)
}

// computeSuccessors is the first part of computePacked: the successors
// of sl's states, their encodings and what is checked and counted on
// each transition. It reads nothing the exploring goroutine writes as it
// commits (the store, the graph, the next level), so that it may run
// while a commit does (expandRounds).
func (w *workers[S, A]) computeSuccessors(sl *slice[S, A]) {
	e := w.e
	n := e.words.words
	b := &sl.batch
	b.fill(e.words, e.cur, sl.lo, sl.hi, e.actionsWanted(), e.stepsChecked(), e.wantLabels)
	sl.known, sl.invFail = sl.known[:0], sl.invFail[:0]
	sl.stepBits, sl.stateBits = sl.stepBits[:0], sl.stateBits[:0]
	sl.ends, sl.counts, sl.codes = sl.ends[:0], sl.counts[:0], sl.codes[:0]
	for k := range sl.hi - sl.lo {
		sl.counts = append(sl.counts, int32(b.ends[k]-b.from(k)))
	}
	sl.transFail = sl.transFail[:0]
	if e.stepsChecked() {
		for k := range sl.hi - sl.lo {
			sl.source = e.unpackAt(sl.lo+k, &sl.srcWords)
			for j := b.from(k); j < b.ends[k]; j++ {
				sl.transFail = append(sl.transFail, e.transFails(&sl.source, b.action(j), &b.states[j], 0))
				label, labeled := b.label(j)
				sl.stepBits = e.appendStepBits(sl.stepBits, &sl.source, b.action(j), &b.states[j], label, labeled)
			}
		}
	}
	for j := range b.hashes {
		sl.codes = appendWords(sl.codes, b.succ[j*n:(j+1)*n])
		sl.ends = append(sl.ends, len(sl.codes))
	}
	sl.held.Store(sl.bytes())
}

// lookUp is the second part of computePacked: it looks each successor up
// in the store, and evaluates the invariants and State counters on those
// not found.
func (w *workers[S, A]) lookUp(sl *slice[S, A]) {
	e := w.e
	n := e.words.words
	b := &sl.batch
	invariants := e.opts.Invariants
	start := 0
	// The slots first, so that their cache misses overlap (packBatch).
	sl.touched += e.store.readAhead(b.hashes)
	for j, h := range b.hashes {
		code := sl.codes[start:sl.ends[j]]
		start = sl.ends[j]
		num, _, ok := e.store.find(h, code, nil)
		var fails uint64
		if !ok {
			num = -1
			if len(invariants) > 0 || len(e.stateCounters) > 0 {
				s := &sl.decoded
				if len(b.states) > 0 {
					s = &b.states[j] // given or unpacked for the transition invariants
				} else {
					*s = e.pk.Unpack(b.succ[j*n : (j+1)*n])
				}
				for k, inv := range invariants {
					if !inv.Holds(s) {
						fails |= 1 << k
					}
				}
				sl.stateBits = e.appendStateBits(sl.stateBits, s)
			}
		} else {
			for range e.stateCounters {
				sl.stateBits = append(sl.stateBits, 0) // a known state is not counted
			}
		}
		sl.known = append(sl.known, num)
		sl.invFail = append(sl.invFail, fails)
	}
	sl.held.Store(sl.bytes())
}

// bytes is the memory the workers' buffers hold, as their last
// computation left them.
func (w *workers[S, A]) bytes() int64 {
	var b int64
	for _, sl := range w.slices {
		b += sl.held.Load()
	}
	if w.spare != nil {
		b += w.spare.held.Load()
	}
	if w.sync != nil {
		b += w.sync.bytes()
	}
	return b
}

// bytes is the memory the slice's buffers hold.
func (sl *slice[S, A]) bytes() int64 {
	var t transition[S, A]
	return int64(cap(sl.trans))*int64(unsafe.Sizeof(t)) + int64(cap(sl.ends))*8 + int64(cap(sl.counts))*4 +
		int64(cap(sl.codes)) + sl.batch.bytes() + int64(cap(sl.known))*4 + int64(cap(sl.invFail)+cap(sl.transFail)+cap(sl.stepBits)+cap(sl.stateBits))*8
}

// Pipelined expansion, for a FingerprintStore, whose table workers may
// probe while the explorer writes it.
//
// The slices of the level are numbered; any worker, the exploring
// goroutine included, claims the next one and computes it into the slot
// of its number (modulo the window), at most window slices ahead of the
// last committed, while the exploring goroutine commits them in order as
// they are ready — computing one itself whenever the next to commit is
// not. No one waits for a round to end, and what the exploring goroutine
// alone must do — storing the new states, in order — overlaps with the
// workers' computing. A worker may find a state stored that a slice
// committed after it looked; it then counts it as new, and the commit,
// which probes again, finds it: the result is the sequential search's.
//
// On a machine with more threads to run than cores, the system may stop a
// worker for milliseconds in the middle of a slice. Rather than wait, the
// exploring goroutine then computes that slice again itself (computing is
// a pure function of the level and the store, so either copy gives the
// same result) and goes on; the worker's copy is let go. So two workers
// are never much slower than one, whatever else the machine runs.
type pipeline struct {
	slices    int // of the level
	window    int // slices claimed and not yet committed, at most
	claimed   atomic.Int64
	committed atomic.Int64
	stopped   atomic.Bool
	wg        sync.WaitGroup
	mu        sync.Mutex    // for cond
	cond      sync.Cond     // signalled when a slice is committed or the level ends
	computed  chan struct{} // sent to, without blocking, when a worker has computed a slice
}

// stealAfter is how long the exploring goroutine waits for a slice a
// worker is computing before it computes the slice itself: some ten
// times what a slice takes. A variable, so that tests can steal always.
var stealAfter = time.Millisecond

// helperDelay, when not nil, is called by a helper before it computes a
// slice it claimed: tests make helpers slow with it, as a busy machine
// does, so that the exploring goroutine steals their slices.
var helperDelay func()

// slot returns the slice that slice k of the level is computed into.
func (w *workers[S, A]) slot(pl *pipeline, k int) *slice[S, A] { return w.slices[k%pl.window] }

// claim returns the number of the next slice to compute, or -1 if there
// is none to compute for now (the window is full, or the slot of the next
// is still being written), and false when every slice is claimed or the
// search stopped. The slot of a slice claimed is busy until computed.
func (w *workers[S, A]) claim(pl *pipeline) (int, bool) {
	for {
		if pl.stopped.Load() {
			return 0, false
		}
		k := pl.claimed.Load()
		switch {
		case k >= int64(pl.slices):
			return 0, false
		case k-pl.committed.Load() >= int64(pl.window) || w.slot(pl, int(k)).busy.Load():
			return -1, true
		case pl.claimed.CompareAndSwap(k, k+1):
			w.slot(pl, int(k)).busy.Store(true)
			return int(k), true
		}
	}
}

// computeInto computes slice k of the level into sl.
func (w *workers[S, A]) computeInto(sl *slice[S, A], k int) {
	sl.lo = k * sliceStates
	sl.hi = min(sl.lo+sliceStates, w.e.cur.len())
	w.compute(sl)
}

// computeClaimed computes slice k, claimed, into its slot.
func (w *workers[S, A]) computeClaimed(pl *pipeline, k int) {
	sl := w.slot(pl, k)
	w.computeInto(sl, k)
	sl.ready.Store(int64(k))
	sl.busy.Store(false)
}

// expandPipelined expands e.cur, unless the search stops.
func (w *workers[S, A]) expandPipelined() {
	e := w.e
	pl := &pipeline{slices: (e.cur.len() + sliceStates - 1) / sliceStates, window: pipelineWindow * w.n}
	pl.cond.L = &pl.mu
	pl.computed = make(chan struct{}, 1)
	w.slicesFor(pl.window)
	if w.spare == nil {
		w.spare = &slice[S, A]{}
	}
	for _, sl := range w.slices {
		sl.ready.Store(-1)
	}
	pl.wg.Add(w.n - 1)
	for range w.n - 1 {
		w.post(func() {
			defer pl.wg.Done()
			for {
				k, ok := w.claim(pl)
				if !ok {
					return
				}
				if k >= 0 {
					if helperDelay != nil {
						helperDelay()
					}
					w.computeClaimed(pl, k)
					select { // wake the exploring goroutine if it waits
					case pl.computed <- struct{}{}:
					default:
					}
					continue
				}
				// Sleep until a commit makes room (or the level ends).
				seen := pl.committed.Load()
				pl.mu.Lock()
				for pl.committed.Load() == seen && !pl.stopped.Load() {
					pl.cond.Wait()
				}
				pl.mu.Unlock()
			}
		})
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for k := 0; k < pl.slices; k++ {
		sl := w.slot(pl, k)
		var since time.Time
		for sl.ready.Load() != int64(k) {
			if j, ok := w.claim(pl); ok && j >= 0 {
				w.computeClaimed(pl, j)
				continue
			}
			if since.IsZero() {
				since = time.Now()
			}
			left := stealAfter - time.Since(since)
			if left <= 0 {
				// Slice k is a worker's, stopped, or its slot still is.
				pl.claimed.CompareAndSwap(int64(k), int64(k+1))
				w.computeInto(w.spare, k)
				sl = w.spare
				break
			}
			// Sleep until a worker computes a slice, or it is time to
			// take this one over.
			if timer == nil {
				timer = time.NewTimer(left)
			} else {
				timer.Reset(left)
			}
			select {
			case <-pl.computed:
			case <-timer.C:
			}
		}
		goOn := w.commit(sl)
		pl.committed.Store(int64(k + 1))
		pl.signal()
		if !goOn {
			break
		}
	}
	pl.stopped.Store(true)
	pl.signal()
	pl.wg.Wait()
}

// signal wakes the workers waiting for room in the window.
func (pl *pipeline) signal() {
	pl.mu.Lock()
	pl.cond.Broadcast()
	pl.mu.Unlock()
}
