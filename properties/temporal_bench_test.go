package properties

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
)

// BenchmarkTemporalDecide is the liveness analysis that follows a search,
// alone: the segment catalogue's leads-to checks decided on the explored
// graph of a preset (checker.LeadsToAll) by one worker and by two. The
// search and the marking of the checks' P and Q states come first, off
// the clock (lossy's search takes some 20 s).
func BenchmarkTemporalDecide(b *testing.B) {
	for _, preset := range []string{"reorder", "lossy"} {
		b.Run(preset, func(b *testing.B) {
			cfg, err := model.LookupPreset(preset)
			require.NoError(b, err)
			m, err := model.New(cfg)
			require.NoError(b, err)
			res, err := checker.Explore(context.Background(), m, checker.Options[model.State, model.Action]{KeepGraph: true, Workers: 2})
			require.NoError(b, err)
			g, err := checker.CompleteGraph(res)
			require.NoError(b, err)
			var temporal []SegmentProperty
			for _, p := range Segment() {
				if p.Kind == Temporal {
					temporal = append(temporal, p)
				}
			}
			checks, _, _ := leadsToChecks(g, temporal, 2)
			for _, workers := range []int{1, 2} {
				b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
					for b.Loop() {
						_, errs, _ := checker.LeadsToAll(g, checks, workers)
						require.Equal(b, make([]error, len(checks)), errs)
					}
					b.ReportMetric(float64(g.NumStates()), "states")
				})
			}
		})
	}
}
