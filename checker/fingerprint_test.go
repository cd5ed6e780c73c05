package checker

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

type padded struct {
	A uint8
	B uint64
}

func TestLayout(t *testing.T) {
	require.Equal(t, []part{{plainPart, 0, 8}}, newFingerprinter[[4]uint16]().parts)
	require.Equal(t, []part{{plainPart, 0, 1}, {plainPart, 8, 8}}, newFingerprinter[padded]().parts)
	require.Equal(t, []part{{plainPart, 0, 5}}, newFingerprinter[procs]().parts)
	require.Equal(t, []part{
		{plainPart, 0, 1}, {plainPart, 4, 5}, {plainPart, 12, 4},
	}, newFingerprinter[[2]struct {
		X uint8
		Y uint32
	}]().parts)
	require.Equal(t, []part{{float64Part, 0, 8}, {stringPart, 8, 16}}, newFingerprinter[struct {
		F float64
		S string
	}]().parts)
	require.Equal(t, []part{{plainPart, 0, 1}, {plainPart, 2, 1}}, newFingerprinter[struct {
		A uint8
		_ uint8
		B uint8
	}]().parts)
	require.True(t, newFingerprinter[struct{ P *int }]().fallback)
	require.True(t, newFingerprinter[any]().fallback)
	require.False(t, newFingerprinter[struct{}]().fallback)
}

// TestFingerprintIsFixed pins fingerprints: they must be the same in every
// run, which the runtime's map hash is not.
func TestFingerprintIsFixed(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("fingerprints are pinned for little-endian machines")
	}
	f := newFingerprinter[point]()
	got := []uint64{f.sum(&point{}), f.sum(&point{1, 0}), f.sum(&point{0, 1})}
	require.Equal(t, []uint64{0x50bebf6edbd6cf00, 0xf2befd25a66fd463, 0x56114e985901af76}, got)
}

func TestFingerprintHashesWhatEqualCompares(t *testing.T) {
	// Padding bytes differ, the values are equal.
	f := newFingerprinter[padded]()
	a, b := padded{1, 2}, padded{1, 2}
	(*[16]byte)(unsafe.Pointer(&b))[3] = 0xff
	require.Equal(t, a, b)
	require.Equal(t, f.sum(&a), f.sum(&b))
	c := padded{1, 3}
	require.NotEqual(t, f.sum(&a), f.sum(&c))

	// -0 == +0.
	g := newFingerprinter[float64]()
	zero, negZero := 0.0, math.Copysign(0, -1)
	require.Equal(t, zero, negZero)
	require.Equal(t, g.sum(&zero), g.sum(&negZero))

	// Strings by contents, not by address; the length counts.
	h := newFingerprinter[[2]string]()
	s1 := [2]string{"ab", "c"}
	s2 := [2]string{strings.Repeat("ab", 1), strings.Clone("c")}
	s3 := [2]string{"a", "bc"}
	require.Equal(t, h.sum(&s1), h.sum(&s2))
	require.NotEqual(t, h.sum(&s1), h.sum(&s3))

	// Blank fields are not compared.
	type blank struct {
		A uint8
		_ uint8
	}
	var x, y blank
	(*[2]byte)(unsafe.Pointer(&y))[1] = 7
	require.True(t, x == y)
	k := newFingerprinter[blank]()
	require.Equal(t, k.sum(&x), k.sum(&y))

	// The fallback agrees with == within a run.
	n := 1
	p := newFingerprinter[*int]()
	q1, q2 := &n, &n
	require.Equal(t, p.sum(&q1), p.sum(&q2))
}

func TestFingerprintSpreads(t *testing.T) {
	// No collision among 2^17 small states, nor in the low bits.
	f := newFingerprinter[[3]uint8]()
	seen := make(map[uint64]bool)
	low := make(map[uint64]int)
	for i := range 1 << 17 {
		s := [3]uint8{uint8(i), uint8(i >> 8), uint8(i >> 16)}
		h := f.sum(&s)
		require.False(t, seen[h])
		seen[h] = true
		low[h&0xff]++
	}
	for _, n := range low {
		require.InDelta(t, 512, n, 150)
	}
}

func TestHashWords(t *testing.T) {
	for _, w := range [][]uint64{{0}, {1, 2, 3}, {^uint64(0), 0x0123456789abcdef}, {5, 6, 7, 8, 9, 10}} {
		require.Equal(t, hashBytes(appendWords(nil, w)), hashWords(w))
	}
}

// The fingerprints of encodings that differ little — one bit, one byte
// more or less, a zero byte added — are all different, and spread
// evenly over the low bits (the slot a table picks uses the high bits,
// the exact store's tag the low ones).
func TestHashBytesSpreads(t *testing.T) {
	seen := map[uint64]string{}
	low := make([]int, 256)
	high := make([]int, 256)
	add := func(b []byte) {
		h := hashBytes(b)
		if prev, ok := seen[h]; ok {
			require.Equal(t, prev, string(b), "two encodings with one fingerprint")
			return
		}
		seen[h] = string(b)
		low[h&0xff]++
		high[h>>56]++
	}
	for n := range 40 {
		b := make([]byte, n)
		add(b)
		for bit := range 8 * n {
			c := append([]byte(nil), b...)
			c[bit/8] ^= 1 << (bit % 8)
			add(c)
		}
	}
	for i := range 1 << 16 {
		add([]byte{byte(i), byte(i >> 8), 0, 0, 0, 0, 0, 0, 1})
		add(binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, uint64(i)), uint64(i)<<32))
	}
	require.Greater(t, len(seen), 1<<17)
	for i := range low {
		require.InDelta(t, len(seen)/256, low[i], float64(len(seen))/256/3, "low byte %d", i)
		require.InDelta(t, len(seen)/256, high[i], float64(len(seen))/256/3, "high byte %d", i)
	}
}
