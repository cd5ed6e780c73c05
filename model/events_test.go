package model

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Arcs of §3.10 that Figure 5 leaves out: resets, acceptability checks,
// retransmission and giving up. Each test names the paragraph it checks.

func lifecycleModel(t *testing.T, edit func(*Config)) *Model {
	t.Helper()
	cfg, err := LookupPreset("lifecycle")
	require.NoError(t, err)
	cfg.ISNs = [2][]uint32{{100}, {300}}
	if edit != nil {
		edit(&cfg)
	}
	return mustModel(t, cfg)
}

// §3.10.7.1: a SYN to a port with no TCB is answered
// <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, and the connector, whose ACK
// is acceptable, is refused (§3.10.7.3 second step).
func TestSynToClosedPortIsRefused(t *testing.T) {
	m := lifecycleModel(t, nil)
	before, a, after := play(t, m, []act{{ActiveOpen, A}, {Deliver, B}})
	require.Equal(t, []Segment{{Seq: 0, Ack: 101, Flags: RST | ACK, Inc: 0, Timely: true}}, m.Emitted(before, a))
	require.Equal(t, Closed, after.Ep[B].State)

	_, _, after = play(t, m, []act{{ActiveOpen, A}, {Deliver, B}, {Deliver, A}})
	require.Equal(t, Closed, after.Ep[A].State)
	require.Equal(t, Refused, after.Ep[A].Err)
}

// §3.10.7.2: a listener answers an ACK-bearing segment with
// <SEQ=SEG.ACK><CTL=RST> and ignores a RST.
func TestListenRejectsACK(t *testing.T) {
	m := lifecycleModel(t, nil)
	var s State
	s.Ep[B] = Endpoint{State: Listen, Opens: 1}
	s.Ch[A].push(Segment{Seq: 7, Ack: 9, Flags: ACK})
	a := Action{Kind: Deliver, Side: B, Seg: s.Ch[A].At(0)}
	next, ok := m.Step(s, a)
	require.True(t, ok)
	require.Equal(t, Listen, next.Ep[B].State)
	require.Equal(t, []Segment{{Seq: 9, Flags: RST, Inc: 1}}, m.Emitted(s, a))

	s.Ch[A] = Channel{}
	s.Ch[A].push(Segment{Seq: 7, Flags: RST})
	a = Action{Kind: Deliver, Side: B, Seg: s.Ch[A].At(0)}
	require.Empty(t, m.Emitted(s, a))
}

// §3.10.7.3: in SYN-SENT a segment whose ACK is =< ISS or > SND.NXT gets
// <SEQ=SEG.ACK><CTL=RST> and changes nothing.
func TestSynSentRejectsBadACK(t *testing.T) {
	m := lifecycleModel(t, nil)
	_, _, s := play(t, m, []act{{PassiveOpen, B}, {ActiveOpen, A}})
	s.Ch[B].push(Segment{Seq: 300, Ack: 100, Flags: SYN | ACK}) // acks ISS, not ISS+1
	a := Action{Kind: Deliver, Side: A, Seg: s.Ch[B].At(0)}
	next, ok := m.Step(s, a)
	require.True(t, ok)
	require.Equal(t, SynSent, next.Ep[A].State)
	require.Equal(t, []Segment{{Seq: 100, Flags: RST, Inc: 1}}, m.Emitted(s, a))
}

// §3.10.7.4 first step: an unacceptable segment is answered with
// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; a retransmitted SYN,ACK reaching an
// ESTABLISHED client is acknowledged again (the seed's lost third
// handshake segment).
func TestUnacceptableSegmentIsAcknowledged(t *testing.T) {
	m := lifecycleModel(t, nil)
	_, _, s := play(t, m, handshake[:4]) // A ESTABLISHED, B SYN-RECEIVED, ACK in flight
	s.Ch[B].push(Segment{Seq: 300, Ack: 101, Flags: SYN | ACK, Inc: 1})
	a := Action{Kind: Deliver, Side: A, Seg: s.Ch[B].At(0)}
	next, ok := m.Step(s, a)
	require.True(t, ok)
	require.Equal(t, Established, next.Ep[A].State)
	require.Equal(t, []Segment{{Seq: 101, Ack: 301, Flags: ACK, Inc: 1, Timely: true}}, m.Emitted(s, a))
}

