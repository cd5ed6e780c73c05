package checker

import (
	"math"
	"slices"
)

// SCCs returns the strongly connected components of the subgraph of g
// induced by the states i for which in(i) is true (every state if in is
// nil): two states are in the same component if each can reach the other
// through transitions between states of the subgraph. Every state of the
// subgraph is in exactly one component; a state on no cycle is a component
// of its own, whether or not it has a self loop.
//
// The order is deterministic. Each component lists its states in
// increasing number, and a component comes after every component it can
// reach (reverse topological order), ties broken by Tarjan's algorithm run
// from the states in increasing number, following edges in the order of
// g.Out.
//
// The search keeps an explicit stack, never recursing, so it works on
// graphs of millions of states; it takes time linear in the size of the
// subgraph and calls in once or more for each state and edge.
func SCCs[S comparable, A any](g *Graph[S, A], in func(state int) bool) [][]int {
	var comps [][]int
	t := newSCCSearch(g)
	t.components(allStates(g.NumStates()), in, func(comp []int32) {
		c := make([]int, len(comp))
		for k, v := range comp {
			c[k] = int(v)
		}
		slices.Sort(c)
		comps = append(comps, c)
	})
	return comps
}

// allStates yields 0, 1, …, n-1.
func allStates(n int) func(yield func(int32) bool) {
	return func(yield func(int32) bool) {
		for v := range int32(n) {
			if !yield(v) {
				return
			}
		}
	}
}

// An sccSearch is the memory of Tarjan's algorithm over a graph, kept so
// that it can run again and again on parts of the graph (as the fairness
// refinement of the liveness checker does) at a cost proportional to the
// part searched, not to the whole graph.
type sccSearch[S comparable, A any] struct {
	g *Graph[S, A]
	// number[v] is the preorder number of v (from 1) while a search is in
	// progress, 0 if v has not been visited; it is reset to 0 for every
	// visited state at the end of a search.
	number  []int32
	low     []int32
	onStack []bool
	stack   []int32    // Tarjan's stack of visited states not yet in a component
	frames  []sccFrame // the call stack a recursive version would have
	visited []int32    // every state visited, to reset number at the end
}

// An sccFrame is a state being searched and the position, among the edges
// leaving the state, of the next edge to follow.
type sccFrame struct {
	state, next int32
}

func newSCCSearch[S comparable, A any](g *Graph[S, A]) *sccSearch[S, A] {
	n := g.NumStates()
	// The stacks and the list of states visited hold at most every
	// state: made that large at once, they are never copied as they grow
	// (a copy holds the old and the new), and the search allocates
	// LivenessBytes' count.
	return &sccSearch[S, A]{
		g:       g,
		number:  make([]int32, n),
		low:     make([]int32, n),
		onStack: make([]bool, n),
		stack:   make([]int32, 0, n),
		frames:  make([]sccFrame, 0, n),
		visited: make([]int32, 0, n),
	}
}

// components runs Tarjan's algorithm on the subgraph induced by the states
// for which in is true (all if in is nil), starting from each root in the
// order given (roots outside the subgraph are skipped), and calls emit with
// each component found, in reverse topological order. The slice passed to
// emit is valid only during the call.
func (t *sccSearch[S, A]) components(roots func(yield func(int32) bool), in func(int) bool, emit func([]int32)) {
	var count int32
	for r := range roots {
		if t.number[r] != 0 || (in != nil && !in(int(r))) {
			continue
		}
		count = t.visit(r, count)
		for len(t.frames) > 0 {
			f := &t.frames[len(t.frames)-1]
			v := f.state
			lo, hi := t.g.span(v)
			if lo+f.next < hi {
				w := t.g.to(lo + f.next)
				f.next++
				switch {
				case t.number[w] == 0:
					if in == nil || in(int(w)) {
						count = t.visit(w, count)
					}
				case t.onStack[w]:
					t.low[v] = min(t.low[v], t.number[w])
				}
				continue
			}
			t.frames = t.frames[:len(t.frames)-1]
			if t.low[v] == t.number[v] {
				k := len(t.stack) - 1
				for t.stack[k] != v {
					k--
				}
				comp := t.stack[k:]
				for _, w := range comp {
					t.onStack[w] = false
				}
				emit(comp)
				t.stack = t.stack[:k]
			}
			if n := len(t.frames); n > 0 {
				u := t.frames[n-1].state
				t.low[u] = min(t.low[u], t.low[v])
			}
		}
	}
	for _, v := range t.visited {
		t.number[v] = 0
	}
	t.visited = t.visited[:0]
}

// visit numbers v, pushes it on Tarjan's stack and starts searching it.
func (t *sccSearch[S, A]) visit(v, count int32) int32 {
	if count == math.MaxInt32 {
		panic("checker: more than 2³¹-1 states in a strongly connected component search")
	}
	count++
	t.number[v], t.low[v] = count, count
	t.onStack[v] = true
	t.stack = append(t.stack, v)
	t.frames = append(t.frames, sccFrame{v, 0})
	t.visited = append(t.visited, v)
	return count
}
