package conform

import (
	"fmt"

	"github.com/tcpcheck/tcpcheck/model"
)

// ruleKind names a way an endpoint may send a segment: a user call
// (§3.10.1–§3.10.5), a timer (§3.10.8), or an answer to an arriving
// segment (§3.10.7).
type ruleKind uint8

const (
	// activeOpen: OPEN with the active flag in CLOSED, or SEND in LISTEN:
	// <SEQ=ISS><CTL=SYN> with a new ISS (§3.10.1, §3.10.2).
	activeOpen ruleKind = iota
	// synRetransmit: the SYN again, in SYN-SENT (§3.10.8).
	synRetransmit
	// synAckReply: LISTEN's answer to a SYN, <SEQ=ISS><ACK=RCV.NXT>
	// <CTL=SYN,ACK> with a new ISS (§3.10.7.2).
	synAckReply
	// synAckSimultaneous: SYN-SENT's answer to a SYN, the same with its
	// own ISS (§3.10.7.3, simultaneous open).
	synAckSimultaneous
	// synAckRetransmit: the SYN,ACK again, in SYN-RECEIVED (§3.10.8);
	// also Linux's answer to a retransmitted SYN there.
	synAckRetransmit
	// ackNow: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, the acknowledgment of
	// §3.10.7.4, sent at once or delayed, or a window update.
	ackNow
	// keepAlive: <SEQ=SND.UNA-1><ACK=RCV.NXT><CTL=ACK>, a keep-alive
	// (§3.8.4) or zero-window probe as Linux sends them; only with
	// Options.AllowKeepAlive, as it makes a pure ACK's SEQ one less
	// than SND.NXT acceptable.
	keepAlive
	// newData: SEND (§3.10.2), <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> with
	// any amount of data.
	newData
	// finSend: CLOSE (§3.10.4), <SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK>,
	// possibly with the last data.
	finSend
	// retransmit: unacknowledged data or FIN again (§3.10.8), any part of
	// [SND.UNA, SND.NXT), with the current RCV.NXT.
	retransmit
	// abortRST: ABORT (§3.10.5), <SEQ=SND.NXT><CTL=RST>; Linux adds
	// <ACK=RCV.NXT>, and sends it too when an application closes with
	// unread data (RFC 9293 §3.6 allows this: "RST ... data loss").
	abortRST
	// resetReply: the RST answering a segment where no connection takes
	// it (§3.10.7.1–§3.10.7.4): exact.
	resetReply
)

// rule is one segment an endpoint may send, in the state it is in.
type rule struct {
	kind ruleKind
	// exact and answers are resetReply's segment and the segment it
	// answers.
	exact, answers Segment
}

// spontaneous lists what e may send with no segment arriving: user calls
// and timers, and the acknowledgments it may owe. The order is fixed.
func (c *Checker) spontaneous(e endpoint) []rule {
	var rs []rule
	add := func(k ruleKind) { rs = append(rs, rule{kind: k}) }
	switch e.state {
	case model.Closed, model.Listen:
		add(activeOpen)
	case model.SynSent:
		add(synRetransmit)
	case model.SynReceived:
		add(synAckRetransmit)
		add(ackNow)
		if c.opts.AllowSynData {
			add(newData) // a Fast Open server answers before the handshake ends (RFC 7413 §4.2.2)
		}
		add(finSend)
		add(abortRST)
	default:
		add(ackNow)
		if c.opts.AllowKeepAlive {
			add(keepAlive)
		}
		switch e.state {
		case model.Established, model.CloseWait:
			add(newData)
			add(finSend)
		}
		if e.sndUna == e.iss {
			// CLOSE in SYN-RECEIVED left the SYN unacknowledged: it is
			// still at the front of the retransmission queue (§3.10.8).
			add(synAckRetransmit)
		}
		if e.unacked().start != e.sndNxt {
			add(retransmit)
		}
		switch e.state {
		case model.Established, model.FinWait1, model.FinWait2, model.CloseWait:
			add(abortRST)
		}
	}
	return rs
}

