package checker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"time"
)

// Default limits and periods.
const (
	// DefaultMaxGraphEdges bounds Result.Graph when Options.MaxGraphEdges
	// is zero.
	DefaultMaxGraphEdges = 50_000_000
	// DefaultProgressInterval is the period of Options.Progress when
	// Options.ProgressInterval is zero.
	DefaultProgressInterval = time.Second
)

// checkEvery is how many expansions pass between two looks at the clock
// and the context: often enough to stop within milliseconds, rarely enough
// to cost nothing.
const checkEvery = 1024

// Reasons a search stopped before it was complete (Result.StopReason).
const (
	StopMaxStates     = "max-states"
	StopMaxDepth      = "max-depth"
	StopTimeout       = "timeout"
	StopCanceled      = "canceled"
	StopMaxGraphEdges = "max-graph-edges"
	StopMaxMemory     = "max-memory"
)

// DeadlockName is the name of a deadlock violation.
const DeadlockName = "deadlock"

// Explore searches the states of sys reachable from its initial states,
// checks the invariants of opts on them, and returns the verdict, the
// violations found with their traces, and the figures of the search.
//
// The search is breadth first unless opts.Strategy is DFS, so the first
// violation it reports is one with a shortest trace. It stops at the first
// violation unless opts.ContinueAfterViolation is set, and at the first
// limit reached, with Verdict Incomplete unless a violation was found.
// The context stops it too, as Incomplete with StopReason "canceled" (or
// "timeout" if its deadline passed).
//
// The error is for operational failure only: a nil system, invalid
// options, or a system whose Init or Next is not deterministic, found when
// a trace could not be rebuilt.
func Explore[S comparable, A any](ctx context.Context, sys System[S, A], opts Options[S, A]) (*Result[S, A], error) {
	if err := validate(ctx, sys, &opts); err != nil {
		return nil, err
	}
	start := time.Now()
	res, unpackable, err := exploreOnce(ctx, sys, &opts, start)
	if unpackable {
		// A state had no packed form: the search starts again without
		// the fast path (see Packer).
		res, _, err = exploreOnce(ctx, withoutPacker(sys), &opts, start)
		if res != nil {
			res.PackedPathLeft = true
		}
	}
	return res, err
}

// exploreOnce runs one search begun at start, and reports whether it met a
// state its Packer could not pack, when its result is void.
func exploreOnce[S comparable, A any](ctx context.Context, sys System[S, A], opts *Options[S, A], start time.Time) (*Result[S, A], bool, error) {
	e := newExplorer(ctx, sys, opts, start)
	if opts.MaxMemory > 0 {
		defer e.limitMemory()()
	}
	if e.cur != nil {
		defer e.cur.close()
		defer e.next.close()
	}
	e.run()
	if e.unpackable.Load() {
		return nil, true, nil
	}
	if e.err != nil {
		return nil, false, e.err
	}
	res := e.result() // rebuilding a trace packs states too
	if e.unpackable.Load() {
		return nil, true, nil
	}
	return res, false, nil
}

// withoutPacker returns sys without its Packer methods, keeping its
// Encoder, if it is one.
func withoutPacker[S comparable, A any](sys System[S, A]) System[S, A] {
	type encoded struct {
		System[S, A]
		Encoder[S]
	}
	type plain struct{ System[S, A] }
	if enc, ok := sys.(Encoder[S]); ok {
		return encoded{sys, enc}
	}
	return plain{sys}
}

