package graphs

import (
	"github.com/tcpcheck/tcpcheck/model"
)

// Labels in the style of RFC 9293 Figure 5: "event / action", where the
// event is a user call, "rcv" and the control bits of the arriving segment,
// or a timeout, and the action is "snd" and the control bits of what the
// endpoint sends. Figure 5 names only the bits that matter to the state
// change, so the labels do the same:
//
//   - An ACK that acknowledges the endpoint's SYN or FIN and so moves it
//     on is written "ACK of SYN" or "ACK of FIN", as Figure 5 writes it.
//     Any other ACK bit of a segment arriving in SYN-RECEIVED or a
//     synchronized state is the ordinary acknowledgment field every such
//     segment carries, and is left out ("rcv FIN", not "rcv FIN,ACK").
//   - In SYN-SENT every bit is written ("rcv SYN,ACK"): there the ACK is
//     what tells the simultaneous open from the normal one.
//   - A sent FIN always carries an ACK in the model (§3.10.4); Figure 5
//     writes "snd FIN", and so do the labels. SYN,ACK, ACK and RST are
//     written as sent.
//   - Payload is written "+ data" after the control bits.

// endpointLabel is the Figure 5 label of action a of the segment model,
// taken in state s and leading to t, for the endpoint a.Side.
func endpointLabel(m *model.Model, s *model.State, a model.Action, t *model.State) string {
	var buf [labelBuf]byte
	return string(appendEndpointLabel(buf[:0], m, s, a, t))
}

// labelBuf is room for most labels, on the stack: coverage labels the
// arc of every transition that takes one (Figure5Index).
const labelBuf = 96

// appendEndpointLabel appends endpointLabel's text to b.
func appendEndpointLabel(b []byte, m *model.Model, s *model.State, a model.Action, t *model.State) []byte {
	switch a.Kind {
	case model.PassiveOpen:
		b = append(b, "passive OPEN"...)
	case model.ActiveOpen:
		if s.Ep[a.Side].State == model.Listen {
			// §3.10.2: a SEND naming the peer on a listening TCB.
			b = append(b, "SEND"...)
		} else {
			b = append(b, "active OPEN"...)
		}
	case model.SendData:
		b = append(b, "SEND"...)
	case model.CloseCall:
		b = append(b, "CLOSE"...)
	case model.AbortCall:
		b = append(b, "ABORT"...)
	case model.Deliver:
		b = append(b, "rcv "...)
		b = appendReceived(b, a.Seg, s.Ep[a.Side], t.Ep[a.Side])
	case model.RetransmitTimeout:
		b = append(b, "retransmission timeout"...)
		if t.Ep[a.Side].State != s.Ep[a.Side].State {
			b = append(b, ", give up"...) // §3.8.3 R2
		}
	case model.TimeWaitTimeout:
		b = append(b, "Timeout=2MSL"...)
	default:
		b = append(b, a.Kind.String()...)
	}
	if sent := emitted(m, s, a, t); len(sent) > 0 {
		b = append(b, " / snd "...)
		for i, g := range sent {
			if i > 0 {
				b = append(b, " + "...)
			}
			b = appendSentFlags(b, g)
		}
	}
	return b
}

// emitted is what the endpoint a.Side sent in the transition (s, a, t):
// m.Emitted(s, a), read off its outgoing channel when that is safe — the
// segments in flight before are still there, in order, and the new ones
// follow — rather than by taking the step again, which makes labelling
// every transition of a large search (coverage) cheap.
func emitted(m *model.Model, s *model.State, a model.Action, t *model.State) []model.Segment {
	before, after := &s.Ch[a.Side], &t.Ch[a.Side]
	if t.Overflow || after.Len() < before.Len() {
		return m.Emitted(*s, a)
	}
	for i := range before.Len() {
		if before.At(i) != after.At(i) {
			return m.Emitted(*s, a)
		}
	}
	return after.Segs[before.Len():after.Len()]
}

// appendReceived appends a description of segment g arriving at an
// endpoint that was before and became after: its control bits, with the
// ACK bit named as Figure 5 names it, or left out when it is only the
// acknowledgment field.
func appendReceived(b []byte, g model.Segment, before, after model.Endpoint) []byte {
	start := len(b)
	part := func(name string) {
		if len(b) > start {
			b = append(b, ',')
		}
		b = append(b, name...)
	}
	for _, x := range [...]struct {
		f    model.Flags
		name string
	}{{model.SYN, "SYN"}, {model.RST, "RST"}, {model.FIN, "FIN"}} {
		if g.Has(x.f) {
			part(x.name)
		}
	}
	if g.Has(model.ACK) {
		switch {
		case before.State == model.SynSent:
			part("ACK")
		case g.Has(model.RST):
			// A reset's acknowledgment field is never what moves the
			// endpoint.
		case before.State == model.SynReceived && after.State.Synchronized():
			part("ACK of SYN")
		case acksFIN(before, after):
			part("ACK of FIN")
		case len(b) == start && g.Len == 0:
			part("ACK")
		}
	}
	if g.Len > 0 {
		if len(b) > start {
			b = append(b, " + "...)
		}
		b = append(b, "data"...)
	}
	return b
}

// acksFIN reports whether the segment that moved an endpoint from before
// to after acknowledged its FIN: the FIN was sent and unacknowledged
// before, and acknowledged after (or, from LAST-ACK, the TCB is gone).
func acksFIN(before, after model.Endpoint) bool {
	if !before.FinSent() || before.FinAcked() {
		return false
	}
	if before.State == model.LastAck && after.State == model.Closed {
		return true
	}
	return after.FinAcked()
}

// appendSentFlags appends the control bits of a sent segment as Figure 5
// writes them: "snd FIN" for the model's FIN,ACK.
func appendSentFlags(b []byte, g model.Segment) []byte {
	f := g.Flags
	if f&model.FIN != 0 {
		f &^= model.ACK
	}
	b = f.Append(b)
	if g.Len > 0 {
		b = append(b, " + data"...)
	}
	return b
}
