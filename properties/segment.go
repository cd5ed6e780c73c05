package properties

import (
	"fmt"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
)

// SegmentProperty is a property of the segment-level TCP model.
type SegmentProperty = Property[model.State, model.Action]

// segmentCatalogue is the catalogue without its premises (Segment).
func segmentCatalogue() []SegmentProperty {
	return []SegmentProperty{
		{
			ID:          "no-data-on-syn",
			Description: "no segment with SYN set carries payload",
			Source:      "seed §3 (the first and second handshake segments never carry data)",
			State:       noDataOnSYN,
			Why: func(_ *model.State, _ model.Action, to *model.State) string {
				side, g, _ := synWithData(to)
				return fmt.Sprintf("%s sent %s: a SYN carrying %d byte(s) of data", side, g, g.Len)
			},
		},
		{
			ID:          "handshake-ack",
			Description: "a SYN,ACK acknowledges the peer's ISN+1; the handshake-completing ACK has seq ISN+1 and acknowledges the SYN,ACK's ISN+1",
			Source:      "RFC 9293 §3.5 Figure 6; seed §1 (x, y, x+1, y+1)",
			Step:        holdsUnless(handshakeAck),
			Why:         handshakeAck,
		},
		{
			ID:          "ack-acceptable",
			Description: "every ACK an endpoint accepts covers only sequence numbers it has sent (SND.UNA < SEG.ACK =< SND.NXT); a FIN is acknowledged by its seq+1",
			Source:      "RFC 9293 §3.3.1, §3.10.7.4 fifth step",
			Step:        holdsUnless(ackAcceptable),
			Why:         ackAcceptable,
		},
		{
			ID:          "established-agree",
			Description: "at rest (nothing in flight, no timer armed) one endpoint is ESTABLISHED exactly when the other is: no half-open connection",
			Source:      "RFC 9293 §3.5.1; seed §1 (why three messages)",
			State:       establishedAgree,
			Why: func(_ *model.State, _ model.Action, to *model.State) string {
				return fmt.Sprintf("nothing is in flight and no timer is armed, yet A is %s and B is %s: a half-open connection", to.Ep[model.A].State, to.Ep[model.B].State)
			},
		},
		{
			ID:          "stream-integrity",
			Description: "each application receives exactly a prefix of what its peer sent, in order, with no byte of an earlier incarnation",
			Source:      "RFC 9293 §3.4 (old duplicates), §3.4.1 (ISN selection); seed §2",
			Step:        holdsUnless(streamIntegrity),
			Why:         streamIntegrity,
		},
		{
			ID:          "time-wait-active-closer",
			Description: "only a side that sent its FIN before receiving the peer's (or both, on simultaneous close) passes through TIME-WAIT",
			Source:      "RFC 9293 §3.6 Figures 12 and 13; seed (four-way close)",
			Step:        holdsUnless(timeWaitActiveCloser),
			Why:         timeWaitActiveCloser,
		},
		{
			ID:          "half-open-memory",
			Description: "a half-open connection holds no payload: a SYN-RECEIVED entry keeps nothing but its TCB",
			Source:      "seed §3 (data on a SYN lets an attacker fill the server's memory)",
			State:       func(s *model.State) bool { return halfOpenBytes(s) == 0 },
			Why: func(_ *model.State, _ model.Action, to *model.State) string {
				return fmt.Sprintf("half-open connections hold %d byte(s) of payload from SYNs", halfOpenBytes(to))
			},
		},
		{
			ID:          "syn-queue-bound",
			Description: "the listener's SYN queue never holds more half-open entries than its capacity (--syn-backlog)",
			Source:      "seed §4 (the half-open queue); RFC 4987 §2",
			State:       func(s *model.State) bool { return s.Listen.Cap == 0 || s.HalfOpen() <= int(s.Listen.Cap) },
			Why: func(_ *model.State, _ model.Action, to *model.State) string {
				return fmt.Sprintf("the SYN queue holds %d half-open entries, over its capacity of %d", to.HalfOpen(), to.Listen.Cap)
			},
		},
		{
			ID:          "accept-queue-bound",
			Description: "the listener's accept queue never holds more completed connections than its capacity (--accept-backlog)",
			Source:      "seed §4 (the accept queue: when it is full, packets are dropped)",
			State: func(s *model.State) bool {
				return s.Listen.AcceptCap == 0 || s.AcceptQueued() <= int(s.Listen.AcceptCap)
			},
			Why: func(_ *model.State, _ model.Action, to *model.State) string {
				return fmt.Sprintf("the accept queue holds %d connections, over its capacity of %d", to.AcceptQueued(), to.Listen.AcceptCap)
			},
		},
		{
			ID:          "connect-no-timeout",
			Description: "unless the network loses segments, the listener answers every connect: a SYN is not retransmitted while its SYN,ACK is on its way, and a first active OPEN never times out in SYN-SENT (a reconnect may meet the peer still in the earlier connection, e.g. TIME-WAIT, and time out, as the RFC allows)",
			Source:      "seed §5 (a SYN flood starves legitimate connects); RFC 4987",
			Step:        holdsUnless(connectNoTimeout),
			Why:         connectNoTimeout,
		},
		{
			ID:          "clean-close",
			Description: "an endpoint that has sent its FIN after receiving its peer's (LAST-ACK, CLOSING) ends with the ACK of its FIN, never a RST, unless an application aborted",
			Source:      "RFC 9293 §3.6; seed (four-way close: why TIME-WAIT waits 2MSL)",
			Step:        holdsUnless(cleanClose),
			Why:         cleanClose,
		},
		{
			ID:          "delivered-within-sent",
			Description: "an application never receives more bytes than its peer's application sent on the connection",
			Source:      "RFC 9293 §3.8 (the receiver advances RCV.NXT by what it accepts), §3.10.7.4 seventh step (only text is delivered)",
			Step:        holdsUnless(deliveredWithinSent),
			Why:         deliveredWithinSent,
		},
		{
			ID:          "rst-acceptable",
			Description: "a connection is ended by a RST only if the RST is acceptable (SYN-SENT: it acknowledges the SYN; other states: its sequence number is in the window), and never by a SYN",
			Source:      "RFC 9293 §3.5.3, §3.10.7.3 second step, §3.10.7.4 first and second steps; RFC 5961 §4 (a SYN draws a challenge ACK)",
			Step:        holdsUnless(rstAcceptable),
			Why:         rstAcceptable,
		},
		{
			ID:          "rst-generation",
			Description: "a RST is sent where §3.5.2 requires one, with the numbers that make it acceptable: CLOSED answers <SEQ=SEG.ACK><CTL=RST> or <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> and never answers a RST; LISTEN answers an ACK, and SYN-SENT and SYN-RECEIVED an unacceptable ACK, with <SEQ=SEG.ACK><CTL=RST>; ABORT sends <SEQ=SND.NXT><CTL=RST>",
			Source:      "RFC 9293 §3.5.2, §3.10.7.1, §3.10.7.2 second step, §3.10.7.3 first step, §3.10.5",
			Step:        holdsUnless(rstGeneration),
			Why:         rstGeneration,
		},
		{
			ID:          "listener-kept",
			Description: "a listener is closed only by its application: LISTEN ignores a RST, and a connection it made that fails before ESTABLISHED returns to LISTEN",
			Source:      "RFC 9293 §3.10.7.2 first step, §3.10.7.4 second step, §3.5.3, Figure 5 Note 1",
			Step:        holdsUnless(listenerKept),
			Why:         listenerKept,
		},
		{
			ID:          "backoff-reset",
			Description: "an acknowledgment of new data resets the retransmission count: a connection gives up only after its retries of one segment",
			Source:      "RFC 9293 §3.8.3 (R2 counts the retransmissions of the same segment); RFC 6298 §5.3, §5.5",
			Step:        holdsUnless(backoffReset),
			Why:         backoffReset,
		},
		{
			ID:          "no-spurious-timeout",
			Description: "unless the network lost or duplicated a segment, a retransmission timeout never fires while an acknowledgment of the segment is on its way, nor, on a synchronized connection, for a segment the peer has received: the acknowledgment is back within the RTO (fails with --spurious-retransmit, by design)",
			Source:      "RFC 9293 §3.8.1; RFC 6298 §5 (the RTO exceeds the round trip); model/doc.go (the timing abstraction)",
			Step:        holdsUnless(noSpuriousTimeout),
			Why:         noSpuriousTimeout,
		},
		{
			ID:          "channel-bound",
			Description: "no behaviour needs more room in a channel than --capacity gives (a bound of the model, not of TCP)",
			Source:      "tcpcheck: the model's channel bound",
			State:       func(s *model.State) bool { return !s.Overflow },
			Why: func(*model.State, model.Action, *model.State) string {
				return "a segment was sent into a full channel: raise --capacity to explore this behaviour"
			},
		},
		{
			ID:          "deadlock-free",
			Description: "every reachable state that is not a legitimate end (all closed or listening, nothing in flight) has an enabled action",
			Source:      "RFC 9293 §3.3.2 (every state has a way out)",
			Deadlock:    true,
			Why: func(_ *model.State, _ model.Action, to *model.State) string {
				return fmt.Sprintf("no action is enabled, yet A is %s and B is %s with %d segment(s) in flight", to.Ep[model.A].State, to.Ep[model.B].State, to.InFlight())
			},
		},
		{
			ID:          "eventually-closed",
			Description: "once both applications have closed, both endpoints end CLOSED (or a listener back in LISTEN), under fair delivery and fair timers",
			Source:      "RFC 9293 §3.6; the design card's eventual close",
			Kind:        Temporal,
			Leads: []LeadsTo[model.State]{{
				P: func(s *model.State) bool { return s.Ep[model.A].AppClosed && s.Ep[model.B].AppClosed },
				// An application that opens again (a new incarnation) starts a
				// new connection: that is not this one failing to close. A
				// state past the channel bound is the model's end, reported
				// by channel-bound.
				Q: func(s *model.State) bool {
					a, b := &s.Ep[model.A], &s.Ep[model.B]
					return atRest(a) && atRest(b) || !a.AppClosed || !b.AppClosed || s.Overflow
				},
				PName: "both applications have closed", QName: "both endpoints CLOSED or LISTEN (or an application opening again)",
			}},
			Fairness: SegmentFairness(),
		},
		{
			ID:          "no-silent-loss",
			Description: "every byte an application sends reaches the peer application, or the sender is told the connection failed (or aborted it)",
			Source:      "RFC 9293 §3.8 (reliable delivery), §3.9.1.8 (error reports); seed §4 (a completed connection is not lost unnoticed)",
			Kind:        Temporal,
			Leads:       []LeadsTo[model.State]{noSilentLoss(model.A), noSilentLoss(model.B)},
			Fairness:    SegmentFairness(),
		},
		{
			ID:          "handshake-completes",
			Description: "a connect to a listening peer leads to both endpoints synchronized (ESTABLISHED or later), or to an error or close reported to the connecting application",
			Source:      "RFC 9293 §3.5; seed §1",
			Kind:        Temporal,
			Leads:       []LeadsTo[model.State]{handshakeCompletes(model.A), handshakeCompletes(model.B)},
			Fairness:    SegmentFairness(),
		},
	}
}

