package checker

import (
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// A randomGraph is a System over nodes 0..n-1 drawn by rapid, with a state
// constraint and an action constraint. The action of the k-th edge out of a
// node is strconv.Itoa(k).
type randomGraph struct {
	init    []int
	adj     [][]int
	inModel []bool   // state constraint
	allowed [][]bool // action constraint, per edge
}

func drawGraph(t *rapid.T) randomGraph {
	n := rapid.IntRange(1, 30).Draw(t, "n")
	node := rapid.IntRange(0, n-1)
	g := randomGraph{
		init:    rapid.SliceOfN(node, 1, 3).Draw(t, "init"),
		adj:     make([][]int, n),
		inModel: make([]bool, n),
		allowed: make([][]bool, n),
	}
	constrained := rapid.Bool().Draw(t, "constrained")
	for u := range n {
		g.adj[u] = rapid.SliceOfN(node, 0, 4).Draw(t, "adj")
		g.inModel[u] = !constrained || rapid.IntRange(0, 5).Draw(t, "inModel") > 0
		g.allowed[u] = make([]bool, len(g.adj[u]))
		for k := range g.allowed[u] {
			g.allowed[u][k] = !constrained || rapid.IntRange(0, 2).Draw(t, "allowed") > 0
		}
	}
	return g
}

func (g randomGraph) system() toy[int] {
	return toy[int]{
		init: g.init,
		next: func(u int) []move[int] {
			ms := make([]move[int], len(g.adj[u]))
			for k, v := range g.adj[u] {
				ms[k] = move[int]{strconv.Itoa(k), v}
			}
			return ms
		},
	}
}

func (g randomGraph) options() Options[int, string] {
	return Options[int, string]{
		StateConstraint: func(u int) bool { return g.inModel[u] },
		ActionConstraint: func(u int, a string, _ int) bool {
			k, _ := strconv.Atoi(a)
			return g.allowed[u][k]
		},
	}
}

// reference is what a naive search of g finds, counted as TLC counts.
type reference struct {
	dist      map[int]int // shortest distance (in steps) of each stored node
	generated int
	edges     int   // transitions taken between stored nodes
	deadlocks []int // stored nodes with no transition allowed
	enabled   map[int]bool
}

func (g randomGraph) reference() reference {
	r := reference{dist: make(map[int]int), enabled: make(map[int]bool)}
	var queue []int
	for _, u := range g.init {
		r.generated++
		if _, ok := r.dist[u]; !ok && g.inModel[u] {
			r.dist[u] = 0
			queue = append(queue, u)
		}
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for k, v := range g.adj[u] {
			r.generated++
			if !g.allowed[u][k] {
				continue
			}
			r.enabled[u] = true
			if !g.inModel[v] {
				continue
			}
			r.edges++
			if _, ok := r.dist[v]; !ok {
				r.dist[v] = r.dist[u] + 1
				queue = append(queue, v)
			}
		}
		if !r.enabled[u] {
			r.deadlocks = append(r.deadlocks, u)
		}
	}
	return r
}

func (r reference) depth() int {
	d := 0
	for _, n := range r.dist {
		d = max(d, n+1)
	}
	return d
}

// requireValidTrace checks that trace is a behavior of g within its
// constraints, ending in last.
func requireValidTrace(t require.TestingT, g randomGraph, trace []Step[int, string], last int) {
	require.NoError(t, Replay(g.system(), trace))
	for k, st := range trace {
		require.True(t, g.inModel[st.State])
		if k > 0 {
			a, _ := strconv.Atoi(st.Action)
			require.True(t, g.allowed[trace[k-1].State][a])
		}
	}
	require.Equal(t, last, trace[len(trace)-1].State)
}

func TestAgainstReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := drawGraph(t)
		ref := g.reference()
		sys := g.system()

		// The reachable set, the figures and the graph.
		opts := g.options()
		opts.KeepGraph = true
		var exact *Result[int, string]
		for _, strategy := range []Strategy{BFS, DFS} {
			for _, kind := range []StoreKind{ExactStore, FingerprintStore} {
				opts.Strategy, opts.Store = strategy, kind
				res := explore(t, sys, opts)
				require.Equal(t, Holds, res.Verdict)
				require.Equal(t, len(ref.dist), res.Stats.Distinct)
				require.Equal(t, ref.generated, res.Stats.Generated)
				graph := viewOf(res.Graph)
				require.Len(t, graph.Edges, ref.edges)
				require.ElementsMatch(t, keys(ref.dist), graph.States)
				for _, e := range graph.Edges {
					k, _ := strconv.Atoi(e.Action)
					require.Equal(t, g.adj[graph.States[e.From]][k], graph.States[e.To])
				}
				for _, i := range graph.Initial {
					require.Contains(t, g.init, graph.States[i])
				}
				if strategy == BFS {
					require.Equal(t, ref.depth(), res.Stats.Depth)
				} else {
					require.GreaterOrEqual(t, res.Stats.Depth, ref.depth())
				}
				if exact == nil {
					exact = res
				} else if strategy == BFS {
					require.Equal(t, exact.Stats.Depth, res.Stats.Depth)
					require.Equal(t, viewOf(exact.Graph), viewOf(res.Graph))
				}
			}
		}

		// Invariants: each violation found iff reachable, with a shortest
		// valid trace.
		bad := rapid.SliceOfNDistinct(rapid.IntRange(0, len(g.adj)), 1, 2, rapid.ID).Draw(t, "bad")
		opts = g.options()
		for _, b := range bad {
			opts.Invariants = append(opts.Invariants, Invariant[int]{
				Name:  strconv.Itoa(b),
				Holds: func(u *int) bool { return *u != b },
			})
		}
		var reachable []int
		for _, b := range bad {
			if _, ok := ref.dist[b]; ok {
				reachable = append(reachable, b)
			}
		}
		for _, strategy := range []Strategy{BFS, DFS} {
			for _, kind := range []StoreKind{ExactStore, FingerprintStore} {
				opts.Strategy, opts.Store = strategy, kind
				opts.ContinueAfterViolation = true
				res := explore(t, sys, opts)
				require.Len(t, res.Violations, len(reachable))
				if len(reachable) == 0 {
					require.Equal(t, Holds, res.Verdict)
					continue
				}
				require.Equal(t, Violated, res.Verdict)
				require.Equal(t, len(ref.dist), res.Stats.Distinct)
				for _, v := range res.Violations {
					b, _ := strconv.Atoi(v.Name)
					requireValidTrace(t, g, v.Trace, b)
					if strategy == BFS {
						require.Len(t, v.Trace, ref.dist[b]+1)
					}
				}
				opts.ContinueAfterViolation = false
				res = explore(t, sys, opts)
				require.Len(t, res.Violations, 1)
				if strategy == BFS {
					// The first violation is the nearest.
					v := res.Violations[0]
					for _, b := range reachable {
						require.LessOrEqual(t, len(v.Trace), ref.dist[b]+1)
					}
				}
			}
		}

		// A transition invariant forbidding the edges from one node to
		// another: violated iff such an edge is allowed from a stored node,
		// whether or not its target is in the model.
		from := rapid.IntRange(0, len(g.adj)-1).Draw(t, "from")
		to := rapid.IntRange(0, len(g.adj)-1).Draw(t, "to")
		opts = g.options()
		opts.TransitionInvariants = []TransitionInvariant[int, string]{{
			Name:  "forbidden",
			Holds: func(u *int, _ string, v *int) bool { return *u != from || *v != to },
		}}
		forbidden := false
		if _, ok := ref.dist[from]; ok {
			for k, v := range g.adj[from] {
				forbidden = forbidden || v == to && g.allowed[from][k]
			}
		}
		res := explore(t, sys, opts)
		if forbidden {
			require.Equal(t, Violated, res.Verdict)
			trace := res.Violations[0].Trace
			require.Len(t, trace, ref.dist[from]+2)
			require.NoError(t, Replay(g.system(), trace))
			requireValidTrace(t, g, trace[:len(trace)-1], from)
			require.Equal(t, to, trace[len(trace)-1].State)
		} else {
			require.Equal(t, Holds, res.Verdict)
		}

		// Deadlocks: found iff there is one, and the nearest.
		opts = g.options()
		opts.CheckDeadlock = true
		res = explore(t, sys, opts)
		if len(ref.deadlocks) == 0 {
			require.Equal(t, Holds, res.Verdict)
		} else {
			require.Equal(t, Violated, res.Verdict)
			trace := res.Violations[0].Trace
			last := trace[len(trace)-1].State
			require.Contains(t, ref.deadlocks, last)
			requireValidTrace(t, g, trace, last)
			for _, d := range ref.deadlocks {
				require.LessOrEqual(t, len(trace), ref.dist[d]+1)
			}
			require.Len(t, trace, ref.dist[last]+1)
		}

		// A depth bound: the nodes within it, incomplete iff a node at the
		// bound has a transition.
		m := rapid.IntRange(1, 6).Draw(t, "maxDepth")
		opts = g.options()
		opts.MaxDepth = m
		res = explore(t, sys, opts)
		within, cut := 0, false
		for u, d := range ref.dist {
			if d < m {
				within++
			}
			if d == m-1 && ref.enabled[u] {
				cut = true
			}
		}
		require.Equal(t, within, res.Stats.Distinct)
		if cut {
			require.Equal(t, Incomplete, res.Verdict)
			require.Equal(t, StopMaxDepth, res.StopReason)
		} else {
			require.Equal(t, Holds, res.Verdict)
		}
	})
}

func keys(m map[int]int) []int {
	ks := make([]int, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
