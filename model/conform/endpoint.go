package conform

import "github.com/tcpcheck/tcpcheck/model"

// endpoint is one side's transmission control block (§3.3.1), reduced to
// what decides which segments it may send next. It is a comparable value:
// configurations are deduplicated by it.
type endpoint struct {
	state model.ConnState
	// passive is set when SYN-RECEIVED was entered from LISTEN, so that a
	// RST returns it there (§3.10.7.4 second step, Figure 5 Note 1).
	passive bool
	iss     model.SeqNum
	irs     model.SeqNum
	sndUna  model.SeqNum
	sndNxt  model.SeqNum
	rcvNxt  model.SeqNum
}

// rcvWnd is the receive window assumed for every acceptability test
// (§3.10.7.4, Table 6). Windows are not modelled: a capture's advertised
// window may be scaled by an option the checker ignores, and with a
// generous window only segments that are old (before RCV.NXT) or absurdly
// far ahead are unacceptable.
const rcvWnd = 1 << 30

// finSent reports whether the endpoint has sent its FIN: it is in a state
// reached only by sending one (§3.3.2, Figure 5). The FIN then occupies
// SND.NXT-1.
func (e endpoint) finSent() bool {
	switch e.state {
	case model.FinWait1, model.FinWait2, model.Closing, model.LastAck, model.TimeWait:
		return true
	}
	return false
}

// span is a stretch of sequence space, [start, end).
type span struct{ start, end model.SeqNum }

// unacked is the data and FIN sent and not yet acknowledged: [SND.UNA,
// SND.NXT) less the SYN when that is unacknowledged too (it is
// retransmitted as a SYN or SYN,ACK, not as data).
func (e endpoint) unacked() span {
	if e.sndUna == e.iss {
		return span{e.iss.Add(1), e.sndNxt}
	}
	return span{e.sndUna, e.sndNxt}
}

// synchronized reports whether both ISNs are known and acknowledged
// (§3.5.2): ESTABLISHED and every later state.
func (e endpoint) synchronized() bool { return e.state.Synchronized() }

// closed is the endpoint without a TCB.
var closed = endpoint{}

// reset is what a RST accepted in SYN-RECEIVED or a synchronized state
// leaves (§3.10.7.4 second step): a passively opened SYN-RECEIVED
// connection returns to LISTEN (Note 1), every other one is deleted.
func (e endpoint) reset() endpoint {
	if e.state == model.SynReceived && e.passive {
		return endpoint{state: model.Listen}
	}
	return closed
}

// outcome is one way an arrival can leave the receiver. reply, when set,
// is a segment the receiver sends in the same step, one that a capture
// must show (a RST or a SYN,ACK). An acknowledgment owed by the arrival is
// never a reply: an ACK carrying the current SND.NXT and RCV.NXT may be
// sent at any time (delayed ACKs), so it needs no tie to the arrival that
// owed it, and an ACK not sent yet may still come.
type outcome struct {
	ep    endpoint
	reply *rule
}

func stay(e endpoint) []outcome { return []outcome{{ep: e}} }

// arrive is SEGMENT ARRIVES (§3.10.7): every outcome of g arriving at e.
// Where RFC 9293 and Linux differ, both outcomes are offered, and
// docs/conform.md lists each such place.
func (c *Checker) arrive(e endpoint, g Segment) []outcome {
	switch e.state {
	case model.Closed:
		return arriveClosed(e, g)
	case model.Listen:
		return c.arriveListen(e, g)
	case model.SynSent:
		return arriveSynSent(e, g)
	}
	return arriveOther(e, g)
}

// resetFor is the RST that answers g where there is no connection to
// take it (§3.10.7.1, and the same form in §3.10.7.2–4): <SEQ=SEG.ACK>
// <CTL=RST> if g has ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
func resetFor(g Segment) *rule {
	if g.Has(model.ACK) {
		return &rule{kind: resetReply, exact: Segment{Seq: g.Ack, Flags: model.RST}, answers: g}
	}
	return &rule{kind: resetReply, exact: Segment{Ack: g.Seq.Add(g.SegLen()), Flags: model.RST | model.ACK}, answers: g}
}

// arriveClosed is §3.10.7.1: a RST is discarded, anything else is
// answered by a RST (Linux: RST,ACK to a SYN for a closed port).
func arriveClosed(e endpoint, g Segment) []outcome {
	if g.Has(model.RST) {
		return stay(e)
	}
	return []outcome{{ep: e, reply: resetFor(g)}}
}

