package properties

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
)

func segmentProperty(t *testing.T, id string) SegmentProperty {
	t.Helper()
	props, err := Select(Segment(), []string{id})
	require.NoError(t, err)
	require.Len(t, props, 1)
	return props[0]
}

// check runs every invariant of the catalogue on a model and returns the
// result.
func check(t *testing.T, cfg model.Config, ids ...string) *checker.Result[model.State, model.Action] {
	t.Helper()
	m, err := model.New(cfg)
	require.NoError(t, err)
	props, err := Select(Segment(), ids)
	require.NoError(t, err)
	opts := checker.Options[model.State, model.Action]{ContinueAfterViolation: true}
	Apply(&opts, props, m.Final)
	res, err := checker.Explore(context.Background(), m, opts)
	require.NoError(t, err)
	return res
}

// Every invariant holds on the presets that finish in a test's time.
func TestInvariantsHoldOnPresets(t *testing.T) {
	for _, name := range []string{"handshake", "close", "lifecycle", "simultaneous"} {
		t.Run(name, func(t *testing.T) {
			cfg, err := model.LookupPreset(name)
			require.NoError(t, err)
			res := check(t, cfg)
			for _, v := range res.Violations {
				t.Errorf("%s violated: %v", v.Name, v.Trace[len(v.Trace)-1].State)
			}
			require.Equal(t, checker.Holds, res.Verdict)
			require.Greater(t, res.Stats.Distinct, 10)
		})
	}
}

func seg(seq, ack uint32, flags model.Flags, n uint8) model.Segment {
	return model.Segment{Seq: model.SeqNum(seq), Ack: model.SeqNum(ack), Flags: flags, Len: n}
}

// Each property can fail: on a hand-built state or transition that breaks
// it, it reports a violation and explains why.
func TestPropertiesCanFail(t *testing.T) {
	established := func(iss, irs uint32) model.Endpoint {
		return model.Endpoint{State: model.Established, Opens: 1, PeerInc: 1,
			ISS: model.SeqNum(iss), IRS: model.SeqNum(irs),
			SndUna: model.SeqNum(iss + 1), SndNxt: model.SeqNum(iss + 1), RcvNxt: model.SeqNum(irs + 1)}
	}
	tests := []struct {
		id       string
		from, to model.State
		a        model.Action
		why      string
	}{
		{id: "no-data-on-syn", to: func() model.State {
			var s model.State
			s.Ch[model.A] = channel(seg(100, 0, model.SYN, 1))
			return s
		}(), why: "a SYN carrying 1 byte(s) of data"},
		{id: "handshake-ack", // the SYN,ACK acknowledges x, not x+1
			from: model.State{Ep: [2]model.Endpoint{{}, {State: model.Listen, Opens: 1}}},
			a:    model.Action{Kind: model.Deliver, Side: model.B, Seg: seg(100, 0, model.SYN, 0)},
			to: model.State{Ep: [2]model.Endpoint{{}, {State: model.SynReceived, Opens: 1}},
				Ch: [2]model.Channel{{}, channel(seg(300, 100, model.SYN|model.ACK, 0))}},
			why: "the SYN,ACK must acknowledge 101"},
		{id: "ack-acceptable", // an ACK of something never sent is accepted
			from: model.State{Ep: [2]model.Endpoint{established(100, 300), {}}},
			a:    model.Action{Kind: model.Deliver, Side: model.A, Seg: seg(301, 150, model.ACK, 0)},
			to: func() model.State {
				e := established(100, 300)
				e.SndUna = 150
				return model.State{Ep: [2]model.Endpoint{e, {}}}
			}(),
			why: "outside (SND.UNA, SND.NXT]"},
		{id: "established-agree",
			to:  model.State{Ep: [2]model.Endpoint{established(100, 300), {State: model.Listen, Opens: 1}}},
			why: "a half-open connection"},
		{id: "stream-integrity", // a byte of incarnation 1 delivered to incarnation 2's connection
			from: func() model.State {
				e := established(100, 300)
				e.PeerInc = 2
				return model.State{Ep: [2]model.Endpoint{e, {}}}
			}(),
			a: model.Action{Kind: model.Deliver, Side: model.A, Seg: model.Segment{Seq: 301, Ack: 101, Flags: model.ACK, Len: 1, Inc: 1}},
			to: func() model.State {
				e := established(100, 300)
				e.PeerInc, e.Delivered, e.RcvNxt = 2, 1, 302
				return model.State{Ep: [2]model.Endpoint{e, {}}}
			}(),
			why: "an old duplicate corrupted the stream"},
		{id: "time-wait-active-closer", // the passive closer enters TIME-WAIT
			from: model.State{Ep: [2]model.Endpoint{{State: model.CloseWait}, {}}},
			a:    model.Action{Kind: model.CloseCall, Side: model.A},
			to:   model.State{Ep: [2]model.Endpoint{{State: model.TimeWait}, {}}},
			why:  "entered TIME-WAIT from CLOSE-WAIT"},
		{id: "channel-bound", to: model.State{Overflow: true}, why: "raise --capacity"},
		{id: "syn-queue-bound", to: model.State{Ep: [2]model.Endpoint{{}, {State: model.SynReceived, Passive: true}},
			Listen: model.Backlog{N: 1, Cap: 1}}, why: "holds 2 half-open entries, over its capacity of 1"},
		{id: "accept-queue-bound", to: model.State{Ep: [2]model.Endpoint{{}, {State: model.Established, Passive: true}},
			Listen: model.Backlog{Accept: 1, AcceptCap: 1}}, why: "holds 2 connections, over its capacity of 1"},
		{id: "half-open-memory", to: model.State{Ep: [2]model.Endpoint{{}, {State: model.SynReceived, Held: 1}}},
			why: "hold 1 byte(s) of payload"},
		{id: "connect-no-timeout", // the SYN retries run out though nothing was lost
			from: model.State{Ep: [2]model.Endpoint{{State: model.SynSent, Backoff: 3, Opens: 1}, {}}},
			a:    model.Action{Kind: model.RetransmitTimeout, Side: model.A, Index: 3},
			to:   model.State{Ep: [2]model.Endpoint{{State: model.Closed, Err: model.TimedOut}, {}}},
			why:  "gave up its connect after 3 SYN retransmission(s)"},
		{id: "clean-close", // the passive closer is reset in LAST-ACK
			from: model.State{Ep: [2]model.Endpoint{{}, {State: model.LastAck, AppClosed: true}}},
			a:    model.Action{Kind: model.Deliver, Side: model.B, Seg: seg(2, 0, model.RST, 0)},
			to:   model.State{Ep: [2]model.Endpoint{{}, {State: model.Closed, AppClosed: true}}},
			why:  "in LAST-ACK with both FINs sent, was reset"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			p := segmentProperty(t, tt.id)
			switch {
			case p.State != nil:
				require.False(t, p.State(&tt.to))
			case p.Step != nil:
				require.False(t, p.Step(&tt.from, tt.a, &tt.to))
			default:
				t.Fatalf("%s is not decided on a state or a step", tt.id)
			}
			require.Contains(t, p.Why(&tt.from, tt.a, &tt.to), tt.why)
		})
	}
}

