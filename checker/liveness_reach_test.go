package checker

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// crashingCounter counts 0, 1, 2 and resets, but may crash from 1 into a
// loop between 3 and 4 that it never leaves.
func crashingCounter() toy[int] {
	return graphOf([][]move[int]{
		0: {{"inc", 1}},
		1: {{"inc", 2}, {"crash", 3}},
		2: {{"reset", 0}},
		3: {{"spin", 4}},
		4: {{"spin", 3}},
	})
}

func TestCanAlwaysReachTrap(t *testing.T) {
	g := completeGraph(t, crashingCounter())
	res, err := CanAlwaysReach(g, oneOf(0))
	require.NoError(t, err)
	require.False(t, res.Holds)
	require.False(t, res.Vacuous)
	require.Nil(t, res.Lasso)
	require.Equal(t, []Step[int, string]{start(0), step("inc", 1), step("crash", 3)}, res.Trap)

	// Every state can still crash into 3, or is in the loop.
	res, err = CanAlwaysReach(g, oneOf(3))
	require.NoError(t, err)
	require.True(t, res.Holds)
}

func TestCanAlwaysReachTerminalTrap(t *testing.T) {
	g := completeGraph(t, line(3))
	res, err := CanAlwaysReach(g, oneOf(0))
	require.NoError(t, err)
	require.Equal(t, []Step[int, string]{start(0), step("inc", 1)}, res.Trap)

	res, err = CanAlwaysReach(g, oneOf(2))
	require.NoError(t, err)
	require.True(t, res.Holds)
}

func TestCanAlwaysReachNeverTrue(t *testing.T) {
	// The initial state is already a trap.
	g := completeGraph(t, counter(3))
	res, err := CanAlwaysReach(g, nowhere[int])
	require.NoError(t, err)
	require.False(t, res.Holds)
	require.Equal(t, []Step[int, string]{start(0)}, res.Trap)
}

func TestCanAlwaysReachIsNotAlwaysEventually(t *testing.T) {
	// The counter can always still reach 2, but a fair behaviour may reset
	// before 2 forever.
	g := completeGraph(t, counter(3))
	res, err := CanAlwaysReach(g, oneOf(2))
	require.NoError(t, err)
	require.True(t, res.Holds)
	require.False(t, res.Vacuous)

	ae, err := AlwaysEventually(g, oneOf(2), []Fairness[string]{wf("counter", "inc", "reset")})
	require.NoError(t, err)
	require.False(t, ae.Holds)
}

func TestCanAlwaysReachAgainstReachability(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lg := drawLiveGraph(t)
		g := lg.v
		reach := lg.reachable(g.Initial, func(int) bool { return true })
		// dist is the length of a shortest path from an initial state.
		dist := make([]int, len(g.States))
		for v := range dist {
			dist[v] = -1
		}
		for _, v := range g.Initial {
			dist[v] = 0
		}
		for changed := true; changed; {
			changed = false
			for _, e := range g.Edges {
				if dist[e.From] >= 0 && (dist[e.To] < 0 || dist[e.From]+1 < dist[e.To]) {
					dist[e.To], changed = dist[e.From]+1, true
				}
			}
		}
		// A trap is a reachable state from which no P state is reachable.
		nearest := -1
		for v := range g.States {
			if !reach[v] {
				continue
			}
			from := lg.reachable([]int{v}, func(int) bool { return true })
			trapped := true
			for w := range g.States {
				trapped = trapped && !(from[w] && lg.p[w])
			}
			if trapped && (nearest < 0 || dist[v] < dist[nearest]) {
				nearest = v
			}
		}

		res, err := CanAlwaysReach(lg.g, func(v *int) bool { return lg.p[*v] })
		require.NoError(t, err)
		require.Equal(t, nearest < 0, res.Holds)
		require.False(t, res.Vacuous)
		if nearest < 0 {
			require.Nil(t, res.Trap)
			return
		}
		// A shortest trace to a trap.
		trap := res.Trap
		require.Len(t, trap, dist[nearest]+1)
		require.False(t, trap[0].HasAction)
		require.Contains(t, g.Initial, trap[0].State)
		for k := 1; k < len(trap); k++ {
			require.Contains(t, g.Edges, Edge[string]{From: trap[k-1].State, To: trap[k].State, Action: trap[k].Action})
		}
		last := lg.reachable([]int{trap[len(trap)-1].State}, func(int) bool { return true })
		for w := range g.States {
			require.False(t, last[w] && lg.p[w], "%d reaches the P state %d", trap[len(trap)-1].State, w)
		}
	})
}
