// Package conform decides whether a captured TCP connection could have
// been made by two correct endpoints (RFC 9293) over a network that may
// lose, duplicate, reorder and delay segments, seen at one point of the
// path: whether the captured segments are exactly those that passed the
// capture point in some such run.
//
//	c := conform.New(conform.Options{})
//	for _, o := range observations { // each captured segment, who sent it, when
//		if !c.Observe(o) {
//			break
//		}
//	}
//	res := c.End()
//	fmt.Println(res.Verdict) // "conforms", or "does not conform" with the
//	                         // segment in res.Segment, why in res.Reason and
//	                         // what the sender could have sent in res.Instead
//
// # How it decides
//
// The checker does not enumerate configurations. For each endpoint it
// keeps what the capture has shown: its sequence space as an interval set
// of the positions it was seen to send (unwrapped from 32-bit sequence
// numbers, §3.4), its ISS, FIN and RST, what it acknowledged of its
// peer's space and the right edge of the windows it advertised (RFC 7323
// scaling). Each segment is checked against these, in constant time but
// for a binary search among the holes of a flight:
//
//   - an endpoint acknowledges only what it received (§3.10.7.4), and all
//     it received passed the capture point first: an ACK beyond what its
//     peer was seen to send without a hole is not explained;
//   - a SYN,ACK acknowledges exactly the SYN (§3.10.7.2);
//   - a sender stays within the windows its peer advertised (§3.8.6), but
//     for one byte of a zero-window probe (§3.8.6.1);
//   - after its RST a sender has no TCB (§3.10.5): nothing new follows;
//   - the FIN is the last sequence number (§3.6);
//   - one ISS per connection (§3.4) until it could have closed (a RST, its
//     FIN acknowledged, or never past SYN-SENT); then a new incarnation
//     begins, and delayed segments of the last four are still explained;
//   - with Options.AtSender (a capture that shows all each side sent), a
//     SEQ never jumps past what its sender was seen to send.
//
// Everything else TCP allows is accepted: retransmissions however cut,
// duplicates, reordering, delayed and missing ACKs, keep-alives and
// zero-window probes (§3.8.4, §3.8.6.1), options, a capture that begins
// mid-connection (what each side sent before is assumed, up to the first
// window its peer advertised). A segment recorded a little before what
// explains it (capture-order artifacts: Options.Skew, SkewSegments) waits
// for it, and is reported at its own position if it does not come.
//
// docs/conform.md lists the assumptions about the capture point and the
// network that each verdict rests on.
package conform
