package diagram

import (
	"fmt"
	"github.com/tcpcheck/tcpcheck/model"
	"iter"
	"math/bits"
	"strings"
)

// ConnState is a connection state of RFC 9293 §3.3.2, the same type as
// the segment model's, so that both models print and diagram alike. The
// zero value is Closed, the state of a peer with no TCB.
type ConnState = model.ConnState

// The eleven states of RFC 9293 §3.3.2, in the order the RFC lists them.
// Their String is the RFC's spelling, which is also the TLA+ spec's
// ("SYN-RECEIVED", "TIME-WAIT").
const (
	Closed      = model.Closed
	Listen      = model.Listen
	SynSent     = model.SynSent
	SynReceived = model.SynReceived
	Established = model.Established
	FinWait1    = model.FinWait1
	FinWait2    = model.FinWait2
	CloseWait   = model.CloseWait
	Closing     = model.Closing
	LastAck     = model.LastAck
	TimeWait    = model.TimeWait
)

// Peer names one of the two ends of the connection. The TLA+ spec leaves
// Peers a constant of two elements; MCtcp.cfg instantiates it as {A, B}.
type Peer uint8

// The two peers.
const (
	A Peer = iota
	B

	numPeers = iota
)

// Other returns the remote peer of p: the spec's remote, given local.
func (p Peer) Other() Peer { return 1 - p }

// String returns "A" or "B".
func (p Peer) String() string {
	switch p {
	case A:
		return "A"
	case B:
		return "B"
	}
	return fmt.Sprintf("Peer(%d)", uint8(p))
}

// Message is a segment of the abstraction: only its control bits, as Figure
// 5 of RFC 9293 labels its arcs. The zero value NoMessage is no message; it
// never occurs in a Queue.
type Message uint8

// The six messages of the spec's TypeOK.
const (
	NoMessage Message = iota
	Syn
	SynAck
	Ack // the ACK of a SYN, which completes the three-way handshake
	Rst
	Fin
	AckOfFin

	numMessages = iota
)

var messageNames = [numMessages]string{
	NoMessage: "none",
	Syn:       "SYN",
	SynAck:    "SYN-ACK",
	Ack:       "ACK",
	Rst:       "RST",
	Fin:       "FIN",
	AckOfFin:  "ACK-of-FIN",
}

var messageTLANames = [numMessages]string{
	NoMessage: "",
	Syn:       "SYN",
	SynAck:    "SYN,ACK",
	Ack:       "ACK",
	Rst:       "RST",
	Fin:       "FIN",
	AckOfFin:  "ACKofFIN",
}

// String returns a readable name: "SYN", "SYN-ACK", "ACK", "RST", "FIN",
// "ACK-of-FIN".
func (m Message) String() string {
	if int(m) < len(messageNames) {
		return messageNames[m]
	}
	return fmt.Sprintf("Message(%d)", uint8(m))
}

// TLA returns the string the TLA+ spec uses for m ("SYN,ACK", "ACKofFIN"),
// so that a state can be compared with one printed by TLC.
func (m Message) TLA() string {
	if int(m) < len(messageTLANames) {
		return messageTLANames[m]
	}
	return m.String()
}

// msgBits is the width of one message in a packed Queue: six messages and
// the empty slot fit in three bits.
const msgBits = 3

// QueueCap is the most messages a Queue can hold. The TLA+ spec's queues
// are unbounded sequences; MCtcp's NoRetransmission constraint keeps the
// explored ones short (at most 4 messages, see the tests), far below this.
// A send that would exceed it yields an Overflow state instead.
const QueueCap = 64 / msgBits

// Queue is a peer's inbound FIFO of messages: the spec's network[p]. It is
// packed into one word, head in the low bits, three bits per message; empty
// slots are zero, so two queues holding the same messages are equal.
type Queue struct {
	packed uint64
}

// NewQueue returns the queue holding msgs, head first. It panics if a
// message is NoMessage or out of range, or if there are more than QueueCap.
func NewQueue(msgs ...Message) Queue {
	if len(msgs) > QueueCap {
		panic(fmt.Sprintf("diagram: %d messages exceed QueueCap %d", len(msgs), QueueCap))
	}
	var q Queue
	for _, m := range msgs {
		if m == NoMessage || m >= numMessages {
			panic(fmt.Sprintf("diagram: %v cannot be queued", m))
		}
		q, _ = q.appended(m)
	}
	return q
}

