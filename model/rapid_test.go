package model_test

import (
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
	"github.com/tcpcheck/tcpcheck/properties/fuzz"
)

// The model's own contracts, checked along random behaviours of random
// configurations — every variant, with and without a SYN queue and its
// attacker — beyond the presets the other tests explore: Next agrees with
// Step and Emitted, is deterministic, counts within the bounds, and every
// state reached is a comparable value that the checker's encoding keeps.
// They are written as properties, so that a failure prints as a trace.
func TestModelContractsAlongRandomWalks(t *testing.T) {
	fuzz.Checks(5_000)
	rapid.Check(t, func(t *rapid.T) {
		cfg := fuzz.SegmentConfigs().Draw(t, "config")
		cfg.Variant = rapid.SampledFrom(model.Variants()).Draw(t, "variant")
		cfg.SynBacklog = rapid.IntRange(0, 2).Draw(t, "syn-backlog")
		if cfg.SynBacklog > 0 {
			cfg.Attacker = rapid.IntRange(0, 2).Draw(t, "attacker")
		}
		cfg.SpuriousRetransmit = rapid.Bool().Draw(t, "spurious-retransmit")
		cfg.RFC1337 = rapid.Bool().Draw(t, "rfc1337")
		m, err := model.New(cfg)
		if err != nil {
			t.Fatalf("drew an invalid configuration %s: %v", cfg.String(), err)
		}
		fuzz.Walk(t, fuzz.Segment(m, contracts(m)), 60)
	})
}

// contracts are the model's obligations to the checker, as properties.
func contracts(m *model.Model) []properties.SegmentProperty {
	cfg := m.Config()
	return []properties.SegmentProperty{
		{
			ID: "next-is-step",
			Step: func(from *model.State, a model.Action, to *model.State) bool {
				next, ok := m.Step(*from, a)
				return ok && next == *to
			},
			Why: func(*model.State, model.Action, *model.State) string {
				return "Step does not give the successor Next gave for this action"
			},
		},
		{
			ID: "emitted-is-sent",
			Step: func(from *model.State, a model.Action, to *model.State) bool {
				return to.Overflow || to.InFlight() == from.InFlight()+len(m.Emitted(*from, a))+taken(a)
			},
			Why: func(from *model.State, a model.Action, to *model.State) string {
				return "the segments in flight changed by other than what Emitted says was sent"
			},
		},
		{
			ID: "next-deterministic",
			State: func(s *model.State) bool {
				type edge struct {
					a model.Action
					s model.State
				}
				var first, second []edge
				for a, t := range m.Next(*s) {
					first = append(first, edge{a, t})
				}
				for a, t := range m.Next(*s) {
					second = append(second, edge{a, t})
				}
				return slices.Equal(first, second)
			},
			Why: func(*model.State, model.Action, *model.State) string {
				return "two calls of Next gave different transitions"
			},
		},
		{
			ID:    "encoding-round-trips",
			State: func(s *model.State) bool { return m.DecodeState(m.AppendState(nil, *s)) == *s },
			Why: func(*model.State, model.Action, *model.State) string {
				return "DecodeState(AppendState(s)) is not s: the checker's store would confuse two states"
			},
		},
		{
			ID: "within-bounds",
			State: func(s *model.State) bool {
				ok := int(s.Losses) <= cfg.MaxLosses && int(s.Dups) <= cfg.MaxDups
				for _, side := range []model.Side{model.A, model.B} {
					e, ch := &s.Ep[side], &s.Ch[side]
					ok = ok && int(e.Opens) <= cfg.Incarnations && int(e.Sent) <= cfg.Data[side] && ch.Len() <= cfg.Capacity
					for i := ch.Len(); i < len(ch.Segs); i++ {
						ok = ok && ch.Segs[i] == model.Segment{} // unused slots are zero, so equal channels are equal values
					}
				}
				return ok
			},
			Why: func(_ *model.State, _ model.Action, s *model.State) string {
				return "a counter or a channel went past its bound: " + s.String()
			},
		},
		{
			ID: "overflow-ends",
			State: func(s *model.State) bool {
				if !s.Overflow {
					return true
				}
				for range m.Next(*s) {
					return false
				}
				return m.Final(*s)
			},
			Why: func(*model.State, model.Action, *model.State) string {
				return "a state that overflowed a channel has successors, or is not a legitimate end"
			},
		},
	}
}

// taken is how the action itself changes the number of segments in
// flight, apart from what it sends: a delivery or a loss takes one out, a
// duplicate adds one.
func taken(a model.Action) int {
	switch a.Kind {
	case model.Deliver, model.Lose:
		return -1
	case model.Duplicate:
		return 1
	}
	return 0
}

// RFC 9293 §3.4: sequence comparisons are modulo 2^32, so moving every
// number by the same amount, across the wrap or not, changes no answer.
func TestSeqNumComparisonsIgnoreWhereTheWrapIs(t *testing.T) {
	fuzz.Checks(5_000)
	rapid.Check(t, func(t *rapid.T) {
		s := model.SeqNum(rapid.Uint32().Draw(t, "s"))
		u := model.SeqNum(rapid.Uint32().Draw(t, "u"))
		lo := model.SeqNum(rapid.Uint32().Draw(t, "lo"))
		size := rapid.Uint32Range(0, 1<<30).Draw(t, "size")
		k := rapid.Uint32().Draw(t, "shift")
		moved := func(x model.SeqNum) model.SeqNum { return x.Add(k) }
		hi := lo.Add(size)
		switch {
		case s.LessThan(u) != moved(s).LessThan(moved(u)):
			t.Fatalf("%d < %d changes when both move by %d", s, u, k)
		case s.InWindow(lo, size) != moved(s).InWindow(moved(lo), size):
			t.Fatalf("%d in [%d, +%d) changes when all move by %d", s, lo, size, k)
		case s.InRange(lo, hi) != moved(s).InRange(moved(lo), moved(hi)):
			t.Fatalf("%d in (%d, %d] changes when all move by %d", s, lo, hi, k)
		case s.Sub(u) != moved(s).Sub(moved(u)):
			t.Fatalf("%d - %d changes when both move by %d", s, u, k)
		case s != u && s.Sub(u) != 1<<31 && s.LessThan(u) == u.LessThan(s):
			t.Fatalf("%d and %d, less than 2^31 apart, are not ordered one way", s, u)
		case s.InRange(lo, hi) != (s != lo && s.Sub(lo) <= size):
			t.Fatalf("%d in (%d, %d]: the range holds the %d numbers after %d", s, lo, hi, size, lo)
		}
	})
}
