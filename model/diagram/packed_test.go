package diagram

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Every state reachable without constraints up to a bound, and states
// with a full queue, pack and unpack to themselves; AppendNext gives
// Next's transitions in Next's order, and AppendNextConstrained those
// MCtcp's constraints allow.
func TestPackedAgreesWithNext(t *testing.T) {
	m := New(Config{})
	constrained := New(DefaultConfig())
	seen := map[State]bool{}
	var todo []State
	for s := range m.Init() {
		todo = append(todo, s)
		seen[s] = true
	}
	// A full queue, so that a send overflows, and queues with repeats.
	full := make([]Message, QueueCap)
	for i := range full {
		full[i] = Fin
	}
	for _, c := range []ConnState{Established, SynReceived, CloseWait, Listen} {
		var s State
		s.Peers[A] = PeerState{Conn: c, TCB: true, Queue: NewQueue(Fin, Fin)}
		s.Peers[B] = PeerState{Conn: Established, TCB: true, Queue: NewQueue(full...)}
		todo = append(todo, s)
		seen[s] = true
	}
	w := make([]uint64, m.PackedWords())
	for len(todo) > 0 && len(seen) < 20_000 {
		s := todo[0]
		todo = todo[1:]
		require.True(t, m.Pack(w, s))
		require.Equal(t, s, m.Unpack(w))
		succ, acts, ok := m.AppendNext(w, nil, []Action{})
		require.True(t, ok)
		bare, noActs, _ := m.AppendNext(w, nil, nil) // no actions wanted
		require.Equal(t, succ, bare)
		require.Nil(t, noActs)
		require.Len(t, succ, len(acts)*m.PackedWords())
		j := 0
		for a, next := range m.Next(s) {
			require.Less(t, j, len(acts))
			require.Equal(t, a, acts[j])
			require.Equal(t, next, m.Unpack(succ[3*j:3*j+3]))
			j++
			if !seen[next] {
				seen[next] = true
				todo = append(todo, next)
			}
		}
		require.Equal(t, len(acts), j)

		succ, acts = constrained.AppendNextConstrained(w, nil, []Action{})
		j = 0
		for a, next := range constrained.Next(s) {
			if !constrained.ActionConstraint(s, a, next) || !constrained.StateConstraint(next) {
				continue
			}
			require.Less(t, j, len(acts))
			require.Equal(t, a, acts[j])
			require.Equal(t, next, m.Unpack(succ[3*j:3*j+3]))
			j++
		}
		require.Equal(t, len(acts), j)
	}
	require.GreaterOrEqual(t, len(seen), 20_000)
}

func TestPackedOverflow(t *testing.T) {
	m := New(Config{})
	var s State
	s.Overflow = true
	s.Peers[A].Queue = NewQueue(Syn, Fin)
	w := make([]uint64, 3)
	m.Pack(w, s)
	require.Equal(t, s, m.Unpack(w))
	succ, acts, _ := m.AppendNext(w, nil, nil)
	require.Empty(t, succ)
	require.Empty(t, acts)
}
