package conform

import (
	"fmt"
	"time"

	"github.com/tcpcheck/tcpcheck/model"
)

// Options tune a check.
type Options struct {
	// AllowSynData accepts data on a SYN (TCP Fast Open, RFC 7413), and
	// a listener's data before the handshake ends. Without it such a SYN
	// violates no-data-on-syn.
	AllowSynData bool
	// AtSender says that the capture shows every segment each endpoint
	// sent (taken on loopback, or on both endpoints' hosts before any
	// loss): a sender's sequence numbers then never jump past what it
	// was seen to send. Without it, segments may be lost before the
	// capture point, and such a jump is a segment that was not seen.
	AtSender bool
	// Skew is the capture-order tolerance: a segment may be recorded up
	// to this long (and up to SkewSegments segments) before one that it
	// depends on. Zero means DefaultSkew; a negative value, none in time.
	Skew time.Duration
}

// DefaultSkew is the capture-order tolerance used when Options.Skew is
// zero. tcpdump timestamps packets on the CPU that hands them to the
// packet socket; two CPUs can record a sender's segments, or a segment
// and its answer, out of order, but only by the time one CPU takes to
// pass a packet through the stack: microseconds. A millisecond is ample
// and still far below any round-trip time a network adds.
const DefaultSkew = time.Millisecond

// SkewSegments bounds the capture-order tolerance in segments of the
// connection as well as in time: what a segment depends on must be
// recorded within this many segments after it. Time is the real bound
// (a loopback bulk transfer shows inversions across 8 segments within
// 11µs); this one keeps a capture without timestamps from waiting long.
const SkewSegments = 64

// Verdict is the outcome of a check: a value, not an error.
type Verdict uint8

const (
	// Conforms: some run of two correct endpoints over a network that
	// may lose, duplicate, reorder and delay segments puts exactly the
	// observed segments past the capture point.
	Conforms Verdict = iota
	// DoesNotConform: no run does; Result says where and why.
	DoesNotConform
)

func (v Verdict) String() string {
	if v == Conforms {
		return "conforms"
	}
	return "does not conform"
}

// Result is what a check found. The fields after Probes describe the
// first segment that was not explained, when there is one.
type Result struct {
	Verdict Verdict
	// Segments is how many segments were explained.
	Segments int
	// Handshake reports that the capture begins with the connection's
	// SYN. Without it the check began mid-connection: what each side
	// sent before the capture is assumed, not checked.
	Handshake bool
	// Incarnations is how many connections the capture shows on these
	// addresses and ports, one after the other (TIME-WAIT reuse, a new
	// connection after a RST).
	Incarnations int
	// Gaps counts segments beyond a hole in what their sender was seen
	// to send (a segment lost before the capture point, or reordered);
	// Retransmissions those that repeat sequence numbers already seen;
	// Probes keep-alives and zero-window probes (SEG.SEQ = SND.UNA-1,
	// §3.8.4, §3.8.6.1).
	Gaps, Retransmissions, Probes int
	// Index is the position (from 0) of the first segment not explained,
	// and Segment that segment.
	Index   int
	Segment Observation
	// Property is "no-data-on-syn" when the segment is a SYN carrying
	// data, and empty otherwise.
	Property string
	// Reason is one sentence saying why the segment is not explained.
	Reason string
	// Limitation names the flag or the documented assumption
	// (docs/conform.md) the verdict rests on, when one does.
	Limitation string
	// States are the states each endpoint could be in just before the
	// segment, in the order of §3.3.2.
	States [2][]model.ConnState
	// Instead is what the sender could have sent.
	Instead []Alternative
}

// Alternative is one segment the sender could have sent instead.
type Alternative struct {
	// Segment is a template in the RFC's notation, e.g.
	// "<SEQ=1001><ACK=..2001><CTL=ACK>"; "any" and "n" stand for free
	// values, brackets for optional parts, "..b" for at most b.
	Segment string
	// What says what it is, e.g. "acknowledgment".
	What string
	// States are the sender's states in which it is allowed.
	States []model.ConnState
	// Mismatch says how the observed segment differs from it.
	Mismatch []string
}

