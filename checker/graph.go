package checker

import (
	"fmt"
	"iter"
	"reflect"
	"sort"
	"sync"
	"unsafe"
)

// Edge is a transition of the explored graph between numbered states.
type Edge[A any] struct {
	From, To int
	Action   A
}

// Graph is the explored graph: states numbered in discovery order (initial
// states first), and every transition taken between stored states. The
// edges are numbered grouped by the state they leave, in increasing
// number, and those leaving a state in the order explored; in a
// breadth-first search that is the order in which they were taken.
//
// A graph is compact, as the graphs of SPIN and TLC are, so that liveness
// can be decided on tens of millions of states: an edge is its target and
// the number of its action in a table of the distinct actions (8 bytes),
// a state the offset of its first edge (8 bytes), and the states are not
// copied. The graph of an ExactStore search decodes each state on demand
// from the encodings the store kept (or reads it from the store's array
// of states, without an encoder); that of a FingerprintStore search keeps
// the encodings (or the states) itself. Stats.GraphBytes counts what it
// holds.
//
// A Graph is read through its methods; it is built by Explore
// (Options.KeepGraph) or, for literal graphs, by NewGraph. Its methods may
// be called from several goroutines at once if the system's DecodeState
// may.
type Graph[S comparable, A any] struct {
	// States: n of them, found in codes (decoded by dec) or in values.
	n      int
	dec    Encoder[S]
	codes  *arena
	values *chunked[S]
	// owned: codes or values are the graph's own, not the store's.
	owned bool

	initial []int

	// first[i] is the number of the first edge leaving state i: the edges
	// leaving it are first[i] … first[i+1]-1. While the graph is built,
	// first covers the states expanded so far. The arrays are chunked, so
	// that a graph of hundreds of millions of edges grows without a
	// moment at twice its size.
	first chunked[uint64]
	edges chunked[graphEdge]
	// from is the state each edge leaves, kept only while a graph whose
	// states are not expanded in number order (a DFS, NewGraph) is built
	// (ordered false); finish sorts the edges by it.
	from    chunked[int32]
	ordered bool

	// actions is the table of distinct actions, numbered in the order
	// first taken. When A is plain data (see plainData), byBytes finds
	// the number of an action by its bytes; otherwise ids does, when A
	// is a comparable type; otherwise every edge has an entry of its
	// own. Two equal actions with an entry each (a struct's padding may
	// differ) cost memory, not correctness: nothing reads the numbers
	// but the table.
	actions []A
	byBytes map[string]uint32
	ids     map[any]uint32
	// prefix is the breadth-first search from the initial states that
	// every liveness analysis of the graph starts from (shortestPaths).
	prefix     *prefixes
	prefixOnce sync.Once
	// memoryLimit is the limit the search held itself to (Options.MaxMemory,
	// in the runtime's measure: explorer.memoryLimit), which the analyses
	// of the graph keep to too (LeadsToAll); 0 for none.
	memoryLimit int64

	// recent is a cache in front of byBytes: at a hash of an action's
	// bytes, its number plus one (0: none). A search takes a few
	// thousand distinct actions again and again, and the edges are
	// added on the one goroutine that commits transitions.
	recent []uint32
}

// actionCache is the size of Graph.recent, a power of two.
const actionCache = 1 << 12

// A graphEdge is an edge without its source: its target and the number of
// its action.
type graphEdge struct {
	to     int32
	action uint32
}

// newGraph returns an empty graph. ordered: the states are expanded in
// the order of their numbers, each once (a BFS), so the edges arrive
// grouped by source in number order; otherwise they are sorted at the end.
func newGraph[S comparable, A any](ordered bool) *Graph[S, A] {
	g := &Graph[S, A]{ordered: ordered}
	switch t := reflect.TypeFor[A](); {
	case plainData(t):
		g.byBytes, g.recent = map[string]uint32{}, make([]uint32, actionCache)
	case t.Comparable() && t.Kind() != reflect.Interface:
		g.ids = map[any]uint32{}
	}
	return g
}

