package checker

import "math"

// A store remembers the states a search has visited and numbers them 0, 1,
// 2, … in the order they were first stored. The numbers index the parent
// links from which traces are rebuilt, and the states of Result.Graph.
type store[S comparable] interface {
	// put returns the number of s and false if s is already stored.
	// Otherwise it stores s and returns its new number and true, or, if the
	// store is full, -1 and false.
	put(s S) (i int32, added bool)
	// lookup returns the number of s if s is stored.
	lookup(s S) (i int32, ok bool)
	// len returns the number of states stored.
	len() int
}

// newStore returns an empty store of the given kind that holds at most max
// states (max <= 0: as many as state numbers allow, math.MaxInt32).
func newStore[S comparable](kind StoreKind, max int) store[S] {
	if max <= 0 || max > math.MaxInt32 {
		max = math.MaxInt32
	}
	if kind == FingerprintStore {
		return &fingerprintStore[S]{fp: newFingerprinter[S](), index: make(map[uint64]int32), max: max}
	}
	return &exactStore[S]{index: make(map[S]int32), max: max}
}

// exactStore keeps every state as a map key: two states are the same only
// if they are equal.
type exactStore[S comparable] struct {
	index map[S]int32
	max   int
}

func (st *exactStore[S]) put(s S) (int32, bool) {
	if i, ok := st.index[s]; ok {
		return i, false
	}
	n := len(st.index)
	if n >= st.max {
		return -1, false
	}
	st.index[s] = int32(n)
	return int32(n), true
}

func (st *exactStore[S]) lookup(s S) (int32, bool) {
	i, ok := st.index[s]
	return i, ok
}

func (st *exactStore[S]) len() int { return len(st.index) }

// fingerprintStore keeps a 64-bit fingerprint per state, as TLC does: two
// states with the same fingerprint are taken to be the same state, so a
// collision hides the second one from the search.
type fingerprintStore[S comparable] struct {
	fp    *fingerprinter[S]
	index map[uint64]int32
	max   int
}

func (st *fingerprintStore[S]) put(s S) (int32, bool) {
	h := st.fp.sum(&s)
	if i, ok := st.index[h]; ok {
		return i, false
	}
	n := len(st.index)
	if n >= st.max {
		return -1, false
	}
	st.index[h] = int32(n)
	return int32(n), true
}

func (st *fingerprintStore[S]) lookup(s S) (int32, bool) {
	i, ok := st.index[st.fp.sum(&s)]
	return i, ok
}

func (st *fingerprintStore[S]) len() int { return len(st.index) }

// collisionProbability is TLC's optimistic estimate of the probability that
// a fingerprint collision hid a state: each of the generated-distinct
// lookups that found a stored fingerprint may have met one of the distinct
// stored fingerprints by chance, each with probability 2^-64.
func collisionProbability(distinct, generated int) float64 {
	n, g := float64(distinct), float64(generated)
	if g < n {
		g = n
	}
	return n * (g - n) / 0x1p64
}
