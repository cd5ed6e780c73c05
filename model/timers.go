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

// frontCopy reports whether g, sent by e, is a regular copy of e's front
// segment: the segment at SND.UNA of e's current incarnation.
func frontCopy(e *Endpoint, g Segment) bool {
	return !g.Delayed && g.Inc == e.Opens && g.Seq == e.SndUna && g.SegLen() > 0 &&
		retransmitting(e.State) && e.SndUna != e.SndNxt
}

// retransmissionNeeded reports whether the retransmission timer can have
// expired. It cannot while a regular copy of the front segment is in
// flight (sent less than a one-way delay ago, so less than an RTO before
// the timer's deadline), nor while a timely answer to such a copy — an
// acknowledgment of it, or a RST — is on its way back (Segment.Timely:
// it arrives within a round trip of the front segment's transmission,
// before the RTO). Anything else in flight does not hold the timer: a
// delayed copy, a segment the peer's application sent, the answer to a
// delayed copy may all arrive after it. With Config.SpuriousRetransmit
// the timer may expire whenever a segment is unacknowledged, as it does
// when a round trip takes longer than the RTO.
func (m *Model) retransmissionNeeded(s *State, side Side) bool {
	if m.cfg.SpuriousRetransmit {
		return true
	}
	e := &s.Ep[side]
	out, in := &s.Ch[side], &s.Ch[side.Peer()]
	for i := 0; i < out.Len(); i++ {
		if frontCopy(e, out.At(i)) {
			return false
		}
	}
	for i := 0; i < in.Len(); i++ {
		if g := in.At(i); !g.Delayed && g.Timely && (g.Has(ACK) && g.Ack.InRange(e.SndUna, e.SndNxt) || g.Has(RST)) {
			return false
		}
	}
	return true
}

// markInFlight sets bit side of Segment.Aged on every regular segment in
// flight, either way: side's retransmission timer (re)starts now, so it
// cannot expire before each of them has arrived or been lost.
func (s *State) markInFlight(side Side) {
	for c := range s.Ch {
		ch := &s.Ch[c]
		for i := 0; i < ch.Len(); i++ {
			if !ch.Segs[i].Delayed {
				ch.Segs[i].Aged |= 1 << side
			}
		}
	}
}

// timerMark is what decides whether an endpoint's retransmission timer
// (re)started during a transition: its incarnation, SND.UNA and SND.NXT.
type timerMark struct {
	opens          uint8
	sndUna, sndNxt SeqNum
}

func (e *Endpoint) timerMark() timerMark { return timerMark{e.Opens, e.SndUna, e.SndNxt} }

