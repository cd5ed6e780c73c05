package checker

import (
	"fmt"
	"iter"
	"slices"
)

// Toy systems with known answers, shared by the tests.

// toy is a System given by its initial states and a successor function.
type toy[S comparable] struct {
	init []S
	next func(S) []move[S]
}

// A move is a transition: an action and the state it leads to.
type move[S any] struct {
	action string
	to     S
}

func (t toy[S]) Init() iter.Seq[S] { return slices.Values(t.init) }

func (t toy[S]) Next(s S) iter.Seq2[string, S] {
	return func(yield func(string, S) bool) {
		for _, m := range t.next(s) {
			if !yield(m.action, m.to) {
				return
			}
		}
	}
}

// counter counts 0, 1, …, n-1 and can reset to 0 from anywhere: n distinct
// states, 2n generated (the initial state, n-1 incs, n resets), depth n.
func counter(n int) toy[int] {
	return toy[int]{
		init: []int{0},
		next: func(x int) []move[int] {
			var ms []move[int]
			if x < n-1 {
				ms = append(ms, move[int]{"inc", x + 1})
			}
			return append(ms, move[int]{"reset", 0})
		},
	}
}

// line counts 0, 1, …, n-1 and stops: n-1 is a deadlock.
func line(n int) toy[int] {
	return toy[int]{
		init: []int{0},
		next: func(x int) []move[int] {
			if x < n-1 {
				return []move[int]{{"inc", x + 1}}
			}
			return nil
		},
	}
}

// unbounded counts forever: infinite in practice.
func unbounded() toy[uint64] {
	return toy[uint64]{
		init: []uint64{0},
		next: func(x uint64) []move[uint64] { return []move[uint64]{{"inc", x + 1}} },
	}
}

// procs is the program counters and flags of two processes.
type procs struct {
	PC   [2]uint8
	Flag [2]bool
	Turn uint8
}

func (p procs) String() string {
	return fmt.Sprintf("pc=%v flag=%v turn=%d", p.PC, p.Flag, p.Turn)
}

// Program counters of the lock protocols.
const (
	critical = 3
)

// bothCritical is the mutual exclusion invariant.
var mutualExclusion = Invariant[procs]{
	Name:  "MutualExclusion",
	Holds: func(p *procs) bool { return !(p.PC[0] == critical && p.PC[1] == critical) },
}

// peterson is Peterson's algorithm for two processes:
//
//	0: flag[i] = true
//	1: turn = j
//	2: await !flag[j] || turn == i
//	3: critical section; flag[i] = false, back to 0
func peterson() toy[procs] {
	return toy[procs]{
		init: []procs{{}},
		next: func(p procs) []move[procs] {
			var ms []move[procs]
			for i := range 2 {
				j := 1 - i
				q := p
				switch p.PC[i] {
				case 0:
					q.Flag[i], q.PC[i] = true, 1
					ms = append(ms, move[procs]{fmt.Sprintf("p%d flag", i), q})
				case 1:
					q.Turn, q.PC[i] = uint8(j), 2
					ms = append(ms, move[procs]{fmt.Sprintf("p%d turn", i), q})
				case 2:
					if !p.Flag[j] || p.Turn == uint8(i) {
						q.PC[i] = critical
						ms = append(ms, move[procs]{fmt.Sprintf("p%d enter", i), q})
					}
				case critical:
					q.Flag[i], q.PC[i] = false, 0
					ms = append(ms, move[procs]{fmt.Sprintf("p%d exit", i), q})
				}
			}
			return ms
		},
	}
}

// naiveLock tests the other's flag before raising its own, so both can
// pass the test and enter together:
//
//	0: await !flag[j]
//	2: flag[i] = true
//	3: critical section; flag[i] = false, back to 0
func naiveLock() toy[procs] {
	return toy[procs]{
		init: []procs{{}},
		next: func(p procs) []move[procs] {
			var ms []move[procs]
			for i := range 2 {
				q := p
				switch p.PC[i] {
				case 0:
					if !p.Flag[1-i] {
						q.PC[i] = 2
						ms = append(ms, move[procs]{fmt.Sprintf("p%d check", i), q})
					}
				case 2:
					q.Flag[i], q.PC[i] = true, critical
					ms = append(ms, move[procs]{fmt.Sprintf("p%d enter", i), q})
				case critical:
					q.Flag[i], q.PC[i] = false, 0
					ms = append(ms, move[procs]{fmt.Sprintf("p%d exit", i), q})
				}
			}
			return ms
		},
	}
}

// step makes a trace step.
func step[S any](action string, s S) Step[S, string] {
	return Step[S, string]{Action: action, HasAction: true, State: s}
}

// start makes the first step of a trace.
func start[S any](s S) Step[S, string] { return Step[S, string]{State: s} }

// states returns the states of a trace.
func states[S, A any](trace []Step[S, A]) []S {
	var ss []S
	for _, st := range trace {
		ss = append(ss, st.State)
	}
	return ss
}
