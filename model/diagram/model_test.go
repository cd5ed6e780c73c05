package diagram_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/model/diagram"
)

// TestInit checks MCtcp's MCInit: one peer in SYN-SENT, the other in
// LISTEN with the SYN queued, both holding a TCB.
func TestInit(t *testing.T) {
	m := diagram.New(diagram.DefaultConfig())
	got := slices.Collect(m.Init())
	require.Equal(t, []diagram.State{
		state(peer(diagram.SynSent, true), peer(diagram.Listen, true, syn)),
		state(peer(diagram.Listen, true, syn), peer(diagram.SynSent, true)),
	}, got)
	for _, s := range got {
		require.True(t, m.StateConstraint(s))
		require.True(t, diagram.EstablishedAgree(&s))
	}
}

// TestZeroStateIsSpecInit checks that the zero State is tcp.tla's own
// Init: both peers CLOSED without a TCB, nothing in flight.
func TestZeroStateIsSpecInit(t *testing.T) {
	require.Equal(t, state(peer(diagram.Closed, false), peer(diagram.Closed, false)), diagram.State{})
}

func TestStateConstraint(t *testing.T) {
	on := diagram.New(diagram.DefaultConfig())
	off := diagram.New(diagram.Config{SingleActiveOpen: true})
	overflow := state(peer(diagram.Closed, false, syn, syn), peer(diagram.Closed, false))
	overflow.Overflow = true
	tests := []struct {
		name string
		s    diagram.State
		want bool
	}{
		{"empty queues", state(peer(diagram.Closed, false), peer(diagram.Closed, false)), true},
		{"alternating", state(peer(diagram.Listen, true, syn, rst, syn), peer(diagram.Closed, false, fin, ackOfFin)), true},
		{"SYN SYN in A", state(peer(diagram.Listen, true, syn, syn), peer(diagram.Closed, false)), false},
		{"RST RST behind a FIN in B", state(peer(diagram.Closed, false), peer(diagram.Closed, false, fin, rst, rst)), false},
		{"equal but not adjacent", state(peer(diagram.Closed, false, rst, fin, rst), peer(diagram.Closed, false)), true},
		{"overflow is never hidden", overflow, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, on.StateConstraint(tt.s))
			require.True(t, off.StateConstraint(tt.s), "NoRetransmission disabled")
		})
	}
}

func TestActionConstraint(t *testing.T) {
	on := diagram.New(diagram.DefaultConfig())
	off := diagram.New(diagram.Config{NoRetransmission: true})
	var s diagram.State
	for k := diagram.ActiveOpen; k <= diagram.Note3; k++ {
		a := diagram.Action{Peer: diagram.B, Kind: k}
		open := k == diagram.ActiveOpen || k == diagram.PassiveOpen || k == diagram.Send
		require.Equal(t, !open, on.ActionConstraint(s, a, s), "%v", k)
		require.True(t, off.ActionConstraint(s, a, s), "%v with SingleActiveOpen disabled", k)
	}
}

// appendQueue is the spec's Append(q, m).
func appendQueue(q diagram.Queue, m diagram.Message) diagram.Queue {
	return diagram.NewQueue(append(slices.Collect(q.All()), m)...)
}

// tlaOpenStep is MCtcp's \E local, remote : ACTIVE_OPEN \/ PASSIVE_OPEN \/
// SEND, evaluated on a pair of states as TLC evaluates the action
// constraint.
func tlaOpenStep(from, to diagram.State) bool {
	for local := diagram.A; local <= diagram.B; local++ {
		remote := local.Other()
		l, r := from.Peers[local], from.Peers[remote]
		sentSyn := diagram.PeerState{Conn: r.Conn, TCB: r.TCB, Queue: appendQueue(r.Queue, syn)}
		activeOpen := l.Conn == diagram.Closed &&
			to.Peers[local] == diagram.PeerState{Conn: diagram.SynSent, TCB: true, Queue: l.Queue} &&
			to.Peers[remote] == sentSyn
		passiveOpen := l.Conn == diagram.Closed &&
			to.Peers[local] == diagram.PeerState{Conn: diagram.Listen, TCB: true, Queue: l.Queue} &&
			to.Peers[remote] == r
		send := l.Conn == diagram.Listen &&
			to.Peers[local] == diagram.PeerState{Conn: diagram.SynSent, TCB: l.TCB, Queue: l.Queue} &&
			to.Peers[remote] == sentSyn
		if activeOpen || passiveOpen || send {
			return true
		}
	}
	return false
}