// holdsUnless turns an explanation into a step predicate: the step holds
// when there is nothing to explain.
func holdsUnless(why func(*model.State, model.Action, *model.State) string) func(*model.State, model.Action, *model.State) bool {
	return func(from *model.State, a model.Action, to *model.State) bool { return why(from, a, to) == "" }
}

// synWithData finds a SYN in flight that carries payload.
func synWithData(s *model.State) (model.Side, model.Segment, bool) {
	for _, side := range []model.Side{model.A, model.B} {
		ch := &s.Ch[side]
		for i := 0; i < ch.Len(); i++ {
			if g := ch.At(i); g.Has(model.SYN) && g.Len > 0 {
				return side, g, true
			}
		}
	}
	return 0, model.Segment{}, false
}

func noDataOnSYN(s *model.State) bool {
	_, _, found := synWithData(s)
	return !found
}

// sentBy returns the segments side sent in the transition from → to: the
// tail of its channel that was not there before (a transition appends at
// most what it sends; a delivery or loss from that channel removes one).
func sentBy(from, to *model.State, a model.Action, side model.Side) []model.Segment {
	before := from.Ch[side].Len()
	if (a.Kind == model.Lose && a.Side == side) || (a.Kind == model.Deliver && a.Side == side.Peer()) {
		before--
	}
	var out []model.Segment
	for i := max(before, 0); i < to.Ch[side].Len(); i++ {
		out = append(out, to.Ch[side].At(i))
	}
	return out
}

