package model

// SEGMENT ARRIVES, RFC 9293 §3.10.7, one function per subsection.

// segmentArrives processes segment g arriving at side. isn is the ISN
// choice used if the segment opens a connection on a listener.
func (t *step) segmentArrives(side Side, g Segment, isn uint8) {
	switch t.s.Ep[side].State {
	case Closed:
		t.arriveClosed(side, g)
	case Listen:
		t.arriveListen(side, g, isn)
	case SynSent:
		t.arriveSynSent(side, g)
	default:
		t.arriveOther(side, g)
	}
}

// arriveClosed is §3.10.7.1: no TCB. A RST is discarded; anything else is
// answered by a RST whose numbers make it acceptable to the sender.
func (t *step) arriveClosed(side Side, g Segment) {
	if g.Has(RST) {
		return
	}
	if !g.Has(ACK) {
		// <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
		t.emit(side, Segment{Seq: 0, Ack: g.Seq.Add(g.SegLen()), Flags: RST | ACK})
		return
	}
	// <SEQ=SEG.ACK><CTL=RST>
	t.emit(side, Segment{Seq: g.Ack, Flags: RST})
}

// arriveListen is §3.10.7.2.
func (t *step) arriveListen(side Side, g Segment, isn uint8) {
	e := &t.s.Ep[side]
	switch {
	case g.Has(RST):
		// "An incoming RST should be ignored."
	case g.Has(ACK):
		if t.cookieACK(side, g) {
			return
		}
		// "Any acknowledgment is bad ...": <SEQ=SEG.ACK><CTL=RST>.
		t.emit(side, Segment{Seq: g.Ack, Flags: RST})
	case g.Has(SYN) && t.synQueueFull(side):
		// A full SYN queue (seed §4–§5): answer with a SYN cookie, an
		// ISS that encodes the connection so that no state is kept
		// (RFC 4987 §3.6), or drop the SYN.
		if t.m.cfg.Variant != NoSynCookies {
			t.emit(side, Segment{Seq: t.m.cookie(side, isn, e.Opens, g.Seq), Ack: g.Seq.Add(1), Flags: SYN | ACK})
		}
	case g.Has(SYN):
		// Set RCV.NXT to SEG.SEQ+1 and IRS to SEG.SEQ, select an ISS,
		// send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, set SND.NXT to ISS+1
		// and SND.UNA to ISS, enter SYN-RECEIVED. Figure 5: LISTEN →
		// SYN-RCVD "rcv SYN / snd SYN,ACK".
		e.IRS, e.RcvNxt = g.Seq, g.Seq.Add(1)
		if t.m.cfg.Variant == BugAckSeq {
			e.RcvNxt = g.Seq
		}
		if t.m.cfg.Variant == DataOnSYN && g.Len > 0 {
			// "any other control or text should be queued for
			// processing later": held while half-open.
			e.Held = g.Len
			e.RcvNxt = e.RcvNxt.Add(uint32(g.Len))
		}
		e.PeerInc = g.Inc
		e.ISS = t.m.iss(side, isn, e.Opens)
		e.SndUna, e.SndNxt = e.ISS, e.ISS.Add(1)
		e.State, e.Passive, e.Backoff = SynReceived, true, 0
		t.emit(side, Segment{Seq: e.ISS, Ack: e.RcvNxt, Flags: SYN | ACK})
		if t.m.cfg.Variant == TwoWayHandshake {
			// No third segment: the listener trusts its SYN,ACK arrived.
			e.State, e.SndUna = Established, e.SndNxt
			t.establish(side)
		}
	default:
		// "Fourth, other data or control: ... Drop the segment."
	}
}