// TestActionConstraintIsSemantic checks that judging SingleActiveOpen by
// the action label agrees with MCtcp's definition on the pair of states,
// on every transition generated from the states reachable in the default
// setup and, with the open actions allowed, in a prefix of the larger
// space.
func TestActionConstraintIsSemantic(t *testing.T) {
	for _, cfg := range []diagram.Config{
		diagram.DefaultConfig(),
		{NoRetransmission: true},
	} {
		m := diagram.New(cfg)
		opens := 0
		for _, s := range explore(m, 20000).order {
			for a, next := range m.Next(s) {
				require.Equal(t, tlaOpenStep(s, next), a.IsOpen(), "%v from %v", a, s)
				if a.IsOpen() {
					opens++
				}
			}
		}
		require.Positive(t, opens, "no open action was generated under %+v", cfg)
	}
}

// TestNextDeterministic checks that Init and Next give the same sequence
// on every call, in every reachable state.
func TestNextDeterministic(t *testing.T) {
	m := diagram.New(diagram.DefaultConfig())
	require.Equal(t, slices.Collect(m.Init()), slices.Collect(m.Init()))
	for _, s := range explore(m, 1<<20).order {
		a1, s1 := successors(m, s)
		a2, s2 := successors(m, s)
		require.Equal(t, a1, a2)
		require.Equal(t, s1, s2)
	}
}

// TestNextStopsEarly checks that Next honours a false return of yield.
func TestNextStopsEarly(t *testing.T) {
	m := diagram.New(diagram.DefaultConfig())
	s := state(peer(diagram.SynSent, true), peer(diagram.Listen, true, syn))
	n := 0
	for range m.Next(s) {
		n++
		break
	}
	require.Equal(t, 1, n)
}

func fullQueue() []diagram.Message {
	msgs := make([]diagram.Message, diagram.QueueCap)
	for i := range msgs {
		msgs[i] = []diagram.Message{syn, ack}[i%2]
	}
	return msgs
}

// TestOverflow checks the bound of the representation: a send into a full
// queue leads to an Overflow state, which keeps the rest of the step, is
// stored whatever the constraints, fails WithinCapacity and has no
// successors.
func TestOverflow(t *testing.T) {
	m := diagram.New(diagram.DefaultConfig())
	from := state(peer(diagram.Established, true, fin), peer(diagram.FinWait1, true, fullQueue()...))
	want := state(peer(diagram.CloseWait, true), peer(diagram.FinWait1, true, fullQueue()...))
	want.Overflow = true

	acts, states := successors(m, from)
	i := slices.Index(acts, act(diagram.A, diagram.SysEstablished, fin, ackOfFin, diagram.CloseWait))
	require.GreaterOrEqual(t, i, 0, "Established not enabled: %v", acts)
	got := states[i]
	require.Equal(t, want, got)
	require.False(t, diagram.WithinCapacity(&got))
	require.True(t, m.StateConstraint(got))
	nextActs, _ := successors(m, got)
	require.Empty(t, nextActs)
	require.Contains(t, got.String(), "OVERFLOW")

	require.True(t, diagram.WithinCapacity(&from))
}

