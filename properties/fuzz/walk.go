package fuzz

import (
	"math/rand/v2"
	"slices"
	"strings"

	"pgregory.net/rapid"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/properties"
)

// Outcome is what a random walk did.
type Outcome[S, A any] struct {
	// Steps is the number of transitions taken.
	Steps int
	// Ended reports that the walk reached a state with no enabled
	// transition before its bound.
	Ended bool
	// Violation is the first property that failed, with the walk up to
	// the failure; nil if none did.
	Violation *Violation[S, A]
}

// Walk draws a behaviour of tg's system with t — an initial state, then
// up to maxSteps transitions, each drawn among those enabled in the state
// reached, in Next's order — and checks tg's properties on every state and
// transition. A violation fails t with the behaviour printed as a trace
// table, which rapid shrinks to a shorter event order: each draw is an
// index among the enabled transitions, so a smaller draw is an earlier
// transition in Next's order and a shorter list of draws a shorter
// behaviour. Walk returns the behaviour.
func Walk[S comparable, A any](t *rapid.T, tg Target[S, A], maxSteps int) []checker.Step[S, A] {
	t.Helper()
	w := &walker[S, A]{tg: &tg}
	out, trace := w.walk(maxSteps, func(what string, n int) int {
		return rapid.IntRange(0, n-1).Draw(t, what)
	}, true, nil)
	if v := out.Violation; v != nil {
		var b strings.Builder
		WriteViolation(&b, v, tg.Columns)
		t.Fatalf("%s", b.String())
	}
	return trace
}

// RandomWalk takes up to steps random transitions of tg's system from a
// random initial state and checks tg's properties on the way, as Walk
// does. The seed decides every choice, so the same seed walks the same
// behaviour again. visit, if not nil, sees every state reached, the
// initial state included. The walk ends early at a state with no enabled
// transition, or at the first violation.
func RandomWalk[S comparable, A any](tg Target[S, A], steps int, seed uint64, visit func(S)) Outcome[S, A] {
	w := &walker[S, A]{tg: &tg}
	out, _ := w.walk(steps, seeded(seed), false, visit)
	if out.Violation != nil {
		// Walk the same behaviour again, keeping its trace this time, so
		// that a long walk without violation takes no memory for one. The
		// first walk found where it fails: the second checks nothing, so
		// that each property sees each step once.
		quiet := tg
		quiet.Properties = nil
		_, trace := (&walker[S, A]{tg: &quiet}).walk(out.Steps, seeded(seed), true, nil)
		out.Violation = newViolation(w.failed, trace)
	}
	return out
}

// RandomWalkTrace is the behaviour the walk of seed takes, as RandomWalk
// takes it, up to steps transitions or its first violation: the trace, to
// draw or replay, whether or not a property failed on it.
func RandomWalkTrace[S comparable, A any](tg Target[S, A], steps int, seed uint64) []checker.Step[S, A] {
	w := &walker[S, A]{tg: &tg}
	_, trace := w.walk(steps, seeded(seed), true, nil)
	return trace
}

// seeded chooses with a generator seeded by seed.
func seeded(seed uint64) func(string, int) int {
	r := rand.New(rand.NewPCG(seed, 0))
	return func(_ string, n int) int { return r.IntN(n) }
}

// Check checks tg's properties along trace, a behaviour of tg's system
// (see checker.Replay to check that it is one), as a walk would: state
// properties on each state, step properties on each transition, and the
// deadlock property if the last state has no enabled transition. It
// returns the first violation, with the trace up to it, or nil.
func Check[S comparable, A any](tg Target[S, A], trace []checker.Step[S, A]) *Violation[S, A] {
	w := &walker[S, A]{tg: &tg}
	for k := range trace {
		st, from := &trace[k], &trace[k].State
		if k > 0 {
			from = &trace[k-1].State
		}
		if p, bad := w.fails(from, st.Action, k == 0, &st.State); bad {
			return newViolation(p, trace[:k+1])
		}
	}
	if len(trace) > 0 {
		last := trace[len(trace)-1].State
		if w.successors(last); len(w.succ) == 0 {
			if p, bad := w.deadlocked(last); bad {
				return newViolation(p, trace)
			}
		}
	}
	return nil
}

// walker checks a target's properties along behaviours.
type walker[S comparable, A any] struct {
	tg   *Target[S, A]
	succ []transition[S, A] // the enabled transitions of the current state
	// failed is the property that failed, once one has.
	failed properties.Property[S, A]
}

type transition[S, A any] struct {
	action A
	to     S
}

// walk takes up to steps transitions, choosing the initial state and each
// transition with choose(what, n), an index below n. keep records the
// trace, which a violation needs; walk returns it.
func (w *walker[S, A]) walk(steps int, choose func(what string, n int) int, keep bool, visit func(S)) (Outcome[S, A], []checker.Step[S, A]) {
	var out Outcome[S, A]
	var trace []checker.Step[S, A]
	inits := slices.Collect(w.tg.System.Init())
	if len(inits) == 0 {
		out.Ended = true
		return out, nil
	}
	s := inits[choose("initial state", len(inits))]
	from, a := s, *new(A)
	for {
		if keep {
			trace = append(trace, checker.Step[S, A]{Action: a, HasAction: out.Steps > 0, State: s})
		}
		if visit != nil {
			visit(s)
		}
		if p, bad := w.fails(&from, a, out.Steps == 0, &s); bad {
			w.failed = p
			out.Violation = newViolation(p, trace)
			return out, trace
		}
		if out.Steps >= steps {
			return out, trace
		}
		if w.successors(s); len(w.succ) == 0 {
			out.Ended = true
			if p, bad := w.deadlocked(s); bad {
				w.failed = p
				out.Violation = newViolation(p, trace)
			}
			return out, trace
		}
		t := w.succ[choose("transition", len(w.succ))]
		from, a, s = s, t.action, t.to
		out.Steps++
	}
}

// successors enumerates the enabled transitions of s into w.succ.
func (w *walker[S, A]) successors(s S) {
	w.succ = w.succ[:0]
	for a, t := range w.tg.System.Next(s) {
		w.succ = append(w.succ, transition[S, A]{a, t})
	}
}

// fails returns the first property, in the target's order, that fails
// when the behaviour reaches to: by the transition (from, a), or as an
// initial state.
func (w *walker[S, A]) fails(from *S, a A, initial bool, to *S) (properties.Property[S, A], bool) {
	for _, p := range w.tg.Properties {
		switch {
		case p.State != nil && !p.State(to),
			p.Step != nil && !initial && !p.Step(from, a, to):
			return p, true
		}
	}
	return properties.Property[S, A]{}, false
}

// deadlocked returns the deadlock property, if the target checks it and
// s, which has no enabled transition, is not a legitimate end.
func (w *walker[S, A]) deadlocked(s S) (properties.Property[S, A], bool) {
	if w.tg.Final != nil && w.tg.Final(s) {
		return properties.Property[S, A]{}, false
	}
	for _, p := range w.tg.Properties {
		if p.Deadlock {
			return p, true
		}
	}
	return properties.Property[S, A]{}, false
}
