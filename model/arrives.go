package model

// SEGMENT ARRIVES, RFC 9293 §3.10.7: one rule per check of each
// subsection, run in the RFC's order (the chains in rules.go) until one
// of them disposes of the segment.

// segmentArrives processes the segment ev.Seg arriving at ev.Side. ev.ISN
// is the ISN choice used if the segment opens a connection on a listener.
func (t *Transition) segmentArrives(ev *Event) {
	var chain []ruleID
	switch t.s.Ep[ev.Side].State {
	case Closed:
		chain = closedChain[:]
	case Listen:
		chain = listenChain[:]
	case SynSent:
		chain = synSentChain[:]
	default:
		t.ackOwed, t.closeAfterACK = false, false
		for _, id := range t.m.otherChain {
			if t.rule(id, ev) {
				break
			}
		}
		// An acknowledgment owed is sent once, at the end (MUST-59).
		if t.ackOwed {
			t.SendACK(ev.Side)
		}
		if t.closeAfterACK {
			t.DeleteTCB(ev.Side, NoError) // variant no-time-wait, once its ACK is out
		}
		return
	}
	for _, id := range chain {
		if t.rule(id, ev) {
			return
		}
	}
}

// arriveClosed is §3.10.7.1: no TCB. A RST is discarded; anything else is
// answered by a RST whose numbers make it acceptable to the sender.
func arriveClosed(t *Transition, ev *Event) bool {
	g := ev.Seg
	if g.Has(RST) {
		return true
	}
	if !g.Has(ACK) {
		// <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
		t.Emit(ev.Side, Segment{Seq: 0, Ack: g.Seq.Add(g.SegLen()), Flags: RST | ACK})
		return true
	}
	// <SEQ=SEG.ACK><CTL=RST>
	t.Emit(ev.Side, Segment{Seq: g.Ack, Flags: RST})
	return true
}

// listenRST is §3.10.7.2 first: "An incoming RST should be ignored."
func listenRST(t *Transition, ev *Event) bool { return ev.Seg.Has(RST) }

// listenACK is §3.10.7.2 second: "Any acknowledgment is bad if it arrives
// on a connection still in the LISTEN state": <SEQ=SEG.ACK><CTL=RST> —
// unless it completes a SYN cookie (rule listen/cookie-ack).
func listenACK(t *Transition, ev *Event) bool {
	if !ev.Seg.Has(ACK) {
		return false
	}
	if t.rule(ruleListenCookieACK, ev) {
		return true
	}
	t.Emit(ev.Side, Segment{Seq: ev.Seg.Ack, Flags: RST})
	return true
}

// listenSYNQueueFull answers a SYN that finds the SYN queue full (seed
// §4–§5) with a SYN cookie: an ISS that encodes the connection so that no
// state is kept (RFC 4987 §3.6).
func listenSYNQueueFull(t *Transition, ev *Event) bool {
	g := ev.Seg
	if !g.Has(SYN) || !t.synQueueFull(ev.Side) {
		return false
	}
	e := &t.s.Ep[ev.Side]
	t.Emit(ev.Side, Segment{Seq: t.m.cookie(ev.Side, ev.ISN, e.Opens, g.Seq), Ack: g.Seq.Add(1), Flags: SYN | ACK})
	return true
}

// dropSYNQueueFull is listen/syn-queue-full without SYN cookies: the SYN
// is dropped.
func dropSYNQueueFull(t *Transition, ev *Event) bool {
	return ev.Seg.Has(SYN) && t.synQueueFull(ev.Side)
}

// listenSYN is §3.10.7.2 third: set RCV.NXT to SEG.SEQ+1 and IRS to
// SEG.SEQ, select an ISS, send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, set
// SND.NXT to ISS+1 and SND.UNA to ISS, enter SYN-RECEIVED. Figure 5:
// LISTEN → SYN-RCVD "rcv SYN / snd SYN,ACK".
var listenSYN = listenSYNWith(synOptions{})

// listenSYNWith is listen/syn taking a SYN as o says (variants change it).
func listenSYNWith(o synOptions) RuleFunc {
	return func(t *Transition, ev *Event) bool {
		if !ev.Seg.Has(SYN) {
			return false
		}
		t.acceptSYN(ev, o)
		return true
	}
}

// synOptions are the ways built-in variants change listen/syn.
type synOptions struct {
	ackSeq bool   // planted bug: acknowledge SEG.SEQ, not SEG.SEQ+1
	hold   bool   // data on SYN: hold the SYN's text while half-open
	iss    SeqNum // the ISS to use, if setISS (a SYN reopening TIME-WAIT)
	setISS bool
}

