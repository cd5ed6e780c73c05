package checker

import (
	"bytes"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
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

// States reserved in a level (levelsync.go's numbering) take their
// places among those pushed before and after, across blocks, with their
// numbers, once their encodings are written through code; and again
// after a reset that reuses the blocks.
func TestLevelReserves(t *testing.T) {
	l := newLevel[string](bytesCode{}, 1)
	for round := range 2 {
		l.reset(int32(round + 1))
		var want []string
		num := int32(0)
		push := func(s string) {
			want = append(want, s)
			l.push(&s, []byte(s), num)
			num++
		}
		for i := range 1000 {
			push(strings.Repeat("p", i%50))
		}
		for _, n := range []int{0, 1, 3 * levelBlock / 24, 5} {
			at, ok := l.reserve(n, 24, num)
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
			require.Equal(t, int32(i), x.index)
		}
	}
}

// A level refuses to reserve states when it is in a file, or when they
// would move it there, and then appends nothing.
func TestLevelReserveRefusedWhenSpilling(t *testing.T) {
	sp := &spill{dir: t.TempDir(), limit: 3 * levelBlock, width: 16}
	l := newLevel[int](newWordEncoder(packedToy{}, new(atomic.Bool)), 1)
	l.sp = sp
	const half = levelBlock / 32 // states of 16 bytes in half a block
	_, ok := l.reserve(half, 16, 0)
	require.True(t, ok, "half a block fits under three")
	_, ok = l.reserve(4*half, 16, half)
	require.False(t, ok, "two blocks more do not")
	require.Equal(t, half, l.len())
	for i := range 6 * half {
		l.push(nil, appendWords(nil, []uint64{uint64(i), 0}), int32(half+i))
	}
	require.NotNil(t, l.disk)
	_, ok = l.reserve(1, 16, 7*half)
	require.False(t, ok, "in a file")
	require.Equal(t, 7*half, l.len())
	l.reset(2)
}
