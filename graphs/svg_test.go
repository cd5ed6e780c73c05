package graphs

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// SVG renders in-process, and the same DOT gives the same bytes.
func TestSVG(t *testing.T) {
	m := mustModel(t, "handshake", nil)
	d := Endpoint(explore(t, m), m)
	first, err := SVG(d.DOT())
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(first, []byte("<?xml")), "%.40s", first)
	require.Contains(t, string(first), "<svg")
	require.Contains(t, string(first), "SYN&#45;RECEIVED", "the node names, escaped")
	second, err := SVG(d.DOT())
	require.NoError(t, err)
	require.Equal(t, string(first), string(second))
}

func TestSVGBadDOT(t *testing.T) {
	_, err := SVG([]byte("digraph { a -> "))
	require.Error(t, err)
}
