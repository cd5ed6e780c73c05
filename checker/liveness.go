package checker

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"
)

// Liveness is decided on the explored graph (Options.KeepGraph), with
// TLA+'s semantics: a behaviour is an infinite sequence of states, each
// step a transition of the graph or a stuttering step that leaves the
// state unchanged; a behaviour may stutter forever in any state, but
// fairness rules out the behaviours that neglect an action they must take.
// A self loop of the graph changes nothing, so it is a stuttering step too:
// it neither enables an action class nor counts as taking it (as
// ENABLED <<A>>_vars and <<A>>_vars steps in TLA+).
//
// The analyses are only meaningful on the graph of a complete search: see
// CompleteGraph. docs/liveness.md explains them for users.

// Fairness declares an action class fair: the set of actions for which
// Includes is true.
//
// An action class is enabled in a state if the state has a transition in
// the explored graph, other than a self loop, whose action is in the class.
// A behaviour is weakly fair to the class (Strong false, TLA+'s WF) if the
// class is not enabled continuously from some point on without being taken
// again and again; strongly fair (Strong true, SF) if the class is not
// enabled again and again without being taken again and again.
type Fairness[A any] struct {
	Name     string
	Strong   bool
	Includes func(A) bool
}

// String returns WF(Name) or SF(Name).
func (f Fairness[A]) String() string {
	if f.Strong {
		return "SF(" + f.Name + ")"
	}
	return "WF(" + f.Name + ")"
}

// Lasso is a behaviour made of a finite prefix and a loop repeated
// forever: the counterexample of a temporal property.
//
// Trace[0] is an initial state (no action) and every further step is a
// transition of the graph. If Stutter is false, the last step of Trace
// leads back to the state Trace[LoopStart].State (the last state repeats
// it), and the behaviour repeats the steps Trace[LoopStart+1:] forever. If
// Stutter is true, LoopStart is len(Trace)-1 and the behaviour stays in the
// last state forever, no fair action being enabled there.
type Lasso[S, A any] struct {
	Trace     []Step[S, A]
	LoopStart int
	Stutter   bool
}

// Loop returns the steps of the loop, Trace[LoopStart+1:]: empty when the
// behaviour ends stuttering.
func (l *Lasso[S, A]) Loop() []Step[S, A] { return l.Trace[l.LoopStart+1:] }

// LivenessResult is the verdict of a temporal property on a complete
// graph.
type LivenessResult[S comparable, A any] struct {
	Holds bool
	// Vacuous: the property holds because no reachable state satisfies its
	// premise (P of LeadsTo), or the graph has no state at all. A vacuous
	// verdict usually means the premise is wrong.
	Vacuous bool
	// Lasso is the counterexample of LeadsTo, Eventually and
	// AlwaysEventually when the property fails.
	Lasso *Lasso[S, A]
	// Trap is the counterexample of CanAlwaysReach when it fails: a
	// shortest trace to a state from which no P state can be reached.
	Trap []Step[S, A]
	// Fairness lists the fairness assumed, as WF(name) or SF(name), in the
	// order given.
	Fairness []string
	// Bytes is the memory the analysis held, as allocated (at most
	// LivenessBytes), besides the shortest paths from the initial states,
	// which the graph keeps for all its analyses (PathBytes): what a
	// report of the memory a check takes adds to the search's.
	Bytes int64
}

// CompleteGraph returns the explored graph of res if liveness can be
// decided on it, and otherwise an error saying why not. Liveness needs the
// graph of a complete search: a state left unexpanded (at a limit, or when
// the search stopped at a violation) would look like a state with no
// transition, where a behaviour may stop, and make up counterexamples.
//
// The graph holds what the search stored, so liveness is decided within
// the state constraint (a transition to a state outside it is not in the
// graph, as in TLC), and with a FingerprintStore it is as reliable as the
// search (Result.CollisionProbability).
func CompleteGraph[S comparable, A any](res *Result[S, A]) (*Graph[S, A], error) {
	switch {
	case res == nil:
		return nil, errors.New("checker: nil Result")
	case res.GraphDropped:
		return nil, errors.New("checker: cannot decide liveness: the explored graph grew past its limit and was dropped")
	case res.Graph == nil:
		return nil, errors.New("checker: no graph to decide liveness on: explore with Options.KeepGraph")
	case res.StopReason != "":
		return nil, fmt.Errorf("checker: cannot decide liveness: the search is incomplete (%s)", res.StopReason)
	case res.Stats.Frontier > 0:
		return nil, fmt.Errorf("checker: cannot decide liveness: %d states were not expanded (the search stopped at a violation; use Options.ContinueAfterViolation)", res.Stats.Frontier)
	}
	return res.Graph, nil
}