// arriveListen is §3.10.7.2.
func (c *Checker) arriveListen(e endpoint, g Segment) []outcome {
	switch {
	case g.Has(model.RST):
		return stay(e) // "An incoming RST should be ignored."
	case g.Has(model.ACK):
		return []outcome{{ep: e, reply: resetFor(g)}} // "Any acknowledgment is bad"
	case g.Has(model.SYN):
		// RCV.NXT = SEG.SEQ+1, IRS = SEG.SEQ; the ISS is chosen by the
		// SYN,ACK that must follow, which the reply rule learns.
		n := endpoint{state: model.SynReceived, passive: true, irs: g.Seq, rcvNxt: g.Seq.Add(1)}
		outs := []outcome{{ep: n, reply: &rule{kind: synAckReply}}}
		if g.Len > 0 && c.opts.AllowSynData {
			// TCP Fast Open: the listener may take the data on the SYN
			// (RFC 7413 §4.2.2) or acknowledge only the SYN.
			n.rcvNxt = g.Seq.Add(1 + g.Len)
			outs = append(outs, outcome{ep: n, reply: &rule{kind: synAckReply}})
		}
		return outs
	}
	return stay(e) // "Fourth, other data or control: ... drop the segment."
}

// arriveSynSent is §3.10.7.3.
func arriveSynSent(e endpoint, g Segment) []outcome {
	// First, check the ACK bit.
	if g.Has(model.ACK) && (g.Ack.LessThanEq(e.iss) || e.sndNxt.LessThan(g.Ack)) {
		if g.Has(model.RST) {
			return stay(e)
		}
		return []outcome{{ep: e, reply: resetFor(g)}}
	}
	acked := g.Has(model.ACK) // SND.UNA < SEG.ACK =< SND.NXT, as SND.UNA = ISS
	// Second, the RST bit: acceptable only with an acceptable ACK.
	if g.Has(model.RST) {
		if acked {
			return stay(closed) // "connection reset" (refused)
		}
		return stay(e)
	}
	// Fourth, the SYN bit.
	if !g.Has(model.SYN) {
		return stay(e) // Fifth: neither SYN nor RST, drop.
	}
	n := e
	n.irs, n.rcvNxt = g.Seq, g.Seq.Add(1)
	if acked {
		n.sndUna = g.Ack
		n.state = model.Established // Figure 5: SYN-SENT → ESTAB "rcv SYN,ACK / snd ACK"
		return stay(n)
	}
	// Simultaneous open: SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
	n.state, n.passive = model.SynReceived, false
	return []outcome{{ep: n, reply: &rule{kind: synAckSimultaneous}}}
}

// acceptable is the acceptability test of §3.10.7.4, Table 6, with the
// window rcvWnd.
func acceptable(g Segment, rcvNxt model.SeqNum) bool {
	n := g.SegLen()
	if n == 0 {
		return g.Seq.InWindow(rcvNxt, rcvWnd)
	}
	return g.Seq.InWindow(rcvNxt, rcvWnd) || g.Seq.Add(n-1).InWindow(rcvNxt, rcvWnd)
}

// trim cuts off the part of g before RCV.NXT (§3.10.7.4: "only the new
// parts are processed"): first the SYN, then old payload, then the FIN.
func trim(g Segment, rcvNxt model.SeqNum) Segment {
	k := rcvNxt.Sub(g.Seq)
	if k >= 1<<31 || k == 0 {
		return g // starts at or after RCV.NXT
	}
	if g.Has(model.SYN) {
		g.Flags &^= model.SYN
		g.Seq = g.Seq.Add(1)
		k--
	}
	n := min(k, g.Len)
	g.Len -= n
	g.Seq = g.Seq.Add(n)
	return g
}

