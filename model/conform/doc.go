// Package conform decides whether a captured TCP connection is a
// behaviour of the RFC 9293 model: whether some run of two endpoints
// following §3.10's event processing, over a network that may lose
// segments, sends exactly the captured segments in the captured order.
//
//	c := conform.New(conform.Options{})
//	for _, o := range observations { // each captured segment, and who sent it
//		if !c.Observe(o) {
//			break
//		}
//	}
//	res := c.Result()
//	fmt.Println(res.Verdict) // "conforms", or "does not conform" with the first
//	                         // unexplained segment in res.Segment and what the
//	                         // sender could have sent in res.Instead
//
// # How it decides
//
// The checker holds the set of configurations the connection could be in
// after the segments seen so far: both endpoints' TCBs (state, ISS, IRS,
// SND.UNA, SND.NXT, RCV.NXT) and how far each direction's channel has
// been consumed. A capture taken at the senders shows what each endpoint
// sent, in order, and nothing else, so to explain the next segment the
// checker first lets unobserved events happen — the segments in flight
// towards the sender arrive (in order) or are lost, and its application
// makes calls and its timers expire where that sends nothing — and then
// keeps the configurations in which the sender may send exactly that
// segment: a user call (§3.10.1–§3.10.5), a retransmission (§3.10.8), an
// acknowledgment, or the answer that an arriving segment requires
// (§3.10.7). Arrivals at the other endpoint wait until it sends: they
// commute with this send. Configurations that another one reaches by
// network events alone are dropped, since those events can still happen
// later; with them go the sets that would otherwise grow with every
// unacknowledged segment.
//
// Numbers are real: any ISN, any payload length, 32-bit sequence
// arithmetic (model.SeqNum), checked exactly. Windows, options, PSH and
// URG are ignored: acceptability tests use a window of 2^30.
//
// # Beyond RFC 9293's letter
//
// Real stacks do things the RFC's text does not, and a checker that
// rejected them would be useless on real captures. Each is an outcome
// offered beside the RFC's, never instead of it:
//
//   - An ACK may be delayed, merged into a later segment or (when its
//     receiver never needs it) not sent: <SEQ=SND.NXT><ACK=RCV.NXT>
//     <CTL=ACK> may be sent at any time in SYN-RECEIVED and the
//     synchronized states.
//   - ABORT's RST may carry <ACK=RCV.NXT>, and is what Linux sends when an
//     application closes with unread data (RFC 9293 §3.6 allows it).
//   - In SYN-RECEIVED after a simultaneous open, the peer's SYN,ACK
//     acknowledging our SYN establishes the connection (Linux), where the
//     RFC's first step finds it unacceptable and only ACKs it.
//   - A RST in the window that is not at RCV.NXT may reset the connection
//     (RFC 793) or draw a challenge ACK (RFC 9293 with RFC 5961).
//   - Data arriving in FIN-WAIT-1 or FIN-WAIT-2 may be answered by a RST
//     that resets the connection (Linux, after the application closed).
//   - With Options.AllowKeepAlive, a keep-alive or zero-window probe
//     <SEQ=SND.UNA-1><ACK=RCV.NXT><CTL=ACK> may be sent in the
//     synchronized states (§3.8.4).
//   - Retransmissions may cut or join data differently from the first
//     transmission, and a FIN-WAIT-2 connection may time out (Linux's
//     tcp_fin_timeout).
//   - With Options.AllowSynData, a SYN may carry data (TCP Fast Open,
//     RFC 7413): the listener may take it or acknowledge only the SYN,
//     and may send data from SYN-RECEIVED.
//
// # What is left out
//
// Reordering (channels are first in, first out, as on loopback or one
// path), duplication by the network, out-of-order queueing at the
// receiver (a segment beyond RCV.NXT is dropped, and must be
// retransmitted), captures that begin after the handshake, and several
// connections in a row on the same addresses and ports after TIME-WAIT.
package conform
