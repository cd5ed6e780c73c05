package model

import (
	"iter"
)

// Model is the segment-level TCP model: two RFC 9293 endpoints and a lossy
// channel in each direction, bounded by a Config. It implements the
// checker's System interface (Init and Next) without importing it.
type Model struct {
	cfg Config
}

// New returns the model for cfg, or an error naming the first field that
// is out of range.
func New(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Model{cfg: cfg}, nil
}

// Config returns the model's configuration.
func (m *Model) Config() Config { return m.cfg }

// iss is the initial send sequence number chosen by side's OPEN number
// opens (1 for the first) with ISN choice i: the clock-driven generator of
// §3.4.1 has moved on by ISNStep between incarnations.
func (m *Model) iss(side Side, i uint8, opens uint8) SeqNum {
	if m.cfg.Variant == FixedISN {
		return SeqNum(m.cfg.ISNs[side][i])
	}
	return SeqNum(m.cfg.ISNs[side][i]).Add(uint32(opens-1) * m.cfg.ISNStep)
}

// cookie is the ISS of a SYN cookie (RFC 4987 §3.6): the ISN clock's value
// mixed with the client's ISN, so that only the ACK of this SYN,ACK, from
// this client, validates it (as Linux recomputes the hash from
// SEG.SEQ-1), and no ordinary SYN,ACK's ISS is taken for a cookie.
func (m *Model) cookie(side Side, i uint8, opens uint8, irs SeqNum) SeqNum {
	return m.iss(side, i, opens).Add(uint32(irs)*2654435761 | 1)
}

// backlog is B's empty queues, with their capacities.
func (m *Model) backlog() Backlog {
	return Backlog{Cap: uint8(m.cfg.SynBacklog), AcceptCap: uint8(m.cfg.AcceptBacklog)}
}

// Init yields the initial states: both endpoints CLOSED, or for
// StartEstablished one ESTABLISHED connection per pair of ISN choices.
func (m *Model) Init() iter.Seq[State] {
	return func(yield func(State) bool) {
		if m.cfg.Start == StartClosed {
			yield(State{Listen: m.backlog()})
			return
		}
		for i := range m.cfg.ISNs[A] {
			for j := range m.cfg.ISNs[B] {
				s := m.established(uint8(i), uint8(j))
				s.Listen = m.backlog()
				if !yield(s) {
					return
				}
			}
		}
	}
}

// established is the state right after a three-way handshake in which A
// opened actively with ISN choice i and B passively with choice j.
func (m *Model) established(i, j uint8) State {
	var s State
	a, b := &s.Ep[A], &s.Ep[B]
	a.ISS, b.ISS = m.iss(A, i, 1), m.iss(B, j, 1)
	for _, p := range [][2]*Endpoint{{a, b}, {b, a}} {
		e, peer := p[0], p[1]
		e.State = Established
		e.Opens, e.PeerInc = 1, 1
		e.SndUna, e.SndNxt = e.ISS.Add(1), e.ISS.Add(1)
		e.IRS = peer.ISS
		e.RcvNxt = peer.ISS.Add(1)
	}
	b.Passive = true
	return s
}

// Next yields every enabled transition of s, in a fixed order: for A then
// B, the user calls, the deliveries to it, the losses and duplicates of
// what it sent, then its timers.
func (m *Model) Next(s State) iter.Seq2[Action, State] {
	return func(yield func(Action, State) bool) {
		if s.Overflow {
			return // as Step: an overflowed state has no successors
		}
		var t step
		for a := range m.actions(&s) {
			if m.disabled(&s, a) {
				continue
			}
			// Step, without its copies of the state in and out.
			t = step{m: m, s: s}
			if t.apply(a) && !yield(a, t.s) {
				return
			}
		}
	}
}

// disabled reports, reading s in place, that Step(s, a) would fail for a
// reason plain from the guard's first test: the state the call needs,
// the network's budget, an unarmed timer. Next asks it first so that the
// candidates most often disabled cost no copy of the state. It may answer
// false for an action that is disabled (Step then decides), never true
// for one that is enabled: TestNextAgreesWithStep checks this on every
// preset and variant.
func (m *Model) disabled(s *State, a Action) bool {
	e := &s.Ep[a.Side]
	switch a.Kind {
	case PassiveOpen:
		return e.State != Closed
	case ActiveOpen:
		return e.State != Closed && e.State != Listen
	case SendData:
		return e.State != Established && e.State != CloseWait
	case CloseCall:
		return !m.cfg.Close || e.AppClosed
	case AbortCall:
		return !m.cfg.Abort || e.State == Closed
	case Lose:
		return int(s.Losses) >= m.cfg.MaxLosses
	case Duplicate:
		return int(s.Dups) >= m.cfg.MaxDups
	case RetransmitTimeout:
		return !retransmitting(e.State) || e.SndUna == e.SndNxt
	case TimeWaitTimeout:
		return e.State != TimeWait
	}
	return false
}

