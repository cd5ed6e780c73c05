package graphs

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/diagram"
)

// lifecycleAndSimultaneous is the endpoint diagram of the two presets
// that, together, exercise Figure 5.
func lifecycleAndSimultaneous(t *testing.T) *EndpointDiagram {
	t.Helper()
	lc := mustModel(t, "lifecycle", nil)
	d := Endpoint(explore(t, lc), lc)
	sim := mustModel(t, "simultaneous", nil)
	d.Merge(Endpoint(explore(t, sim), sim))
	return d
}

// RFC 9293 §3.3.2: every arc of Figure 5, and Note 2's, is taken by some
// behaviour of the lifecycle or the simultaneous preset. The lifecycle
// preset alone lacks the arcs of early CLOSE, and of simultaneous open
// and SEND in LISTEN, which need the simultaneous preset's EarlyClose and
// its second connector.
func TestFigure5Coverage(t *testing.T) {
	require.Len(t, Figure5(), 21)
	d := lifecycleAndSimultaneous(t)
	covered, missing := d.Coverage()
	require.Empty(t, missing, "Figure 5 arcs no behaviour takes")
	require.Len(t, covered, 21)

	lc := mustModel(t, "lifecycle", nil)
	_, missing = Endpoint(explore(t, lc), lc).Coverage()
	require.ElementsMatch(t, []string{
		"LISTEN → CLOSED: CLOSE",
		"LISTEN → SYN-SENT: SEND / snd SYN",
		"SYN-SENT → SYN-RECEIVED: rcv SYN / snd SYN,ACK",
		"SYN-SENT → CLOSED: CLOSE",
		"SYN-RECEIVED → FIN-WAIT-1: CLOSE / snd FIN",
	}, arcNames(missing))
}

func arcNames(arcs []Figure5Arc) []string {
	var names []string
	for _, f := range arcs {
		names = append(names, f.String())
	}
	return names
}

// Every arc is flagged as Figure 5's exactly when Figure5 lists it, the
// arcs are in order, and the extra arcs are the others.
func TestEndpointArcs(t *testing.T) {
	d := lifecycleAndSimultaneous(t)
	for i, a := range d.Arcs {
		require.Equal(t, inFigure5(a.From, a.To, a.Label), a.Figure5, "%v", a)
		require.NotEqual(t, a.From, a.To, "%v changes no state", a)
		require.NotEqual(t, model.CauseNetwork, a.Cause, "%v: the network moves no endpoint", a)
		require.Positive(t, a.Count)
		if i > 0 {
			p := d.Arcs[i-1]
			require.True(t, p.From < a.From || p.From == a.From && (p.To < a.To || p.To == a.To && p.Label < a.Label),
				"%v before %v", p, a)
		}
	}
	extra := d.Extra()
	require.NotEmpty(t, extra, "resets and give-ups are not in Figure 5")
	require.Equal(t, len(d.Arcs), len(extra)+21)
	for _, a := range extra {
		require.False(t, a.Figure5)
	}
}

// The labels of particular transitions, each reached by a script: the
// event and the action, in Figure 5's words.
func TestEndpointLabels(t *testing.T) {
	closing := append(append([]act(nil), handshakeScript...),
		act{model.CloseCall, A}, act{model.Deliver, B}, act{model.Lose, B}, act{model.CloseCall, B}, act{model.Deliver, A})
	tests := []struct {
		name   string
		preset string
		edit   func(*model.Config)
		script []act
		want   string
	}{
		{"active OPEN", "handshake", nil, handshakeScript[:2], "A: CLOSED → SYN-SENT: active OPEN / snd SYN"},
		{"SEND in LISTEN", "simultaneous", nil, []act{{model.PassiveOpen, B}, {model.ActiveOpen, B}},
			"B: LISTEN → SYN-SENT: SEND / snd SYN"},
		{"rcv SYN in LISTEN", "handshake", nil, handshakeScript[:3], "B: LISTEN → SYN-RECEIVED: rcv SYN / snd SYN,ACK"},
		{"rcv SYN,ACK", "handshake", nil, handshakeScript[:4], "A: SYN-SENT → ESTABLISHED: rcv SYN,ACK / snd ACK"},
		{"ACK of SYN", "handshake", nil, handshakeScript, "B: SYN-RECEIVED → ESTABLISHED: rcv ACK of SYN"},
		{"CLOSE", "close", nil, []act{{model.CloseCall, A}}, "A: ESTABLISHED → FIN-WAIT-1: CLOSE / snd FIN"},
		{"ACK of FIN and FIN (Note 2)", "lifecycle", func(c *model.Config) { c.Data = [2]int{} }, closing,
			"A: FIN-WAIT-1 → TIME-WAIT: rcv FIN,ACK of FIN / snd ACK"},
		{"ABORT", "close", func(c *model.Config) { c.Abort = true }, []act{{model.AbortCall, B}},
			"B: ESTABLISHED → CLOSED: ABORT / snd RST"},
		{"rcv RST", "close", func(c *model.Config) { c.Abort = true }, []act{{model.AbortCall, B}, {model.Deliver, A}},
			"A: ESTABLISHED → CLOSED: rcv RST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustModel(t, tt.preset, tt.edit)
			d := Endpoint(traceGraph(play(t, m, tt.script...)), m)
			var got []string
			for _, a := range d.Arcs {
				got = append(got, a.sideNames()+": "+a.String())
			}
			require.Contains(t, got, tt.want)
		})
	}
}

