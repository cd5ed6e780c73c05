package checker

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// completeGraph explores sys completely and returns its graph.
func completeGraph[S comparable](t tester, sys System[S, string]) *Graph[S, string] {
	t.Helper()
	res := explore(t, sys, Options[S, string]{KeepGraph: true})
	g, err := CompleteGraph(res)
	require.NoError(t, err)
	return g
}

// wf and sf declare the actions named weakly or strongly fair.
func wf(name string, actions ...string) Fairness[string] {
	return Fairness[string]{Name: name, Includes: func(a string) bool { return slices.Contains(actions, a) }}
}

func sf(name string, actions ...string) Fairness[string] {
	f := wf(name, actions...)
	f.Strong = true
	return f
}

// oneOf returns the predicate "the state is one of these".
func oneOf[S comparable](states ...S) func(*S) bool {
	return func(s *S) bool { return slices.Contains(states, *s) }
}

func nowhere[S any](*S) bool { return false }

// graphOf returns the system whose transitions are adj (adj[u] lists the
// moves from u), with the initial state 0.
func graphOf(adj [][]move[int]) toy[int] {
	return toy[int]{init: []int{0}, next: func(u int) []move[int] { return adj[u] }}
}

// requireFailsWith checks that res is a failure whose lasso is a valid
// counterexample of p ~> q (see requireCounterexample) and returns it.
func requireFailsWith[S comparable](t tester, g *Graph[S, string], res *LivenessResult[S, string], err error, p, q func(*S) bool, fairness []Fairness[string]) *Lasso[S, string] {
	t.Helper()
	require.NoError(t, err)
	require.False(t, res.Holds)
	require.False(t, res.Vacuous)
	require.Nil(t, res.Trap)
	require.NotNil(t, res.Lasso)
	requireCounterexample(t, g, res.Lasso, p, q, fairness)
	return res.Lasso
}

func requireHolds[S comparable](t tester, res *LivenessResult[S, string], err error) {
	t.Helper()
	require.NoError(t, err)
	require.True(t, res.Holds)
	require.False(t, res.Vacuous)
	require.Nil(t, res.Lasso)
	require.Nil(t, res.Trap)
}

// requireCounterexample checks, from the graph alone, that l is a fair
// behaviour of g that reaches a P state and never reaches a Q state from
// there on.
func requireCounterexample[S comparable](t tester, g *Graph[S, string], l *Lasso[S, string], p, q func(*S) bool, fairness []Fairness[string]) {
	t.Helper()
	// at applies a predicate to a copy of s.
	at := func(pred func(*S) bool, s S) bool { return pred(&s) }
	tr := l.Trace
	require.NotEmpty(t, tr)
	view := viewOf(g)
	number := make(map[S]int)
	for i, s := range view.States {
		number[s] = i
	}
	isEdge := func(from S, a string, to S) bool {
		return slices.Contains(view.Edges, Edge[string]{From: number[from], To: number[to], Action: a})
	}
	// A class is enabled in s if s has an edge of the class to another state.
	enabled := func(f Fairness[string], s S) bool {
		return slices.ContainsFunc(view.Edges, func(e Edge[string]) bool {
			return e.From == number[s] && e.To != e.From && f.Includes(e.Action)
		})
	}

	// A behaviour of g.
	require.False(t, tr[0].HasAction)
	require.Contains(t, view.Initial, number[tr[0].State])
	for k := 1; k < len(tr); k++ {
		require.True(t, tr[k].HasAction, "step %d", k)
		require.True(t, isEdge(tr[k-1].State, tr[k].Action, tr[k].State), "step %d is not an edge", k)
	}
	require.GreaterOrEqual(t, l.LoopStart, 0)
	require.Less(t, l.LoopStart, len(tr))

	// P, then never Q.
	k := l.LoopStart
	for k > 0 && !at(q, tr[k-1].State) {
		k--
	}
	for _, st := range tr[k:] {
		require.False(t, at(q, st.State), "Q holds in %v", st.State)
	}
	require.True(t, slices.ContainsFunc(tr[k:], func(st Step[S, string]) bool { return at(p, st.State) }),
		"no P state starts the ¬Q part %v", states(tr[k:]))

	// Fair.
	if l.Stutter {
		require.Equal(t, len(tr)-1, l.LoopStart)
		require.Empty(t, l.Loop())
		for _, f := range fairness {
			require.False(t, enabled(f, tr[l.LoopStart].State), "stuttering is unfair to %s", f)
		}
		return
	}
	loop := l.Loop()
	require.NotEmpty(t, loop)
	require.Equal(t, tr[l.LoopStart].State, tr[len(tr)-1].State, "the loop does not close")
	for k := l.LoopStart + 1; k < len(tr); k++ {
		require.NotEqual(t, tr[k-1].State, tr[k].State, "a self loop in the loop")
	}
	cycle := states(tr[l.LoopStart+1:])
	for _, f := range fairness {
		taken := slices.ContainsFunc(loop, func(st Step[S, string]) bool { return f.Includes(st.Action) })
		disabled := 0
		for _, s := range cycle {
			if !enabled(f, s) {
				disabled++
			}
		}
		if f.Strong {
			require.True(t, taken || disabled == len(cycle), "the loop is unfair to %s", f)
		} else {
			require.True(t, taken || disabled > 0, "the loop is unfair to %s", f)
		}
	}
}

func TestContinuouslyEnabledActionIsTaken(t *testing.T) {
	// 0 and 1 swap forever by a and b; x, enabled in both, ends in 2.
	g := completeGraph(t, graphOf([][]move[int]{
		0: {{"a", 1}, {"x", 2}},
		1: {{"b", 0}, {"x", 2}},
		2: nil,
	}))
	fair := []Fairness[string]{wf("swap", "a", "b"), wf("x", "x")}
	res, err := Eventually(g, oneOf(2), fair)
	requireHolds(t, res, err)
	require.Equal(t, []string{"WF(swap)", "WF(x)"}, res.Fairness)

	// Without fairness for x, the swap goes on forever.
	fair = fair[:1]
	res, err = Eventually(g, oneOf(2), fair)
	l := requireFailsWith(t, g, res, err, oneOf(0), oneOf(2), fair)
	require.Equal(t, &Lasso[int, string]{
		Trace:     []Step[int, string]{start(0), step("a", 1), step("b", 0)},
		LoopStart: 0,
	}, l)
}

