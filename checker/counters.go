package checker

import "math/bits"

// Counting (Counter): the exploring goroutine adds the bits of each state
// it stores and of each transition it takes, in order. On the fast path
// the workers of a pipeline compute the bits ahead (slice.stepBits,
// slice.stateBits); the exploring goroutine adds those of the transitions
// it commits, and those of a successor only if it turns out new.

// initCounters sorts the counters by what they count.
func (e *explorer[S, A]) initCounters() {
	e.counts = make([][64]int64, len(e.opts.Counters))
	for i, c := range e.opts.Counters {
		if c.State != nil {
			e.stateCounters = append(e.stateCounters, i)
		}
		if c.Step != nil {
			e.stepCounters = append(e.stepCounters, i)
		}
	}
}

// add adds one to the counts of counter i whose bits are set in m.
func (e *explorer[S, A]) add(i int, m uint64) {
	for ; m != 0; m &= m - 1 {
		e.counts[i][bits.TrailingZeros64(m)]++
	}
}

// countState counts the state *s just stored.
func (e *explorer[S, A]) countState(s *S) {
	for _, i := range e.stateCounters {
		e.add(i, e.opts.Counters[i].State(s))
	}
}

// countStep counts the transition by a from *from to *to just taken.
func (e *explorer[S, A]) countStep(from *S, a A, to *S) {
	for _, i := range e.stepCounters {
		e.add(i, e.opts.Counters[i].Step(from, a, to))
	}
}

// appendStateBits appends the bits of the State counters on *s to b, one
// word per counter, for the exploring goroutine to add (addStateBits).
// It only reads the explorer.
func (e *explorer[S, A]) appendStateBits(b []uint64, s *S) []uint64 {
	for _, i := range e.stateCounters {
		b = append(b, e.opts.Counters[i].State(s))
	}
	return b
}

// appendStepBits is appendStateBits for the Step counters.
func (e *explorer[S, A]) appendStepBits(b []uint64, from *S, a A, to *S) []uint64 {
	for _, i := range e.stepCounters {
		b = append(b, e.opts.Counters[i].Step(from, a, to))
	}
	return b
}

// addStateBits adds bits computed by appendStateBits.
func (e *explorer[S, A]) addStateBits(b []uint64) {
	for k, i := range e.stateCounters {
		e.add(i, b[k])
	}
}

// addStepBits adds bits computed by appendStepBits.
func (e *explorer[S, A]) addStepBits(b []uint64) {
	for k, i := range e.stepCounters {
		e.add(i, b[k])
	}
}

// stepsChecked reports whether the fast path evaluates anything on each
// transition (transition invariants, Step counters): it then needs the
// transitions' actions and states.
func (e *explorer[S, A]) stepsChecked() bool {
	return len(e.opts.TransitionInvariants) > 0 || len(e.stepCounters) > 0
}
