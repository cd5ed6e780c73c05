package properties

import (
	"fmt"

	"github.com/tcpcheck/tcpcheck/checker"
)

// TemporalOutcome is the verdict of one temporal property.
type TemporalOutcome[S comparable, A any] struct {
	Property Property[S, A]
	// Status is "holds", "violated" or "unknown".
	Status string
	// Vacuous: it holds because no reachable state satisfies a premise.
	Vacuous bool
	// Lasso is the counterexample, Why says what it shows.
	Lasso *checker.Lasso[S, A]
	Why   string
	// Fairness lists the fairness assumed, as WF(...) and SF(...).
	Fairness []string
	// Unknown says why the property could not be decided.
	Unknown string
}

// CheckTemporal decides the temporal properties among props on the graph
// of res. The search must have kept its graph and been complete (see
// checker.CompleteGraph): otherwise every temporal property is unknown,
// with the reason. The P and Q of every property's leads-to checks are
// evaluated first, each state decoded once for all of them, on workers
// goroutines (checker.MarkStates; they must then be safe for concurrent
// use, as pure functions are); the checks are then decided on those sets,
// several at once on up to workers goroutines as memory allows
// (checker.LeadsToAll; the fairness classes' Includes must then be safe
// for concurrent use too). A property's checks after one it fails are
// not decided. The outcomes are the same for any workers.
//
// held is the most memory the analysis held at once, besides the graph:
// the sets marked and what checker.LeadsToAll held.
func CheckTemporal[S comparable, A any](res *checker.Result[S, A], props []Property[S, A], workers int) (outcomes []TemporalOutcome[S, A], held int64) {
	var temporal []Property[S, A]
	for _, p := range props {
		if p.Kind == Temporal {
			temporal = append(temporal, p)
		}
	}
	g, gerr := checker.CompleteGraph(res)
	var checks []checker.LeadsToCheck[A]
	first := make([]int, len(temporal))
	if gerr == nil {
		checks, first, held = leadsToChecks(g, temporal, workers)
	}
	results, errs, analyses := checker.LeadsToAll(g, checks, workers)
	held += analyses
	for i, p := range temporal {
		o := TemporalOutcome[S, A]{Property: p, Status: "holds", Vacuous: true}
		for _, f := range p.Fairness {
			o.Fairness = append(o.Fairness, f.String())
		}
		if gerr != nil {
			o.Status, o.Vacuous, o.Unknown = "unknown", false, gerr.Error()
			outcomes = append(outcomes, o)
			continue
		}
		k := first[i]
		for _, l := range p.Leads {
			if !l.marked() {
				o.Status, o.Vacuous, o.Unknown = "unknown", false, "checker: LeadsTo with a nil predicate"
				break
			}
			r, err := results[k], errs[k]
			k++
			if err != nil {
				o.Status, o.Vacuous, o.Unknown = "unknown", false, err.Error()
				break
			}
			o.Vacuous = o.Vacuous && r.Vacuous
			if !r.Holds {
				o.Status, o.Vacuous, o.Lasso = "violated", false, r.Lasso
				o.Why = lassoWhy(l, r.Lasso)
				break
			}
		}
		outcomes = append(outcomes, o)
	}
	return outcomes, held
}

// leadsToChecks marks on g, on workers goroutines, the P and Q of the
// leads-to checks of the temporal properties and returns the checks to
// decide, a property's in order up to one with a nil predicate; first[i]
// is where temporal[i]'s are, and held the memory of the sets marked.
func leadsToChecks[S comparable, A any](g *checker.Graph[S, A], temporal []Property[S, A], workers int) (checks []checker.LeadsToCheck[A], first []int, held int64) {
	sets := checker.MarkStates(g, workers, predicates(temporal)...)
	held = int64(len(sets)) * checker.StateSetBytes(g.NumStates())
	first = make([]int, len(temporal))
	for i, p := range temporal {
		first[i] = len(checks)
		unknown := false // a check with a nil predicate ends the property
		for _, l := range p.Leads {
			unknown = unknown || !l.marked()
			if l.marked() {
				if !unknown {
					checks = append(checks, checker.LeadsToCheck[A]{P: sets[0], Q: sets[1], Fairness: p.Fairness, Group: i})
				}
				sets = sets[2:]
			}
		}
	}
	return checks, first, held
}

// predicates lists the P and Q of each leads-to check of the temporal
// properties among props, in order, skipping checks with a nil one.
func predicates[S comparable, A any](props []Property[S, A]) []func(*S) bool {
	var out []func(*S) bool
	for _, p := range props {
		if p.Kind != Temporal {
			continue
		}
		for _, l := range p.Leads {
			if l.marked() {
				out = append(out, l.P, l.Q)
			}
		}
	}
	return out
}

// marked reports whether CheckTemporal marks sets for l: a check with a
// nil predicate is "unknown" instead.
func (l LeadsTo[S]) marked() bool { return l.P != nil && l.Q != nil }

// Predicates is how many sets of states CheckTemporal marks for the
// temporal properties among props: two a leads-to check (see
// checker.Options.LivenessSets).
func Predicates[S comparable, A any](props []Property[S, A]) int {
	return len(predicates(props))
}

// lassoWhy says what a lasso shows.
func lassoWhy[S, A any](l LeadsTo[S], lasso *checker.Lasso[S, A]) string {
	// The premise holds at the first step after which Q never holds.
	from := 0
	for i := range lasso.Trace {
		if l.Q(&lasso.Trace[i].State) {
			from = i + 1
		}
	}
	for i := from; i < len(lasso.Trace); i++ {
		if l.P(&lasso.Trace[i].State) {
			from = i
			break
		}
	}
	end := fmt.Sprintf("loops forever from step %d", lasso.LoopStart)
	if lasso.Stutter {
		end = fmt.Sprintf("stops at step %d, where no fair action is enabled", lasso.LoopStart)
	}
	return fmt.Sprintf("at step %d %s, but the behaviour %s and never reaches %q", from, l.PName, end, l.QName)
}