func (t *Transition) acceptSYN(ev *Event, o synOptions) {
	side, g := ev.Side, ev.Seg
	e := &t.s.Ep[side]
	e.IRS, e.RcvNxt = g.Seq, g.Seq.Add(1)
	if o.ackSeq {
		e.RcvNxt = g.Seq
	}
	if o.hold && g.Len > 0 {
		// "any other control or text should be queued for processing
		// later": held while half-open.
		e.Held = g.Len
		e.RcvNxt = e.RcvNxt.Add(uint32(g.Len))
	}
	e.PeerInc = g.Inc
	if o.setISS {
		e.ISS = o.iss
	} else {
		e.ISS = t.SelectISS(side, ev.ISN)
	}
	e.SndUna, e.SndNxt = e.ISS, e.ISS.Add(1)
	e.State, e.Passive, e.Backoff = SynReceived, true, 0
	t.Emit(side, Segment{Seq: e.ISS, Ack: e.RcvNxt, Flags: SYN | ACK})
}

// listenOther is §3.10.7.2 fourth: "other data or control ... Drop the
// segment."
func listenOther(*Transition, *Event) bool { return true }

// synSentACK is §3.10.7.3 first: an ACK with SEG.ACK =< ISS or SEG.ACK >
// SND.NXT is answered <SEQ=SEG.ACK><CTL=RST> (unless it is a RST) and
// dropped.
func synSentACK(t *Transition, ev *Event) bool {
	g, e := ev.Seg, &t.s.Ep[ev.Side]
	if !g.Has(ACK) || !g.Ack.LessThanEq(e.ISS) && !e.SndNxt.LessThan(g.Ack) {
		return false
	}
	if !g.Has(RST) {
		t.Emit(ev.Side, Segment{Seq: g.Ack, Flags: RST})
	}
	return true
}

// synSentRST is §3.10.7.3 second: a RST is acceptable only with an
// acceptable ACK ("connection refused"); otherwise it is dropped. Past
// the first check an ACK satisfies SND.UNA < SEG.ACK =< SND.NXT, since
// SND.UNA = ISS in SYN-SENT.
func synSentRST(t *Transition, ev *Event) bool {
	if !ev.Seg.Has(RST) {
		return false
	}
	if ev.Seg.Has(ACK) {
		t.DeleteTCB(ev.Side, Refused)
	}
	return true
}

// synSentSYN is §3.10.7.3 fourth: a SYN sets IRS and RCV.NXT; if it
// acknowledges our SYN the connection is ESTABLISHED (Figure 5: SYN-SENT →
// ESTAB "rcv SYN,ACK / snd ACK", the ACK by rule syn-sent/third-ack),
// otherwise it is a simultaneous open: SYN-RECEIVED and
// <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> (Figure 5: SYN-SENT → SYN-RCVD "rcv
// SYN / snd SYN,ACK").
func synSentSYN(t *Transition, ev *Event) bool {
	g, side := ev.Seg, ev.Side
	if !g.Has(SYN) {
		return false
	}
	e := &t.s.Ep[side]
	e.IRS, e.RcvNxt = g.Seq, g.Seq.Add(1)
	e.PeerInc = g.Inc
	if g.Has(ACK) {
		e.SndUna = g.Ack
	}
	if e.ISS.LessThan(e.SndUna) {
		e.State, e.Backoff = Established, 0
		t.rule(ruleSynSentThirdACK, ev)
		return true
	}
	e.State = SynReceived
	t.Emit(side, Segment{Seq: e.ISS, Ack: e.RcvNxt, Flags: SYN | ACK})
	return true
}

// synSentThirdACK is the third segment of the handshake (§3.10.7.3
// fourth): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
func synSentThirdACK(t *Transition, ev *Event) bool {
	t.SendACK(ev.Side)
	return true
}

// synSentOther is §3.10.7.3 fifth: "If neither of the SYN or RST bits is
// set, then drop the segment and return."
func synSentOther(*Transition, *Event) bool { return true }

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

// simultaneousSynAck is simultaneous open as RFC 9293 Figure 7 line 6
// draws it: SYN-RECEIVED (reached from SYN-SENT) receives the peer's
// SYN,ACK and becomes ESTABLISHED. §3.10.7.4 read literally refuses it —
// its SYN lies just before RCV.NXT, so the acceptability test fails and
// the ACK field is never read — where the figure shows the connection
// established by it. We follow the figure as Linux does
// (tcp_validate_incoming): a SYN,ACK with SEG.SEQ+1 = RCV.NXT, no text or
// FIN, and SEG.ACK = SND.NXT is the peer's answer to our SYN; its SYN is
// trimmed as old and its acknowledgment processed by the rules after.
func simultaneousSynAck(t *Transition, ev *Event) bool {
	g, e := ev.Seg, &t.s.Ep[ev.Side]
	if e.State == SynReceived && !e.Passive && g.Flags == SYN|ACK && g.Len == 0 &&
		g.Seq.Add(1) == e.RcvNxt && g.Ack == e.SndNxt {
		ev.Seg = Segment{Seq: e.RcvNxt, Ack: g.Ack, Flags: ACK, Inc: g.Inc}
	}
	return false
}

