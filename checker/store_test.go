package checker

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStores(t *testing.T) {
	for _, kind := range []StoreKind{ExactStore, FingerprintStore} {
		st := newStore[point](kind, 3, nil)
		i, added := st.put(point{1, 2})
		require.Equal(t, int32(0), i)
		require.True(t, added)
		i, added = st.put(point{2, 1})
		require.Equal(t, int32(1), i)
		require.True(t, added)
		i, added = st.put(point{1, 2})
		require.Equal(t, int32(0), i)
		require.False(t, added)

		i, ok := st.lookup(point{2, 1})
		require.Equal(t, int32(1), i)
		require.True(t, ok)
		_, ok = st.lookup(point{3, 3})
		require.False(t, ok)

		i, added = st.put(point{3, 3})
		require.Equal(t, int32(2), i)
		require.True(t, added)
		// Full: a new state is refused, a stored one still found.
		i, added = st.put(point{4, 4})
		require.Equal(t, int32(-1), i)
		require.False(t, added)
		i, added = st.put(point{3, 3})
		require.Equal(t, int32(2), i)
		require.False(t, added)
		require.Equal(t, 3, st.len())
	}
}

func TestCollisionProbability(t *testing.T) {
	require.Zero(t, collisionProbability(0, 0))
	require.Zero(t, collisionProbability(10, 10))
	// TLC's optimistic estimate n(g-n)/2^64 while it is small: 2^20
	// states, 2^22 generated.
	lambda := float64(1<<20) * float64(3<<20) / 0x1p64
	require.InEpsilon(t, lambda, collisionProbability(1<<20, 1<<22), 1e-6)
	// Diagram K=3: 1,651,400,568 states, 13,429,155,896 transitions and
	// initial states; 1.05 collisions expected, a probability of 0.65.
	p := collisionProbability(1_651_400_568, 13_429_155_896+4)
	require.InDelta(t, 1-math.Exp(-1.0544), p, 0.001)
	require.Less(t, p, 1.0)
}

// An anonymous fingerprint store keeps no numbers in its table, yet
// tells whether a state is stored as a given number, as traces ask.
func TestAnonymousStoreHolds(t *testing.T) {
	st := newStore[int](FingerprintStore, 0, nil)
	st.anonymous = true
	for i := range 10_000 {
		n, added := st.put(i * 7)
		require.True(t, added)
		require.Equal(t, int32(i), n)
	}
	require.Nil(t, st.fpt.Load().nums)
	for i := range 10_000 {
		require.True(t, st.holds(i*7, int32(i)))
		require.False(t, st.holds(i*7, int32((i+1)%10_000)))
	}
	require.False(t, st.holds(3, 0))
	_, added := st.put(7)
	require.False(t, added, "found again")
	numbered := newStore[int](FingerprintStore, 0, nil)
	numbered.put(5)
	require.True(t, numbered.holds(5, 0))
	require.False(t, numbered.holds(5, 1))
}

// A table full at growLoad asks to grow; stretched, it takes states on to
// fullLoad in the same slots, and then cannot stretch again.
func TestStretch(t *testing.T) {
	for _, kind := range []StoreKind{ExactStore, FingerprintStore} {
		st := newStore[point](kind, 0, nil)
		require.False(t, st.stretch(), "%v: no table yet", kind)
		i := 0
		fill := func() {
			for st.growthBytes() == 0 {
				_, added := st.put(point{i, -i})
				require.True(t, added)
				i++
			}
		}
		fill()
		_, added := st.put(point{i, -i}) // grows it
		require.True(t, added)
		i++
		fill()
		size := st.tableSize()
		require.Greater(t, size, uint64(minTableSize), "%v: grown", kind)
		require.InDelta(t, growLoad, float64(st.len())*100/float64(size), 0.1, "%v", kind)
		require.True(t, st.stretch(), "%v", kind)
		require.Zero(t, st.growthBytes(), "%v", kind)
		fill()
		require.Equal(t, size, st.tableSize(), "%v: filled on, not grown", kind)
		require.InDelta(t, fullLoad, float64(st.len())*100/float64(size), 0.1, "%v", kind)
		require.False(t, st.stretch(), "%v: already stretched", kind)
		// Grown where memory allows, the table is again one that grows
		// at growLoad.
		_, added = st.put(point{i, -i})
		require.True(t, added)
		i++
		fill()
		require.Greater(t, st.tableSize(), size, "%v", kind)
		require.InDelta(t, growLoad, float64(st.len())*100/float64(st.tableSize()), 0.1, "%v: grown again", kind)
		for j := range i {
			n, ok := st.lookup(point{j, -j})
			require.True(t, ok, "%v: state %d", kind, j)
			require.Equal(t, int32(j), n)
		}
	}
}
