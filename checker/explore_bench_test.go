package checker

import (
	"context"
	"iter"
	"slices"
	"testing"
)

// torus is the 47×47×47 torus: each step adds 1 to one coordinate, modulo
// 47. It has 47³ = 103,823 states and 3 transitions from each.
type torus struct{}

const torusSide = 47

func (torus) Init() iter.Seq[[3]uint8] { return slices.Values([][3]uint8{{}}) }

func (torus) Next(s [3]uint8) iter.Seq2[uint8, [3]uint8] {
	return func(yield func(uint8, [3]uint8) bool) {
		for i := range uint8(3) {
			t := s
			t[i] = (t[i] + 1) % torusSide
			if !yield(i, t) {
				return
			}
		}
	}
}

func benchmarkExplore(b *testing.B, opts Options[[3]uint8, uint8]) {
	b.ReportAllocs()
	for b.Loop() {
		res, err := Explore(context.Background(), torus{}, opts)
		if err != nil || res.Verdict != Holds || res.Stats.Distinct != torusSide*torusSide*torusSide {
			b.Fatal(err, res.Verdict, res.Stats)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(torusSide*torusSide*torusSide), "ns/state")
}

func BenchmarkExploreExact(b *testing.B) {
	benchmarkExplore(b, Options[[3]uint8, uint8]{})
}

func BenchmarkExploreFingerprint(b *testing.B) {
	benchmarkExplore(b, Options[[3]uint8, uint8]{Store: FingerprintStore})
}

func BenchmarkExploreDFS(b *testing.B) {
	benchmarkExplore(b, Options[[3]uint8, uint8]{Strategy: DFS})
}

func BenchmarkExploreGraph(b *testing.B) {
	benchmarkExplore(b, Options[[3]uint8, uint8]{KeepGraph: true})
}

func BenchmarkFingerprint(b *testing.B) {
	f := newFingerprinter[procs]()
	s := procs{PC: [2]uint8{1, 2}, Flag: [2]bool{true, false}, Turn: 1}
	var h uint64
	for b.Loop() {
		h += f.sum(&s)
		s.Turn++
	}
	_ = h
}