// LeadsTo decides TLA+'s P ~> Q on g under the given fairness: every fair
// behaviour that reaches a P state reaches a Q state then or later (Q may
// hold in the P state itself). It fails with a lasso whose loop, and the
// path into it from a P state, go through ¬Q states only. It holds
// vacuously if no reachable state satisfies P. Like the invariants, p
// and q are passed a pointer to a copy of the state, not to keep.
//
// g must be the graph of a complete search (see CompleteGraph). The error
// is for a malformed graph or nil predicates.
func LeadsTo[S comparable, A any](g *Graph[S, A], p, q func(*S) bool, fairness []Fairness[A]) (*LivenessResult[S, A], error) {
	if p == nil || q == nil {
		return nil, errors.New("checker: LeadsTo with a nil predicate")
	}
	d := newDecoded(g)
	return decide(g, d.of(p), d.of(q), fairness)
}

// LeadsToIn is LeadsTo with P and Q given as the sets of states where
// they hold, as MarkStates computes them: a caller that decides several
// properties on one graph decodes each state once, not once a property.
func LeadsToIn[S comparable, A any](g *Graph[S, A], p, q StateSet, fairness []Fairness[A]) (*LivenessResult[S, A], error) {
	if g != nil && (p.n != g.NumStates() || q.n != g.NumStates()) {
		return nil, errors.New("checker: LeadsToIn with a set of another graph's states")
	}
	return decide(g, p.Has, q.Has, fairness)
}

// A LeadsToCheck is one P ~> Q for LeadsToAll: its P and Q as
// MarkStates computes them, and the fairness it assumes.
type LeadsToCheck[A any] struct {
	P, Q     StateSet
	Fairness []Fairness[A]
	// Group joins the checks of a conjunction, as a property made of
	// several leads-to checks is: a check listed after one of its Group
	// that is violated or fails is not decided (its result and error are
	// nil). Checks of a Group need not be next to each other.
	Group int
}

// LeadsToAll decides each of checks on g, as LeadsToIn does, and returns
// their results and errors in the order of checks. It decides several
// at once, on up to workers goroutines: as many as the memory limit g
// was explored under (Options.MaxMemory) leaves room for, each analysis
// taking up to LivenessBytes, and always at least one (a search that
// keeps its graph leaves room for one). The fairness classes' Includes
// are then called from several goroutines at once and must be safe for
// that, as pure functions are. What it decides is the same for any
// number of workers; only the work done for the checks it skips may
// differ (see Group).
//
// held is the memory the analyses held at once, as a report gives it:
// the largest LivenessResult.Bytes of the results, as many of them as
// goroutines decided checks, and the shortest paths they share
// (Graph.PathBytes). Like the results, it is the same for every run with
// the same number of goroutines; so it leaves out a check decided beside
// a failing one of its group and then dropped, which held memory too.
func LeadsToAll[S comparable, A any](g *Graph[S, A], checks []LeadsToCheck[A], workers int) (results []*LivenessResult[S, A], errs []error, held int64) {
	results = make([]*LivenessResult[S, A], len(checks))
	errs = make([]error, len(checks))
	// settled[k]: check k is decided, its result may be read.
	settled := make([]atomic.Bool, len(checks))
	// afterFailure reports whether a check of k's Group listed before it
	// failed: among those settled, or, once all are, among all.
	afterFailure := func(k int, all bool) bool {
		for j := range k {
			if checks[j].Group == checks[k].Group && (all || settled[j].Load()) &&
				(errs[j] != nil || (results[j] != nil && !results[j].Holds)) {
				return true
			}
		}
		return false
	}
	n := min(max(workers, 1), len(checks))
	if n > 1 && g != nil {
		n = min(n, g.analysesRoom(checks))
	}
	if g != nil && g.memoryLimit > 0 {
		// The collector is held to the search's limit, as it was while the
		// search ran, so that garbage (an analysis done, its arrays let go)
		// does not take the process past it.
		defer holdMemoryLimit(g.memoryLimit)()
	}
	var next atomic.Int64
	together(n, func() {
		for {
			k := int(next.Add(1)) - 1
			if k >= len(checks) {
				return
			}
			if !afterFailure(k, false) {
				results[k], errs[k] = LeadsToIn(g, checks[k].P, checks[k].Q, checks[k].Fairness)
			}
			settled[k].Store(true)
		}
	})
	// What a worker decided after a failed check of its Group, not yet
	// settled when it started, is dropped: as if skipped. (A check is
	// dropped only after the first failure of its Group, itself kept.)
	for k := range checks {
		if afterFailure(k, true) {
			results[k], errs[k] = nil, nil
		}
	}
	var sizes []int64
	for _, r := range results {
		if r != nil {
			sizes = append(sizes, r.Bytes)
		}
	}
	slices.Sort(sizes)
	for _, b := range sizes[max(len(sizes)-n, 0):] {
		held += b
	}
	if g != nil {
		held += g.PathBytes()
	}
	return results, errs, held
}