// Checker decides, one observed segment at a time, whether a capture of
// one connection (one pair of addresses and ports) is a behaviour of two
// correct endpoints. It keeps, for each endpoint, what it was seen to
// send and what it acknowledged and advertised, as positions and sets
// of intervals: the work per segment does not grow with the flight, and
// the memory only with the holes in it.
type Checker struct {
	opts Options
	h    [2]half
	// prev are the incarnations before this one, newest first, up to
	// maxPrev: delayed copies of their segments may still arrive (§3.4's
	// reason for the quiet time and TIME-WAIT). inPrev is set while a
	// segment is tried there.
	prev    [][2]half
	inPrev  bool
	pending []obligation
	res     Result
	done    bool
}

// half is what the capture shows of one endpoint in the current
// incarnation.
type half struct {
	sent bool  // it sent a segment
	sp   space // its sequence space
	// hasISS: its SYN was seen, with the ISS at position iss; synEnd is
	// the end of the SYN (and any data on it).
	hasISS      bool
	synIdx      int
	issSeq      model.SeqNum
	iss, synEnd int64
	sawSyn      bool // a SYN from it was seen, with window scale scale
	scale       int8
	peerSyn     bool // the peer sent a SYN since this side's last SYN,ACK
	fin         bool // its FIN was seen, at finPos
	finPos      int64
	finIdx      int
	rst         bool // it sent a RST; nothing it sent after may end past rstEnd
	rstEnd      int64
	rstIdx      int
	acked       bool // it acknowledged the peer's space up to ackHi
	ackHi       int64
	edge        bool // it advertised a window up to edgeHi of the peer's space
	edgeHi      int64
}

// obligation is a segment that is explained only if something it depends
// on is recorded soon after it (capture-order tolerance): side's space
// seen without holes up to need (cum), or the window its peer advertised
// reaching need (edge).
type obligation struct {
	v    violation
	side model.Side
	edge bool
	need int64
}

// The assumptions of docs/conform.md that a verdict may rest on, as the
// report names them.
const (
	limitSeen = "assumes every segment between the endpoints passes the capture point and is recorded " +
		"(docs/conform.md, assumptions 1, 2 and 4): packets dropped by the capture itself, or another path, look like this"
	limitMid = "the capture began mid-connection: what was sent before it is assumed only up to the first window seen " +
		"(docs/conform.md, assumption 6)"
)

// violation is a segment not explained and why.
type violation struct {
	index      int
	obs        Observation
	reason     string
	limitation string
	property   string
	alt        Alternative
	// states, when set, are both sides' states when the segment was
	// recorded (for a segment found unexplained later).
	states *[2][]model.ConnState
}

// New returns a checker at the start of a capture.
func New(opts Options) *Checker {
	switch {
	case opts.Skew == 0:
		opts.Skew = DefaultSkew
	case opts.Skew < 0:
		opts.Skew = 0 // no tolerance in time
	}
	return &Checker{opts: opts}
}

// Check runs a checker over a whole capture of one connection.
func Check(obs []Observation, opts Options) Result {
	c := New(opts)
	for _, o := range obs {
		if !c.Observe(o) {
			break
		}
	}
	return c.End()
}

// Result is the verdict on the segments observed so far, leaving aside
// those still waiting within the capture-order tolerance.
func (c *Checker) Result() Result { return c.res }

// Decided reports whether more segments cannot change the verdict: a
// segment was not explained, or both endpoints are done with the
// connection (a RST, or both FINs acknowledged) and nothing waits.
// (A new incarnation may still follow; it gets its own verdict only as
// part of this one.)
func (c *Checker) Decided() bool {
	if c.done {
		return true
	}
	if len(c.pending) > 0 || c.res.Segments == 0 {
		return false
	}
	if c.h[0].rst || c.h[1].rst {
		return true
	}
	return c.finAcked(model.A) && c.finAcked(model.B)
}

// End is the verdict once the capture has ended: a segment still waiting
// for what it depends on is not explained.
func (c *Checker) End() Result {
	if !c.done && len(c.pending) > 0 {
		c.fail(c.pending[0].v)
	}
	return c.res
}

