package diagram

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// referenceNext is Next as tcp.tla reads: every rule of every class tried
// on every peer, in the order of the tables, with nothing precomputed.
func referenceNext(s State) (acts []Action, states []State) {
	if s.Overflow {
		return nil, nil
	}
	for _, rules := range [...][]rule{systemRules[:], resetRules[:], userRules[:]} {
		for p := A; p < numPeers; p++ {
			for _, r := range rules {
				local := s.Peers[p]
				if !r.anyFrom && local.Conn != r.from || r.needTCB && !local.TCB {
					continue
				}
				q, ok := local.Queue, true
				for _, m := range r.rcv {
					if m == NoMessage {
						break
					}
					if q.Head() != m {
						ok = false
						break
					}
					q = q.tail()
				}
				if !ok {
					continue
				}
				next := s
				next.Peers[p].Conn, next.Peers[p].Queue = r.to, q
				switch r.tcb {
				case createTCB:
					next.Peers[p].TCB = true
				case deleteTCB:
					next.Peers[p].TCB = false
				}
				if r.snd != NoMessage {
					if rq, ok := s.Peers[p.Other()].Queue.appended(r.snd); ok {
						next.Peers[p.Other()].Queue = rq
					} else {
						next.Overflow = true
					}
				}
				acts = append(acts, Action{Peer: p, Kind: r.kind, Rcv: r.rcv[0], Snd: r.snd, To: r.to})
				states = append(states, next)
			}
		}
	}
	return acts, states
}

// queues returns every queue of at most n messages.
func queues(n int) []Queue {
	qs := []Queue{{}}
	for prev := qs; n > 0; n-- {
		var longer []Queue
		for _, q := range prev {
			for m := Syn; m < numMessages; m++ {
				q2, _ := q.appended(m)
				longer = append(longer, q2)
			}
		}
		qs = append(qs, longer...)
		prev = longer
	}
	return qs
}

// peerStates returns every peer state whose queue holds at most n
// messages.
func peerStates(n int) []PeerState {
	var ps []PeerState
	for c := range numConnStates {
		for _, tcb := range []bool{false, true} {
			for _, q := range queues(n) {
				ps = append(ps, PeerState{Conn: ConnState(c), TCB: tcb, Queue: q})
			}
		}
	}
	return ps
}

// Next, which looks only at the rules indexed under each peer's state and
// compiles their guards, yields exactly what trying every rule yields, in
// the same order: for every peer state with up to three queued messages
// on either side, against remote peers with an empty, a short and a full
// queue (whose sends overflow).
func TestNextAgreesWithEveryRule(t *testing.T) {
	var full Queue
	for range QueueCap {
		full, _ = full.appended(Fin)
	}
	var remotes []PeerState
	for c := range numConnStates {
		for _, q := range []Queue{{}, NewQueue(Rst, Syn), full} {
			remotes = append(remotes, PeerState{Conn: ConnState(c), TCB: c%2 == 0, Queue: q})
		}
	}
	m := New(DefaultConfig())
	n := 0
	for _, local := range peerStates(3) {
		for _, remote := range remotes {
			for _, s := range []State{
				{Peers: [numPeers]PeerState{A: local, B: remote}},
				{Peers: [numPeers]PeerState{A: remote, B: local}},
			} {
				wantActs, wantStates := referenceNext(s)
				var acts []Action
				var states []State
				for a, t := range m.Next(s) {
					acts, states = append(acts, a), append(states, t)
				}
				require.Equal(t, wantActs, acts, "%v", s)
				require.Equal(t, wantStates, states, "%v", s)
				n += len(acts)
			}
		}
	}
	require.Greater(t, n, 100000)
}

// repeats, read off the packed word, agrees with walking the queue, on
// every queue of up to five messages.
func TestRepeats(t *testing.T) {
	qs := queues(5)
	for _, q := range qs {
		want, prev := false, NoMessage
		for m := range q.All() {
			want = want || m == prev
			prev = m
		}
		require.Equal(t, want, q.repeats(), "%v", q)
	}
	require.Len(t, qs, 1+6+36+216+1296+7776)
}
