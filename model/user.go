package model

// The user calls of RFC 9293 §3.10.1–§3.10.5. Each returns false when the
// call is not enabled: the application does not make it in that state (the
// RFC's "error: ..." responses change nothing, so they are not
// transitions).

// passiveOpen is OPEN with the passive flag in CLOSED (§3.10.1): create
// the TCB and enter LISTEN. Figure 5: CLOSED → LISTEN "passive OPEN /
// create TCB".
func passiveOpen(t *Transition, ev *Event) bool {
	if !t.m.mayOpenPassive(&t.s, ev.Side) {
		return false
	}
	e := &t.s.Ep[ev.Side]
	*e = Endpoint{State: Listen, Opens: e.Opens + 1}
	return true
}

// mayOpenPassive is call/open/passive's guard: side's application
// listens, its connection is CLOSED, and it may open again.
func (m *Model) mayOpenPassive(s *State, side Side) bool {
	e := &s.Ep[side]
	return m.cfg.Roles[side]&Listener != 0 && e.State == Closed && int(e.Opens) < m.cfg.Incarnations
}

// activeOpen is OPEN with the active flag (§3.10.1): in CLOSED, create the
// TCB; in LISTEN (a SEND naming the peer, §3.10.2), turn the connection
// from passive to active. Either way select an ISS, send <SEQ=ISS><CTL=SYN>,
// set SND.UNA to ISS and SND.NXT to ISS+1, and enter SYN-SENT. Figure 5:
// CLOSED → SYN-SENT "active OPEN / snd SYN" and LISTEN → SYN-SENT
// "SEND / snd SYN".
func activeOpen(t *Transition, ev *Event) bool { return t.activeOpen(ev, false) }

// activeOpen is call/open/active; withData puts the application's first
// byte on the SYN (variant data-on-syn).
func (t *Transition) activeOpen(ev *Event, withData bool) bool {
	side, isn := ev.Side, ev.ISN
	e := &t.s.Ep[side]
	if int(isn) >= len(t.m.cfg.ISNs[side]) || !t.m.mayOpenActive(&t.s, side) {
		return false
	}
	if e.State == Closed {
		*e = Endpoint{Opens: e.Opens + 1}
	} // else LISTEN: the same TCB, now active (§3.10.1 LISTEN STATE)
	e.State = SynSent
	e.Passive = false
	e.ISS = t.SelectISS(side, isn)
	e.SndUna, e.SndNxt = e.ISS, e.ISS.Add(1)
	syn := Segment{Seq: e.ISS, Flags: SYN}
	if withData && t.m.cfg.Data[side] > 0 {
		// The first byte of the stream rides on the SYN (§3.10.7.3
		// permits it; the seed says the first two segments never should).
		syn.Len = 1
		e.SndNxt = e.SndNxt.Add(1)
		e.Sent = 1
	}
	t.Emit(side, syn)
	return true
}

// mayOpenActive is call/open/active's guard: side's application
// connects, and its connection is CLOSED with an incarnation left, or
// LISTEN.
func (m *Model) mayOpenActive(s *State, side Side) bool {
	e := &s.Ep[side]
	return m.cfg.Roles[side]&Connector != 0 &&
		(e.State == Closed && int(e.Opens) < m.cfg.Incarnations || e.State == Listen)
}

// unaccepted reports whether side's application has not yet accepted the
// passively opened connection from the accept queue: until it does, it
// can neither send, close nor abort it.
func (t *Transition) unaccepted(side Side) bool {
	e := &t.s.Ep[side]
	return t.m.cfg.AcceptBacklog > 0 && side == B && e.Passive && e.State.Synchronized() && !e.Accepted
}

// accept is the application taking a connection from the accept queue
// (the socket API's accept; RFC 9293's passive OPEN returns it): index 0
// the legitimate connection, 1 another client's.
func accept(t *Transition, ev *Event) bool {
	index := ev.Index
	q := &t.s.Listen
	switch {
	case index == 0 && t.unaccepted(B):
		t.s.Ep[B].Accepted = true
	case index == 1 && q.Accept > 0:
		q.Accept-- // served and closed elsewhere: not modelled further
	default:
		return false
	}
	return true
}