// Observe explains the next captured segment of the connection. It
// reports false, and stops, at the first segment with no explanation
// (or when one recorded earlier is found to have none).
func (c *Checker) Observe(o Observation) bool {
	if c.done {
		return false
	}
	idx := c.res.Segments
	// What waited for longer than the tolerance was not explained.
	for _, ob := range c.pending {
		if idx-ob.v.index > SkewSegments || o.At-ob.v.obs.At > c.opts.Skew {
			c.fail(ob.v)
			return false
		}
	}
	if idx == 0 {
		c.res.Handshake = o.Has(model.SYN) && !o.Has(model.ACK)
		c.res.Incarnations = 1
	}
	if v := c.explain(o, idx); v != nil {
		if !c.explainInPrev(o, idx) {
			c.fail(*v)
			return false
		}
	}
	c.res.Segments++
	c.resolve()
	return true
}

// explainInPrev tries o as a delayed segment of the previous
// incarnation: it must be explained there at once, with nothing left to
// wait for.
func (c *Checker) explainInPrev(o Observation, idx int) bool {
	cur, pending := c.h, c.pending
	defer func() { c.h, c.pending, c.inPrev = cur, pending, false }()
	for i := range c.prev {
		c.h, c.pending, c.inPrev = c.prev[i], nil, true
		if c.explain(o, idx) == nil && len(c.pending) == 0 {
			c.prev[i] = c.h
			return true
		}
	}
	return false
}

// maxPrev bounds the earlier incarnations kept: each was closed, so only
// a few segments of it can still be in flight.
const maxPrev = 4

// resolve drops the obligations now met.
func (c *Checker) resolve() {
	kept := c.pending[:0]
	for _, ob := range c.pending {
		if !c.met(ob) {
			kept = append(kept, ob)
		}
	}
	c.pending = kept
}

func (c *Checker) met(ob obligation) bool {
	if ob.edge {
		p := &c.h[ob.side.Peer()]
		return p.edge && p.edgeHi >= ob.need
	}
	return c.h[ob.side].sp.cum >= ob.need
}

// wait records an obligation, unless it is already met.
func (c *Checker) wait(ob obligation) {
	if !c.met(ob) {
		ob.v.states = &[2][]model.ConnState{c.states(model.A), c.states(model.B)}
		c.pending = append(c.pending, ob)
	}
}

func (c *Checker) fail(v violation) {
	c.done = true
	r := &c.res
	r.Verdict = DoesNotConform
	r.Index, r.Segment = v.index, v.obs
	r.Segments = v.index
	r.Reason, r.Limitation, r.Property = v.reason, v.limitation, v.property
	x := v.obs.From
	if v.states != nil {
		r.States = *v.states
	} else {
		r.States[x] = c.states(x)
		r.States[x.Peer()] = c.states(x.Peer())
	}
	if v.alt.Segment != "" {
		v.alt.States = r.States[x]
		r.Instead = []Alternative{v.alt}
	}
}

