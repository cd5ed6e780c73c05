package properties

import "github.com/tcpcheck/tcpcheck/checker"

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

// Vacuity is how often each premise of each invariant was reached: the
// states stored where a state premise holds, the transitions taken where
// a step premise does, each counted once (checker.Counter), whatever
// the number of workers. ApplyCounting makes it, and Count fills it
// from the search's result.
type Vacuity struct {
	counts map[string][]premiseCount
}

// A premiseCount is the count of a premise: bit bit of counter counter of
// the search's Counters.
type premiseCount struct {
	name         string
	counter, bit int
	hits         int64
}

// Count reads the premises' counts from counts, the Result.Counts of the
// search run with the options ApplyCounting added to.
func (v *Vacuity) Count(counts [][64]int64) {
	for _, cs := range v.counts {
		for i := range cs {
			cs[i].hits = counts[cs[i].counter][cs[i].bit]
		}
	}
}

// Hits returns, for property id, each premise's name and how many times it
// was reached (in the order declared), or nil if id declares none.
func (v *Vacuity) Hits(id string) []PremiseHits {
	if v == nil {
		return nil
	}
	var out []PremiseHits
	for _, c := range v.counts[id] {
		out = append(out, PremiseHits{Premise: c.name, Hits: c.hits})
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
// invariant are reached: it adds to opts checker Counters, a bit for each
// premise (the state premises of all the invariants share counters, 64
// to a counter, and so do the step premises), and returns the Vacuity
// that Count fills from the search's Result.Counts.
func ApplyCounting[S comparable, A any](opts *checker.Options[S, A], props []Property[S, A], final func(S) bool) *Vacuity {
	apply(opts, props, final)
	v := &Vacuity{counts: map[string][]premiseCount{}}
	type ref struct {
		counts []premiseCount // a property's, in v.counts
		i      int
	}
	var states, steps []Premise[S, A]
	var stateRefs, stepRefs []ref
	for _, p := range props {
		if p.State == nil && p.Step == nil || len(p.Premises) == 0 {
			continue
		}
		counts := make([]premiseCount, len(p.Premises))
		v.counts[p.ID] = counts // of two properties with one ID, the last's
		for i, q := range p.Premises {
			counts[i].name = q.Name
			if p.State != nil {
				states, stateRefs = append(states, q), append(stateRefs, ref{counts, i})
			} else {
				steps, stepRefs = append(steps, q), append(stepRefs, ref{counts, i})
			}
		}
	}
	// place numbers the premises of refs by the counters that count them,
	// from the next counter of opts on.
	place := func(refs []ref) {
		for k, r := range refs {
			r.counts[r.i].counter, r.counts[r.i].bit = len(opts.Counters)+k/64, k%64
		}
	}
	place(stateRefs)
	for lo := 0; lo < len(states); lo += 64 {
		chunk := states[lo:min(lo+64, len(states))]
		opts.Counters = append(opts.Counters, checker.Counter[S, A]{Name: "premises", State: func(s *S) uint64 {
			var m uint64
			for i, q := range chunk {
				if q.State != nil && q.State(s) {
					m |= 1 << i
				}
			}
			return m
		}})
	}
	place(stepRefs)
	for lo := 0; lo < len(steps); lo += 64 {
		chunk := steps[lo:min(lo+64, len(steps))]
		opts.Counters = append(opts.Counters, checker.Counter[S, A]{Name: "premises", Step: func(from *S, a A, to *S) uint64 {
			var m uint64
			for i, q := range chunk {
				if q.Step != nil && q.Step(from, a, to) {
					m |= 1 << i
				}
			}
			return m
		}})
	}
	return v
}

// apply is Apply.
func apply[S comparable, A any](opts *checker.Options[S, A], props []Property[S, A], final func(S) bool) {
	for _, p := range props {
		switch {
		case p.State != nil:
			opts.Invariants = append(opts.Invariants, checker.Invariant[S]{Name: p.ID, Holds: p.State})
		case p.Step != nil:
			opts.TransitionInvariants = append(opts.TransitionInvariants, checker.TransitionInvariant[S, A]{Name: p.ID, Holds: p.Step})
		case p.Deadlock:
			opts.CheckDeadlock = true
			opts.Final = final
		}
	}
}