// §3.10.7.4 second step: a RST in the window resets a synchronized
// connection and the application is told "connection reset".
func TestRSTResetsEstablished(t *testing.T) {
	m := lifecycleModel(t, nil)
	_, _, s := play(t, m, handshake)
	s.Ch[B].push(Segment{Seq: 301, Flags: RST, Inc: 1})
	next, ok := m.Step(s, Action{Kind: Deliver, Side: A, Seg: s.Ch[B].At(0)})
	require.True(t, ok)
	require.Equal(t, Closed, next.Ep[A].State)
	require.Equal(t, Reset, next.Ep[A].Err)

	// Outside the window the RST is dropped without reply.
	s.Ch[B] = Channel{}
	s.Ch[B].push(Segment{Seq: 300 + 5000, Flags: RST})
	a := Action{Kind: Deliver, Side: A, Seg: s.Ch[B].At(0)}
	next, ok = m.Step(s, a)
	require.True(t, ok)
	require.Equal(t, Established, next.Ep[A].State)
	require.Empty(t, m.Emitted(s, a))
}

// §3.10.7.4 fourth step: a SYN in a synchronized state draws a challenge
// ACK (RFC 5961 §4) and changes nothing.
func TestSynInSynchronizedStateDrawsChallengeACK(t *testing.T) {
	m := lifecycleModel(t, nil)
	_, _, s := play(t, m, handshake)
	s.Ch[B].push(Segment{Seq: 301, Flags: SYN})
	a := Action{Kind: Deliver, Side: A, Seg: s.Ch[B].At(0)}
	next, ok := m.Step(s, a)
	require.True(t, ok)
	require.Equal(t, s.Ep[A], next.Ep[A])
	require.Equal(t, []Segment{{Seq: 101, Ack: 301, Flags: ACK, Inc: 1}}, m.Emitted(s, a))
}

// §3.10.7.4 fifth step: in SYN-RECEIVED an unacceptable ACK gets
// <SEQ=SEG.ACK><CTL=RST>.
func TestSynReceivedRejectsBadACK(t *testing.T) {
	m := lifecycleModel(t, nil)
	_, _, s := play(t, m, handshake[:3]) // B SYN-RECEIVED
	s.Ch[A] = Channel{}
	s.Ch[A].push(Segment{Seq: 101, Ack: 999, Flags: ACK})
	a := Action{Kind: Deliver, Side: B, Seg: s.Ch[A].At(0)}
	next, ok := m.Step(s, a)
	require.True(t, ok)
	require.Equal(t, SynReceived, next.Ep[B].State)
	require.Equal(t, []Segment{{Seq: 999, Flags: RST, Inc: 1}}, m.Emitted(s, a))
}

// §3.10.8 and §3.8.3: when the third handshake segment is lost the
// listener retransmits its SYN,ACK with a doubling timer, and after
// MaxRetries retransmissions drops the half-open entry and listens again
// (the seed, section 6).
func TestSynAckRetransmittedThenDropped(t *testing.T) {
	m := lifecycleModel(t, func(c *Config) { c.MaxLosses = 5; c.MaxRetries = 2 })
	_, _, s := play(t, m, []act{{PassiveOpen, B}, {ActiveOpen, A}, {Deliver, B}, {Deliver, A}, {Lose, A}})
	require.Equal(t, SynReceived, s.Ep[B].State)
	for backoff := uint8(1); backoff <= 2; backoff++ {
		a := Action{Kind: RetransmitTimeout, Side: B, Index: backoff - 1}
		require.Equal(t, []Segment{{Seq: 300, Ack: 101, Flags: SYN | ACK, Inc: 1}}, m.Emitted(s, a))
		next, ok := m.Step(s, a)
		require.True(t, ok)
		require.Equal(t, backoff, next.Ep[B].Backoff, "the timer doubles: RTO·2^%d", backoff)
		// The client, ESTABLISHED, answers the duplicate with an ACK,
		// which the network loses again.
		next, ok = m.Step(next, Action{Kind: Deliver, Side: A, Seg: next.Ch[B].At(0)})
		require.True(t, ok)
		s, ok = m.Step(next, Action{Kind: Lose, Side: A, Seg: next.Ch[A].At(0)})
		require.True(t, ok)
	}
	s, ok := m.Step(s, Action{Kind: RetransmitTimeout, Side: B, Index: 2})
	require.True(t, ok)
	require.Equal(t, Listen, s.Ep[B].State, "the half-open entry is dropped; the listener stays")
	require.Zero(t, s.InFlight())
}

