package conform

import (
	"fmt"
	"slices"

	"github.com/tcpcheck/tcpcheck/model"
)

// Options tune a check.
type Options struct {
	// AllowSynData accepts data on a SYN (TCP Fast Open, RFC 7413).
	// Without it such a SYN violates no-data-on-syn.
	AllowSynData bool
	// AllowKeepAlive accepts keep-alives and zero-window probes
	// (§3.8.4): <SEQ=SND.UNA-1><ACK=RCV.NXT><CTL=ACK>, with at most one
	// byte. Without it, a pure ACK must carry SEQ=SND.NXT.
	AllowKeepAlive bool
	// MaxConfigs bounds the configurations held while explaining one
	// segment; past it the verdict is Unknown. Zero means
	// DefaultMaxConfigs.
	MaxConfigs int
}

// DefaultMaxConfigs is the bound used when Options.MaxConfigs is zero.
const DefaultMaxConfigs = 200000

// Verdict is the outcome of a check: a value, not an error.
type Verdict uint8

const (
	// Conforms: some behaviour of the model sends exactly the observed
	// segments, in the observed order.
	Conforms Verdict = iota
	// DoesNotConform: no behaviour does; Result says where and why.
	DoesNotConform
	// Unknown: the search held more configurations than allowed.
	Unknown
)

func (v Verdict) String() string {
	switch v {
	case Conforms:
		return "conforms"
	case DoesNotConform:
		return "does not conform"
	}
	return "unknown"
}

// Result is what a check found. The fields after Segments describe the
// first segment that was not explained, when there is one.
type Result struct {
	Verdict Verdict
	// Segments is how many segments were explained.
	Segments int
	// Index is the position (from 0) of the first segment not explained,
	// and Segment that segment.
	Index   int
	Segment Observation
	// Property is "no-data-on-syn" when the segment is a SYN carrying
	// data, and empty otherwise.
	Property string
	// Reason is one sentence saying why the segment is not explained.
	Reason string
	// States are the states each endpoint could be in just before the
	// segment, in the order of §3.3.2.
	States [2][]model.ConnState
	// Instead is what the sender could have sent, closest first.
	Instead []Alternative
	// Peak is the largest number of configurations held at once.
	Peak int
}

// Alternative is one segment the sender could have sent instead.
type Alternative struct {
	// Segment is a template in the RFC's notation, e.g.
	// "<SEQ=1001><ACK=2001><CTL=ACK>"; "any" and "n" stand for free
	// values, brackets for optional parts, "a..b" for a range.
	Segment string
	// What says what it is, e.g. "acknowledgment or window update".
	What string
	// States are the sender's states in which it is allowed.
	States []model.ConnState
	// Mismatch says how the observed segment differs from it.
	Mismatch []string
}

// config is one possible global state between two observations: both
// endpoints and, for each side, how many of the segments it sent have
// left the network (delivered or lost). Channels are first in, first
// out, so the segments still in flight from a side are exactly those it
// sent from head on, and a loss can wait until the segment would be
// next: the network is a head index per side.
type config struct {
	ep   [2]endpoint
	head [2]int32
}

// Checker decides, one observed segment at a time, whether a capture of
// one connection is a behaviour of the model. It holds every
// configuration the connection could be in after the segments observed
// so far.
type Checker struct {
	opts Options
	// sent are the segments each side sent, in order: the segments of
	// the channel from that side, delivered, lost or still in flight.
	sent [2][]Segment
	// sentAt is the position in the capture of each segment in sent, and
	// last that of each side's latest segment (-1 before its first).
	sentAt [2][]int
	last   [2]int
	set    []config
	res    Result
	done   bool
}

// New returns a checker at the start of a capture: both endpoints
// CLOSED, nothing in flight. (A listener is one unobserved passive OPEN
// away.)
func New(opts Options) *Checker {
	if opts.MaxConfigs <= 0 {
		opts.MaxConfigs = DefaultMaxConfigs
	}
	return &Checker{opts: opts, set: []config{{}}, last: [2]int{-1, -1}, res: Result{Peak: 1}}
}

// Check runs a checker over a whole capture of one connection.
func Check(obs []Observation, opts Options) Result {
	c := New(opts)
	for _, o := range obs {
		if !c.Observe(o) {
			break
		}
	}
	return c.Result()
}

// Result is the verdict on the segments observed so far.
func (c *Checker) Result() Result { return c.res }

