package checker

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParents(t *testing.T) {
	// Three initial states, then children of 0, 0, 2, 2, 2, 5, 70, 70.
	links := []int32{-1, -1, -1, 0, 0, 2, 2, 2, 5, 70, 70}
	for _, monotone := range []bool{false, true} {
		p := newParents(monotone)
		for _, l := range links {
			p.add(l)
		}
		for i, l := range links {
			require.Equal(t, l, p.get(int32(i)), "state %d", i)
		}
	}
	p := newParents(true)
	p.add(3)
	require.Panics(t, func() { p.add(2) })
	require.Panics(t, func() { p.add(-1) })
}

func TestArena(t *testing.T) {
	var a arena
	var want [][]byte
	for i := range 5000 {
		b := make([]byte, i%700)
		for k := range b {
			b[k] = byte(i + k)
		}
		a.append(b)
		want = append(want, b)
	}
	require.Greater(t, len(a.blocks), 1)
	for i, b := range want {
		require.Equal(t, b, a.at(i))
	}
	// A string that fills a block to the last byte.
	var full arena
	full.append(make([]byte, 1<<arenaBlockBits-3))
	full.append([]byte{1, 2, 3})
	full.append([]byte{4})
	require.Equal(t, []byte{1, 2, 3}, full.at(1))
	require.Equal(t, []byte{4}, full.at(2))
}

// An arena of one width (a Packer's words) keeps the same strings over
// many blocks, computing their places, and holds no ends.
func TestArenaOfOneWidth(t *testing.T) {
	for _, width := range []int{40, 48, 1 << arenaBlockBits} {
		var fixed, plain arena
		fixed.fixedWidth(width)
		n := 3 * (1 << arenaBlockBits) / width
		for i := range n {
			b := make([]byte, width)
			binary.LittleEndian.PutUint64(b, uint64(i))
			b[width-1] = byte(i)
			fixed.append(b)
			plain.append(b)
		}
		require.GreaterOrEqual(t, len(fixed.blocks), 3)
		for i := range n {
			require.Equal(t, plain.at(i), fixed.at(i), "string %d of width %d", i, width)
		}
		require.Zero(t, fixed.ends.len())
		require.Less(t, fixed.bytes(), plain.bytes())
		require.Panics(t, func() { fixed.append(make([]byte, width+1)) }, "a string of another width")
	}
	var used arena
	used.append([]byte{1})
	require.Panics(t, func() { used.fixedWidth(8) })
}

func TestTableGrows(t *testing.T) {
	st := newStore[int](FingerprintStore, 0, nil)
	for i := range 100_000 {
		n, added := st.put(i)
		require.True(t, added)
		require.Equal(t, int32(i), n)
	}
	for i := range 100_000 {
		n, ok := st.lookup(i)
		require.True(t, ok)
		require.Equal(t, int32(i), n)
	}
	require.LessOrEqual(t, st.fpt.Load().n*100, int(st.fpt.Load().size)*growLoad)
	// A twelve-byte slot at 40% to 60% load.
	require.Less(t, float64(st.bytes())/100_000, 12/0.40+1.0)
}
