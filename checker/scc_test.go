package checker

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// literalGraph is the graph of states 0, 1, …, n-1 with the given initial
// states and edges.
func literalGraph(n int, initial []int, edges ...Edge[string]) *Graph[int, string] {
	states := make([]int, n)
	for i := range n {
		states[i] = i
	}
	return NewGraph(states, initial, edges)
}

// arrow is the edge from u to v labelled a.
func arrow(u int, a string, v int) Edge[string] { return Edge[string]{From: u, To: v, Action: a} }

// threeRooms is
//
//	6 -> 0 -> 1 -> 2 -> 0      {0, 1, 2}
//	          2 -> 3 <-> 4      {3, 4}
//	               4 -> 5 -> 5  {5}, with a self loop
//
// with no initial state reaching 6.
func threeRooms() *Graph[int, string] {
	return literalGraph(7, []int{0},
		arrow(0, "a", 1), arrow(1, "b", 2), arrow(2, "c", 0),
		arrow(2, "d", 3), arrow(3, "e", 4), arrow(4, "f", 3),
		arrow(4, "g", 5), arrow(5, "h", 5),
		arrow(6, "i", 0),
	)
}

func TestSCCsKnownComponents(t *testing.T) {
	// A component comes after every component it reaches.
	require.Equal(t, [][]int{{5}, {3, 4}, {0, 1, 2}, {6}}, SCCs(threeRooms(), nil))
}

func TestSCCsOfSubgraph(t *testing.T) {
	// Without 2 the first cycle is broken; edges to 2 are ignored.
	comps := SCCs(threeRooms(), func(v int) bool { return v != 2 })
	require.Equal(t, [][]int{{1}, {0}, {5}, {3, 4}, {6}}, comps)

	require.Empty(t, SCCs(threeRooms(), func(int) bool { return false }))
}

func TestSCCsOfExploredGraph(t *testing.T) {
	// diamond: 0 -> 1 -> 3 -> 0 and 0 -> 2 -> 3, all one component.
	res := explore(t, diamond(), Options[int, string]{KeepGraph: true})
	require.Equal(t, [][]int{{0, 1, 2, 3}}, SCCs(res.Graph, nil))

	// line: 0 -> 1 -> … -> 4, five components, the last state first.
	res = explore(t, line(5), Options[int, string]{KeepGraph: true})
	require.Equal(t, [][]int{{4}, {3}, {2}, {1}, {0}}, SCCs(res.Graph, nil))
}

// chainGraph is 0 -> 1 -> … -> n-1, and back to 0 if closed.
func chainGraph(n int, closed bool) *Graph[int, string] {
	var edges []Edge[string]
	for i := range n - 1 {
		edges = append(edges, arrow(i, "next", i+1))
	}
	if closed {
		edges = append(edges, arrow(n-1, "back", 0))
	}
	return literalGraph(n, []int{0}, edges...)
}

func TestSCCsDeepGraphs(t *testing.T) {
	// A recursive search would need a call stack 10⁵ frames deep.
	const n = 100_000
	comps := SCCs(chainGraph(n, true), nil)
	require.Len(t, comps, 1)
	require.Len(t, comps[0], n)
	require.True(t, slices.IsSorted(comps[0]))

	comps = SCCs(chainGraph(n, false), nil)
	require.Len(t, comps, n)
	for k, c := range comps {
		require.Equal(t, []int{n - 1 - k}, c)
	}
}

func TestSCCSearchReusable(t *testing.T) {
	// The liveness checker runs one search again and again on parts of a
	// graph: each run must start clean.
	g := threeRooms()
	s := newSCCSearch(g)
	collect := func(roots []int32, in func(int) bool) [][]int32 {
		var comps [][]int32
		s.components(slices.Values(roots), in, func(c []int32) { comps = append(comps, slices.Clone(c)) })
		return comps
	}
	all := collect([]int32{0, 1, 2, 3, 4, 5, 6}, nil)
	require.Equal(t, [][]int32{{5}, {3, 4}, {0, 1, 2}, {6}}, all)
	require.Equal(t, [][]int32{{3, 4}}, collect([]int32{3}, func(v int) bool { return v == 3 || v == 4 }))
	require.Equal(t, all, collect([]int32{0, 1, 2, 3, 4, 5, 6}, nil))
}

// TestSCCsAgainstReachability checks SCCs on random graphs against the
// definition: two states share a component if and only if each reaches the
// other within the subgraph, and a component comes after those it reaches.
func TestSCCsAgainstReachability(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 12).Draw(t, "n")
		var edges []Edge[string]
		for u := range n {
			for _, v := range rapid.SliceOfN(rapid.IntRange(0, n-1), 0, 3).Draw(t, "out") {
				edges = append(edges, arrow(u, "x", v))
			}
		}
		g := literalGraph(n, []int{0}, edges...)
		keep := rapid.SliceOfN(rapid.Bool(), n, n).Draw(t, "keep")
		in := func(v int) bool { return keep[v] }

		// reach[u][v]: v is reachable from u within the subgraph
		// (Floyd–Warshall).
		reach := make([][]bool, n)
		for u := range n {
			reach[u] = make([]bool, n)
			reach[u][u] = keep[u]
		}
		for _, e := range edges {
			if keep[e.From] && keep[e.To] {
				reach[e.From][e.To] = true
			}
		}
		for k := range n {
			for u := range n {
				for v := range n {
					reach[u][v] = reach[u][v] || reach[u][k] && reach[k][v]
				}
			}
		}

		comps := SCCs(g, in)
		index := make(map[int]int)
		for c, comp := range comps {
			require.True(t, slices.IsSorted(comp))
			for _, v := range comp {
				require.True(t, keep[v])
				_, dup := index[v]
				require.False(t, dup)
				index[v] = c
			}
		}
		for u := range n {
			if !keep[u] {
				continue
			}
			require.Contains(t, index, u)
			for v := range n {
				if keep[v] {
					require.Equal(t, reach[u][v] && reach[v][u], index[u] == index[v], "%d and %d", u, v)
					if reach[u][v] {
						require.LessOrEqual(t, index[v], index[u], "%d reaches %d", u, v)
					}
				}
			}
		}
		require.Equal(t, comps, SCCs(g, in), "deterministic")
	})
}

// torusGraph is the side×side×side torus: each step adds 1 to one
// coordinate modulo side. State x + side·y + side²·z is (x, y, z), and the
// actions are "x", "y" and "z".
func torusGraph(side int) *Graph[int, string] {
	n := side * side * side
	states, edges := make([]int, n), make([]Edge[string], 0, 3*n)
	for v := range n {
		states[v] = v
		x, y, z := v%side, v/side%side, v/(side*side)
		edges = append(edges,
			arrow(v, "x", (x+1)%side+side*y+side*side*z),
			arrow(v, "y", x+side*((y+1)%side)+side*side*z),
			arrow(v, "z", x+side*y+side*side*((z+1)%side)),
		)
	}
	return NewGraph(states, []int{0}, edges)
}

func BenchmarkSCCs(b *testing.B) {
	g := torusGraph(100) // 10⁶ states, 3·10⁶ edges
	b.ReportAllocs()
	for b.Loop() {
		if comps := SCCs(g, nil); len(comps) != 1 {
			b.Fatal(len(comps))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(g.NumStates()), "ns/state")
}
