package model_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
)

// Results do not depend on the number of workers: figures, violations
// with their shortest traces, and the graph.
func TestWorkersAgreeOnPresets(t *testing.T) {
	for _, name := range []string{"handshake", "close", "lifecycle", "simultaneous"} {
		m, err := model.New(mustPreset(t, name))
		require.NoError(t, err)
		var (
			want      *checker.Result[model.State, model.Action]
			wantGraph graphSpelledOut
		)
		for _, w := range []int{1, 2, 4} {
			for _, store := range []checker.StoreKind{checker.ExactStore, checker.FingerprintStore} {
				res, err := checker.Explore(context.Background(), m, checker.Options[model.State, model.Action]{
					Workers: w, Store: store, KeepGraph: true, CheckDeadlock: true, Final: m.Final,
					ContinueAfterViolation: true,
					Invariants: []checker.Invariant[model.State]{
						{Name: "no-overflow", Holds: func(s model.State) bool { return !s.Overflow }},
						{Name: "a-not-time-wait", Holds: func(s model.State) bool { return s.Ep[model.A].State != model.TimeWait }},
					},
				})
				require.NoError(t, err)
				res.Stats.Elapsed, res.Stats.StoreBytes, res.Stats.SearchBytes, res.CollisionProbability = 0, 0, 0, 0
				// The graph keeps the states itself with a FingerprintStore,
				// and reads the store's otherwise: compare what it holds.
				g := spelledOut(res.Graph)
				res.Graph, res.Stats.GraphBytes = nil, 0
				if want == nil {
					want, wantGraph = res, g
					continue
				}
				require.Equal(t, wantGraph, g, "%s: %d workers, store %d", name, w, store)
				require.Equal(t, want, res, "%s: %d workers, store %d", name, w, store)
			}
		}
	}
}

// graphSpelledOut is what a graph holds.
type graphSpelledOut struct {
	States  []model.State
	Initial []int
	Edges   []checker.Edge[model.Action]
}

func spelledOut(g *checker.Graph[model.State, model.Action]) graphSpelledOut {
	o := graphSpelledOut{Initial: g.Initial()}
	for _, s := range g.States() {
		o.States = append(o.States, s)
	}
	for _, e := range g.Edges() {
		o.Edges = append(o.Edges, e)
	}
	return o
}

func benchmarkPreset(b *testing.B, name string, opts checker.Options[model.State, model.Action]) {
	m, err := model.New(mustPreset(b, name))
	require.NoError(b, err)
	for b.Loop() {
		res, err := checker.Explore(context.Background(), m, opts)
		require.NoError(b, err)
		b.ReportMetric(res.Stats.StatesPerSecond(), "states/s")
		b.ReportMetric(float64(res.Stats.StoreBytes)/float64(res.Stats.Distinct), "B/state")
	}
}

func BenchmarkExploreLossy(b *testing.B) {
	for _, c := range []struct {
		name string
		opts checker.Options[model.State, model.Action]
	}{
		{"exact/workers=1", checker.Options[model.State, model.Action]{}},
		{"exact/workers=2", checker.Options[model.State, model.Action]{Workers: 2}},
		{"fingerprint/workers=1", checker.Options[model.State, model.Action]{Store: checker.FingerprintStore}},
		{"fingerprint/workers=2", checker.Options[model.State, model.Action]{Store: checker.FingerprintStore, Workers: 2}},
	} {
		b.Run(c.name, func(b *testing.B) { benchmarkPreset(b, "lossy", c.opts) })
	}
}

// BenchmarkNext is the successor function alone, over the states of the
// lifecycle preset.
func BenchmarkNext(b *testing.B) {
	m, states := presetStates(b, "lifecycle")
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, s := range states {
			for range m.Next(s) {
				n++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(states)), "ns/state")
}

// BenchmarkEncoding is AppendState and DecodeState, per state.
func BenchmarkEncoding(b *testing.B) {
	m, states := presetStates(b, "lossy")
	var buf []byte
	for b.Loop() {
		for _, s := range states {
			buf = m.AppendState(buf[:0], s)
			_ = m.DecodeState(buf)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(states)), "ns/state")
}

// BenchmarkRules is the cost of naming a transition's rules (coverage by
// rule), against BenchmarkNext's cost of computing it.
func BenchmarkRules(b *testing.B) {
	m, states := presetStates(b, "lifecycle")
	type tr struct {
		s model.State
		a model.Action
	}
	var trs []tr
	for _, s := range states {
		for a := range m.Next(s) {
			trs = append(trs, tr{s, a})
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t := &trs[i%len(trs)]
		if m.Rules(t.s, t.a, t.s) == nil {
			b.Fatal("no rule")
		}
	}
}