// arriveSynSent is §3.10.7.3.
func (t *step) arriveSynSent(side Side, g Segment) {
	e := &t.s.Ep[side]
	// First, check the ACK bit.
	if g.Has(ACK) && (g.Ack.LessThanEq(e.ISS) || e.SndNxt.LessThan(g.Ack)) {
		if !g.Has(RST) {
			t.emit(side, Segment{Seq: g.Ack, Flags: RST})
		}
		return
	}
	// Past the first check an ACK satisfies SND.UNA < SEG.ACK =< SND.NXT,
	// since SND.UNA = ISS in SYN-SENT.
	acked := g.Has(ACK)
	// Second, check the RST bit: acceptable only with an acceptable ACK.
	if g.Has(RST) {
		if acked {
			t.deleteTCB(side, Refused)
		}
		return
	}
	// Fourth, check the SYN bit.
	if !g.Has(SYN) {
		if t.m.cfg.Variant == BugDataInSynSent && g.Len > 0 {
			e.Delivered += g.Len // the planted bug: text before the SYN
		}
		return // Fifth: neither SYN nor RST, drop.
	}
	e.IRS, e.RcvNxt = g.Seq, g.Seq.Add(1)
	e.PeerInc = g.Inc
	if acked {
		e.SndUna = g.Ack
	}
	if e.ISS.LessThan(e.SndUna) {
		// Our SYN has been ACKed: ESTABLISHED, and
		// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. Figure 5: SYN-SENT →
		// ESTAB "rcv SYN,ACK / snd ACK".
		e.State, e.Backoff = Established, 0
		if t.m.cfg.Variant != TwoWayHandshake {
			t.sendACK(side)
		}
		return
	}
	// Simultaneous open: SYN-RECEIVED and <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
	// Figure 5: SYN-SENT → SYN-RCVD "rcv SYN / snd SYN,ACK".
	e.State = SynReceived
	t.emit(side, Segment{Seq: e.ISS, Ack: e.RcvNxt, Flags: SYN | ACK})
}

// acceptable is the segment acceptability test of §3.10.7.4, Table 6, for
// a receive window that is never zero.
func acceptable(g Segment, rcvNxt SeqNum, wnd uint32) bool {
	n := g.SegLen()
	if n == 0 {
		return g.Seq.InWindow(rcvNxt, wnd)
	}
	return g.Seq.InWindow(rcvNxt, wnd) || g.Seq.Add(n-1).InWindow(rcvNxt, wnd)
}

// trim cuts off the part of g before RCV.NXT (§3.10.7.4: "If a segment's
// contents straddle the boundary between old and new, only the new parts
// are processed"): first the SYN, then old payload bytes.
func trim(g Segment, rcvNxt SeqNum) Segment {
	k := rcvNxt.Sub(g.Seq)
	if k >= 1<<31 {
		return g // starts at or after RCV.NXT
	}
	if k > 0 && g.Has(SYN) {
		g.Flags &^= SYN
		g.Seq = g.Seq.Add(1)
		k--
	}
	n := min(k, uint32(g.Len))
	g.Len -= uint8(n)
	g.Seq = g.Seq.Add(n)
	g.Stream += uint8(n)
	return g
}

