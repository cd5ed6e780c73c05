package model

// The timeouts of RFC 9293 §3.10.8. There is no clock: a timer is an
// action that is enabled when the time it stands for could have passed.

// retransmitting reports whether a state keeps a retransmission queue:
// something it sent occupies sequence space and may be unacknowledged.
func retransmitting(c ConnState) bool {
	switch c {
	case SynSent, SynReceived, Established, FinWait1, CloseWait, Closing, LastAck:
		return true
	}
	return false
}

// frontSegment is the segment at the front of the retransmission queue:
// the one starting at SND.UNA, rebuilt from the TCB — the SYN (or SYN,ACK),
// the next unacknowledged byte, or the FIN.
func (e *Endpoint) frontSegment() Segment {
	switch {
	case e.SndUna == e.ISS && e.State == SynSent && e.Sent > 0:
		return Segment{Seq: e.ISS, Flags: SYN, Len: 1} // data-on-syn
	case e.SndUna == e.ISS && e.State == SynSent:
		return Segment{Seq: e.ISS, Flags: SYN}
	case e.SndUna == e.ISS:
		return Segment{Seq: e.ISS, Ack: e.RcvNxt, Flags: SYN | ACK}
	}
	k := e.SndUna.Sub(e.ISS.Add(1))
	if k < uint32(e.Sent) {
		return Segment{Seq: e.SndUna, Ack: e.RcvNxt, Flags: ACK, Len: 1, Stream: uint8(k)}
	}
	return Segment{Seq: e.SndUna, Ack: e.RcvNxt, Flags: FIN | ACK}
}

// retransmissionNeeded reports whether the retransmission timer can have
// expired: neither a copy of the front segment nor an acknowledgment of it
// (nor a RST) is still in flight, so only a loss (or a peer that dropped
// it) explains the silence. With Config.SpuriousRetransmit the timer may also expire
// early, as it does when a round trip takes longer than the RTO.
func (t *step) retransmissionNeeded(side Side) bool {
	if t.m.cfg.SpuriousRetransmit {
		return true
	}
	e := &t.s.Ep[side]
	out, in := &t.s.Ch[side], &t.s.Ch[side.Peer()]
	for i := 0; i < out.Len(); i++ {
		// A delayed copy travels on its own: it does not hold the timer.
		if g := out.At(i); !g.Delayed && g.Inc == e.Opens && g.Seq == e.SndUna && g.SegLen() > 0 {
			return false
		}
	}
	for i := 0; i < in.Len(); i++ {
		// An acknowledgment of it, or a RST, is on its way: the answer
		// arrives within a round trip, before any RTO.
		if g := in.At(i); g.Has(ACK) && g.Ack.InRange(e.SndUna, e.SndNxt) || g.Has(RST) {
			return false
		}
	}
	return true
}

// retransmitTimeout is RETRANSMISSION TIMEOUT (§3.10.8): send the segment
// at the front of the retransmission queue again and back off the timer
// (RFC 6298 §5.5). Two expiries of one timer are at least an RTO apart,
// longer than any segment takes to cross the network: a timer cannot
// expire while a segment that was already in flight toward it at its last
// expiry is still there (see Segment.Aged). After MaxRetries retransmissions the next expiry gives
// up (§3.8.3, R2): a half-open entry made by a passive OPEN is dropped and
// the listener stays (the seed: "the server deletes the connection from
// the half-open queue"); any other connection is closed and its
// application told the connection timed out.
func (t *step) retransmitTimeout(side Side) bool {
	e := &t.s.Ep[side]
	if !retransmitting(e.State) || e.SndUna == e.SndNxt || !t.retransmissionNeeded(side) {
		return false
	}
	switch front := e.frontSegment(); {
	case t.m.cfg.Variant == NoSynAckRetransmit && front.Has(SYN|ACK),
		t.m.cfg.Variant == NoFinRetransmit && front.Has(FIN):
		return false // the variant has no timer for this segment
	}
	// The segments that were in flight at the last expiry, either way,
	// have arrived or been lost by now: RTO is longer than any delivery.
	// Delayed copies are the exception: they may take any time.
	for _, ch := range []*Channel{&t.s.Ch[A], &t.s.Ch[B]} {
		for i := 0; i < ch.Len(); i++ {
			if g := ch.At(i); !g.Delayed && g.Aged&(1<<side) != 0 {
				return false
			}
		}
	}
	for _, ch := range []*Channel{&t.s.Ch[A], &t.s.Ch[B]} {
		for i := 0; i < ch.Len(); i++ {
			if !ch.Segs[i].Delayed {
				ch.Segs[i].Aged |= 1 << side
			}
		}
	}
	if int(e.Backoff) >= t.m.cfg.MaxRetries {
		if e.State == SynReceived && e.Passive {
			t.backToListen(side)
		} else {
			t.deleteTCB(side, TimedOut)
		}
		return true
	}
	t.emit(side, e.frontSegment())
	e.Backoff++
	return true
}

// timeWaitTimeout is TIME-WAIT TIMEOUT (§3.10.8): delete the TCB and enter
// CLOSED. Figure 5: TIME-WAIT → CLOSED "Timeout=2MSL / delete TCB". 2MSL
// is long enough for every segment of the connection to have left the
// network (§3.4.2), and longer than the peer's whole retransmission
// schedule (with an RTO of 1 s and a few retries, seconds against
// 2MSL's minutes), so the timer is enabled only once both channels are
// empty and the peer has nothing left to retransmit; a retransmitted FIN
// arriving meanwhile restarts it (§3.10.7.4).
func (t *step) timeWaitTimeout(side Side) bool {
	peer := &t.s.Ep[side.Peer()]
	if t.s.Ep[side].State != TimeWait || t.s.InFlight() != 0 ||
		retransmitting(peer.State) && peer.SndUna != peer.SndNxt {
		return false
	}
	t.deleteTCB(side, NoError)
	return true
}

// spoofedSYN is a SYN from a spoofed address reaching B's listener (seed
// §5). With room in the SYN queue it makes a half-open entry whose
// SYN,ACK goes nowhere; with the queue full it is answered with a SYN
// cookie, which keeps no state, or dropped (NoSynCookies).
func (t *step) spoofedSYN() bool {
	q := &t.s.Listen
	if int(q.Spoofed) >= t.m.cfg.Attacker || !t.listening() {
		return false
	}
	q.Spoofed++
	if t.s.HalfOpen() < t.m.cfg.SynBacklog {
		q.add(0)
		if t.m.cfg.Variant == DataOnSYN {
			q.Held++ // the attacker's payload, held until the entry goes
		}
	}
	return true
}

// listening reports whether B's application has a listening socket: it
// made a passive OPEN and has not closed. The listening socket outlives
// the connection it spawned, so a flood reaches it in any state.
func (t *step) listening() bool {
	b := &t.s.Ep[B]
	return t.m.cfg.Roles[B]&Listener != 0 && b.Opens > 0 && !b.AppClosed
}

// halfOpenTimeout is the retransmission timer of the i-th half-open entry:
// its SYN,ACK is sent again (to nowhere) with the timer doubled, and after
// MaxRetries the entry is dropped (seed §6, §3.8.3 R2).
func (t *step) halfOpenTimeout(i int) bool {
	q := &t.s.Listen
	if i >= int(q.N) {
		return false
	}
	if int(q.Half[i]) >= t.m.cfg.MaxRetries {
		q.remove(i)
		if t.m.cfg.Variant == DataOnSYN {
			q.Held--
		}
		return true
	}
	backoff := q.Half[i] + 1
	q.remove(i)
	q.add(backoff)
	return true
}
