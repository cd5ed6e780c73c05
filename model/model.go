package model

import (
	"iter"
	"slices"
	"sync"
)

// Model is the segment-level TCP model: two RFC 9293 endpoints and a lossy
// channel in each direction, bounded by a Config. It implements the
// checker's System interface (Init and Next) without importing it.
type Model struct {
	cfg   Config
	rules *[numRules]RuleFunc // the variant's rule table
	// otherChain is §3.10.7.4's chain without the rules that are no-ops
	// in the variant (TCP's segment/time-wait/syn).
	otherChain []ruleID
	// recorder is this model with a table that notes each rule a
	// transition applies (Model.Rules); recorded is the table it wraps.
	recorder *Model
	recorded *[numRules]RuleFunc
	// packing numbers the components of packed states (packed.go).
	packing *packing
	// replaced marks the rules the variant replaces.
	replaced [numRules]bool
}

// New returns the model for cfg, or an error naming the first field that
// is out of range.
func New(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, rules: cfg.Variant.table(), packing: newPacking()}
	for id := range m.replaced {
		m.replaced[id] = cfg.Variant.replaces(ruleID(id))
	}
	for _, id := range otherChain {
		if !cfg.Variant.inactive(id) {
			m.otherChain = append(m.otherChain, id)
		}
	}
	r := *m
	r.recorded, r.rules = m.rules, new([numRules]RuleFunc)
	for id := range r.rules {
		r.rules[id] = func(t *Transition, ev *Event) bool { return t.recordRule(ruleID(id), ev) }
	}
	m.recorder = &r
	return m, nil
}

// Config returns the model's configuration.
func (m *Model) Config() Config { return m.cfg }

// iss is the initial send sequence number chosen by side's OPEN number
// opens (1 for the first) with ISN choice i: the clock-driven generator of
// §3.4.1 has moved on by ISNStep between incarnations.
func (m *Model) iss(side Side, i uint8, opens uint8) SeqNum {
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
		m.successors(&s, func(a Action, t *Transition) bool { return yield(a, t.s) })
	}
}

// successors calls emit with each enabled transition of s, in the order
// of Next, until emit returns false: its action, and the transition,
// whose state is the successor, until emit returns. Next and AppendNext
// are both this.
func (m *Model) successors(s *State, emit func(Action, *Transition) bool) {
	if s.Overflow {
		return // as Step: an overflowed state has no successors
	}
	// Rules are called through the variant's table, so the transition
	// they change lives on the heap: one from a pool per state, not one
	// per action, with the candidates' buffer.
	t := transitions.Get().(*Transition)
	t.candidates = m.candidates(t.candidates[:0], s, false)
	for _, a := range t.candidates {
		// Step, without its copies of the state in and out.
		t.reset(m, s)
		if t.apply(a) && !emit(a, t) {
			break
		}
	}
	transitions.Put(t)
}

var transitions = sync.Pool{New: func() any { return new(Transition) }}

// disabledKinds reports, reading s in place, the kinds of action of side
// whose Step would fail for a reason plain from the guard's first test:
// bit k is set for kind k. Those are the state the call needs, the
// network's budget, an unarmed timer, and, for an OPEN or a timer whose
// rule the variant keeps, the rule's own guard (mayOpenPassive,
// mayOpenActive, retransmitDue, timeWaitOver). candidates leaves them
// out, so that the candidates most often disabled cost no copy of the
// state. It may leave a bit clear for an action that is disabled (Step
// then decides), never set one for an action that is enabled:
// TestNextAgreesWithStep checks this on every preset and variant.
func (m *Model) disabledKinds(s *State, side Side) uint32 {
	e := &s.Ep[side]
	var off uint32
	set := func(k ActionKind, disabled bool) {
		if disabled {
			off |= 1 << k
		}
	}
	own := func(id ruleID) bool { return !m.replaced[id] }
	set(PassiveOpen, e.State != Closed || own(ruleOpenPassive) && !m.mayOpenPassive(s, side))
	set(ActiveOpen, e.State != Closed && e.State != Listen || own(ruleOpenActive) && !m.mayOpenActive(s, side))
	set(SendData, e.State != Established && e.State != CloseWait)
	set(CloseCall, !m.cfg.Close || e.AppClosed)
	set(AbortCall, !m.cfg.Abort || e.State == Closed)
	set(Lose, int(s.Losses) >= m.cfg.MaxLosses)
	set(Duplicate, int(s.Dups) >= m.cfg.MaxDups)
	set(RetransmitTimeout, !retransmitting(e.State) || e.SndUna == e.SndNxt ||
		own(ruleRetransmit) && !m.retransmitDue(s, side))
	set(TimeWaitTimeout, e.State != TimeWait || own(ruleTimeWait) && !timeWaitOver(s, side))
	return off
}