// checkSequence is §3.10.7.4 first: an unacceptable segment draws
// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (unless it is a RST) and is dropped.
// This is also how TIME-WAIT re-acknowledges a retransmitted FIN. An
// acceptable one is trimmed to the idealized segment that begins at
// RCV.NXT. One that begins later would be held for later (SHLD-31); this
// model holds none: its acknowledgment field is still processed (a
// zero-length segment occupies no sequence space, so its place in the
// queue is immaterial), its text and FIN are dropped, and an
// acknowledgment asks for what is missing (Transition.future).
func checkSequence(t *Transition, ev *Event) bool {
	e := &t.s.Ep[ev.Side]
	if !acceptable(ev.Seg, e.RcvNxt, t.m.cfg.RcvWnd) {
		t.ackOwed = !ev.Seg.Has(RST)
		return true
	}
	return false
}

// checkRST is §3.10.7.4 second, without RFC 5961's mitigation: a RST in
// the window resets. SYN-RECEIVED from LISTEN goes back to LISTEN (Note
// 1; the user need not be informed), from SYN-SENT closes ("connection
// refused"); the synchronized states close, ESTABLISHED to CLOSE-WAIT
// telling the user "connection reset".
func checkRST(t *Transition, ev *Event) bool {
	if !ev.Seg.Has(RST) {
		return false
	}
	side, e := ev.Side, &t.s.Ep[ev.Side]
	if e.State == TimeWait && t.m.cfg.RFC1337 {
		return true // RFC 1337 §3: TIME-WAIT ignores RST
	}
	switch e.State {
	case SynReceived:
		if e.Passive {
			t.BackToListen(side)
		} else {
			t.DeleteTCB(side, Refused)
		}
	case Established, FinWait1, FinWait2, CloseWait:
		t.DeleteTCB(side, Reset)
	default: // CLOSING, LAST-ACK, TIME-WAIT
		t.DeleteTCB(side, NoError)
	}
	return true
}

// checkRSTExact is checkRST with RFC 5961 §3.2: only a RST whose sequence
// number is exactly RCV.NXT resets; any other in the window draws a
// challenge ACK.
func checkRSTExact(t *Transition, ev *Event) bool {
	if ev.Seg.Has(RST) && ev.Seg.Seq != t.s.Ep[ev.Side].RcvNxt {
		t.ackOwed = true
		return true
	}
	return checkRST(t, ev)
}

// checkSYN is §3.10.7.4 fourth, with the segment first trimmed to RCV.NXT:
// a SYN in SYN-RECEIVED from LISTEN returns it to LISTEN; in any other
// state it draws RFC 5961 §4's challenge ACK, whatever its sequence
// number.
func checkSYN(t *Transition, ev *Event) bool {
	e := &t.s.Ep[ev.Side]
	ev.Seg = trim(ev.Seg, e.RcvNxt)
	t.future = ev.Seg.Seq != e.RcvNxt
	if !ev.Seg.Has(SYN) {
		return false
	}
	if e.State == SynReceived && e.Passive {
		t.BackToListen(ev.Side)
		return true
	}
	t.ackOwed = true
	return true
}

// checkACK is §3.10.7.4 fifth. A segment without ACK is dropped. In
// SYN-RECEIVED an acceptable ACK enters ESTABLISHED (Figure 5: SYN-RCVD →
// ESTAB "rcv ACK of SYN"; an unacceptable one gets
// <SEQ=SEG.ACK><CTL=RST>); then SND.UNA advances (the timer restarts
// unbacked, RFC 6298 §5.7), an ACK of something not yet sent is answered
// and the segment dropped, and FIN-WAIT-1, CLOSING and LAST-ACK look for
// the ACK of their FIN.
func checkACK(t *Transition, ev *Event) bool {
	g, side := ev.Seg, ev.Side
	e := &t.s.Ep[side]
	if !g.Has(ACK) {
		return true
	}
	if e.State == SynReceived {
		if !g.Ack.InRange(e.SndUna, e.SndNxt) {
			t.Emit(side, Segment{Seq: g.Ack, Flags: RST})
			return true
		}
		if t.acceptQueueFull(side) {
			// Linux with tcp_abort_on_overflow off: the last ACK is
			// dropped, SYN-RECEIVED stays and retransmits its SYN,ACK.
			return true
		}
		e.State = Established
		t.establish(side)
	}
	switch {
	case g.Ack.InRange(e.SndUna, e.SndNxt):
		e.SndUna = g.Ack
		e.Backoff = 0
	case e.SndNxt.LessThan(g.Ack):
		// "If the ACK acks something not yet sent ... send an ACK, drop
		// the segment, and return."
		t.ackOwed = true
		return true
	}
	switch e.State {
	case FinWait1:
		if e.FinAcked() {
			e.State = FinWait2 // Figure 5: FIN-WAIT-1 → FIN-WAIT-2 "rcv ACK of FIN"
		}
	case Closing:
		if !e.FinAcked() {
			return true // "otherwise, ignore the segment"
		}
		t.EnterTimeWait(side) // Figure 5: CLOSING → TIME-WAIT "rcv ACK of FIN"
	case LastAck:
		if e.FinAcked() {
			t.DeleteTCB(side, NoError) // Figure 5: LAST-ACK → CLOSED "rcv ACK of FIN"
		}
		return true
	}
	if t.future {
		t.ackOwed = g.SegLen() > 0
		return true
	}
	return false
}