// blinking: x is enabled in 0 only, and the clock goes 0, 1, 0, 1, …
func blinking() toy[int] {
	return graphOf([][]move[int]{
		0: {{"tick", 1}, {"x", 2}},
		1: {{"tock", 0}},
		2: nil,
	})
}

func TestWeakFairnessIgnoresIntermittentAction(t *testing.T) {
	g := completeGraph(t, blinking())
	fair := []Fairness[string]{wf("clock", "tick", "tock"), wf("x", "x")}
	res, err := Eventually(g, oneOf(2), fair)
	l := requireFailsWith(t, g, res, err, oneOf(0), oneOf(2), fair)
	require.Equal(t, &Lasso[int, string]{
		Trace:     []Step[int, string]{start(0), step("tick", 1), step("tock", 0)},
		LoopStart: 0,
	}, l)
}

func TestStrongFairnessTakesIntermittentAction(t *testing.T) {
	g := completeGraph(t, blinking())
	res, err := Eventually(g, oneOf(2), []Fairness[string]{wf("clock", "tick", "tock"), sf("x", "x")})
	requireHolds(t, res, err)
}

func TestStutterAtTerminalState(t *testing.T) {
	g := completeGraph(t, line(3)) // 0 -inc-> 1 -inc-> 2, then nothing
	fair := []Fairness[string]{wf("inc", "inc")}
	res, err := Eventually(g, nowhere[int], fair)
	l := requireFailsWith(t, g, res, err, oneOf(0), nowhere[int], fair)
	require.Equal(t, &Lasso[int, string]{
		Trace:     []Step[int, string]{start(0), step("inc", 1), step("inc", 2)},
		LoopStart: 2,
		Stutter:   true,
	}, l)

	// A terminal Q state is fine.
	res, err = Eventually(g, oneOf(2), fair)
	requireHolds(t, res, err)
}

func TestStutterWhereOnlyUnfairActionsAreEnabled(t *testing.T) {
	// From 0, deliver ends in 1; lose goes to 2, where only noise is
	// enabled, between 2 and 3.
	sys := graphOf([][]move[int]{
		0: {{"deliver", 1}, {"lose", 2}},
		1: nil,
		2: {{"noise", 3}},
		3: {{"noise", 2}},
	})
	g := completeGraph(t, sys)
	fair := []Fairness[string]{wf("deliver", "deliver")}
	res, err := Eventually(g, oneOf(1), fair)
	l := requireFailsWith(t, g, res, err, oneOf(0), oneOf(1), fair)
	require.Equal(t, &Lasso[int, string]{
		Trace:     []Step[int, string]{start(0), step("lose", 2)},
		LoopStart: 1,
		Stutter:   true,
	}, l)

	// Noise that is fair makes the noise go on, not stop.
	fair = append(fair, wf("noise", "noise"))
	res, err = Eventually(g, oneOf(1), fair)
	l = requireFailsWith(t, g, res, err, oneOf(0), oneOf(1), fair)
	require.Equal(t, &Lasso[int, string]{
		Trace:     []Step[int, string]{start(0), step("lose", 2), step("noise", 3), step("noise", 2)},
		LoopStart: 1,
	}, l)
}

func TestWithoutFairnessEveryBehaviourMayStop(t *testing.T) {
	g := completeGraph(t, counter(3))
	res, err := Eventually(g, oneOf(2), nil)
	l := requireFailsWith(t, g, res, err, oneOf(0), oneOf(2), nil)
	require.Equal(t, &Lasso[int, string]{Trace: []Step[int, string]{start(0)}, Stutter: true}, l)
	require.Empty(t, res.Fairness)
}

func TestSelfLoopIsStuttering(t *testing.T) {
	// A self loop changes nothing: it does not enable its action, and
	// taking it is not taking the action.
	g := completeGraph(t, graphOf([][]move[int]{0: {{"tick", 0}}}))
	fair := []Fairness[string]{wf("tick", "tick")}
	res, err := Eventually(g, nowhere[int], fair)
	l := requireFailsWith(t, g, res, err, oneOf(0), nowhere[int], fair)
	require.Equal(t, &Lasso[int, string]{Trace: []Step[int, string]{start(0)}, Stutter: true}, l)

	// x is enabled in 0 by its edge to 1; looping on x does not take it.
	g = completeGraph(t, graphOf([][]move[int]{0: {{"x", 0}, {"x", 1}}, 1: nil}))
	res, err = Eventually(g, oneOf(1), []Fairness[string]{wf("x", "x")})
	requireHolds(t, res, err)
}

func TestStrongFairnessRefinesComponents(t *testing.T) {
	// 0 <-> 1 <-> 2 by t and u; x, enabled in 2 only, ends in 3. Under
	// SF(x) a fair behaviour must keep out of 2: it loops 0, 1, 0, 1, …,
	// which is weakly fair to u because u is disabled in 0.
	g := completeGraph(t, graphOf([][]move[int]{
		0: {{"t", 1}},
		1: {{"t", 0}, {"u", 2}},
		2: {{"u", 1}, {"x", 3}},
		3: nil,
	}))
	fair := []Fairness[string]{wf("t", "t"), wf("u", "u"), sf("x", "x")}
	res, err := LeadsTo(g, oneOf(0), oneOf(3), fair)
	l := requireFailsWith(t, g, res, err, oneOf(0), oneOf(3), fair)
	require.Equal(t, &Lasso[int, string]{
		Trace:     []Step[int, string]{start(0), step("t", 1), step("t", 0)},
		LoopStart: 0,
	}, l)

	// With u strongly fair too, {0, 1} must also keep out of 1, where u
	// is enabled but never taken within {0, 1}: no cycle is left.
	fair = []Fairness[string]{wf("t", "t"), sf("u", "u"), sf("x", "x")}
	res, err = LeadsTo(g, oneOf(0), oneOf(3), fair)
	requireHolds(t, res, err)
}