// candidates appends to buf the candidate actions of s, less those
// disabled rules out unless all is set; Step decides which of them are
// enabled.
func (m *Model) candidates(buf []Action, s *State, all bool) []Action {
	var off uint32 // the kinds disabled rules out, for side
	on := func(k ActionKind) bool { return off>>k&1 == 0 }
	for _, side := range []Side{A, B} {
		e := &s.Ep[side]
		if !all {
			off = m.disabledKinds(s, side)
		}
		for _, k := range []ActionKind{PassiveOpen, SendData, CloseCall, AbortCall} {
			if on(k) {
				buf = append(buf, Action{Kind: k, Side: side})
			}
		}
		for i := 0; i < len(m.cfg.ISNs[side]) && on(ActiveOpen); i++ {
			buf = append(buf, Action{Kind: ActiveOpen, Side: side, ISN: uint8(i)})
		}
		in := &s.Ch[side.Peer()]
		oldest := true // no regular (not delayed) segment seen yet
		for i := 0; i < in.Len() && on(Deliver); i++ {
			g := &in.Segs[i]
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
				buf = append(buf, Action{Kind: Deliver, Side: side, Index: uint8(i), ISN: uint8(c), Seg: *g})
			}
		}
		out := &s.Ch[side]
		for i := 0; i < out.Len() && (on(Lose) || on(Duplicate)); i++ {
			// Losing either of two equal neighbours leaves the same
			// channel; duplicating any copy of a segment appends the
			// same copy.
			if on(Lose) && !sameAsPrevious(out, i) {
				buf = append(buf, Action{Kind: Lose, Side: side, Index: uint8(i), Seg: out.Segs[i]})
			}
			if on(Duplicate) && !earlier(out, i) {
				buf = append(buf, Action{Kind: Duplicate, Side: side, Index: uint8(i), Seg: out.Segs[i]})
			}
		}
		if on(RetransmitTimeout) {
			buf = append(buf, Action{Kind: RetransmitTimeout, Side: side, Index: e.Backoff})
		}
		if on(TimeWaitTimeout) {
			buf = append(buf, Action{Kind: TimeWaitTimeout, Side: side})
		}
		if side == B && m.cfg.AcceptBacklog > 0 {
			for _, a := range []Action{{Kind: OtherClient, Side: B}, {Kind: AcceptCall, Side: B}, {Kind: AcceptCall, Side: B, Index: 1}} {
				if on(a.Kind) {
					buf = append(buf, a)
				}
			}
		}
		if side == B && m.cfg.SynBacklog > 0 {
			if on(SpoofedSYN) {
				buf = append(buf, Action{Kind: SpoofedSYN, Side: B})
			}
			q := &s.Listen
			for i := 0; i < int(q.N) && on(HalfOpenTimeout); i++ {
				if i > 0 && q.Half[i] == q.Half[i-1] {
					continue // an equal entry: same successor
				}
				buf = append(buf, Action{Kind: HalfOpenTimeout, Side: B, Index: uint8(i)})
			}
		}
	}
	return buf
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
	t := Transition{m: m, s: s}
	if s.Overflow || !t.apply(a) {
		return State{}, false
	}
	return t.s, true
}