// handshakeAck checks the numbers of the three handshake segments, as the
// endpoints change state on them (RFC 9293 §3.5, Figure 6: x, y, x+1,
// y+1). It returns why the transition breaks them, or "".
func handshakeAck(from *model.State, a model.Action, to *model.State) string {
	if a.Kind != model.Deliver {
		return ""
	}
	side := a.Side
	e0, e1 := &from.Ep[side], &to.Ep[side]
	sent := sentBy(from, to, a, side)
	switch {
	case (e0.State == model.Listen || e0.State == model.SynSent) && e1.State == model.SynReceived:
		// The SYN,ACK: <SEQ=y><ACK=x+1><CTL=SYN,ACK>, from a listener or,
		// on simultaneous open, from SYN-SENT (Figure 7 line 5).
		for _, g := range sent {
			if g.Has(model.SYN|model.ACK) && g.Ack != a.Seg.Seq.Add(1) {
				return fmt.Sprintf("%s answered the SYN with seq %d by %s: the SYN,ACK must acknowledge %d", side, a.Seg.Seq, g, a.Seg.Seq.Add(1))
			}
		}
	case e0.State == model.SynSent && e1.State == model.Established:
		// The third segment: <SEQ=x+1><ACK=y+1><CTL=ACK>, in answer to a
		// SYN,ACK that acknowledges x+1.
		if a.Seg.Ack != e0.ISS.Add(1) {
			return fmt.Sprintf("%s accepted %s whose ACK is not its ISN+1 = %d", side, a.Seg, e0.ISS.Add(1))
		}
		for _, g := range sent {
			if g.Has(model.ACK) && (g.Seq != e0.ISS.Add(1) || g.Ack != a.Seg.Seq.Add(1)) {
				return fmt.Sprintf("%s completed the handshake with %s: it must be <SEQ=%d><ACK=%d>", side, g, e0.ISS.Add(1), a.Seg.Seq.Add(1))
			}
		}
	case e0.State == model.SynReceived && e1.State.Synchronized() && a.Seg.Has(model.SYN):
		// Simultaneous open (Figure 7 line 6): the peer's SYN,ACK, which
		// repeats the SYN already received and acknowledges ours.
		if e0.Passive || a.Seg.Seq != e0.IRS || a.Seg.Ack != e0.ISS.Add(1) {
			return fmt.Sprintf("%s accepted %s as completing a simultaneous open: it must be <SEQ=%d><ACK=%d><CTL=SYN,ACK>", side, a.Seg, e0.IRS, e0.ISS.Add(1))
		}
	case e0.State == model.SynReceived && e1.State.Synchronized():
		// The segment that completes the handshake on the passive side:
		// the third segment, or any later one of the peer (data, FIN)
		// when the third was lost or overtaken; it acknowledges y+1 and
		// starts at or after x+1.
		if a.Seg.Ack != e0.ISS.Add(1) || a.Seg.Seq.LessThan(e0.IRS.Add(1)) {
			return fmt.Sprintf("%s accepted %s as completing the handshake: it must acknowledge %d and start at or after %d", side, a.Seg, e0.ISS.Add(1), e0.IRS.Add(1))
		}
	}
	return ""
}

