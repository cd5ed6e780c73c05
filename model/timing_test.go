package model

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
)

// Regression tests for the soundness of the model's abstractions
// (model/doc.go, "Abstractions"): each test fails on a model that leaves
// out a behaviour real TCP has.

// naiveSuccessors is every state Step reaches from s with any candidate
// action, no candidate skipped as "the same as another": the reference
// that Next's shortcuts must agree with.
func naiveSuccessors(m *Model, s State) map[State]bool {
	out := map[State]bool{}
	try := func(a Action) {
		if next, ok := m.Step(s, a); ok {
			out[next] = true
		}
	}
	for _, side := range []Side{A, B} {
		for _, k := range []ActionKind{PassiveOpen, SendData, CloseCall, AbortCall, TimeWaitTimeout, SpoofedSYN, OtherClient} {
			try(Action{Kind: k, Side: side})
		}
		for i := range m.cfg.ISNs[side] {
			try(Action{Kind: ActiveOpen, Side: side, ISN: uint8(i)})
		}
		try(Action{Kind: RetransmitTimeout, Side: side, Index: s.Ep[side].Backoff})
		for i := range 2 {
			try(Action{Kind: AcceptCall, Side: side, Index: uint8(i)})
		}
		for i := range MaxHalfOpen {
			try(Action{Kind: HalfOpenTimeout, Side: side, Index: uint8(i)})
		}
		in, out := &s.Ch[side.Peer()], &s.Ch[side]
		for i := 0; i < in.Len(); i++ {
			for c := range m.cfg.ISNs[side] {
				try(Action{Kind: Deliver, Side: side, Index: uint8(i), ISN: uint8(c), Seg: in.At(i)})
			}
		}
		for i := 0; i < out.Len(); i++ {
			try(Action{Kind: Lose, Side: side, Index: uint8(i), Seg: out.At(i)})
			try(Action{Kind: Duplicate, Side: side, Index: uint8(i), Seg: out.At(i)})
		}
	}
	return out
}

// Next must reach every successor that some action reaches: skipping a
// segment because an equal one stands earlier in the channel is right
// only when nothing different stands between them (delivering position 0
// or 2 of [X, Y, X] leaves different channels). Issue 13, finding 1.
func TestNextReachesEverySuccessor(t *testing.T) {
	cfg := mustPresetConfig(t, "lifecycle")
	cfg.MaxDups, cfg.Capacity, cfg.Reorder, cfg.MaxLosses = 1, 6, true, 2
	m := mustModel(t, cfg)
	res, err := checker.Explore(context.Background(), m, checker.Options[State, Action]{KeepGraph: true, MaxStates: 30000})
	require.NoError(t, err)
	require.NotZero(t, res.Graph.NumStates())
	for _, s := range res.Graph.States() {
		got := map[State]bool{}
		for _, next := range m.Next(s) {
			got[next] = true
		}
		require.Equal(t, naiveSuccessors(m, s), got, "successors of %v", s)
	}
}

// The same on a hand-made channel [X, Y, X]: losing the first X, Y or the
// second X leave [Y, X], [X, X] and [X, Y].
func TestLoseEitherOfTwoEqualSegments(t *testing.T) {
	m := lifecycleModel(t, func(c *Config) { c.MaxLosses = 1 })
	_, _, s := play(t, m, handshake)
	x := Segment{Seq: 101, Ack: 301, Flags: ACK, Len: 1, Inc: 1}
	y := Segment{Seq: 102, Ack: 301, Flags: FIN | ACK, Inc: 1}
	s.Ch[A] = Channel{}
	for _, g := range []Segment{x, y, x} {
		s.Ch[A].push(g)
	}
	var left []Channel
	for a, next := range m.Next(s) {
		if a.Kind == Lose && a.Side == A {
			left = append(left, next.Ch[A])
		}
	}
	var yx, xx, xy Channel
	yx.push(y)
	yx.push(x)
	xx.push(x)
	xx.push(x)
	xy.push(x)
	xy.push(y)
	require.ElementsMatch(t, []Channel{yx, xx, xy}, left)
}