// Observe explains the next captured segment: it keeps every
// configuration in which, after any number of unobserved events, the
// segment's sender sends exactly this segment. It reports false, and
// stops, at the first segment with no explanation.
//
// Unobserved events are what a capture at the senders cannot show:
// deliveries (in order) and losses of segments in flight, timer expiries
// and application calls that send nothing. Only the sender's side is
// advanced: delivering a segment to the other side commutes with this
// send, so it waits until that side next sends.
func (c *Checker) Observe(o Observation) bool {
	if c.done {
		return false
	}
	x := o.From
	g := o.Segment
	around, ok := c.closure(c.set, x)
	if !ok {
		c.stop(o, Unknown, fmt.Sprintf("more than %d configurations were possible before this segment", c.opts.MaxConfigs), around)
		return false
	}
	var next []config
	seen := map[config]bool{}
	keep := func(n config) {
		if !seen[n] {
			seen[n] = true
			next = append(next, n)
		}
	}
	for _, cf := range around {
		e := cf.ep[x]
		for _, r := range c.spontaneous(e) {
			if len(c.check(r, e, g)) == 0 {
				n := cf
				n.ep[x] = c.apply(r, e, g)
				keep(n)
			}
		}
		for _, a := range c.answers(cf, x) {
			if len(c.check(*a.out.reply, a.out.ep, g)) == 0 {
				n := a.cf
				n.ep[x] = c.apply(*a.out.reply, a.out.ep, g)
				keep(n)
			}
		}
	}
	if g.Has(model.SYN) && g.Len > 0 && !c.opts.AllowSynData {
		c.stop(o, DoesNotConform, fmt.Sprintf("a SYN must not carry data, and this one carries %d bytes (no-data-on-syn; --allow-syn-data accepts TCP Fast Open)", g.Len), around)
		c.res.Property = "no-data-on-syn"
		return false
	}
	if len(next) == 0 {
		c.stop(o, DoesNotConform, fmt.Sprintf("%s could not have sent it in any state it could be in", x), around)
		return false
	}
	c.sent[x] = append(c.sent[x], g)
	c.sentAt[x] = append(c.sentAt[x], c.res.Segments)
	c.last[x] = c.res.Segments
	c.set = c.prune(next)
	c.res.Segments++
	c.res.Peak = max(c.res.Peak, len(around), len(c.set))
	return true
}

// answer is a delivery whose receiver must send a reply at once: the
// configuration after the delivery, and the outcome with its reply.
type answer struct {
	cf  config
	out outcome
}

// answers lists the replies x could send by receiving the segment at the
// head of the channel towards it (§3.10.7): RSTs and SYN,ACKs.
func (c *Checker) answers(cf config, x model.Side) []answer {
	y := x.Peer()
	if int(cf.head[y]) >= len(c.sent[y]) {
		return nil
	}
	var as []answer
	after := cf
	after.head[y]++
	for _, out := range c.arrive(cf.ep[x], c.sent[y][cf.head[y]]) {
		if out.reply != nil {
			as = append(as, answer{after, out})
		}
	}
	return as
}

// network yields the configurations one network event away from cf on
// the channel towards x: its head segment lost, or delivered with no
// reply that a capture must show.
func (c *Checker) network(cf config, x model.Side, yield func(config)) {
	y := x.Peer()
	if int(cf.head[y]) >= len(c.sent[y]) {
		return
	}
	lost := cf
	lost.head[y]++
	yield(lost)
	for _, out := range c.arrive(cf.ep[x], c.sent[y][cf.head[y]]) {
		if out.reply == nil {
			n := lost
			n.ep[x] = out.ep
			yield(n)
		}
	}
}

// silent yields the configurations one silent user call or timer of x
// away from cf: calls and expiries that send nothing. With all false, only
// a passive OPEN.
func (c *Checker) silent(cf config, x model.Side, all bool, yield func(config)) {
	e := cf.ep[x]
	to := func(n endpoint) {
		next := cf
		next.ep[x] = n
		yield(next)
	}
	if e.state == model.Closed {
		to(endpoint{state: model.Listen}) // passive OPEN (§3.10.1)
	}
	if !all {
		return
	}
	switch e.state {
	case model.Listen, model.SynSent:
		to(closed) // CLOSE: delete the TCB (§3.10.4); SYN-SENT also on giving up
	case model.SynReceived:
		to(e.reset()) // giving up (§3.8.3 R2): a half-open entry is dropped
	case model.FinWait2:
		to(closed) // Linux's FIN-WAIT-2 timer (tcp_fin_timeout) for a closed socket
	case model.TimeWait:
		// 2MSL (§3.10.8): once every segment sent towards x before the
		// timer could have expired has left the network. x's last send
		// bounds when it entered TIME-WAIT from below, so what the peer
		// sent after that may have been sent after the expiry.
		if y := x.Peer(); int(cf.head[y]) == len(c.sent[y]) || c.sentAt[y][cf.head[y]] > c.last[x] {
			to(closed)
		}
	}
	if e.synchronized() && e.state != model.TimeWait && e.sndUna != e.sndNxt {
		to(closed) // giving up after too many retransmissions (§3.8.3 R2)
	}
}

// closure is every configuration reachable from set by unobserved events
// of x and its incoming channel, in breadth-first order. It reports false
// when that exceeds the bound.
func (c *Checker) closure(set []config, x model.Side) ([]config, bool) {
	return c.reach(set, x, true)
}

// reach is closure, with all of x's silent calls and timers or with a
// passive OPEN only.
func (c *Checker) reach(set []config, x model.Side, all bool) ([]config, bool) {
	seen := make(map[config]bool, len(set))
	var out []config
	add := func(n config) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, cf := range set {
		add(cf)
	}
	for i := 0; i < len(out); i++ {
		if len(out) > c.opts.MaxConfigs {
			return out, false
		}
		c.network(out[i], x, add)
		c.silent(out[i], x, all, add)
	}
	return out, true
}

