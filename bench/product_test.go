package bench

import (
	"context"
	"iter"
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

// Diagram K=2 with its frontier spilled to disk (a level past 2 MiB of
// 48-byte states, the widest of 161,496, goes to a file) and its table
// sized in advance gives the result of the search in memory, with two
// workers as with one.
func TestProductSpilledFrontier(t *testing.T) {
	if testing.Short() {
		t.Skip("diagram K=2 four times")
	}
	p, err := NewProduct(2)
	require.NoError(t, err)
	for _, w := range []int{1, 2} {
		opts := checker.Options[ProductState, ProductAction]{Store: checker.FingerprintStore, Workers: w}
		want, err := checker.Explore(context.Background(), p, opts)
		require.NoError(t, err)
		opts.FrontierMemory, opts.SpillDir, opts.ExpectedStates = 4<<20, t.TempDir(), 1182*1182
		got, err := checker.Explore(context.Background(), p, opts)
		require.NoError(t, err)
		require.Equal(t, 1182*1182, got.Stats.Distinct)
		require.Greater(t, got.Stats.SpilledBytes, int64(48*161496))
		for _, r := range []*checker.Result[ProductState, ProductAction]{want, got} {
			r.Stats.Elapsed, r.Stats.StoreBytes, r.Stats.SearchBytes, r.Stats.SpilledBytes = 0, 0, 0, 0
		}
		require.Equal(t, want, got, "%d workers", w)
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

// nextOnly is the product without its Packer methods: what the checker
// explores through Next, for BenchmarkProduct's "next" cases.
type nextOnly struct{ p *Product }

func (n nextOnly) Init() iter.Seq[ProductState] { return n.p.Init() }
func (n nextOnly) Next(s ProductState) iter.Seq2[ProductAction, ProductState] {
	return n.p.Next(s)
}
func (n nextOnly) AppendState(b []byte, s ProductState) []byte { return n.p.AppendState(b, s) }
func (n nextOnly) DecodeState(b []byte) ProductState           { return n.p.DecodeState(b) }

// BenchmarkProduct explores diagram K=2 on the fast path (packed) and
// through Next (next), with each store and one or two workers.
func BenchmarkProduct(b *testing.B) {
	p, err := NewProduct(2)
	require.NoError(b, err)
	for _, path := range []struct {
		name string
		sys  checker.System[ProductState, ProductAction]
	}{{"packed", p}, {"next", nextOnly{p}}} {
		b.Run(path.name, func(b *testing.B) { benchmarkProduct(b, path.sys) })
	}
}

func benchmarkProduct(b *testing.B, p checker.System[ProductState, ProductAction]) {
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

// The product's AppendNext gives Next's transitions, in Next's order, on
// every state of K=1 and on the first levels of K=2 and K=3.
func TestProductPacked(t *testing.T) {
	for _, k := range []int{1, 2, 3} {
		p, err := NewProduct(k)
		require.NoError(t, err)
		w := make([]uint64, p.PackedWords())
		seen := map[ProductState]bool{}
		var todo []ProductState
		for s := range p.Init() {
			todo = append(todo, s)
		}
		for len(todo) > 0 && len(seen) < 5000 {
			s := todo[0]
			todo = todo[1:]
			if seen[s] {
				continue
			}
			seen[s] = true
			require.True(t, p.Pack(w, s))
			require.Equal(t, s, p.Unpack(w))
			succ, acts, ok := p.AppendNext(w, nil, []ProductAction{})
			require.True(t, ok)
			bare, noActs, _ := p.AppendNext(w, nil, nil) // no actions wanted
			require.Equal(t, succ, bare)
			require.Nil(t, noActs)
			j := 0
			for a, next := range p.Next(s) {
				require.Less(t, j, len(acts))
				require.Equal(t, a, acts[j])
				require.Equal(t, next, p.Unpack(succ[j*len(w):(j+1)*len(w)]))
				todo = append(todo, next)
				j++
			}
			require.Equal(t, len(acts), j)
		}
		require.NotEmpty(t, seen)
	}
}