// A delayed copy travels on its own (model/doc.go): a delayed copy of
// the acknowledgment does not hold the retransmission timer, which may
// expire before the copy arrives. Issue 13, finding 3.
func TestDelayedAnswerDoesNotHoldTheTimer(t *testing.T) {
	m := lifecycleModel(t, func(c *Config) { c.MaxDups = 1 })
	_, _, s := play(t, m, append(handshake[:len(handshake):len(handshake)], act{SendData, A})) // A's byte in flight
	s.Ch[A] = Channel{}                                                                        // lost
	ack := Segment{Seq: 301, Ack: 102, Flags: ACK, Inc: 1, Delayed: true}
	s.Ch[B].push(ack)
	_, ok := m.Step(s, Action{Kind: RetransmitTimeout, Side: A})
	require.True(t, ok, "the timer must be free to expire while a delayed copy of the ACK is in flight")

	// A timely answer — the ACK the byte's arrival drew — does hold it:
	// it arrives within a round trip, before the RTO.
	s.Ch[B] = Channel{}
	ack.Delayed, ack.Timely = false, true
	s.Ch[B].push(ack)
	_, ok = m.Step(s, Action{Kind: RetransmitTimeout, Side: A})
	require.False(t, ok)

	// A segment the peer sent later, on its own (its data with the same
	// acknowledgment), may be in flight when the timer expires.
	s.Ch[B] = Channel{}
	s.Ch[B].push(Segment{Seq: 301, Ack: 102, Flags: ACK, Len: 1, Inc: 1})
	_, ok = m.Step(s, Action{Kind: RetransmitTimeout, Side: A})
	require.True(t, ok)

	// Unless it was already in flight when the timer started.
	s.Ch[B].Segs[0].Aged = 1 << A
	_, ok = m.Step(s, Action{Kind: RetransmitTimeout, Side: A})
	require.False(t, ok)
}

// A transition that starts a retransmission timer marks what is in
// flight then (Segment.Aged); one that does not, marks nothing.
func TestTimerStartMarksSegmentsInFlight(t *testing.T) {
	m := lifecycleModel(t, nil)
	_, _, s := play(t, m, handshake)
	s.Ch[B].push(Segment{Seq: 301, Ack: 101, Flags: ACK, Len: 1, Inc: 1}) // B's byte on its way
	next, ok := m.Step(s, Action{Kind: SendData, Side: A})                // A's timer starts
	require.True(t, ok)
	require.Equal(t, uint8(1<<A), next.Ch[B].At(0).Aged)
	require.Equal(t, uint8(1<<A), next.Ch[A].At(0).Aged, "sent as the timer starts: arrives before it expires")

	lost, ok := m.Step(next, Action{Kind: Lose, Side: A, Seg: next.Ch[A].At(0)})
	require.True(t, ok)
	require.Equal(t, next.Ch[B], lost.Ch[B], "a loss starts no timer")
}

// TIME-WAIT guards its own connection: a SYN of the peer's next
// incarnation, in flight or retransmitted, does not hold the 2MSL timer,
// which real time does not tie to the new connection's schedule. Issue
// 13, finding 2.
func TestTimeWaitIgnoresTheNextIncarnation(t *testing.T) {
	m := lifecycleModel(t, func(c *Config) { c.Incarnations = 2 })
	var s State
	s.Ep[B] = Endpoint{State: TimeWait, Opens: 1, PeerInc: 1, ISS: 300, SndUna: 302, SndNxt: 302, IRS: 100, RcvNxt: 102, AppClosed: true}
	s.Ep[A] = Endpoint{State: SynSent, Opens: 2, ISS: 500, SndUna: 500, SndNxt: 501}
	s.Ch[A].push(Segment{Seq: 500, Flags: SYN, Inc: 2})
	_, ok := m.Step(s, Action{Kind: TimeWaitTimeout, Side: B})
	require.True(t, ok, "the new SYN in flight must not hold TIME-WAIT")
	s.Ch[A] = Channel{} // lost; A will retransmit it
	_, ok = m.Step(s, Action{Kind: TimeWaitTimeout, Side: B})
	require.True(t, ok, "the new connection's retransmission must not hold TIME-WAIT")

	// The old connection's segments and retransmissions do.
	s.Ch[A].push(Segment{Seq: 102, Ack: 302, Flags: ACK, Inc: 1})
	_, ok = m.Step(s, Action{Kind: TimeWaitTimeout, Side: B})
	require.False(t, ok)
	s.Ch[A] = Channel{}
	s.Ep[A] = Endpoint{State: LastAck, Opens: 1, PeerInc: 1, ISS: 100, SndUna: 101, SndNxt: 102, IRS: 300, RcvNxt: 302, AppClosed: true}
	_, ok = m.Step(s, Action{Kind: TimeWaitTimeout, Side: B})
	require.False(t, ok, "the peer still retransmits its FIN: 2MSL outlasts its schedule")
}

