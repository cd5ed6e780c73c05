package model

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func linuxModel(t *testing.T, edit func(*Config)) *Model {
	return lifecycleModel(t, func(c *Config) {
		c.Variant = Linux
		if edit != nil {
			edit(c)
		}
	})
}

// RFC 5961 §3.2: a RST in the window but not at RCV.NXT draws a
// challenge ACK in Linux and resets in RFC 9293's text; at RCV.NXT it
// resets in both.
func TestLinuxRSTExactMatch(t *testing.T) {
	for _, tt := range []struct {
		variant Variant
		seq     SeqNum
		want    ConnState
		emitted []Segment
	}{
		{TCP, 302, Closed, nil},
		{Linux, 302, Established, []Segment{{Seq: 101, Ack: 301, Flags: ACK, Inc: 1}}},
		{Linux, 301, Closed, nil},
	} {
		m := lifecycleModel(t, func(c *Config) { c.Variant = tt.variant })
		_, _, s := play(t, m, handshake)
		s.Ch[B].push(Segment{Seq: tt.seq, Flags: RST, Inc: 1})
		a := Action{Kind: Deliver, Side: A, Seg: s.Ch[B].At(0)}
		next, ok := m.Step(s, a)
		require.True(t, ok)
		require.Equal(t, tt.want, next.Ep[A].State, "%s, RST at %d", tt.variant, tt.seq)
		require.Equal(t, tt.emitted, m.Emitted(s, a))
	}
}

// MAY-2 as Linux takes it: a SYN beyond RCV.NXT reopens TIME-WAIT through
// the listener, with an ISS beyond the old SND.NXT; RFC 9293's text
// answers it with a challenge ACK.
func TestLinuxTimeWaitAcceptsNewSYN(t *testing.T) {
	tw := Endpoint{State: TimeWait, Opens: 1, PeerInc: 1, ISS: 300, SndUna: 302, SndNxt: 302, IRS: 100, RcvNxt: 102, AppClosed: true}
	for _, v := range []Variant{TCP, Linux} {
		m := lifecycleModel(t, func(c *Config) { c.Variant, c.Incarnations = v, 2 })
		var s State
		s.Ep[B] = tw
		s.Ep[A] = Endpoint{State: SynSent, Opens: 2, ISS: 5000, SndUna: 5000, SndNxt: 5001}
		s.Ch[A].push(Segment{Seq: 5000, Flags: SYN, Inc: 2})
		a := Action{Kind: Deliver, Side: B, Seg: s.Ch[A].At(0)}
		next, ok := m.Step(s, a)
		require.True(t, ok)
		if v == TCP {
			require.Equal(t, TimeWait, next.Ep[B].State)
			require.Equal(t, []Segment{{Seq: 302, Ack: 102, Flags: ACK, Inc: 1, Timely: true}}, m.Emitted(s, a))
			continue
		}
		require.Equal(t, SynReceived, next.Ep[B].State)
		require.Equal(t, uint8(2), next.Ep[B].Opens)
		require.Equal(t, SeqNum(302+65537), next.Ep[B].ISS)
		require.Equal(t, []Segment{{Seq: 302 + 65537, Ack: 5001, Flags: SYN | ACK, Inc: 2, Timely: true}}, m.Emitted(s, a))

		// Not beyond RCV.NXT (an old SYN), or no incarnation left: as RFC 9293.
		s.Ch[A].Segs[0].Seq = 50
		next, _ = m.Step(s, Action{Kind: Deliver, Side: B, Seg: s.Ch[A].At(0)})
		require.Equal(t, TimeWait, next.Ep[B].State)
	}
}

// Linux gives a SYN 6 retransmissions and a SYN,ACK 5, whatever
// MaxRetries says, and its timing is a 60 s TIME-WAIT.
func TestLinuxRetries(t *testing.T) {
	m := linuxModel(t, func(c *Config) { c.MaxRetries = 1 })
	s := State{}
	s.Ep[A] = Endpoint{State: SynSent, Opens: 1, ISS: 100, SndUna: 100, SndNxt: 101, Backoff: 5}
	next, ok := m.Step(s, Action{Kind: RetransmitTimeout, Side: A, Index: 5})
	require.True(t, ok)
	require.Equal(t, SynSent, next.Ep[A].State, "the 6th retransmission of a SYN")
	s.Ep[A].Backoff = 6
	next, _ = m.Step(s, Action{Kind: RetransmitTimeout, Side: A, Index: 6})
	require.Equal(t, Closed, next.Ep[A].State, "gives up after 6")

	s.Ep[A] = Endpoint{State: SynReceived, Passive: true, Opens: 1, ISS: 100, SndUna: 100, SndNxt: 101, IRS: 5, RcvNxt: 6, Backoff: 5}
	next, _ = m.Step(s, Action{Kind: RetransmitTimeout, Side: A, Index: 5})
	require.Equal(t, Listen, next.Ep[A].State, "a SYN,ACK gives up after 5")

	cfg := m.Config()
	rto, rtoMax, msl := cfg.Timing()
	require.Equal(t, []time.Duration{time.Second, 120 * time.Second, 30 * time.Second}, []time.Duration{rto, rtoMax, msl})
	cfg.MaxRetries = 4
	require.NoError(t, cfg.Validate())
	cfg.MaxRetries = 5 // 63 s of backoff against a 60 s TIME-WAIT
	require.ErrorContains(t, cfg.Validate(), "2MSL (1m0s)")
}