func validate[S comparable, A any](ctx context.Context, sys System[S, A], opts *Options[S, A]) error {
	switch {
	case ctx == nil:
		return errors.New("checker: nil Context")
	case sys == nil:
		return errors.New("checker: nil System")
	case opts.MaxStates < 0, opts.MaxDepth < 0, opts.Timeout < 0,
		opts.MaxGraphEdges < 0, opts.ProgressInterval < 0, opts.Workers < 0,
		opts.MaxMemory < 0, opts.ExpectedStates < 0, opts.FrontierMemory < 0, opts.FairnessClasses < 0, opts.LivenessSets < 0:
		return errors.New("checker: negative limit in Options")
	case opts.Strategy != BFS && opts.Strategy != DFS:
		return fmt.Errorf("checker: unknown Strategy %d", opts.Strategy)
	case opts.Store != ExactStore && opts.Store != FingerprintStore:
		return fmt.Errorf("checker: unknown StoreKind %d", opts.Store)
	}
	for _, inv := range opts.Invariants {
		if inv.Holds == nil {
			return fmt.Errorf("checker: invariant %q has no Holds", inv.Name)
		}
	}
	for _, inv := range opts.TransitionInvariants {
		if inv.Holds == nil {
			return fmt.Errorf("checker: transition invariant %q has no Holds", inv.Name)
		}
	}
	for _, c := range opts.Counters {
		if c.State == nil && c.Step == nil {
			return fmt.Errorf("checker: counter %q has neither State nor Step", c.Name)
		}
		if c.Label != nil && c.Step == nil {
			return fmt.Errorf("checker: counter %q has a Label but no Step", c.Name)
		}
	}
	return nil
}

// An entry is a state stored but not yet expanded.
type entry[S any] struct {
	state S
	index int32 // number in the store
	depth int32 // initial states have depth 1
}

// An explorer holds one search in progress.
type explorer[S comparable, A any] struct {
	ctx  context.Context
	sys  System[S, A]
	opts *Options[S, A]
	enc  Encoder[S] // sys, if it is one, or the words of a Packer
	// pk is sys if it is a Packer, and words its encoder.
	pk    Packer[S, A]
	words *wordEncoder[S, A]
	// unpackable is set, by any goroutine, when the Packer could not
	// pack a state: the search stops, and its result is void.
	unpackable *atomic.Bool
	// lean: no graph and no invariant, so that a new state is only
	// stored and queued (takeNew).
	lean bool
	// batch is the fast path's successors computed ahead (prepareBatch).
	batch succBatch[S, A]

	store   *store[S]
	parents *parents
	// A BFS expands level by level: cur is the level being expanded,
	// cur.at(pos) the next state to expand, and next the level being
	// filled. A DFS keeps its stack in pending.
	cur, next *level[S]
	pos       int
	pending   []entry[S]

	graph *Graph[S, A]
	// graphDropped: the graph passed maxEdges and was let go
	// (Options.DropGraphOverLimit).
	graphDropped bool
	maxEdges     int

	// The expansion in progress: the state, whether it has a transition
	// allowed by the action constraint, and successor as a func value.
	cur0    entry[S]
	enabled bool
	yield   func(A, S) bool
	t       transition[S, A] // the transition being taken, when sequential
	code    []byte           // its encoding
	// decoded is a state the fast path decodes for the invariants: a
	// field, not a local, as they are passed a pointer to it.
	decoded S
	// srcWords are the words of the state the fast path expands, when
	// the transition invariants need it unpacked.
	srcWords []uint64

	// Figures.
	generated  int
	depth      int32
	expansions int
	// unexpanded counts the stored states left out of the frontier
	// without a full expansion: the one a violation or a limit
	// interrupted, and those at MaxDepth that had transitions.
	unexpanded int
	cutByDepth bool

	// counts are Result.Counts; stateCounters and stepCounters the
	// indexes of the Counters with State and with Step (counters.go).
	counts                      [][64]int64
	stateCounters, stepCounters []int
	wantActs                    bool   // see actionsWanted
	wantLabels                  bool   // the fast path asks a LabelPacker for labels (Counter.Label)
	invFailed                   []bool // per Invariant, already reported
	transFailed                 []bool // per TransitionInvariant
	deadlocked                  bool
	violations                  []Violation[S, A]

	done       bool   // a violation or a limit ended the search
	stopReason string // the limit, if one did
	err        error

	start, deadline, nextProgress time.Time
	progressEvery                 time.Duration
	memory                        memoryGauge
	memoryCheckedAt               uint64 // the table size whose growth was last checked against MaxMemory
	graphCheckedAt                int    // the graph's capacities whose growth was last checked
	baseBytes                     int64  // the memory the process held when the search began
	memoryLimit                   int64  // MaxMemory less what the runtime does not count
	workers                       *workers[S, A]
	spill                         *spill // nil if the frontier stays in memory
	peakBytes                     int64  // the most the search held at once, as far as seen
	returned                      int64  // the memory let go when returnFreed last gave memory back
}

