package bench

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
)

// The product of K copies has 1182^K states: each copy has the 1182 that
// TLC finds for MCtcp.
func TestProductStates(t *testing.T) {
	for k, want := range map[int]int{1: 1182, 2: 1182 * 1182} {
		if k == 2 && testing.Short() {
			continue
		}
		p, err := NewProduct(k)
		require.NoError(t, err)
		res, err := checker.Explore(context.Background(), p, checker.Options[ProductState, ProductAction]{Store: checker.FingerprintStore, Workers: 2})
		require.NoError(t, err)
		require.Equal(t, checker.Holds, res.Verdict)
		require.Equal(t, want, res.Stats.Distinct)
	}
}

func TestProductEncoding(t *testing.T) {
	p, err := NewProduct(2)
	require.NoError(t, err)
	n := 0
	for s := range p.Init() {
		for _, t2 := range p.Next(s) {
			require.Equal(t, t2, p.DecodeState(p.AppendState(nil, t2)))
			n++
		}
	}
	require.Positive(t, n)
}

func BenchmarkProduct(b *testing.B) {
	p, err := NewProduct(2)
	require.NoError(b, err)
	for _, w := range []int{1, 2} {
		for _, store := range []checker.StoreKind{checker.ExactStore, checker.FingerprintStore} {
			b.Run(map[checker.StoreKind]string{checker.ExactStore: "exact", checker.FingerprintStore: "fingerprint"}[store]+map[int]string{1: "/workers=1", 2: "/workers=2"}[w], func(b *testing.B) {
				for b.Loop() {
					res, err := checker.Explore(context.Background(), p, checker.Options[ProductState, ProductAction]{Store: store, Workers: w})
					require.NoError(b, err)
					b.ReportMetric(float64(res.Stats.Distinct)/res.Stats.Elapsed.Seconds(), "states/s")
					b.ReportMetric(float64(res.Stats.StoreBytes)/float64(res.Stats.Distinct), "B/state")
				}
			})
		}
	}
}