// §3.10.8: the retransmission timer is not enabled while the segment or
// its acknowledgment is still in flight (see retransmissionNeeded).
func TestRetransmitOnlyWhenSilent(t *testing.T) {
	m := lifecycleModel(t, nil)
	_, _, s := play(t, m, []act{{PassiveOpen, B}, {ActiveOpen, A}})
	_, ok := m.Step(s, Action{Kind: RetransmitTimeout, Side: A})
	require.False(t, ok, "the SYN is still in flight")
	_, _, s = play(t, m, []act{{PassiveOpen, B}, {ActiveOpen, A}, {Lose, A}})
	_, ok = m.Step(s, Action{Kind: RetransmitTimeout, Side: A, Index: 1})
	require.False(t, ok, "the action names the backoff of the timer that expires")
	next, ok := m.Step(s, Action{Kind: RetransmitTimeout, Side: A})
	require.True(t, ok, "the SYN was lost")
	require.Equal(t, Segment{Seq: 100, Flags: SYN, Inc: 1}, next.Ch[A].At(0))
}

// §3.10.8 TIME-WAIT TIMEOUT is enabled only once nothing is in flight:
// 2MSL outlasts every segment of the connection (§3.4.2).
func TestTimeWaitWaitsForTheNetworkToDrain(t *testing.T) {
	m := lifecycleModel(t, nil)
	var s State
	s.Ep[A] = Endpoint{State: TimeWait, Opens: 1}
	s.Ch[B].push(Segment{Seq: 1, Flags: FIN | ACK})
	_, ok := m.Step(s, Action{Kind: TimeWaitTimeout, Side: A})
	require.False(t, ok)
	s.Ch[B] = Channel{}
	next, ok := m.Step(s, Action{Kind: TimeWaitTimeout, Side: A})
	require.True(t, ok)
	require.Equal(t, Closed, next.Ep[A].State)
}

// The seed's handshake: x, y, x+1, y+1 — with x just below 2^32 the
// numbers wrap (§3.4).
func TestHandshakeNumbersAcrossWraparound(t *testing.T) {
	m := lifecycleModel(t, func(c *Config) { c.ISNs = [2][]uint32{{4294967295}, {1000}} })
	var segs []Segment
	var s State
	for s = range m.Init() {
		break
	}
	for _, step := range handshake {
		for a, next := range m.Next(s) {
			if a.Kind == step.kind && a.Side == step.side {
				segs = append(segs, m.Emitted(s, a)...)
				s = next
				break
			}
		}
	}
	require.Equal(t, []Segment{
		{Seq: 4294967295, Flags: SYN, Inc: 1},
		{Seq: 1000, Ack: 0, Flags: SYN | ACK, Inc: 1, Timely: true},
		{Seq: 0, Ack: 1001, Flags: ACK, Inc: 1, Timely: true},
	}, segs)
	require.Equal(t, Established, s.Ep[A].State)
	require.Equal(t, Established, s.Ep[B].State)
}

// Overflowing a channel ends the behaviour and marks the state.
func TestChannelOverflowEndsBehaviour(t *testing.T) {
	m := lifecycleModel(t, func(c *Config) { c.Capacity = 1 })
	_, _, s := play(t, m, then(handshake[:4], act{SendData, A}))
	require.True(t, s.Overflow)
	require.True(t, m.Final(s))
	for range m.Next(s) {
		t.Fatal("an overflowed state has no successors")
	}
}

