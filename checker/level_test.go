package checker

import (
	"bytes"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// bytesCode encodes a state as itself: a string of bytes.
type bytesCode struct{}

func (bytesCode) AppendState(b []byte, s string) []byte { return append(b, s...) }
func (bytesCode) DecodeState(b []byte) string           { return string(b) }

// A level gives back every encoding pushed, in order, whatever their
// sizes — empty, small, filling blocks, larger than a block — and again
// after a reset that reuses its blocks for a larger level.
func TestLevelKeepsEncodings(t *testing.T) {
	l := newLevel[string](bytesCode{}, 1)
	for round, n := range []int{3000, 100, 9000} {
		l.reset(int32(round + 1))
		var want []string
		for i := range n {
			size := (i * 37) % 300
			switch i % 1000 {
			case 7:
				size = levelBlock + 5
			case 8:
				size = 0
			}
			s := string(bytes.Repeat([]byte{byte(i), byte(round)}, size)[:size])
			want = append(want, s)
			l.push(&s, []byte(s), int32(i))
		}
		require.Equal(t, n, l.len())
		for i, s := range want {
			x := l.at(i)
			require.Equal(t, s, x.state, "round %d, entry %d", round, i)
			require.Equal(t, int32(i), x.index)
			require.Equal(t, int32(round+1), x.depth)
		}
	}
}

// States reserved in a level of fixed width (levelsync.go's numbering)
// take their places among those pushed before and after, across blocks,
// with their numbers, once their encodings are written through code; and
// again after a reset that reuses the blocks. A level of any width
// reserves none.
func TestLevelReserves(t *testing.T) {
	l := newLevel[string](bytesCode{}, 1)
	l.fixedWidth(24)
	for round := range 3 {
		l.reset(int32(round + 1))
		var want []string
		num := int32(7)
		push := func(s string) {
			s = fmt.Sprintf("%-24s", s)[:24]
			want = append(want, s)
			l.push(&s, []byte(s), num)
			num++
		}
		for i := range 1000 * round {
			push(strings.Repeat("p", i%50))
		}
		for _, n := range []int{0, 1, 3 * levelBlock / 24, 5} {
			at, ok := l.reserve(n, num)
			require.True(t, ok)
			require.Equal(t, len(want), at)
			for j := range n {
				s := fmt.Sprintf("%08d/%06d/r%d/%05d", j, n, round, j%99999)[:24]
				want = append(want, s)
				copy(l.code(at+j), s)
			}
			num += int32(n)
			push("after")
		}
		require.Equal(t, len(want), l.len())
		for i, s := range want {
			x := l.at(i)
			require.Equal(t, s, x.state, "round %d, entry %d", round, i)
			require.Equal(t, int32(7+i), x.index)
		}
		require.Empty(t, l.ends, "a level of fixed width keeps no ends")
		require.Empty(t, l.index, "nor numbers")
	}
	anyWidth := newLevel[string](bytesCode{}, 1)
	s := "abc"
	anyWidth.push(&s, []byte(s), 0)
	_, ok := anyWidth.reserve(1, 1)
	require.False(t, ok)
	require.Equal(t, 1, anyWidth.len())
}

// A level of fixed width refuses an encoding of another width, and a
// state numbered out of turn.
func TestLevelOfFixedWidthRefusesOthers(t *testing.T) {
	l := newLevel[string](bytesCode{}, 1)
	l.fixedWidth(4)
	l.push(nil, []byte("abcd"), 10)
	require.Panics(t, func() { l.push(nil, []byte("abcde"), 11) })
	require.Panics(t, func() { l.push(nil, []byte("abcd"), 12) })
	require.Panics(t, func() { l.reserve(2, 13) })
	require.Panics(t, func() { l.fixedWidth(8) })
	l.push(nil, []byte("efgh"), 11)
	require.Equal(t, "efgh", l.at(1).state)
	require.Equal(t, int32(11), l.at(1).index)
}

// A level refuses to reserve states when it is in a file, or when they
// would move it there, and then appends nothing.
func TestLevelReserveRefusedWhenSpilling(t *testing.T) {
	sp := &spill{dir: t.TempDir(), limit: 3 * levelBlock, width: 16}
	l := newLevel[int](newWordEncoder(packedToy{}, new(atomic.Bool)), 1)
	l.fixedWidth(16)
	l.sp = sp
	const half = levelBlock / 32 // states of 16 bytes in half a block
	_, ok := l.reserve(half, 0)
	require.True(t, ok, "half a block fits under three")
	_, ok = l.reserve(6*half, half)
	require.False(t, ok, "three blocks more do not")
	require.Equal(t, half, l.len())
	for i := range 6 * half {
		l.push(nil, appendWords(nil, []uint64{uint64(i), 0}), int32(half+i))
	}
	require.NotNil(t, l.disk)
	_, ok = l.reserve(1, 7*half)
	require.False(t, ok, "in a file")
	require.Equal(t, 7*half, l.len())
	l.reset(2)
}

// A level reserves states only where pushing them one at a time would
// not move it to its file: for any fixed width, any states pushed
// before, any number reserved and any limit.
func TestLevelReservesOnlyWherePushWouldNotSpill(t *testing.T) {
	dir := t.TempDir()
	rapid.Check(t, func(t *rapid.T) {
		width := rapid.SampledFrom([]int{8, 24, 408, levelBlock/3 + 8, levelBlock/2 + 8, levelBlock + 8}).Draw(t, "width")
		// States pushed before: often just enough to fill the last block
		// in use, or one more or less.
		perBlock := max(levelBlock, width) / width
		before := max(0, rapid.IntRange(0, 3).Draw(t, "blocks")*perBlock+rapid.IntRange(-1, 1).Draw(t, "more"))
		if rapid.Bool().Draw(t, "anywhere") {
			before = rapid.IntRange(0, 3*perBlock+2).Draw(t, "before")
		}
		n := rapid.IntRange(1, 8*levelBlock/width+2).Draw(t, "n")
		// The limit: anywhere, or near what the level needs in memory
		// once all are pushed, where a loose bound lets reserve say yes
		// wrongly.
		limit := int64((before+n+perBlock-1)/perBlock)*levelBlock +
			int64(rapid.IntRange(-2*levelBlock, levelBlock/2).Draw(t, "near"))
		if rapid.Bool().Draw(t, "any limit") {
			limit = int64(rapid.IntRange(levelBlock, 12*levelBlock).Draw(t, "limit"))
		}
		enc := newWordEncoder(packedToy{}, new(atomic.Bool))
		code := make([]byte, width)
		reserving, pushing := newLevel[int](enc, 1), newLevel[int](enc, 1)
		for _, l := range []*level[int]{reserving, pushing} {
			l.fixedWidth(width)
			l.sp = &spill{dir: dir, limit: limit, width: width}
			for i := range before {
				l.push(nil, code, int32(i))
			}
		}
		spilled := reserving.disk != nil
		at, ok := reserving.reserve(n, int32(before))
		for i := range n {
			pushing.push(nil, code, int32(before+i))
		}
		if ok {
			require.False(t, spilled)
			require.Equal(t, before, at)
			require.Nil(t, pushing.disk, "reserved where pushing spills")
			require.Equal(t, before+n, reserving.len())
		} else {
			require.Equal(t, before, reserving.len(), "refused, and appended nothing")
		}
		reserving.reset(2)
		pushing.reset(2)
	})
}

// putWords writes the words as appendWords appends them, on either
// order of a machine's bytes.
func TestPutWordsAsAppendWords(t *testing.T) {
	w := []uint64{0x0102030405060708, 0, ^uint64(0), 42}
	for _, little := range []bool{true, false} {
		saved := littleEndian
		littleEndian = little
		b := make([]byte, 8*len(w))
		putWords(b, w)
		require.Equal(t, appendWords(nil, w), b)
		require.Equal(t, []byte{8, 7, 6, 5, 4, 3, 2, 1}, b[:8])
		littleEndian = saved
	}
}
