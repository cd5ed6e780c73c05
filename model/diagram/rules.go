package diagram

import "github.com/tcpcheck/tcpcheck/model"

// tcbEffect is what an action does to the peer's tcb flag.
type tcbEffect uint8

const (
	keepTCB   tcbEffect = iota // UNCHANGED tcb
	createTCB                  // tcb' = [tcb EXCEPT ![local] = TRUE]
	deleteTCB                  // tcb' = [tcb EXCEPT ![local] = FALSE]
)

// rule is one disjunct of an operator of tcp.tla, for a given local peer:
// a guard on the peer's state, tcb and queue head, and its effect. The
// remote peer is always the other one (the spec's local # remote).
type rule struct {
	kind    Kind
	from    ConnState
	anyFrom bool       // Note3 sends a RST from any state
	needTCB bool       // guard tcb[local]
	rcv     [2]Message // IsPrefix(rcv, network[local]); the prefix is removed
	snd     Message    // Append(network[remote], snd)
	to      ConnState
	tcb     tcbEffect
}

// The rules of each class, in the order tcp.tla writes its disjuncts, which
// is the order in which Next yields them.
var (
	// systemRules are the disjuncts of System: the arcs of RFC 9293 §3.3.2
	// Figure 5 taken on an arriving segment or a timeout, and Note 2.
	systemRules = [...]rule{
		// SYN-SENT, rcv SYN / snd SYN,ACK -> SYN-RECEIVED (simultaneous open).
		{kind: SysSynSent, from: SynSent, rcv: [2]Message{Syn}, snd: SynAck, to: SynReceived},
		// SYN-SENT, rcv SYN,ACK / snd ACK -> ESTAB.
		{kind: SysSynSent, from: SynSent, rcv: [2]Message{SynAck}, snd: Ack, to: Established},
		// SYN-RCVD, rcv RST -> LISTEN (Note 1; the spec does not check that
		// SYN-RECEIVED was reached from a passive OPEN).
		{kind: SysSynReceived, from: SynReceived, rcv: [2]Message{Rst}, to: Listen},
		// SYN-RCVD, rcv ACK of SYN -> ESTAB.
		{kind: SysSynReceived, from: SynReceived, rcv: [2]Message{Ack}, to: Established},
		// LISTEN, rcv SYN / snd SYN,ACK -> SYN-RCVD.
		{kind: SysListen, from: Listen, rcv: [2]Message{Syn}, snd: SynAck, to: SynReceived},
		// ESTAB, rcv FIN / snd ACK -> CLOSE-WAIT.
		{kind: SysEstablished, from: Established, rcv: [2]Message{Fin}, snd: AckOfFin, to: CloseWait},
		// FIN-WAIT-1, rcv FIN / snd ACK -> CLOSING.
		{kind: SysFinWait1, from: FinWait1, rcv: [2]Message{Fin}, snd: AckOfFin, to: Closing},
		// FIN-WAIT-1, rcv ACK of FIN -> FINWAIT-2.
		{kind: SysFinWait1, from: FinWait1, rcv: [2]Message{AckOfFin}, to: FinWait2},
		// FINWAIT-2, rcv FIN / snd ACK -> TIME-WAIT.
		{kind: SysFinWait2, from: FinWait2, rcv: [2]Message{Fin}, snd: AckOfFin, to: TimeWait},
		// CLOSING, rcv ACK of FIN -> TIME-WAIT.
		{kind: SysClosing, from: Closing, rcv: [2]Message{AckOfFin}, to: TimeWait},
		// LAST-ACK, rcv ACK of FIN -> CLOSED.
		{kind: SysLastAck, from: LastAck, rcv: [2]Message{AckOfFin}, to: Closed},
		// TIME-WAIT, Timeout=2MSL / delete TCB -> CLOSED. The spec has no
		// clock: the timeout may fire at any time while the TCB exists.
		{kind: SysTimeWait, from: TimeWait, needTCB: true, to: Closed, tcb: deleteTCB},
		// Note 2: FIN-WAIT-1 -> TIME-WAIT when a FIN arrives and the local
		// FIN is also acknowledged. The RFC does not say so, but the spec
		// acknowledges the FIN, as the FIN-WAIT-1 -> CLOSING arc does.
		{kind: Note2, from: FinWait1, rcv: [2]Message{Fin, AckOfFin}, snd: AckOfFin, to: TimeWait},
	}

	// resetRules are the disjuncts of Note3 (RFC 9293 §3.3.2 Note 3). The
	// spec reads "a RST can be sent from any state" literally, adds the
	// guard tcb[local] ("it seems impossible to send a RST without a TCB"),
	// and leaves tcb unchanged in all three.
	resetRules = [...]rule{
		{kind: Note3, anyFrom: true, needTCB: true, snd: Rst, to: TimeWait},
		{kind: Note3, anyFrom: true, rcv: [2]Message{Rst}, to: Listen},
		{kind: Note3, anyFrom: true, rcv: [2]Message{Rst}, to: Closed},
	}

	// userRules are the disjuncts of User: the arcs of Figure 5 caused by
	// a user call (RFC 9293 §3.10.1 OPEN, §3.10.2 SEND, §3.10.4 CLOSE).
	userRules = [...]rule{
		// CLOSED, active OPEN / create TCB, snd SYN -> SYN-SENT.
		{kind: ActiveOpen, from: Closed, snd: Syn, to: SynSent, tcb: createTCB},
		// CLOSED, passive OPEN / create TCB -> LISTEN.
		{kind: PassiveOpen, from: Closed, to: Listen, tcb: createTCB},
		// SYN-SENT, CLOSE / delete TCB -> CLOSED.
		{kind: CloseSynSent, from: SynSent, to: Closed, tcb: deleteTCB},
		// SYN-RCVD, CLOSE / snd FIN -> FIN-WAIT-1.
		{kind: CloseSynReceived, from: SynReceived, snd: Fin, to: FinWait1},
		// LISTEN, CLOSE / delete TCB -> CLOSED.
		{kind: CloseListen, from: Listen, to: Closed, tcb: deleteTCB},
		// ESTAB, CLOSE / snd FIN -> FIN-WAIT-1.
		{kind: CloseEstablished, from: Established, snd: Fin, to: FinWait1},
		// CLOSE-WAIT, CLOSE / snd FIN -> LAST-ACK.
		{kind: CloseCloseWait, from: CloseWait, snd: Fin, to: LastAck},
		// LISTEN, SEND / snd SYN -> SYN-SENT. The TCB already exists.
		{kind: Send, from: Listen, snd: Syn, to: SynSent},
	}
)