// prune drops each configuration that another reaches by network events
// alone: whatever happens from the first can happen from the second after
// those events, which can wait (they commute with everything else: later
// sends join the channels behind them). This keeps the set to the
// configurations that differ in what the observations so far have shown.
func (c *Checker) prune(set []config) []config {
	root := make(map[config]int, len(set))
	for i, cf := range set {
		root[cf] = i
	}
	dominated := make([]bool, len(set))
	seen := make(map[config]bool, len(set))
	queue := slices.Clone(set)
	for _, cf := range set {
		seen[cf] = true
	}
	visit := func(n config) {
		if j, ok := root[n]; ok {
			dominated[j] = true
		}
		if !seen[n] {
			seen[n] = true
			queue = append(queue, n)
		}
	}
	for i := 0; i < len(queue) && i < c.opts.MaxConfigs; i++ {
		c.network(queue[i], model.A, visit)
		c.network(queue[i], model.B, visit)
	}
	var kept []config
	for i, cf := range set {
		if !dominated[i] {
			kept = append(kept, cf)
		}
	}
	return kept
}

// stop records the verdict on o, which no configuration explains, and
// what could have been sent instead in the configurations around it.
//
// The states and alternatives come from the configurations that network
// events and a passive OPEN reach, leaving out the other silent calls and
// timers (a CLOSE, giving up): those reach states that are possible but
// seldom the point. The other side's states are those it could be in once
// what was sent to it has arrived or not.
func (c *Checker) stop(o Observation, v Verdict, reason string, around []config) {
	x, y := o.From, o.From.Peer()
	peer := around
	if v == DoesNotConform {
		around, _ = c.reach(c.set, x, false)
		peer, _ = c.reach(around, y, false)
	}
	c.done = true
	c.res.Verdict = v
	c.res.Index = c.res.Segments
	c.res.Segment = o
	c.res.Reason = reason
	var states [2]map[model.ConnState]bool
	for s := range states {
		states[s] = map[model.ConnState]bool{}
	}
	type key struct{ seg, what string }
	alts := map[key]*Alternative{}
	var order []key
	dist := map[key]uint64{}
	consider := func(r rule, e endpoint, in model.ConnState) {
		seg, what := c.template(r, e)
		k := key{seg, what}
		a, ok := alts[k]
		if !ok {
			d := c.check(r, e, o.Segment)
			a = &Alternative{Segment: seg, What: what}
			var sum uint64
			for _, x := range d {
				a.Mismatch = append(a.Mismatch, x.msg)
				sum += uint64(x.dist)
			}
			alts[k], dist[k] = a, sum
			order = append(order, k)
		}
		if !slices.Contains(a.States, in) {
			a.States = append(a.States, in)
		}
	}
	for _, cf := range peer {
		states[y][cf.ep[y].state] = true
	}
	for _, cf := range around {
		states[x][cf.ep[x].state] = true
		for _, r := range c.spontaneous(cf.ep[x]) {
			consider(r, cf.ep[x], cf.ep[x].state)
		}
		for _, a := range c.answers(cf, x) {
			consider(*a.out.reply, a.out.ep, cf.ep[x].state) // the state the segment arrived in
		}
	}
	for s := range states {
		for _, st := range model.ConnStates {
			if states[s][st] {
				c.res.States[s] = append(c.res.States[s], st)
			}
		}
	}
	// Closest first: same flags before different ones, then fewer
	// differences, then smaller numeric distance; ties keep the order in
	// which the search met them.
	sameFlags := func(k key) bool {
		for _, m := range alts[k].Mismatch {
			if len(m) > 5 && m[:5] == "flags" {
				return false
			}
		}
		return true
	}
	slices.SortStableFunc(order, func(p, q key) int {
		if sp, sq := sameFlags(p), sameFlags(q); sp != sq {
			if sp {
				return -1
			}
			return 1
		}
		if d := len(alts[p].Mismatch) - len(alts[q].Mismatch); d != 0 {
			return d
		}
		switch {
		case dist[p] < dist[q]:
			return -1
		case dist[p] > dist[q]:
			return 1
		}
		return 0
	})
	for _, k := range order {
		a := alts[k]
		slices.Sort(a.States)
		if len(a.Mismatch) == 0 {
			continue // allowed, but the search found another reason (no-data-on-syn)
		}
		if first := c.res.Instead; len(first) > 0 &&
			(sameFlags(order[0]) && !sameFlags(k) || len(a.Mismatch) > len(first[0].Mismatch)) {
			break // only the closest: same flags, fewest differences
		}
		c.res.Instead = append(c.res.Instead, *a)
		if len(c.res.Instead) == maxInstead {
			break
		}
	}
	c.res.Peak = max(c.res.Peak, len(around))
}

// maxInstead bounds the alternatives reported.
const maxInstead = 6