func TestConfigValidation(t *testing.T) {
	good, err := LookupPreset("lifecycle")
	require.NoError(t, err)
	for _, tt := range []struct {
		field string
		edit  func(*Config)
	}{
		{"capacity", func(c *Config) { c.Capacity = 0 }},
		{"capacity", func(c *Config) { c.Capacity = MaxChannelCapacity + 1 }},
		{"data", func(c *Config) { c.Data[A] = -1 }},
		{"max-losses", func(c *Config) { c.MaxLosses = -1 }},
		{"max-dups", func(c *Config) { c.MaxDups = -2 }},
		{"max-retries", func(c *Config) { c.MaxRetries = -1 }},
		{"incarnations", func(c *Config) { c.Incarnations = 0 }},
		{"isn", func(c *Config) { c.ISNs[B] = nil }},
		{"roles", func(c *Config) { c.Roles = [2]Role{Listener, Listener} }},
		{"rcv-wnd", func(c *Config) { c.RcvWnd = 0 }},
	} {
		c := good
		c.ISNs = [2][]uint32{{1}, {2}}
		tt.edit(&c)
		_, err := New(c)
		require.ErrorContains(t, err, tt.field+":")
	}
	_, err = LookupPreset("nope")
	require.ErrorContains(t, err, `preset: unknown preset "nope"`)
}

// Next is deterministic: the same state gives the same transitions in the
// same order.
func TestNextIsDeterministic(t *testing.T) {
	m := lifecycleModel(t, func(c *Config) { c.Reorder = true; c.MaxDups = 1 })
	_, _, s := play(t, m, then(handshake[:4], act{SendData, A}))
	var first, second []Action
	for a := range m.Next(s) {
		first = append(first, a)
	}
	for a := range m.Next(s) {
		second = append(second, a)
	}
	require.NotEmpty(t, first)
	require.Equal(t, first, second)
}

// The accept queue (seed §4): with another client's connection filling
// it, the handshake's last ACK is dropped and B stays SYN-RECEIVED; once
// B's application accepts that connection, the next ACK completes the
// handshake, and B's application must accept A's connection before it can
// send or close.
func TestAcceptQueueFullDropsTheLastACK(t *testing.T) {
	m := lifecycleModel(t, func(c *Config) { c.AcceptBacklog, c.Clients = 1, 1 })
	before, a, after := play(t, m, []act{{PassiveOpen, B}, {ActiveOpen, A}, {Deliver, B}, {Deliver, A}, {OtherClient, B}, {Deliver, B}})
	require.Equal(t, SynReceived, before.Ep[B].State)
	require.Equal(t, SynReceived, after.Ep[B].State, "the ACK is dropped")
	require.Empty(t, m.Emitted(before, a))
	require.Equal(t, 1, after.AcceptQueued())

	s, ok := m.Step(after, Action{Kind: AcceptCall, Side: B, Index: 1})
	require.True(t, ok)
	require.Zero(t, s.AcceptQueued())
	// The SYN,ACK is retransmitted, re-acknowledged, and now completes.
	s, ok = m.Step(s, Action{Kind: RetransmitTimeout, Side: B})
	require.True(t, ok)
	s, ok = m.Step(s, Action{Kind: Deliver, Side: A, Seg: s.Ch[B].At(0)})
	require.True(t, ok)
	s, ok = m.Step(s, Action{Kind: Deliver, Side: B, Seg: s.Ch[A].At(0)})
	require.True(t, ok)
	require.Equal(t, Established, s.Ep[B].State)
	require.Equal(t, 1, s.AcceptQueued(), "A's connection waits to be accepted")
	_, ok = m.Step(s, Action{Kind: SendData, Side: B})
	require.False(t, ok, "not before ACCEPT")
	s, ok = m.Step(s, Action{Kind: AcceptCall, Side: B})
	require.True(t, ok)
	_, ok = m.Step(s, Action{Kind: SendData, Side: B})
	require.True(t, ok)
}
