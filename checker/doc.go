// Package checker is a generic explicit-state model checker. It knows
// nothing of TCP: it searches the states of any System, a set of initial
// states and a successor function over a comparable state type, checks
// invariants on every reachable state and transition, and reports a typed
// verdict with a shortest counterexample, counting states as TLC does.
//
// The smallest use is a System and a call to Explore:
//
//	type counter struct{}
//
//	func (counter) Init() iter.Seq[int] { return slices.Values([]int{0}) }
//
//	func (counter) Next(n int) iter.Seq2[string, int] {
//		return func(yield func(string, int) bool) {
//			if n < 9 {
//				yield("inc", n+1)
//			}
//		}
//	}
//
//	res, err := checker.Explore(ctx, counter{}, checker.Options[int, string]{
//		Invariants: []checker.Invariant[int]{{Name: "small", Holds: func(n *int) bool { return *n < 5 }}},
//	})
//	// err == nil, res.Verdict == checker.Violated, and
//	// res.Violations[0].Trace goes 0, inc 1, …, inc 5.
//
// Explore searches breadth first by default, so the trace of the first
// violation is a shortest one; depth first is an option. Visited states are
// kept exactly, or as 64-bit fingerprints to save memory. Limits (states,
// depth, time, the context) stop a search as Incomplete, never silently.
// With Options.KeepGraph the explored graph is returned for further
// analysis (strongly connected components, Graphviz). Options.Counters
// count what the search met — the states where something holds, the
// transitions that do something — once each, the same for any number of
// workers.
//
// A System may do more to be explored faster and smaller: an Encoder
// gives its states a compact encoding for the store and the frontier; a
// Packer packs every state into a few 64-bit words and writes the
// successors of packed states into the checker's buffers, which puts a
// breadth-first search without constraints on a fast path with no
// iterator, closure or state copy per transition. Options.Workers
// computes successors on several goroutines with the result of one.
//
// Counting conventions, constraint and deadlock semantics and the storage
// modes are described for users in docs/checker.md.
package checker