// Len returns the number of messages in q.
func (q Queue) Len() int {
	// Every queued message is non-zero, so the highest set bit lies in the
	// slot of the last message.
	return (bits.Len64(q.packed) + msgBits - 1) / msgBits
}

// At returns the i-th message of q, counting from the head at 0, or
// NoMessage if there is none.
func (q Queue) At(i int) Message {
	if i < 0 || i >= QueueCap {
		return NoMessage
	}
	return Message(q.packed >> (msgBits * i) & (1<<msgBits - 1))
}

// Head returns the message at the head of q, or NoMessage if q is empty.
func (q Queue) Head() Message { return q.At(0) }

// HasPrefix reports whether q starts with msgs: the spec's
// IsPrefix(msgs, network[p]).
func (q Queue) HasPrefix(msgs ...Message) bool {
	for i, m := range msgs {
		if q.At(i) != m {
			return false
		}
	}
	return true
}

// All yields the messages of q, head first.
func (q Queue) All() iter.Seq[Message] {
	return func(yield func(Message) bool) {
		for p := q.packed; p != 0; p >>= msgBits {
			if !yield(Message(p & (1<<msgBits - 1))) {
				return
			}
		}
	}
}

// String returns the messages of q, head first, as "[SYN, ACK]".
func (q Queue) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for m := range q.All() {
		if b.Len() > 1 {
			b.WriteString(", ")
		}
		b.WriteString(m.String())
	}
	b.WriteByte(']')
	return b.String()
}

// repeats reports whether two equal messages stand next to each other in
// q: MCtcp's NoRetransmission on one queue.
func (q Queue) repeats() bool {
	for p := q.packed; p>>msgBits != 0; p >>= msgBits {
		if p&(1<<msgBits-1) == p>>msgBits&(1<<msgBits-1) {
			return true
		}
	}
	return false
}

// tail returns q without its head: the spec's Tail(network[p]).
func (q Queue) tail() Queue { return Queue{q.packed >> msgBits} }

// appended returns q with m added at the end: the spec's Append(q, m). It
// reports false, and returns q unchanged, if q already holds QueueCap
// messages.
func (q Queue) appended(m Message) (Queue, bool) {
	n := q.Len()
	if n >= QueueCap {
		return q, false
	}
	return Queue{q.packed | uint64(m)<<(msgBits*n)}, true
}

// PeerState is everything the spec records about one peer.
type PeerState struct {
	// Conn is the peer's connection state: the spec's connstate[p].
	Conn ConnState
	// TCB reports whether the peer holds a transmission control block: the
	// spec's tcb[p].
	TCB bool
	// Queue holds the messages sent to the peer and not yet received: the
	// spec's network[p].
	Queue Queue
}

// String returns e.g. "SYN-SENT tcb [SYN]"; "-tcb" when TCB is false.
func (p PeerState) String() string {
	tcb := "tcb"
	if !p.TCB {
		tcb = "-tcb"
	}
	return p.Conn.String() + " " + tcb + " " + p.Queue.String()
}

// State is a state of the model: a comparable value, indexed by Peer.
// The zero value is the spec's own Init (both peers CLOSED without a TCB,
// no messages); the model checked by MCtcp starts elsewhere (see
// Model.Init).
type State struct {
	Peers [numPeers]PeerState
	// Overflow marks a state reached by a send into a queue that already
	// held QueueCap messages, which the TLA+ spec allows but this
	// representation cannot hold. Such a state is the end of its path: it
	// has no successors and fails WithinCapacity. It never arises under
	// DefaultConfig.
	Overflow bool
}

// String returns e.g. "A: SYN-SENT tcb [] | B: LISTEN tcb [SYN]".
func (s State) String() string {
	str := "A: " + s.Peers[A].String() + " | B: " + s.Peers[B].String()
	if s.Overflow {
		str += " | OVERFLOW"
	}
	return str
}