// analysesRoom is how many liveness analyses of the checks fit at once
// in the memory left under the limit g was explored under, at least one.
func (g *Graph[S, A]) analysesRoom(checks []LeadsToCheck[A]) int {
	if g.memoryLimit <= 0 {
		return math.MaxInt
	}
	fairness := 0
	for _, c := range checks {
		fairness = max(fairness, len(c.Fairness))
	}
	var gauge memoryGauge
	free := g.memoryLimit - gauge.inUse()
	return int(max(1, free/LivenessBytes(g.NumStates(), g.NumEdges(), fairness)))
}

// Eventually decides <>Q on g under the given fairness: every fair
// behaviour from an initial state reaches a Q state. It is LeadsTo with
// the initial states as P.
func Eventually[S comparable, A any](g *Graph[S, A], q func(*S) bool, fairness []Fairness[A]) (*LivenessResult[S, A], error) {
	if q == nil {
		return nil, errors.New("checker: Eventually with a nil predicate")
	}
	var initial []bool
	if g != nil {
		initial = make([]bool, g.NumStates())
		for _, i := range g.Initial() {
			initial[i] = true
		}
	}
	return decide(g, func(v int32) bool { return initial[v] }, newDecoded(g).of(q), fairness)
}

// AlwaysEventually decides []<>P on g under the given fairness: every fair
// behaviour goes through P states again and again. It is TRUE ~> P.
func AlwaysEventually[S comparable, A any](g *Graph[S, A], p func(*S) bool, fairness []Fairness[A]) (*LivenessResult[S, A], error) {
	if p == nil {
		return nil, errors.New("checker: AlwaysEventually with a nil predicate")
	}
	return decide(g, func(int32) bool { return true }, newDecoded(g).of(p), fairness)
}

// decoded decodes the states of a graph for predicates of states, one
// at a time, keeping the last: decide asks P and then Q of one state.
type decoded[S comparable, A any] struct {
	g    *Graph[S, A]
	s    S
	last int32
}

func newDecoded[S comparable, A any](g *Graph[S, A]) *decoded[S, A] {
	return &decoded[S, A]{g: g, last: -1}
}

// of returns f as a predicate of state numbers.
func (d *decoded[S, A]) of(f func(*S) bool) func(int32) bool {
	return func(v int32) bool {
		if v != d.last {
			d.s, d.last = d.g.State(int(v)), v
		}
		return f(&d.s)
	}
}

// decide is LeadsTo, with P and Q predicates of the states' numbers.
// P is asked of each reachable state, Q of each P state and of each
// state of the region reached.
//
// The algorithm: the region is the set of ¬Q states reachable from a
// reachable P∧¬Q state through ¬Q states. P ~> Q fails if and only if a
// fair behaviour can stay in the region forever, that is, if the region
// has a state where stuttering is fair (no fair class enabled), or a
// strongly connected set of states holding a fair cycle. The strongly
// connected components of the region are refined as Emerson and Lei do
// for Streett conditions: a component where a strongly fair class is
// enabled somewhere but never taken inside loses the states where it is
// enabled, and what remains is decomposed again (see refine).
func decide[S comparable, A any](g *Graph[S, A], p, q func(v int32) bool, fairness []Fairness[A]) (*LivenessResult[S, A], error) {
	if err := checkGraph(g); err != nil {
		return nil, err
	}
	res := &LivenessResult[S, A]{}
	for _, f := range fairness {
		if f.Includes == nil {
			return nil, fmt.Errorf("checker: fairness %s has no Includes", f)
		}
		res.Fairness = append(res.Fairness, f.String())
	}
	prefix := g.shortestPaths()
	l := newLiveness(g, fairness)
	defer func() { res.Bytes = l.bytes() }()
	anyP := false
	for _, v := range prefix.order {
		if !p(v) {
			continue
		}
		anyP = true
		if !q(v) {
			l.addStart(v)
		}
	}
	if !anyP {
		res.Holds, res.Vacuous = true, true
		return res, nil
	}
	l.starts = l.region
	if len(l.starts) == 0 {
		res.Holds = true // every P state is a Q state
		return res, nil
	}
	l.explore(q)
	l.classify()
	l.decompose()
	for _, v := range l.starts {
		if l.reachesBad[l.component[v]] {
			res.Lasso = l.lasso(prefix, v)
			return res, nil
		}
	}
	res.Holds = true
	return res, nil
}