// plainData reports whether a value of type t is its bytes alone: no
// pointer, string, slice, map, channel, function or interface in it.
// Such an action is looked up by its bytes (a map[string] look-up that
// neither allocates nor walks the type, where a map[any] boxes the
// action and hashes it field by field): the commit of a search that
// keeps its graph numbers the action of every edge.
func plainData(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Array:
		return plainData(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !plainData(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// NewGraph returns the graph of the given states, numbered in the order
// given, initial states and edges, for tests and for graphs drawn by hand.
// The edges leaving each state keep their order. It panics if an edge or
// an initial state names a state not in states.
func NewGraph[S comparable, A any](states []S, initial []int, edges []Edge[A]) *Graph[S, A] {
	g := newGraph[S, A](false)
	g.values, g.owned = &chunked[S]{}, true
	for _, s := range states {
		g.addState(nil, &s)
	}
	for _, i := range initial {
		if i < 0 || i >= len(states) {
			panic(fmt.Sprintf("checker: NewGraph: initial state #%d is not in the graph", i))
		}
		g.initial = append(g.initial, i)
	}
	for k, e := range edges {
		if e.From < 0 || e.From >= len(states) || e.To < 0 || e.To >= len(states) {
			panic(fmt.Sprintf("checker: NewGraph: edge %d (#%d to #%d) leaves the graph", k, e.From, e.To))
		}
		g.addEdge(int32(e.From), int32(e.To), e.Action)
	}
	g.finish()
	return g
}

// NumStates is the number of states.
func (g *Graph[S, A]) NumStates() int { return g.n }

// State returns state number i.
func (g *Graph[S, A]) State(i int) S {
	if g.codes != nil {
		return g.dec.DecodeState(g.codes.at(i))
	}
	return *g.values.at(i)
}

// States yields the states and their numbers, in number order.
func (g *Graph[S, A]) States() iter.Seq2[int, S] {
	return func(yield func(int, S) bool) {
		for i := range g.n {
			if !yield(i, g.State(i)) {
				return
			}
		}
	}
}

// Initial returns the numbers of the initial states. The caller must not
// change the slice.
func (g *Graph[S, A]) Initial() []int { return g.initial }

// NumEdges is the number of edges.
func (g *Graph[S, A]) NumEdges() int { return g.edges.len() }

// Edge returns edge number k.
func (g *Graph[S, A]) Edge(k int) Edge[A] {
	return g.edge(g.source(k), k)
}

func (g *Graph[S, A]) edge(from, k int) Edge[A] {
	e := *g.edges.at(k)
	return Edge[A]{From: from, To: int(e.to), Action: g.actions[e.action]}
}

// Edges yields every edge and its number, in number order.
func (g *Graph[S, A]) Edges() iter.Seq2[int, Edge[A]] {
	return func(yield func(int, Edge[A]) bool) {
		for v := range g.n {
			lo, hi := g.span(int32(v))
			for k := lo; k < hi; k++ {
				if !yield(int(k), g.edge(v, int(k))) {
					return
				}
			}
		}
	}
}

// Out yields the numbers of the edges leaving state i, in the order
// explored.
func (g *Graph[S, A]) Out(i int) iter.Seq[int] {
	return func(yield func(int) bool) {
		lo, hi := g.span(int32(i))
		for k := lo; k < hi; k++ {
			if !yield(int(k)) {
				return
			}
		}
	}
}

// span returns the numbers of the first edge leaving state v and of the
// first edge after them.
func (g *Graph[S, A]) span(v int32) (int32, int32) {
	return int32(*g.first.at(int(v))), int32(*g.first.at(int(v) + 1))
}

// to is the target of edge k.
func (g *Graph[S, A]) to(k int32) int32 { return g.edges.at(int(k)).to }

// source is the state edge k leaves.
func (g *Graph[S, A]) source(k int) int {
	return sort.Search(g.n, func(v int) bool { return *g.first.at(v + 1) > uint64(k) })
}

// addState numbers one more state: its encoding code or its value s is
// kept if the graph keeps its own states.
func (g *Graph[S, A]) addState(code []byte, s *S) {
	g.n++
	switch {
	case !g.owned:
	case g.codes != nil:
		g.codes.append(code)
	default:
		g.values.append(*s)
	}
}

// addEdge adds the edge from state from to state to by action a.
func (g *Graph[S, A]) addEdge(from, to int32, a A) {
	if !g.ordered {
		g.from.append(from)
	} else {
		if int(from) < g.first.len()-1 {
			panic("checker: graph: the edges of a state explored out of order")
		}
		for g.first.len() <= int(from) {
			g.first.append(uint64(g.edges.len()))
		}
	}
	g.edges.append(graphEdge{to: to, action: g.actionID(a)})
}

// actionID returns the number of a in the table of actions, adding it if
// it is new.
func (g *Graph[S, A]) actionID(a A) uint32 {
	if g.byBytes != nil {
		b := plainBytes(&a)
		c := &g.recent[hashBytes(b)&(actionCache-1)]
		if *c != 0 && string(plainBytes(&g.actions[*c-1])) == string(b) {
			return *c - 1
		}
		id, ok := g.byBytes[string(b)]
		if !ok {
			id = uint32(len(g.actions))
			g.byBytes[string(b)] = id
			g.actions = append(g.actions, a)
		}
		*c = id + 1
		return id
	}
	if g.ids == nil {
		g.actions = append(g.actions, a)
		return uint32(len(g.actions) - 1)
	}
	id, ok := g.ids[a]
	if !ok {
		id = uint32(len(g.actions))
		g.ids[a] = id
		g.actions = append(g.actions, a)
	}
	return id
}

// plainBytes is the memory of *a, for an A of plain data.
func plainBytes[A any](a *A) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(a)), unsafe.Sizeof(*a))
}