func newExplorer[S comparable, A any](ctx context.Context, sys System[S, A], opts *Options[S, A], start time.Time) *explorer[S, A] {
	enc, _ := sys.(Encoder[S])
	pk, _ := sys.(Packer[S, A])
	if pk != nil && enc != nil && !fastPathOptions(opts) {
		// A search off the fast path would pack each successor only
		// to store it: a Packer that is also an Encoder keeps its own
		// encoding there.
		pk = nil
	}
	var words *wordEncoder[S, A]
	unpackable := new(atomic.Bool)
	if pk != nil {
		words = newWordEncoder(pk, unpackable)
		enc = words
	}
	e := &explorer[S, A]{
		unpackable:  unpackable,
		pk:          pk,
		words:       words,
		ctx:         ctx,
		sys:         sys,
		opts:        opts,
		enc:         enc,
		store:       newStore(opts.Store, opts.MaxStates, enc),
		parents:     newParents(opts.Strategy == BFS),
		invFailed:   make([]bool, len(opts.Invariants)),
		transFailed: make([]bool, len(opts.TransitionInvariants)),
		start:       start,
	}
	if words != nil {
		// Every encoding is the Packer's words: a fixed width.
		e.store.codes.fixedWidth(8 * words.words)
	}
	if opts.Strategy == BFS {
		e.cur, e.next = newLevel(enc, 0), newLevel(enc, 1)
		if words != nil {
			e.cur.fixedWidth(8 * words.words)
			e.next.fixedWidth(8 * words.words)
			e.spillFrontier()
		}
	}
	// Without the graph, the number of a state found stored is never
	// used: its edge is not kept. Without a property a trace could be
	// asked for, neither are the parent links.
	e.store.anonymous = !opts.KeepGraph
	e.store.untraced = len(opts.Invariants) == 0 && len(opts.TransitionInvariants) == 0 && !opts.CheckDeadlock
	e.parents.off = e.store.untraced
	e.yield = e.successor
	e.initCounters()
	e.wantActs = opts.KeepGraph || len(opts.Invariants) > 0 || e.stepsChecked()
	e.lean = !opts.KeepGraph && len(opts.Invariants) == 0 && len(e.stateCounters) == 0
	if opts.KeepGraph {
		e.graph = newGraph[S, A](opts.Strategy == BFS)
		e.graph.dec = enc
		if opts.Store == FingerprintStore {
			// The store keeps no state the graph could read: the graph
			// keeps their encodings, or the states themselves.
			e.graph.owned = true
			if enc != nil {
				e.graph.codes = &arena{}
				if words != nil {
					e.graph.codes.fixedWidth(8 * words.words)
				}
			} else {
				e.graph.values = &chunked[S]{}
			}
		}
		e.maxEdges = opts.MaxGraphEdges
		if e.maxEdges == 0 {
			e.maxEdges = DefaultMaxGraphEdges
		}
	}
	if opts.Timeout > 0 {
		e.deadline = e.start.Add(opts.Timeout)
	}
	e.progressEvery = opts.ProgressInterval
	if e.progressEvery == 0 {
		e.progressEvery = DefaultProgressInterval
	}
	e.nextProgress = e.start.Add(e.progressEvery)
	return e
}