// explain checks o, sent by o.From, against what its sender and the
// network could have done, and records what it shows.
func (c *Checker) explain(o Observation, idx int) *violation {
	x := o.From
	g := o.Segment
	bad := func(reason, limitation string, alt Alternative) *violation {
		return &violation{index: idx, obs: o, reason: reason, limitation: limitation, alt: alt}
	}
	// Seed §3, no-data-on-syn: no SYN carries data, unless Fast Open.
	if g.Has(model.SYN) && g.Len > 0 && !c.opts.AllowSynData {
		v := bad(fmt.Sprintf("a SYN must not carry data, and this one carries %d bytes (no-data-on-syn)", g.Len),
			"--allow-syn-data accepts TCP Fast Open (RFC 7413)",
			Alternative{Segment: fmt.Sprintf("<SEQ=%d><CTL=%s>", g.Seq, g.Flags), What: "SYN without data",
				Mismatch: []string{fmt.Sprintf("must carry no data, got %d bytes", g.Len)}})
		v.property = "no-data-on-syn"
		return v
	}
	if g.Has(model.SYN) {
		if v := c.syn(o, idx); v != nil {
			return v
		}
	} else if !c.h[x].sp.init && !g.Has(model.RST) {
		if !c.midstream() {
			return bad(fmt.Sprintf("%s sent a segment of a connection it never opened: the connection before on these ports ended, and no SYN began a new one (§3.4)", x),
				"", Alternative{Segment: "<SEQ=any><CTL=SYN>", What: "active OPEN", Mismatch: []string{fmt.Sprintf("flags must be SYN, got %s", g.Flags)}})
		}
		// Mid-connection start: what x sent before is not in the
		// capture, and is assumed.
		c.h[x].sp.start(g.Seq)
		c.h[x].sp.mid = true
	}
	h := &c.h[x]
	h.sent = true
	if h.sp.init {
		if v := c.sequence(o, idx); v != nil {
			return v
		}
	}
	if g.Has(model.ACK) {
		if v := c.acknowledgment(o, idx); v != nil {
			return v
		}
	}
	// A RST at or before the sender's ISS answers someone else's
	// segment (<SEQ=SEG.ACK><CTL=RST> to an unacceptable ACK in LISTEN,
	// SYN-SENT or SYN-RECEIVED, §3.10.7.2-4), and the sender keeps its
	// connection; only a RST past its ISS (an ABORT's <SEQ=SND.NXT>,
	// §3.10.5) ends it.
	if g.Has(model.RST) && !(h.hasISS && h.sp.init && h.sp.pos(g.Seq) <= h.iss) {
		h.rst, h.rstIdx = true, idx
		if h.sp.init {
			h.rstEnd = max(h.sp.hi, h.sp.pos(g.Seq))
		}
	}
	return nil
}

// syn handles a SYN or SYN,ACK: the sender's ISS (§3.4). A second ISS is
// a new incarnation, allowed only once the old one could be closed.
func (c *Checker) syn(o Observation, idx int) *violation {
	x, y := o.From, o.From.Peer()
	g := o.Segment
	h := &c.h[x]
	synAck := g.Has(model.ACK)
	newISS := h.hasISS && g.Seq != h.issSeq || !h.hasISS && h.sent && h.sp.init
	if newISS {
		if c.inPrev || !c.mayReopen(x, synAck) {
			what, was := "SYN retransmission", "its SYN"
			if synAck {
				what = "SYN,ACK retransmission"
			}
			alt := Alternative{What: what}
			reason := ""
			if h.hasISS {
				alt.Segment = fmt.Sprintf("<SEQ=%d><CTL=%s>", h.issSeq, g.Flags)
				alt.Mismatch = []string{fmt.Sprintf("seq must be %d, got %d", h.issSeq, g.Seq)}
				reason = fmt.Sprintf("%s sent a second ISS, %d, while its connection with ISS %d (%s at segment %d) could not be closed", x, g.Seq, h.issSeq, was, h.synIdx+1)
			} else {
				alt.Segment = "no SYN"
				alt.Mismatch = []string{"a SYN needs the connection CLOSED"}
				reason = fmt.Sprintf("%s sent a SYN in the middle of a connection that could not be closed", x)
			}
			if synAck {
				reason += ": a listener answers with a new ISS only a new SYN, after giving up the old one (§3.10.7.2)"
			} else {
				reason += ": it had neither sent nor received a RST, and its FIN was not acknowledged (§3.4, §3.5)"
			}
			return &violation{index: idx, obs: o, reason: reason, alt: alt}
		}
		if v := c.newIncarnation(x, synAck); v != nil {
			return v
		}
	}
	h = &c.h[x]
	if !h.hasISS {
		if !h.sp.init {
			h.sp.start(g.Seq)
		}
		h.hasISS, h.issSeq = true, g.Seq
		h.rst = false // a RST before its SYN answered from CLOSED or LISTEN
		h.iss = h.sp.pos(g.Seq)
		h.synEnd = h.iss + int64(g.SegLen())
		h.synIdx = idx
	}
	h.sawSyn, h.scale = true, g.Scale
	if synAck {
		h.peerSyn = false
	} else {
		c.h[y].peerSyn = true
	}
	return nil
}

