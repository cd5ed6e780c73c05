package model

import (
	"fmt"
	"strings"
)

// ConnState is the state of one endpoint's connection, one of the eleven
// states of RFC 9293 §3.3.2.
type ConnState uint8

const (
	Closed ConnState = iota
	Listen
	SynSent
	SynReceived
	Established
	FinWait1
	FinWait2
	CloseWait
	Closing
	LastAck
	TimeWait
	numConnStates
)

// ConnStates lists the eleven states in the order of §3.3.2.
var ConnStates = [numConnStates]ConnState{Closed, Listen, SynSent, SynReceived,
	Established, FinWait1, FinWait2, CloseWait, Closing, LastAck, TimeWait}

var connStateNames = [numConnStates]string{
	"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
	"FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
}

// String returns the RFC's name of the state ("SYN-RECEIVED").
func (c ConnState) String() string {
	if c < numConnStates {
		return connStateNames[c]
	}
	return fmt.Sprintf("ConnState(%d)", uint8(c))
}

// ParseConnState is the inverse of String.
func ParseConnState(name string) (ConnState, bool) {
	for i, n := range connStateNames {
		if n == name {
			return ConnState(i), true
		}
	}
	return 0, false
}

// Synchronized reports whether the state is one of the "synchronized
// states" of §3.5.2 (ESTABLISHED and every later state), where both
// initial sequence numbers are known and acknowledged.
func (c ConnState) Synchronized() bool {
	return c >= Established
}

// Side names an endpoint: A or B.
type Side uint8

const (
	A Side = iota
	B
)

func (s Side) String() string {
	if s == A {
		return "A"
	}
	return "B"
}

// Peer is the other endpoint.
func (s Side) Peer() Side { return 1 - s }

// Flags are the control bits of a segment that matter to the lifecycle
// (§3.1): URG and PSH are left out.
type Flags uint8

const (
	FIN Flags = 1 << iota
	SYN
	RST
	ACK
)

// String writes flags the way the RFC writes a CTL field: "SYN,ACK".
func (f Flags) String() string { return string(f.Append(nil)) }

// Append appends String's text to b.
func (f Flags) Append(b []byte) []byte {
	start := len(b)
	for _, x := range [...]struct {
		f    Flags
		name string
	}{{SYN, "SYN"}, {RST, "RST"}, {FIN, "FIN"}, {ACK, "ACK"}} {
		if f&x.f != 0 {
			if len(b) > start {
				b = append(b, ',')
			}
			b = append(b, x.name...)
		}
	}
	if len(b) == start {
		b = append(b, '-')
	}
	return b
}

// Segment is a TCP segment in flight. Seq, Ack, Flags and Len are what the
// protocol sees (§3.1). Inc and Stream are ghost fields, invisible to the
// protocol and read only by properties: the incarnation of the connection
// whose endpoint sent the segment, and the index in the sender
// application's byte stream of the first payload byte (and Aged, below).
type Segment struct {
	Seq, Ack SeqNum
	Flags    Flags
	Len      uint8
	Inc      uint8
	Stream   uint8
	// Aged is a ghost of the timing abstraction: bit Side is set on the
	// segments in flight toward Side when Side's retransmission timer
	// expires. RTO exceeds the network's delivery time, so the timer
	// cannot expire again before those segments have arrived or been
	// lost.
	Aged uint8
	// Delayed marks a copy the network made (Duplicate): it travels on
	// its own and may arrive at any time, ahead of or behind the segments
	// in the channel — the "delayed duplicate" of §3.4 and §3.5.
	Delayed bool
	// Timely is a ghost of the timing abstraction: the segment was sent
	// on the arrival of a regular (not delayed) copy of the receiver's
	// peer's front segment — the one at its SND.UNA — so it reaches that
	// peer within a round trip of the front segment's last transmission,
	// before the peer's retransmission timer can expire (RTO exceeds the
	// round trip). Only such an answer holds the timer: a segment sent
	// later (a SEND, an ABORT's RST, the answer to a delayed copy) may
	// still be in flight when the timer expires.
	Timely bool
}

// DelayedCopy is the copy of g the network makes when it duplicates it
// (Duplicate): it travels on its own, and holds no timer.
func (g Segment) DelayedCopy() Segment {
	g.Delayed, g.Timely = true, false
	return g
}

// SegLen is SEG.LEN of §3.3.1: payload plus one for SYN and one for FIN.
func (g Segment) SegLen() uint32 {
	n := uint32(g.Len)
	if g.Flags&SYN != 0 {
		n++
	}
	if g.Flags&FIN != 0 {
		n++
	}
	return n
}