// LivenessBytes is the most memory the analysis of one liveness
// property (LeadsTo, Eventually, AlwaysEventually) allocates on a graph
// of states states and edges edges, with up to fairness fairness
// classes, besides the counterexample's trace:
//
//   - per state, 8 bytes for the shortest-path tree, 1 for its mark, 4
//     for its place in the region, 12 for its component, fair set and
//     refinement stamp, 25 for the strongly connected component search
//     (number, low link, flag, Tarjan's stack, the call stack of 8 and
//     the states visited), 9 for the components in order, their bounds
//     and whether they reach a bad state, 5 for the lasso's path search
//     and 1 for Eventually's initial states: 65 bytes, each made once at
//     its largest, never copied as it grows;
//   - per state, 12 bytes for the refinement of strongly connected
//     components by strong fairness: the states of the parts it splits a
//     component into, at most twice the component's, and their bounds,
//     made at the first split;
//   - per fairness class, a bit per state and a bit per edge, and a bit
//     per state for the states where no fair action is enabled.
//
// What it reads (the graph) is not counted.
// TestLivenessBytesBoundsAllocation holds the analysis to it: everything
// it allocates, on a graph that is one component, on one where every
// state is its own, on one of many small fair sets and on one that
// strong fairness splits into many small components.
func LivenessBytes(states, edges, fairness int) int64 {
	n, m, f := int64(states), int64(edges), int64(fairness)
	return n*(65+12) + f*(n+m+128)/8 + (n+64)/8 + 64<<10
}

// checkGraph returns an error if liveness cannot be decided on g.
func checkGraph[S comparable, A any](g *Graph[S, A]) error {
	switch {
	case g == nil:
		return errors.New("checker: nil Graph")
	case g.NumStates() >= math.MaxInt32 || g.NumEdges() >= math.MaxInt32:
		return errors.New("checker: graph too large for liveness (2³¹ states or edges)")
	}
	return nil
}

// A liveBits is a set of numbers of states or edges.
type liveBits []uint64

func newLiveBits(n int) liveBits    { return make(liveBits, (n+63)/64) }
func (b liveBits) has(i int32) bool { return b[i>>6]&(1<<(i&63)) != 0 }
func (b liveBits) add(i int32)      { b[i>>6] |= 1 << (i & 63) }

// prefixes is a breadth-first search of the whole graph from its initial
// states: the states reachable, in the order found, and the edge that first
// reached each, from which the prefix of a counterexample is a shortest
// path.
type prefixes struct {
	order  []int32 // reachable states in breadth-first order
	parent []int32 // edge that first reached a state; -1 for initial, -2 unreached
}

// shortestPaths returns the prefixes of g, computed by the first
// analysis that asks and kept with the graph for the others: the
// properties of a check (CheckTemporal) each decide on the same graph.
func (g *Graph[S, A]) shortestPaths() *prefixes {
	g.prefixOnce.Do(func() { g.prefix = newPrefixes(g) })
	return g.prefix
}

func newPrefixes[S comparable, A any](g *Graph[S, A]) *prefixes {
	b := &prefixes{parent: make([]int32, g.NumStates()), order: make([]int32, 0, g.NumStates())}
	for i := range b.parent {
		b.parent[i] = -2
	}
	for _, v := range g.Initial() {
		if b.parent[v] == -2 {
			b.parent[v] = -1
			b.order = append(b.order, int32(v))
		}
	}
	for k := 0; k < len(b.order); k++ {
		lo, hi := g.span(b.order[k])
		for e := lo; e < hi; e++ {
			if w := g.to(e); b.parent[w] == -2 {
				b.parent[w] = e
				b.order = append(b.order, w)
			}
		}
	}
	return b
}

// tracePath returns the edges of the shortest path found from an initial
// state to v, and that initial state.
func tracePath[S comparable, A any](b *prefixes, g *Graph[S, A], v int32) (int32, []int32) {
	var path []int32
	for b.parent[v] >= 0 {
		e := b.parent[v]
		path = append(path, e)
		v = int32(g.source(int(e)))
	}
	slices.Reverse(path)
	return v, path
}

