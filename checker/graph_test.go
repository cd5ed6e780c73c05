package checker

import (
	"reflect"
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

// graphView is what a graph holds, spelled out for comparison.
type graphView[S, A any] struct {
	States  []S
	Initial []int
	Edges   []Edge[A]
	Out     [][]int
}

// viewOf spells out g through its methods.
func viewOf[S comparable, A any](g *Graph[S, A]) *graphView[S, A] {
	if g == nil {
		return nil
	}
	v := &graphView[S, A]{Initial: g.Initial(), States: []S{}, Edges: []Edge[A]{}, Out: [][]int{}}
	for i, s := range g.States() {
		require.Equal(nil, len(v.States), i)
		v.States = append(v.States, s)
		out := []int{}
		for k := range g.Out(i) {
			require.Equal(nil, g.Edge(k).From, i)
			out = append(out, k)
		}
		v.Out = append(v.Out, out)
	}
	for k, e := range g.Edges() {
		require.Equal(nil, len(v.Edges), k)
		require.Equal(nil, g.Edge(k), e)
		v.Edges = append(v.Edges, e)
	}
	return v
}

// viewed returns res with its graph spelled out, for comparing results
// whose graphs hold the same states in different forms.
func viewed[S comparable, A any](res *Result[S, A]) (*Result[S, A], *graphView[S, A]) {
	r := *res
	r.Graph, r.Stats.GraphBytes = nil, 0
	return &r, viewOf(res.Graph)
}

func TestGraphBFS(t *testing.T) {
	res := explore(t, diamond(), Options[int, string]{KeepGraph: true})
	require.Equal(t, &graphView[int, string]{
		States:  []int{0, 1, 2, 3},
		Initial: []int{0},
		Edges: []Edge[string]{
			{0, 1, "a"}, {0, 2, "b"}, {0, 2, "g"},
			{1, 3, "c"},
			{2, 3, "d"}, {2, 2, "f"},
			{3, 0, "e"},
		},
		Out: [][]int{{0, 1, 2}, {3}, {4, 5}, {6}},
	}, viewOf(res.Graph))
}

func TestGraphDFS(t *testing.T) {
	// DFS expands 0, then 1 (first successor first), 3, then 2: the
	// edges are numbered by source all the same.
	res := explore(t, diamond(), Options[int, string]{KeepGraph: true, Strategy: DFS})
	require.Equal(t, &graphView[int, string]{
		States:  []int{0, 1, 2, 3},
		Initial: []int{0},
		Edges: []Edge[string]{
			{0, 1, "a"}, {0, 2, "b"}, {0, 2, "g"},
			{1, 3, "c"},
			{2, 3, "d"}, {2, 2, "f"},
			{3, 0, "e"},
		},
		Out: [][]int{{0, 1, 2}, {3}, {4, 5}, {6}},
	}, viewOf(res.Graph))
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
	require.Equal(t, &graphView[int, string]{
		States:  []int{7, 5, 8, 6, 9},
		Initial: []int{0, 1},
		Edges:   []Edge[string]{{0, 2, "up"}, {1, 3, "up"}, {2, 4, "up"}, {3, 0, "up"}},
		Out:     [][]int{{0}, {1}, {2}, {3}, {}},
	}, viewOf(res.Graph))
}

// The graph is the same whatever keeps its states: the store's
// encodings or states (ExactStore), or its own (FingerprintStore), and
// whatever the order of expansion numbers its edges.
func TestGraphSameForEveryStore(t *testing.T) {
	smallWork(t)
	sys := grid{n: 30}
	var want *graphView[[2]uint16, string]
	for _, strategy := range []Strategy{BFS, DFS} {
		for _, kind := range []StoreKind{ExactStore, FingerprintStore} {
			for _, encoded := range []bool{true, false} {
				var s System[[2]uint16, string] = sys
				if !encoded {
					s = toy[[2]uint16]{init: []([2]uint16){{}}, next: func(x [2]uint16) []move[[2]uint16] {
						var ms []move[[2]uint16]
						for a, y := range sys.Next(x) {
							ms = append(ms, move[[2]uint16]{a, y})
						}
						return ms
					}}
				}
				res := explore(t, s, Options[[2]uint16, string]{KeepGraph: true, Store: kind, Strategy: strategy})
				got := viewOf(res.Graph)
				require.Len(t, got.States, 900)
				require.Len(t, got.Edges, 2*29*30)
				if strategy == DFS {
					// DFS numbers the states otherwise: compare as sets.
					require.ElementsMatch(t, want.States, got.States)
					continue
				}
				if want == nil {
					want = got
				}
				require.Equal(t, want, got, "%v store, encoder %v", kind, encoded)
			}
		}
	}
}

func TestNewGraph(t *testing.T) {
	g := NewGraph([]string{"x", "y", "z"}, []int{2}, []Edge[string]{
		{2, 0, "a"}, {0, 1, "b"}, {2, 1, "c"}, {0, 0, "d"},
	})
	require.Equal(t, &graphView[string, string]{
		States:  []string{"x", "y", "z"},
		Initial: []int{2},
		Edges:   []Edge[string]{{0, 1, "b"}, {0, 0, "d"}, {2, 0, "a"}, {2, 1, "c"}},
		Out:     [][]int{{0, 1}, {}, {2, 3}},
	}, viewOf(g))
	require.Equal(t, Edge[string]{2, 1, "c"}, g.Edge(3))

	require.PanicsWithValue(t, "checker: NewGraph: edge 0 (#0 to #3) leaves the graph", func() {
		NewGraph([]int{0, 1}, nil, []Edge[string]{{0, 3, "a"}})
	})
	require.PanicsWithValue(t, "checker: NewGraph: initial state #-1 is not in the graph", func() {
		NewGraph([]int{0, 1}, []int{-1}, []Edge[string]{})
	})
	empty := NewGraph[int, string](nil, nil, nil)
	require.Zero(t, empty.NumStates())
	require.Zero(t, empty.NumEdges())
}

// Actions are kept once each, in a table; an action type that is not
// comparable is kept edge by edge.
func TestGraphInternsActions(t *testing.T) {
	res := explore(t, counter(1000), Options[int, string]{KeepGraph: true})
	require.Equal(t, []string{"inc", "reset"}, res.Graph.actions)
	require.Equal(t, 1999, res.Graph.NumEdges())

	type label struct{ names []string }
	g := NewGraph([]int{0, 1}, []int{0}, []Edge[label]{{0, 1, label{[]string{"a"}}}, {1, 0, label{[]string{"a"}}}})
	require.Len(t, g.actions, 2)
	require.Equal(t, []string{"a"}, g.Edge(1).Action.names)

	// An action of plain data is found by its bytes.
	type move struct {
		Kind uint8
		To   int32
		At   [2]uint16
	}
	moves := []Edge[move]{{0, 1, move{1, 2, [2]uint16{3, 4}}}, {0, 2, move{2, 2, [2]uint16{3, 4}}}, {1, 2, move{1, 2, [2]uint16{3, 5}}}, {2, 0, move{1, 2, [2]uint16{3, 4}}}}
	gm := NewGraph([]int{0, 1, 2}, []int{0}, moves)
	require.NotNil(t, gm.byBytes)
	require.Equal(t, []move{moves[0].Action, moves[1].Action, moves[2].Action}, gm.actions)
	for i, e := range moves {
		require.Equal(t, e.Action, gm.Edge(i).Action)
	}
	// More distinct actions than the cache in front of the table has
	// slots, taken again in another order: each keeps its first number.
	const distinct = 3 * actionCache
	var many []Edge[move]
	for round := range 2 {
		for i := range distinct {
			k := i
			if round == 1 {
				k = (i * 7919) % distinct
			}
			many = append(many, Edge[move]{0, 0, move{uint8(k), int32(k >> 8), [2]uint16{uint16(k), 1}}})
		}
	}
	gc := NewGraph([]int{0}, []int{0}, many)
	require.Equal(t, distinct, len(gc.actions), "distinct actions")
	for i, e := range many {
		require.Equal(t, e.Action, gc.Edge(i).Action)
		if i >= distinct {
			require.Equal(t, gc.edges.at(i).action, gc.edges.at(int(e.Action.At[0])).action)
		}
	}
	require.True(t, plainData(reflect.TypeFor[move]()))
	require.False(t, plainData(reflect.TypeFor[string]()))
	require.False(t, plainData(reflect.TypeFor[struct {
		N int
		P *int
	}]()))
}

// GraphBytes is 8 bytes per state and 8 per edge beside the store, and
// SearchBytes counts it.
func TestGraphBytes(t *testing.T) {
	const n = 100_000
	plain := explore(t, counter(n), Options[int, string]{})
	kept := explore(t, counter(n), Options[int, string]{KeepGraph: true})
	g := kept.Graph
	require.Equal(t, 2*n-1, g.NumEdges())
	least := int64(8*(n+1) + 8*g.NumEdges())
	require.GreaterOrEqual(t, kept.Stats.GraphBytes, least)
	// ... and at most a chunk more of each, partly used, and the two
	// actions.
	require.LessOrEqual(t, kept.Stats.GraphBytes, least+2*8<<chunkBits+1024)
	require.Equal(t, plain.Stats.StoreBytes, kept.Stats.StoreBytes, "the states are the store's")
	require.GreaterOrEqual(t, kept.Stats.SearchBytes, kept.Stats.StoreBytes+kept.Stats.GraphBytes)

	// A FingerprintStore keeps no state: the graph keeps them, here as
	// they are (an int each, in chunks of 1<<16).
	fp := explore(t, counter(n), Options[int, string]{KeepGraph: true, Store: FingerprintStore})
	require.Equal(t, kept.Stats.GraphBytes+int64((n>>chunkBits)+1)<<chunkBits*8, fp.Stats.GraphBytes)
	require.GreaterOrEqual(t, fp.Stats.SearchBytes, fp.Stats.StoreBytes+fp.Stats.GraphBytes)
	require.Equal(t, viewOf(kept.Graph), viewOf(fp.Graph))
}