// Has reports whether every flag in f is set.
func (g Segment) Has(f Flags) bool { return g.Flags&f == f }

// String writes the segment in the RFC's notation:
// <SEQ=100><ACK=301><CTL=SYN,ACK> with the payload length when non-zero.
func (g Segment) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "<SEQ=%d>", g.Seq)
	if g.Flags&ACK != 0 {
		fmt.Fprintf(&b, "<ACK=%d>", g.Ack)
	}
	fmt.Fprintf(&b, "<CTL=%s>", g.Flags)
	if g.Len > 0 {
		fmt.Fprintf(&b, "<DATA=%d>", g.Len)
	}
	if g.Delayed {
		b.WriteString("(delayed copy)")
	}
	return b.String()
}

// MaxChannelCapacity bounds Config.Capacity: channels are fixed arrays so
// that State stays a comparable value.
const MaxChannelCapacity = 8

// Channel is the network path in one direction: the segments in flight, in
// the order they were sent.
type Channel struct {
	Segs [MaxChannelCapacity]Segment
	N    uint8
}

// Len is the number of segments in flight.
func (c *Channel) Len() int { return int(c.N) }

// At returns the i-th segment in flight.
func (c *Channel) At(i int) Segment { return c.Segs[i] }

func (c *Channel) push(g Segment) {
	c.Segs[c.N] = g
	c.N++
}

// remove takes out the i-th segment, keeping the others in order and the
// unused slots zero, so that equal channels are equal values.
func (c *Channel) remove(i int) {
	copy(c.Segs[i:c.N], c.Segs[i+1:c.N])
	c.N--
	c.Segs[c.N] = Segment{}
}

// ErrorReport is what the application was last told by its TCP about a
// connection that failed (§3.9.1.8, §3.10.7): nothing, "connection
// refused", "connection reset" or "connection aborted due to user timeout".
type ErrorReport uint8

const (
	NoError ErrorReport = iota
	Refused
	Reset
	TimedOut
)

func (e ErrorReport) String() string {
	return [...]string{"", "connection refused", "connection reset", "connection timed out"}[e]
}

// Endpoint is one side's transmission control block (§3.3.1) reduced to
// what the lifecycle needs, plus the application's progress.
type Endpoint struct {
	State ConnState

	// Passive is set when the connection was initiated with a passive
	// OPEN, so that SYN-RECEIVED returns to LISTEN on a RST (Figure 5,
	// Note 1; §3.10.7.4).
	Passive bool
	// AppClosed is set once the application has called CLOSE (or ABORT).
	AppClosed bool
	// Backoff is the exponential backoff exponent of the retransmission
	// timer: the segment at SND.UNA has been retransmitted Backoff times
	// and the timer now runs for RTO·2^Backoff (RFC 6298 §5.5). It is
	// also the retransmission count: each retransmission doubles the
	// timer, and a new acknowledgment resets both.
	Backoff uint8
	// Opens counts the OPEN calls: the endpoint's incarnation number.
	Opens uint8
	// Sent is how many data segments the application has sent (SEND).
	Sent uint8
	// Delivered is how many bytes TCP has handed to the application.
	Delivered uint8
	// PeerInc is a ghost: the incarnation of the peer whose SYN this
	// connection synchronized with.
	PeerInc uint8
	// Err is the last error reported to the application.
	Err ErrorReport
	// Aborted is a ghost: the application ended the connection with
	// ABORT rather than CLOSE.
	Aborted bool
	// Held is how many payload bytes a half-open (SYN-RECEIVED)
	// connection holds from the SYN that opened it (variant data-on-syn).
	Held uint8
	// Accepted is set once the application has accepted a passively
	// opened connection from the accept queue (with Config.AcceptBacklog).
	Accepted bool

	ISS, IRS       SeqNum
	SndUna, SndNxt SeqNum
	RcvNxt         SeqNum
}

// HasTCB reports whether a TCB exists (every state but CLOSED, §3.3.2).
func (e *Endpoint) HasTCB() bool { return e.State != Closed }

// FinSent reports whether the endpoint has sent its FIN: it is in a state
// reached only by sending one (§3.3.2, Figure 5).
func (e *Endpoint) FinSent() bool {
	switch e.State {
	case FinWait1, FinWait2, Closing, LastAck, TimeWait:
		return true
	}
	return false
}