// ackAcceptable checks every acknowledgment an endpoint accepts: its
// SND.UNA only moves forward into what it has sent, and when it covers the
// FIN it is exactly the FIN's seq+1.
func ackAcceptable(from *model.State, a model.Action, to *model.State) string {
	if a.Kind != model.Deliver || !a.Seg.Has(model.ACK) {
		return ""
	}
	e0, e1 := &from.Ep[a.Side], &to.Ep[a.Side]
	if !e1.HasTCB() || e1.State == model.Listen || e0.State == model.Listen || e0.SndUna == e1.SndUna || e0.State == model.SynSent && e1.State == model.SynReceived {
		return ""
	}
	if !e1.SndUna.InRange(e0.SndUna, e0.SndNxt) {
		return fmt.Sprintf("%s accepted %s, moving SND.UNA from %d to %d, outside (SND.UNA, SND.NXT] = (%d, %d]",
			a.Side, a.Seg, e0.SndUna, e1.SndUna, e0.SndUna, e0.SndNxt)
	}
	if e1.FinAcked() && !e0.FinAcked() && a.Seg.Ack != e0.SndNxt {
		return fmt.Sprintf("%s took %s as the ACK of its FIN (seq %d): it must acknowledge %d", a.Side, a.Seg, e0.SndNxt.Add(^uint32(0)), e0.SndNxt)
	}
	return ""
}

// establishedAgree is the half-open check at rest.
func establishedAgree(s *model.State) bool {
	if s.InFlight() != 0 || timerArmed(&s.Ep[model.A]) || timerArmed(&s.Ep[model.B]) {
		return true
	}
	return (s.Ep[model.A].State == model.Established) == (s.Ep[model.B].State == model.Established)
}

// timerArmed reports whether the endpoint's retransmission timer runs:
// something it sent is unacknowledged.
func timerArmed(e *model.Endpoint) bool {
	switch e.State {
	case model.Closed, model.Listen, model.TimeWait, model.FinWait2:
		return false
	}
	return e.SndUna != e.SndNxt
}

// streamIntegrity checks each byte handed to an application: it is the
// next byte of the stream of the incarnation the connection synchronized
// with.
func streamIntegrity(from *model.State, a model.Action, to *model.State) string {
	if a.Kind != model.Deliver {
		return ""
	}
	e0, e1 := &from.Ep[a.Side], &to.Ep[a.Side]
	if e1.Delivered <= e0.Delivered || a.Seg.Len == 0 {
		// Nothing delivered, or only what the SYN carried (data-on-syn),
		// which is the synchronizing incarnation's by definition.
		return ""
	}
	// A byte belongs if it was sent by the incarnation this connection
	// synchronized with, or by the peer's current one (a connection
	// opened by an old duplicate SYN of identical numbers is, to both
	// applications, the current connection).
	g := a.Seg
	if g.Inc != e0.PeerInc && g.Inc != from.Ep[a.Side.Peer()].Opens {
		return fmt.Sprintf("%s delivered byte %d of %s from incarnation %d of its peer to the application of incarnation %d's connection: an old duplicate corrupted the stream",
			a.Side, g.Stream, g, g.Inc, e0.PeerInc)
	}
	// What a SYN carried and was held while half-open is delivered with
	// the segment that completes the handshake, ahead of that segment's.
	if next := e0.Delivered + e0.Held; g.Stream != next {
		return fmt.Sprintf("%s delivered stream byte %d when byte %d was next: out of order", a.Side, g.Stream, next)
	}
	return ""
}