// The premise of the TIME-WAIT abstraction, at its boundary: with RFC
// timing (RTO 1 s doubling to 60 s, MSL 2 min) seven retries back off for
// 183 s and fit in 2MSL; eight back off for 243 s and do not, and the
// configuration is refused — unless MSL is raised, or there is no
// TIME-WAIT.
func TestTimingPremiseBoundary(t *testing.T) {
	cfg := mustPresetConfig(t, "close")
	cfg.MaxRetries = 7
	require.Equal(t, 183*time.Second, cfg.RetransmissionSchedule())
	require.NoError(t, cfg.Validate())

	cfg.MaxRetries = 8
	require.Equal(t, 243*time.Second, cfg.RetransmissionSchedule())
	err := cfg.Validate()
	require.ErrorContains(t, err, "2MSL")
	require.ErrorContains(t, err, "max-retries")

	cfg.MSL = 3 * time.Minute
	require.NoError(t, cfg.Validate())

	cfg.MSL, cfg.Variant = 0, NoTimeWait
	require.NoError(t, cfg.Validate())

	// A schedule exactly one RTO short of 2MSL is refused too: the last
	// FIN still needs its flight.
	cfg = mustPresetConfig(t, "close")
	cfg.MaxRetries, cfg.RTO, cfg.RTOMax, cfg.MSL = 1, time.Second, time.Second, 1500*time.Millisecond
	require.Error(t, cfg.Validate()) // 2 s + 1 s >= 3 s
	cfg.MSL = 1501 * time.Millisecond
	require.NoError(t, cfg.Validate())
}

func mustPresetConfig(t *testing.T, name string) Config {
	t.Helper()
	cfg, err := LookupPreset(name)
	require.NoError(t, err)
	return cfg
}

// Simultaneous open, RFC 9293 Figure 7: A, SYN-RECEIVED from SYN-SENT,
// becomes ESTABLISHED on the peer's SYN,ACK <SEQ=300><ACK=101>, reading
// its ACK field, and sends nothing; a SYN,ACK that acknowledges anything
// but SND.NXT is not taken for it.
func TestSimultaneousOpenSynAckEstablishes(t *testing.T) {
	m := lifecycleModel(t, func(c *Config) { c.Roles = [2]Role{Connector, Connector} })
	var s State
	s.Ep[A] = Endpoint{State: SynReceived, Opens: 1, PeerInc: 1, ISS: 100, SndUna: 100, SndNxt: 101, IRS: 300, RcvNxt: 301}
	s.Ch[B].push(Segment{Seq: 300, Ack: 101, Flags: SYN | ACK, Inc: 1})
	a := Action{Kind: Deliver, Side: A, Seg: s.Ch[B].At(0)}
	next, ok := m.Step(s, a)
	require.True(t, ok)
	require.Equal(t, Established, next.Ep[A].State)
	require.Equal(t, SeqNum(101), next.Ep[A].SndUna, "the SYN,ACK's ACK field is processed")
	require.Empty(t, m.Emitted(s, a))

	s.Ch[B].Segs[0].Ack = 102
	next, ok = m.Step(s, Action{Kind: Deliver, Side: A, Seg: s.Ch[B].At(0)})
	require.True(t, ok)
	require.Equal(t, SynReceived, next.Ep[A].State)
}

// ABORT after CLOSE (§3.10.5): FIN-WAIT-1 sends <SEQ=SND.NXT><CTL=RST>;
// LAST-ACK and TIME-WAIT delete the TCB silently. Each is reachable on
// the abort preset.
func TestAbortAfterClose(t *testing.T) {
	m := lifecycleModel(t, func(c *Config) { c.Abort = true })
	_, _, s := play(t, m, []act{{PassiveOpen, B}, {ActiveOpen, A}, {Deliver, B}, {Deliver, A}, {Deliver, B}, {SendData, A}, {SendData, B}, {CloseCall, A}})
	require.Equal(t, FinWait1, s.Ep[A].State)
	a := Action{Kind: AbortCall, Side: A}
	next, ok := m.Step(s, a)
	require.True(t, ok)
	require.Equal(t, Closed, next.Ep[A].State)
	require.Equal(t, []Segment{{Seq: s.Ep[A].SndNxt, Flags: RST, Inc: 1}}, m.Emitted(s, a))

	for _, st := range []ConnState{LastAck, TimeWait, Closing} {
		s.Ep[A].State = st
		a := Action{Kind: AbortCall, Side: A}
		next, ok := m.Step(s, a)
		require.True(t, ok, st.String())
		require.Equal(t, Closed, next.Ep[A].State)
		require.Empty(t, m.Emitted(s, a), st.String())
	}

	m = mustModel(t, mustPresetConfig(t, "abort"))
	res, err := checker.Explore(context.Background(), m, checker.Options[State, Action]{KeepGraph: true})
	require.NoError(t, err)
	aborted := map[ConnState]bool{}
	for _, s := range res.Graph.States() {
		for a := range m.Next(s) {
			if a.Kind == AbortCall && s.Ep[a.Side].AppClosed {
				aborted[s.Ep[a.Side].State] = true
			}
		}
	}
	for _, st := range []ConnState{FinWait1, FinWait2, Closing, LastAck, TimeWait} {
		require.True(t, aborted[st], "ABORT after CLOSE in %s is never reached on the abort preset", st)
	}
}