// TestOverflowReachableWithoutNoRetransmission checks that the bound is
// detected where the spec's queues do grow without limit: without
// NoRetransmission a peer in TIME-WAIT may send RST after RST.
func TestOverflowReachableWithoutNoRetransmission(t *testing.T) {
	m := diagram.New(diagram.Config{SingleActiveOpen: true})
	s := state(peer(diagram.TimeWait, true), peer(diagram.Closed, false))
	for range diagram.QueueCap + 1 {
		next := s
		for a, t := range m.Next(s) {
			if a.Peer == diagram.A && a.Kind == diagram.Note3 && a.Snd == rst {
				next = t
			}
		}
		require.NotEqual(t, s, next, "A could not send a RST from %v", s)
		s = next
	}
	require.False(t, diagram.WithinCapacity(&s))
	require.Equal(t, diagram.QueueCap, s.Peers[diagram.B].Queue.Len())
}

// TestDefaultConfigStaysWithinCapacity measures the longest queue in the
// states MCtcp explores: it must stay well below QueueCap.
func TestDefaultConfigStaysWithinCapacity(t *testing.T) {
	longest := 0
	for _, s := range explore(diagram.New(diagram.DefaultConfig()), 1<<20).order {
		require.True(t, diagram.WithinCapacity(&s))
		for _, p := range s.Peers {
			longest = max(longest, p.Queue.Len())
		}
	}
	require.Equal(t, 4, longest)
	require.Less(t, longest, diagram.QueueCap)
}

func TestEstablishedAgree(t *testing.T) {
	tests := []struct {
		name string
		s    diagram.State
		want bool
	}{
		{"both ESTABLISHED, nothing in flight", state(peer(diagram.Established, true), peer(diagram.Established, true)), true},
		{"neither ESTABLISHED", state(peer(diagram.Closed, false), peer(diagram.TimeWait, true)), true},
		{"A alone ESTABLISHED", state(peer(diagram.Established, true), peer(diagram.SynReceived, true)), false},
		{"B alone ESTABLISHED", state(peer(diagram.CloseWait, true), peer(diagram.Established, true)), false},
		{"A alone, its ACK in flight", state(peer(diagram.Established, true), peer(diagram.SynReceived, true, ack)), true},
		{"B alone, a FIN in flight to A", state(peer(diagram.FinWait1, true, fin), peer(diagram.Established, true)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, diagram.EstablishedAgree(&tt.s))
		})
	}
}

func TestSynSentPredicates(t *testing.T) {
	for c := diagram.Closed; c <= diagram.TimeWait; c++ {
		s := state(peer(c, true), peer(diagram.SynSent, true))
		require.Equal(t, c == diagram.SynSent, diagram.InSynSent(diagram.A)(&s), "%v", c)
		require.True(t, diagram.InSynSent(diagram.B)(&s))
		resolved := c == diagram.Established || c == diagram.Listen || c == diagram.Closed
		require.Equal(t, resolved, diagram.ResolvedFromSynSent(diagram.A)(&s), "%v", c)
		require.False(t, diagram.ResolvedFromSynSent(diagram.B)(&s))
	}
}

// TestClasses checks the partition of Next == System \/ Reset \/ User, and
// the actions singled out by MCtcp's constraint and tcp.tla's fairness.
func TestClasses(t *testing.T) {
	want := map[diagram.Class][]string{
		diagram.User: {"ACTIVE_OPEN", "PASSIVE_OPEN", "CLOSE_SYN_SENT", "CLOSE_SYN_RECEIVED",
			"CLOSE_LISTEN", "CLOSE_ESTABLISHED", "CLOSE_CLOSE_WAIT", "SEND"},
		diagram.System: {"SynSent", "SynReceived", "Listen", "Established", "FinWait1",
			"FinWait2", "Closing", "LastAck", "TimeWait", "Note2"},
		diagram.Reset: {"Note3"},
	}
	got := map[diagram.Class][]string{}
	var open, closeSynSent []string
	for k := diagram.ActiveOpen; k <= diagram.Note3; k++ {
		a := diagram.Action{Kind: k}
		got[a.Class()] = append(got[a.Class()], k.String())
		if a.IsOpen() {
			open = append(open, k.String())
		}
		if a.IsCloseSynSent() {
			closeSynSent = append(closeSynSent, k.String())
		}
	}
	require.Equal(t, want, got)
	require.Equal(t, []string{"ACTIVE_OPEN", "PASSIVE_OPEN", "SEND"}, open)
	require.Equal(t, []string{"CLOSE_SYN_SENT"}, closeSynSent)
	require.Equal(t, []string{"User", "System", "Reset"},
		[]string{diagram.User.String(), diagram.System.String(), diagram.Reset.String()})
}

