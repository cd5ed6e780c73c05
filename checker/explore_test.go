package checker

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// tester is what the tests need of *testing.T and *rapid.T.
type tester interface {
	require.TestingT
	Helper()
}

func explore[S comparable](t tester, sys System[S, string], opts Options[S, string]) *Result[S, string] {
	t.Helper()
	res, err := Explore(context.Background(), sys, opts)
	require.NoError(t, err)
	return res
}

func TestCounterFigures(t *testing.T) {
	for _, strategy := range []Strategy{BFS, DFS} {
		for _, kind := range []StoreKind{ExactStore, FingerprintStore} {
			res := explore(t, counter(10), Options[int, string]{Strategy: strategy, Store: kind, CheckDeadlock: true})
			require.Equal(t, Holds, res.Verdict)
			require.Empty(t, res.StopReason)
			require.Empty(t, res.Violations)
			require.Equal(t, 10, res.Stats.Distinct)
			require.Equal(t, 20, res.Stats.Generated)
			require.Equal(t, 10, res.Stats.Depth)
			require.Zero(t, res.Stats.Frontier)
			if kind == FingerprintStore {
				// 10 * (20 - 10) / 2^64
				require.Equal(t, 100/0x1p64, res.CollisionProbability)
			} else {
				require.Zero(t, res.CollisionProbability)
			}
		}
	}
}

func TestPetersonHolds(t *testing.T) {
	var distinct []int
	for _, strategy := range []Strategy{BFS, DFS} {
		for _, kind := range []StoreKind{ExactStore, FingerprintStore} {
			res := explore(t, peterson(), Options[procs, string]{
				Strategy:      strategy,
				Store:         kind,
				Invariants:    []Invariant[procs]{mutualExclusion},
				CheckDeadlock: true,
			})
			require.Equal(t, Holds, res.Verdict)
			require.Empty(t, res.Violations)
			distinct = append(distinct, res.Stats.Distinct)
		}
	}
	require.Equal(t, []int{distinct[0], distinct[0], distinct[0], distinct[0]}, distinct)
}

func TestNaiveLockViolatesMutualExclusion(t *testing.T) {
	res := explore(t, naiveLock(), Options[procs, string]{Invariants: []Invariant[procs]{mutualExclusion}})
	require.Equal(t, Violated, res.Verdict)
	require.Len(t, res.Violations, 1)
	v := res.Violations[0]
	require.Equal(t, "MutualExclusion", v.Name)
	require.Equal(t, InvariantViolation, v.Kind)
	// Both test the other's flag before either raises its own. Of the four
	// shortest interleavings, BFS finds the one through the state first
	// discovered at each depth.
	require.Equal(t, []Step[procs, string]{
		start(procs{}),
		step("p0 check", procs{PC: [2]uint8{2, 0}}),
		step("p1 check", procs{PC: [2]uint8{2, 2}}),
		step("p0 enter", procs{PC: [2]uint8{3, 2}, Flag: [2]bool{true, false}}),
		step("p1 enter", procs{PC: [2]uint8{3, 3}, Flag: [2]bool{true, true}}),
	}, v.Trace)
	require.NoError(t, Replay(naiveLock(), v.Trace))

	// DFS finds a valid trace too, not necessarily a shortest one.
	res = explore(t, naiveLock(), Options[procs, string]{Strategy: DFS, Invariants: []Invariant[procs]{mutualExclusion}})
	require.Equal(t, Violated, res.Verdict)
	trace := res.Violations[0].Trace
	require.NoError(t, Replay(naiveLock(), trace))
	last := trace[len(trace)-1].State
	require.False(t, mutualExclusion.Holds(&last))
}

func TestInvariantShortestTrace(t *testing.T) {
	small := Invariant[int]{Name: "small", Holds: func(x *int) bool { return *x < 3 }}
	res := explore(t, counter(10), Options[int, string]{Invariants: []Invariant[int]{small}})
	require.Equal(t, Violated, res.Verdict)
	require.Equal(t, []Violation[int, string]{{
		Name:  "small",
		Kind:  InvariantViolation,
		Trace: []Step[int, string]{start(0), step("inc", 1), step("inc", 2), step("inc", 3)},
	}}, res.Violations)
	// The search stopped at the violation: 0..3 stored, 3 not expanded.
	require.Equal(t, 4, res.Stats.Distinct)
	require.Empty(t, res.StopReason)
}

func TestInitialStateViolation(t *testing.T) {
	positive := Invariant[int]{Name: "positive", Holds: func(x *int) bool { return *x > 0 }}
	res := explore(t, counter(3), Options[int, string]{Invariants: []Invariant[int]{positive}})
	require.Equal(t, Violated, res.Verdict)
	require.Equal(t, []Step[int, string]{start(0)}, res.Violations[0].Trace)
	require.Equal(t, 1, res.Stats.Distinct)
	require.Equal(t, 1, res.Stats.Generated)
}

