package properties

import (
	"sync/atomic"

	"github.com/tcpcheck/tcpcheck/checker"
)

// Premise is a part of the states or transitions where a property says
// something: an invariant whose premises are never reached holds
// vacuously, and says nothing about the configuration checked. A
// property may have several, one per clause ("a byte is delivered", "a
// segment of an earlier incarnation arrives"); exactly one of State and
// Step is set, matching the property's kind.
type Premise[S comparable, A any] struct {
	Name  string
	State func(s *S) bool
	Step  func(from *S, a A, to *S) bool
}

// Vacuity counts, during a search, how often each premise of each
// invariant was reached. Its methods are safe once the search is over.
type Vacuity struct {
	counts map[string][]premiseCount
}

type premiseCount struct {
	name string
	hits *atomic.Int64
}

// Hits returns, for property id, each premise's name and how many times it
// was reached (in the order declared), or nil if id declares none.
func (v *Vacuity) Hits(id string) []PremiseHits {
	if v == nil {
		return nil
	}
	var out []PremiseHits
	for _, c := range v.counts[id] {
		out = append(out, PremiseHits{Premise: c.name, Hits: c.hits.Load()})
	}
	return out
}

// PremiseHits is how often one premise was reached.
type PremiseHits struct {
	Premise string `json:"premise"`
	Hits    int64  `json:"hits"`
}

// Vacuous reports that property id declares premises and none of them was
// ever reached: its "holds" is empty.
func (v *Vacuity) Vacuous(id string) bool {
	hits := v.Hits(id)
	if len(hits) == 0 {
		return false
	}
	for _, h := range hits {
		if h.Hits > 0 {
			return false
		}
	}
	return true
}

// Unreached names the premises of property id that were never reached.
func (v *Vacuity) Unreached(id string) []string {
	var out []string
	for _, h := range v.Hits(id) {
		if h.Hits == 0 {
			out = append(out, h.Premise)
		}
	}
	return out
}

// ApplyCounting is Apply, and also counts how often the premises of each
// invariant are reached: the checker evaluates every invariant on every
// state (every transition invariant on every transition), and the
// premises are evaluated with it.
func ApplyCounting[S comparable, A any](opts *checker.Options[S, A], props []Property[S, A], final func(S) bool) *Vacuity {
	v := &Vacuity{counts: map[string][]premiseCount{}}
	for _, p := range props {
		switch {
		case p.State != nil:
			holds, premises := p.State, p.Premises
			counts := addCounts(v, p.ID, premises)
			opts.Invariants = append(opts.Invariants, checker.Invariant[S]{Name: p.ID, Holds: func(s *S) bool {
				for i, q := range premises {
					if q.State != nil && q.State(s) {
						counts[i].hits.Add(1)
					}
				}
				return holds(s)
			}})
		case p.Step != nil:
			holds, premises := p.Step, p.Premises
			counts := addCounts(v, p.ID, premises)
			opts.TransitionInvariants = append(opts.TransitionInvariants, checker.TransitionInvariant[S, A]{Name: p.ID, Holds: func(from *S, a A, to *S) bool {
				for i, q := range premises {
					if q.Step != nil && q.Step(from, a, to) {
						counts[i].hits.Add(1)
					}
				}
				return holds(from, a, to)
			}})
		case p.Deadlock:
			opts.CheckDeadlock = true
			opts.Final = final
		}
	}
	return v
}

// addCounts makes the counters of property id's premises.
func addCounts[S comparable, A any](v *Vacuity, id string, premises []Premise[S, A]) []premiseCount {
	counts := make([]premiseCount, len(premises))
	for i, q := range premises {
		counts[i] = premiseCount{name: q.Name, hits: new(atomic.Int64)}
	}
	if len(counts) > 0 {
		v.counts[id] = counts
	}
	return counts
}
