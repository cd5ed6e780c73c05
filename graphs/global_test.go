package graphs

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/diagram"
)

// The global graph of the handshake: a node per state, an edge per
// transition, the initial state and the highlighted one marked.
func TestGlobal(t *testing.T) {
	m := mustModel(t, "handshake", nil)
	trace := play(t, m, handshakeScript...)
	g := traceGraph(trace)
	out, err := Global(g, GraphOptions{Highlight: []int{len(trace) - 1}})
	require.NoError(t, err)
	golden(t, "global-handshake-trace.dot", out)

	s := string(out)
	require.Equal(t, g.NumStates(), strings.Count(s, "shape=\"box\""))
	require.Equal(t, g.NumEdges(), strings.Count(s, "->"))
	require.Equal(t, 1, strings.Count(s, `peripheries="2"`), "one initial state")
	require.Equal(t, 1, strings.Count(s, `fillcolor="#f8c8c4"`), "one violating state")
	require.Contains(t, s, "A=ESTABLISHED B=ESTABLISHED")
}

// A graph over the limit is refused with an error that says what to do;
// Force draws it anyway.
func TestGlobalTooLarge(t *testing.T) {
	m := mustModel(t, "handshake", nil)
	g := explore(t, m)
	_, err := Global(g, GraphOptions{MaxStates: 10})
	var tooLarge *TooLargeError
	require.True(t, errors.As(err, &tooLarge), "%v", err)
	require.Equal(t, TooLargeError{States: g.NumStates(), Max: 10}, *tooLarge)
	require.ErrorContains(t, err, "--force")
	require.ErrorContains(t, err, "quotient")

	out, err := Global(g, GraphOptions{MaxStates: 10, Force: true})
	require.NoError(t, err)
	require.Equal(t, g.NumStates(), strings.Count(string(out), "shape=\"box\""))

	_, err = Global(g, GraphOptions{MaxStates: g.NumStates()})
	require.NoError(t, err, "the limit itself is allowed")
	if g.NumStates() <= DefaultMaxStates {
		_, err = Global(g, GraphOptions{})
		require.NoError(t, err)
	}
}

func TestWrap(t *testing.T) {
	require.Equal(t, "A=SYN-SENT B=LISTEN\nA→B:<SEQ=4294967295><CTL=SYN>",
		wrap("A=SYN-SENT B=LISTEN A→B:<SEQ=4294967295><CTL=SYN>", 30))
	require.Equal(t, "A→B:<SEQ=1><ACK=2><CTL=ACK>\n<SEQ=1><ACK=2><CTL=FIN,ACK>",
		wrap("A→B:<SEQ=1><ACK=2><CTL=ACK><SEQ=1><ACK=2><CTL=FIN,ACK>", 30))
	require.Equal(t, "short", wrap("short", 30))
}

// The quotient of the handshake: every state in exactly one group, every
// transition either between groups or counted within one.
func TestQuotient(t *testing.T) {
	m := mustModel(t, "handshake", nil)
	g := explore(t, m)
	out := Quotient(g, m, GraphOptions{Highlight: []int{g.NumStates() - 1}})
	require.Equal(t, string(out), string(Quotient(g, m, GraphOptions{Highlight: []int{g.NumStates() - 1}})))
	golden(t, "quotient-handshake.dot", out)

	s := string(out)
	sum := func(re string) int {
		n := 0
		for _, x := range regexp.MustCompile(re).FindAllStringSubmatch(s, -1) {
			k, err := strconv.Atoi(x[1])
			require.NoError(t, err)
			n += k
		}
		return n
	}
	require.Equal(t, g.NumStates(), sum(`(\d+) states`))
	require.Equal(t, g.NumEdges(), sum(`×(\d+)`)+sum(`(\d+) transitions within`))
	require.Equal(t, 1, strings.Count(s, `peripheries="2"`), "the initial group")
	require.Equal(t, 1, strings.Count(s, `fillcolor="#f8c8c4"`), "the violating group")

	groups := map[[2]model.ConnState]bool{}
	for _, st := range g.States() {
		groups[[2]model.ConnState{st.Ep[A].State, st.Ep[B].State}] = true
	}
	require.Equal(t, len(groups), strings.Count(s, "shape=\"box\""))
}

// Global is generic: it draws the TLA+ port's graph as well.
func TestGlobalTLA(t *testing.T) {
	m := diagram.New(diagram.DefaultConfig())
	res, err := checker.Explore(context.Background(), m, checker.Options[diagram.State, diagram.Action]{
		KeepGraph: true, StateConstraint: m.StateConstraint, ActionConstraint: m.ActionConstraint,
	})
	require.NoError(t, err)
	out, err := Global(res.Graph, GraphOptions{})
	require.NoError(t, err)
	require.Equal(t, res.Graph.NumStates(), strings.Count(string(out), "shape=\"box\""))
	require.Equal(t, len(res.Graph.Initial()), strings.Count(string(out), `peripheries="2"`))
	require.Contains(t, string(out), "A: SYN-SENT tcb []")
}