func TestNames(t *testing.T) {
	var states []string
	for c := diagram.Closed; c <= diagram.TimeWait; c++ {
		states = append(states, c.String())
	}
	require.Equal(t, []string{"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
		"FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"}, states)
	require.Equal(t, "ConnState(11)", (diagram.TimeWait + 1).String())

	var msgs, tla []string
	for m := syn; m <= ackOfFin; m++ {
		msgs = append(msgs, m.String())
		tla = append(tla, m.TLA())
	}
	require.Equal(t, []string{"SYN", "SYN-ACK", "ACK", "RST", "FIN", "ACK-of-FIN"}, msgs)
	require.Equal(t, []string{"SYN", "SYN,ACK", "ACK", "RST", "FIN", "ACKofFIN"}, tla)

	require.Equal(t, "B: Note2 rcv FIN,ACK-of-FIN / snd ACK-of-FIN -> TIME-WAIT",
		act(diagram.B, diagram.Note2, fin, ackOfFin, diagram.TimeWait).String())
	require.Equal(t, "A: TimeWait -> CLOSED",
		act(diagram.A, diagram.SysTimeWait, none, none, diagram.Closed).String())
	require.Equal(t, "A: Note3 rcv RST -> LISTEN",
		act(diagram.A, diagram.Note3, rst, none, diagram.Listen).String())
	require.Equal(t, "A: SYN-SENT tcb [] | B: LISTEN -tcb [SYN, RST]",
		state(peer(diagram.SynSent, true), peer(diagram.Listen, false, syn, rst)).String())
}

func TestQueue(t *testing.T) {
	var empty diagram.Queue
	require.Equal(t, 0, empty.Len())
	require.Equal(t, none, empty.Head())
	require.True(t, empty.HasPrefix())
	require.False(t, empty.HasPrefix(syn))
	require.Equal(t, "[]", empty.String())
	require.Equal(t, empty, diagram.NewQueue())

	q := diagram.NewQueue(fin, ackOfFin, rst)
	require.Equal(t, 3, q.Len())
	require.Equal(t, fin, q.Head())
	require.Equal(t, []diagram.Message{fin, ackOfFin, rst, none}, []diagram.Message{q.At(0), q.At(1), q.At(2), q.At(3)})
	require.Equal(t, none, q.At(-1))
	require.True(t, q.HasPrefix(fin, ackOfFin))
	require.False(t, q.HasPrefix(ackOfFin))
	require.Equal(t, []diagram.Message{fin, ackOfFin, rst}, slices.Collect(q.All()))
	require.Equal(t, "[FIN, ACK-of-FIN, RST]", q.String())
	require.NotEqual(t, q, diagram.NewQueue(fin, ackOfFin))

	full := diagram.NewQueue(fullQueue()...)
	require.Equal(t, diagram.QueueCap, full.Len())
	require.Equal(t, fullQueue(), slices.Collect(full.All()))
	require.True(t, strings.HasSuffix(full.String(), "SYN]"))

	require.Panics(t, func() { diagram.NewQueue(append(fullQueue(), syn)...) })
	require.Panics(t, func() { diagram.NewQueue(syn, none) })
	require.Panics(t, func() { diagram.NewQueue(ackOfFin + 1) })
}