// spillFrontier lets the levels of the BFS of a Packer move to disk
// past their share of Options.FrontierMemory: half each.
func (e *explorer[S, A]) spillFrontier() {
	budget := e.opts.FrontierMemory
	if budget == 0 {
		budget = e.opts.MaxMemory / 8
	}
	if budget == 0 {
		return
	}
	dir := e.opts.SpillDir
	if dir == "" {
		dir = os.TempDir()
	}
	e.spill = &spill{dir: dir, limit: budget / 2, width: 8 * e.words.words}
	e.cur.sp, e.next.sp = e.spill, e.spill
}

func (e *explorer[S, A]) run() {
	if e.canceled() {
		return
	}
	// The table sized in advance is allocated here, once the memory the
	// process held before the search is known (limitMemory).
	if n := e.opts.ExpectedStates; n > 0 {
		load := uint64(growLoad)
		if e.opts.MaxMemory > 0 && e.overMemory(e.store.presizeBytes(n, load)) {
			load = fullLoad // as a table grown would fill on (store.stretch)
			if e.overMemory(e.store.presizeBytes(n, load)) {
				e.halt(StopMaxMemory)
				return
			}
		}
		e.store.presize(n, load)
	}
	e.initial()
	if e.unpackable.Load() {
		return // an initial state has no packed form
	}
	if e.opts.Strategy == DFS {
		for !e.done && len(e.pending) > 0 {
			if e.due() && e.interrupted() {
				break
			}
			e.expansions++
			n := len(e.pending) - 1
			x := e.pending[n]
			e.pending = e.pending[:n]
			e.expand(x)
		}
		return
	}
	var w *workers[S, A]
	if e.opts.Workers > 1 && len(e.opts.Invariants) <= maxPrecheck && len(e.opts.TransitionInvariants) <= maxPrecheck {
		w = startWorkers(e, e.opts.Workers)
		e.workers = w
		defer w.stop()
	}
	packed := e.packedPath()
	for !e.done && e.next.len() > 0 {
		if e.unpackable.Load() {
			return // the level holds a state with no packed form
		}
		e.cur, e.next = e.next, e.cur
		e.next.reset(e.cur.depth + 1)
		if e.err = e.cur.seal(); e.err != nil {
			return
		}
		e.pos = 0
		if w != nil && !e.atMaxDepth(e.cur.depth) {
			w.expandLevel()
			continue
		}
		if packed && !e.atMaxDepth(e.cur.depth) {
			if !e.expandPackedLevel(e.cur.len()) {
				return
			}
			continue
		}
		for !e.done && e.pos < e.cur.len() {
			if e.due() && e.interrupted() {
				return
			}
			e.expansions++
			e.pos++
			e.expand(e.cur.at(e.pos - 1))
		}
	}
}

// due reports whether it is time to look at the clock, the context and
// the memory in use: every checkEvery expansions.
func (e *explorer[S, A]) due() bool {
	return e.expansions%checkEvery == 0 && e.expansions > 0
}

func (e *explorer[S, A]) atMaxDepth(depth int32) bool {
	return e.opts.MaxDepth > 0 && int(depth) >= e.opts.MaxDepth
}

// initial stores the initial states that pass the state constraint.
func (e *explorer[S, A]) initial() {
	from := len(e.pending)
	for s := range e.sys.Init() {
		e.generated++
		if c := e.opts.StateConstraint; c != nil && !c(s) {
			continue
		}
		var h uint64
		e.code, h = e.store.appendKey(e.code[:0], &s)
		i, added := e.store.insert(h, e.code, &s)
		if !added {
			if i < 0 {
				e.halt(StopMaxStates)
				break
			}
			continue // the same initial state twice
		}
		e.parents.add(-1)
		e.push(&s, e.code, i, 1)
		if e.graph != nil {
			e.graph.addState(e.code, &s)
			e.graph.initial = append(e.graph.initial, int(i))
		}
		var none A
		e.countState(&s)
		if e.checkState(-1, none, &s); e.done {
			break
		}
	}
	e.stackOrder(from)
}