// An arc is a rule compiled for Next: its guard on the local peer's queue
// is one mask and compare on the packed queue, and it is listed under the
// connection states it leaves, so that Next never looks at a rule that
// cannot apply.
type arc struct {
	kind    Kind
	needTCB bool
	rcv     Message // the first message received, for the Action
	snd     Message
	to      ConnState
	tcb     tcbEffect
	// The guard IsPrefix(rcv, network[local]): the queue's low bits under
	// rcvMask equal rcvBits; the prefix is removed by a shift of rcvShift.
	rcvMask, rcvBits uint64
	rcvShift         uint8
}

// compile returns r as an arc: its fields, and its received messages as a
// mask, bits and shift.
func compile(r *rule) arc {
	a := arc{kind: r.kind, needTCB: r.needTCB, rcv: r.rcv[0], snd: r.snd, to: r.to, tcb: r.tcb}
	for _, m := range r.rcv {
		if m == NoMessage {
			break
		}
		a.rcvBits |= uint64(m) << a.rcvShift
		a.rcvMask |= (1<<msgBits - 1) << a.rcvShift
		a.rcvShift += msgBits
	}
	return a
}

// numConnStates is the number of connection states, which index arcsFrom.
const numConnStates = len(model.ConnStates)

// arcsFrom[k][c] are the rules of class k (system, reset, user: Next's
// order) that a peer in state c may take, in the order of their class's
// table: those leaving c and those that apply in any state (Note 3).
var arcsFrom = func() (t [numClasses][numConnStates][]arc) {
	for k, rules := range [...][]rule{systemRules[:], resetRules[:], userRules[:]} {
		for c := range t[k] {
			for i := range rules {
				if r := &rules[i]; r.anyFrom || r.from == ConnState(c) {
					t[k][c] = append(t[k][c], compile(r))
				}
			}
		}
	}
	return t
}()

// arcsNoOpen is arcsFrom less the arcs of the user calls MCtcp's
// SingleActiveOpen excludes (Action.IsOpen), for the constrained packed
// successors.
var arcsNoOpen = func() (t [numClasses][numConnStates][]arc) {
	for k := range arcsFrom {
		for c, arcs := range arcsFrom[k] {
			for _, a := range arcs {
				if !(Action{Kind: a.kind}).IsOpen() {
					t[k][c] = append(t[k][c], a)
				}
			}
		}
	}
	return t
}()

// enabled reports whether a peer in local may take a (its state is one a
// leaves).
func (a *arc) enabled(local *PeerState) bool {
	return (!a.needTCB || local.TCB) && local.Queue.packed&a.rcvMask == a.rcvBits
}

// take returns the transition of a, enabled, by peer p in s.
func (a *arc) take(s *State, p Peer) (Action, State) {
	next := *s
	local := &next.Peers[p]
	local.Conn = a.to
	local.Queue.packed >>= a.rcvShift
	switch a.tcb {
	case createTCB:
		local.TCB = true
	case deleteTCB:
		local.TCB = false
	}
	if a.snd != NoMessage {
		remote := &next.Peers[p.Other()]
		if rq, ok := remote.Queue.appended(a.snd); ok {
			remote.Queue = rq
		} else {
			// The spec's queue would grow past what State can hold.
			next.Overflow = true
		}
	}
	return Action{Peer: p, Kind: a.kind, Rcv: a.rcv, Snd: a.snd, To: a.to}, next
}