func channel(segs ...model.Segment) model.Channel {
	var c model.Channel
	for _, g := range segs {
		c.Segs[c.N] = g
		c.N++
	}
	return c
}

// deadlock-free fails on a real configuration: with as many losses as
// retries, the passive closer's FIN can be lost until it gives up, leaving
// the active closer in FIN-WAIT-2 for ever — RFC 9293 gives FIN-WAIT-2 no
// timer (implementations add one).
func TestDeadlockFreeCanFail(t *testing.T) {
	cfg, err := model.LookupPreset("close")
	require.NoError(t, err)
	cfg.MaxLosses, cfg.MaxRetries = 2, 1
	res := check(t, cfg, "deadlock-free")
	require.Equal(t, checker.Violated, res.Verdict)
	v := res.Violations[0]
	require.Equal(t, checker.DeadlockName, v.Name)
	last := v.Trace[len(v.Trace)-1].State
	require.ElementsMatch(t, []model.ConnState{model.FinWait2, model.Closed},
		[]model.ConnState{last.Ep[model.A].State, last.Ep[model.B].State})
	p, ok := Find(Segment(), v.Name)
	require.True(t, ok)
	require.Equal(t, "deadlock-free", p.ID)
}

// established-agree fails on a real configuration: when the listener gives
// up on its SYN,ACK (the seed's lost third segment, with enough losses to
// exhaust the retries) and the client has nothing to send, the client is
// ESTABLISHED against a LISTEN peer at rest.
func TestEstablishedAgreeCanFailWithExhaustedRetries(t *testing.T) {
	cfg, err := model.LookupPreset("handshake")
	require.NoError(t, err)
	cfg.MaxLosses, cfg.MaxRetries = 2, 1
	res := check(t, cfg, "established-agree")
	require.Equal(t, checker.Violated, res.Verdict)
	last := res.Violations[0].Trace[len(res.Violations[0].Trace)-1].State
	require.Equal(t, model.Established, last.Ep[model.A].State)
	require.Equal(t, model.Listen, last.Ep[model.B].State)
}

func TestSelect(t *testing.T) {
	_, err := Select(Segment(), []string{"no-such"})
	require.ErrorContains(t, err, `property: unknown property "no-such"`)
	props, err := Select(Segment(), []string{"stream-integrity", "no-data-on-syn"})
	require.NoError(t, err)
	require.Equal(t, "no-data-on-syn", props[0].ID, "catalogue order")
	for _, p := range Segment() {
		require.NotEmpty(t, p.Description, p.ID)
		require.NotEmpty(t, p.Source, p.ID)
		if p.Kind == Invariant {
			require.NotNil(t, p.Why, p.ID)
		}
	}
}

// A segment of the peer's next incarnation does not answer the
// connection an endpoint is synchronized with (it is refused, outside the
// window): its timer may expire while that segment is in flight, and
// no-spurious-timeout must not call that spurious. Found by the random
// walks: A aborts and reopens during a simultaneous open, and B's SYN,ACK
// times out while A's new SYN,ACK (acknowledging B's SYN) is on its way.
func TestNoSpuriousTimeoutIgnoresTheNextIncarnation(t *testing.T) {
	var s model.State
	s.Ep[model.B] = model.Endpoint{State: model.SynReceived, Opens: 1, PeerInc: 1, ISS: 0, SndUna: 0, SndNxt: 1, IRS: 0, RcvNxt: 1}
	s.Ep[model.A] = model.Endpoint{State: model.SynReceived, Opens: 2, PeerInc: 1, ISS: 1 << 30, SndUna: 1 << 30, SndNxt: 1<<30 + 1, IRS: 0, RcvNxt: 1}
	synAck := model.Segment{Seq: 1 << 30, Ack: 1, Flags: model.SYN | model.ACK, Inc: 2}
	s.Ch[model.A].Segs[0], s.Ch[model.A].N = synAck, 1
	a := model.Action{Kind: model.RetransmitTimeout, Side: model.B}
	require.Empty(t, noSpuriousTimeout(&s, a, &s))

	// The same answer from the incarnation B is synchronized with does
	// hold the timer.
	s.Ch[model.A].Segs[0].Inc = 1
	require.NotEmpty(t, noSpuriousTimeout(&s, a, &s))
}