// timeWaitActiveCloser checks who enters TIME-WAIT: only from FIN-WAIT-1,
// FIN-WAIT-2 or CLOSING, the states of a side that sent its FIN first.
func timeWaitActiveCloser(from *model.State, a model.Action, to *model.State) string {
	for _, side := range []model.Side{model.A, model.B} {
		s0, s1 := from.Ep[side].State, to.Ep[side].State
		if s1 != model.TimeWait || s0 == model.TimeWait {
			continue
		}
		switch s0 {
		case model.FinWait1, model.FinWait2, model.Closing:
		default:
			return fmt.Sprintf("%s entered TIME-WAIT from %s, without having sent its FIN first", side, s0)
		}
	}
	return ""
}

// halfOpenBytes is the payload held by half-open connections: the
// legitimate one's and the flood's entries'.
func halfOpenBytes(s *model.State) int {
	return int(s.Ep[model.A].Held) + int(s.Ep[model.B].Held) + int(s.Listen.Held)
}

// connectNoTimeout flags an active opener giving up in SYN-SENT though no
// segment was lost. With losses a timeout is TCP working as designed —
// and, since the model has no clock, the client's timer may also fire
// more often than the listener's in ways real timing would not allow.
func connectNoTimeout(from *model.State, a model.Action, to *model.State) string {
	if a.Kind != model.RetransmitTimeout {
		return ""
	}
	e0, e1 := &from.Ep[a.Side], &to.Ep[a.Side]
	if e0.State != model.SynSent || from.Losses > 0 {
		return ""
	}
	// The listener's answer, a SYN,ACK of this SYN sent on its arrival,
	// is back within the RTO: the SYN is not retransmitted while it is on
	// its way (with a duplicate the answer may be to a delayed copy).
	if g, ok := answerInFlight(from, a.Side, e0); ok && from.Dups == 0 && g.Has(model.SYN) {
		return fmt.Sprintf("%s retransmitted its SYN while %s, the answer to it, was on its way and the network had lost nothing", a.Side, g)
	}
	// A reconnect (a later incarnation) may meet the peer still in the
	// earlier connection (TIME-WAIT, LAST-ACK), which answers its SYN with
	// an ACK only and, with RFC 1337 or few retries, outlasts them (by the
	// time the connect gives up the peer may have left it, so the state
	// cannot tell): giving up is judged of a first connect.
	if e0.Opens == 1 && e1.Err == model.TimedOut {
		return fmt.Sprintf("%s gave up its connect after %d SYN retransmission(s) without an answer, though the network lost nothing", a.Side, e0.Backoff)
	}
	return ""
}

// answerInFlight finds a regular (not delayed) segment of side's peer in
// flight toward side that acknowledges what side has outstanding
// (SND.UNA < SEG.ACK =< SND.NXT). With nothing lost or duplicated, the
// peer's immediate answer to side's front segment is then still on its
// way too, and holds the timer — unless side refuses answers: a
// simultaneous opener that closed in SYN-RECEIVED takes the peer's
// SYN,ACK for an old segment (its SYN unacknowledged in FIN-WAIT-1), and
// a listener with an accept queue drops the handshake's last ACK while
// the queue is full (it may have room again by the time its SYN,ACK
// times out).
func answerInFlight(s *model.State, side model.Side, e *model.Endpoint) (model.Segment, bool) {
	if e.State.Synchronized() && e.SndUna == e.ISS || e.State == model.SynReceived && e.Passive && s.Listen.AcceptCap > 0 {
		return model.Segment{}, false
	}
	in := &s.Ch[side.Peer()]
	for i := 0; i < in.Len(); i++ {
		// Only the incarnation side is synchronized with answers it: a
		// segment of the peer's next one falls outside side's window and
		// is refused (its ACK field never read).
		if g := in.At(i); !g.Delayed && g.Has(model.ACK) && !g.Has(model.RST) && g.Ack.InRange(e.SndUna, e.SndNxt) &&
			(e.PeerInc == 0 || g.Inc == e.PeerInc) {
			return g, true
		}
	}
	return model.Segment{}, false
}

// cleanClose flags a RST that ends an endpoint which has received its
// peer's FIN and sent its own (LAST-ACK, CLOSING), when neither
// application aborted: its close should end with the ACK of its FIN.
func cleanClose(from *model.State, a model.Action, to *model.State) string {
	if a.Kind != model.Deliver || !a.Seg.Has(model.RST) {
		return ""
	}
	e0, e1 := &from.Ep[a.Side], &to.Ep[a.Side]
	peer := &from.Ep[a.Side.Peer()]
	if e0.Aborted || peer.Aborted || peer.Err == model.TimedOut || e1.HasTCB() {
		// An aborting peer resets on purpose; one that gave up after its
		// retries (§3.8.3 R2) no longer knows the connection.
		return ""
	}
	if e0.State != model.LastAck && e0.State != model.Closing {
		// TIME-WAIT's own close is complete: a RST there only cuts the
		// wait short (RFC 1337's hazard, allowed by §3.10.7.4).
		return ""
	}
	return fmt.Sprintf("%s, in %s with both FINs sent, was reset by %s instead of receiving the ACK of its FIN: the close did not complete cleanly", a.Side, e0.State, a.Seg)
}