// mayReopen reports whether x could have left the incarnation so far
// and started a new one with a new ISS. A SYN: after a RST either way,
// once its FIN was acknowledged (TIME-WAIT, or its FIN-WAIT-2 timer), or
// when it never acknowledged anything, so that it may have been in
// SYN-SENT, where CLOSE and ABORT delete the TCB without a word
// (§3.10.4, §3.10.5). A SYN,ACK: a listener that gave up SYN-RECEIVED answers the
// peer's next SYN anew.
func (c *Checker) mayReopen(x model.Side, synAck bool) bool {
	h, p := &c.h[x], &c.h[x.Peer()]
	if h.rst || p.rst {
		return true
	}
	if synAck {
		return !c.synchronized(x) && h.peerSyn
	}
	return c.finAcked(x) || !h.acked
}

// midstream reports whether a space not yet met may begin anywhere: in
// the first incarnation the capture shows, which may have begun before
// the capture did; later ones begin with a SYN.
func (c *Checker) midstream() bool { return len(c.prev) == 0 && !c.inPrev }

// synchronized reports whether x's SYN was acknowledged, or the capture
// began after it (§3.5.2).
func (c *Checker) synchronized(x model.Side) bool {
	h, p := &c.h[x], &c.h[x.Peer()]
	return !h.hasISS || p.acked && p.ackHi > h.iss
}

// finAcked reports whether x's FIN was seen acknowledged.
func (c *Checker) finAcked(x model.Side) bool {
	h, p := &c.h[x], &c.h[x.Peer()]
	return h.fin && p.acked && p.ackHi > h.finPos
}

// newIncarnation forgets both endpoints: a new connection on the same
// addresses and ports (§3.4). What the old one still waited for is not
// explained.
// A listener that answers anew (a SYN,ACK with a new ISS) starts over on
// its side only: the peer's SYN is the same one, retransmitted, and only
// what the peer acknowledged and advertised of x's old space goes.
func (c *Checker) newIncarnation(x model.Side, synAck bool) *violation {
	if len(c.pending) > 0 {
		v := c.pending[0].v
		return &v
	}
	c.prev = append([][2]half{c.h}, c.prev[:min(len(c.prev), maxPrev-1)]...)
	if synAck {
		p := &c.h[x.Peer()]
		p.acked, p.edge = false, false
		c.h[x] = half{}
		return nil
	}
	c.h = [2]half{}
	c.res.Incarnations++
	return nil
}