// A liveness holds the analysis of one P ~> Q.
type liveness[S comparable, A any] struct {
	g        *Graph[S, A]
	fairness []Fairness[A]

	// starts are the reachable P∧¬Q states, in breadth-first order from
	// the initial states: the first states of the region.
	starts []int32
	// The region: ¬Q states reachable from a start through ¬Q states, in
	// breadth-first order from the starts. mark tells, for each state,
	// whether it is in the region (inRegion), known to satisfy Q
	// (satisfiesQ), or not looked at.
	region []int32
	mark   []uint8

	// enabled[c] holds the region states where class c is enabled,
	// inClass[c] the edges leaving a region state (self loops aside) whose
	// action is in class c, and stutters the region states where
	// stuttering forever is fair: no class is enabled.
	enabled  []liveBits
	inClass  []liveBits
	stutters liveBits

	// The strongly connected components of the region, in reverse
	// topological order: component c is order[bounds[c]:bounds[c+1]].
	// component[v] is the component of a region state v; reachesBad[c]
	// says whether a fair behaviour can stay in the region from c on.
	order      []int32
	bounds     []int32
	component  []int32
	reachesBad []bool

	// fairSets is how many strongly connected sets of region states were
	// found to hold a fair cycle; fairSet[v] is the index of the set of v,
	// -1 if none.
	fairSets int32
	fairSet  []int32

	// member[v] == stamp marks the states of the set being refined.
	member []int32
	stamp  int32
	// refining is the refinement's scratch (refine).
	refining struct {
		enabledSomewhere, disabledSomewhere, taken []bool
		failing                                    []int
		parts                                      [][2]int32
		pool                                       []int32
	}

	scc   *sccSearch[S, A]
	paths *pathSearch[S, A]
}

// bytes is the memory l holds, as allocated.
func (l *liveness[S, A]) bytes() int64 {
	b := capBytes(l.region) + capBytes(l.mark) + capBytes(l.stutters) +
		capBytes(l.order) + capBytes(l.bounds) + capBytes(l.component) + capBytes(l.reachesBad) +
		capBytes(l.fairSet) + capBytes(l.member) +
		capBytes(l.enabled) + capBytes(l.inClass) + capBytes(l.refining.parts) + capBytes(l.refining.pool)
	for c := range l.enabled {
		b += capBytes(l.enabled[c]) + capBytes(l.inClass[c])
	}
	if t := l.scc; t != nil {
		b += capBytes(t.number) + capBytes(t.low) + capBytes(t.onStack) + capBytes(t.stack) + capBytes(t.frames) + capBytes(t.visited)
	}
	if p := l.paths; p != nil {
		b += capBytes(p.parent) + capBytes(p.seen) + capBytes(p.touched) + capBytes(p.queue)
	}
	return b
}

// PathBytes is the memory of the shortest paths from the initial states
// that g keeps once an analysis has made them (LivenessResult.Bytes). It
// is not to be called while an analysis of g runs.
func (g *Graph[S, A]) PathBytes() int64 {
	if g.prefix == nil {
		return 0
	}
	return capBytes(g.prefix.order) + capBytes(g.prefix.parent)
}

// Marks of the states.
const (
	unseen uint8 = iota
	inRegion
	satisfiesQ
)

func newLiveness[S comparable, A any](g *Graph[S, A], fairness []Fairness[A]) *liveness[S, A] {
	// The region holds at most every state: made that large at once, it
	// is never copied as it grows (see LivenessBytes).
	return &liveness[S, A]{
		g:        g,
		fairness: fairness,
		mark:     make([]uint8, g.NumStates()),
		region:   make([]int32, 0, g.NumStates()),
	}
}

// addStart adds a reachable P∧¬Q state, each once, before the region
// is explored (the starts are its first states).
func (l *liveness[S, A]) addStart(v int32) {
	l.mark[v] = inRegion
	l.region = append(l.region, v)
}

// explore finds the region: the ¬Q states reachable from the starts
// through ¬Q states.
func (l *liveness[S, A]) explore(q func(int32) bool) {
	g := l.g
	for k := 0; k < len(l.region); k++ {
		lo, hi := g.span(l.region[k])
		for e := lo; e < hi; e++ {
			w := g.to(e)
			if l.mark[w] != unseen {
				continue
			}
			if q(w) {
				l.mark[w] = satisfiesQ
				continue
			}
			l.mark[w] = inRegion
			l.region = append(l.region, w)
		}
	}
}