// atRest: CLOSED, or a listener back in LISTEN.
func atRest(e *model.Endpoint) bool { return e.State == model.Closed || e.State == model.Listen }

func handshakeCompletes(side model.Side) LeadsTo[model.State] {
	return LeadsTo[model.State]{
		P: func(s *model.State) bool {
			return s.Ep[side].State == model.SynSent && s.Ep[side.Peer()].State == model.Listen
		},
		Q: func(s *model.State) bool {
			e, peer := &s.Ep[side], &s.Ep[side.Peer()]
			return e.State.Synchronized() && peer.State.Synchronized() || e.Err != model.NoError || e.AppClosed || s.Overflow
		},
		PName: side.String() + " in SYN-SENT connecting to a LISTEN peer",
		QName: "both synchronized, or " + side.String() + "'s application told of an error or closed",
	}
}

// noSilentLoss is side's bytes reaching the peer application. The premise
// holds while the peer is in the connection that carries them (it has a
// TCB synchronized with side's current incarnation): the peer's Delivered
// counts what that connection delivered, and a peer that opens again
// starts it afresh, so a byte delivered by an earlier connection is not
// taken for one lost (--incarnations 2).
func noSilentLoss(side model.Side) LeadsTo[model.State] {
	return LeadsTo[model.State]{
		P: func(s *model.State) bool {
			e, peer := &s.Ep[side], &s.Ep[side.Peer()]
			return e.Sent > peer.Delivered && peer.HasTCB() && peer.State != model.Listen && peer.PeerInc == e.Opens && e.PeerInc == peer.Opens
		},
		Q: func(s *model.State) bool {
			e := &s.Ep[side]
			// An ABORT discards on purpose (§3.10.5: "all segments queued
			// ... should be flushed"), either side's.
			return s.Ep[side.Peer()].Delivered >= e.Sent || e.Err != model.NoError || e.Aborted || s.Ep[side.Peer()].Aborted || s.Overflow
		},
		PName: side.String() + "'s application has sent bytes its peer's connection has not delivered",
		QName: "the bytes received, or " + side.String() + "'s application told of a failure, or an application aborted",
	}
}

// SegmentFairness is the segment model's declared fairness (model.Fairness),
// for temporal properties of the segment model, built-in or a user's.
func SegmentFairness() []checker.Fairness[model.Action] {
	return FairnessOf(model.Fairness(), func(c model.FairClass) checker.Fairness[model.Action] {
		return checker.Fairness[model.Action]{Name: c.Name, Strong: c.Strong, Includes: c.Includes}
	})
}

// deliveredWithinSent checks every transition that hands bytes to an
// application: while the peer is still the incarnation the connection
// synchronized with, the bytes delivered on it never exceed what the
// peer's application sent. A connection that delivers with no peer
// incarnation known delivers what nobody sent. Once the peer has opened
// again its count of what the old connection sent is gone, and the
// property says nothing (stream-integrity still checks each byte).
func deliveredWithinSent(from *model.State, a model.Action, to *model.State) string {
	for _, side := range []model.Side{model.A, model.B} {
		e0, e1 := &from.Ep[side], &to.Ep[side]
		if e1.Delivered <= e0.Delivered || e1.Opens != e0.Opens {
			continue
		}
		inc := e1.PeerInc
		if inc == 0 {
			inc = e0.PeerInc
		}
		peer := &to.Ep[side.Peer()]
		switch {
		case inc == 0:
			return fmt.Sprintf("%s handed %d byte(s) to its application in %s, before synchronizing with any peer", side, e1.Delivered-e0.Delivered, e0.State)
		case inc == peer.Opens && e1.Delivered > peer.Sent:
			return fmt.Sprintf("%s's application has received %d byte(s), but its peer's application sent only %d", side, e1.Delivered, peer.Sent)
		}
	}
	return ""
}

// ended reports whether the transition ended e0's connection: its TCB
// deleted, or a connection a listener made returned to LISTEN.
func ended(e0, e1 *model.Endpoint) bool {
	if !e0.HasTCB() || e0.State == model.Listen {
		return false
	}
	return !e1.HasTCB() || e1.Opens != e0.Opens || e0.State == model.SynReceived && e1.State == model.Listen
}

// maxWindow bounds the receive window (Config.Validate: RcvWnd < 2^30):
// a RST whose sequence number lies further from RCV.NXT is outside any
// window the model allows.
const maxWindow = 1 << 30