// Merging keeps one entry per arc, adds the counts and joins the sides.
func TestEndpointMerge(t *testing.T) {
	m := mustModel(t, "simultaneous", nil)
	// A connects from CLOSED; B listens, then connects from LISTEN.
	a := Endpoint(traceGraph(play(t, m, act{model.ActiveOpen, A})), m)
	b := Endpoint(traceGraph(play(t, m, act{model.ActiveOpen, B})), m)
	a.Merge(b)
	require.Len(t, a.Arcs, 1)
	require.Equal(t, [2]bool{true, true}, a.Arcs[0].Sides)
	require.Equal(t, 2, a.Arcs[0].Count)

	a.Merge(a)
	require.Len(t, a.Arcs, 1)
	require.Equal(t, 4, a.Arcs[0].Count)
}

// The TLA+ port under MCtcp's setup starts with one peer in SYN-SENT and
// the other in LISTEN and makes no further OPEN or SEND
// (SingleActiveOpen), so it takes every arc of Figure 5 but the three
// opens and the simultaneous open.
func TestEndpointTLA(t *testing.T) {
	m := diagram.New(diagram.DefaultConfig())
	res, err := checker.Explore(context.Background(), m, checker.Options[diagram.State, diagram.Action]{
		KeepGraph: true, StateConstraint: m.StateConstraint, ActionConstraint: m.ActionConstraint,
	})
	require.NoError(t, err)
	d := EndpointTLA(res.Graph)
	_, missing := d.Coverage()
	require.ElementsMatch(t, []string{
		"CLOSED → LISTEN: passive OPEN",
		"CLOSED → SYN-SENT: active OPEN / snd SYN",
		"LISTEN → SYN-SENT: SEND / snd SYN",
		"SYN-SENT → SYN-RECEIVED: rcv SYN / snd SYN,ACK",
	}, arcNames(missing))
	for _, a := range d.Extra() {
		// Note 3: the extra arcs are resets, sent or received.
		require.True(t, a.Label == "rcv RST" || a.Label == "Note 3 / snd RST", "%v", a)
	}
}

// The DOT of the handshake preset's diagram, and its layout: CLOSED twice,
// Figure 5 arcs solid, the others dashed, colours by cause.
func TestEndpointDOT(t *testing.T) {
	m := mustModel(t, "handshake", nil)
	d := Endpoint(explore(t, m), m)
	d.Title = "handshake"
	out := d.DOT()
	require.Equal(t, string(out), string(d.DOT()), "the same diagram gives the same bytes")
	golden(t, "endpoint-handshake.dot", out)

	full := lifecycleAndSimultaneous(t).DOT()
	require.Equal(t, 2, strings.Count(string(full), `label="CLOSED"`), "CLOSED at the top and at the bottom")
	require.Equal(t, len(lifecycleAndSimultaneous(t).Extra()), strings.Count(string(full), `style="dashed"`))
	for _, c := range []model.Cause{model.CauseUser, model.CauseSegment, model.CauseTimer} {
		require.Contains(t, string(full), `color="`+causeColor[c]+`"`)
	}
}

