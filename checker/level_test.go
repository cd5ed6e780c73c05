package checker

import (
	"bytes"
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