// FinAcked reports whether the peer acknowledged our FIN: SND.UNA reached
// SND.NXT after a FIN was sent (§3.10.7.4 fifth step, FIN-WAIT-1).
func (e *Endpoint) FinAcked() bool { return e.FinSent() && e.SndUna == e.SndNxt }

// State is a global state of the system: both endpoints and both channels.
// It is a comparable value, so the checker can hash and store it.
type State struct {
	Ep [2]Endpoint
	// Ch[A] carries segments from A to B; Ch[B] from B to A.
	Ch [2]Channel
	// Losses and Dups count the segments the network has lost and
	// duplicated so far, against Config.MaxLosses and Config.MaxDups.
	Losses uint8
	Dups   uint8
	// Listen is the listener's SYN queue (B's, when Config.SynBacklog is
	// set): the half-open entries a SYN flood made.
	Listen Backlog
	// Overflow is set when a segment was sent into a full channel: the
	// behaviour went past Config.Capacity, and the state has no
	// successors (see the channel-bound property).
	Overflow bool
}

// MaxHalfOpen bounds Config.SynBacklog.
const MaxHalfOpen = 4

// Backlog is what the listener keeps for the attacker's spoofed SYNs
// (seed §4–§5): one half-open entry per SYN it answered, each with the
// backoff of its SYN,ACK retransmissions (which go nowhere: the source
// address is spoofed). The legitimate connection's own half-open entry is
// the listener's Endpoint in SYN-RECEIVED.
type Backlog struct {
	// Half holds the entries' backoff exponents, largest first, so that
	// equal queues are equal values.
	Half [MaxHalfOpen]uint8
	N    uint8
	// Spoofed counts the spoofed SYNs the attacker has sent.
	Spoofed uint8
	// Held is the payload bytes the entries hold (variant data-on-syn).
	Held uint8
	// Cap is the queue's capacity, Config.SynBacklog: the same in every
	// state, kept here so that properties can read it.
	Cap uint8
	// The accept queue (seed §4): connections other clients completed,
	// waiting for B's application to accept them (Accept), how many such
	// clients came so far (Clients), and its capacity, Config.AcceptBacklog
	// (AcceptCap, constant like Cap).
	Accept, Clients, AcceptCap uint8
}

// AcceptQueued is the accept queue's occupancy: the other clients'
// connections plus the legitimate one once B has completed it and its
// application has not accepted it yet.
func (s *State) AcceptQueued() int {
	n := int(s.Listen.Accept)
	if b := &s.Ep[B]; b.Passive && b.State.Synchronized() && !b.Accepted && s.Listen.AcceptCap > 0 {
		n++
	}
	return n
}

// HalfOpen is the SYN queue's occupancy: the attacker's entries plus the
// legitimate connection while B holds it half-open.
func (s *State) HalfOpen() int {
	n := int(s.Listen.N)
	if b := &s.Ep[B]; b.State == SynReceived && b.Passive {
		n++
	}
	return n
}

func (b *Backlog) add(backoff uint8) {
	i := int(b.N)
	for i > 0 && b.Half[i-1] < backoff {
		b.Half[i] = b.Half[i-1]
		i--
	}
	b.Half[i] = backoff
	b.N++
}

func (b *Backlog) remove(i int) {
	copy(b.Half[i:b.N], b.Half[i+1:b.N])
	b.N--
	b.Half[b.N] = 0
}

// InFlight is the number of segments in both channels.
func (s *State) InFlight() int { return s.Ch[A].Len() + s.Ch[B].Len() }

// InFlightText lists the segments in flight as a trace table shows them,
// "A→B <SEQ=...>...", A's channel first, then "(overflow)" if the state
// went past the channel bound.
func (s *State) InFlightText() []string {
	var out []string
	for _, side := range []Side{A, B} {
		ch := &s.Ch[side]
		for i := 0; i < ch.Len(); i++ {
			out = append(out, fmt.Sprintf("%s→%s %s", side, side.Peer(), ch.At(i)))
		}
	}
	if s.Overflow {
		out = append(out, "(overflow)")
	}
	return out
}

// String is a one-line summary: both endpoints' states and the segments in
// flight.
func (s State) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "A=%s B=%s", s.Ep[A].State, s.Ep[B].State)
	for _, side := range []Side{A, B} {
		ch := &s.Ch[side]
		if ch.N == 0 {
			continue
		}
		fmt.Fprintf(&b, " %s→%s:", side, side.Peer())
		for i := 0; i < ch.Len(); i++ {
			b.WriteString(ch.At(i).String())
		}
	}
	return b.String()
}
