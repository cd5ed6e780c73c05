package render

import (
	"bytes"
	"context"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/graphs"
	"github.com/tcpcheck/tcpcheck/model"
)

// endpointDOT is the endpoint diagram of the handshake preset.
func endpointDOT(t *testing.T) []byte {
	t.Helper()
	cfg, err := model.LookupPreset("handshake")
	require.NoError(t, err)
	m, err := model.New(cfg)
	require.NoError(t, err)
	res, err := checker.Explore(context.Background(), m, checker.Options[model.State, model.Action]{KeepGraph: true})
	require.NoError(t, err)
	return graphs.Endpoint(res.Graph, m).DOT()
}

// SVG renders in-process, and the same DOT gives the same bytes.
func TestSVG(t *testing.T) {
	dot := endpointDOT(t)
	first, err := SVG(dot)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(first, []byte("<?xml")), "%.40s", first)
	require.Contains(t, string(first), "<svg")
	require.Contains(t, string(first), "SYN&#45;RECEIVED", "the node names, escaped")
	second, err := SVG(dot)
	require.NoError(t, err)
	require.Equal(t, string(first), string(second))
}

func TestSVGBadDOT(t *testing.T) {
	_, err := SVG([]byte("digraph { a -> "))
	require.Error(t, err)
}

// PNG uses the dot program: a PNG when it is installed, an error that
// says what is missing when it is not.
func TestPNG(t *testing.T) {
	if _, err := exec.LookPath("dot"); err == nil {
		png, err := PNG(endpointDOT(t))
		require.NoError(t, err)
		require.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")), "%q", png[:min(8, len(png))])
		_, err = PNG([]byte("digraph { a -> "))
		require.ErrorContains(t, err, "dot -Tpng")
	} else {
		t.Log("no dot on PATH: only the error is tested")
	}
	t.Setenv("PATH", t.TempDir())
	_, err := PNG(endpointDOT(t))
	require.EqualError(t, err, "PNG needs Graphviz's dot program on PATH (apt-get install graphviz); SVG needs nothing")
}