// processText is §3.10.7.4 seventh: in ESTABLISHED, FIN-WAIT-1 and
// FIN-WAIT-2 the text is delivered to the application and acknowledged;
// CLOSE-WAIT, CLOSING, LAST-ACK and TIME-WAIT ignore it.
func processText(t *Transition, ev *Event) bool {
	e := &t.s.Ep[ev.Side]
	if ev.Seg.Len > 0 {
		switch e.State {
		case Established, FinWait1, FinWait2:
			e.RcvNxt = e.RcvNxt.Add(uint32(ev.Seg.Len))
			e.Delivered += ev.Seg.Len
			t.ackOwed = true
		}
	}
	return false
}

// checkFIN is §3.10.7.4 eighth: a FIN advances RCV.NXT over it, is
// acknowledged, and ESTABLISHED enters CLOSE-WAIT, FIN-WAIT-1 CLOSING (or
// TIME-WAIT if its own FIN is acknowledged, Note 2), FIN-WAIT-2 TIME-WAIT;
// CLOSE-WAIT, CLOSING, LAST-ACK and TIME-WAIT remain (TIME-WAIT restarts
// its 2MSL wait, which in this model is implicit).
func checkFIN(t *Transition, ev *Event) bool {
	if !ev.Seg.Has(FIN) {
		return false // the end of the checks: nothing for this rule to do
	}
	side, e := ev.Side, &t.s.Ep[ev.Side]
	e.RcvNxt = e.RcvNxt.Add(1)
	t.ackOwed = true
	switch e.State {
	case Established:
		e.State = CloseWait // Figure 5: ESTAB → CLOSE-WAIT "rcv FIN / snd ACK"
	case FinWait1:
		if e.FinAcked() {
			t.EnterTimeWait(side)
		} else {
			e.State = Closing // Figure 5: FIN-WAIT-1 → CLOSING "rcv FIN / snd ACK"
		}
	case FinWait2:
		t.EnterTimeWait(side) // Figure 5: FIN-WAIT-2 → TIME-WAIT "rcv FIN / snd ACK"
	}
	return true
}

// enterTimeWait enters TIME-WAIT: the retransmission timer is off there.
func enterTimeWait(t *Transition, ev *Event) bool {
	e := &t.s.Ep[ev.Side]
	e.State, e.Backoff = TimeWait, 0
	return true
}

// establish completes a passive open: what the SYN carried and the
// listener held while half-open is handed to the application.
func (t *Transition) establish(side Side) {
	e := &t.s.Ep[side]
	e.Delivered += e.Held
	e.Held = 0
}

// acceptQueueFull reports whether a connection side completes would find
// B's accept queue full (only B's is modelled, with Config.AcceptBacklog).
func (t *Transition) acceptQueueFull(side Side) bool {
	return side == B && t.m.cfg.AcceptBacklog > 0 && t.s.AcceptQueued() >= t.m.cfg.AcceptBacklog
}

// synQueueFull reports whether a SYN reaching side finds its SYN queue
// full (only B's queue is modelled, when Config.SynBacklog is set).
func (t *Transition) synQueueFull(side Side) bool {
	return side == B && t.m.cfg.SynBacklog > 0 && t.s.HalfOpen() >= t.m.cfg.SynBacklog
}

// cookieACK completes a connection from a SYN cookie (RFC 4987 §3.6): an
// ACK reaching the listener whose acknowledgment is a cookie ISS+1 makes
// an ESTABLISHED connection with no half-open entry. Cookies are checked
// only while the queue is full, as Linux checks them only after a recent
// overflow.
func cookieACK(t *Transition, ev *Event) bool {
	side, g := ev.Side, ev.Seg
	if !t.synQueueFull(side) || g.Has(SYN) || g.Has(RST) || t.acceptQueueFull(side) {
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
		t.segmentArrives(ev) // its text and FIN, as in ESTABLISHED
		return true
	}
	return false
}

// noRule is a rule that never applies: what a variant puts in place of a
// mechanism it leaves out.
func noRule(*Transition, *Event) bool { return false }