// classify finds, for each fairness class, the region states where it is
// enabled and the edges leaving region states that are in it. Enabledness
// counts every edge of the graph, including those leaving the region.
func (l *liveness[S, A]) classify() {
	g := l.g
	l.enabled = make([]liveBits, len(l.fairness))
	l.inClass = make([]liveBits, len(l.fairness))
	// Whether an action is in a class is asked once for each distinct
	// action: includes[c] has bit a set if class c includes action a.
	includes := make([]liveBits, len(l.fairness))
	for c, f := range l.fairness {
		l.enabled[c] = newLiveBits(g.NumStates())
		l.inClass[c] = newLiveBits(g.NumEdges())
		includes[c] = newLiveBits(len(g.actions))
		for a, act := range g.actions {
			if f.Includes(act) {
				includes[c].add(int32(a))
			}
		}
	}
	l.stutters = newLiveBits(g.NumStates())
	for _, v := range l.region {
		calm := true
		lo, hi := g.span(v)
		for e := lo; e < hi; e++ {
			edge := g.edges.at(int(e))
			if edge.to == v {
				continue // a stuttering step
			}
			for c := range l.fairness {
				if includes[c].has(int32(edge.action)) {
					l.inClass[c].add(e)
					l.enabled[c].add(v)
					calm = false
				}
			}
		}
		if calm {
			l.stutters.add(v)
		}
	}
}

// bad reports whether a fair behaviour can stay forever at the region
// state v, where stuttering is fair, or in the fair set of v.
func (l *liveness[S, A]) bad(v int32) bool {
	return l.stutters.has(v) || l.fairSet[v] >= 0
}

// decompose finds the strongly connected components of the region, the
// fair sets within them, and which components can reach a bad state.
func (l *liveness[S, A]) decompose() {
	g := l.g
	n := g.NumStates()
	l.scc = newSCCSearch(g)
	l.component = make([]int32, n)
	l.fairSet = make([]int32, n)
	for i := range l.fairSet {
		l.fairSet[i] = -1
	}
	l.member = make([]int32, n)
	inside := func(v int) bool { return l.mark[v] == inRegion }
	// As many components as states at most, in order.
	l.order = make([]int32, 0, len(l.region))
	l.bounds = append(make([]int32, 0, len(l.region)+1), 0)
	l.scc.components(slices.Values(l.region), inside, func(comp []int32) {
		c := int32(len(l.bounds) - 1)
		for _, v := range comp {
			l.component[v] = c
		}
		l.order = append(l.order, comp...)
		l.bounds = append(l.bounds, int32(len(l.order)))
	})
	l.reachesBad = make([]bool, len(l.bounds)-1)
	for c := range l.reachesBad {
		if comp := l.order[l.bounds[c]:l.bounds[c+1]]; len(comp) > 1 {
			l.refine(comp)
		}
	}
	// With no bad state in the region (as when the property holds),
	// none reaches one: the edges need not be read again.
	if l.fairSets == 0 && !slices.ContainsFunc(l.stutters, func(w uint64) bool { return w != 0 }) {
		return
	}
	// A component comes after every component it reaches.
	for c := range l.reachesBad {
		l.reachesBad[c] = l.reaches(int32(c), l.order[l.bounds[c]:l.bounds[c+1]])
	}
}

// reaches reports whether a bad state can be reached from component c,
// whose states are comp, when the components it reaches are decided.
func (l *liveness[S, A]) reaches(c int32, comp []int32) bool {
	g := l.g
	for _, v := range comp {
		if l.bad(v) {
			return true
		}
	}
	for _, v := range comp {
		lo, hi := g.span(v)
		for e := lo; e < hi; e++ {
			w := g.to(e)
			if l.mark[w] == inRegion && l.component[w] != c && l.reachesBad[l.component[w]] {
				return true
			}
		}
	}
	return false
}