// expand computes the successors of x, checks and stores them.
func (e *explorer[S, A]) expand(x entry[S]) {
	if e.atMaxDepth(x.depth) {
		e.expandAtMaxDepth(x)
		return
	}
	from := len(e.pending)
	e.cur0, e.enabled = x, false
	// A method value made once, rather than a range loop whose body
	// would be a new closure for every state.
	e.sys.Next(x.state)(e.yield)
	e.stackOrder(from)
	e.expanded(x)
}

// expanded ends the expansion of x.
func (e *explorer[S, A]) expanded(x entry[S]) {
	if e.done {
		// A violation or a limit interrupted the expansion, or came just at
		// its end: count the state as not expanded.
		e.unexpanded++
		return
	}
	if !e.enabled {
		e.checkDeadlock(x)
	}
}

// A transition is a successor of the state being expanded, with what is
// known of it. A worker computes every field in advance (precomputed);
// the sequential search computes them as take needs them.
type transition[S, A any] struct {
	action A
	state  S
	hash   uint64
	// known is the number of the state if it was already stored when the
	// worker looked, or -1.
	known int32
	// allowed: the action constraint allows it; inBounds: the state
	// constraint too.
	allowed, inBounds bool
	precomputed       bool
	// transFail and invFail have bit k set if TransitionInvariants[k]
	// (or Invariants[k]) fails on it; invFail only when known is -1.
	transFail, invFail uint64
	// stepBits and stateBits are its counters' bits, if precomputed
	// (slice.stepBits and stateBits).
	stepBits, stateBits []uint64
}

// successor handles the transition (a, t) from the state being expanded,
// e.cur0, and reports whether the expansion goes on.
func (e *explorer[S, A]) successor(a A, t S) bool {
	if e.done {
		return false
	}
	e.t = transition[S, A]{action: a, state: t, known: -1}
	return e.take(&e.t, nil)
}

// take handles the transition t from the state being expanded, e.cur0,
// as TLC does, and reports whether the expansion goes on. code is its
// encoding when t is precomputed.
func (e *explorer[S, A]) take(t *transition[S, A], code []byte) bool {
	x := &e.cur0
	e.generated++
	if !t.precomputed {
		c := e.opts.ActionConstraint
		t.allowed = c == nil || c(x.state, t.action, t.state)
	}
	if !t.allowed {
		return true
	}
	e.enabled = true
	if t.precomputed {
		e.addStepBits(t.stepBits)
	} else {
		e.countStep(&x.state, t.action, &t.state, 0, false)
	}
	if len(e.opts.TransitionInvariants) > 0 {
		if e.checkTransition(x, t); e.done {
			return false
		}
	}
	if !t.precomputed {
		c := e.opts.StateConstraint
		t.inBounds = c == nil || c(t.state)
	}
	if !t.inBounds {
		return true
	}
	if !e.roomToStore() {
		return false
	}
	i, added := t.known, false
	if i < 0 {
		if !t.precomputed {
			e.code, t.hash = e.store.appendKey(e.code[:0], &t.state)
			code = e.code
		}
		e.growing()
		i, added = e.store.insert(t.hash, code, &t.state)
		if i < 0 {
			e.halt(StopMaxStates)
			return false
		}
	}
	if added {
		e.parents.add(x.index)
		e.push(&t.state, code, i, x.depth+1)
		if e.graph != nil {
			e.graph.addState(code, &t.state)
		}
	}
	if e.graph != nil {
		e.graph.addEdge(x.index, i, t.action)
	}
	if added {
		if t.precomputed {
			e.addStateBits(t.stateBits)
		} else {
			e.countState(&t.state)
		}
	}
	if added && len(e.opts.Invariants) > 0 {
		if t.precomputed {
			e.checkStateFails(x.index, t.action, t.state, t.invFail)
		} else {
			e.checkState(x.index, t.action, &t.state)
		}
	}
	return !e.done
}

