package checker

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// diamond is the graph
//
//	0 -a-> 1 -c-> 3 -e-> 0
//	0 -b-> 2 -d-> 3
//	0 -g-> 2 -f-> 2 (a parallel edge and a self loop)
//
// with 0 initial.
func diamond() toy[int] {
	adj := [][]move[int]{
		0: {{"a", 1}, {"b", 2}, {"g", 2}},
		1: {{"c", 3}},
		2: {{"d", 3}, {"f", 2}},
		3: {{"e", 0}},
	}
	return toy[int]{init: []int{0}, next: func(x int) []move[int] { return adj[x] }}
}

func TestGraphBFS(t *testing.T) {
	res := explore(t, diamond(), Options[int, string]{KeepGraph: true})
	require.Equal(t, &Graph[int, string]{
		States:  []int{0, 1, 2, 3},
		Initial: []int{0},
		Edges: []Edge[string]{
			{0, 1, "a"}, {0, 2, "b"}, {0, 2, "g"},
			{1, 3, "c"},
			{2, 3, "d"}, {2, 2, "f"},
			{3, 0, "e"},
		},
		Out: [][]int{{0, 1, 2}, {3}, {4, 5}, {6}},
	}, res.Graph)
}

func TestGraphDFS(t *testing.T) {
	// DFS expands 0, then 1 (first successor first), 3, then 2.
	res := explore(t, diamond(), Options[int, string]{KeepGraph: true, Strategy: DFS})
	require.Equal(t, &Graph[int, string]{
		States:  []int{0, 1, 2, 3},
		Initial: []int{0},
		Edges: []Edge[string]{
			{0, 1, "a"}, {0, 2, "b"}, {0, 2, "g"},
			{1, 3, "c"},
			{3, 0, "e"},
			{2, 3, "d"}, {2, 2, "f"},
		},
		Out: [][]int{{0, 1, 2}, {3}, {5, 6}, {4}},
	}, res.Graph)
	require.Equal(t, 3, res.Stats.Depth)
}

func TestGraphStatesNumberedAsStored(t *testing.T) {
	// States are numbered in discovery order, initial states first, and
	// edges leave a state only if it was expanded.
	sys := toy[int]{
		init: []int{7, 5},
		next: func(x int) []move[int] {
			if x < 9 {
				return []move[int]{{"up", x + 1}}
			}
			return nil
		},
	}
	res := explore(t, sys, Options[int, string]{KeepGraph: true})
	require.Equal(t, []int{7, 5, 8, 6, 9}, res.Graph.States)
	require.Equal(t, []int{0, 1}, res.Graph.Initial)
	require.Equal(t, []Edge[string]{{0, 2, "up"}, {1, 3, "up"}, {2, 4, "up"}, {3, 0, "up"}}, res.Graph.Edges)
	require.Equal(t, [][]int{{0}, {1}, {2}, {3}, {}}, res.Graph.Out)
}
