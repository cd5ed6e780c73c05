// Package model is the TCP connection lifecycle of RFC 9293 as a pure
// transition system: two endpoints, A and B, and a lossy channel in each
// direction. It imports only the standard library; the checker explores it
// through two methods, Init and Next.
//
//	cfg, _ := model.LookupPreset("lifecycle")
//	m, _ := model.New(cfg)
//	for s := range m.Init() {
//		for a, next := range m.Next(s) {
//			fmt.Println(a, "→", next) // "A: active OPEN (ISN #0) → A=SYN-SENT B=CLOSED A→B:<SEQ=4294967295><CTL=SYN>"
//		}
//	}
//
// # State
//
// A State is a comparable value. Each Endpoint holds its connection state
// (the eleven states of §3.3.2, printed with the RFC's names), the TCB
// variables that matter to the lifecycle — ISS, IRS, SND.UNA, SND.NXT,
// RCV.NXT, as SeqNum values whose comparisons are correct across 2^32 —
// the application's progress (segments sent, bytes delivered, whether it
// closed, the error it was told), the retransmission backoff, whether a
// SYN-RECEIVED connection came from LISTEN (Figure 5, Note 1), and its
// incarnation (how many times it opened). Each Channel is a bounded FIFO
// of Segments with flags, SEQ, ACK and payload length, plus two ghost
// fields the protocol never reads: the incarnation that sent the segment
// and the stream position of its byte. Properties read the ghosts.
//
// # Actions
//
// Every nondeterministic choice is an enumerated Action; there is no clock
// and no randomness.
//
//   - User calls (§3.10.1–§3.10.5): passive and active OPEN (either side
//     may connect, so simultaneous open is reachable), SEND of the next
//     one-byte segment, CLOSE once the application has sent its data (and,
//     with EarlyClose, in LISTEN, SYN-SENT and SYN-RECEIVED), ABORT.
//   - Segment arrival (§3.10.7), one function per subsection: CLOSED,
//     LISTEN, SYN-SENT and the other states with the eight steps of
//     §3.10.7.4 (sequence check, RST, SYN, ACK, text, FIN). Resets follow
//     §3.5.2 and §3.10.7; a SYN in a synchronized state draws RFC 5961's
//     challenge ACK; a RST in the window resets (without RFC 5961's exact
//     match).
//   - The network: deliver the oldest segment (any segment with Reorder),
//     lose one (up to MaxLosses), duplicate one (up to MaxDups). A
//     duplicate is a delayed copy: it travels on its own and may arrive at
//     any later time, ahead of or behind newer segments — the "old
//     duplicate" of §3.4 and §3.5.
//   - Rules and variants. Each step of §3.10 — a user call, a check of
//     SEGMENT ARRIVES in a state, a timer — is a named Rule citing its
//     section (Rules lists them; rules.go). A Variant (Config.Variant)
//     replaces rules by name (NewVariant): the built-in ones are TCP
//     without one of its mechanisms (two-way handshake, fixed ISN, data
//     on SYN, no TIME-WAIT, no SYN,ACK or FIN retransmission, no SYN
//     cookies), two planted bugs, and Linux's behaviour (linux.go); a
//     user's own stack is the same table with its own overrides. B's SYN
//     queue (SynBacklog) with an attacker's spoofed SYNs (Attacker) and
//     SYN cookies; B's accept queue (AcceptBacklog) with other clients'
//     completed connections (Clients) and B's application's ACCEPT.
//   - Timers (§3.10.8): retransmission of the segment at SND.UNA (SYN,
//     SYN,ACK, data or FIN) with exponential backoff, giving up after
//     MaxRetries; TIME-WAIT's 2MSL expiry.
//   - ABORT (§3.10.5) in every state with a TCB, also after CLOSE:
//     FIN-WAIT-1 and -2 send a RST, CLOSING, LAST-ACK and TIME-WAIT just
//     delete the TCB (the abort preset).
//
// # Abstractions, and why each is sound
//
// A "holds" is sound when the model has every behaviour real TCP has
// within the bounds (it may have more). Each abstraction below states
// the premise it rests on, the configurations it covers, and the test
// that exercises its boundary. The premises about the network are two:
// a regular (not duplicated) segment takes less than one RTO to cross
// it, so a round trip is shorter than the RTO (RFC 6298's RTO is meant
// to exceed it); and no segment lives longer than MSL (§3.4.2).
//
//   - The retransmission timer (§3.10.8, RFC 6298). The model has no
//     clock: the timer of an endpoint with something unacknowledged may
//     expire at any moment except when that is impossible in real time.
//     It is impossible while (a) a regular copy of the front segment (at
//     SND.UNA) is in flight — it was sent less than a delay ago; (b) a
//     timely answer to such a copy is in flight (Segment.Timely: an ACK
//     or RST sent on the arrival of a regular copy of the front segment,
//     which arrives within a round trip of the front segment's last
//     transmission); (c) a regular segment that was in flight when the
//     timer last started — at the first transmission, at a new
//     acknowledgment (RFC 6298 §5.3), or at an expiry — is still in
//     flight (Segment.Aged): it arrives within a delay of that moment,
//     before the RTO. Everything else in flight holds nothing: a delayed
//     copy, a segment the peer's application sent later, the answer to a
//     delayed copy. Covers every configuration; SpuriousRetransmit drops
//     (a)–(c) for networks where the round trip exceeds the RTO. A
//     spurious retransmission is not the same as a duplicate: it carries
//     the current ACK and advances the backoff, a copy does neither.
//     Tests: TestDelayedAnswerDoesNotHoldTheTimer,
//     TestTimerStartMarksSegmentsInFlight.
//   - TIME-WAIT (§3.10.8, §3.4.2). The 2MSL timer may expire once no
//     segment of its connection (or an older one) is in flight either
//     way — each dies within MSL — and the peer, if still in the same
//     connection, has nothing left to retransmit. The second half rests
//     on the peer's whole retransmission schedule (RTO doubling to
//     RTOMax, MaxRetries+1 timeouts) plus one RTO for the last segment's
//     flight being shorter than 2MSL: Config.TimingPremise checks it and
//     Validate refuses a configuration that breaks it (with RFC figures,
//     --max-retries 8 and more), naming the figures; --msl, --rto and
//     --rto-max set them. Segments and retransmissions of the peer's next
//     incarnation hold nothing. Tests: TestTimingPremiseBoundary,
//     TestTimeWaitIgnoresTheNextIncarnation, and in cmd/tcpcheck the
//     refusal of `check --preset close --max-retries 8`.
//   - The network. FIFO delivery of regular segments (Reorder: any
//     order), losses up to MaxLosses, delayed copies up to MaxDups that
//     may arrive at any time. Next enumerates the deliveries and losses of
//     every position in the channel; it skips a position only when the
//     segment just before it is equal (taking out either leaves the same
//     channel), and a duplication only when an equal segment stands
//     anywhere earlier (the copy appended is the same). Tests:
//     TestNextReachesEverySuccessor (Next against Step on every
//     candidate, on a configuration with reordering, losses and a
//     duplicate), TestLoseEitherOfTwoEqualSegments, and
//     bench/compare.sh, which runs the Promela twin bench/segment.pml in
//     SPIN and fails when the state counts differ.
//   - The timers of the two endpoints are otherwise unordered: one
//     endpoint's timer may expire several times while the other's has
//     not, which real clocks forbid only loosely. This only adds
//     behaviours (sound); properties that would fail only through it
//     (connect-no-timeout) say so.
//   - Data. Each SEND is one one-byte segment, sent at once; the
//     application closes after its last SEND. Windows are fixed
//     (RcvWnd) and never zero; there is no congestion control, Nagle,
//     urgent data or options. Out-of-order segments are not queued for
//     later (SHLD-31 is a SHOULD): their acknowledgment is processed,
//     their text and FIN are dropped and re-requested by an ACK, which
//     only delays, never changes, what is delivered.
//   - Channels. Capacity bounds each channel. A behaviour that would send
//     into a full channel ends in a state marked Overflow, reported by the
//     channel-bound property, so the bound never silently hides a
//     behaviour: a "holds" with channel-bound holding covers every
//     behaviour within the other bounds.
//   - Giving up. After MaxRetries retransmissions a connection closes and
//     tells its application "connection timed out" (§3.8.3 R2); a
//     half-open entry of a listener is dropped and the listener stays, as
//     real stacks do.
//   - Simultaneous open. A SYN-RECEIVED endpoint reached from SYN-SENT
//     accepts the peer's SYN,ACK (SEG.SEQ+1 = RCV.NXT, SEG.ACK = SND.NXT)
//     and becomes ESTABLISHED, as Figure 7 line 6 shows and Linux does,
//     where §3.10.7.4's acceptability test read literally would refuse it
//     (step.arriveOther). Test: TestSimultaneousOpenSynAckEstablishes.
//
// # What is left out
//
// Real time (the RTO estimator, RTT variation, every clock: the timing
// figures only decide which configurations are sound). Security and
// compartment checks, URG, PSH, window updates, zero-window
// probing, keep-alives, the user timeout, FIN-WAIT-2's timer (not in the
// RFC), TCP options, RFC 5961's exact-match RST rule and ACK throttling,
// and data carried on a SYN. A "holds" means: for every behaviour of the
// configured applications within the configured bounds — segments per
// side, channel capacity, losses, duplicates, retries, ISN choices and
// incarnations — the property holds. It says nothing beyond those bounds.
package model
