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
//   - Variants (Config.Variant): TCP without one of its mechanisms
//     (two-way handshake, fixed ISN, data on SYN, no TIME-WAIT, no SYN,ACK
//     or FIN retransmission, no SYN cookies) and two planted bugs, for the
//     seed's claims and the fuzzers. B's SYN queue (SynBacklog) with an
//     attacker's spoofed SYNs (Attacker) and SYN cookies; B's accept
//     queue (AcceptBacklog) with other clients' completed connections
//     (Clients) and B's application's ACCEPT.
//   - Timers (§3.10.8): retransmission of the segment at SND.UNA (SYN,
//     SYN,ACK, data or FIN) with exponential backoff, giving up after
//     MaxRetries; TIME-WAIT's 2MSL expiry.
//
// # Abstractions, and why each is sound for the properties checked
//
//   - Time. The retransmission timer fires only when neither the segment
//     nor an acknowledgment of it (nor a RST) is in flight: only then can
//     an RTO that exceeds the round trip expire. Two expiries of one timer
//     are an RTO apart, longer than any delivery, so a timer cannot expire
//     again while a segment that was in flight toward it at its last
//     expiry is still there (the ghost Segment.Aged). Early (spurious)
//     expiries are left out unless SpuriousRetransmit is set; their
//     effect, a second copy of a segment, is what duplication produces, so
//     Duplicate covers the same receiver behaviours. 2MSL expires only
//     when both channels are empty and the peer has nothing left to
//     retransmit: MSL bounds a segment's life (§3.4.2) and 2MSL outlasts
//     a retransmission schedule of a few RTOs, so no earlier expiry is
//     possible. The timers of the two endpoints are otherwise unordered:
//     one endpoint's may expire several times while the other's has not,
//     which real clocks forbid only loosely; properties that depend on
//     it (connect-no-timeout) say so.
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
//
// # What is left out
//
// Security/compartment checks, URG, PSH, window updates, zero-window
// probing, keep-alives, the user timeout, FIN-WAIT-2's timer (not in the
// RFC), TCP options, RFC 5961's exact-match RST rule and ACK throttling,
// and data carried on a SYN. A "holds" means: for every behaviour of the
// configured applications within the configured bounds — segments per
// side, channel capacity, losses, duplicates, retries, ISN choices and
// incarnations — the property holds. It says nothing beyond those bounds.
package model
