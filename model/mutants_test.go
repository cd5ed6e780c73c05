package model

// Mutants of TCP's rule table for the mutation test (mutation_test.go in
// package model_test, through export_test.go). Each is one deliberate,
// one-line-sized bug of a kind TCP stacks have shipped, built as an
// override of one rule: a wrapper around TCP's own rule that perturbs the
// event before it or the state after it, or that rule with one test
// changed. They live in a _test.go file so that no product code path can
// reach them; the catalogue of properties must catch every one.

// mutant is one deliberate bug.
type mutant struct {
	// name identifies the mutant in the mutation test's report.
	name string
	// rule is the rule of TCP's table it replaces.
	rule string
	// section is the RFC section the bug breaks.
	section string
	// bug says what the mutant does wrong, in a sentence.
	bug string
	// apply builds the mutated rule from TCP's.
	apply func(tcp RuleFunc) RuleFunc
}

// after runs TCP's rule, then f with the endpoint as it was before.
func after(f func(t *Transition, ev *Event, before Endpoint, ok bool)) func(RuleFunc) RuleFunc {
	return func(tcp RuleFunc) RuleFunc {
		return func(t *Transition, ev *Event) bool {
			before := t.s.Ep[ev.Side]
			ok := tcp(t, ev)
			f(t, ev, before, ok)
			return ok
		}
	}
}

// instead replaces TCP's rule when cond holds of the event, with f.
func instead(cond func(t *Transition, ev *Event) bool, f RuleFunc) func(RuleFunc) RuleFunc {
	return func(tcp RuleFunc) RuleFunc {
		return func(t *Transition, ev *Event) bool {
			if cond(t, ev) {
				return f(t, ev)
			}
			return tcp(t, ev)
		}
	}
}

// lastSent returns the segment side just put on the wire in this
// transition (nil if it sent none: the channel did not grow).
func lastSent(t *Transition, side Side, before int) *Segment {
	ch := &t.s.Ch[side]
	if ch.Len() <= before {
		return nil
	}
	return &ch.Segs[ch.Len()-1]
}

// unsent takes back the last segment side sent in this transition.
func unsent(t *Transition, side Side, before int) {
	if ch := &t.s.Ch[side]; ch.Len() > before {
		ch.remove(ch.Len() - 1)
	}
}

// withChannel is after, also giving f the length side's outgoing channel
// had before the rule ran.
func withChannel(f func(t *Transition, ev *Event, before Endpoint, n int, ok bool)) func(RuleFunc) RuleFunc {
	return func(tcp RuleFunc) RuleFunc {
		return func(t *Transition, ev *Event) bool {
			before, n := t.s.Ep[ev.Side], t.s.Ch[ev.Side].Len()
			ok := tcp(t, ev)
			f(t, ev, before, n, ok)
			return ok
		}
	}
}

// naiveLess is s < u compared as plain unsigned integers: the comparison
// §3.4 warns against, wrong across 2^32.
func naiveLess(s, u SeqNum) bool { return uint32(s) < uint32(u) }

// naiveInWindow is InWindow with the window's end computed without
// modular arithmetic: start =< s < start+size as unsigned integers.
func naiveInWindow(s, start SeqNum, size uint32) bool {
	return uint32(s) >= uint32(start) && uint32(s) < uint32(start)+size
}