func TestLeadsToFromEveryPState(t *testing.T) {
	// 0 -a-> 1 -b-> 2 -c-> 3, and 3 -d-> 1 back: from 1, 2 is always
	// reached; from 3 too. From 2, 3 is reached and then 2 again.
	g := completeGraph(t, graphOf([][]move[int]{
		0: {{"a", 1}},
		1: {{"b", 2}},
		2: {{"c", 3}},
		3: {{"d", 1}},
	}))
	fair := []Fairness[string]{wf("all", "a", "b", "c", "d")}
	res, err := LeadsTo(g, oneOf(1, 3), oneOf(2), fair)
	requireHolds(t, res, err)

	// Q in the P state itself.
	res, err = LeadsTo(g, oneOf(2), oneOf(2), nil)
	requireHolds(t, res, err)

	// Without fairness, the first P state that is not Q can stutter.
	res, err = LeadsTo(g, oneOf(1, 3), oneOf(2), nil)
	l := requireFailsWith(t, g, res, err, oneOf(1, 3), oneOf(2), nil)
	require.Equal(t, &Lasso[int, string]{Trace: []Step[int, string]{start(0), step("a", 1)}, LoopStart: 1, Stutter: true}, l)
}

func TestVacuous(t *testing.T) {
	g := completeGraph(t, counter(3))
	res, err := LeadsTo(g, oneOf(7), nowhere[int], nil)
	require.NoError(t, err)
	require.True(t, res.Holds)
	require.True(t, res.Vacuous)
	require.Nil(t, res.Lasso)

	// A graph with no state: the initial states failed the state
	// constraint.
	empty := NewGraph[int, string](nil, nil, nil)
	for _, f := range []func() (*LivenessResult[int, string], error){
		func() (*LivenessResult[int, string], error) { return Eventually(empty, nowhere[int], nil) },
		func() (*LivenessResult[int, string], error) { return AlwaysEventually(empty, nowhere[int], nil) },
		func() (*LivenessResult[int, string], error) { return CanAlwaysReach(empty, nowhere[int]) },
	} {
		res, err := f()
		require.NoError(t, err)
		require.True(t, res.Holds)
		require.True(t, res.Vacuous)
	}
}

func TestAlwaysEventually(t *testing.T) {
	// counter(3): 0 -inc-> 1 -inc-> 2, and reset to 0 from each.
	g := completeGraph(t, counter(3))
	res, err := AlwaysEventually(g, oneOf(0), []Fairness[string]{wf("counter", "inc", "reset")})
	requireHolds(t, res, err)

	// If only inc is fair, the counter may stop at 2.
	fair := []Fairness[string]{wf("inc", "inc")}
	res, err = AlwaysEventually(g, oneOf(0), fair)
	l := requireFailsWith(t, g, res, err, func(*int) bool { return true }, oneOf(0), fair)
	require.Equal(t, &Lasso[int, string]{
		Trace:     []Step[int, string]{start(0), step("inc", 1), step("inc", 2)},
		LoopStart: 2,
		Stutter:   true,
	}, l)

	// Always eventually 2 fails even with both fair: reset may always
	// come first.
	fair = []Fairness[string]{wf("counter", "inc", "reset")}
	res, err = AlwaysEventually(g, oneOf(2), fair)
	l = requireFailsWith(t, g, res, err, func(*int) bool { return true }, oneOf(2), fair)
	require.Equal(t, &Lasso[int, string]{
		Trace:     []Step[int, string]{start(0), step("inc", 1), step("reset", 0)},
		LoopStart: 0,
	}, l)
}

// linkState is a sender and a lossy channel: a segment is sent into the
// channel, where it is delivered or lost.
type linkState struct {
	Sent      bool // the sender has sent at least once
	InFlight  bool // a segment is in the channel
	Delivered bool
}

// lossyLink retransmits, if retransmit is set, whenever the channel is
// empty and nothing was delivered; otherwise it sends once.
func lossyLink(retransmit bool) toy[linkState] {
	return toy[linkState]{
		init: []linkState{{}},
		next: func(s linkState) []move[linkState] {
			var ms []move[linkState]
			if !s.Delivered && !s.InFlight && (!s.Sent || retransmit) {
				ms = append(ms, move[linkState]{"send", linkState{Sent: true, InFlight: true}})
			}
			if s.InFlight {
				ms = append(ms,
					move[linkState]{"deliver", linkState{Sent: true, Delivered: true}},
					move[linkState]{"lose", linkState{Sent: true}},
				)
			}
			return ms
		},
	}
}

func delivered(s *linkState) bool { return s.Delivered }

func TestLossyRetransmission(t *testing.T) {
	g := completeGraph(t, lossyLink(true))
	// "A retransmission timer that stays armed eventually fires"; loss is
	// not fair.
	timer := wf("timer", "send")

	// "A segment sent again and again is eventually delivered."
	res, err := Eventually(g, delivered, []Fairness[string]{timer, sf("deliver", "deliver")})
	requireHolds(t, res, err)

	// Delivery only weakly fair: deliver is enabled while the segment is
	// in the channel, not continuously, so it may be lost every time.
	fair := []Fairness[string]{timer, wf("deliver", "deliver")}
	res, err = Eventually(g, delivered, fair)
	l := requireFailsWith(t, g, res, err, oneOf(linkState{}), delivered, fair)
	require.Equal(t, &Lasso[linkState, string]{
		Trace: []Step[linkState, string]{
			start(linkState{}),
			step("send", linkState{Sent: true, InFlight: true}),
			step("lose", linkState{Sent: true}),
			step("send", linkState{Sent: true, InFlight: true}),
		},
		LoopStart: 1,
	}, l)

	// Without a fair timer, the sender may never send.
	fair = []Fairness[string]{sf("deliver", "deliver")}
	res, err = Eventually(g, delivered, fair)
	l = requireFailsWith(t, g, res, err, oneOf(linkState{}), delivered, fair)
	require.Equal(t, &Lasso[linkState, string]{Trace: []Step[linkState, string]{start(linkState{})}, Stutter: true}, l)
}