// otherClient is another client completing a handshake with B: its
// connection waits in the accept queue, or, with the queue full, its last
// ACK is dropped and it tries again later (not modelled further).
func otherClient(t *Transition, _ *Event) bool {
	q := &t.s.Listen
	if int(q.Clients) >= t.m.cfg.Clients || !t.listening() {
		return false
	}
	q.Clients++
	if t.s.AcceptQueued() < t.m.cfg.AcceptBacklog {
		q.Accept++
	}
	return true
}

// send is SEND in ESTABLISHED or CLOSE-WAIT (§3.10.2): the next one-byte
// segment of the application's stream goes out with a piggybacked
// acknowledgment. Data is never queued in SYN-SENT or SYN-RECEIVED here:
// the application sends once the connection is established.
func send(t *Transition, ev *Event) bool {
	side := ev.Side
	e := &t.s.Ep[side]
	if (e.State != Established && e.State != CloseWait) || e.AppClosed || int(e.Sent) >= t.m.cfg.Data[side] || t.unaccepted(side) {
		return false
	}
	t.Emit(side, Segment{Seq: e.SndNxt, Ack: e.RcvNxt, Flags: ACK, Len: 1, Stream: e.Sent})
	e.SndNxt = e.SndNxt.Add(1)
	e.Sent++
	return true
}

// closeCall is CLOSE (§3.10.4). The application closes once it has sent all
// its data, or — with EarlyClose — before the connection is established.
func closeCall(t *Transition, ev *Event) bool {
	side := ev.Side
	e := &t.s.Ep[side]
	if !t.m.cfg.Close || e.AppClosed || t.unaccepted(side) {
		return false
	}
	switch e.State {
	case Listen, SynSent:
		// "Delete TCB" (§3.10.4 LISTEN STATE, SYN-SENT STATE). Figure 5:
		// LISTEN → CLOSED and SYN-SENT → CLOSED "CLOSE / delete TCB".
		if !t.m.cfg.EarlyClose {
			return false
		}
		e.AppClosed = true
		t.DeleteTCB(side, NoError)
	case SynReceived:
		// "If no SENDs have been issued and there is no pending data to
		// send, then form a FIN segment and send it, and enter FIN-WAIT-1"
		// (§3.10.4). Figure 5: SYN-RCVD → FIN-WAIT-1 "CLOSE / snd FIN".
		if !t.m.cfg.EarlyClose {
			return false
		}
		t.sendFIN(side, FinWait1)
	case Established:
		// Figure 5: ESTAB → FIN-WAIT-1 "CLOSE / snd FIN".
		if int(e.Sent) < t.m.cfg.Data[side] {
			return false
		}
		t.sendFIN(side, FinWait1)
	case CloseWait:
		// Figure 5: CLOSE-WAIT → LAST-ACK "CLOSE / snd FIN".
		if int(e.Sent) < t.m.cfg.Data[side] {
			return false
		}
		t.sendFIN(side, LastAck)
	default:
		return false
	}
	return true
}

// sendFIN sends <SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK> (a FIN always
// carries an ACK once synchronized), advances SND.NXT over it and enters
// next.
func (t *Transition) sendFIN(side Side, next ConnState) {
	e := &t.s.Ep[side]
	t.Emit(side, Segment{Seq: e.SndNxt, Ack: e.RcvNxt, Flags: FIN | ACK})
	e.SndNxt = e.SndNxt.Add(1)
	e.State = next
	e.AppClosed = true
}

// abort is ABORT (§3.10.5): in SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1,
// FIN-WAIT-2 and CLOSE-WAIT send <SEQ=SND.NXT><CTL=RST>; in every state
// delete the TCB. The application may abort after it closed, while the
// connection is still FIN-WAIT-1 or -2 (a RST goes out), CLOSING,
// LAST-ACK or TIME-WAIT ("respond with ok and delete the TCB").
func abort(t *Transition, ev *Event) bool {
	side := ev.Side
	e := &t.s.Ep[side]
	if !t.m.cfg.Abort || e.State == Closed || t.unaccepted(side) {
		return false
	}
	switch e.State {
	case SynReceived, Established, FinWait1, FinWait2, CloseWait:
		t.Emit(side, Segment{Seq: e.SndNxt, Flags: RST})
	}
	e.AppClosed, e.Aborted = true, true
	t.DeleteTCB(side, NoError)
	return true
}
