package properties_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
)

// BenchmarkCatalogueCheck is what the segment catalogue's invariants cost
// a search: the reorder preset explored with none of them, and with all
// of them and their premises counted, as tcpcheck check does. Read the
// two states/s figures of one run as a ratio: the catalogue calls some
// thirty functions on every transition, and what each call costs beyond
// its own test (a copy of the states, once) shows in that ratio.
func BenchmarkCatalogueCheck(b *testing.B) {
	cfg, err := model.LookupPreset("reorder")
	require.NoError(b, err)
	m, err := model.New(cfg)
	require.NoError(b, err)
	for _, c := range []struct {
		name      string
		catalogue bool
	}{{"none", false}, {"catalogue", true}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				opts := checker.Options[model.State, model.Action]{Workers: 1, ContinueAfterViolation: true}
				if c.catalogue {
					properties.ApplyCounting(&opts, properties.Segment(), m.Final)
				}
				res, err := checker.Explore(context.Background(), m, opts)
				require.NoError(b, err)
				require.Empty(b, res.Violations)
				b.ReportMetric(res.Stats.StatesPerSecond(), "states/s")
			}
		})
	}
}