func TestNoRetransmission(t *testing.T) {
	// The segment is lost and nothing is enabled any more: the behaviour
	// stops, however fair delivery is.
	g := completeGraph(t, lossyLink(false))
	fair := []Fairness[string]{wf("timer", "send"), sf("deliver", "deliver")}
	res, err := Eventually(g, delivered, fair)
	l := requireFailsWith(t, g, res, err, oneOf(linkState{}), delivered, fair)
	require.Equal(t, &Lasso[linkState, string]{
		Trace: []Step[linkState, string]{
			start(linkState{}),
			step("send", linkState{Sent: true, InFlight: true}),
			step("lose", linkState{Sent: true}),
		},
		LoopStart: 2,
		Stutter:   true,
	}, l)
}

func TestPetersonStarvationFreedom(t *testing.T) {
	// Under weak fairness of each process, a process that raised its flag
	// enters its critical section.
	var fair []Fairness[string]
	for _, i := range []string{"0", "1"} {
		fair = append(fair, wf("p"+i, "p"+i+" flag", "p"+i+" turn", "p"+i+" enter", "p"+i+" exit"))
	}
	trying := func(i int) func(*procs) bool { return func(p *procs) bool { return p.PC[i] == 1 } }
	inside := func(i int) func(*procs) bool { return func(p *procs) bool { return p.PC[i] == critical } }
	for _, strategy := range []Strategy{BFS, DFS} {
		res := explore(t, peterson(), Options[procs, string]{KeepGraph: true, Strategy: strategy})
		for i := range 2 {
			lt, err := LeadsTo(res.Graph, trying(i), inside(i), fair)
			requireHolds(t, lt, err)
		}
	}

	// With process 1 unfair, it may stop anywhere, even holding the flag
	// that keeps process 0 out.
	fair = fair[:1]
	g := completeGraph(t, peterson())
	res, err := LeadsTo(g, trying(0), inside(0), fair)
	requireFailsWith(t, g, res, err, trying(0), inside(0), fair)
}

func TestDeterministic(t *testing.T) {
	fair := []Fairness[string]{wf("timer", "send"), wf("deliver", "deliver")}
	var lassos []*Lasso[linkState, string]
	for range 3 {
		g := completeGraph(t, lossyLink(true))
		res, err := Eventually(g, delivered, fair)
		require.NoError(t, err)
		lassos = append(lassos, res.Lasso)
	}
	require.Equal(t, lassos[0], lassos[1])
	require.Equal(t, lassos[0], lassos[2])
}

func TestCompleteGraph(t *testing.T) {
	res := explore(t, counter(5), Options[int, string]{KeepGraph: true})
	g, err := CompleteGraph(res)
	require.NoError(t, err)
	require.Same(t, res.Graph, g)

	for name, opts := range map[string]Options[int, string]{
		"no graph":   {},
		"max depth":  {KeepGraph: true, MaxDepth: 3},
		"max states": {KeepGraph: true, MaxStates: 3},
		"violation":  {KeepGraph: true, Invariants: []Invariant[int]{{Name: "small", Holds: func(x *int) bool { return *x < 2 }}}},
	} {
		_, err := CompleteGraph(explore(t, counter(5), opts))
		require.Error(t, err, name)
	}
	_, err = CompleteGraph[int, string](nil)
	require.Error(t, err)

	// Going on after a violation explores everything.
	res = explore(t, counter(5), Options[int, string]{
		KeepGraph:              true,
		ContinueAfterViolation: true,
		Invariants:             []Invariant[int]{{Name: "small", Holds: func(x *int) bool { return *x < 2 }}},
	})
	_, err = CompleteGraph(res)
	require.NoError(t, err)
}

func TestLivenessOperationalErrors(t *testing.T) {
	g := completeGraph(t, counter(3))
	yes := func(*int) bool { return true }
	_, err := LeadsTo[int, string](nil, yes, yes, nil)
	require.Error(t, err)
	_, err = LeadsTo(g, nil, yes, nil)
	require.Error(t, err)
	_, err = Eventually(g, nil, nil)
	require.Error(t, err)
	_, err = AlwaysEventually(g, nil, nil)
	require.Error(t, err)
	_, err = CanAlwaysReach(g, nil)
	require.Error(t, err)
	_, err = LeadsTo(g, yes, yes, []Fairness[string]{{Name: "none"}})
	require.ErrorContains(t, err, "WF(none)")
	// A malformed graph cannot be made: NewGraph refuses it (TestNewGraph).
}

// A liveGraph is a random graph for the property test: labelled edges
// between states 0..n-1, some initial states, predicates P and Q, and
// fairness classes over the labels.
type liveGraph struct {
	g        *Graph[int, string]
	v        *graphView[int, string] // g spelled out
	p, q     []bool
	fairness []Fairness[string]
}