// roomToStore is what take does before it stores a transition's state
// and edge: it lets the graph go, or stops the search, past
// MaxGraphEdges, and stops it if storing could pass MaxMemory. It
// reports whether the search goes on.
func (e *explorer[S, A]) roomToStore() bool {
	if e.graph != nil && e.graph.NumEdges() >= e.maxEdges {
		if !e.opts.DropGraphOverLimit {
			e.halt(StopMaxGraphEdges)
			return false
		}
		// Go on without the graph: the invariants are still checked.
		e.graph, e.graphDropped = nil, true
	}
	if e.opts.MaxMemory > 0 && (e.growthExceedsMemory() || e.graph != nil && e.graphGrowthExceedsMemory()) {
		e.halt(StopMaxMemory)
		return false
	}
	return true
}

// expandAtMaxDepth handles a state at the depth bound: it is not expanded,
// but if it has a transition the search is incomplete, and if it has none
// it may be a deadlock.
func (e *explorer[S, A]) expandAtMaxDepth(x entry[S]) {
	enabled := false
	for a, t := range e.sys.Next(x.state) {
		if c := e.opts.ActionConstraint; c == nil || c(x.state, a, t) {
			enabled = true
			break
		}
	}
	if enabled {
		e.cutByDepth = true
		e.unexpanded++
		return
	}
	e.checkDeadlock(x)
}

// push adds a state just stored to the frontier: the next level of a BFS,
// the stack of a DFS. code is its encoding, if the system has an encoder.
func (e *explorer[S, A]) push(s *S, code []byte, index, depth int32) {
	if e.opts.Strategy == DFS {
		e.pending = append(e.pending, entry[S]{*s, index, depth})
	} else {
		e.next.push(s, code, index)
	}
	if depth > e.depth {
		e.depth = depth
	}
}

// stackOrder reverses, in a DFS, the entries pushed since from, so that the
// first successor is expanded first.
func (e *explorer[S, A]) stackOrder(from int) {
	if e.opts.Strategy == DFS {
		slices.Reverse(e.pending[from:])
	}
}

// checkState checks the invariants not yet violated on a state s just
// stored, reached from the stored state parent by action a, or initial if
// parent is -1.
func (e *explorer[S, A]) checkState(parent int32, a A, s *S) {
	for k, inv := range e.opts.Invariants {
		if e.invFailed[k] || inv.Holds(s) {
			continue
		}
		e.invFailed[k] = true
		trace := []Step[S, A]{{State: *s}}
		if parent >= 0 {
			trace = e.extend(parent, a, *s)
		}
		e.violate(inv.Name, InvariantViolation, trace)
		if e.done {
			return
		}
	}
}

// checkStateFails is checkState with the invariants already evaluated:
// bit k of fails is set if Invariants[k] fails on s.
func (e *explorer[S, A]) checkStateFails(parent int32, a A, s S, fails uint64) {
	for k, inv := range e.opts.Invariants {
		if e.invFailed[k] || fails&(1<<k) == 0 {
			continue
		}
		e.invFailed[k] = true
		e.violate(inv.Name, InvariantViolation, e.extend(parent, a, s))
		if e.done {
			return
		}
	}
}

func (e *explorer[S, A]) checkTransition(x *entry[S], t *transition[S, A]) {
	for k, inv := range e.opts.TransitionInvariants {
		if e.transFailed[k] {
			continue
		}
		if t.precomputed {
			if t.transFail&(1<<k) == 0 {
				continue
			}
		} else if inv.Holds(&x.state, t.action, &t.state) {
			continue
		}
		e.transFailed[k] = true
		e.violate(inv.Name, TransitionViolation, e.extend(x.index, t.action, t.state))
		if e.done {
			return
		}
	}
}

func (e *explorer[S, A]) checkDeadlock(x entry[S]) {
	if !e.opts.CheckDeadlock || e.deadlocked {
		return
	}
	if f := e.opts.Final; f != nil && f(x.state) {
		return
	}
	e.deadlocked = true
	e.violate(DeadlockName, DeadlockViolation, e.trace(x.index))
}