// mutants are the deliberate bugs, grouped by the subsection of §3.10 (or
// the part of the model) they break.
var mutants = []mutant{
	// §3.10.1–§3.10.5: the user calls.
	{"open-syn-takes-no-seq", "call/open/active", "§3.10.1; §3.3.1",
		"an active OPEN sets SND.NXT to ISS: the SYN is not counted in sequence space",
		after(func(t *Transition, ev *Event, _ Endpoint, ok bool) {
			if e := &t.s.Ep[ev.Side]; ok {
				e.SndNxt = e.ISS
			}
		})},
	{"send-no-advance", "call/send", "§3.10.2; §3.8",
		"SEND does not advance SND.NXT: the next segment (the FIN) reuses the byte's sequence number",
		after(func(t *Transition, ev *Event, _ Endpoint, ok bool) {
			if e := &t.s.Ep[ev.Side]; ok {
				e.SndNxt = e.SndNxt.Add(^uint32(0))
			}
		})},
	{"send-refused-in-close-wait", "call/send", "§3.10.2 CLOSE-WAIT STATE; §3.6.1",
		"SEND is refused in CLOSE-WAIT: a half-closed connection cannot send its remaining data",
		instead(func(t *Transition, ev *Event) bool { return t.s.Ep[ev.Side].State == CloseWait },
			func(*Transition, *Event) bool { return false })},
	{"close-fin-takes-no-seq", "call/close", "§3.10.4; §3.3.1",
		"CLOSE sends a FIN but does not advance SND.NXT over it",
		after(func(t *Transition, ev *Event, before Endpoint, ok bool) {
			if e := &t.s.Ep[ev.Side]; ok && e.SndNxt != before.SndNxt {
				e.SndNxt = before.SndNxt
			}
		})},
	{"close-wait-to-fin-wait-1", "call/close", "§3.10.4 CLOSE-WAIT STATE; Figure 5",
		"CLOSE in CLOSE-WAIT enters FIN-WAIT-1 instead of LAST-ACK",
		after(func(t *Transition, ev *Event, before Endpoint, ok bool) {
			if ok && before.State == CloseWait {
				t.s.Ep[ev.Side].State = FinWait1
			}
		})},
	{"abort-sends-no-rst", "call/abort", "§3.10.5",
		"ABORT in a synchronized state deletes the TCB without sending <SEQ=SND.NXT><CTL=RST>",
		withChannel(func(t *Transition, ev *Event, _ Endpoint, n int, ok bool) {
			if ok {
				unsent(t, ev.Side, n)
			}
		})},
	{"abort-rst-at-snd-una", "call/abort", "§3.10.5",
		"ABORT's RST carries SEQ=SND.UNA instead of SND.NXT",
		withChannel(func(t *Transition, ev *Event, before Endpoint, n int, ok bool) {
			if g := lastSent(t, ev.Side, n); ok && g != nil {
				g.Seq = before.SndUna
			}
		})},

	// §3.10.7.1: CLOSED.
	{"closed-rst-acks-seq", "segment/closed", "§3.10.7.1",
		"CLOSED answers a segment without ACK with <ACK=SEG.SEQ> instead of SEG.SEQ+SEG.LEN",
		withChannel(func(t *Transition, ev *Event, _ Endpoint, n int, _ bool) {
			if g := lastSent(t, ev.Side, n); g != nil && g.Has(RST|ACK) {
				g.Ack = ev.Seg.Seq
			}
		})},
	{"closed-answers-rst", "segment/closed", "§3.10.7.1",
		"CLOSED answers a RST with a RST (\"an incoming segment containing a RST is discarded\" is missing)",
		instead(func(_ *Transition, ev *Event) bool { return ev.Seg.Has(RST) },
			func(t *Transition, ev *Event) bool {
				t.Emit(ev.Side, Segment{Seq: ev.Seg.Ack, Flags: RST})
				return true
			})},
	{"closed-rst-seq-off-by-one", "segment/closed", "§3.10.7.1",
		"CLOSED answers an ACK with <SEQ=SEG.ACK-1><CTL=RST>, just outside the peer's window",
		withChannel(func(t *Transition, ev *Event, _ Endpoint, n int, _ bool) {
			if g := lastSent(t, ev.Side, n); g != nil && g.Flags == RST {
				g.Seq = g.Seq.Add(^uint32(0))
			}
		})},

	// §3.10.7.2: LISTEN.
	{"listen-rst-closes", "segment/listen/rst", "§3.10.7.2 first",
		"LISTEN closes on a RST instead of ignoring it",
		instead(func(_ *Transition, ev *Event) bool { return ev.Seg.Has(RST) },
			func(t *Transition, ev *Event) bool { t.DeleteTCB(ev.Side, Reset); return true })},
	{"listen-ack-dropped", "segment/listen/ack", "§3.10.7.2 second",
		"LISTEN drops an ACK silently instead of answering <SEQ=SEG.ACK><CTL=RST>",
		instead(func(t *Transition, ev *Event) bool { return ev.Seg.Has(ACK) && !t.synQueueFull(ev.Side) },
			func(*Transition, *Event) bool { return true })},
	{"listen-synack-takes-no-seq", "segment/listen/syn", "§3.10.7.2 third",
		"LISTEN answers a SYN but leaves SND.NXT at ISS: its SYN,ACK is not counted",
		after(func(t *Transition, ev *Event, _ Endpoint, ok bool) {
			if e := &t.s.Ep[ev.Side]; ok {
				e.SndNxt = e.ISS
			}
		})},
	{"listen-forgets-passive", "segment/listen/syn", "§3.10.7.4 second; Figure 5 Note 1",
		"the SYN-RECEIVED connection a listener makes forgets it came from LISTEN: a RST closes the listener",
		after(func(t *Transition, ev *Event, _ Endpoint, ok bool) {
			if ok {
				t.s.Ep[ev.Side].Passive = false
			}
		})},

	// §3.10.7.3: SYN-SENT.
	{"syn-sent-ack-beyond-snd-nxt", "segment/syn-sent/ack", "§3.10.7.3 first",
		"SYN-SENT accepts SEG.ACK > SND.NXT (only SEG.ACK =< ISS is refused)",
		instead(func(t *Transition, ev *Event) bool { return ev.Seg.Has(ACK) },
			func(t *Transition, ev *Event) bool {
				if !ev.Seg.Ack.LessThanEq(t.s.Ep[ev.Side].ISS) {
					return false
				}
				if !ev.Seg.Has(RST) {
					t.Emit(ev.Side, Segment{Seq: ev.Seg.Ack, Flags: RST})
				}
				return true
			})},
	{"syn-sent-rst-without-ack", "segment/syn-sent/rst", "§3.10.7.3 second; §3.5.3",
		"SYN-SENT accepts a RST without ACK: \"connection refused\" on any reset",
		instead(func(_ *Transition, ev *Event) bool { return ev.Seg.Has(RST) },
			func(t *Transition, ev *Event) bool { t.DeleteTCB(ev.Side, Refused); return true })},
	{"syn-sent-rst-before-ack-check", "segment/syn-sent/ack", "§3.10.7.3 first and second",
		"SYN-SENT looks at RST before checking the ACK: a RST with an unacceptable ACK refuses the connection",
		instead(func(_ *Transition, ev *Event) bool { return ev.Seg.Has(RST | ACK) },
			func(*Transition, *Event) bool { return false })},
	{"syn-sent-irs-off-by-one", "segment/syn-sent/syn", "§3.10.7.3 fourth",
		"SYN-SENT sets RCV.NXT to SEG.SEQ, not SEG.SEQ+1: its ACK does not cover the peer's SYN",
		instead(func(_ *Transition, ev *Event) bool { return ev.Seg.Has(SYN) },
			synSentIRSOffByOne)},
	{"simultaneous-synack-acks-seq", "segment/syn-sent/syn", "§3.10.7.3 fourth; Figure 7 line 5",
		"on simultaneous open SYN-SENT answers a SYN with <ACK=SEG.SEQ>, not SEG.SEQ+1",
		instead(func(_ *Transition, ev *Event) bool { return ev.Seg.Flags&(SYN|ACK) == SYN },
			synSentIRSOffByOne)},
	{"syn-sent-no-third-ack", "segment/syn-sent/third-ack", "§3.10.7.3 fourth",
		"SYN-SENT enters ESTABLISHED on a SYN,ACK without sending the handshake's third segment",
		func(RuleFunc) RuleFunc { return func(*Transition, *Event) bool { return true } }},
	{"syn-sent-wraparound", "segment/syn-sent/ack", "§3.10.7.3 first; §3.4",
		"SYN-SENT's ACK check compares as unsigned integers, wrong when SND.NXT has wrapped past 2^32",
		instead(func(_ *Transition, ev *Event) bool { return ev.Seg.Has(ACK) },
			func(t *Transition, ev *Event) bool {
				g, e := ev.Seg, &t.s.Ep[ev.Side]
				if !naiveLess(e.ISS, g.Ack) || naiveLess(e.SndNxt, g.Ack) {
					if !g.Has(RST) {
						t.Emit(ev.Side, Segment{Seq: g.Ack, Flags: RST})
					}
					return true
				}
				return false
			})},

	// §3.10.7.4 first: the sequence check.
	{"window-end-off-by-one", "segment/sequence", "§3.10.7.4 first (Table 6)",
		"the acceptability test checks SEG.SEQ+SEG.LEN instead of SEG.SEQ+SEG.LEN-1: a wholly old segment is accepted and not re-acknowledged",
		func(RuleFunc) RuleFunc {
			return func(t *Transition, ev *Event) bool {
				g, e := ev.Seg, &t.s.Ep[ev.Side]
				n, w := g.SegLen(), t.m.cfg.RcvWnd
				ok := g.Seq.InWindow(e.RcvNxt, w) || n > 0 && g.Seq.Add(n).InWindow(e.RcvNxt, w)
				if !ok {
					t.ackOwed = !g.Has(RST)
					return true
				}
				return false
			}
		}},
	{"unacceptable-not-acked", "segment/sequence", "§3.10.7.4 first",
		"an unacceptable segment is dropped without sending <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>",
		after(func(t *Transition, _ *Event, _ Endpoint, ok bool) {
			if ok {
				t.ackOwed = false
			}
		})},
	{"rst-any-seq", "segment/sequence", "§3.10.7.4 first and second; §3.5.3",
		"a RST is accepted whatever its sequence number (the window check is skipped for RST)",
		instead(func(_ *Transition, ev *Event) bool { return ev.Seg.Has(RST) },
			func(*Transition, *Event) bool { return false })},
	{"window-wraparound", "segment/sequence", "§3.10.7.4 first; §3.4",
		"the acceptability test compares as unsigned integers, so the window ending past 2^32 refuses everything",
		func(RuleFunc) RuleFunc {
			return func(t *Transition, ev *Event) bool {
				g, e := ev.Seg, &t.s.Ep[ev.Side]
				n, w := g.SegLen(), t.m.cfg.RcvWnd
				ok := naiveInWindow(g.Seq, e.RcvNxt, w) || n > 0 && naiveInWindow(g.Seq.Add(n-1), e.RcvNxt, w)
				if !ok {
					t.ackOwed = !g.Has(RST)
					return true
				}
				return false
			}
		}},

	// §3.10.7.4 second: RST.
	{"rst-not-reported", "segment/rst", "§3.10.7.4 second; §3.9.1.8",
		"a RST closes an ESTABLISHED connection without telling the application \"connection reset\"",
		after(func(t *Transition, ev *Event, before Endpoint, ok bool) {
			if e := &t.s.Ep[ev.Side]; ok && !e.HasTCB() && e.Err == Reset {
				e.Err = before.Err
			}
		})},
	{"rst-closes-listener", "segment/rst", "§3.10.7.4 second; §3.5.3",
		"a RST in SYN-RECEIVED closes the connection even when it came from LISTEN",
		instead(func(t *Transition, ev *Event) bool {
			e := &t.s.Ep[ev.Side]
			return ev.Seg.Has(RST) && e.State == SynReceived && e.Passive
		}, func(t *Transition, ev *Event) bool { t.DeleteTCB(ev.Side, Refused); return true })},

	// §3.10.7.4 fourth: SYN.
	{"syn-resets", "segment/syn", "§3.10.7.4 fourth; RFC 5961 §4",
		"a SYN in a synchronized state resets the connection (RFC 793's rule) instead of drawing a challenge ACK",
		instead(func(t *Transition, ev *Event) bool {
			return t.s.Ep[ev.Side].State.Synchronized() && trim(ev.Seg, t.s.Ep[ev.Side].RcvNxt).Has(SYN)
		}, func(t *Transition, ev *Event) bool {
			t.Emit(ev.Side, Segment{Seq: t.s.Ep[ev.Side].SndNxt, Flags: RST})
			t.DeleteTCB(ev.Side, Reset)
			return true
		})},

	// §3.10.7.4 fifth: ACK.
	{"ack-beyond-snd-nxt", "segment/ack", "§3.10.7.4 fifth",
		"an ACK of something not yet sent (SEG.ACK > SND.NXT) is taken: SND.UNA jumps to SEG.ACK",
		instead(func(t *Transition, ev *Event) bool {
			e := &t.s.Ep[ev.Side]
			return ev.Seg.Has(ACK) && e.State != SynReceived && e.SndNxt.LessThan(ev.Seg.Ack)
		}, func(t *Transition, ev *Event) bool {
			ack := ev.Seg.Ack
			ev.Seg.Ack = t.s.Ep[ev.Side].SndNxt
			done := checkACK(t, ev)
			if e := &t.s.Ep[ev.Side]; e.HasTCB() {
				e.SndUna = ack
			}
			return done
		})},
	{"backoff-not-reset", "segment/ack", "§3.8.3; RFC 6298 §5.3",
		"a new acknowledgment does not reset the retransmission count: later segments give up early",
		after(func(t *Transition, ev *Event, before Endpoint, _ bool) {
			if e := &t.s.Ep[ev.Side]; e.HasTCB() && e.Opens == before.Opens && e.SndUna != before.SndUna {
				e.Backoff = before.Backoff
			}
		})},
	{"fin-wait-1-any-ack", "segment/ack", "§3.10.7.4 fifth (FIN-WAIT-1)",
		"FIN-WAIT-1 enters FIN-WAIT-2 on any new ACK, not only the ACK of its FIN",
		after(func(t *Transition, ev *Event, before Endpoint, _ bool) {
			if e := &t.s.Ep[ev.Side]; e.State == FinWait1 && e.SndUna != before.SndUna {
				e.State = FinWait2
			}
		})},
	{"closing-skips-time-wait", "segment/ack", "§3.10.7.4 fifth (CLOSING); Figure 5",
		"CLOSING goes to CLOSED on the ACK of its FIN instead of TIME-WAIT",
		after(func(t *Transition, ev *Event, before Endpoint, _ bool) {
			if before.State == Closing && t.s.Ep[ev.Side].State == TimeWait {
				t.DeleteTCB(ev.Side, NoError)
			}
		})},
	{"last-ack-any-ack", "segment/ack", "§3.10.7.4 fifth (LAST-ACK)",
		"LAST-ACK closes on any new ACK, not only the ACK of its FIN",
		after(func(t *Transition, ev *Event, before Endpoint, _ bool) {
			if e := &t.s.Ep[ev.Side]; e.State == LastAck && e.SndUna != before.SndUna {
				t.DeleteTCB(ev.Side, NoError)
			}
		})},
	{"syn-received-ack-no-rst", "segment/ack", "§3.10.7.4 fifth (SYN-RECEIVED)",
		"SYN-RECEIVED drops an unacceptable ACK silently instead of answering <SEQ=SEG.ACK><CTL=RST>",
		instead(func(t *Transition, ev *Event) bool {
			e := &t.s.Ep[ev.Side]
			return e.State == SynReceived && ev.Seg.Has(ACK) && !ev.Seg.Ack.InRange(e.SndUna, e.SndNxt)
		}, func(*Transition, *Event) bool { return true })},
	{"syn-received-takes-ack-of-nothing", "segment/ack", "§3.10.7.4 fifth (SYN-RECEIVED)",
		"SYN-RECEIVED is ESTABLISHED by SEG.ACK = SND.UNA (=< for <): an ACK that does not cover its SYN",
		instead(func(t *Transition, ev *Event) bool {
			e := &t.s.Ep[ev.Side]
			return e.State == SynReceived && ev.Seg.Has(ACK) && ev.Seg.Ack == e.SndUna && !t.acceptQueueFull(ev.Side)
		}, func(t *Transition, ev *Event) bool {
			t.s.Ep[ev.Side].State = Established
			t.establish(ev.Side)
			return checkACK(t, ev)
		})},
	{"ack-wraparound", "segment/ack", "§3.10.7.4 fifth; §3.4",
		"SND.UNA < SEG.ACK =< SND.NXT is compared as unsigned integers: an ACK across 2^32 is taken for a duplicate",
		instead(func(t *Transition, ev *Event) bool {
			e, g := &t.s.Ep[ev.Side], ev.Seg
			return g.Has(ACK) && g.Ack.InRange(e.SndUna, e.SndNxt) && !(naiveLess(e.SndUna, g.Ack) && !naiveLess(e.SndNxt, g.Ack))
		}, func(t *Transition, ev *Event) bool {
			ev.Seg.Ack = t.s.Ep[ev.Side].SndUna // a duplicate, as the unsigned test sees it
			return checkACK(t, ev)
		})},
	{"hole-not-checked", "segment/ack", "§3.10.7.4 first (SHLD-31) and seventh",
		"a segment that begins after RCV.NXT is processed as if it began there: its text fills the hole",
		func(tcp RuleFunc) RuleFunc {
			return func(t *Transition, ev *Event) bool {
				t.future = false
				return tcp(t, ev)
			}
		}},

	// §3.10.7.4 seventh: text.
	{"text-rcv-nxt-not-advanced", "segment/text", "§3.10.7.4 seventh",
		"text is delivered but RCV.NXT is not advanced: the ACK does not cover it and it is delivered again",
		after(func(t *Transition, ev *Event, before Endpoint, _ bool) {
			if e := &t.s.Ep[ev.Side]; e.Delivered > before.Delivered {
				e.RcvNxt = before.RcvNxt
			}
		})},
	{"text-not-delivered", "segment/text", "§3.10.7.4 seventh",
		"text is acknowledged but never handed to the application",
		after(func(t *Transition, ev *Event, before Endpoint, _ bool) {
			t.s.Ep[ev.Side].Delivered = before.Delivered
		})},
	{"text-not-acked", "segment/text", "§3.10.7.4 seventh",
		"text is delivered but no acknowledgment is sent for it",
		after(func(t *Transition, ev *Event, before Endpoint, _ bool) {
			if t.s.Ep[ev.Side].Delivered > before.Delivered {
				t.ackOwed = false
			}
		})},
	{"fin-wait-2-drops-text", "segment/text", "§3.10.7.4 seventh (FIN-WAIT-1, FIN-WAIT-2)",
		"FIN-WAIT-2 acknowledges text but drops it: the half-closed side loses what its peer still sends",
		after(func(t *Transition, ev *Event, before Endpoint, _ bool) {
			if before.State == FinWait2 {
				t.s.Ep[ev.Side].Delivered = before.Delivered
			}
		})},

	// §3.10.7.4 eighth: FIN.
	{"fin-delivers-byte", "segment/fin", "§3.10.7.4 eighth",
		"a FIN hands a byte to the application as if it were text",
		after(func(t *Transition, ev *Event, _ Endpoint, _ bool) {
			if ev.Seg.Has(FIN) {
				t.s.Ep[ev.Side].Delivered++
			}
		})},
	{"fin-rcv-nxt-not-advanced", "segment/fin", "§3.10.7.4 eighth",
		"a FIN is acknowledged without advancing RCV.NXT over it",
		after(func(t *Transition, ev *Event, before Endpoint, _ bool) {
			if e := &t.s.Ep[ev.Side]; ev.Seg.Has(FIN) && e.HasTCB() {
				e.RcvNxt = before.RcvNxt
			}
		})},
	{"fin-wait-1-fin-to-time-wait", "segment/fin", "§3.10.7.4 eighth (FIN-WAIT-1)",
		"a FIN in FIN-WAIT-1 enters TIME-WAIT though its own FIN is unacknowledged (CLOSING skipped)",
		after(func(t *Transition, ev *Event, before Endpoint, _ bool) {
			if before.State == FinWait1 && t.s.Ep[ev.Side].State == Closing {
				t.EnterTimeWait(ev.Side)
			}
		})},
	{"fin-wait-2-skips-time-wait", "segment/fin", "§3.10.7.4 eighth (FIN-WAIT-2); §3.6",
		"a FIN in FIN-WAIT-2 closes the connection once acknowledged, without TIME-WAIT",
		after(func(t *Transition, ev *Event, before Endpoint, _ bool) {
			if before.State == FinWait2 && t.s.Ep[ev.Side].State == TimeWait {
				t.CloseAfterACK()
			}
		})},
	{"fin-established-to-last-ack", "segment/fin", "§3.10.7.4 eighth (ESTABLISHED); Figure 5",
		"a FIN in ESTABLISHED enters LAST-ACK instead of CLOSE-WAIT, before the application closed",
		after(func(t *Transition, ev *Event, before Endpoint, _ bool) {
			if before.State == Established && t.s.Ep[ev.Side].State == CloseWait {
				t.s.Ep[ev.Side].State = LastAck
			}
		})},

	// §3.10.8: the timers.
	{"retransmit-no-backoff", "timer/retransmit", "§3.10.8; RFC 6298 §5.5; §3.8.3",
		"the retransmission timer neither backs off nor counts: a connection never gives up",
		after(func(t *Transition, ev *Event, before Endpoint, ok bool) {
			if e := &t.s.Ep[ev.Side]; ok && e.HasTCB() && e.Backoff > before.Backoff {
				e.Backoff = before.Backoff
			}
		})},
	{"retransmit-while-in-flight", "timer/retransmit", "§3.10.8; RFC 6298 §5",
		"the retransmission timer ignores what is in flight: it expires before the ACK of the segment can be back",
		func(RuleFunc) RuleFunc {
			return func(t *Transition, ev *Event) bool {
				e := &t.s.Ep[ev.Side]
				if !retransmitting(e.State) || e.SndUna == e.SndNxt {
					return false
				}
				t.s.markInFlight(ev.Side)
				if int(e.Backoff) >= t.m.cfg.MaxRetries {
					if e.State == SynReceived && e.Passive {
						t.BackToListen(ev.Side)
					} else {
						t.DeleteTCB(ev.Side, TimedOut)
					}
					return true
				}
				t.Emit(ev.Side, e.frontSegment())
				e.Backoff++
				return true
			}
		}},
	{"retransmit-wrong-byte", "timer/retransmit", "§3.10.8; §3.7",
		"a retransmitted data segment carries the wrong byte of the stream (a stale retransmission buffer)",
		withChannel(func(t *Transition, ev *Event, _ Endpoint, n int, ok bool) {
			if g := lastSent(t, ev.Side, n); ok && g != nil && g.Len > 0 {
				g.Stream++
			}
		})},
	{"retransmit-synack-as-syn", "timer/retransmit", "§3.10.8; §3.10.7.2 third",
		"a retransmitted SYN,ACK leaves without its ACK bit",
		withChannel(func(t *Transition, ev *Event, _ Endpoint, n int, ok bool) {
			if g := lastSent(t, ev.Side, n); ok && g != nil && g.Has(SYN|ACK) {
				g.Flags &^= ACK
				g.Ack = 0
			}
		})},
	{"time-wait-ignores-peer", "timer/time-wait", "§3.10.8; §3.6 (why TIME-WAIT lasts 2MSL)",
		"the 2MSL timer expires as soon as the channels are empty, while the peer may still retransmit its FIN",
		func(RuleFunc) RuleFunc {
			return func(t *Transition, ev *Event) bool {
				e := &t.s.Ep[ev.Side]
				if e.State != TimeWait || t.s.Ch[ev.Side].Len() != 0 || t.s.Ch[ev.Side.Peer()].Len() != 0 {
					return false
				}
				t.DeleteTCB(ev.Side, NoError)
				return true
			}
		}},
	{"time-wait-never-ends", "timer/time-wait", "§3.10.8",
		"the 2MSL timer never expires: TIME-WAIT holds the connection forever",
		func(RuleFunc) RuleFunc { return func(*Transition, *Event) bool { return false } }},

	// The queues of the seed's SYN flood (§4-§5): a bound not kept.
	{"syn-queue-overfilled", "env/spoofed-syn", "RFC 4987 §2; seed §4",
		"a spoofed SYN makes a half-open entry even when the SYN queue is full",
		func(RuleFunc) RuleFunc {
			return func(t *Transition, _ *Event) bool {
				q := &t.s.Listen
				if int(q.Spoofed) >= t.m.cfg.Attacker || !t.listening() || int(q.N) >= len(q.Half) {
					return false
				}
				q.Spoofed++
				q.add(0) // the capacity check is missing
				return true
			}
		}},
	{"accept-queue-overfilled", "env/other-client", "seed §4 (the accept queue)",
		"another client's connection is queued even when the accept queue is full",
		func(RuleFunc) RuleFunc {
			return func(t *Transition, _ *Event) bool {
				q := &t.s.Listen
				if int(q.Clients) >= t.m.cfg.Clients || !t.listening() {
					return false
				}
				q.Clients++
				q.Accept++ // the capacity check is missing
				return true
			}
		}},

	{"half-open-holds-payload", "env/spoofed-syn", "seed §3; RFC 4987",
		"a half-open entry keeps the text its SYN carried",
		func(RuleFunc) RuleFunc { return func(t *Transition, _ *Event) bool { return t.spoofedSYN(1) } }},
	{"syn-carries-data", "call/open/active", "seed §1-§3; §3.10.1",
		"an active OPEN puts the application's first byte on its SYN",
		func(RuleFunc) RuleFunc { return func(t *Transition, ev *Event) bool { return t.activeOpen(ev, true) } }},

	// TIME-WAIT's entry (§3.6): only the side that closed first waits.
	{"last-ack-to-time-wait", "segment/ack", "§3.10.7.4 fifth (LAST-ACK); Figure 5",
		"LAST-ACK, on the ACK of its FIN, enters TIME-WAIT instead of CLOSED",
		after(func(t *Transition, ev *Event, before Endpoint, _ bool) {
			if e := &t.s.Ep[ev.Side]; before.State == LastAck && e.State == Closed && e.Err == NoError {
				*e = before
				e.SndUna, e.State, e.Backoff = e.SndNxt, TimeWait, 0
			}
		})},

	// The wire: what an endpoint puts in the channel.
	{"wire-length-overstated", "call/send", "§3.1 (the header); §3.8",
		"the segment on the wire claims two bytes of payload where the application sent one",
		withChannel(func(t *Transition, ev *Event, _ Endpoint, n int, ok bool) {
			if g := lastSent(t, ev.Side, n); ok && g != nil {
				g.Len = 2
			}
		})},
}

// synSentIRSOffByOne is segment/syn-sent/syn with RCV.NXT set to SEG.SEQ:
// the segment it sends (the third ACK, or the simultaneous open's
// SYN,ACK) acknowledges the peer's ISN, not ISN+1.
func synSentIRSOffByOne(t *Transition, ev *Event) bool {
	n := t.s.Ch[ev.Side].Len()
	ok := synSentSYN(t, ev)
	e := &t.s.Ep[ev.Side]
	e.RcvNxt = e.IRS
	if g := lastSent(t, ev.Side, n); g != nil {
		g.Ack = e.RcvNxt
	}
	return ok
}