func drawLiveGraph(t *rapid.T) liveGraph {
	n := rapid.SampledFrom([]int{6, 7, 8, 5, 4, 3, 2, 1}).Draw(t, "n")
	node := rapid.IntRange(0, n-1)
	labels := []string{"a", "b", "c", "d"}
	label := rapid.SampledFrom(labels)
	// Draws are weighted towards cases that are neither vacuous nor failing
	// by a mere stutter: few states without edges, few Q states, and
	// fairness for most actions.
	degree := rapid.SampledFrom([]int{2, 1, 3, 2, 1, 0})
	var edges []Edge[string]
	// A ring through the first states makes cycles common.
	ring := rapid.IntRange(0, n).Draw(t, "ring")
	for u := range ring {
		edges = append(edges, arrow(u, label.Draw(t, "label"), (u+1)%ring))
	}
	for u := range n {
		for range degree.Draw(t, "degree") {
			edges = append(edges, arrow(u, label.Draw(t, "label"), node.Draw(t, "to")))
		}
	}
	lg := liveGraph{
		g: literalGraph(n, rapid.SliceOfNDistinct(node, 1, 2, rapid.ID[int]).Draw(t, "init"), edges...),
		p: rapid.SliceOfN(rapid.SampledFrom([]bool{true, false}), n, n).Draw(t, "p"),
		q: rapid.SliceOfN(rapid.SampledFrom([]bool{false, false, true}), n, n).Draw(t, "q"),
	}
	lg.v = viewOf(lg.g)
	// Each action is in one of three classes or (less often) in none;
	// sometimes one more class overlaps them.
	var classes [3][]string
	for _, a := range labels {
		if k := rapid.SampledFrom([]int{0, 1, 2, 0, 1, 2, -1}).Draw(t, "class of "+a); k >= 0 {
			classes[k] = append(classes[k], a)
		}
	}
	if rapid.SampledFrom([]bool{false, false, true}).Draw(t, "overlap") {
		classes[2] = append(classes[2], rapid.SliceOfNDistinct(label, 1, 2, rapid.ID[string]).Draw(t, "overlap")...)
	}
	for k, actions := range classes {
		if len(actions) > 0 {
			f := wf(string(rune('A'+k)), actions...)
			f.Strong = rapid.Bool().Draw(t, "strong")
			lg.fairness = append(lg.fairness, f)
		}
	}
	return lg
}

// reachable returns the states reachable from the states in from through
// states for which inside is true (from included, whatever inside says).
func (lg liveGraph) reachable(from []int, inside func(int) bool) []bool {
	seen := make([]bool, len(lg.v.States))
	for _, v := range from {
		seen[v] = true
	}
	for changed := true; changed; {
		changed = false
		for _, e := range lg.v.Edges {
			if seen[e.From] && !seen[e.To] && inside(e.To) {
				seen[e.To], changed = true, true
			}
		}
	}
	return seen
}

// naiveLeadsTo decides p ~> q by brute force: it fails if and only if some
// non-empty set X of ¬q states, reachable from a reachable p∧¬q state
// through ¬q states, can be the set of states a fair behaviour visits
// forever: a single state where no fair class is enabled (stuttering), or
// at least two states strongly connected by edges between distinct states
// of X, such that the cycle through all of X's edges is fair.
func (lg liveGraph) naiveLeadsTo(p, q []bool) (holds, vacuous bool) {
	g := lg.v
	n := len(g.States)
	reach := lg.reachable(g.Initial, func(int) bool { return true })
	var starts []int
	vacuous = true
	for v := range n {
		if reach[v] && p[v] {
			vacuous = false
			if !q[v] {
				starts = append(starts, v)
			}
		}
	}
	if vacuous {
		return true, true
	}
	region := lg.reachable(starts, func(v int) bool { return !q[v] })
	enabled := func(f Fairness[string], v int) bool {
		return slices.ContainsFunc(g.Edges, func(e Edge[string]) bool {
			return e.From == v && e.To != v && f.Includes(e.Action)
		})
	}
	for set := 1; set < 1<<n; set++ {
		in := func(v int) bool { return set&(1<<v) != 0 }
		var x []int
		for v := range n {
			if in(v) {
				x = append(x, v)
			}
		}
		if slices.ContainsFunc(x, func(v int) bool { return !region[v] }) {
			continue
		}
		fair := true
		if len(x) == 1 {
			for _, f := range lg.fairness {
				fair = fair && !enabled(f, x[0])
			}
		} else {
			inner := func(e Edge[string]) bool { return in(e.From) && in(e.To) && e.From != e.To }
			for _, v := range x {
				fwd := lg.reachableBy(x[0], inner)
				bwd := lg.reachableBy(v, inner)
				fair = fair && fwd[v] && bwd[x[0]]
			}
			for _, f := range lg.fairness {
				taken := slices.ContainsFunc(g.Edges, func(e Edge[string]) bool { return inner(e) && f.Includes(e.Action) })
				disabled := 0
				for _, v := range x {
					if !enabled(f, v) {
						disabled++
					}
				}
				if f.Strong {
					fair = fair && (taken || disabled == len(x))
				} else {
					fair = fair && (taken || disabled > 0)
				}
			}
		}
		if fair {
			return false, false
		}
	}
	return true, false
}

// reachableBy returns the states reachable from v by the edges for which
// use is true.
func (lg liveGraph) reachableBy(v int, use func(Edge[string]) bool) []bool {
	seen := make([]bool, len(lg.v.States))
	seen[v] = true
	for changed := true; changed; {
		changed = false
		for _, e := range lg.v.Edges {
			if use(e) && seen[e.From] && !seen[e.To] {
				seen[e.To], changed = true, true
			}
		}
	}
	return seen
}