// check compares g with what r lets e send and returns every difference;
// none means r explains g.
func (c *Checker) check(r rule, e endpoint, g Segment) diffs {
	var d diffs
	switch r.kind {
	case activeOpen:
		d.flags(model.SYN, g.Flags)
		if !c.opts.AllowSynData {
			d.noData(g.Len)
		}
	case synRetransmit:
		d.flags(model.SYN, g.Flags)
		d.seq(e.iss, g.Seq)
		if g.Len != 0 && e.iss.Add(1+g.Len) != e.sndNxt {
			d.add(g.Len, "data must be the %d bytes first sent, got %d", e.sndNxt.Sub(e.iss)-1, g.Len)
		}
	case synAckReply:
		d.flags(model.SYN|model.ACK, g.Flags)
		d.ack(e.rcvNxt, g.Ack)
		d.noData(g.Len)
	case synAckSimultaneous, synAckRetransmit:
		d.flags(model.SYN|model.ACK, g.Flags)
		d.seq(e.iss, g.Seq)
		d.ack(e.rcvNxt, g.Ack)
		d.noData(g.Len)
	case ackNow:
		d.flags(model.ACK, g.Flags)
		d.seq(e.sndNxt, g.Seq)
		d.ack(e.rcvNxt, g.Ack)
		d.noData(g.Len)
	case keepAlive:
		d.flags(model.ACK, g.Flags)
		d.seq(e.sndUna.Add(^uint32(0)), g.Seq)
		d.ack(e.rcvNxt, g.Ack)
		if g.Len > 1 {
			d.add(g.Len, "must carry at most 1 byte, got %d", g.Len)
		}
	case newData:
		d.flags(model.ACK, g.Flags)
		d.seq(e.sndNxt, g.Seq)
		d.ack(e.rcvNxt, g.Ack)
		if g.Len == 0 {
			d.add(1, "must carry data, got none")
		}
	case finSend:
		d.flags(model.FIN|model.ACK, g.Flags)
		d.seq(e.sndNxt, g.Seq)
		d.ack(e.rcvNxt, g.Ack)
	case retransmit:
		d.retransmission(e, g)
	case abortRST:
		if g.Has(model.ACK) {
			d.flags(model.RST|model.ACK, g.Flags)
			d.ack(e.rcvNxt, g.Ack)
		} else {
			d.flags(model.RST, g.Flags)
		}
		d.seq(e.sndNxt, g.Seq)
		d.noData(g.Len)
	case resetReply:
		d.flags(r.exact.Flags, g.Flags)
		d.seq(r.exact.Seq, g.Seq)
		if r.exact.Has(model.ACK) {
			d.ack(r.exact.Ack, g.Ack)
		}
		d.noData(g.Len)
	}
	return d
}

// apply is e after sending g by rule r (which explains g).
func (c *Checker) apply(r rule, e endpoint, g Segment) endpoint {
	switch r.kind {
	case activeOpen:
		// Select an ISS, SND.UNA = ISS, SND.NXT = ISS+1 (and past any
		// data on the SYN), enter SYN-SENT (§3.10.1).
		return endpoint{state: model.SynSent, iss: g.Seq, sndUna: g.Seq, sndNxt: g.Seq.Add(g.SegLen())}
	case synAckReply:
		e.iss, e.sndUna, e.sndNxt = g.Seq, g.Seq, g.Seq.Add(1)
	case newData:
		e.sndNxt = e.sndNxt.Add(g.Len)
	case finSend:
		e.sndNxt = e.sndNxt.Add(g.SegLen())
		switch e.state {
		case model.CloseWait:
			e.state = model.LastAck // Figure 5: CLOSE-WAIT → LAST-ACK "CLOSE / snd FIN"
		default:
			e.state = model.FinWait1 // Figure 5: ESTAB (or SYN-RCVD) → FIN-WAIT-1 "CLOSE / snd FIN"
		}
	case abortRST:
		return closed
	}
	return e
}