// arriveOther is §3.10.7.4, for SYN-RECEIVED and the synchronized states.
func (t *step) arriveOther(side Side, g Segment) {
	e := &t.s.Ep[side]
	ack := false // an acknowledgment is owed; sent once at the end (MUST-59)
	defer func() {
		if ack {
			t.sendACK(side)
		}
		if t.closeAfterACK {
			t.deleteTCB(side, NoError) // variant NoTimeWait, once its ACK is out
		}
	}()

	// Simultaneous open, RFC 9293 Figure 7 line 6: SYN-RECEIVED (reached
	// from SYN-SENT) receives the peer's SYN,ACK and becomes ESTABLISHED.
	// §3.10.7.4 read literally refuses it — its SYN lies just before
	// RCV.NXT, so the acceptability test fails and the ACK field is never
	// read — where the figure shows the connection established by it.
	// We follow the figure as Linux does (tcp_validate_incoming): a
	// SYN,ACK with SEG.SEQ+1 = RCV.NXT, no text or FIN, and SEG.ACK =
	// SND.NXT is the peer's answer to our SYN; its SYN is trimmed as old
	// and its acknowledgment processed.
	if e.State == SynReceived && !e.Passive && g.Flags == SYN|ACK && g.Len == 0 &&
		g.Seq.Add(1) == e.RcvNxt && g.Ack == e.SndNxt {
		g = Segment{Seq: e.RcvNxt, Ack: g.Ack, Flags: ACK, Inc: g.Inc}
	}

	// First, check the sequence number.
	if !acceptable(g, e.RcvNxt, t.m.cfg.RcvWnd) {
		// Send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> unless RST, drop. This
		// is also how TIME-WAIT re-acknowledges a retransmitted FIN.
		ack = !g.Has(RST)
		return
	}

	// Second, check the RST bit (the behaviour without RFC 5961's
	// mitigation: a RST in the window resets).
	if g.Has(RST) && e.State == TimeWait && t.m.cfg.RFC1337 {
		return // RFC 1337 §3: TIME-WAIT ignores RST
	}
	if g.Has(RST) {
		switch e.State {
		case SynReceived:
			if e.Passive {
				// Note 1: back to LISTEN; the user need not be informed.
				t.backToListen(side)
			} else {
				t.deleteTCB(side, Refused)
			}
		case Established, FinWait1, FinWait2, CloseWait:
			t.deleteTCB(side, Reset)
		default: // CLOSING, LAST-ACK, TIME-WAIT
			t.deleteTCB(side, NoError)
		}
		return
	}

	// Process the idealized segment that begins at RCV.NXT. One that
	// begins later would be held for later (SHLD-31); this model holds
	// none: its acknowledgment field is still processed (a zero-length
	// segment occupies no sequence space, so its place in the queue is
	// immaterial), its text and FIN are dropped, and an acknowledgment
	// asks for what is missing.
	g = trim(g, e.RcvNxt)
	future := g.Seq != e.RcvNxt

	// Fourth, check the SYN bit.
	if g.Has(SYN) {
		if e.State == SynReceived && e.Passive {
			t.backToListen(side)
			return
		}
		// RFC 5961 §4: a challenge ACK, whatever the sequence number.
		ack = true
		return
	}

	// Fifth, check the ACK field.
	if !g.Has(ACK) {
		return
	}
	if e.State == SynReceived {
		if !g.Ack.InRange(e.SndUna, e.SndNxt) {
			t.emit(side, Segment{Seq: g.Ack, Flags: RST})
			return
		}
		if t.acceptQueueFull(side) {
			// Linux with tcp_abort_on_overflow off: the last ACK is
			// dropped, SYN-RECEIVED stays and retransmits its SYN,ACK.
			return
		}
		// Figure 5: SYN-RCVD → ESTAB "rcv ACK of SYN"; processing goes
		// on as for ESTABLISHED.
		e.State = Established
		t.establish(side)
	}
	switch {
	case g.Ack.InRange(e.SndUna, e.SndNxt):
		e.SndUna = g.Ack
		e.Backoff = 0 // a new acknowledgment restarts the timer unbacked (RFC 6298 §5.7)
	case e.SndNxt.LessThan(g.Ack):
		// "If the ACK acks something not yet sent ... send an ACK, drop
		// the segment, and return."
		ack = true
		return
	}
	switch e.State {
	case FinWait1:
		if e.FinAcked() {
			e.State = FinWait2 // Figure 5: FIN-WAIT-1 → FIN-WAIT-2 "rcv ACK of FIN"
		}
	case Closing:
		if !e.FinAcked() {
			return // "otherwise, ignore the segment"
		}
		t.enterTimeWait(side) // Figure 5: CLOSING → TIME-WAIT "rcv ACK of FIN"
	case LastAck:
		if e.FinAcked() {
			t.deleteTCB(side, NoError) // Figure 5: LAST-ACK → CLOSED "rcv ACK of FIN"
		}
		return
	}
	if future {
		ack = g.SegLen() > 0
		return
	}

	// Seventh, process the segment text.
	if g.Len > 0 {
		switch e.State {
		case Established, FinWait1, FinWait2:
			e.RcvNxt = e.RcvNxt.Add(uint32(g.Len))
			e.Delivered += g.Len
			ack = true
		}
		// CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: ignore the text.
	}

	// Eighth, check the FIN bit.
	if !g.Has(FIN) {
		return
	}
	e.RcvNxt = e.RcvNxt.Add(1)
	ack = true
	switch e.State {
	case Established:
		e.State = CloseWait // Figure 5: ESTAB → CLOSE-WAIT "rcv FIN / snd ACK"
	case FinWait1:
		if e.FinAcked() {
			t.enterTimeWait(side) // Note 2: FIN-WAIT-1 → TIME-WAIT
		} else {
			e.State = Closing // Figure 5: FIN-WAIT-1 → CLOSING "rcv FIN / snd ACK"
		}
	case FinWait2:
		t.enterTimeWait(side) // Figure 5: FIN-WAIT-2 → TIME-WAIT "rcv FIN / snd ACK"
	}
	// CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: remain (TIME-WAIT restarts
	// its 2MSL wait, which in this model is implicit).
}

