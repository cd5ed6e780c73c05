package model

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// RFC 9293 §3.4: sequence arithmetic is modulo 2^32.
func TestSeqNumWraparound(t *testing.T) {
	top := SeqNum(0xFFFFFFFF)
	require.Equal(t, SeqNum(0), top.Add(1))
	require.Equal(t, SeqNum(1), top.Add(2))
	require.True(t, top.LessThan(top.Add(1)), "2^32-1 < 0 across the wrap")
	require.False(t, top.Add(1).LessThan(top))
	require.Equal(t, uint32(2), SeqNum(1).Sub(top))
	require.True(t, SeqNum(5).LessThanEq(5))
	require.False(t, SeqNum(6).LessThanEq(5))
}

func TestSeqNumWindows(t *testing.T) {
	tests := []struct {
		name        string
		s, start    SeqNum
		size        uint32
		inWindow    bool
		lo, hi      SeqNum
		inRangeLoHi bool
	}{
		{"left edge", 100, 100, 10, true, 99, 100, true},
		{"right edge excluded", 110, 100, 10, false, 100, 110, true},
		{"below", 99, 100, 10, false, 99, 100, false},
		{"window across wrap", 2, 0xFFFFFFFE, 8, true, 0xFFFFFFFF, 2, true},
		{"zero window accepts nothing", 100, 100, 0, false, 100, 100, false},
		{"empty range, 2^31 away", 100 + 1<<31, 100, 1, false, 100, 100, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.inWindow, tt.s.InWindow(tt.start, tt.size))
			require.Equal(t, tt.inRangeLoHi, tt.s.InRange(tt.lo, tt.hi))
		})
	}
}
