package conform

import (
	"fmt"
	"strings"
	"time"

	"github.com/tcpcheck/tcpcheck/model"
)

// NoScale is Segment.Scale on a segment without the window-scale option.
const NoScale = -1

// Segment is a TCP segment as a capture shows it: the fields RFC 9293
// §3.10 reads, with a payload of any length, and the window it
// advertises. Other options, PSH and URG are not kept: the lifecycle
// does not depend on them.
type Segment struct {
	Seq, Ack model.SeqNum
	Flags    model.Flags
	Len      uint32
	// Wnd is SEG.WND as sent: the 16-bit window field, not yet scaled.
	Wnd uint16
	// Scale is the shift count of the window-scale option (RFC 7323
	// §2.2), or NoScale. Only a SYN's option counts.
	Scale int8
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

// Observation is one captured segment, the endpoint that sent it, and
// when the capture recorded it.
type Observation struct {
	From model.Side
	Segment
	// At is the capture's timestamp, from any fixed origin. It only
	// bounds the capture-order tolerance (Options.Skew); a capture
	// without times (all zero) gets the tolerance in segments alone.
	At time.Duration
	// Packet is the observation's place in the capture file (1 for the
	// first packet), for reports; the checker does not read it.
	Packet int
}

func (o Observation) String() string {
	return fmt.Sprintf("%s→%s %s", o.From, o.From.Peer(), o.Segment)
}
