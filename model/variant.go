package model

// The built-in variants, each a set of rule overrides (rules.go): TCP
// without one of its mechanisms, so that a property the mechanism
// protects can be shown to fail (the seed's "why" questions), with a
// planted bug, so that the fuzzers and the catalogue can be shown to find
// it, or as Linux behaves (linux.go).

var (
	// TwoWayHandshake: the listener is ESTABLISHED as soon as it answers
	// a SYN, and the client sends no third segment (seed §1: why three
	// messages, not two).
	TwoWayHandshake = mustVariant("two-way-handshake", "the listener is ESTABLISHED once it sends its SYN,ACK; no third segment",
		Rule{Name: "segment/listen/syn", Section: "seed §1", Summary: "LISTEN takes a SYN, sends SYN,ACK and is ESTABLISHED at once",
			Apply: func(t *Transition, ev *Event) bool {
				if !listenSYN(t, ev) {
					return false
				}
				e := &t.s.Ep[ev.Side]
				e.State, e.SndUna = Established, e.SndNxt
				t.establish(ev.Side)
				return true
			}},
		Rule{Name: "segment/syn-sent/third-ack", Section: "seed §1", Summary: "no third segment", Apply: func(*Transition, *Event) bool { return true }})

	// FixedISN: every incarnation starts from the same ISN (seed §2).
	FixedISN = mustVariant("fixed-isn", "every incarnation of the connection starts from the same ISN",
		Rule{Name: "isn/select", Section: "seed §2", Summary: "the same ISN for every incarnation",
			Apply: func(t *Transition, ev *Event) bool {
				t.iss = SeqNum(t.m.cfg.ISNs[ev.Side][ev.ISN])
				return true
			}})

	// DataOnSYN: the client's first byte rides on its SYN, and the
	// listener holds it while half-open (seed §3); so does an attacker's
	// spoofed SYN.
	DataOnSYN = mustVariant("data-on-syn", "the client's first byte rides on its SYN; the listener holds it while half-open",
		Rule{Name: "call/open/active", Section: "seed §3", Summary: "the SYN carries the first byte",
			Apply: func(t *Transition, ev *Event) bool { return t.activeOpen(ev, true) }},
		Rule{Name: "segment/listen/syn", Section: "seed §3", Summary: "LISTEN holds a SYN's text while half-open",
			Apply: listenSYNWith(synOptions{hold: true})},
		Rule{Name: "env/spoofed-syn", Section: "seed §3, §5", Summary: "a spoofed SYN's byte is held with its half-open entry",
			Apply: func(t *Transition, _ *Event) bool { return t.spoofedSYN(1) }},
		Rule{Name: "timer/half-open", Section: "seed §3, §6", Summary: "a dropped half-open entry releases its byte",
			Apply: func(t *Transition, ev *Event) bool { return t.halfOpenTimeout(int(ev.Index), 1, t.m.cfg.MaxRetries) }})

	// NoTimeWait: the active closer goes straight to CLOSED instead of
	// TIME-WAIT (seed, four-way close: why 2MSL).
	NoTimeWait = mustVariant("no-time-wait", "the active closer goes straight to CLOSED instead of TIME-WAIT",
		Rule{Name: "time-wait/enter", Section: "seed (four-way close)", Summary: "delete the TCB once the last ACK is sent",
			Apply: func(t *Transition, _ *Event) bool { t.CloseAfterACK(); return true }})

	// NoSynAckRetransmit: a SYN-RECEIVED endpoint never retransmits its
	// SYN,ACK (seed §6).
	NoSynAckRetransmit = mustVariant("no-synack-retransmit", "a SYN-RECEIVED endpoint never retransmits its SYN,ACK",
		noTimerFor("seed §6", SYN|ACK))

	// NoFinRetransmit: a FIN is never retransmitted.
	NoFinRetransmit = mustVariant("no-fin-retransmit", "a FIN is never retransmitted", noTimerFor("§3.10.8 (left out)", FIN))

	// NoSynCookies: a listener whose SYN queue is full drops new SYNs
	// instead of answering them with a SYN cookie (seed §5).
	NoSynCookies = mustVariant("no-syn-cookies", "a full SYN queue drops new SYNs instead of answering with a SYN cookie",
		Rule{Name: "segment/listen/syn-queue-full", Section: "seed §5", Summary: "a SYN that finds the SYN queue full is dropped", Apply: dropSYNQueueFull},
		Rule{Name: "segment/listen/cookie-ack", Section: "seed §5", Summary: "no cookies to validate", Apply: noRule})

	// BugAckSeq is a planted bug: the listener acknowledges a SYN with
	// SEG.SEQ instead of SEG.SEQ+1.
	BugAckSeq = mustVariant("bug-ack-seq", "planted bug: a SYN is acknowledged with SEG.SEQ instead of SEG.SEQ+1",
		Rule{Name: "segment/listen/syn", Section: "planted bug", Summary: "RCV.NXT = SEG.SEQ",
			Apply: listenSYNWith(synOptions{ackSeq: true})})

	// BugDataInSynSent is a planted bug: an endpoint in SYN-SENT accepts
	// the text of a segment that carries no SYN.
	BugDataInSynSent = mustVariant("bug-data-in-syn-sent", "planted bug: SYN-SENT accepts the text of a segment without SYN",
		Rule{Name: "segment/syn-sent/other", Section: "planted bug", Summary: "text before the SYN is delivered",
			Apply: func(t *Transition, ev *Event) bool {
				t.s.Ep[ev.Side].Delivered += ev.Seg.Len
				return true
			}})
)

// noTimerFor is a timer/retransmit that has no timer for a front segment
// with flags f.
func noTimerFor(section string, f Flags) Rule {
	return Rule{Name: "timer/retransmit", Section: section, Summary: "no retransmission of a " + f.String(),
		Apply: func(t *Transition, ev *Event) bool {
			if t.s.Ep[ev.Side].frontSegment().Has(f) {
				return false
			}
			return retransmitTimeout(t, ev)
		}}
}

func init() {
	variants = []Variant{TCP, TwoWayHandshake, FixedISN, DataOnSYN, NoTimeWait, NoSynAckRetransmit,
		NoFinRetransmit, NoSynCookies, BugAckSeq, BugDataInSynSent, Linux}
}