// sequence checks where o lies in its sender's sequence space: never
// past the window its peer advertised, never new data after its own RST
// or FIN, and (AtSender) never past what it was seen to send.
func (c *Checker) sequence(o Observation, idx int) *violation {
	x := o.From
	g := o.Segment
	h, p := &c.h[x], &c.h[x.Peer()]
	start := h.sp.pos(g.Seq)
	end := start + int64(g.SegLen())
	seqAt := func(q int64) model.SeqNum { return h.sp.seq(q) }
	bad := func(reason, limitation, seg, what, mismatch string) *violation {
		return &violation{index: idx, obs: o, reason: reason, limitation: limitation,
			alt: Alternative{Segment: seg, What: what, Mismatch: []string{mismatch}}}
	}
	if h.hasISS && start < h.iss && !g.Has(model.RST) {
		return bad(fmt.Sprintf("%s sent sequence numbers before its ISS %d", x, h.issSeq), "",
			fmt.Sprintf("<SEQ=%d..>", h.issSeq), "a segment of this connection",
			fmt.Sprintf("seq must be at least %d, got %d", h.issSeq, g.Seq))
	}
	dataEnd := start + int64(g.Len)
	if g.Has(model.SYN) {
		dataEnd++
	}
	// After its own RST it has no TCB (§3.10.5, §3.10.7.4): anything
	// later is a copy of what it sent before, delayed or duplicated.
	if h.rst && !g.Has(model.RST) && g.SegLen() > 0 && end > h.rstEnd && !g.Has(model.SYN) {
		return bad(fmt.Sprintf("%s sent sequence numbers it had not reached when it sent its RST (segment %d): after a RST it has no connection (§3.10.5)", x, h.rstIdx+1),
			"", fmt.Sprintf("<SEQ=..%d>", seqAt(h.rstEnd)), "a delayed copy of a segment sent before the RST",
			fmt.Sprintf("must end by %d, got %d", seqAt(h.rstEnd), seqAt(end)))
	}
	switch {
	case h.fin && g.Has(model.FIN) && end-1 != h.finPos:
		return bad(fmt.Sprintf("%s sent a second FIN at another place than its first (segment %d): the FIN is the last sequence number (§3.6)", x, h.finIdx+1),
			"", fmt.Sprintf("<SEQ=..%d><CTL=FIN,ACK>", seqAt(h.finPos)), "FIN retransmission",
			fmt.Sprintf("the FIN must be at %d, got %d", seqAt(h.finPos), seqAt(end-1)))
	case h.fin && g.Len > 0 && dataEnd > h.finPos:
		return bad(fmt.Sprintf("%s sent data after its FIN (segment %d): after CLOSE there is no more to send (§3.10.4)", x, h.finIdx+1),
			"", fmt.Sprintf("<SEQ=..%d>", seqAt(h.finPos)), "retransmission of data before the FIN",
			fmt.Sprintf("data must end by %d, got %d", seqAt(h.finPos), seqAt(dataEnd)))
	case h.fin && g.SegLen() == 0 && !g.Has(model.RST) && start > h.finPos+1:
		return bad(fmt.Sprintf("%s sent a SEQ past its FIN (segment %d)", x, h.finIdx+1),
			"", fmt.Sprintf("<SEQ=..%d><CTL=ACK>", seqAt(h.finPos+1)), "acknowledgment",
			fmt.Sprintf("seq must be at most %d, got %d", seqAt(h.finPos+1), g.Seq))
	case !h.fin && g.Has(model.FIN):
		if h.sp.hi > end-1 && !(h.rst && end <= h.rstEnd) {
			return bad(fmt.Sprintf("%s sent a FIN before data it had already sent: the FIN is the last sequence number (§3.6)", x),
				"", fmt.Sprintf("<SEQ=%d><CTL=FIN,ACK>", seqAt(h.sp.hi)), "FIN (CLOSE)",
				fmt.Sprintf("the FIN must be at %d or later, got %d", seqAt(h.sp.hi), seqAt(end-1)))
		}
		h.fin, h.finPos, h.finIdx = true, end-1, idx
	}
	// Never past the right edge of the window the peer advertised
	// (§3.8.6): SND.NXT =< SND.UNA+SND.WND, but for one byte of a
	// zero-window probe (§3.8.6.1). A FIN, and the SND.NXT after it,
	// may be one past (Linux sends its FIN whatever the window).
	// A RST carries no data, and one answering a segment (<SEQ=0> from
	// CLOSED, <SEQ=SEG.ACK>) is not at the sender's SND.NXT at all.
	if lim, ok := c.limit(x); ok && !g.Has(model.RST) {
		top := start // a SEQ is SND.NXT or less
		if g.Len > 0 {
			top = dataEnd
		}
		if h.fin && g.Len == 0 && start > h.finPos {
			top = lim // the SND.NXT after the FIN, checked above
		}
		if top > lim+1 {
			v := bad(fmt.Sprintf("%s sent past the right edge of every window %s was seen to advertise (§3.8.6: a sender stays within SND.UNA+SND.WND)", x, x.Peer()),
				limitSeen, fmt.Sprintf("<SEQ=..%d>", seqAt(lim)), "a segment within the window",
				fmt.Sprintf("must end by %d, got %d", seqAt(lim+1), seqAt(top)))
			c.wait(obligation{v: *v, side: x, edge: true, need: top - 1})
		}
	}
	// At the sender, nothing is lost before the capture: a segment
	// starts at or before SND.NXT, the end of what was seen.
	if c.opts.AtSender && start > h.sp.hi && !(h.rst && g.Has(model.RST)) {
		v := bad(fmt.Sprintf("%s sent a SEQ beyond everything it was seen to send, yet the capture shows all it sent", x),
			"--at-sender: without it, the sequence numbers in between are taken as lost before the capture point",
			fmt.Sprintf("<SEQ=..%d>", seqAt(h.sp.hi)), "a segment from SND.NXT or before",
			fmt.Sprintf("seq must be at most %d, got %d", seqAt(h.sp.hi), g.Seq))
		c.wait(obligation{v: *v, side: x, need: start})
	}
	if g.SegLen() > 0 {
		switch {
		case start < h.sp.hi:
			c.res.Retransmissions++
		case start > h.sp.hi:
			c.res.Gaps++
		}
	} else if p.acked && start == p.ackHi-1 && h.sp.hi >= p.ackHi {
		c.res.Probes++
	}
	h.sp.cover(start, end)
	return nil
}