// arriveOther is §3.10.7.4, for SYN-RECEIVED and the synchronized states.
func arriveOther(e endpoint, g Segment) []outcome {
	var outs []outcome
	// Linux accepts the peer's SYN,ACK in SYN-RECEIVED when both ends
	// opened at once (tcp_validate_incoming's simultaneous-open case): it
	// acknowledges our SYN, so the connection is ESTABLISHED. RFC 9293's
	// first step finds the segment unacceptable (it starts before RCV.NXT)
	// and only ACKs it; that outcome follows below.
	if e.state == model.SynReceived && g.Flags&(model.SYN|model.ACK|model.RST) == model.SYN|model.ACK &&
		g.Seq.Add(1) == e.rcvNxt && g.Ack == e.sndNxt {
		n := e
		n.state, n.sndUna = model.Established, g.Ack
		outs = append(outs, outcome{ep: n})
	}

	// First, check the sequence number: an unacceptable segment is
	// answered by an ACK (unless RST) and dropped. This is how TIME-WAIT
	// re-acknowledges a retransmitted FIN and how a client answers a
	// duplicate SYN,ACK.
	if !acceptable(g, e.rcvNxt) {
		return append(outs, outcome{ep: e})
	}

	// Second, check the RST bit. RFC 9293 (after RFC 5961 §3.2) resets
	// only on an exact match with RCV.NXT and answers any other RST in
	// the window with a challenge ACK; stacks without that mitigation
	// reset on any RST in the window, so both outcomes are kept.
	if g.Has(model.RST) {
		outs = append(outs, outcome{ep: e.reset()})
		if g.Seq != e.rcvNxt {
			outs = append(outs, outcome{ep: e})
		}
		return outs
	}

	g = trim(g, e.rcvNxt)
	future := g.Seq != e.rcvNxt // held for later or dropped: text and FIN wait

	// Fourth, check the SYN bit: in SYN-RECEIVED from LISTEN, back to
	// LISTEN; otherwise a challenge ACK (RFC 5961 §4).
	if g.Has(model.SYN) {
		if e.state == model.SynReceived && e.passive {
			return append(outs, outcome{ep: e.reset()})
		}
		return append(outs, outcome{ep: e})
	}

	// Fifth, check the ACK field.
	if !g.Has(model.ACK) {
		return append(outs, outcome{ep: e})
	}
	n := e
	if n.state == model.SynReceived {
		if !g.Ack.InRange(n.sndUna, n.sndNxt) {
			// <SEQ=SEG.ACK><CTL=RST>
			return append(outs, outcome{ep: e, reply: resetFor(g)})
		}
		n.state = model.Established // Figure 5: SYN-RCVD → ESTAB "rcv ACK of SYN"
	}
	switch {
	case g.Ack.InRange(n.sndUna, n.sndNxt):
		n.sndUna = g.Ack
	case n.sndNxt.LessThan(g.Ack):
		// "If the ACK acks something not yet sent ... send an ACK, drop
		// the segment, and return."
		return append(outs, outcome{ep: e})
	}
	finAcked := n.finSent() && n.sndUna == n.sndNxt
	switch n.state {
	case model.FinWait1:
		if finAcked {
			n.state = model.FinWait2 // Figure 5: FIN-WAIT-1 → FIN-WAIT-2 "rcv ACK of FIN"
		}
	case model.Closing:
		if !finAcked {
			return append(outs, outcome{ep: n}) // "otherwise, ignore the segment"
		}
		n.state = model.TimeWait // Figure 5: CLOSING → TIME-WAIT "rcv ACK of FIN"
	case model.LastAck:
		if finAcked {
			return append(outs, outcome{ep: closed}) // Figure 5: LAST-ACK → CLOSED "rcv ACK of FIN"
		}
		return append(outs, outcome{ep: n})
	}
	if future {
		return append(outs, outcome{ep: n})
	}

	// Seventh, process the segment text.
	if g.Len > 0 {
		switch n.state {
		case model.Established, model.FinWait1, model.FinWait2:
			if n.state != model.Established {
				// Linux: data arriving after the application closed its
				// socket cannot be delivered, so the connection is reset
				// and the data answered by a RST (tcp_rcv_state_process,
				// "TCPAbortOnData").
				outs = append(outs, outcome{ep: closed, reply: resetFor(g)})
			}
			n.rcvNxt = n.rcvNxt.Add(g.Len)
		}
		// CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: ignore the text.
	}

	// Eighth, check the FIN bit.
	if g.Has(model.FIN) {
		switch n.state {
		case model.Established:
			n.rcvNxt = n.rcvNxt.Add(1)
			n.state = model.CloseWait // Figure 5: ESTAB → CLOSE-WAIT "rcv FIN / snd ACK"
		case model.FinWait1:
			n.rcvNxt = n.rcvNxt.Add(1)
			if n.sndUna == n.sndNxt {
				n.state = model.TimeWait // Note 2: FIN-WAIT-1 → TIME-WAIT
			} else {
				n.state = model.Closing // Figure 5: FIN-WAIT-1 → CLOSING "rcv FIN / snd ACK"
			}
		case model.FinWait2:
			n.rcvNxt = n.rcvNxt.Add(1)
			n.state = model.TimeWait // Figure 5: FIN-WAIT-2 → TIME-WAIT "rcv FIN / snd ACK"
		}
		// CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: remain.
	}
	return append(outs, outcome{ep: n})
}
