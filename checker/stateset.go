package checker

import (
	"math/bits"
	"sync"
	"sync/atomic"
)

// A StateSet is a set of the states of a graph, by number: where a
// predicate holds (MarkStates). It takes a bit a state.
type StateSet struct {
	bits liveBits
	n    int
}

// Has reports whether state i is in the set.
func (s StateSet) Has(i int32) bool { return s.bits.has(i) }

// Len is how many states are in the set.
func (s StateSet) Len() int {
	n := 0
	for _, w := range s.bits {
		n += bits.OnesCount64(w)
	}
	return n
}

// StateSetBytes is the memory of a StateSet of a graph of n states.
func StateSetBytes(n int) int64 { return int64(n+63) / 64 * 8 }

// markChunk is how many states a worker of MarkStates takes at a time: a
// multiple of 64, so that no two workers write one word of a set.
const markChunk = 1 << 14

// MarkStates returns, for each predicate, the set of g's states where it
// holds, decoding each state once for all of them. It runs on workers
// goroutines (at least one): with more than one, the predicates, and the
// system's DecodeState (Graph.State), are called from several at once and
// must be safe for that (pure functions are). As for the invariants, the predicates are passed a pointer to a
// copy of the state, not to keep.
func MarkStates[S comparable, A any](g *Graph[S, A], workers int, preds ...func(*S) bool) []StateSet {
	n := g.NumStates()
	sets := make([]StateSet, len(preds))
	for k := range sets {
		sets[k] = StateSet{bits: newLiveBits(n), n: n}
	}
	var next atomic.Int64
	mark := func() {
		s := new(S)
		for {
			lo := int(next.Add(markChunk)) - markChunk
			if lo >= n {
				return
			}
			for v := lo; v < min(lo+markChunk, n); v++ {
				*s = g.State(v)
				for k, p := range preds {
					if p(s) {
						sets[k].bits.add(int32(v))
					}
				}
			}
		}
	}
	together(workers, mark)
	return sets
}

// together runs f on n goroutines at once, the calling one among them
// (at least that one), and returns when every one has returned.
func together(n int, f func()) {
	var wg sync.WaitGroup
	for range n - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}
	f()
	wg.Wait()
}
