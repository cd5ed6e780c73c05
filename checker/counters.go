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
			// Labels, from a LabelPacker on the fast path, for those who
			// read them.
			e.wantLabels = e.wantLabels || c.Label != nil && e.words != nil && e.words.lp != nil
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

// countStep counts the transition by a from *from to *to just taken,
// whose label is label if labeled.
func (e *explorer[S, A]) countStep(from *S, a A, to *S, label uint64, labeled bool) {
	for _, i := range e.stepCounters {
		e.add(i, e.stepBits(i, from, a, to, label, labeled))
	}
}

// stepBits is what Step counter i counts of the transition by a from
// *from to *to, whose label is label if labeled: its Label's bits if it
// has one and the transition a label, else its Step's.
func (e *explorer[S, A]) stepBits(i int, from *S, a A, to *S, label uint64, labeled bool) uint64 {
	c := &e.opts.Counters[i]
	if labeled && c.Label != nil {
		return c.Label(label)
	}
	return c.Step(from, a, to)
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

// appendStepBits is appendStateBits for the Step counters, for the
// transition by a from *from to *to, whose label is label if labeled.
func (e *explorer[S, A]) appendStepBits(b []uint64, from *S, a A, to *S, label uint64, labeled bool) []uint64 {
	for _, i := range e.stepCounters {
		b = append(b, e.stepBits(i, from, a, to, label, labeled))
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
