package model

import "fmt"

// ActionKind is the kind of event that drives a transition (§3.3.2: "The
// events are the user calls ...; the incoming segments ...; and
// timeouts"), plus the network's own events on the lossy channel.
type ActionKind uint8

const (
	// User calls, §3.10.1–§3.10.5.
	PassiveOpen ActionKind = iota
	ActiveOpen
	SendData
	CloseCall
	AbortCall
	// Segment arrival, §3.10.7.
	Deliver
	// The network.
	Lose
	Duplicate
	// Timeouts, §3.10.8.
	RetransmitTimeout
	TimeWaitTimeout
	// The SYN flood (seed §5): a spoofed SYN reaches B's listener, and
	// the retransmission timer of one of the half-open entries it made
	// expires.
	SpoofedSYN
	HalfOpenTimeout
	// The accept queue (seed §4): another client completes a handshake
	// with B, and B's application accepts a connection (Index 0: the
	// legitimate one; 1: another client's).
	OtherClient
	AcceptCall
	numActionKinds
)

var actionKindNames = [numActionKinds]string{
	"passive OPEN", "active OPEN", "SEND", "CLOSE", "ABORT",
	"rcv", "lose", "duplicate", "retransmission timeout", "2MSL timeout",
	"rcv spoofed SYN", "half-open entry timeout",
	"another client's handshake completes", "ACCEPT",
}

func (k ActionKind) String() string {
	if k < numActionKinds {
		return actionKindNames[k]
	}
	return fmt.Sprintf("ActionKind(%d)", uint8(k))
}

// Cause groups action kinds the way Figure 5 labels its arcs and the way
// fairness is declared: application calls, segments received, timers, and
// the network's losses and duplicates.
type Cause uint8

const (
	CauseUser Cause = iota
	CauseSegment
	CauseTimer
	CauseNetwork
)

func (c Cause) String() string {
	return [...]string{"user", "segment", "timer", "network"}[c]
}

// Cause tells what kind of event the action is.
func (k ActionKind) Cause() Cause {
	switch k {
	case Deliver:
		return CauseSegment
	case Lose, Duplicate, SpoofedSYN, OtherClient:
		return CauseNetwork
	case RetransmitTimeout, TimeWaitTimeout, HalfOpenTimeout:
		return CauseTimer
	}
	return CauseUser
}

// Action is one transition label. Side is the endpoint that acts: the
// caller of a user call, the receiver of a delivered segment, the owner of
// a timer, or the sender of a segment the network loses or duplicates.
// Index is the position of that segment in its channel (for a
// retransmission timeout, the backoff exponent of the timer that expired;
// for a half-open entry timeout, the entry); ISN is the index
// in Config.ISNs of the initial sequence number chosen, for the actions
// that choose one. Seg is the segment delivered, lost or duplicated, kept
// so that a trace reads without the states around it.
type Action struct {
	Kind  ActionKind
	Side  Side
	Index uint8
	ISN   uint8
	Seg   Segment
}

// String is the action as a trace prints it: "B: rcv <SEQ=...><CTL=SYN>".
func (a Action) String() string {
	switch a.Kind {
	case Deliver:
		return fmt.Sprintf("%s: rcv %s", a.Side, a.Seg)
	case Lose, Duplicate:
		return fmt.Sprintf("net: %s %s→%s %s", a.Kind, a.Side, a.Side.Peer(), a.Seg)
	case ActiveOpen:
		return fmt.Sprintf("%s: active OPEN (ISN #%d)", a.Side, a.ISN)
	case RetransmitTimeout:
		// RFC 6298: the first RTO is 1 second, doubled at each expiry.
		return fmt.Sprintf("%s: retransmission timeout (after %ds)", a.Side, 1<<a.Index)
	case HalfOpenTimeout:
		return fmt.Sprintf("%s: half-open entry #%d timeout", a.Side, a.Index)
	case AcceptCall:
		if a.Index == 0 {
			return fmt.Sprintf("%s: ACCEPT (A's connection)", a.Side)
		}
		return fmt.Sprintf("%s: ACCEPT (another client's connection)", a.Side)
	}
	return fmt.Sprintf("%s: %s", a.Side, a.Kind)
}