func TestLeadsToAgainstBruteForce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lg := drawLiveGraph(t)
		g := lg.g
		n := g.NumStates()
		pred := func(b []bool) func(*int) bool { return func(v *int) bool { return b[*v] } }
		initial := make([]bool, n)
		for _, v := range g.Initial() {
			initial[v] = true
		}
		all := make([]bool, n)
		for v := range all {
			all[v] = true
		}

		check := func(name string, res *LivenessResult[int, string], err error, p, q []bool) {
			require.NoError(t, err, name)
			holds, vacuous := lg.naiveLeadsTo(p, q)
			require.Equal(t, holds, res.Holds, name)
			require.Equal(t, vacuous, res.Vacuous, name)
			if holds {
				require.Nil(t, res.Lasso, name)
			} else {
				requireCounterexample(t, g, res.Lasso, pred(p), pred(q), lg.fairness)
			}
		}
		res, err := LeadsTo(g, pred(lg.p), pred(lg.q), lg.fairness)
		check("LeadsTo", res, err, lg.p, lg.q)
		again, err := LeadsTo(g, pred(lg.p), pred(lg.q), lg.fairness)
		require.NoError(t, err)
		require.Equal(t, res, again, "deterministic")

		// The same on the sets of states where P and Q hold, marked by
		// any number of workers.
		sets := MarkStates(g, rapid.IntRange(1, 4).Draw(t, "workers"), pred(lg.p), pred(lg.q))
		for v := range n {
			require.Equal(t, lg.p[v], sets[0].Has(int32(v)), "P at %d", v)
			require.Equal(t, lg.q[v], sets[1].Has(int32(v)), "Q at %d", v)
		}
		in, err := LeadsToIn(g, sets[0], sets[1], lg.fairness)
		require.NoError(t, err)
		require.Equal(t, res, in, "LeadsToIn")

		// The shortest paths from the initial states were computed once,
		// by the first analysis, and serve the others.
		require.NotNil(t, g.prefix)
		require.Same(t, g.prefix, g.shortestPaths())

		res, err = Eventually(g, pred(lg.q), lg.fairness)
		check("Eventually", res, err, initial, lg.q)
		res, err = AlwaysEventually(g, pred(lg.q), lg.fairness)
		check("AlwaysEventually", res, err, all, lg.q)
	})
}

// MarkStates shares the states among its workers in chunks; each set has
// exactly the states where its predicate holds, and LeadsToIn refuses a
// set of another graph.
func TestMarkStates(t *testing.T) {
	const side = 100
	g := torusGraph(side)
	x0 := func(v *int) bool { return *v%side == 0 }
	odd := func(v *int) bool { return *v%2 == 1 }
	for _, workers := range []int{0, 1, 3} {
		sets := MarkStates(g, workers, x0, odd)
		require.Len(t, sets, 2)
		for v := range g.NumStates() {
			if sets[0].Has(int32(v)) != (v%side == 0) || sets[1].Has(int32(v)) != (v%2 == 1) {
				t.Fatalf("workers %d: state %d marked wrong", workers, v)
			}
		}
		require.Equal(t, g.NumStates()/side, sets[0].Len())
		require.Equal(t, g.NumStates()/2, sets[1].Len())
	}
	small := NewGraph([]int{0, 1}, []int{0}, []Edge[string]{{0, 1, "a"}})
	other := MarkStates(small, 1, x0)
	_, err := LeadsToIn(g, other[0], other[0], nil)
	require.ErrorContains(t, err, "another graph")
}

// torusLeadsTo benchmarks TRUE ~> x = 0 on the torus of 10⁶ states.
func torusLeadsTo(b *testing.B, holds bool) {
	const side = 100
	g := torusGraph(side)
	q := func(v *int) bool { return *v%side == 0 }
	// Under WF(x), x keeps growing and comes back to 0: no fair cycle
	// stays where x ≠ 0. Under WF(y) alone, y and z may go round forever.
	fair := []Fairness[string]{wf("x", "x")}
	if !holds {
		fair = []Fairness[string]{wf("y", "y")}
	}
	yes := func(*int) bool { return true }
	b.ReportAllocs()
	for b.Loop() {
		res, err := LeadsTo(g, yes, q, fair)
		if err != nil || res.Holds != holds {
			b.Fatal(err, res.Holds)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(g.NumStates()), "ns/state")
}

func BenchmarkLeadsToHolds(b *testing.B)    { torusLeadsTo(b, true) }
func BenchmarkLeadsToViolated(b *testing.B) { torusLeadsTo(b, false) }

func BenchmarkLeadsToStrongFairness(b *testing.B) {
	// Under SF(x) the refinement removes every state of each component.
	const side = 100
	g := torusGraph(side)
	q := func(v *int) bool { return *v%side == 0 }
	fair := []Fairness[string]{wf("y", "y"), sf("x", "x")}
	yes := func(*int) bool { return true }
	b.ReportAllocs()
	for b.Loop() {
		res, err := LeadsTo(g, yes, q, fair)
		if err != nil || !res.Holds {
			b.Fatal(err, res.Holds)
		}
	}
}

// LivenessBytes bounds what deciding a liveness property allocates: on
// a ring of states, each with a jump across it and an exit to an
// absorbing goal, the whole ring is one component of the region, which
// strong fairness refines away; everything the analysis allocates
// (runtime.MemStats.TotalAlloc, more than it holds at once) stays under
// the bound, for a graph with one or three fairness classes.
func TestLivenessBytesBoundsAllocation(t *testing.T) {
	const n = 200_000
	goal := n
	ring := toy[int]{init: []int{0}, next: func(u int) []move[int] {
		if u == goal {
			return []move[int]{{"stay", goal}}
		}
		return []move[int]{{"step", (u + 1) % n}, {"jump", (u*7 + 3) % n}, {"exit", goal}}
	}}
	// A chain where each state also skips one ahead: no cycle, so every
	// state is a component of its own.
	chain := toy[int]{init: []int{0}, next: func(u int) []move[int] {
		if u >= goal {
			return []move[int]{{"stay", goal}}
		}
		return []move[int]{{"step", u + 1}, {"skip", min(u+2, goal)}}
	}}
	// A ring that can go home to 0 but never reach goal: one component,
	// a fair set, and a short counterexample.
	home := toy[int]{init: []int{0}, next: func(u int) []move[int] {
		return []move[int]{{"step", (u + 1) % n}, {"home", 0}}
	}}
	// Pairs of states, each a cycle of its own, one after another: as
	// many fair sets as pairs.
	pairs := toy[int]{init: []int{0}, next: func(u int) []move[int] {
		return []move[int]{{"in", u ^ 1}, {"on", min(u+2, n-2+u%2)}}
	}}
	// A ring of blocks x, y, z: x and y a cycle, z where exit is enabled.
	// Strong fairness to exit, never taken inside, splits the ring into
	// its pairs, each a fair set.
	blocks := toy[int]{init: []int{0}, next: func(u int) []move[int] {
		switch u % 3 {
		case 0:
			return []move[int]{{"in", u + 1}}
		case 1:
			return []move[int]{{"in", u - 1}, {"on", u + 1}}
		}
		return []move[int]{{"on", (u + 1) % (n - n%3)}, {"exit", goal}}
	}}
	for _, c := range []struct {
		sys      toy[int]
		fairness []Fairness[string]
		fails    bool
	}{
		{ring, []Fairness[string]{sf("exit", "exit")}, false},
		{ring, []Fairness[string]{sf("exit", "exit"), wf("step", "step"), wf("jump", "jump")}, false},
		{chain, []Fairness[string]{wf("moves", "step", "skip")}, false},
		{home, []Fairness[string]{wf("step", "step")}, true},
		{pairs, []Fairness[string]{wf("in", "in")}, true},
		{blocks, []Fairness[string]{sf("exit", "exit")}, true},
	} {
		g, fairness := completeGraph(t, System[int, string](c.sys)), c.fairness
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		res, err := Eventually(g, func(u *int) bool { return *u == goal }, fairness)
		runtime.ReadMemStats(&after)
		require.NoError(t, err)
		require.Equal(t, !c.fails, res.Holds)
		used := int64(after.TotalAlloc - before.TotalAlloc)
		bound := LivenessBytes(g.NumStates(), g.NumEdges(), len(fairness))
		t.Logf("%d fairness classes: allocated %d bytes, %.1f a state; bound %d; counted %d and %d for the paths", len(fairness), used, float64(used)/float64(g.NumStates()), bound, res.Bytes, g.PathBytes())
		require.LessOrEqual(t, used, bound)
		// What the result says the analysis held, with the paths the graph
		// keeps, is what it allocated, but for Eventually's initial states
		// and a few small tables.
		held := res.Bytes + g.PathBytes()
		require.LessOrEqual(t, held, used)
		require.GreaterOrEqual(t, float64(held), 0.95*float64(used))
	}
}

// LeadsToAll decides each check as LeadsToIn does, in the order given,
// with any number of workers; a check after a failed one of its group is
// not decided (nil), whichever worker got to it first.
func TestLeadsToAllAgreesWithLeadsToIn(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lg := drawLiveGraph(t)
		g := lg.g
		n := g.NumStates()
		var preds []func(*int) bool
		checks := rapid.IntRange(0, 6).Draw(t, "checks")
		for range 2 * checks {
			b := rapid.SliceOfN(rapid.SampledFrom([]bool{true, false, false}), n, n).Draw(t, "set")
			preds = append(preds, func(v *int) bool { return b[*v] })
		}
		sets := MarkStates(g, 1, preds...)
		var all []LeadsToCheck[string]
		for k := range checks {
			all = append(all, LeadsToCheck[string]{P: sets[2*k], Q: sets[2*k+1], Fairness: lg.fairness, Group: rapid.IntRange(0, 2).Draw(t, "group")})
		}
		want := []*LivenessResult[int, string]{}
		failed := map[int]bool{}
		for _, c := range all {
			if failed[c.Group] {
				want = append(want, nil)
				continue
			}
			res, err := LeadsToIn(g, c.P, c.Q, c.Fairness)
			require.NoError(t, err)
			failed[c.Group] = !res.Holds
			want = append(want, res)
		}
		got, errs, _ := LeadsToAll(g, all, rapid.IntRange(1, 4).Draw(t, "workers"))
		require.Equal(t, want, got)
		require.Equal(t, make([]error, checks), errs)
	})
}

