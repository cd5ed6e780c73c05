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
// with the reason.
func CheckTemporal[S comparable, A any](res *checker.Result[S, A], props []Property[S, A]) []TemporalOutcome[S, A] {
	var out []TemporalOutcome[S, A]
	g, gerr := checker.CompleteGraph(res)
	for _, p := range props {
		if p.Kind != Temporal {
			continue
		}
		o := TemporalOutcome[S, A]{Property: p, Status: "holds", Vacuous: true}
		for _, f := range p.Fairness {
			o.Fairness = append(o.Fairness, f.String())
		}
		if gerr != nil {
			o.Status, o.Vacuous, o.Unknown = "unknown", false, gerr.Error()
			out = append(out, o)
			continue
		}
		for _, l := range p.Leads {
			r, err := checker.LeadsTo(g, l.P, l.Q, p.Fairness)
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
		out = append(out, o)
	}
	return out
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