func TestContinueAfterViolation(t *testing.T) {
	below3 := Invariant[int]{Name: "below3", Holds: func(x *int) bool { return *x < 3 }}
	below5 := Invariant[int]{Name: "below5", Holds: func(x *int) bool { return *x < 5 }}
	res := explore(t, counter(10), Options[int, string]{
		Invariants:             []Invariant[int]{below5, below3},
		ContinueAfterViolation: true,
	})
	require.Equal(t, Violated, res.Verdict)
	// Each invariant once, in the order found, each with its shortest trace.
	require.Equal(t, []Violation[int, string]{
		{Name: "below3", Kind: InvariantViolation, Trace: []Step[int, string]{
			start(0), step("inc", 1), step("inc", 2), step("inc", 3)}},
		{Name: "below5", Kind: InvariantViolation, Trace: []Step[int, string]{
			start(0), step("inc", 1), step("inc", 2), step("inc", 3), step("inc", 4), step("inc", 5)}},
	}, res.Violations)
	// The search went on to the end.
	require.Equal(t, 10, res.Stats.Distinct)
	require.Equal(t, 20, res.Stats.Generated)
	require.Empty(t, res.StopReason)
}

func TestTransitionInvariant(t *testing.T) {
	// Reset goes back to the initial state, already visited: the transition
	// is checked all the same.
	monotone := TransitionInvariant[int, string]{
		Name:  "monotone",
		Holds: func(from *int, _ string, to *int) bool { return *to >= *from },
	}
	res := explore(t, counter(10), Options[int, string]{TransitionInvariants: []TransitionInvariant[int, string]{monotone}})
	require.Equal(t, Violated, res.Verdict)
	require.Equal(t, []Violation[int, string]{{
		Name:  "monotone",
		Kind:  TransitionViolation,
		Trace: []Step[int, string]{start(0), step("inc", 1), step("reset", 0)},
	}}, res.Violations)
	require.NoError(t, Replay(counter(10), res.Violations[0].Trace))
}

func TestDeadlock(t *testing.T) {
	res := explore(t, line(4), Options[int, string]{CheckDeadlock: true})
	require.Equal(t, Violated, res.Verdict)
	require.Equal(t, []Violation[int, string]{{
		Name:  DeadlockName,
		Kind:  DeadlockViolation,
		Trace: []Step[int, string]{start(0), step("inc", 1), step("inc", 2), step("inc", 3)},
	}}, res.Violations)

	// Final makes the end legitimate.
	res = explore(t, line(4), Options[int, string]{CheckDeadlock: true, Final: func(x int) bool { return x == 3 }})
	require.Equal(t, Holds, res.Verdict)

	// Without CheckDeadlock there is nothing to report.
	res = explore(t, line(4), Options[int, string]{})
	require.Equal(t, Holds, res.Verdict)
}

func TestDeadlockAfterActionConstraint(t *testing.T) {
	// The action constraint forbids reset from 2, the last state: 2 has no
	// transition left.
	res := explore(t, counter(3), Options[int, string]{
		CheckDeadlock:    true,
		ActionConstraint: func(from int, a string, _ int) bool { return !(from == 2 && a == "reset") },
	})
	require.Equal(t, Violated, res.Verdict)
	require.Equal(t, DeadlockName, res.Violations[0].Name)
	require.Equal(t, []int{0, 1, 2}, states(res.Violations[0].Trace))
}

func TestNoDeadlockWhenStateConstraintRejects(t *testing.T) {
	// As in TLC: 3's only successor, 4, is outside the constraint, but 3
	// has a transition, so it is not a deadlock.
	res := explore(t, line(10), Options[int, string]{
		CheckDeadlock:   true,
		StateConstraint: func(x int) bool { return x <= 3 },
	})
	require.Equal(t, Holds, res.Verdict)
	require.Equal(t, 4, res.Stats.Distinct)
	require.Equal(t, 5, res.Stats.Generated)
}

func TestNoInitialState(t *testing.T) {
	res := explore(t, toy[int]{}, Options[int, string]{CheckDeadlock: true})
	require.Equal(t, Holds, res.Verdict)
	res.Stats.Elapsed = 0
	require.Equal(t, Stats{}, res.Stats)
}

func TestDuplicateInitialStates(t *testing.T) {
	sys := toy[int]{init: []int{0, 1, 0}, next: func(int) []move[int] { return nil }}
	res := explore(t, sys, Options[int, string]{KeepGraph: true})
	require.Equal(t, 2, res.Stats.Distinct)
	require.Equal(t, 3, res.Stats.Generated)
	require.Equal(t, 1, res.Stats.Depth)
	require.Equal(t, []int{0, 1}, res.Graph.Initial())
}

func TestOperationalErrors(t *testing.T) {
	ctx := context.Background()
	_, err := Explore(ctx, System[int, string](nil), Options[int, string]{})
	require.Error(t, err)
	var noContext context.Context
	_, err = Explore(noContext, counter(3), Options[int, string]{})
	require.Error(t, err)
	_, err = Explore(ctx, counter(3), Options[int, string]{MaxStates: -1})
	require.Error(t, err)
	_, err = Explore(ctx, counter(3), Options[int, string]{Strategy: 7})
	require.Error(t, err)
	_, err = Explore(ctx, counter(3), Options[int, string]{Store: 7})
	require.Error(t, err)
	_, err = Explore(ctx, counter(3), Options[int, string]{Invariants: []Invariant[int]{{Name: "x"}}})
	require.Error(t, err)
}
