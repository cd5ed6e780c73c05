package checker

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// point is a state of the plane system below.
type point struct{ X, Y int }

// plane starts at (0,0) and (5,0), and moves right, up, or swaps X and Y.
// It is infinite: only the constraints bound it.
func plane() toy[point] {
	return toy[point]{
		init: []point{{0, 0}, {5, 0}},
		next: func(p point) []move[point] {
			return []move[point]{
				{"right", point{p.X + 1, p.Y}},
				{"up", point{p.X, p.Y + 1}},
				{"swap", point{p.Y, p.X}},
			}
		},
	}
}

// TestConstraintFigures checks TLC's figures on plane with the state
// constraint X <= 2 && Y <= 1 and the action constraint "no swap when
// X == Y", worked out by hand (g: generated so far; * new, - rejected by
// the state constraint, ~ by the action constraint, = already stored):
//
//	init (0,0)*      d1                               g=1
//	init (5,0)-                                       g=2
//	(0,0): right (1,0)* d2, up (0,1)* d2, swap (0,0)~ g=5
//	(1,0): right (2,0)* d3, up (1,1)* d3, swap (0,1)= g=8
//	(0,1): right (1,1)=, up (0,2)-, swap (1,0)=       g=11
//	(2,0): right (3,0)-, up (2,1)* d4, swap (0,2)-    g=14
//	(1,1): right (2,1)=, up (1,2)-, swap (1,1)~       g=17
//	(2,1): right (3,1)-, up (2,2)-, swap (1,2)-       g=20
//
// Distinct 6, generated 20, depth 4. (2,1) has transitions, all to states
// outside the constraint: not a deadlock.
func TestConstraintFigures(t *testing.T) {
	opts := Options[point, string]{
		StateConstraint:  func(p point) bool { return p.X <= 2 && p.Y <= 1 },
		ActionConstraint: func(from point, a string, _ point) bool { return !(a == "swap" && from.X == from.Y) },
		CheckDeadlock:    true,
		KeepGraph:        true,
	}
	for _, strategy := range []Strategy{BFS, DFS} {
		for _, kind := range []StoreKind{ExactStore, FingerprintStore} {
			opts.Strategy, opts.Store = strategy, kind
			res := explore(t, plane(), opts)
			require.Equal(t, Holds, res.Verdict)
			require.Equal(t, 6, res.Stats.Distinct)
			require.Equal(t, 20, res.Stats.Generated)
			if strategy == BFS {
				require.Equal(t, 4, res.Stats.Depth)
			}
			// Edges: the transitions taken between stored states, = and *.
			require.Equal(t, 9, res.Graph.NumEdges())
		}
	}
}

// TestTransitionInvariantOutsideStateConstraint: a transition allowed by
// the action constraint is checked even if its successor is outside the
// state constraint.
func TestTransitionInvariantOutsideStateConstraint(t *testing.T) {
	res := explore(t, line(10), Options[int, string]{
		StateConstraint: func(x int) bool { return x <= 2 },
		TransitionInvariants: []TransitionInvariant[int, string]{{
			Name:  "below3",
			Holds: func(_ *int, _ string, to *int) bool { return *to < 3 },
		}},
	})
	require.Equal(t, Violated, res.Verdict)
	require.Equal(t, []int{0, 1, 2, 3}, states(res.Violations[0].Trace))
	require.NoError(t, Replay(line(10), res.Violations[0].Trace))
}

// TestActionConstraintNotChecked: a transition the action constraint
// rejects is not taken, so its transition invariant is not checked.
func TestActionConstraintNotChecked(t *testing.T) {
	res := explore(t, counter(5), Options[int, string]{
		ActionConstraint: func(_ int, a string, _ int) bool { return a != "reset" },
		TransitionInvariants: []TransitionInvariant[int, string]{{
			Name:  "monotone",
			Holds: func(from *int, _ string, to *int) bool { return *to >= *from },
		}},
	})
	require.Equal(t, Holds, res.Verdict)
	require.Equal(t, 5, res.Stats.Distinct)
	require.Equal(t, 10, res.Stats.Generated) // rejected resets count
}

// TestInitialStateConstraint: an initial state outside the constraint is
// generated, not stored, and its invariants are not checked.
func TestInitialStateConstraint(t *testing.T) {
	res := explore(t, plane(), Options[point, string]{
		StateConstraint: func(p point) bool { return p.X >= 5 && p.X <= 6 && p.Y == 0 },
		Invariants:      []Invariant[point]{{Name: "notOrigin", Holds: func(p *point) bool { return *p != point{} }}},
	})
	require.Equal(t, Holds, res.Verdict)
	// (5,0) → right (6,0)*, up -, swap -; (6,0) → right -, up -, swap -.
	require.Equal(t, 2, res.Stats.Distinct)
	require.Equal(t, 2+3+3, res.Stats.Generated)
	require.Equal(t, 2, res.Stats.Depth)
}
