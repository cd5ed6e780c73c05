package properties

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tcpcheck/tcpcheck/checker"
)

// Kind is what sort of property it is.
type Kind int

const (
	// Invariant: decided state by state (or transition by transition);
	// a violation has a finite counterexample.
	Invariant Kind = iota
	// Temporal: about whole behaviours (liveness); a violation is a
	// lasso, decided on the explored graph.
	Temporal
)

func (k Kind) String() string {
	if k == Temporal {
		return "temporal"
	}
	return "invariant"
}

// Property is a named property of a model with states S and actions A.
// Exactly one of State, Step, Deadlock (invariants) and Leads (temporal)
// says how it is checked.
type Property[S comparable, A any] struct {
	// ID is stable: used in flags, output and docs.
	ID          string
	Description string
	// Source is the RFC section or seed claim the property comes from.
	Source string
	Kind   Kind

	// State must hold in every reachable state.
	State func(s *S) bool
	// Step must hold on every transition taken.
	Step func(from *S, a A, to *S) bool
	// Deadlock: no reachable state that is not a legitimate end has no
	// enabled action (the checker's deadlock check).
	Deadlock bool

	// Leads are the checks of a temporal property, each TLA+'s P ~> Q
	// (all must hold), decided on the explored graph under Fairness.
	Leads    []LeadsTo[S]
	Fairness []checker.Fairness[A]

	// Premises are where an invariant says something (see Premise): a
	// search that reaches none of them shows it holds only vacuously.
	Premises []Premise[S, A]

	// Why explains, in one sentence, why the property fails at the end of
	// a counterexample: the last transition (from, a, to); for a state
	// property from and a are those of the step that reached to (a is the
	// zero action for an initial state).
	Why func(from *S, a A, to *S) string

	// State, Step and Why, like the premises and the Leads predicates,
	// are passed pointers to the checker's copies of the states: a check
	// calls them on every state and transition, and a state is hundreds
	// of bytes. They must neither modify the states nor keep the pointers.
}

// WhyAt is Why for the last step of a counterexample trace (from the
// state before it; for a one-state trace, the initial state itself), or ""
// when the property has no sentence or the trace is empty.
func (p Property[S, A]) WhyAt(trace []checker.Step[S, A]) string {
	if p.Why == nil || len(trace) == 0 {
		return ""
	}
	last := trace[len(trace)-1]
	from := last.State
	if len(trace) > 1 {
		from = trace[len(trace)-2].State
	}
	return p.Why(&from, last.Action, &last.State)
}

// LeadsTo is one check of a temporal property: from every reachable state
// where P holds, every fair behaviour reaches a state where Q holds. The
// names say what P and Q are, for reports.
type LeadsTo[S any] struct {
	P, Q         func(s *S) bool
	PName, QName string
}

// Select returns the properties named by ids, in catalogue order, or all
// of them when ids is empty. An unknown id is an error that names it.
func Select[S comparable, A any](catalogue []Property[S, A], ids []string) ([]Property[S, A], error) {
	if len(ids) == 0 {
		return catalogue, nil
	}
	for _, id := range ids {
		if !slices.ContainsFunc(catalogue, func(p Property[S, A]) bool { return p.ID == id }) {
			var known []string
			for _, p := range catalogue {
				known = append(known, p.ID)
			}
			return nil, fmt.Errorf("property: unknown property %q for this model (known: %s)", id, strings.Join(known, ", "))
		}
	}
	var out []Property[S, A]
	for _, p := range catalogue {
		if slices.Contains(ids, p.ID) {
			out = append(out, p)
		}
	}
	return out, nil
}

// Apply adds the invariant properties of props to opts: state properties
// as invariants, step properties as transition invariants, and the
// deadlock property as the deadlock check with final as the legitimate
// ends. Temporal properties are left for the liveness checker.
func Apply[S comparable, A any](opts *checker.Options[S, A], props []Property[S, A], final func(S) bool) {
	apply(opts, props, final)
}

// Find returns the property whose ID is id, with the deadlock violation
// mapped to the property that asked for the check.
func Find[S comparable, A any](props []Property[S, A], violation string) (Property[S, A], bool) {
	for _, p := range props {
		if p.ID == violation || (p.Deadlock && violation == checker.DeadlockName) {
			return p, true
		}
	}
	return Property[S, A]{}, false
}

// FairnessOf converts a model's declared fair classes.
func FairnessOf[A any, C any](classes []C, conv func(C) checker.Fairness[A]) []checker.Fairness[A] {
	out := make([]checker.Fairness[A], 0, len(classes))
	for _, c := range classes {
		out = append(out, conv(c))
	}
	return out
}
