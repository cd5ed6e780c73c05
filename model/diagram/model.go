package diagram

import "iter"

// Config selects the checking setup of MCtcp (tlaplus/Examples,
// specifications/tcp/MCtcp.cfg). Neither field changes Next: both are
// constraints the checker applies, as TLC does.
type Config struct {
	// SingleActiveOpen is MCtcp's ACTION_CONSTRAINT: transitions by
	// ACTIVE_OPEN, PASSIVE_OPEN or SEND are not taken, so the only opens
	// are the ones already done in the initial states. Without it a peer
	// may open again after closing, and queues grow without bound.
	SingleActiveOpen bool
	// NoRetransmission is MCtcp's CONSTRAINT: a state in which some queue
	// holds two equal messages next to each other is neither stored nor
	// expanded. It stands in for "no retransmissions" and is what keeps
	// the explored state space finite.
	NoRetransmission bool
}

// DefaultConfig returns MCtcp's setup: both constraints on.
func DefaultConfig() Config {
	return Config{SingleActiveOpen: true, NoRetransmission: true}
}

// Model is tcp.tla's Next relation from MCtcp's initial states. It
// satisfies the checker's System[State, Action] interface; its constraints
// are separate functions for the checker's options.
//
// Fairness (tcp.tla's Spec): WF_vars(System), the system actions taken
// together (Action.Class() == System), and WF_vars of CLOSE_SYN_SENT on
// either peer (Action.IsCloseSynSent). The property checked under it, Prop,
// is: for each peer p, InSynSent(p) leads to ResolvedFromSynSent(p).
type Model struct {
	Config
}

// New returns the model with the given configuration.
func New(c Config) *Model { return &Model{Config: c} }

// Init yields MCtcp's MCInit: both peers hold a TCB, one is in SYN-SENT
// with an empty queue, the other in LISTEN with its SYN queued. The state
// with A in SYN-SENT comes first.
func (m *Model) Init() iter.Seq[State] {
	return func(yield func(State) bool) {
		for node := A; node < numPeers; node++ {
			var s State
			s.Peers[node] = PeerState{Conn: SynSent, TCB: true}
			s.Peers[node.Other()] = PeerState{Conn: Listen, TCB: true, Queue: NewQueue(Syn)}
			if !yield(s) {
				return
			}
		}
	}
}

// Next yields every enabled transition of s, including those the
// constraints reject: the system actions of A then of B, then the reset
// actions of A then B, then the user actions of A then B, each in the
// order tcp.tla writes them. An Overflow state has no successors.
func (m *Model) Next(s State) iter.Seq2[Action, State] {
	return func(yield func(Action, State) bool) {
		if s.Overflow {
			return
		}
		for k := range arcsFrom {
			for p := A; p < numPeers; p++ {
				local := &s.Peers[p]
				arcs := arcsFrom[k][local.Conn]
				for i := range arcs {
					if !arcs[i].enabled(local) {
						continue
					}
					if !yield(arcs[i].take(&s, p)) {
						return
					}
				}
			}
		}
	}
}

// ActionConstraint is MCtcp's SingleActiveOpen when m enables it: it
// rejects the transitions of ACTIVE_OPEN, PASSIVE_OPEN and SEND.
//
// MCtcp evaluates ~\E ACTIVE_OPEN \/ PASSIVE_OPEN \/ SEND on the pair of
// states, not on the action taken; the two agree because no other action
// moves a peer into SYN-SENT, or from CLOSED to LISTEN without consuming a
// message (the tests check this on every generated transition).
func (m *Model) ActionConstraint(from State, a Action, to State) bool {
	return !m.SingleActiveOpen || !a.IsOpen()
}

// StateConstraint is MCtcp's NoRetransmission when m enables it: no queue
// holds two equal messages next to each other. An Overflow state always
// satisfies it, so that an overflow is reported rather than hidden.
func (m *Model) StateConstraint(s State) bool {
	if !m.NoRetransmission || s.Overflow {
		return true
	}
	for _, p := range s.Peers {
		if p.Queue.repeats() {
			return false
		}
	}
	return true
}

// EstablishedAgree is tcp.tla's Inv: when no message is in flight, A is
// ESTABLISHED exactly when B is. With messages in flight the peers may
// disagree.
func EstablishedAgree(s *State) bool {
	a, b := s.Peers[A], s.Peers[B]
	if a.Queue.Len() != 0 || b.Queue.Len() != 0 {
		return true
	}
	return (a.Conn == Established) == (b.Conn == Established)
}

// WithinCapacity holds in every state whose queues all fit in QueueCap:
// it fails exactly in Overflow states. Check it as an invariant whenever
// the model runs outside DefaultConfig.
func WithinCapacity(s *State) bool { return !s.Overflow }

// InSynSent returns the predicate "peer p is in SYN-SENT", the left side
// of tcp.tla's Prop.
func InSynSent(p Peer) func(*State) bool {
	return func(s *State) bool { return s.Peers[p].Conn == SynSent }
}

// ResolvedFromSynSent returns the predicate "peer p is in ESTABLISHED,
// LISTEN or CLOSED", the right side of tcp.tla's Prop: where a peer in
// SYN-SENT must eventually get to.
func ResolvedFromSynSent(p Peer) func(*State) bool {
	return func(s *State) bool {
		switch s.Peers[p].Conn {
		case Established, Listen, Closed:
			return true
		}
		return false
	}
}