// refine finds the fair sets within comp, a strongly connected set of at
// least two states, and numbers them in fairSet.
//
// A set of states X, strongly connected by edges between its states, holds
// a fair cycle if and only if the cycle through all its states and edges
// is fair. That cycle is weakly fair to a class if an edge of the class
// lies within X or the class is disabled in some state of X; strongly fair
// if an edge of the class lies within X or the class is disabled in every
// state of X. If a weak class fails, no cycle within X is fair: each one
// has the class enabled throughout and never takes it. If a strong class
// fails, a fair cycle within X must avoid the states where it is enabled:
// they are removed and the rest is decomposed again.
func (l *liveness[S, A]) refine(comp []int32) {
	g := l.g
	k := len(l.fairness)
	// The scratch of every call, made at the first.
	r := &l.refining
	if r.taken == nil {
		r.enabledSomewhere, r.disabledSomewhere, r.taken = make([]bool, k), make([]bool, k), make([]bool, k)
		r.failing = make([]int, 0, k)
	}
	enabledSomewhere, disabledSomewhere, taken, failing := r.enabledSomewhere, r.disabledSomewhere, r.taken, r.failing
	// The sets to refine: comp first (a part of l.order, read and not
	// changed), then the parts found in one, their states copied into
	// r.pool and their bounds kept on r.parts, a stack. The top part's
	// states are the last in the pool: the parts found in it are written
	// after it, then moved down over it. So the pool holds the states of
	// the parts waiting, disjoint sets of comp's, and at most those of
	// the one refined and its parts besides: twice comp's, and half as
	// many parts.
	parts, pool := r.parts[:0], r.pool[:0]
	defer func() { r.parts, r.pool = parts[:0], pool[:0] }()
	x, xlo := comp, -1 // xlo: where x is in the pool, -1 for comp
	for {
		l.stamp++
		for _, v := range x {
			l.member[v] = l.stamp
		}
		clear(enabledSomewhere)
		clear(disabledSomewhere)
		clear(taken)
		for _, v := range x {
			for c := range k {
				if l.enabled[c].has(v) {
					enabledSomewhere[c] = true
				} else {
					disabledSomewhere[c] = true
				}
			}
			lo, hi := g.span(v)
			for e := lo; e < hi; e++ {
				w := g.to(e)
				if w == v || l.member[w] != l.stamp {
					continue
				}
				for c := range k {
					if l.inClass[c].has(e) {
						taken[c] = true
					}
				}
			}
		}
		weakFails := false
		failing = failing[:0]
		for c, f := range l.fairness {
			switch {
			case taken[c]:
			case !f.Strong && !disabledSomewhere[c]:
				weakFails = true
			case f.Strong && enabledSomewhere[c]:
				failing = append(failing, c)
			}
		}
		switch {
		case weakFails:
			// No cycle within x is fair.
		case len(failing) == 0:
			for _, v := range x {
				l.fairSet[v] = l.fairSets
			}
			l.fairSets++
		default:
			l.stamp++
			for _, v := range x {
				if !slices.ContainsFunc(failing, func(c int) bool { return l.enabled[c].has(v) }) {
					l.member[v] = l.stamp
				}
			}
			if cap(pool) < 2*len(comp) {
				pool, parts = make([]int32, 0, 2*len(comp)), make([][2]int32, 0, len(comp)/2+1)
				if xlo >= 0 {
					panic("checker: liveness: the refinement's pool made while in use")
				}
			}
			keep, found := l.stamp, len(parts)
			l.scc.components(slices.Values(x), func(v int) bool { return l.member[v] == keep }, func(sub []int32) {
				if len(sub) > 1 {
					parts = append(parts, [2]int32{int32(len(pool)), int32(len(pool) + len(sub))})
					pool = append(pool, sub...)
				}
			})
			if xlo >= 0 { // move x's parts down over it
				shift := int32(len(x))
				copy(pool[xlo:], pool[xlo+len(x):])
				pool = pool[:len(pool)-len(x)]
				for i := found; i < len(parts); i++ {
					parts[i][0] -= shift
					parts[i][1] -= shift
				}
				xlo = -1
			}
		}
		if xlo >= 0 {
			pool = pool[:xlo] // x is done with
		}
		if len(parts) == 0 {
			return
		}
		top := parts[len(parts)-1]
		parts = parts[:len(parts)-1]
		x, xlo = pool[top[0]:top[1]], int(top[0])
	}
}

// lasso builds the counterexample from the start from, whose component
// reaches a bad state: a shortest path from an initial state to from, a
// shortest path in the region from there to a bad state t, and either
// stuttering in t or a cycle through t within its fair set.
func (l *liveness[S, A]) lasso(prefix *prefixes, from int32) *Lasso[S, A] {
	g := l.g
	l.paths = newPathSearch(g)
	init, edges := tracePath(prefix, g, from)
	toBad := l.paths.find(from,
		func(v int32) bool { return l.mark[v] == inRegion },
		l.bad, nil)
	if toBad == nil {
		panic("checker: liveness: no path to a fair end from a state that reaches one")
	}
	edges = append(edges, toBad...)
	t := from
	if len(toBad) > 0 {
		t = g.to(toBad[len(toBad)-1])
	}
	loopStart := len(edges)
	stutter := l.stutters.has(t)
	if !stutter {
		edges = append(edges, l.cycle(t)...)
	}
	return &Lasso[S, A]{Trace: traceOf(g, init, edges), LoopStart: loopStart, Stutter: stutter}
}

// traceOf returns the trace that starts in the state init and follows
// edges.
func traceOf[S comparable, A any](g *Graph[S, A], init int32, edges []int32) []Step[S, A] {
	trace := make([]Step[S, A], 0, len(edges)+1)
	trace = append(trace, Step[S, A]{State: g.State(int(init))})
	for _, e := range edges {
		edge := g.edges.at(int(e))
		trace = append(trace, Step[S, A]{Action: g.actions[edge.action], HasAction: true, State: g.State(int(edge.to))})
	}
	return trace
}