// enterTimeWait enters TIME-WAIT: the retransmission timer is off there.
// Variant NoTimeWait deletes the TCB instead, once the ACK of the peer's
// FIN is sent.
func (t *step) enterTimeWait(side Side) {
	if t.m.cfg.Variant == NoTimeWait {
		t.closeAfterACK = true
		return
	}
	e := &t.s.Ep[side]
	e.State, e.Backoff = TimeWait, 0
}

// establish completes a passive open: what the SYN carried and the
// listener held while half-open is handed to the application.
func (t *step) establish(side Side) {
	e := &t.s.Ep[side]
	e.Delivered += e.Held
	e.Held = 0
}

// acceptQueueFull reports whether a connection side completes would find
// B's accept queue full (only B's is modelled, with Config.AcceptBacklog).
func (t *step) acceptQueueFull(side Side) bool {
	return side == B && t.m.cfg.AcceptBacklog > 0 && t.s.AcceptQueued() >= t.m.cfg.AcceptBacklog
}

// synQueueFull reports whether a SYN reaching side finds its SYN queue
// full (only B's queue is modelled, when Config.SynBacklog is set).
func (t *step) synQueueFull(side Side) bool {
	return side == B && t.m.cfg.SynBacklog > 0 && t.s.HalfOpen() >= t.m.cfg.SynBacklog
}

// cookieACK completes a connection from a SYN cookie (RFC 4987 §3.6): an
// ACK reaching the listener whose acknowledgment is a cookie ISS+1 makes
// an ESTABLISHED connection with no half-open entry. Cookies are checked
// only while the queue is full, as Linux checks them only after a recent
// overflow.
func (t *step) cookieACK(side Side, g Segment) bool {
	if !t.synQueueFull(side) || t.m.cfg.Variant == NoSynCookies || g.Has(SYN) || g.Has(RST) || t.acceptQueueFull(side) {
		return false
	}
	e := &t.s.Ep[side]
	for i := range t.m.cfg.ISNs[side] {
		// The cookie encodes the client's ISN: SEG.SEQ-1 must be it.
		iss := t.m.cookie(side, uint8(i), e.Opens, g.Seq.Add(^uint32(0)))
		if g.Ack != iss.Add(1) {
			continue
		}
		e.State, e.Passive, e.Backoff = Established, true, 0
		e.ISS, e.SndUna, e.SndNxt = iss, g.Ack, g.Ack
		e.IRS, e.RcvNxt = g.Seq.Add(^uint32(0)), g.Seq
		e.PeerInc = g.Inc
		t.arriveOther(side, g) // its text and FIN, as in ESTABLISHED
		return true
	}
	return false
}
