package checker

import (
	"context"
	"iter"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTraceSameInBothStores(t *testing.T) {
	opts := Options[procs, string]{Invariants: []Invariant[procs]{mutualExclusion}}
	exact := explore(t, naiveLock(), opts)
	opts.Store = FingerprintStore
	fingerprint := explore(t, naiveLock(), opts)
	require.Equal(t, exact.Violations, fingerprint.Violations)
	require.Len(t, exact.Violations[0].Trace, 5)
}

func TestTraceFollowsActionConstraint(t *testing.T) {
	// Two transitions lead from 0 to 1; the action constraint forbids the
	// first, so the trace must take the second.
	sys := toy[int]{
		init: []int{0},
		next: func(x int) []move[int] {
			switch x {
			case 0:
				return []move[int]{{"a", 1}, {"b", 1}}
			case 1:
				return []move[int]{{"c", 2}}
			}
			return nil
		},
	}
	res := explore(t, sys, Options[int, string]{
		ActionConstraint: func(_ int, a string, _ int) bool { return a != "a" },
		Invariants:       []Invariant[int]{{Name: "not2", Holds: func(x *int) bool { return *x != 2 }}},
	})
	require.Equal(t, []Step[int, string]{start(0), step("b", 1), step("c", 2)}, res.Violations[0].Trace)
}

// fickle is a counter whose Init or Next changes after their first call,
// against System's contract.
type fickle struct {
	initCalls, nextCalls *int
	fickleInit           bool
}

func (f fickle) Init() iter.Seq[int] {
	*f.initCalls++
	if f.fickleInit && *f.initCalls > 1 {
		return slices.Values([]int{100})
	}
	return slices.Values([]int{0})
}

func (f fickle) Next(x int) iter.Seq2[string, int] {
	return func(yield func(string, int) bool) {
		*f.nextCalls++
		if !f.fickleInit && x == 0 && *f.nextCalls > 1 {
			yield("inc", 50)
			return
		}
		yield("inc", x+1)
	}
}

func TestTraceOfNondeterministicSystem(t *testing.T) {
	below3 := Invariant[int]{Name: "below3", Holds: func(x *int) bool { return *x < 3 }}
	for _, fickleInit := range []bool{true, false} {
		sys := fickle{initCalls: new(int), nextCalls: new(int), fickleInit: fickleInit}
		_, err := Explore(context.Background(), sys, Options[int, string]{Invariants: []Invariant[int]{below3}})
		require.ErrorContains(t, err, "deterministic")
	}
}