// actions yields the candidate actions of s; Step decides which of them
// are enabled.
func (m *Model) actions(s *State) iter.Seq[Action] {
	return func(yield func(Action) bool) {
		for _, side := range []Side{A, B} {
			e := &s.Ep[side]
			for _, k := range []ActionKind{PassiveOpen, SendData, CloseCall, AbortCall} {
				if !yield(Action{Kind: k, Side: side}) {
					return
				}
			}
			for i := range m.cfg.ISNs[side] {
				if !yield(Action{Kind: ActiveOpen, Side: side, ISN: uint8(i)}) {
					return
				}
			}
			in := &s.Ch[side.Peer()]
			oldest := true // no regular (not delayed) segment seen yet
			for i := 0; i < in.Len(); i++ {
				g := in.At(i)
				if !g.Delayed {
					if !oldest && !m.cfg.Reorder {
						continue // FIFO: the oldest regular segment, or a delayed copy
					}
					oldest = false
				}
				if sameAsPrevious(in, i) {
					continue // taking out either of two equal neighbours leaves one channel
				}
				choices := 1
				if e.State == Listen && g.Flags&(SYN|RST|ACK) == SYN {
					choices = len(m.cfg.ISNs[side])
				}
				for c := 0; c < choices; c++ {
					if !yield(Action{Kind: Deliver, Side: side, Index: uint8(i), ISN: uint8(c), Seg: g}) {
						return
					}
				}
			}
			out := &s.Ch[side]
			for i := 0; i < out.Len(); i++ {
				// Losing either of two equal neighbours leaves the same
				// channel; duplicating any copy of a segment appends the
				// same copy.
				if !sameAsPrevious(out, i) {
					if !yield(Action{Kind: Lose, Side: side, Index: uint8(i), Seg: out.At(i)}) {
						return
					}
				}
				if !earlier(out, i) {
					if !yield(Action{Kind: Duplicate, Side: side, Index: uint8(i), Seg: out.At(i)}) {
						return
					}
				}
			}
			if !yield(Action{Kind: RetransmitTimeout, Side: side, Index: e.Backoff}) {
				return
			}
			if !yield(Action{Kind: TimeWaitTimeout, Side: side}) {
				return
			}
			if side == B && m.cfg.AcceptBacklog > 0 {
				for _, a := range []Action{{Kind: OtherClient, Side: B}, {Kind: AcceptCall, Side: B}, {Kind: AcceptCall, Side: B, Index: 1}} {
					if !yield(a) {
						return
					}
				}
			}
			if side == B && m.cfg.SynBacklog > 0 {
				if !yield(Action{Kind: SpoofedSYN, Side: B}) {
					return
				}
				q := &s.Listen
				for i := 0; i < int(q.N); i++ {
					if i > 0 && q.Half[i] == q.Half[i-1] {
						continue // an equal entry: same successor
					}
					if !yield(Action{Kind: HalfOpenTimeout, Side: B, Index: uint8(i)}) {
						return
					}
				}
			}
		}
	}
}

// sameAsPrevious reports whether the i-th segment of ch equals the one
// just before it: removing either (Deliver, Lose) leaves the same
// channel. Equal segments further apart are not interchangeable: taking
// out position 0 or 2 of [X, Y, X] leaves [Y, X] or [X, Y].
func sameAsPrevious(ch *Channel, i int) bool {
	return i > 0 && ch.Segs[i-1] == ch.Segs[i]
}

// earlier reports whether the i-th segment of ch also stands at an earlier
// position: duplicating either appends the same copy.
func earlier(ch *Channel, i int) bool {
	for j := 0; j < i; j++ {
		if ch.Segs[j] == ch.Segs[i] {
			return true
		}
	}
	return false
}

// Step applies a to s. It reports false when a is not enabled in s.
func (m *Model) Step(s State, a Action) (State, bool) {
	t := step{m: m, s: s}
	if s.Overflow || !t.apply(a) {
		return State{}, false
	}
	return t.s, true
}

// Emitted returns the segments that taking a in s sends, in order (nil if
// a is not enabled), so that a diagram can label the transition
// "rcv SYN / snd SYN,ACK".
func (m *Model) Emitted(s State, a Action) []Segment {
	t := step{m: m, s: s, record: true}
	if s.Overflow || !t.apply(a) {
		return nil
	}
	return t.sent
}

// Final reports whether s is a legitimate end of a behaviour, not a
// deadlock: nothing is in flight and each endpoint is at rest — CLOSED,
// LISTEN, or (when applications do not close) ESTABLISHED with its data
// sent. A state that overflowed a channel is an end too: the model's
// bound, not the protocol, stopped it.
func (m *Model) Final(s State) bool {
	if s.Overflow {
		return true // the end of what the bounds let the model explore
	}
	if s.InFlight() != 0 {
		return false
	}
	for _, side := range []Side{A, B} {
		e := &s.Ep[side]
		switch {
		case e.State == Closed, e.State == Listen:
		case e.State == Established && !m.cfg.Close && int(e.Sent) == m.cfg.Data[side]:
		default:
			return false
		}
	}
	return true
}

// step is one transition being computed on a copy of the state.
type step struct {
	m      *Model
	s      State
	record bool
	sent   []Segment
	// closeAfterACK: delete the TCB once the pending acknowledgment is
	// sent (variant NoTimeWait).
	closeAfterACK bool
	// timely: the segments sent now answer the arrival of a regular copy
	// of the peer's front segment (Segment.Timely).
	timely bool
}

