package fuzz_test

import (
	"iter"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
	"github.com/tcpcheck/tcpcheck/properties/fuzz"
)

// counter counts from 0 to its top: "inc" and "dec" move it, "reset"
// returns to 0. At the top nothing is enabled.
type counter struct{ top int }

func (c counter) Init() iter.Seq[int] {
	return func(yield func(int) bool) { yield(0) }
}

func (c counter) Next(n int) iter.Seq2[string, int] {
	return func(yield func(string, int) bool) {
		if n == c.top {
			return
		}
		_ = yield("inc", n+1) && (n == 0 || yield("dec", n-1)) && yield("reset", 0)
	}
}

func below(limit int) properties.Property[int, string] {
	return properties.Property[int, string]{
		ID:    "below",
		State: func(n *int) bool { return *n < limit },
		Why:   func(_ *int, a string, n *int) string { return a + " reached " + string(rune('0'+*n)) },
	}
}

var noReset = properties.Property[int, string]{
	ID:   "no-reset",
	Step: func(from *int, a string, _ *int) bool { return a != "reset" || *from < 2 },
}

var deadlockFree = properties.Property[int, string]{ID: "deadlock-free", Deadlock: true}

func TestRandomWalkFindsAViolationAndItsTrace(t *testing.T) {
	tg := fuzz.Target[int, string]{System: counter{top: 9}, Properties: []properties.Property[int, string]{below(3)}}
	var out fuzz.Outcome[int, string]
	for seed := uint64(0); out.Violation == nil; seed++ {
		require.Less(t, seed, uint64(100), "100 walks of 50 steps never reach 3")
		out = fuzz.RandomWalk(tg, 50, seed, nil)
	}
	v := out.Violation
	require.Equal(t, "below", v.Property)
	require.Equal(t, out.Steps, len(v.Trace)-1)
	require.Equal(t, 3, v.Trace[len(v.Trace)-1].State)
	require.Equal(t, "inc reached 3", v.Why)
	require.NoError(t, checker.Replay[int, string](counter{top: 9}, v.Trace))
}

func TestRandomWalkIsReproducibleFromItsSeed(t *testing.T) {
	tg := fuzz.Target[int, string]{System: counter{top: 50}}
	walk := func(seed uint64) (states []int, out fuzz.Outcome[int, string]) {
		out = fuzz.RandomWalk(tg, 200, seed, func(n int) { states = append(states, n) })
		return states, out
	}
	first, out := walk(7)
	again, _ := walk(7)
	other, _ := walk(8)
	require.Equal(t, first, again)
	require.NotEqual(t, first, other)
	require.Len(t, first, 201, "the initial state and one per step")
	require.Equal(t, 200, out.Steps)
	require.False(t, out.Ended)
}

// A state with no enabled transition ends a walk: a deadlock unless Final
// says it is a legitimate end.
func TestDeadEnds(t *testing.T) {
	sys := counter{top: 0}
	out := fuzz.RandomWalk(fuzz.Target[int, string]{System: sys, Properties: []properties.Property[int, string]{deadlockFree}}, 10, 1, nil)
	require.True(t, out.Ended)
	require.NotNil(t, out.Violation)
	require.Equal(t, "deadlock-free", out.Violation.Property)
	require.Len(t, out.Violation.Trace, 1)

	final := func(n int) bool { return n == 0 }
	out = fuzz.RandomWalk(fuzz.Target[int, string]{System: sys, Properties: []properties.Property[int, string]{deadlockFree}, Final: final}, 10, 1, nil)
	require.True(t, out.Ended)
	require.Nil(t, out.Violation)
}

func TestCheckFindsTheFirstViolationOfATrace(t *testing.T) {
	tg := fuzz.Target[int, string]{System: counter{top: 3}, Properties: []properties.Property[int, string]{noReset, deadlockFree}}
	step := func(a string, n int) checker.Step[int, string] {
		return checker.Step[int, string]{Action: a, HasAction: true, State: n}
	}
	ok := []checker.Step[int, string]{{State: 0}, step("inc", 1), step("reset", 0), step("inc", 1)}
	require.Nil(t, fuzz.Check(tg, ok))

	bad := append(ok, step("inc", 2), step("reset", 0), step("inc", 1))
	v := fuzz.Check(tg, bad)
	require.NotNil(t, v)
	require.Equal(t, "no-reset", v.Property)
	require.Len(t, v.Trace, 6)

	stuck := append(ok, step("inc", 2), step("inc", 3))
	v = fuzz.Check(tg, stuck)
	require.NotNil(t, v)
	require.Equal(t, "deadlock-free", v.Property)
}

// rapid shrinks a failing walk to a shortest event order: each draw is
// an index among the enabled transitions, so it tries smaller indexes
// (earlier transitions in Next's order) and fewer draws.
func TestWalkShrinksToAShortestTrace(t *testing.T) {
	tg := fuzz.Target[int, string]{System: counter{top: 9}, Properties: []properties.Property[int, string]{below(4)}}
	report, found := fuzz.Finds(1000, func(t *rapid.T) { fuzz.Walk(t, tg, 40) })
	require.True(t, found)
	want := `VIOLATION below (invariant): inc reached 4
random walk, 4 step(s):

   STEP  ACTION           STATE
      0  (initial state)  0
      1  inc              1
      2  inc              2
      3  inc              3
=>    4  inc              4
`
	require.Contains(t, report, want)
}

func TestWalkPassesWhenThePropertiesHold(t *testing.T) {
	tg := fuzz.Target[int, string]{System: counter{top: 5}, Properties: []properties.Property[int, string]{below(6), deadlockFree}, Final: func(n int) bool { return n == 5 }}
	report, found := fuzz.Finds(200, func(t *rapid.T) {
		trace := fuzz.Walk(t, tg, 30)
		if err := checker.Replay[int, string](counter{top: 5}, trace); err != nil {
			t.Fatal(err)
		}
	})
	require.False(t, found, report)
	require.True(t, strings.Contains(report, "OK, passed 200 tests"), report)
}

// RandomWalkTrace is the walk RandomWalk takes with the same seed: a
// behaviour of the system, as long as the outcome says.
func TestRandomWalkTrace(t *testing.T) {
	cfg, err := model.LookupPreset("stress")
	require.NoError(t, err)
	m, err := model.New(cfg)
	require.NoError(t, err)
	tg := fuzz.Target[model.State, model.Action]{System: m}
	for seed := range uint64(5) {
		trace := fuzz.RandomWalkTrace(tg, 50, seed)
		out := fuzz.RandomWalk(tg, 50, seed, nil)
		require.Len(t, trace, out.Steps+1, "seed %d", seed)
		require.NoError(t, checker.Replay(m, trace), "seed %d: a behaviour of the model", seed)
	}
}

// A walk that finds a violation is walked again for its trace, but its
// properties see each step once: a property may count what it sees.
func TestRandomWalkChecksEachStepOnce(t *testing.T) {
	steps := 0
	seen := properties.Property[int, string]{ID: "seen", Step: func(*int, string, *int) bool { steps++; return true }}
	tg := fuzz.Target[int, string]{System: counter{top: 9}, Properties: []properties.Property[int, string]{seen, below(3)}}
	found := 0
	for seed := range uint64(20) {
		steps = 0
		out := fuzz.RandomWalk(tg, 100, seed, nil)
		require.Equal(t, out.Steps, steps, "seed %d: each step checked once", seed)
		if out.Violation != nil {
			found++
			require.Len(t, out.Violation.Trace, out.Steps+1)
			require.Equal(t, "below", out.Violation.Property)
		}
	}
	require.Positive(t, found)
}