// rstAcceptable checks what ends a connection on a segment's arrival: a
// RST, acceptable by §3.5.3's test for the state it arrives in; never a
// SYN (RFC 5961 §4 answers it with a challenge ACK; SYN-RECEIVED from
// LISTEN returning to LISTEN on a SYN is §3.10.7.4's fourth step).
func rstAcceptable(from *model.State, a model.Action, to *model.State) string {
	if a.Kind != model.Deliver {
		return ""
	}
	e0, e1 := &from.Ep[a.Side], &to.Ep[a.Side]
	if !ended(e0, e1) {
		return ""
	}
	g := a.Seg
	switch {
	case !g.Has(model.RST):
		// §3.6.1 MAY-2: TIME-WAIT may take a new SYN beyond its RCV.NXT
		// and reopen the connection (variant linux does).
		reopened := e0.State == model.TimeWait && e1.State == model.SynReceived && e1.Opens > e0.Opens &&
			e0.RcvNxt.LessThan(g.Seq)
		if g.Has(model.SYN) && e0.State.Synchronized() && !reopened {
			return fmt.Sprintf("%s, %s, was ended by %s: a SYN in a synchronized state must draw a challenge ACK", a.Side, e0.State, g)
		}
	case e0.State == model.SynSent:
		if !g.Has(model.ACK) || !g.Ack.InRange(e0.ISS, e0.SndNxt) {
			return fmt.Sprintf("%s, SYN-SENT with ISS %d and SND.NXT %d, accepted %s: in SYN-SENT a RST is acceptable only if its ACK acknowledges the SYN", a.Side, e0.ISS, e0.SndNxt, g)
		}
	default:
		if g.Seq.Sub(e0.RcvNxt) >= maxWindow {
			return fmt.Sprintf("%s, %s with RCV.NXT %d, accepted %s: a RST is acceptable only if its sequence number is in the window", a.Side, e0.State, e0.RcvNxt, g)
		}
	}
	return ""
}

// listenerKept flags a listener, or a connection a listener made before
// it reached ESTABLISHED, that ends in CLOSED on anything but its own
// application's CLOSE or ABORT; and a connection a listener makes that
// does not remember it (Note 1 needs it to return).
func listenerKept(from *model.State, a model.Action, to *model.State) string {
	for _, side := range []model.Side{model.A, model.B} {
		e0, e1 := &from.Ep[side], &to.Ep[side]
		if e0.State == model.Listen && e1.State == model.SynReceived && !e1.Passive {
			return fmt.Sprintf("%s left LISTEN for SYN-RECEIVED without remembering it: a RST or a timeout would then close the listener", side)
		}
		own := a.Side == side && (a.Kind == model.CloseCall || a.Kind == model.AbortCall || a.Kind == model.ActiveOpen)
		listening := e0.State == model.Listen || e0.State == model.SynReceived && e0.Passive
		if listening && e1.State == model.Closed && !own {
			return fmt.Sprintf("%s, %s from a passive OPEN, was closed by %s: the listener must stay (LISTEN)", side, e0.State, a)
		}
	}
	return ""
}

// backoffReset checks that an acknowledgment that moves SND.UNA leaves
// the retransmission count at zero: R2 of §3.8.3 counts the
// retransmissions of one segment, and the backed-off timer starts afresh
// (RFC 6298 §5.3, Karn's algorithm keeping the back-off only until a new
// acknowledgment).
func backoffReset(from *model.State, a model.Action, to *model.State) string {
	if a.Kind != model.Deliver {
		return ""
	}
	e0, e1 := &from.Ep[a.Side], &to.Ep[a.Side]
	if !e1.HasTCB() || e0.State == model.Listen || e1.Opens != e0.Opens || e1.SndUna == e0.SndUna || e1.Backoff == 0 {
		return ""
	}
	return fmt.Sprintf("%s accepted %s, moving SND.UNA from %d to %d, but kept its retransmission count at %d", a.Side, a.Seg, e0.SndUna, e1.SndUna, e1.Backoff)
}

// noSpuriousTimeout flags a retransmission timeout for a segment the peer
// has already received, on a network that has lost and duplicated
// nothing (a delayed copy may be an old duplicate that moved RCV.NXT, after
// which the endpoint rightly refuses the peer's acknowledgment). The peer
// acknowledges what it accepts at once, and an acknowledgment is back
// within a round trip, shorter than the RTO (the premise of the model's
// timers, model/doc.go): so the timer cannot expire before the
// acknowledgment arrives and moves SND.UNA. The premise is the data and
// FIN of a synchronized connection (both sides synchronized with each
// other's current incarnation, the SYN acknowledged): there an
// acknowledgment is always acceptable to its receiver.
//
// Where the model does let a timer fire with nothing lost (each a
// legitimate retransmission, not flagged): the peer dropped the segment
// without accepting it (an out-of-order segment under reordering, which
// the model does not queue; a SYN to a full SYN queue; the handshake's
// last ACK to a full accept queue, so the SYN,ACK times out; a SYN that
// meets the peer's TIME-WAIT of an earlier incarnation and draws a
// challenge ACK); the endpoint itself dropped the answer (a SYN,ACK that
// reaches a simultaneous opener already in FIN-WAIT-1 is old by its
// SYN, hence unacceptable); or the answer came to a delayed copy, which
// holds no timer. With --spurious-retransmit the round trip may exceed
// the RTO and this property fails by design.
func noSpuriousTimeout(from *model.State, a model.Action, to *model.State) string {
	if a.Kind != model.RetransmitTimeout || from.Losses > 0 || from.Dups > 0 {
		return ""
	}
	e, peer := &from.Ep[a.Side], &from.Ep[a.Side.Peer()]
	if g, ok := answerInFlight(from, a.Side, e); ok {
		return fmt.Sprintf("%s's retransmission timer expired for SND.UNA %d while %s, which acknowledges it, was on its way and the network had lost nothing", a.Side, e.SndUna, g)
	}
	if !e.State.Synchronized() || !peer.State.Synchronized() || peer.PeerInc != e.Opens || e.PeerInc != peer.Opens || e.SndUna == e.ISS {
		return ""
	}
	if !e.SndUna.LessThan(peer.RcvNxt) {
		return ""
	}
	return fmt.Sprintf("%s's retransmission timer expired for SND.UNA %d though %s has received up to %d and the network lost nothing: the acknowledgment was due before the RTO", a.Side, e.SndUna, a.Side.Peer(), peer.RcvNxt)
}

