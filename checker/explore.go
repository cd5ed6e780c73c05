package checker

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	e := newExplorer(ctx, sys, &opts)
	e.run()
	if e.err != nil {
		return nil, e.err
	}
	return e.result(), nil
}

func validate[S comparable, A any](ctx context.Context, sys System[S, A], opts *Options[S, A]) error {
	switch {
	case ctx == nil:
		return errors.New("checker: nil Context")
	case sys == nil:
		return errors.New("checker: nil System")
	case opts.MaxStates < 0, opts.MaxDepth < 0, opts.Timeout < 0,
		opts.MaxGraphEdges < 0, opts.ProgressInterval < 0:
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

	store  store[S]
	parent []int32 // parent[i] is the number of the state that first reached i, -1 for initial states
	// pending holds the entries not yet expanded: pending[head:] is the
	// queue of a BFS, pending the stack of a DFS (head stays 0).
	pending []entry[S]
	head    int

	graph    *Graph[S, A]
	maxEdges int

	// The expansion in progress: the state, whether it has a transition
	// allowed by the action constraint, and successor as a func value.
	cur     entry[S]
	enabled bool
	yield   func(A, S) bool

	// Figures.
	generated  int
	depth      int32
	expansions int
	// unexpanded counts the stored states left out of pending without a
	// full expansion: the one a violation or a limit interrupted, and those
	// at MaxDepth that had transitions.
	unexpanded int
	cutByDepth bool

	invFailed   []bool // per Invariant, already reported
	transFailed []bool // per TransitionInvariant
	deadlocked  bool
	violations  []Violation[S, A]

	done       bool   // a violation or a limit ended the search
	stopReason string // the limit, if one did
	err        error

	start, deadline, nextProgress time.Time
	progressEvery                 time.Duration
}

func newExplorer[S comparable, A any](ctx context.Context, sys System[S, A], opts *Options[S, A]) *explorer[S, A] {
	e := &explorer[S, A]{
		ctx:         ctx,
		sys:         sys,
		opts:        opts,
		store:       newStore[S](opts.Store, opts.MaxStates),
		invFailed:   make([]bool, len(opts.Invariants)),
		transFailed: make([]bool, len(opts.TransitionInvariants)),
		start:       time.Now(),
	}
	e.yield = e.successor
	if opts.KeepGraph {
		e.graph = &Graph[S, A]{}
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

func (e *explorer[S, A]) run() {
	if e.canceled() {
		return
	}
	e.initial()
	for !e.done && len(e.pending) > e.head {
		if e.expansions%checkEvery == 0 && e.expansions > 0 && e.interrupted() {
			break
		}
		e.expansions++
		e.expand(e.pop())
	}
}

// initial stores the initial states that pass the state constraint.
func (e *explorer[S, A]) initial() {
	from := len(e.pending)
	for s := range e.sys.Init() {
		e.generated++
		if c := e.opts.StateConstraint; c != nil && !c(s) {
			continue
		}
		i, added := e.store.put(s)
		if !added {
			if i < 0 {
				e.halt(StopMaxStates)
				break
			}
			continue // the same initial state twice
		}
		e.parent = append(e.parent, -1)
		e.push(entry[S]{s, i, 1})
		if e.graph != nil {
			e.graph.States = append(e.graph.States, s)
			e.graph.Initial = append(e.graph.Initial, int(i))
		}
		var none A
		if e.checkState(-1, none, s); e.done {
			break
		}
	}
	e.stackOrder(from)
}

// expand computes the successors of x, checks and stores them.
func (e *explorer[S, A]) expand(x entry[S]) {
	if e.opts.MaxDepth > 0 && int(x.depth) >= e.opts.MaxDepth {
		e.expandAtMaxDepth(x)
		return
	}
	from := len(e.pending)
	e.cur, e.enabled = x, false
	// A method value made once, rather than a range loop whose body
	// would be a new closure for every state.
	e.sys.Next(x.state)(e.yield)
	e.stackOrder(from)
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

// successor handles the transition (a, t) from the state being expanded,
// e.cur, and reports whether the expansion goes on.
func (e *explorer[S, A]) successor(a A, t S) bool {
	if e.done {
		return false
	}
	x := &e.cur
	e.generated++
	if c := e.opts.ActionConstraint; c != nil && !c(x.state, a, t) {
		return true
	}
	e.enabled = true
	if len(e.opts.TransitionInvariants) > 0 {
		if e.checkTransition(*x, a, t); e.done {
			return false
		}
	}
	if c := e.opts.StateConstraint; c != nil && !c(t) {
		return true
	}
	if e.graph != nil && len(e.graph.Edges) >= e.maxEdges {
		e.halt(StopMaxGraphEdges)
		return false
	}
	i, added := e.store.put(t)
	if i < 0 {
		e.halt(StopMaxStates)
		return false
	}
	if added {
		e.parent = append(e.parent, x.index)
		e.push(entry[S]{t, i, x.depth + 1})
		if e.graph != nil {
			e.graph.States = append(e.graph.States, t)
		}
	}
	if e.graph != nil {
		e.graph.Edges = append(e.graph.Edges, Edge[A]{From: int(x.index), To: int(i), Action: a})
	}
	if added && len(e.opts.Invariants) > 0 {
		e.checkState(x.index, a, t)
	}
	return !e.done
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

func (e *explorer[S, A]) push(x entry[S]) {
	e.pending = append(e.pending, x)
	if x.depth > e.depth {
		e.depth = x.depth
	}
}

// pop takes the next entry to expand: the oldest in a BFS, the newest in a
// DFS.
func (e *explorer[S, A]) pop() entry[S] {
	if e.opts.Strategy == DFS {
		n := len(e.pending) - 1
		x := e.pending[n]
		e.pending = e.pending[:n]
		return x
	}
	x := e.pending[e.head]
	e.head++
	if e.head >= 4096 && 2*e.head >= len(e.pending) {
		// Drop the expanded half of the queue.
		n := copy(e.pending, e.pending[e.head:])
		clear(e.pending[n:])
		e.pending = e.pending[:n]
		e.head = 0
	}
	return x
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
func (e *explorer[S, A]) checkState(parent int32, a A, s S) {
	for k, inv := range e.opts.Invariants {
		if e.invFailed[k] || inv.Holds(s) {
			continue
		}
		e.invFailed[k] = true
		trace := []Step[S, A]{{State: s}}
		if parent >= 0 {
			trace = e.extend(parent, a, s)
		}
		e.violate(inv.Name, InvariantViolation, trace)
		if e.done {
			return
		}
	}
}

func (e *explorer[S, A]) checkTransition(x entry[S], a A, t S) {
	for k, inv := range e.opts.TransitionInvariants {
		if e.transFailed[k] || inv.Holds(x.state, a, t) {
			continue
		}
		e.transFailed[k] = true
		e.violate(inv.Name, TransitionViolation, e.extend(x.index, a, t))
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
	if e.opts.Progress != nil && !now.Before(e.nextProgress) {
		e.opts.Progress(e.stats(now))
		e.nextProgress = now.Add(e.progressEvery)
	}
	if e.canceled() {
		return true
	}
	if !e.deadline.IsZero() && !now.Before(e.deadline) {
		e.halt(StopTimeout)
		return true
	}
	return false
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
	return Stats{
		Distinct:  e.store.len(),
		Generated: e.generated,
		Depth:     int(e.depth),
		Frontier:  len(e.pending) - e.head + e.unexpanded,
		Elapsed:   now.Sub(e.start),
	}
}

func (e *explorer[S, A]) result() *Result[S, A] {
	r := &Result[S, A]{
		Violations: e.violations,
		Stats:      e.stats(time.Now()),
		StopReason: e.stopReason,
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
	if e.graph != nil {
		e.graph.index()
		r.Graph = e.graph
	}
	return r
}
