package diagram

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Every state reachable without constraints up to a bound packs and
// unpacks to itself, and AppendNext gives Next's transitions in Next's
// order.
func TestPackedAgreesWithNext(t *testing.T) {
	m := New(Config{})
	seen := map[State]bool{}
	var todo []State
	for s := range m.Init() {
		todo = append(todo, s)
		seen[s] = true
	}
	w := make([]uint64, m.PackedWords())
	for len(todo) > 0 && len(seen) < 20_000 {
		s := todo[0]
		todo = todo[1:]
		m.Pack(w, s)
		require.Equal(t, s, m.Unpack(w))
		succ, acts := m.AppendNext(w, nil, nil)
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
	succ, acts := m.AppendNext(w, nil, nil)
	require.Empty(t, succ)
	require.Empty(t, acts)
}