// template writes what r lets e send, in the RFC's notation, and says
// what it is.
func (c *Checker) template(r rule, e endpoint) (seg, what string) {
	switch r.kind {
	case activeOpen:
		if c.opts.AllowSynData {
			return "<SEQ=any><CTL=SYN>[<DATA=n>]", "active OPEN"
		}
		return "<SEQ=any><CTL=SYN>", "active OPEN"
	case synRetransmit:
		return fmt.Sprintf("<SEQ=%d><CTL=SYN>", e.iss), "SYN retransmission"
	case synAckReply:
		return fmt.Sprintf("<SEQ=any><ACK=%d><CTL=SYN,ACK>", e.rcvNxt), "SYN,ACK answering the SYN"
	case synAckSimultaneous:
		return fmt.Sprintf("<SEQ=%d><ACK=%d><CTL=SYN,ACK>", e.iss, e.rcvNxt), "SYN,ACK answering the SYN (simultaneous open)"
	case synAckRetransmit:
		return fmt.Sprintf("<SEQ=%d><ACK=%d><CTL=SYN,ACK>", e.iss, e.rcvNxt), "SYN,ACK retransmission"
	case ackNow:
		return fmt.Sprintf("<SEQ=%d><ACK=%d><CTL=ACK>", e.sndNxt, e.rcvNxt), "acknowledgment or window update"
	case keepAlive:
		return fmt.Sprintf("<SEQ=%d><ACK=%d><CTL=ACK>", e.sndUna.Add(^uint32(0)), e.rcvNxt), "keep-alive or window probe"
	case newData:
		return fmt.Sprintf("<SEQ=%d><ACK=%d><CTL=ACK><DATA=n>", e.sndNxt, e.rcvNxt), "new data"
	case finSend:
		return fmt.Sprintf("<SEQ=%d><ACK=%d><CTL=FIN,ACK>[<DATA=n>]", e.sndNxt, e.rcvNxt), "FIN (CLOSE)"
	case retransmit:
		lo := e.unacked().start
		return fmt.Sprintf("<SEQ=%d..%d><ACK=%d><CTL=ACK>[<DATA=n>]", lo, e.sndNxt.Add(^uint32(0)), e.rcvNxt),
			fmt.Sprintf("retransmission of unacknowledged [%d, %d)", lo, e.sndNxt)
	case abortRST:
		return fmt.Sprintf("<SEQ=%d>[<ACK=%d>]<CTL=RST>", e.sndNxt, e.rcvNxt), "RST (ABORT, or CLOSE with unread data)"
	case resetReply:
		return r.exact.String(), "RST answering " + r.answers.String()
	}
	return "", ""
}

// diff is one way a segment differs from what a rule allows: a sentence,
// and how far off the number is (for ordering explanations, closest
// first).
type diff struct {
	msg  string
	dist uint32
}

// diffs collects the ways a segment differs from what a rule allows.
type diffs []diff

func (d *diffs) add(dist uint32, format string, args ...any) {
	*d = append(*d, diff{fmt.Sprintf(format, args...), dist})
}

func (d *diffs) flags(want, got model.Flags) {
	if want != got {
		d.add(1<<31, "flags must be %s, got %s", want, got)
	}
}

func (d *diffs) seq(want, got model.SeqNum) {
	if want != got {
		d.add(distance(want, got), "seq must be %d, got %d", want, got)
	}
}

func (d *diffs) ack(want, got model.SeqNum) {
	if want != got {
		d.add(distance(want, got), "ack must be %d, got %d", want, got)
	}
}

func (d *diffs) noData(n uint32) {
	if n != 0 {
		d.add(n, "must carry no data, got %d bytes", n)
	}
}

// distance is how far apart two sequence numbers are, either way round.
func distance(a, b model.SeqNum) uint32 {
	return min(a.Sub(b), b.Sub(a))
}

// retransmission checks g against a retransmission from e: the sequence
// space it occupies, [SEG.SEQ, SEG.SEQ+SEG.LEN), lies in the unacknowledged
// [SND.UNA, SND.NXT); it carries the FIN only if the FIN was sent and the
// segment ends with it; and it acknowledges the current RCV.NXT. Data may
// be cut or joined differently from the first transmission, as Linux does.
func (d *diffs) retransmission(e endpoint, g Segment) {
	want := model.ACK | g.Flags&model.FIN
	d.flags(want, g.Flags)
	d.ack(e.rcvNxt, g.Ack)
	end := g.Seq.Add(g.SegLen())
	lo := e.unacked().start
	dataEnd := e.sndNxt
	if e.finSent() {
		dataEnd = dataEnd.Add(^uint32(0))
	}
	switch {
	case g.SegLen() == 0:
		d.add(1, "must carry data or FIN, got neither")
	case !g.Seq.InWindow(lo, e.sndNxt.Sub(lo)):
		d.add(min(distance(lo, g.Seq), distance(e.sndNxt, g.Seq)), "seq must be in [%d, %d), got %d", lo, e.sndNxt, g.Seq)
	case g.Has(model.FIN) && (!e.finSent() || end != e.sndNxt):
		d.add(distance(e.sndNxt, end), "a retransmitted FIN must end at %d, got %d", e.sndNxt, end)
	case !g.Has(model.FIN) && !end.LessThanEq(dataEnd):
		d.add(distance(dataEnd, end), "data must end by %d, got %d", dataEnd, end)
	}
}
