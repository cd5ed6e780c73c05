package explorer

import (
	"context"
	"fmt"
	"iter"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
)

// from is the model started at one state: what "run until a property
// fails" searches.
type from struct {
	m *model.Model
	s model.State
}

func (f from) Init() iter.Seq[model.State] {
	return func(yield func(model.State) bool) { yield(f.s) }
}

func (f from) Next(s model.State) iter.Seq2[model.Action, model.State] { return f.m.Next(s) }

// RunResult is what "run until a property fails" found.
type RunResult struct {
	// Found: an invariant fails; Query then ends at its violation.
	Found    bool   `json:"found"`
	Query    string `json:"query,omitempty"`
	Property string `json:"property,omitempty"`
	Why      string `json:"why,omitempty"`
	// States is how many states the search explored from the current one.
	States  int    `json:"states"`
	Message string `json:"message"`
}

// runUntil searches breadth first from w's current state for the nearest
// state or step where an invariant (deadlock-free included) fails, within
// Limits.MaxRunStates states. Temporal properties are not searched: their
// status at each state says what they wait for.
func (x *Explorer) runUntil(ctx context.Context, w *walk) (*RunResult, error) {
	var invariants []properties.SegmentProperty
	for _, p := range x.props {
		if p.Kind == properties.Invariant {
			invariants = append(invariants, p)
		}
	}
	opts := checker.Options[model.State, model.Action]{MaxStates: x.limits.MaxRunStates, Workers: 1}
	properties.Apply(&opts, invariants, w.setup.m.Final)
	trace := w.at()
	res, err := checker.Explore(ctx, from{w.setup.m, trace[len(trace)-1].State}, opts)
	if err != nil {
		return nil, err
	}
	out := &RunResult{States: res.Stats.Distinct}
	if len(res.Violations) == 0 {
		if res.StopReason != "" {
			return nil, &limitError{fmt.Sprintf("run: no invariant fails within %d states of here; the search stopped at the explorer's limit (%s)", res.Stats.Distinct, res.StopReason)}
		}
		out.Message = fmt.Sprintf("no invariant fails in any of the %d states reachable from here", res.Stats.Distinct)
		return out, nil
	}
	v := res.Violations[0]
	p, _ := properties.Find(invariants, v.Name)
	full := append(append([]Step(nil), trace...), v.Trace[1:]...)
	q := w.q
	q.Path = append([]int(nil), q.Path[:q.At]...)
	for k := len(trace); k < len(full); k++ {
		idx := -1
		for j, n := range successors(w.setup.m, full[k-1].State) {
			if n.t == full[k].State && n.a.String() == full[k].Action.String() {
				idx = j
				break
			}
		}
		if idx < 0 {
			return nil, fmt.Errorf("run: step %d of the search's trace is not enabled", k)
		}
		q.Path = append(q.Path, idx)
	}
	if len(q.Path) > x.limits.MaxPath {
		return nil, &limitError{fmt.Sprintf("run: %s fails, but the path to it, %d steps, is over the limit of %d", p.ID, len(q.Path), x.limits.MaxPath)}
	}
	q.At, q.Loop = len(q.Path), -1
	out.Found, out.Query, out.Property, out.Why = true, q.Values().Encode(), p.ID, p.WhyAt(full)
	out.Message = fmt.Sprintf("%s fails %d step(s) from here: %s", p.ID, len(v.Trace)-1, out.Why)
	return out, nil
}
