package diagram_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/model/diagram"
)

// Short names for the tables.
const (
	none     = diagram.NoMessage
	syn      = diagram.Syn
	synAck   = diagram.SynAck
	ack      = diagram.Ack
	rst      = diagram.Rst
	fin      = diagram.Fin
	ackOfFin = diagram.AckOfFin
)

func peer(c diagram.ConnState, tcb bool, msgs ...diagram.Message) diagram.PeerState {
	return diagram.PeerState{Conn: c, TCB: tcb, Queue: diagram.NewQueue(msgs...)}
}

func state(a, b diagram.PeerState) diagram.State {
	return diagram.State{Peers: [2]diagram.PeerState{diagram.A: a, diagram.B: b}}
}

func act(p diagram.Peer, k diagram.Kind, rcv, snd diagram.Message, to diagram.ConnState) diagram.Action {
	return diagram.Action{Peer: p, Kind: k, Rcv: rcv, Snd: snd, To: to}
}

// successors collects Next(s) in order.
func successors(m *diagram.Model, s diagram.State) (acts []diagram.Action, states []diagram.State) {
	for a, t := range m.Next(s) {
		acts = append(acts, a)
		states = append(states, t)
	}
	return acts, states
}

// TestRules checks each arc of RFC 9293 §3.3.2 Figure 5, and of its notes,
// as tcp.tla writes it: from the given state, the given action is enabled
// exactly once and leads to exactly the given successor.
func TestRules(t *testing.T) {
	const (
		A = diagram.A
		B = diagram.B
	)
	tests := []struct {
		arc  string
		from diagram.State
		a    diagram.Action
		to   diagram.State
	}{
		// User commands (§3.10.1 OPEN, §3.10.2 SEND, §3.10.4 CLOSE).
		{
			arc:  "CLOSED, active OPEN / create TCB, snd SYN -> SYN-SENT",
			from: state(peer(diagram.Closed, false), peer(diagram.Listen, true, ack)),
			a:    act(A, diagram.ActiveOpen, none, syn, diagram.SynSent),
			to:   state(peer(diagram.SynSent, true), peer(diagram.Listen, true, ack, syn)),
		},
		{
			arc:  "CLOSED, passive OPEN / create TCB -> LISTEN",
			from: state(peer(diagram.Closed, false, rst), peer(diagram.Closed, false)),
			a:    act(A, diagram.PassiveOpen, none, none, diagram.Listen),
			to:   state(peer(diagram.Listen, true, rst), peer(diagram.Closed, false)),
		},
		{
			arc:  "LISTEN, SEND / snd SYN -> SYN-SENT",
			from: state(peer(diagram.Listen, true), peer(diagram.Closed, false)),
			a:    act(A, diagram.Send, none, syn, diagram.SynSent),
			to:   state(peer(diagram.SynSent, true), peer(diagram.Closed, false, syn)),
		},
		{
			arc:  "SYN-SENT, CLOSE / delete TCB -> CLOSED",
			from: state(peer(diagram.SynSent, true, synAck), peer(diagram.SynReceived, true)),
			a:    act(A, diagram.CloseSynSent, none, none, diagram.Closed),
			to:   state(peer(diagram.Closed, false, synAck), peer(diagram.SynReceived, true)),
		},
		{
			arc:  "LISTEN, CLOSE / delete TCB -> CLOSED",
			from: state(peer(diagram.Listen, true, syn), peer(diagram.SynSent, true)),
			a:    act(A, diagram.CloseListen, none, none, diagram.Closed),
			to:   state(peer(diagram.Closed, false, syn), peer(diagram.SynSent, true)),
		},
		{
			arc:  "SYN-RCVD, CLOSE / snd FIN -> FIN-WAIT-1",
			from: state(peer(diagram.SynReceived, true), peer(diagram.SynSent, true, synAck)),
			a:    act(A, diagram.CloseSynReceived, none, fin, diagram.FinWait1),
			to:   state(peer(diagram.FinWait1, true), peer(diagram.SynSent, true, synAck, fin)),
		},
		{
			arc:  "ESTAB, CLOSE / snd FIN -> FIN-WAIT-1",
			from: state(peer(diagram.Established, true), peer(diagram.Established, true)),
			a:    act(A, diagram.CloseEstablished, none, fin, diagram.FinWait1),
			to:   state(peer(diagram.FinWait1, true), peer(diagram.Established, true, fin)),
		},
		{
			arc:  "CLOSE-WAIT, CLOSE / snd FIN -> LAST-ACK",
			from: state(peer(diagram.CloseWait, true), peer(diagram.FinWait2, true)),
			a:    act(A, diagram.CloseCloseWait, none, fin, diagram.LastAck),
			to:   state(peer(diagram.LastAck, true), peer(diagram.FinWait2, true, fin)),
		},

		// System actions: arriving segments and the 2MSL timeout.
		{
			arc:  "SYN-SENT, rcv SYN / snd SYN,ACK -> SYN-RCVD (simultaneous open)",
			from: state(peer(diagram.SynSent, true, syn, rst), peer(diagram.SynSent, true)),
			a:    act(A, diagram.SysSynSent, syn, synAck, diagram.SynReceived),
			to:   state(peer(diagram.SynReceived, true, rst), peer(diagram.SynSent, true, synAck)),
		},
		{
			arc:  "SYN-SENT, rcv SYN,ACK / snd ACK -> ESTAB",
			from: state(peer(diagram.SynSent, true, synAck), peer(diagram.SynReceived, true)),
			a:    act(A, diagram.SysSynSent, synAck, ack, diagram.Established),
			to:   state(peer(diagram.Established, true), peer(diagram.SynReceived, true, ack)),
		},
		{
			arc:  "SYN-RCVD, rcv RST -> LISTEN (Note 1)",
			from: state(peer(diagram.SynReceived, true, rst), peer(diagram.TimeWait, true)),
			a:    act(A, diagram.SysSynReceived, rst, none, diagram.Listen),
			to:   state(peer(diagram.Listen, true), peer(diagram.TimeWait, true)),
		},
		{
			arc:  "SYN-RCVD, rcv ACK of SYN -> ESTAB",
			from: state(peer(diagram.SynReceived, true, ack, fin), peer(diagram.Established, true)),
			a:    act(A, diagram.SysSynReceived, ack, none, diagram.Established),
			to:   state(peer(diagram.Established, true, fin), peer(diagram.Established, true)),
		},
		{
			arc:  "LISTEN, rcv SYN / snd SYN,ACK -> SYN-RCVD",
			from: state(peer(diagram.Listen, true, syn), peer(diagram.SynSent, true)),
			a:    act(A, diagram.SysListen, syn, synAck, diagram.SynReceived),
			to:   state(peer(diagram.SynReceived, true), peer(diagram.SynSent, true, synAck)),
		},
		{
			arc:  "ESTAB, rcv FIN / snd ACK -> CLOSE-WAIT",
			from: state(peer(diagram.Established, true, fin), peer(diagram.FinWait1, true)),
			a:    act(A, diagram.SysEstablished, fin, ackOfFin, diagram.CloseWait),
			to:   state(peer(diagram.CloseWait, true), peer(diagram.FinWait1, true, ackOfFin)),
		},
		{
			arc:  "FIN-WAIT-1, rcv FIN / snd ACK -> CLOSING",
			from: state(peer(diagram.FinWait1, true, fin), peer(diagram.FinWait1, true)),
			a:    act(A, diagram.SysFinWait1, fin, ackOfFin, diagram.Closing),
			to:   state(peer(diagram.Closing, true), peer(diagram.FinWait1, true, ackOfFin)),
		},
		{
			arc:  "FIN-WAIT-1, rcv ACK of FIN -> FINWAIT-2",
			from: state(peer(diagram.FinWait1, true, ackOfFin), peer(diagram.CloseWait, true)),
			a:    act(A, diagram.SysFinWait1, ackOfFin, none, diagram.FinWait2),
			to:   state(peer(diagram.FinWait2, true), peer(diagram.CloseWait, true)),
		},
		{
			arc:  "FINWAIT-2, rcv FIN / snd ACK -> TIME-WAIT",
			from: state(peer(diagram.FinWait2, true, fin), peer(diagram.LastAck, true)),
			a:    act(A, diagram.SysFinWait2, fin, ackOfFin, diagram.TimeWait),
			to:   state(peer(diagram.TimeWait, true), peer(diagram.LastAck, true, ackOfFin)),
		},
		{
			arc:  "CLOSING, rcv ACK of FIN -> TIME-WAIT",
			from: state(peer(diagram.Closing, true, ackOfFin), peer(diagram.TimeWait, true)),
			a:    act(A, diagram.SysClosing, ackOfFin, none, diagram.TimeWait),
			to:   state(peer(diagram.TimeWait, true), peer(diagram.TimeWait, true)),
		},
		{
			// tcp.tla leaves tcb unchanged here, unlike TimeWait.
			arc:  "LAST-ACK, rcv ACK of FIN -> CLOSED",
			from: state(peer(diagram.LastAck, true, ackOfFin), peer(diagram.TimeWait, true)),
			a:    act(A, diagram.SysLastAck, ackOfFin, none, diagram.Closed),
			to:   state(peer(diagram.Closed, true), peer(diagram.TimeWait, true)),
		},
		{
			arc:  "TIME-WAIT, Timeout=2MSL / delete TCB -> CLOSED",
			from: state(peer(diagram.TimeWait, true, rst), peer(diagram.Closed, true)),
			a:    act(A, diagram.SysTimeWait, none, none, diagram.Closed),
			to:   state(peer(diagram.Closed, false, rst), peer(diagram.Closed, true)),
		},
		{
			arc:  "Note 2: FIN-WAIT-1, rcv FIN and ACK of FIN / snd ACK -> TIME-WAIT",
			from: state(peer(diagram.FinWait1, true, fin, ackOfFin, rst), peer(diagram.LastAck, true)),
			a:    act(A, diagram.Note2, fin, ackOfFin, diagram.TimeWait),
			to:   state(peer(diagram.TimeWait, true, rst), peer(diagram.LastAck, true, ackOfFin)),
		},

		// Reset actions (Note 3): tcb is never changed.
		{
			arc:  "Note 3: snd RST from ESTAB -> TIME-WAIT",
			from: state(peer(diagram.Established, true, fin), peer(diagram.FinWait1, true, ack)),
			a:    act(A, diagram.Note3, none, rst, diagram.TimeWait),
			to:   state(peer(diagram.TimeWait, true, fin), peer(diagram.FinWait1, true, ack, rst)),
		},
		{
			arc:  "Note 3: snd RST from CLOSED holding a TCB -> TIME-WAIT",
			from: state(peer(diagram.Closed, true), peer(diagram.TimeWait, true)),
			a:    act(A, diagram.Note3, none, rst, diagram.TimeWait),
			to:   state(peer(diagram.TimeWait, true), peer(diagram.TimeWait, true, rst)),
		},
		{
			arc:  "Note 3: rcv RST in FINWAIT-2 -> LISTEN",
			from: state(peer(diagram.FinWait2, true, rst, fin), peer(diagram.TimeWait, true)),
			a:    act(A, diagram.Note3, rst, none, diagram.Listen),
			to:   state(peer(diagram.Listen, true, fin), peer(diagram.TimeWait, true)),
		},
		{
			arc:  "Note 3: rcv RST in CLOSED without a TCB -> CLOSED",
			from: state(peer(diagram.Closed, false, rst), peer(diagram.TimeWait, true)),
			a:    act(A, diagram.Note3, rst, none, diagram.Closed),
			to:   state(peer(diagram.Closed, false), peer(diagram.TimeWait, true)),
		},
		{
			arc:  "Note 3: rcv RST in SYN-RCVD -> LISTEN, besides SynReceived's arc",
			from: state(peer(diagram.SynReceived, true, rst), peer(diagram.TimeWait, true)),
			a:    act(A, diagram.Note3, rst, none, diagram.Listen),
			to:   state(peer(diagram.Listen, true), peer(diagram.TimeWait, true)),
		},

		// The rules are the same for B, sending to A.
		{
			arc:  "B: LISTEN, rcv SYN / snd SYN,ACK -> SYN-RCVD",
			from: state(peer(diagram.SynSent, true), peer(diagram.Listen, true, syn)),
			a:    act(B, diagram.SysListen, syn, synAck, diagram.SynReceived),
			to:   state(peer(diagram.SynSent, true, synAck), peer(diagram.SynReceived, true)),
		},
		{
			arc:  "B: CLOSE-WAIT, CLOSE / snd FIN -> LAST-ACK",
			from: state(peer(diagram.FinWait2, true, ackOfFin), peer(diagram.CloseWait, true)),
			a:    act(B, diagram.CloseCloseWait, none, fin, diagram.LastAck),
			to:   state(peer(diagram.FinWait2, true, ackOfFin, fin), peer(diagram.LastAck, true)),
		},
	}
	m := diagram.New(diagram.DefaultConfig())
	for _, tt := range tests {
		t.Run(tt.arc, func(t *testing.T) {
			acts, states := successors(m, tt.from)
			found := 0
			for i, a := range acts {
				if a == tt.a {
					found++
					require.Equal(t, tt.to, states[i], "successor of %v by %v", tt.from, a)
				}
			}
			require.Equal(t, 1, found, "%v enabled in %v; enabled: %v", tt.a, tt.from, acts)
		})
	}
}

