package conform

import (
	"fmt"
	"strings"

	"github.com/tcpcheck/tcpcheck/model"
)

// Segment is a TCP segment as a capture shows it: the fields RFC 9293
// §3.10 reads, with a payload of any length. The window, the options,
// PSH and URG are not kept: the lifecycle does not depend on them.
type Segment struct {
	Seq, Ack model.SeqNum
	Flags    model.Flags
	Len      uint32
}

// SegLen is SEG.LEN of §3.3.1: payload plus one for SYN and one for FIN.
func (g Segment) SegLen() uint32 {
	n := g.Len
	if g.Has(model.SYN) {
		n++
	}
	if g.Has(model.FIN) {
		n++
	}
	return n
}

// Has reports whether every flag in f is set.
func (g Segment) Has(f model.Flags) bool { return g.Flags&f == f }

// String writes the segment in the RFC's notation, as model.Segment does:
// <SEQ=100><ACK=301><CTL=SYN,ACK>, with <DATA=n> for n payload bytes.
func (g Segment) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "<SEQ=%d>", g.Seq)
	if g.Has(model.ACK) {
		fmt.Fprintf(&b, "<ACK=%d>", g.Ack)
	}
	fmt.Fprintf(&b, "<CTL=%s>", g.Flags)
	if g.Len > 0 {
		fmt.Fprintf(&b, "<DATA=%d>", g.Len)
	}
	return b.String()
}

// Observation is one captured segment and the endpoint that sent it.
type Observation struct {
	From model.Side
	Segment
}

func (o Observation) String() string {
	return fmt.Sprintf("%s→%s %s", o.From, o.From.Peer(), o.Segment)
}
