package model_test

import (
	"context"
	"iter"
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
						{Name: "no-overflow", Holds: func(s *model.State) bool { return !s.Overflow }},
						{Name: "a-not-time-wait", Holds: func(s *model.State) bool { return s.Ep[model.A].State != model.TimeWait }},
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

// nextOnly is a Model without its Packer methods: what the checker
// explores through Next.
type nextOnly struct{ m *model.Model }

func (n nextOnly) Init() iter.Seq[model.State] { return n.m.Init() }
func (n nextOnly) Next(s model.State) iter.Seq2[model.Action, model.State] {
	return n.m.Next(s)
}
func (n nextOnly) AppendState(b []byte, s model.State) []byte { return n.m.AppendState(b, s) }
func (n nextOnly) DecodeState(b []byte) model.State           { return n.m.DecodeState(b) }

// The fast path (the Model is a checker.Packer) gives the result Next
// gives, on models whose numbering of components starts empty, with one
// to four workers numbering at once, with either store.
func TestPackedAgreesWithNextOnPresets(t *testing.T) {
	for _, name := range []string{"handshake", "lifecycle", "simultaneous", "reconnect", "flood"} {
		for _, store := range []checker.StoreKind{checker.ExactStore, checker.FingerprintStore} {
			opts := checker.Options[model.State, model.Action]{
				Store: store, KeepGraph: true, CheckDeadlock: true, ContinueAfterViolation: true,
				Invariants: []checker.Invariant[model.State]{
					{Name: "no-overflow", Holds: func(s *model.State) bool { return !s.Overflow }},
					{Name: "a-not-time-wait", Holds: func(s *model.State) bool { return s.Ep[model.A].State != model.TimeWait }},
				},
			}
			type result struct {
				res   *checker.Result[model.State, model.Action]
				graph graphSpelledOut
			}
			explore := func(sys checker.System[model.State, model.Action]) result {
				res, err := checker.Explore(context.Background(), sys, opts)
				require.NoError(t, err)
				res.Stats.Elapsed, res.Stats.StoreBytes, res.Stats.SearchBytes, res.CollisionProbability = 0, 0, 0, 0
				g := spelledOut(res.Graph)
				res.Graph, res.Stats.GraphBytes = nil, 0
				return result{res, g}
			}
			m, err := model.New(mustPreset(t, name))
			require.NoError(t, err)
			opts.Final = m.Final
			want := explore(nextOnly{m})
			for _, w := range []int{1, 2, 4} {
				m, err := model.New(mustPreset(t, name))
				require.NoError(t, err)
				opts.Workers = w
				require.Equal(t, want, explore(m), "%s: %d workers, store %d", name, w, store)
			}
		}
	}
}

// A search that meets more distinct segments or endpoints than the
// packed form numbers runs again on Next and finds what Next finds.
func TestPackingLimitFallsBack(t *testing.T) {
	for _, store := range []checker.StoreKind{checker.ExactStore, checker.FingerprintStore} {
		opts := checker.Options[model.State, model.Action]{
			Store: store, CheckDeadlock: true,
			Invariants: []checker.Invariant[model.State]{
				{Name: "a-not-time-wait", Holds: func(s *model.State) bool { return s.Ep[model.A].State != model.TimeWait }},
			},
		}
		m, err := model.New(mustPreset(t, "lifecycle"))
		require.NoError(t, err)
		opts.Final = m.Final
		want, err := checker.Explore(context.Background(), nextOnly{m}, opts)
		require.NoError(t, err)
		for _, w := range []int{1, 2} {
			m, err := model.New(mustPreset(t, "lifecycle"))
			require.NoError(t, err)
			m.LimitPacking(12)
			opts.Workers, opts.Final = w, m.Final
			got, err := checker.Explore(context.Background(), m, opts)
			require.NoError(t, err)
			require.True(t, got.PackedPathLeft, "%d workers, store %d", w, store)
			require.Equal(t, want.Verdict, got.Verdict)
			require.Equal(t, want.Stats.Distinct, got.Stats.Distinct)
			require.Equal(t, want.Stats.Generated, got.Stats.Generated)
			require.Equal(t, want.Violations, got.Violations)
		}
	}
}

// The presets stay far below the packed form's limits (65,535 distinct
// endpoints, segments and SYN queues): the whole of lossy, and stress to
// 2 million states. The counts are logged (go test -v -run
// TestPresetsPackFarBelowTheLimits), and the packed form's comment quotes
// them.
func TestPresetsPackFarBelowTheLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("explores 5.9 million states")
	}
	for _, c := range []struct {
		preset    string
		maxStates int
	}{{"lossy", 0}, {"stress", 2_000_000}} {
		m, err := model.New(mustPreset(t, c.preset))
		require.NoError(t, err)
		res, err := checker.Explore(context.Background(), m, checker.Options[model.State, model.Action]{
			Store: checker.FingerprintStore, MaxStates: c.maxStates,
		})
		require.NoError(t, err)
		require.False(t, res.PackedPathLeft)
		ep, seg, q := m.PackedComponents()
		t.Logf("%s, %d states: %d endpoints, %d segments, %d SYN queues", c.preset, res.Stats.Distinct, ep, seg, q)
		require.Less(t, max(ep, seg, q), 65535/10)
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

// BenchmarkAppendNext is BenchmarkNext on the checker's fast path: the
// successors of each packed state, packed.
func BenchmarkAppendNext(b *testing.B) {
	m, states := presetStates(b, "lifecycle")
	n := m.PackedWords()
	words := make([]uint64, n*len(states))
	for i, s := range states {
		m.Pack(words[i*n:(i+1)*n], s)
	}
	var succ []uint64
	var acts []model.Action
	b.ReportAllocs()
	for b.Loop() {
		for i := range states {
			succ, acts, _ = m.AppendNext(words[i*n:(i+1)*n], succ[:0], acts[:0])
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
		if m.Rules(&t.s, t.a, &t.s) == nil {
			b.Fatal("no rule")
		}
	}
}