// limit is the end of the sequence space x may have reached: the right
// edge of the windows its peer advertised, or, before the peer has
// advertised any, the end of x's SYN (nothing else may be sent before
// the handshake, §3.10.7.3, unless Fast Open).
func (c *Checker) limit(x model.Side) (int64, bool) {
	h, p := &c.h[x], &c.h[x.Peer()]
	if p.edge {
		return p.edgeHi, true
	}
	if h.hasISS && !c.opts.AllowSynData {
		return h.synEnd - 1, true
	}
	return 0, false
}

// shift is the window-scale shift that applies to g from x (RFC 7323
// §2.2): none on a SYN; the sender's, when both SYNs carried the option;
// none when a SYN was seen without it; and the largest (14, §2.3) when
// the handshake was not seen, so that the window is never taken smaller
// than it was.
func (c *Checker) shift(x model.Side, g Segment) uint {
	if g.Has(model.SYN) {
		return 0
	}
	h, p := &c.h[x], &c.h[x.Peer()]
	if !h.sawSyn || !p.sawSyn {
		return 14
	}
	if h.scale == NoScale || p.scale == NoScale {
		return 0
	}
	return uint(min(h.scale, 14))
}

// acknowledgment checks o's ACK field against what the peer was seen to
// send: an endpoint acknowledges only what arrived, and what arrived
// passed the capture point first (RCV.NXT, §3.10.7.4).
func (c *Checker) acknowledgment(o Observation, idx int) *violation {
	x, y := o.From, o.From.Peer()
	g := o.Segment
	h, p := &c.h[x], &c.h[y]
	bad := func(reason, seg, what, mismatch string) *violation {
		return &violation{index: idx, obs: o, reason: reason,
			alt: Alternative{Segment: seg, What: what, Mismatch: []string{mismatch}}}
	}
	if !p.sp.init {
		if !c.midstream() {
			return bad(fmt.Sprintf("%s acknowledged a connection of %s's that no SYN began: the connection before on these ports ended (§3.4)", x, y),
				"<SEQ=any><CTL=SYN>", "no acknowledgment before the peer's SYN", fmt.Sprintf("ack must be of %s's SYN, got %d", y, g.Ack))
		}
		p.sp.start(g.Ack) // mid-connection start: acknowledged before the capture
		p.sp.mid = true
	}
	v := p.sp.pos(g.Ack)
	ackOf := func(bound model.SeqNum) string {
		s := fmt.Sprintf("<SEQ=%d><ACK=..%d><CTL=%s>", g.Seq, bound, g.Flags)
		if g.Len > 0 {
			s += fmt.Sprintf("<DATA=%d>", g.Len)
		}
		return s
	}
	if p.hasISS && v <= p.iss {
		return bad(fmt.Sprintf("%s acknowledged nothing of %s's SYN, which every ACK of a connection does (§3.4)", x, y),
			fmt.Sprintf("<ACK=%d..>", p.issSeq.Add(1)), "an acknowledgment of the SYN",
			fmt.Sprintf("ack must be at least %d, got %d", p.issSeq.Add(1), g.Ack))
	}
	// A SYN,ACK answers the SYN: RCV.NXT = SEG.SEQ+1 (§3.10.7.2), past
	// the SYN's data if a Fast Open listener took it (RFC 7413 §4.2.2);
	// data cannot arrive before the handshake's ACK, so no later
	// SYN,ACK carries more.
	if g.Has(model.SYN|model.ACK) && p.hasISS && v != p.iss+1 && v != p.synEnd {
		w := p.issSeq.Add(1)
		return bad(fmt.Sprintf("%s's SYN,ACK acknowledged other than %s's SYN: it answers the SYN with RCV.NXT = SEG.SEQ+1 (§3.10.7.2)", x, y),
			ackOf(w), "SYN,ACK answering the SYN", fmt.Sprintf("ack must be %d, got %d", w, g.Ack))
	}
	edge := v + int64(g.Wnd)<<c.shift(x, g)
	if p.sp.mid && !p.sp.hasPre {
		// In flight when the capture began: at most up to the right
		// edge of the window x advertised then, which is no larger
		// than the first one seen (§3.8.6: windows do not shrink).
		p.sp.hasPre, p.sp.preLimit = true, edge
	}
	if v > p.sp.cum && p.sp.mid && v <= p.sp.preLimit {
		p.sp.cover(p.sp.cum, v) // sent before the capture began, and arrived
	}
	if v > p.sp.cum {
		cum := p.sp.seq(p.sp.cum)
		what := "acknowledgment of what " + y.String() + " was seen to send"
		if g.Has(model.SYN) {
			what = "SYN,ACK answering the SYN"
		}
		w := bad(fmt.Sprintf("%s acknowledged sequence numbers %s was never seen to send: an endpoint acknowledges only what arrived (§3.10.7.4), and all that arrives passes the capture point", x, y),
			ackOf(cum), what, fmt.Sprintf("ack must be at most %d, got %d", cum, g.Ack))
		w.limitation = limitSeen
		if p.sp.mid {
			w.limitation = limitMid
		}
		c.wait(obligation{v: *w, side: y, need: v})
	}
	if !h.acked || v > h.ackHi {
		h.acked, h.ackHi = true, v
	}
	if !h.edge || edge > h.edgeHi {
		h.edge, h.edgeHi = true, edge
	}
	return nil
}