// Grouped, the resets Figure 5 leaves out are one arc per destination and
// label from one box, and Figure 5's own arcs, Note 1's reset among them,
// are drawn as they are.
func TestEndpointGroupResets(t *testing.T) {
	m := diagram.New(diagram.DefaultConfig())
	res, err := checker.Explore(context.Background(), m, checker.Options[diagram.State, diagram.Action]{
		KeepGraph: true, StateConstraint: m.StateConstraint, ActionConstraint: m.ActionConstraint,
	})
	require.NoError(t, err)
	d := EndpointTLA(res.Graph)
	each := string(d.DOT())
	d.GroupResets = true
	grouped := string(d.DOT())

	type group struct{ to, label string }
	groups := map[group]bool{}
	resets := 0
	for _, a := range d.Arcs {
		if a.isReset() {
			resets++
			groups[group{a.To.String(), a.Label}] = true
		}
	}
	require.Greater(t, resets, len(groups), "grouping draws fewer arcs")
	edges := func(dot string) int { return strings.Count(dot, "->") }
	require.Equal(t, edges(each)-resets+len(groups), edges(grouped))
	require.Contains(t, grouped, "(Note 3: resets)")
	require.NotContains(t, each, "(Note 3: resets)")
	rstGroups := 0
	for g := range groups {
		if g.label == "rcv RST" {
			rstGroups++
		}
	}
	require.Equal(t, rstGroups+1, strings.Count(grouped, `label="rcv RST"`), "Note 1's arc, SYN-RECEIVED → LISTEN, stays beside the grouped ones")
	for _, c := range []string{"LISTEN", "ESTABLISHED", "TIME-WAIT"} {
		require.Contains(t, grouped, c)
	}
}

// The segments a transition sent, read off the channel, are those the
// model says it sent (but for the timing abstraction's Aged mark, which
// no label shows), on every transition of several configurations.
func TestEmittedFromTheChannel(t *testing.T) {
	for _, tt := range []struct {
		preset string
		edit   func(*model.Config)
	}{
		{"lifecycle", nil},
		{"simultaneous", nil},
		{"handshake", func(c *model.Config) { c.MaxDups, c.Reorder = 1, true }},
		{"close", func(c *model.Config) { c.Abort, c.SpuriousRetransmit = true, true }},
	} {
		m := mustModel(t, tt.preset, tt.edit)
		g := explore(t, m)
		checked := 0
		for _, e := range g.Edges() {
			s, a, next := g.State(e.From), e.Action, g.State(e.To)
			if a.Kind.Cause() == model.CauseNetwork {
				continue
			}
			want := m.Emitted(s, a)
			got := emitted(m, &s, a, &next)
			require.Equal(t, len(want), len(got), "%s: %v from %v", tt.preset, a, s)
			for i := range want {
				w, g := want[i], got[i]
				w.Aged, g.Aged = 0, 0
				require.Equal(t, w, g, "%s: %v from %v", tt.preset, a, s)
			}
			checked++
		}
		require.Positive(t, checked)
	}
}

// Figure5Index, which coverage calls on every transition, labels an arc
// in a buffer on the stack and compares it in place: it finds the arc
// endpointLabel's text names, and allocates for few of the transitions
// that take one (those whose sent segments are not read off the channel).
func TestFigure5IndexAllocatesLittle(t *testing.T) {
	m := mustModel(t, "lifecycle", nil)
	g := explore(t, m)
	type edge struct {
		s, next model.State
		a       model.Action
	}
	var edges []edge
	arcs := 0
	for _, e := range g.Edges() {
		x := edge{g.State(e.From), g.State(e.To), e.Action}
		edges = append(edges, x)
		i := Figure5Index(m, &x.s, x.a, &x.next)
		if i >= 0 {
			arcs++
			from, to := x.s.Ep[x.a.Side].State, x.next.Ep[x.a.Side].State
			require.Equal(t, i, figure5Index(from, to, endpointLabel(m, &x.s, x.a, &x.next)))
		}
	}
	require.Greater(t, arcs, 1000)
	allocs := testing.AllocsPerRun(3, func() {
		for i := range edges {
			Figure5Index(m, &edges[i].s, edges[i].a, &edges[i].next)
		}
	})
	require.Less(t, allocs, float64(arcs)/4, "%v allocations for %d arcs", allocs, arcs)
}