// A check that fails with an error ends its group as a violation does.
func TestLeadsToAllErrorEndsGroup(t *testing.T) {
	g := torusGraph(10)
	small := NewGraph([]int{0, 1}, []int{0}, []Edge[string]{{0, 1, "a"}})
	x0 := func(v *int) bool { return *v%10 == 0 }
	own, other := MarkStates(g, 1, x0), MarkStates(small, 1, x0)
	checks := []LeadsToCheck[string]{
		{P: other[0], Q: other[0], Group: 1},
		{P: own[0], Q: own[0], Group: 1},
		{P: own[0], Q: own[0], Group: 2},
	}
	for _, workers := range []int{1, 3} {
		res, errs, _ := LeadsToAll(g, checks, workers)
		require.ErrorContains(t, errs[0], "another graph")
		require.Nil(t, res[0])
		require.Nil(t, res[1])
		require.NoError(t, errs[1])
		require.NoError(t, errs[2])
		require.True(t, res[2].Holds)
	}
}

// The analyses run at once are as many as fit in what is left of the
// memory limit the graph was explored under, and at least one.
func TestAnalysesRoom(t *testing.T) {
	g := torusGraph(10)
	checks := []LeadsToCheck[string]{{Fairness: make([]Fairness[string], 2)}}
	one := LivenessBytes(g.NumStates(), g.NumEdges(), 2)
	require.Equal(t, math.MaxInt, g.analysesRoom(checks), "no limit")
	g.memoryLimit = 1
	require.Equal(t, 1, g.analysesRoom(checks), "no room left: one still runs")
	var gauge memoryGauge
	g.memoryLimit = gauge.inUse() + 3*one + one/2
	require.Equal(t, 3, g.analysesRoom(checks))

	// Explored under a limit, the graph keeps it.
	sys := graphOf([][]move[int]{{{"a", 1}}, {{"b", 0}}})
	res, err := Explore(context.Background(), sys, Options[int, string]{KeepGraph: true, MaxMemory: 1 << 40})
	require.NoError(t, err)
	require.Positive(t, res.Graph.memoryLimit)
	res, err = Explore(context.Background(), sys, Options[int, string]{KeepGraph: true})
	require.NoError(t, err)
	require.Zero(t, res.Graph.memoryLimit)
}

