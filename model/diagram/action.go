package diagram

import (
	"fmt"
	"strings"
)

// Kind names the TLA+ operator an action instantiates, one per operator of
// tcp.tla. Kind.String returns the operator's name exactly as the spec
// writes it, so that a trace can be read against one printed by TLC.
type Kind uint8

// The user commands of tcp.tla (the disjuncts of User), each an arc of RFC
// 9293 Figure 5 caused by a user call (§3.10.1 OPEN, §3.10.2 SEND,
// §3.10.4 CLOSE).
const (
	ActiveOpen       Kind = iota + 1 // ACTIVE_OPEN: CLOSED -> SYN-SENT, create TCB, snd SYN
	PassiveOpen                      // PASSIVE_OPEN: CLOSED -> LISTEN, create TCB
	CloseSynSent                     // CLOSE_SYN_SENT: SYN-SENT -> CLOSED, delete TCB
	CloseSynReceived                 // CLOSE_SYN_RECEIVED: SYN-RECEIVED -> FIN-WAIT-1, snd FIN
	CloseListen                      // CLOSE_LISTEN: LISTEN -> CLOSED, delete TCB
	CloseEstablished                 // CLOSE_ESTABLISHED: ESTABLISHED -> FIN-WAIT-1, snd FIN
	CloseCloseWait                   // CLOSE_CLOSE_WAIT: CLOSE-WAIT -> LAST-ACK, snd FIN
	Send                             // SEND: LISTEN -> SYN-SENT, snd SYN
)

// The system actions of tcp.tla (the disjuncts of System): the arcs of
// Figure 5 caused by an arriving segment or a timeout, named after the
// state they leave, plus Note 2's arc.
const (
	SysSynSent     Kind = iota + Send + 1 // SynSent: rcv SYN or SYN-ACK
	SysSynReceived                        // SynReceived: rcv RST or ACK
	SysListen                             // Listen: rcv SYN
	SysEstablished                        // Established: rcv FIN
	SysFinWait1                           // FinWait1: rcv FIN or ACK-of-FIN
	SysFinWait2                           // FinWait2: rcv FIN
	SysClosing                            // Closing: rcv ACK-of-FIN
	SysLastAck                            // LastAck: rcv ACK-of-FIN
	SysTimeWait                           // TimeWait: Timeout=2MSL, delete TCB
	Note2                                 // Note2: FIN-WAIT-1 -> TIME-WAIT on FIN and ACK-of-FIN
)

// Note3 is the only reset action of tcp.tla (the Reset disjunct): RFC 9293
// §3.3.2 Note 3, sending a RST from any state, or receiving one.
const Note3 Kind = Note2 + 1

const numKinds = Note3 + 1

var kindNames = [numKinds]string{
	ActiveOpen:       "ACTIVE_OPEN",
	PassiveOpen:      "PASSIVE_OPEN",
	CloseSynSent:     "CLOSE_SYN_SENT",
	CloseSynReceived: "CLOSE_SYN_RECEIVED",
	CloseListen:      "CLOSE_LISTEN",
	CloseEstablished: "CLOSE_ESTABLISHED",
	CloseCloseWait:   "CLOSE_CLOSE_WAIT",
	Send:             "SEND",
	SysSynSent:       "SynSent",
	SysSynReceived:   "SynReceived",
	SysListen:        "Listen",
	SysEstablished:   "Established",
	SysFinWait1:      "FinWait1",
	SysFinWait2:      "FinWait2",
	SysClosing:       "Closing",
	SysLastAck:       "LastAck",
	SysTimeWait:      "TimeWait",
	Note2:            "Note2",
	Note3:            "Note3",
}

// String returns the name of the TLA+ operator.
func (k Kind) String() string {
	if k > 0 && k < numKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Class is the disjunct of the spec's Next an action belongs to.
type Class uint8

// The three disjuncts of Next == System \/ Reset \/ User.
const (
	User Class = iota + 1
	System
	Reset
)

// String returns "User", "System" or "Reset".
func (c Class) String() string {
	switch c {
	case User:
		return "User"
	case System:
		return "System"
	case Reset:
		return "Reset"
	}
	return fmt.Sprintf("Class(%d)", uint8(c))
}

// Class returns the disjunct of Next that k belongs to.
func (k Kind) Class() Class {
	switch {
	case k >= ActiveOpen && k <= Send:
		return User
	case k >= SysSynSent && k <= Note2:
		return System
	case k == Note3:
		return Reset
	}
	return 0
}

// Action labels a transition: which peer acted, by which operator of the
// spec, what it took from the head of its own queue, what it appended to
// the other peer's, and the connection state it entered. Two transitions
// from one state with equal labels have equal successors.
type Action struct {
	Peer Peer
	Kind Kind
	// Rcv is the message removed from the head of the peer's queue, or
	// NoMessage. Note2 removes two: FIN, then ACK-of-FIN; Rcv is FIN.
	Rcv Message
	// Snd is the message appended to the other peer's queue, or NoMessage.
	Snd Message
	// To is the peer's connection state after the action.
	To ConnState
}

// Class returns the disjunct of Next the action belongs to.
func (a Action) Class() Class { return a.Kind.Class() }

// IsOpen reports whether a is one of the actions MCtcp's SingleActiveOpen
// action constraint excludes: ACTIVE_OPEN, PASSIVE_OPEN or SEND.
func (a Action) IsOpen() bool {
	return a.Kind == ActiveOpen || a.Kind == PassiveOpen || a.Kind == Send
}

// IsCloseSynSent reports whether a is CLOSE_SYN_SENT, the user command
// that tcp.tla's Spec makes weakly fair, because a peer whose SYN is never
// answered "would get stuck in SYN-SENT".
func (a Action) IsCloseSynSent() bool { return a.Kind == CloseSynSent }

// String returns a label such as "A: SynSent rcv SYN / snd SYN-ACK ->
// SYN-RECEIVED": the peer, the TLA+ operator, the messages received and
// sent, and the state entered.
func (a Action) String() string {
	var b strings.Builder
	b.WriteString(a.Peer.String())
	b.WriteString(": ")
	b.WriteString(a.Kind.String())
	if a.Rcv != NoMessage {
		b.WriteString(" rcv ")
		b.WriteString(a.Rcv.String())
		if a.Kind == Note2 {
			b.WriteString(",")
			b.WriteString(AckOfFin.String())
		}
	}
	if a.Snd != NoMessage {
		if a.Rcv != NoMessage {
			b.WriteString(" /")
		}
		b.WriteString(" snd ")
		b.WriteString(a.Snd.String())
	}
	b.WriteString(" -> ")
	b.WriteString(a.To.String())
	return b.String()
}
