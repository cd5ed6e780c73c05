package diagram_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/model/diagram"
)

// exploration is what the naive explorer found.
type exploration struct {
	depth     map[diagram.State]int // BFS level, initial states at 1
	order     []diagram.State       // in the order found
	generated int                   // TLC's "states generated"
	maxDepth  int                   // TLC's "depth of the complete state graph search"
}

// explore is a naive breadth-first search with TLC's semantics for
// constraints: every successor counts as generated; a transition the
// action constraint rejects is not taken; a state the state constraint
// rejects (initial states included) is neither stored nor expanded. It
// stops, incomplete, once more than limit states are stored.
func explore(m *diagram.Model, limit int) exploration {
	e := exploration{depth: map[diagram.State]int{}}
	add := func(s diagram.State, d int) {
		if !m.StateConstraint(s) {
			return
		}
		if _, ok := e.depth[s]; ok {
			return
		}
		e.depth[s] = d
		e.order = append(e.order, s)
		e.maxDepth = max(e.maxDepth, d)
	}
	for s := range m.Init() {
		e.generated++
		add(s, 1)
	}
	for i := 0; i < len(e.order) && len(e.order) <= limit; i++ {
		s := e.order[i]
		for a, t := range m.Next(s) {
			e.generated++
			if m.ActionConstraint(s, a, t) {
				add(t, e.depth[s]+1)
			}
		}
	}
	return e
}

// TestExploreMatchesTLC compares the reachable states of MCtcp with the
// figures TLC reports for it in tlaplus/Examples,
// specifications/tcp/manifest.json: distinctStates 1182, totalStates 6322,
// stateDepth 14.
func TestExploreMatchesTLC(t *testing.T) {
	e := explore(diagram.New(diagram.DefaultConfig()), 1<<20)
	require.Len(t, e.order, 1182, "distinct states")
	require.Equal(t, 6322, e.generated, "states generated")
	require.Equal(t, 14, e.maxDepth, "depth")

	for _, s := range e.order {
		require.True(t, diagram.EstablishedAgree(&s), "Inv fails in %v", s)
	}
}
