package verify

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkTemporalCheck checks a preset with its temporal properties:
// the search keeps its graph and liveness is decided on it. It reports
// what the graph holds (Stats.GraphBytes) per state and per edge, the
// edges per state, and what the whole search holds per state: the graph
// meets issue 17's target 5 when graph-B/state ≤ 40 + 8·edges/state.
func BenchmarkTemporalCheck(b *testing.B) {
	for _, preset := range []string{"simultaneous", "reorder", "lossy"} {
		b.Run(preset, func(b *testing.B) {
			m, err := SegmentPreset(preset)
			require.NoError(b, err)
			for b.Loop() {
				res, err := Run(context.Background(), m, Options{Workers: 1, NoCoverage: true})
				require.NoError(b, err)
				g, st := res.Search.Graph, res.Search.Stats
				require.NotNil(b, g)
				n, e := float64(g.NumStates()), float64(g.NumEdges())
				b.ReportMetric(n, "states")
				b.ReportMetric(e/n, "edges/state")
				b.ReportMetric(float64(st.GraphBytes)/n, "graph-B/state")
				b.ReportMetric(float64(st.GraphBytes)/e, "graph-B/edge")
				b.ReportMetric(float64(st.SearchBytes)/n, "search-B/state")
			}
		})
	}
}