// Emitted returns the segments that taking a in s sends, in order (nil if
// a is not enabled), so that a diagram can label the transition
// "rcv SYN / snd SYN,ACK".
func (m *Model) Emitted(s State, a Action) []Segment {
	t := Transition{m: m, s: s, record: true}
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

// Transition is one transition being computed on a copy of the state:
// what a Rule reads and changes.
type Transition struct {
	m      *Model
	s      State
	record bool
	sent   []Segment
	// ackOwed: SEGMENT ARRIVES owes an acknowledgment, sent once at the
	// end of the checks (MUST-59).
	ackOwed bool
	// future: the arriving segment, trimmed, begins after RCV.NXT.
	future bool
	// closeAfterACK: delete the TCB once the pending acknowledgment is
	// sent (variant no-time-wait).
	closeAfterACK bool
	// timely: the segments sent now answer the arrival of a regular copy
	// of the peer's front segment (Segment.Timely).
	timely bool
	// iss is what rule isn/select chose.
	iss SeqNum
	// fired notes the rules that made the transition (Model.Rules), the
	// first nfired of them; emitted counts Emit's segments.
	fired   [16]ruleID
	nfired  int
	emitted int
	// ev and aux hold the event being processed and one a rule applies
	// in passing (time-wait/enter, isn/select), inside the transition so
	// that passing them to rules allocates nothing.
	ev, aux Event
	// candidates is successors' buffer; segments, AppendNext's cache.
	candidates []Action
	segments   segmentCache
}

// reset starts a transition of m from s, field by field (cheaper than
// assigning a whole new Transition to one on the heap).
func (t *Transition) reset(m *Model, s *State) {
	// Pointer fields are written only when they change: t lives on the
	// heap, where each pointer write costs a write barrier while the
	// collector runs.
	if t.m != m {
		t.m = m
	}
	if t.sent != nil {
		t.sent = nil
	}
	t.s = *s
	t.record, t.nfired, t.emitted = false, 0, 0
	t.ackOwed, t.future, t.closeAfterACK, t.timely = false, false, false, false
}

// rule applies the variant's rule id to ev. (Model.Rules runs the
// transition on a model whose table notes each rule: recordRule.)
func (t *Transition) rule(id ruleID, ev *Event) bool {
	return t.m.rules[id](t, ev)
}

// recordRule applies the variant's rule id to ev, noting it in t.fired
// if it disposed of the event or changed anything.
func (t *Transition) recordRule(id ruleID, ev *Event) bool {
	// What a rule can change: the endpoints, B's queues, the channels
	// (only by Emit, counted in t.emitted), and the segment the checks
	// after it see (trimmed, or taken for another).
	ep, listen, emitted, seg, at := t.s.Ep, t.s.Listen, t.emitted, ev.Seg, t.nfired
	noted := t.nfired < len(t.fired) // past len(t.fired) rules, the rest go unnoted
	if noted {
		t.fired[t.nfired] = id // in the order rules are entered
		t.nfired++
	}
	ok := t.m.recorded[id](t, ev)
	if noted && !ok && t.s.Ep == ep && t.s.Listen == listen && t.emitted == emitted && ev.Seg == seg {
		copy(t.fired[at:], t.fired[at+1:t.nfired])
		t.nfired--
	}
	return ok
}

// RuleNames lists the names of the model's rules (its variant's table),
// in the order of Rules: what a coverage report counts.
func (m *Model) RuleNames() []string {
	var out []string
	for _, r := range m.cfg.Variant.Rules() {
		out = append(out, r.Name)
	}
	return out
}

// Rules names the rules that made the transition from s by a, in the
// order they applied (nil if a is not enabled in s): each that disposed
// of its event or changed the state or sent a segment. The transition is
// computed again, so to is not needed.
func (m *Model) Rules(s *State, a Action, _ *State) []string {
	var ids [len(Transition{}.fired)]ruleID
	fired := ids[:m.fired(s, a, &ids)]
	if len(fired) == 0 {
		return nil
	}
	out := make([]string, 0, len(fired))
	for _, id := range fired {
		if name := tcpRules[id].Name; !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// RuleBits is Rules as a set: bit i is set if the rule RuleNames()[i]
// made the transition from s by a. It allocates nothing, and serves a
// count of every transition (verify's coverage).
func (m *Model) RuleBits(s *State, a Action, _ *State) uint64 {
	var ids [len(Transition{}.fired)]ruleID
	return ruleBits(ids[:m.fired(s, a, &ids)])
}

// ruleBits is the set of the rules ids, as RuleBits gives it: of a
// transition made with the recorder, its fired.
func ruleBits(ids []ruleID) uint64 {
	var bits uint64
	for _, id := range ids {
		bits |= 1 << id
	}
	return bits
}

// The rules are numbered as RuleNames lists them, and fit RuleBits.
var _ [64 - numRules]struct{}

// fired computes the transition from s by a again, recording the rules
// that made it into ids, in the order they applied, and returns how many
// (0 if a is not enabled in s).
func (m *Model) fired(s *State, a Action, ids *[len(Transition{}.fired)]ruleID) int {
	t := transitions.Get().(*Transition)
	defer transitions.Put(t)
	t.reset(m.recorder, s)
	if s.Overflow || !t.apply(a) {
		return 0
	}
	return copy(ids[:], t.fired[:t.nfired])
}

// State is the state being changed.
func (t *Transition) State() *State { return &t.s }

// Config is the model's configuration.
func (t *Transition) Config() *Config { return &t.m.cfg }

// OweACK asks for <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> to be sent once the
// checks of SEGMENT ARRIVES end (§3.10.7.4's "send an acknowledgment").
func (t *Transition) OweACK() { t.ackOwed = true }

// CloseAfterACK deletes the TCB once the checks of SEGMENT ARRIVES end and
// the acknowledgment owed is sent.
func (t *Transition) CloseAfterACK() { t.closeAfterACK = true }

// EnterTimeWait applies rule time-wait/enter to side.
func (t *Transition) EnterTimeWait(side Side) {
	t.aux = Event{Side: side}
	t.rule(ruleEnterTimeWait, &t.aux)
}

// SelectISS applies rule isn/select: the ISS of side's connection with
// ISN choice choice.
func (t *Transition) SelectISS(side Side, choice uint8) SeqNum {
	t.aux = Event{Side: side, ISN: choice}
	t.rule(ruleSelectISN, &t.aux)
	return t.iss
}

// selectISN is §3.4.1: the clock-driven ISN generator, moved on by
// ISNStep between incarnations.
func selectISN(t *Transition, ev *Event) bool {
	t.iss = t.m.iss(ev.Side, ev.ISN, t.s.Ep[ev.Side].Opens)
	return true
}

// apply performs a on t.s, reporting false when a is not enabled. A
// retransmission timer that starts or restarts in the transition marks
// the segments then in flight (Segment.Aged).
func (t *Transition) apply(a Action) bool {
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
func (t *Transition) act(a Action) bool {
	t.ev = Event{Side: a.Side, ISN: a.ISN, Index: a.Index}
	ev := &t.ev
	switch a.Kind {
	case PassiveOpen:
		return t.rule(ruleOpenPassive, ev)
	case ActiveOpen:
		return t.rule(ruleOpenActive, ev)
	case SendData:
		return t.rule(ruleSend, ev)
	case CloseCall:
		return t.rule(ruleClose, ev)
	case AbortCall:
		return t.rule(ruleAbort, ev)
	case Deliver:
		in := &t.s.Ch[a.Side.Peer()]
		if int(a.Index) >= in.Len() || in.At(int(a.Index)) != a.Seg {
			return false
		}
		in.remove(int(a.Index))
		// What the arrival of a regular copy of the sender's front segment
		// sends back is an answer within a round trip (see Segment.Timely).
		t.timely = frontCopy(&t.s.Ep[a.Side.Peer()], a.Seg)
		ev.Seg = a.Seg
		t.segmentArrives(ev)
		return true
	case Lose:
		return t.lose(a)
	case Duplicate:
		return t.duplicate(a)
	case RetransmitTimeout:
		return a.Index == t.s.Ep[a.Side].Backoff && t.rule(ruleRetransmit, ev)
	case TimeWaitTimeout:
		return t.rule(ruleTimeWait, ev)
	case SpoofedSYN:
		return t.rule(ruleSpoofedSYN, ev)
	case HalfOpenTimeout:
		return t.rule(ruleHalfOpen, ev)
	case OtherClient:
		return t.rule(ruleOtherClient, ev)
	case AcceptCall:
		return t.rule(ruleAccept, ev)
	}
	return false
}

// Emit sends g from side, stamping the ghosts: the incarnation, and
// whether it answers the arrival of the peer's front segment.
func (t *Transition) Emit(side Side, g Segment) {
	ch := &t.s.Ch[side]
	if ch.Len() >= t.m.cfg.Capacity {
		// The behaviour needs more than the model's bound: mark the
		// state, which then has no successors, so that the channel-bound
		// property reports it rather than the bound silently shaping
		// what is explored.
		t.s.Overflow = true
		t.emitted++
		return
	}
	g.Inc = t.s.Ep[side].Opens
	g.Timely = t.timely && g.Flags&(ACK|RST) != 0 // only an ACK or a RST holds a timer
	ch.push(g)
	t.emitted++
	if t.record {
		t.sent = append(t.sent, g)
	}
}

// SendACK sends <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, the acknowledgment
// form used throughout §3.10.7.4.
func (t *Transition) SendACK(side Side) {
	e := &t.s.Ep[side]
	t.Emit(side, Segment{Seq: e.SndNxt, Ack: e.RcvNxt, Flags: ACK})
}

// DeleteTCB enters CLOSED and forgets the connection's variables, keeping
// only what the application knows: how many times it opened, whether it
// closed, what it sent and received, and the error it was told.
func (t *Transition) DeleteTCB(side Side, err ErrorReport) {
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

// BackToListen returns a passively opened connection to LISTEN, flushing
// what it learned of the peer (§3.10.7.4 second and fourth steps, Note 1).
func (t *Transition) BackToListen(side Side) {
	e := &t.s.Ep[side]
	*e = Endpoint{State: Listen, Opens: e.Opens, Err: e.Err, Delivered: e.Delivered}
}

func (t *Transition) lose(a Action) bool {
	out := &t.s.Ch[a.Side]
	if int(t.s.Losses) >= t.m.cfg.MaxLosses || int(a.Index) >= out.Len() || out.At(int(a.Index)) != a.Seg {
		return false
	}
	out.remove(int(a.Index))
	t.s.Losses++
	return true
}

func (t *Transition) duplicate(a Action) bool {
	out := &t.s.Ch[a.Side]
	if int(t.s.Dups) >= t.m.cfg.MaxDups || int(a.Index) >= out.Len() || out.At(int(a.Index)) != a.Seg {
		return false
	}
	t.s.Dups++
	if out.Len() >= t.m.cfg.Capacity {
		t.s.Overflow = true // the copy needs more room than the bound
		return true
	}
	out.push(a.Seg.DelayedCopy())
	return true
}