// cycle returns the edges of a fair cycle from t back to t within the fair
// set of t. It goes, each time by a shortest path, to the nearest edge or
// state that satisfies a fairness class not yet satisfied, until every
// class is, then back to t: a strong class enabled in the set needs an
// edge of the class, a weak class an edge of the class or a state where it
// is disabled.
func (l *liveness[S, A]) cycle(t int32) []int32 {
	g := l.g
	id := l.fairSet[t]
	inside := func(v int32) bool { return l.fairSet[v] == id }
	need := make([]bool, len(l.fairness))
	needed := 0
	for c, f := range l.fairness {
		need[c] = !f.Strong || slices.ContainsFunc(l.region, func(v int32) bool { return inside(v) && l.enabled[c].has(v) })
		if need[c] {
			needed++
		}
	}
	visit := func(v int32) {
		for c, f := range l.fairness {
			if need[c] && !f.Strong && !l.enabled[c].has(v) {
				need[c] = false
				needed--
			}
		}
	}
	take := func(e int32) {
		for c := range l.fairness {
			if need[c] && l.inClass[c].has(e) {
				need[c] = false
				needed--
			}
		}
	}
	witnessState := func(v int32) bool {
		for c, f := range l.fairness {
			if need[c] && !f.Strong && !l.enabled[c].has(v) {
				return true
			}
		}
		return false
	}
	witnessEdge := func(e int32) bool {
		for c := range l.fairness {
			if need[c] && l.inClass[c].has(e) {
				return true
			}
		}
		return false
	}
	var cycle []int32
	cur := t
	visit(t)
	for needed > 0 {
		path := l.paths.find(cur, inside, witnessState, witnessEdge)
		if len(path) == 0 {
			panic("checker: liveness: a fair set without the witness of a fairness class")
		}
		for _, e := range path {
			take(e)
			visit(g.to(e))
		}
		cycle = append(cycle, path...)
		cur = g.to(path[len(path)-1])
	}
	if cur != t || len(cycle) == 0 {
		back := l.paths.find(cur, inside, nil, func(e int32) bool { return g.to(e) == t })
		if len(back) == 0 {
			panic("checker: liveness: a fair set that is not strongly connected")
		}
		cycle = append(cycle, back...)
	}
	return cycle
}

// A pathSearch finds shortest paths by breadth-first search within parts
// of a graph, again and again, at a cost proportional to the part searched.
type pathSearch[S comparable, A any] struct {
	g       *Graph[S, A]
	parent  []int32 // edge that first reached a state; -1 for the source
	seen    []bool
	touched []int32 // states seen, to reset seen at the end
	queue   []int32
}

func newPathSearch[S comparable, A any](g *Graph[S, A]) *pathSearch[S, A] {
	return &pathSearch[S, A]{
		g:      g,
		parent: make([]int32, g.NumStates()),
		seen:   make([]bool, g.NumStates()),
	}
}

// find returns the edges of a shortest path from the state from, through
// states for which inside is true and edges other than self loops, to the
// nearest state for which atState is true (an empty path if from is one)
// or through the nearest edge for which atEdge is true; nil if there is
// none. atState and atEdge may be nil. Among paths of the same length, the
// first found following the edges in the order of g.Out wins.
func (p *pathSearch[S, A]) find(from int32, inside, atState func(int32) bool, atEdge func(int32) bool) []int32 {
	defer p.reset()
	p.mark(from, -1)
	if atState != nil && atState(from) {
		return []int32{}
	}
	p.queue = append(p.queue[:0], from)
	for k := 0; k < len(p.queue); k++ {
		x := p.queue[k]
		lo, hi := p.g.span(x)
		for e := lo; e < hi; e++ {
			w := p.g.to(e)
			if w == x || !inside(w) {
				continue
			}
			if atEdge != nil && atEdge(e) {
				return append(p.path(x), e)
			}
			if p.seen[w] {
				continue
			}
			p.mark(w, e)
			p.queue = append(p.queue, w)
			if atState != nil && atState(w) {
				return p.path(w)
			}
		}
	}
	return nil
}

func (p *pathSearch[S, A]) mark(v, parent int32) {
	p.seen[v] = true
	p.parent[v] = parent
	p.touched = append(p.touched, v)
}

// path returns the edges from the source of the search to v.
func (p *pathSearch[S, A]) path(v int32) []int32 {
	path := []int32{}
	for p.parent[v] >= 0 {
		e := p.parent[v]
		path = append(path, e)
		v = int32(p.g.source(int(e)))
	}
	slices.Reverse(path)
	return path
}

func (p *pathSearch[S, A]) reset() {
	for _, v := range p.touched {
		p.seen[v] = false
	}
	p.touched = p.touched[:0]
}