// finish completes the offsets of the states with no edges after the
// last one expanded, or, if the edges came out of order, sorts them by
// source, keeping the order of those leaving the same state.
func (g *Graph[S, A]) finish() {
	if !g.ordered {
		count := make([]uint64, g.n+1)
		for k := range g.from.len() {
			count[*g.from.at(k)+1]++
		}
		for v := range g.n {
			count[v+1] += count[v]
		}
		var first chunked[uint64]
		for _, c := range count {
			first.append(c)
		}
		// count[v] becomes where the next edge leaving v goes.
		sorted := make([]graphEdge, g.edges.len())
		for k := range g.from.len() {
			v := *g.from.at(k)
			sorted[count[v]] = *g.edges.at(k)
			count[v]++
		}
		var edges chunked[graphEdge]
		for _, e := range sorted {
			edges.append(e)
		}
		g.first, g.edges, g.from, g.ordered = first, edges, chunked[int32]{}, true
	}
	for g.first.len() <= g.n {
		g.first.append(uint64(g.edges.len()))
	}
}

// bytes is the memory the graph holds, at the capacity allocated: its
// offsets, edges and table of actions, and the states if it keeps its
// own.
func (g *Graph[S, A]) bytes() int64 {
	var (
		s S
		a A
	)
	b := g.first.bytes(8) + g.edges.bytes(int64(unsafe.Sizeof(graphEdge{}))) + g.from.bytes(4) +
		int64(cap(g.initial))*8 + int64(cap(g.actions))*int64(unsafe.Sizeof(a))
	if g.ids != nil {
		// A map entry: the key (an interface and the value it boxes),
		// the number and the map's own overhead, about 16 bytes.
		b += int64(len(g.ids)) * (16 + int64(unsafe.Sizeof(a)) + 4 + 16)
	}
	if g.byBytes != nil {
		// The key (a string header and its bytes), the number, the
		// overhead.
		b += int64(len(g.byBytes))*(16+int64(unsafe.Sizeof(a))+4+16) + int64(len(g.recent))*4
	}
	if g.owned {
		if g.codes != nil {
			b += g.codes.bytes()
		} else {
			b += g.values.bytes(int64(unsafe.Sizeof(s)))
		}
	}
	return b
}

// growthBytes is what the graph allocates if the next transition starts
// a chunk of its edges, of their sources, or of the offsets.
func (g *Graph[S, A]) growthBytes() int64 {
	var more int64
	full := func(n int) bool { return n&(1<<chunkBits-1) == 0 }
	if full(g.edges.len()) {
		more += int64(unsafe.Sizeof(graphEdge{})) << chunkBits
		if !g.ordered {
			more += 4 << chunkBits
		}
	}
	if g.ordered && full(g.first.len()) {
		more += 8 << chunkBits
	}
	return more
}

// finishBytes is what finish allocates: if the edges are sorted, their
// new arrays and offsets, and the offsets once more on the way.
func (g *Graph[S, A]) finishBytes() int64 {
	if g.ordered {
		return 8 << chunkBits
	}
	return 2*int64(g.n+1)*8 + 2*int64(g.edges.len())*int64(unsafe.Sizeof(graphEdge{}))
}

// keepGraph completes the graph at the end of the search. The graph of an
// ExactStore search takes over the states the store kept, leaving the
// store's table behind for the collector.
func (e *explorer[S, A]) keepGraph() {
	g, st := e.graph, e.store
	if !g.owned {
		if st.enc != nil {
			codes := st.codes
			g.codes = &codes
		} else {
			values := st.states
			g.values = &values
		}
	}
	if e.opts.MaxMemory > 0 {
		g.memoryLimit = max(e.memoryLimit, 1)
	}
	g.finish()
}