// apply performs a on t.s, reporting false when a is not enabled. A
// retransmission timer that starts or restarts in the transition marks
// the segments then in flight (Segment.Aged).
func (t *step) apply(a Action) bool {
	marks := [2]timerMark{t.s.Ep[A].timerMark(), t.s.Ep[B].timerMark()}
	if !t.act(a) {
		return false
	}
	if a.Kind != RetransmitTimeout { // an expiry marks for itself
		for side := range marks {
			if t.s.Ep[side].timerRestarted(marks[side]) {
				t.s.markInFlight(Side(side))
			}
		}
	}
	return true
}

// act performs a on t.s, reporting false when a is not enabled.
func (t *step) act(a Action) bool {
	switch a.Kind {
	case PassiveOpen:
		return t.passiveOpen(a.Side)
	case ActiveOpen:
		return t.activeOpen(a.Side, a.ISN)
	case SendData:
		return t.send(a.Side)
	case CloseCall:
		return t.close(a.Side)
	case AbortCall:
		return t.abort(a.Side)
	case Deliver:
		in := &t.s.Ch[a.Side.Peer()]
		if int(a.Index) >= in.Len() || in.At(int(a.Index)) != a.Seg {
			return false
		}
		in.remove(int(a.Index))
		// What the arrival of a regular copy of the sender's front segment
		// sends back is an answer within a round trip (see Segment.Timely).
		t.timely = frontCopy(&t.s.Ep[a.Side.Peer()], a.Seg)
		t.segmentArrives(a.Side, a.Seg, a.ISN)
		return true
	case Lose:
		return t.lose(a)
	case Duplicate:
		return t.duplicate(a)
	case RetransmitTimeout:
		return a.Index == t.s.Ep[a.Side].Backoff && t.retransmitTimeout(a.Side)
	case TimeWaitTimeout:
		return t.timeWaitTimeout(a.Side)
	case SpoofedSYN:
		return t.spoofedSYN()
	case HalfOpenTimeout:
		return t.halfOpenTimeout(int(a.Index))
	case OtherClient:
		return t.otherClient()
	case AcceptCall:
		return t.accept(a.Index)
	}
	return false
}

// emit sends g from side, stamping the ghost incarnation.
func (t *step) emit(side Side, g Segment) {
	ch := &t.s.Ch[side]
	if ch.Len() >= t.m.cfg.Capacity {
		// The behaviour needs more than the model's bound: mark the
		// state, which then has no successors, so that the channel-bound
		// property reports it rather than the bound silently shaping
		// what is explored.
		t.s.Overflow = true
		return
	}
	g.Inc = t.s.Ep[side].Opens
	g.Timely = t.timely && g.Flags&(ACK|RST) != 0 // only an ACK or a RST holds a timer
	ch.push(g)
	if t.record {
		t.sent = append(t.sent, g)
	}
}

// sendACK sends <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, the acknowledgment
// form used throughout §3.10.7.4.
func (t *step) sendACK(side Side) {
	e := &t.s.Ep[side]
	t.emit(side, Segment{Seq: e.SndNxt, Ack: e.RcvNxt, Flags: ACK})
}

// deleteTCB enters CLOSED and forgets the connection's variables, keeping
// only what the application knows: how many times it opened, whether it
// closed, what it sent and received, and the error it was told.
func (t *step) deleteTCB(side Side, err ErrorReport) {
	e := &t.s.Ep[side]
	if err == NoError {
		err = e.Err
	}
	*e = Endpoint{
		Opens:     e.Opens,
		AppClosed: e.AppClosed,
		Aborted:   e.Aborted,
		Sent:      e.Sent,
		Delivered: e.Delivered,
		Err:       err,
	}
}

// backToListen returns a passively opened connection to LISTEN, flushing
// what it learned of the peer (§3.10.7.4 second and fourth steps, Note 1).
func (t *step) backToListen(side Side) {
	e := &t.s.Ep[side]
	*e = Endpoint{State: Listen, Opens: e.Opens, Err: e.Err, Delivered: e.Delivered}
}

func (t *step) lose(a Action) bool {
	out := &t.s.Ch[a.Side]
	if int(t.s.Losses) >= t.m.cfg.MaxLosses || int(a.Index) >= out.Len() || out.At(int(a.Index)) != a.Seg {
		return false
	}
	out.remove(int(a.Index))
	t.s.Losses++
	return true
}

func (t *step) duplicate(a Action) bool {
	out := &t.s.Ch[a.Side]
	if int(t.s.Dups) >= t.m.cfg.MaxDups || int(a.Index) >= out.Len() || out.At(int(a.Index)) != a.Seg {
		return false
	}
	t.s.Dups++
	if out.Len() >= t.m.cfg.Capacity {
		t.s.Overflow = true // the copy needs more room than the bound
		return true
	}
	g := a.Seg
	g.Delayed = true
	g.Timely = false // a delayed copy holds no timer
	out.push(g)
	return true
}