// rstGeneration checks the RST an endpoint owes (§3.5.2): on the arrival
// of a segment in CLOSED, of an ACK in LISTEN (unless it completes a SYN
// cookie, which leaves LISTEN), of an unacceptable ACK in SYN-SENT or
// SYN-RECEIVED (where the sequence check may answer it with an ACK), and
// on ABORT in a state that sends one (§3.10.5) — each with the sequence
// number (and acknowledgment) that makes it acceptable to the segment's
// sender. A RST is never answered.
func rstGeneration(from *model.State, a model.Action, to *model.State) string {
	e0, e1 := &from.Ep[a.Side], &to.Ep[a.Side]
	var want model.Segment
	switch {
	case a.Kind == model.AbortCall:
		switch e0.State {
		case model.SynReceived, model.Established, model.FinWait1, model.FinWait2, model.CloseWait:
			want = model.Segment{Seq: e0.SndNxt, Flags: model.RST}
		default:
			return ""
		}
	case a.Kind != model.Deliver:
		return ""
	case a.Seg.Has(model.RST):
		if e0.State == model.Closed || e0.State == model.Listen {
			for _, g := range sentBy(from, to, a, a.Side) {
				return fmt.Sprintf("%s, %s, answered %s with %s: a RST is never answered", a.Side, e0.State, a.Seg, g)
			}
		}
		return ""
	case e0.State == model.Closed && a.Seg.Has(model.ACK):
		want = model.Segment{Seq: a.Seg.Ack, Flags: model.RST}
	case e0.State == model.Closed:
		want = model.Segment{Seq: 0, Ack: a.Seg.Seq.Add(a.Seg.SegLen()), Flags: model.RST | model.ACK}
	case e0.State == model.Listen && e1.State == model.Listen && e1.Opens == e0.Opens && a.Seg.Has(model.ACK):
		want = model.Segment{Seq: a.Seg.Ack, Flags: model.RST}
	case e0.State == model.SynSent && a.Seg.Has(model.ACK) && !a.Seg.Ack.InRange(e0.ISS, e0.SndNxt):
		want = model.Segment{Seq: a.Seg.Ack, Flags: model.RST}
	case e0.State == model.SynReceived && e1.State == model.SynReceived && e1.Opens == e0.Opens &&
		a.Seg.Has(model.ACK) && !a.Seg.Has(model.SYN) && !a.Seg.Ack.InRange(e0.SndUna, e0.SndNxt):
		// Acceptable, it draws <SEQ=SEG.ACK><CTL=RST> (§3.10.7.4 fifth
		// step); unacceptable, an ACK (first step). Either way it is
		// answered, never dropped in silence.
		for _, g := range sentBy(from, to, a, a.Side) {
			if g.Flags == model.RST && g.Seq == a.Seg.Ack || g.Flags == model.ACK && g.Seq == e0.SndNxt && g.Ack == e0.RcvNxt {
				return ""
			}
		}
		if to.Overflow {
			return ""
		}
		return fmt.Sprintf("%s, SYN-RECEIVED with SND.UNA %d and SND.NXT %d, dropped %s without a RST (or, if unacceptable, an ACK)", a.Side, e0.SndUna, e0.SndNxt, a.Seg)
	default:
		return ""
	}
	for _, g := range sentBy(from, to, a, a.Side) {
		if g.Has(model.RST) && g.Seq == want.Seq && g.Flags == want.Flags && (!want.Has(model.ACK) || g.Ack == want.Ack) {
			return ""
		}
	}
	if to.Overflow {
		return "" // the RST found its channel full: channel-bound reports it
	}
	if a.Kind == model.AbortCall {
		return fmt.Sprintf("%s aborted in %s without sending %s", a.Side, e0.State, want)
	}
	return fmt.Sprintf("%s, %s, received %s and did not answer with %s", a.Side, e0.State, a.Seg, want)
}
