package checker

import (
	"errors"
	"fmt"
)

// Replay checks that trace is a behavior of sys: its first step is an
// initial state with no action, and every further step is a transition of
// Next from the state before. Actions are compared as fmt.Sprint prints
// them (A need not be comparable), states with ==. It returns nil for a
// valid trace, and otherwise an error naming the first bad step.
//
// Replay ignores constraints: it checks the trace against the system alone.
func Replay[S comparable, A any](sys System[S, A], trace []Step[S, A]) error {
	if sys == nil {
		return errors.New("checker: nil System")
	}
	if len(trace) == 0 {
		return errors.New("checker: empty trace")
	}
	if trace[0].HasAction {
		return errors.New("checker: step 0 has an action")
	}
	if !isInitial(sys, trace[0].State) {
		return fmt.Errorf("checker: step 0: %v is not an initial state", trace[0].State)
	}
	for k := 1; k < len(trace); k++ {
		from, step := trace[k-1].State, trace[k]
		if !step.HasAction {
			return fmt.Errorf("checker: step %d has no action", k)
		}
		if !isTransition(sys, from, step.Action, step.State) {
			return fmt.Errorf("checker: step %d: %v from %v to %v is not a transition", k, step.Action, from, step.State)
		}
	}
	return nil
}

func isInitial[S comparable, A any](sys System[S, A], s S) bool {
	for i := range sys.Init() {
		if i == s {
			return true
		}
	}
	return false
}

func isTransition[S comparable, A any](sys System[S, A], from S, a A, to S) bool {
	var name string // fmt.Sprint(a), made once it is needed
	for b, t := range sys.Next(from) {
		if t != to {
			continue
		}
		if name == "" {
			name = fmt.Sprint(a)
		}
		if fmt.Sprint(b) == name {
			return true
		}
	}
	return false
}