// TestRulesDisabled checks guards: in each state no action of the given
// peer and kind is enabled.
func TestRulesDisabled(t *testing.T) {
	tests := []struct {
		why  string
		from diagram.State
		peer diagram.Peer
		kind diagram.Kind
	}{
		{"TIME-WAIT times out only while the TCB exists",
			state(peer(diagram.TimeWait, false), peer(diagram.Closed, false)), diagram.A, diagram.SysTimeWait},
		{"no RST is sent without a TCB, and none is queued",
			state(peer(diagram.Closed, false), peer(diagram.TimeWait, true)), diagram.A, diagram.Note3},
		{"a segment is received only at the head of the queue",
			state(peer(diagram.Listen, true, ack, syn), peer(diagram.SynSent, true)), diagram.A, diagram.SysListen},
		{"SYN-SENT ignores an ACK",
			state(peer(diagram.SynSent, true, ack), peer(diagram.Listen, true)), diagram.A, diagram.SysSynSent},
		{"an empty queue gives nothing to receive",
			state(peer(diagram.Established, true), peer(diagram.Established, true)), diagram.A, diagram.SysEstablished},
		{"Note 2 needs ACK of FIN right behind the FIN",
			state(peer(diagram.FinWait1, true, fin, rst, ackOfFin), peer(diagram.FinWait1, true)), diagram.A, diagram.Note2},
		{"ACTIVE_OPEN only from CLOSED",
			state(peer(diagram.Listen, true), peer(diagram.Closed, false)), diagram.A, diagram.ActiveOpen},
		{"SEND only from LISTEN",
			state(peer(diagram.Established, true), peer(diagram.Closed, false)), diagram.A, diagram.Send},
		{"a peer receives from its own queue only",
			state(peer(diagram.Listen, true), peer(diagram.Listen, true, syn)), diagram.A, diagram.SysListen},
	}
	m := diagram.New(diagram.DefaultConfig())
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			for a := range m.Next(tt.from) {
				require.False(t, a.Peer == tt.peer && a.Kind == tt.kind, "%v enabled in %v", a, tt.from)
			}
		})
	}
}

// TestNextOrder lists every transition of MCtcp's first initial state in
// the order tcp.tla writes the disjuncts: System, Reset, User, each for A
// then B.
func TestNextOrder(t *testing.T) {
	m := diagram.New(diagram.DefaultConfig())
	s := state(peer(diagram.SynSent, true), peer(diagram.Listen, true, syn))
	var got []string
	for a := range m.Next(s) {
		got = append(got, a.String())
	}
	require.Equal(t, []string{
		"B: Listen rcv SYN / snd SYN-ACK -> SYN-RECEIVED",
		"A: Note3 snd RST -> TIME-WAIT",
		"B: Note3 snd RST -> TIME-WAIT",
		"A: CLOSE_SYN_SENT -> CLOSED",
		"B: CLOSE_LISTEN -> CLOSED",
		"B: SEND snd SYN -> SYN-SENT",
	}, got)
}
