// Package diagram is the message-level model of the TCP connection state
// diagram, RFC 9293 §3.3.2 Figure 5 and its three notes, ported exactly
// from the TLA+ specification in the tlaplus/Examples repository
// (specifications/tcp: tcp.tla, with the setup of MCtcp.tla and
// MCtcp.cfg), so that tcpcheck's results can be cross-checked against
// TLC's on the same spec.
//
// Two peers, A and B, each have a connection state (the eleven states of
// §3.3.2), a flag telling whether they hold a TCB, and an inbound FIFO
// queue of messages. A message is only the control bits of a segment
// (SYN, SYN-ACK, ACK, RST, FIN, ACK-of-FIN). Sending appends to the other
// peer's queue; receiving takes the head of one's own. The actions are the
// arcs of Figure 5, grouped as tcp.tla groups them: User (OPEN, SEND and
// CLOSE calls), System (arriving segments, the 2MSL timeout, and Note 2's
// FIN-WAIT-1 to TIME-WAIT arc) and Reset (Note 3: send a RST from any
// state, or receive one).
//
// The model abstracts away everything but the state changes: no sequence
// numbers, windows or data; no loss, duplication or reordering (queues are
// reliable FIFOs); no clocks (the 2MSL timeout may fire at any time). It
// starts where MCtcp starts, with one peer in SYN-SENT and the other in
// LISTEN with the SYN queued. MCtcp's constraints, SingleActiveOpen (no
// further opens) and NoRetransmission (no queue holds two equal messages
// next to each other), are not part of Next: like TLC, the checker applies
// them, through Model.ActionConstraint and Model.StateConstraint. Under
// DefaultConfig the model has 1182 distinct states, the figure TLC
// reports for MCtcp in the repository's manifest.json.
//
// The smallest use, enumerating the transitions out of the initial states:
//
//	m := diagram.New(diagram.DefaultConfig())
//	for s := range m.Init() {
//		for a, next := range m.Next(s) {
//			if m.ActionConstraint(s, a, next) && m.StateConstraint(next) {
//				fmt.Println(a, "=>", next)
//			}
//		}
//	}
//
// A *Model is a checker.System[State, Action]; check EstablishedAgree
// (tcp.tla's Inv) as an invariant, and WithinCapacity whenever the model
// runs outside DefaultConfig.
package diagram