// A check decided while an earlier one of its group, violated, was still
// being decided (another worker's) is dropped as if skipped.
func TestLeadsToAllDropsWhatARaceDecided(t *testing.T) {
	g := torusGraph(40) // 64,000 states: the first check takes a while
	all := func(*int) bool { return true }
	sets := MarkStates(g, 1, all, nowhere[int])
	checks := []LeadsToCheck[string]{
		{P: sets[0], Q: sets[1]}, // violated: every behaviour may stop
		{P: sets[1], Q: sets[1]}, // vacuous, at once
	}
	for range 3 {
		res, errs, _ := LeadsToAll(g, checks, 2)
		require.Equal(t, []error{nil, nil}, errs)
		require.False(t, res[0].Holds)
		require.Nil(t, res[1])
	}
}

// What LeadsToAll says the analyses held at once: one worker, the largest
// of them; two, the two largest; the shortest paths once in either.
func TestLeadsToAllHeld(t *testing.T) {
	g := torusGraph(20)
	x0 := func(v *int) bool { return *v%20 == 0 }
	sets := MarkStates(g, 1, x0, nowhere[int], func(*int) bool { return true })
	checks := []LeadsToCheck[string]{
		{P: sets[2], Q: sets[0], Fairness: []Fairness[string]{wf("x", "x")}, Group: 0}, // a large region
		{P: sets[0], Q: sets[0], Group: 1},                                             // no region
	}
	res, _, held := LeadsToAll(g, checks, 1)
	big, small := res[0].Bytes, res[1].Bytes
	require.Greater(t, big, small)
	require.Positive(t, g.PathBytes())
	require.Equal(t, big+g.PathBytes(), held)
	_, _, held = LeadsToAll(g, checks, 2)
	require.Equal(t, big+small+g.PathBytes(), held)
	_, _, held = LeadsToAll(g, append(checks, checks[1]), 2)
	require.Equal(t, big+small+g.PathBytes(), held, "the two largest of three")
}

// While LeadsToAll decides, the garbage collector is held to the limit
// the graph was explored under, as in the search; then let go again.
func TestLeadsToAllHoldsTheCollectorToTheLimit(t *testing.T) {
	sys := graphOf([][]move[int]{{{"a", 1}}, {{"b", 0}}})
	res, err := Explore(context.Background(), sys, Options[int, string]{KeepGraph: true, MaxMemory: 1 << 40})
	require.NoError(t, err)
	g := res.Graph
	before := debug.SetMemoryLimit(-1)
	var during int64
	sets := MarkStates(g, 1, oneOf(0), nowhere[int])
	LeadsToAll(g, []LeadsToCheck[string]{{P: sets[0], Q: sets[1], Fairness: []Fairness[string]{{Name: "a", Includes: func(string) bool {
		during = debug.SetMemoryLimit(-1)
		return true
	}}}}}, 1)
	require.Equal(t, min(before, g.memoryLimit), during)
	require.Equal(t, before, debug.SetMemoryLimit(-1))
}

// Refinement within refinement: a ring of blocks that strong fairness
// to a splits into its blocks, each of which strong fairness to b splits
// again into a two-state cycle, a fair set. The verdict agrees with the
// brute-force decision on rings of 1 to 4 blocks (the brute force tries
// every set of states), and with the one a fair set gives on 40, and the
// counterexample is one; the same where a block lacks its cycle.
func TestStrongFairnessRefinesTwice(t *testing.T) {
	for _, blocks := range []int{1, 2, 3, 4, 40} {
		for _, broken := range []int{-1, 0, blocks - 1} {
			// Block j: 4j where b is enabled, the cycle 4j+1 and 4j+2, and
			// 4j+3 where a is, which goes on to the next block by b: so b
			// is taken in the ring, and only a fails there, then b in each
			// block. A block is entered where b is, so that the cycle's
			// states are not the first its component lists. The goal is
			// the last state.
			n := 4*blocks + 1
			goal := n - 1
			var edges []Edge[string]
			for j := range blocks {
				b := 4 * j
				edges = append(edges, arrow(b, "on", b+1), arrow(b+1, "in", b+2))
				if j != broken {
					edges = append(edges, arrow(b+2, "in", b+1))
				}
				edges = append(edges, arrow(b+2, "on", b), arrow(b, "b", goal),
					arrow(b, "on", b+3), arrow(b+3, "a", goal), arrow(b+3, "b", 4*((j+1)%blocks)))
			}
			edges = append(edges, arrow(goal, "stay", goal))
			lg := liveGraph{g: literalGraph(n, []int{0}, edges...), p: make([]bool, n), q: make([]bool, n)}
			lg.v = viewOf(lg.g)
			lg.p[0], lg.q[goal] = true, true
			lg.fairness = []Fairness[string]{sf("a", "a"), sf("b", "b"), wf("in", "in")}
			pred := func(b []bool) func(*int) bool { return func(v *int) bool { return b[*v] } }
			res, err := LeadsTo(lg.g, pred(lg.p), pred(lg.q), lg.fairness)
			require.NoError(t, err)
			holds := blocks == 1 && broken == 0 // no block has its cycle
			if n <= 20 {
				holds, _ = lg.naiveLeadsTo(lg.p, lg.q)
			}
			require.Equal(t, holds, res.Holds, "%d blocks, broken %d", blocks, broken)
			if !holds {
				requireCounterexample(t, lg.g, res.Lasso, pred(lg.p), pred(lg.q), lg.fairness)
			}

			// The fair sets found are the two-state cycles, each one set.
			l := newLiveness(lg.g, lg.fairness)
			l.addStart(0)
			l.starts = l.region
			l.explore(func(v int32) bool { return lg.q[v] })
			l.classify()
			l.decompose()
			sets := map[int32][]int32{}
			for v, id := range l.fairSet {
				if id >= 0 {
					sets[id] = append(sets[id], int32(v))
				}
			}
			require.Len(t, sets, int(l.fairSets))
			for _, x := range sets {
				require.Len(t, x, 2)
				require.Equal(t, x[0]+1, x[1])
				require.Equal(t, int32(1), x[0]%4)
				require.NotEqual(t, broken, int(x[0]/4))
			}
			require.Equal(t, blocks-min(broken+1, 1), int(l.fairSets))
		}
	}
}