func (e *explorer[S, A]) violate(name string, kind ViolationKind, trace []Step[S, A]) {
	if e.err != nil {
		e.done = true
		return
	}
	e.violations = append(e.violations, Violation[S, A]{Name: name, Kind: kind, Trace: trace})
	if !e.opts.ContinueAfterViolation {
		e.done = true
	}
}

// halt ends the search because a limit was reached.
func (e *explorer[S, A]) halt(reason string) {
	e.stopReason = reason
	e.done = true
}

// interrupted calls Progress when due, then looks at the context and the
// clock, and reports whether the search must stop.
func (e *explorer[S, A]) interrupted() bool {
	now := time.Now()
	if e.cur != nil {
		e.cur.release(e.pos)
	}
	if e.opts.Progress != nil && !now.Before(e.nextProgress) {
		e.opts.Progress(e.stats(now))
		e.nextProgress = now.Add(e.progressEvery)
	}
	if e.canceled() {
		return true
	}
	if e.unpackable.Load() {
		e.done = true
		return true
	}
	if !e.deadline.IsZero() && !now.Before(e.deadline) {
		e.halt(StopTimeout)
		return true
	}
	if e.opts.MaxMemory > 0 && e.overMemory(0) {
		e.halt(StopMaxMemory)
		return true
	}
	e.returnFreed()
	return false
}

// growthExceedsMemory reports whether growing the store's table, if the
// next state stored grows it, would take the memory in use past
// MaxMemory; if it would, the table first fills on to fullLoad
// (store.stretch), and only a table full at fullLoad exceeds. It looks
// once per growth allowed.
func (e *explorer[S, A]) growthExceedsMemory() bool {
	g := e.store.growthBytes()
	if g == 0 || e.memoryCheckedAt == e.store.tableSize() {
		return false
	}
	if !e.overMemory(g) {
		e.memoryCheckedAt = e.store.tableSize()
		return false
	}
	// Not noted as checked: once the stretched table is full, its
	// growth is asked about again.
	return !e.store.stretch()
}

// canceled reports whether the context ends the search.
func (e *explorer[S, A]) canceled() bool {
	switch err := e.ctx.Err(); {
	case err == nil:
		return false
	case errors.Is(err, context.DeadlineExceeded):
		e.halt(StopTimeout)
	default:
		e.halt(StopCanceled)
	}
	return true
}

func (e *explorer[S, A]) stats(now time.Time) Stats {
	frontier := len(e.pending) + e.unexpanded
	if e.opts.Strategy == BFS {
		frontier += e.cur.len() - e.pos + e.next.len()
	}
	st := Stats{
		Distinct:    e.store.len(),
		Generated:   e.generated,
		Depth:       int(e.depth),
		Frontier:    frontier,
		Elapsed:     now.Sub(e.start),
		StoreBytes:  e.store.bytes() + e.parents.bytes(),
		SearchBytes: max(e.peakBytes, e.searchBytes()),
	}
	if e.spill != nil {
		st.SpilledBytes = e.spill.written
	}
	return st
}

func (e *explorer[S, A]) result() *Result[S, A] {
	r := &Result[S, A]{
		Violations: e.violations,
		Stats:      e.stats(time.Now()),
		StopReason: e.stopReason,
		Counts:     e.counts,
	}
	if r.StopReason == "" && e.cutByDepth {
		r.StopReason = StopMaxDepth
	}
	switch {
	case len(r.Violations) > 0:
		r.Verdict = Violated
	case r.StopReason != "":
		r.Verdict = Incomplete
	default:
		r.Verdict = Holds
	}
	if e.opts.Store == FingerprintStore {
		r.CollisionProbability = collisionProbability(r.Stats.Distinct, r.Stats.Generated)
	}
	r.GraphDropped = e.graphDropped
	if e.graph != nil {
		e.keepGraph()
		r.Graph = e.graph
		r.Stats.GraphBytes = e.graph.bytes()
	}
	return r
}