// timerRestarted reports whether e's retransmission timer started or
// restarted in a transition that began with mark m: e has something
// unacknowledged, and either had nothing before (the timer starts with
// the first segment sent, RFC 6298 §5.1), or a new acknowledgment moved
// SND.UNA (the timer restarts, §5.3), or it is a new connection.
func (e *Endpoint) timerRestarted(m timerMark) bool {
	if !retransmitting(e.State) || e.SndUna == e.SndNxt {
		return false
	}
	return m.opens != e.Opens || m.sndUna == m.sndNxt || m.sndUna != e.SndUna
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
func retransmitTimeout(t *Transition, ev *Event) bool {
	return t.retransmit(ev, t.m.cfg.MaxRetries)
}

// retransmit is timer/retransmit giving up after limit retransmissions.
func (t *Transition) retransmit(ev *Event, limit int) bool {
	side := ev.Side
	e := &t.s.Ep[side]
	if !t.m.retransmitDue(&t.s, side) {
		return false
	}
	t.s.markInFlight(side)
	if int(e.Backoff) >= limit {
		if e.State == SynReceived && e.Passive {
			t.BackToListen(side)
		} else {
			t.DeleteTCB(side, TimedOut)
		}
		return true
	}
	t.Emit(side, e.frontSegment())
	e.Backoff++
	return true
}

// retransmitDue is timer/retransmit's guard: side has something
// unacknowledged and its timer can have expired (retransmissionNeeded).
func (m *Model) retransmitDue(s *State, side Side) bool {
	e := &s.Ep[side]
	if !retransmitting(e.State) || e.SndUna == e.SndNxt || !m.retransmissionNeeded(s, side) {
		return false
	}
	// The segments that were in flight when the timer last started,
	// either way, have arrived or been lost by now: the RTO is longer
	// than any delivery (see Segment.Aged). Delayed copies are the
	// exception: they may take any time.
	for c := range s.Ch {
		ch := &s.Ch[c]
		for i := 0; i < ch.Len(); i++ {
			if g := &ch.Segs[i]; !g.Delayed && g.Aged&(1<<side) != 0 {
				return false
			}
		}
	}
	return true
}

// timeWaitTimeout is TIME-WAIT TIMEOUT (§3.10.8): delete the TCB and enter
// CLOSED. Figure 5: TIME-WAIT → CLOSED "Timeout=2MSL / delete TCB".
//
// The model has no clock; the timer is enabled when 2MSL can have passed
// since TIME-WAIT was entered or last restarted by a retransmitted FIN
// (§3.10.7.4). Two facts about real time decide that:
//
//   - No segment of this connection (or an older one) is in flight either
//     way: MSL bounds a segment's life (§3.4.2), so each of them is
//     delivered or lost before 2MSL ends. Segments of the peer's next
//     incarnation (a new SYN) do not hold the timer: they may be sent
//     at any time.
//   - The peer, if it is still this connection, has nothing left to
//     retransmit. This rests on Config.TimingPremise: the peer's whole
//     retransmission schedule, RTO·(2^(MaxRetries+1)−1) capped by RTOMax,
//     plus a segment's delay, is shorter than 2MSL, so the peer has had
//     its acknowledgment or given up before TIME-WAIT can end. Validate
//     refuses a configuration where it is not: there a retransmitted FIN
//     could find the endpoint CLOSED, which this rule would hide.
func timeWaitTimeout(t *Transition, ev *Event) bool {
	if !timeWaitOver(&t.s, ev.Side) {
		return false
	}
	t.DeleteTCB(ev.Side, NoError)
	return true
}

// timeWaitOver is timer/time-wait's guard: side is in TIME-WAIT and 2MSL
// can have passed (see timeWaitTimeout).
func timeWaitOver(s *State, side Side) bool {
	e, peer := &s.Ep[side], &s.Ep[side.Peer()]
	if e.State != TimeWait || s.Ch[side].Len() != 0 {
		return false
	}
	in := &s.Ch[side.Peer()]
	for i := 0; i < in.Len(); i++ {
		if in.At(i).Inc <= e.PeerInc {
			return false // the peer's segment of this connection, still in flight
		}
	}
	return peer.Opens != e.PeerInc || !retransmitting(peer.State) || peer.SndUna == peer.SndNxt
}

// spoofedSYN is a SYN from a spoofed address reaching B's listener (seed
// §5). With room in the SYN queue it makes a half-open entry whose
// SYN,ACK goes nowhere; with the queue full it is answered with a SYN
// cookie, which keeps no state, or dropped (NoSynCookies).
func spoofedSYN(t *Transition, _ *Event) bool { return t.spoofedSYN(0) }

// spoofedSYN adds held bytes of payload to the SYN queue with the entry
// (variant data-on-syn: the attacker's SYN carries a byte).
func (t *Transition) spoofedSYN(held uint8) bool {
	q := &t.s.Listen
	if int(q.Spoofed) >= t.m.cfg.Attacker || !t.listening() {
		return false
	}
	q.Spoofed++
	if t.s.HalfOpen() < t.m.cfg.SynBacklog {
		q.add(0)
		q.Held += held // the attacker's payload, held until the entry goes
	}
	return true
}

// listening reports whether B's application has a listening socket: it
// made a passive OPEN and has not closed. The listening socket outlives
// the connection it spawned, so a flood reaches it in any state.
func (t *Transition) listening() bool {
	b := &t.s.Ep[B]
	return t.m.cfg.Roles[B]&Listener != 0 && b.Opens > 0 && !b.AppClosed
}

// halfOpenTimeout is the retransmission timer of the i-th half-open entry:
// its SYN,ACK is sent again (to nowhere) with the timer doubled, and after
// MaxRetries the entry is dropped (seed §6, §3.8.3 R2).
func halfOpenTimeout(t *Transition, ev *Event) bool {
	return t.halfOpenTimeout(int(ev.Index), 0, t.m.cfg.MaxRetries)
}

// halfOpenTimeout expires entry i's timer, dropping the entry after limit
// retransmissions; an entry dropped releases held bytes of payload
// (variant data-on-syn).
func (t *Transition) halfOpenTimeout(i int, held uint8, limit int) bool {
	q := &t.s.Listen
	if i >= int(q.N) {
		return false
	}
	if int(q.Half[i]) >= limit {
		q.remove(i)
		q.Held -= held
		return true
	}
	backoff := q.Half[i] + 1
	q.remove(i)
	q.add(backoff)
	return true
}