// states are the states x could be in (§3.3.2), from what it sent and
// acknowledged and what it may have received of what its peer sent.
func (c *Checker) states(x model.Side) []model.ConnState {
	h, p := &c.h[x], &c.h[x.Peer()]
	var set [16]bool
	add := func(s model.ConnState) { set[s] = true }
	switch {
	case h.rst || c.done && !h.sent && p.rst:
		add(model.Closed)
	case !h.sent:
		add(model.Closed)
		add(model.Listen)
		if p.hasISS {
			add(model.SynReceived)
		}
	default:
		rcvSyn := !h.hasISS || h.acked && (!p.hasISS || h.ackHi > p.iss) || p.sawSyn
		for _, synAcked := range []bool{c.synchronized(x), true} {
			for _, finAckedArrived := range []bool{false, c.finAcked(x)} {
				finRcvd := []bool{false}
				if p.fin && (!h.acked || h.ackHi <= p.finPos) {
					finRcvd = append(finRcvd, true) // in flight: arrived or not
				} else if p.fin {
					finRcvd = []bool{true}
				}
				for _, fr := range finRcvd {
					add(stateOf(h.hasISS && !rcvSyn, synAcked, h.fin, finAckedArrived, fr))
				}
				if p.rst {
					add(model.Closed)
				}
			}
			if c.synchronized(x) {
				break
			}
		}
	}
	var out []model.ConnState
	for _, s := range model.ConnStates {
		if set[s] {
			out = append(out, s)
		}
	}
	return out
}

// stateOf is the state of §3.3.2 reached by an endpoint that has sent its
// SYN and may have had it acknowledged, sent its FIN and had that
// acknowledged, and received the peer's FIN (Figure 5).
func stateOf(synSent, synAcked, finSent, finAcked, finRcvd bool) model.ConnState {
	switch {
	case synSent:
		return model.SynSent
	case !synAcked && !finSent:
		return model.SynReceived
	case !finSent && !finRcvd:
		return model.Established
	case !finSent:
		return model.CloseWait
	case !finRcvd && finAcked:
		return model.FinWait2
	case !finRcvd:
		return model.FinWait1
	case finAcked:
		return model.TimeWait
	}
	return model.Closing
}
