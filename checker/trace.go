package checker

import (
	"fmt"
	"slices"
)

// Traces are not stored: each state keeps only the number of its parent,
// and a trace is rebuilt on demand by running the system again along the
// chain of parents. From each state of the chain, the step taken is the
// first transition of Next, allowed by the action constraint, whose
// successor the store knows as the next state of the chain: the same state
// for an ExactStore, the same fingerprint for a FingerprintStore. Since
// every step comes from Next, the trace is a behavior of the system even if
// a fingerprint collision occurred. This relies on Init and Next being
// deterministic, as System requires; if they are not, the explorer fails
// with an error.

// trace returns a trace from an initial state to the stored state i.
func (e *explorer[S, A]) trace(i int32) []Step[S, A] {
	var chain []int32
	for j := i; j >= 0; j = e.parents.get(j) {
		chain = append(chain, j)
	}
	slices.Reverse(chain)

	steps := make([]Step[S, A], 0, len(chain)+1)
	found := false
	for s := range e.sys.Init() {
		if e.store.holds(s, chain[0]) {
			if c := e.opts.StateConstraint; c == nil || c(s) {
				steps = append(steps, Step[S, A]{State: s})
				found = true
				break
			}
		}
	}
	if !found {
		e.fail(fmt.Errorf("checker: cannot rebuild the trace to state #%d: Init yields no initial state #%d (is Init deterministic?)", i, chain[0]))
		return nil
	}
	for k, want := range chain[1:] {
		from := steps[k].State
		found = false
		for a, t := range e.sys.Next(from) {
			if c := e.opts.ActionConstraint; c != nil && !c(from, a, t) {
				continue
			}
			if e.store.holds(t, want) {
				steps = append(steps, Step[S, A]{Action: a, HasAction: true, State: t})
				found = true
				break
			}
		}
		if !found {
			e.fail(fmt.Errorf("checker: cannot rebuild the trace to state #%d: Next of %v yields no state #%d (is Next deterministic?)", i, from, want))
			return nil
		}
	}
	return steps
}

// extend returns a trace to the stored state parent followed by the step
// (a, t).
func (e *explorer[S, A]) extend(parent int32, a A, t S) []Step[S, A] {
	steps := e.trace(parent)
	if steps == nil {
		return nil
	}
	return append(steps, Step[S, A]{Action: a, HasAction: true, State: t})
}

// fail ends the search with an operational error.
func (e *explorer[S, A]) fail(err error) {
	if e.err == nil {
		e.err = err
	}
	e.done = true
}
