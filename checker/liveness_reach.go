package checker

import (
	"errors"
	"slices"
)

// CanAlwaysReach decides AG EF P on g: from every reachable state, some P
// state can still be reached (the state itself counts). It is not a
// property of behaviours but of the graph, so it needs no fairness: it
// fails if the system can fall into a trap, a part of the state space it
// cannot leave and where P never holds. The counterexample, Trap, is a
// shortest trace from an initial state to a trap state.
//
// g must be the graph of a complete search (see CompleteGraph). The error
// is for a malformed graph or a nil predicate.
func CanAlwaysReach[S comparable, A any](g *Graph[S, A], p func(*S) bool) (*LivenessResult[S, A], error) {
	if p == nil {
		return nil, errors.New("checker: CanAlwaysReach with a nil predicate")
	}
	if err := checkGraph(g); err != nil {
		return nil, err
	}
	prefix := g.shortestPaths()
	if len(prefix.order) == 0 {
		return &LivenessResult[S, A]{Holds: true, Vacuous: true}, nil
	}
	// Components come after every component they reach, so one pass in
	// their order tells which reach a P state.
	component := make([]int32, g.NumStates())
	var reaches []bool
	reached := func(v int) bool { return prefix.parent[v] != -2 }
	at := newDecoded(g).of(p)
	newSCCSearch(g).components(slices.Values(prefix.order), reached, func(comp []int32) {
		c := int32(len(reaches))
		ok := false
		for _, v := range comp {
			component[v] = c
			ok = ok || at(v)
		}
		for _, v := range comp {
			lo, hi := g.span(v)
			for e := lo; e < hi && !ok; e++ {
				w := g.to(e)
				ok = component[w] != c && reaches[component[w]]
			}
		}
		reaches = append(reaches, ok)
	})
	for _, v := range prefix.order {
		if reaches[component[v]] {
			continue
		}
		init, edges := tracePath(prefix, g, v)
		return &LivenessResult[S, A]{Trap: traceOf(g, init, edges)}, nil
	}
	return &LivenessResult[S, A]{Holds: true}, nil
}
