package model

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// act names an action by kind and side; the scenario takes the first
// enabled action that matches, in Next's order.
type act struct {
	kind ActionKind
	side Side
}

func mustModel(t *testing.T, cfg Config) *Model {
	t.Helper()
	m, err := New(cfg)
	require.NoError(t, err)
	return m
}

// play runs a scenario of actions from the first initial state and returns
// the state before the last action, the last action and the state after.
func play(t *testing.T, m *Model, script []act) (State, Action, State) {
	t.Helper()
	var s State
	for s = range m.Init() {
		break
	}
	var before State
	var last Action
	for i, want := range script {
		found := false
		for a, next := range m.Next(s) {
			if a.Kind == want.kind && a.Side == want.side {
				before, last, s, found = s, a, next, true
				break
			}
		}
		require.Truef(t, found, "step %d: %s %s not enabled in %v", i, want.side, want.kind, s)
	}
	return before, last, s
}

var (
	handshake = []act{{PassiveOpen, B}, {ActiveOpen, A}, {Deliver, B}, {Deliver, A}, {Deliver, B}}
	toEstab   = handshake
)

func then(prefix []act, more ...act) []act {
	return append(append([]act(nil), prefix...), more...)
}

// TestFigure5Arcs walks every arc of RFC 9293 Figure 5 (and Note 2), each
// from a scenario that reaches it, and checks the state the acting
// endpoint moves to and the segment it sends.
func TestFigure5Arcs(t *testing.T) {
	lifecycle, err := LookupPreset("lifecycle")
	require.NoError(t, err)
	lifecycle.EarlyClose = true
	simultaneous, err := LookupPreset("simultaneous")
	require.NoError(t, err)
	simultaneous.Data = [2]int{1, 1}
	noData := lifecycle
	noData.Data = [2]int{}

	tests := []struct {
		arc     string
		section string
		cfg     Config
		script  []act
		from    ConnState
		to      ConnState
		sends   Flags // flags of the one segment sent; 0 for none
	}{
		{"CLOSED → LISTEN: passive OPEN / create TCB", "3.10.1", lifecycle,
			[]act{{PassiveOpen, B}}, Closed, Listen, 0},
		{"CLOSED → SYN-SENT: active OPEN / snd SYN", "3.10.1", lifecycle,
			[]act{{PassiveOpen, B}, {ActiveOpen, A}}, Closed, SynSent, SYN},
		{"LISTEN → CLOSED: CLOSE / delete TCB", "3.10.4", lifecycle,
			[]act{{PassiveOpen, B}, {CloseCall, B}}, Listen, Closed, 0},
		{"LISTEN → SYN-RCVD: rcv SYN / snd SYN,ACK", "3.10.7.2", lifecycle,
			[]act{{PassiveOpen, B}, {ActiveOpen, A}, {Deliver, B}}, Listen, SynReceived, SYN | ACK},
		{"LISTEN → SYN-SENT: SEND / snd SYN", "3.10.2", simultaneous,
			[]act{{PassiveOpen, B}, {ActiveOpen, B}}, Listen, SynSent, SYN},
		{"SYN-SENT → CLOSED: CLOSE / delete TCB", "3.10.4", lifecycle,
			[]act{{PassiveOpen, B}, {ActiveOpen, A}, {CloseCall, A}}, SynSent, Closed, 0},
		{"SYN-SENT → SYN-RCVD: rcv SYN / snd SYN,ACK (simultaneous open)", "3.10.7.3", simultaneous,
			[]act{{ActiveOpen, A}, {ActiveOpen, B}, {Deliver, A}}, SynSent, SynReceived, SYN | ACK},
		{"SYN-SENT → ESTAB: rcv SYN,ACK / snd ACK", "3.10.7.3", lifecycle,
			handshake[:4], SynSent, Established, ACK},
		{"SYN-RCVD → ESTAB: rcv ACK of SYN", "3.10.7.4", lifecycle,
			handshake, SynReceived, Established, 0},
		{"SYN-RCVD → LISTEN: rcv RST (Note 1)", "3.10.7.4", Config{
			Roles: [2]Role{Connector, Listener}, Close: true, Abort: true, Capacity: 5, MaxRetries: 3, MaxLosses: 1,
			ISNs: [2][]uint32{{100}, {300}}, Incarnations: 1, RcvWnd: 4096},
			[]act{{PassiveOpen, B}, {ActiveOpen, A}, {Deliver, B}, {Deliver, A}, {Lose, A}, {AbortCall, A}, {Deliver, B}},
			SynReceived, Listen, 0},
		{"SYN-RCVD → FIN-WAIT-1: CLOSE / snd FIN", "3.10.4", lifecycle,
			[]act{{PassiveOpen, B}, {ActiveOpen, A}, {Deliver, B}, {CloseCall, B}}, SynReceived, FinWait1, FIN | ACK},
		{"ESTAB → FIN-WAIT-1: CLOSE / snd FIN", "3.10.4", lifecycle,
			then(toEstab, act{SendData, A}, act{CloseCall, A}), Established, FinWait1, FIN | ACK},
		{"ESTAB → CLOSE-WAIT: rcv FIN / snd ACK", "3.10.7.4", lifecycle,
			then(toEstab, act{SendData, A}, act{CloseCall, A}, act{Deliver, B}, act{Deliver, B}), Established, CloseWait, ACK},
		{"FIN-WAIT-1 → FIN-WAIT-2: rcv ACK of FIN", "3.10.7.4", lifecycle,
			then(toEstab, act{SendData, A}, act{CloseCall, A}, act{Deliver, B}, act{Deliver, B}, act{Deliver, A}, act{Deliver, A}),
			FinWait1, FinWait2, 0},
		{"FIN-WAIT-1 → CLOSING: rcv FIN / snd ACK", "3.10.7.4", lifecycle,
			then(toEstab, act{SendData, A}, act{SendData, B}, act{CloseCall, A}, act{CloseCall, B}, act{Deliver, A}, act{Deliver, A}),
			FinWait1, Closing, ACK},
		{"FIN-WAIT-2 → TIME-WAIT: rcv FIN / snd ACK", "3.10.7.4", lifecycle,
			then(toEstab, act{SendData, A}, act{CloseCall, A}, act{Deliver, B}, act{Deliver, B},
				act{Deliver, A}, act{Deliver, A}, act{SendData, B}, act{CloseCall, B}, act{Deliver, A}, act{Deliver, A}),
			FinWait2, TimeWait, ACK},
		{"CLOSING → TIME-WAIT: rcv ACK of FIN", "3.10.7.4", lifecycle,
			then(toEstab, act{SendData, A}, act{SendData, B}, act{CloseCall, A}, act{CloseCall, B},
				act{Deliver, A}, act{Deliver, A}, act{Deliver, B}, act{Deliver, B}, act{Deliver, A}, act{Deliver, A}),
			Closing, TimeWait, 0},
		{"CLOSE-WAIT → LAST-ACK: CLOSE / snd FIN", "3.10.4", lifecycle,
			then(toEstab, act{SendData, A}, act{CloseCall, A}, act{Deliver, B}, act{Deliver, B}, act{SendData, B}, act{CloseCall, B}),
			CloseWait, LastAck, FIN | ACK},
		{"LAST-ACK → CLOSED: rcv ACK of FIN", "3.10.7.4", lifecycle,
			then(toEstab, act{SendData, A}, act{CloseCall, A}, act{Deliver, B}, act{Deliver, B}, act{SendData, B}, act{CloseCall, B},
				act{Deliver, A}, act{Deliver, A}, act{Deliver, A}, act{Deliver, A}, act{Deliver, B}, act{Deliver, B}),
			LastAck, Closed, 0},
		{"TIME-WAIT → CLOSED: Timeout=2MSL / delete TCB", "3.10.8", lifecycle,
			then(toEstab, act{SendData, A}, act{CloseCall, A}, act{Deliver, B}, act{Deliver, B}, act{SendData, B}, act{CloseCall, B},
				act{Deliver, A}, act{Deliver, A}, act{Deliver, A}, act{Deliver, A}, act{Deliver, B}, act{Deliver, B},
				act{TimeWaitTimeout, A}),
			TimeWait, Closed, 0},
		{"FIN-WAIT-1 → TIME-WAIT: rcv FIN with the ACK of our FIN (Note 2)", "3.10.7.4", noData,
			then(toEstab, act{CloseCall, A}, act{Deliver, B}, act{Lose, B}, act{CloseCall, B}, act{Deliver, A}),
			FinWait1, TimeWait, ACK},
	}
	for _, tt := range tests {
		t.Run(tt.arc, func(t *testing.T) {
			m := mustModel(t, tt.cfg)
			// Data is sent only where the script says so.
			before, a, after := play(t, m, tt.script)
			require.Equal(t, tt.from, before.Ep[a.Side].State, "§%s: state before %s", tt.section, a)
			require.Equal(t, tt.to, after.Ep[a.Side].State, "§%s: state after %s", tt.section, a)
			sent := m.Emitted(before, a)
			if tt.sends == 0 {
				require.Empty(t, sent, "§%s: %s sends nothing", tt.section, a)
				return
			}
			require.Len(t, sent, 1, "§%s: %s sends one segment", tt.section, a)
			require.Equal(t, tt.sends, sent[0].Flags, "§%s: %s sends %s", tt.section, a, tt.sends)
		})
	}
}
