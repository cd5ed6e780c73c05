package checker

import "time"

// Verdict is the outcome of a search. It is a value, not an error: error is
// kept for operational failure.
type Verdict int

const (
	// Holds: the search was complete and found no violation.
	Holds Verdict = iota
	// Violated: at least one violation was found.
	Violated
	// Incomplete: a limit stopped the search before it was complete and no
	// violation was found.
	Incomplete
)

func (v Verdict) String() string {
	switch v {
	case Holds:
		return "holds"
	case Violated:
		return "violated"
	case Incomplete:
		return "incomplete"
	}
	return "Verdict(?)"
}

// ViolationKind tells what a violation violates.
type ViolationKind int

const (
	InvariantViolation ViolationKind = iota
	TransitionViolation
	DeadlockViolation
)

func (k ViolationKind) String() string {
	switch k {
	case InvariantViolation:
		return "invariant"
	case TransitionViolation:
		return "transition"
	case DeadlockViolation:
		return "deadlock"
	}
	return "ViolationKind(?)"
}

// Step is one step of a trace: the action taken and the state it led to.
// The first step of a trace has the zero action and HasAction false: it is
// the initial state.
type Step[S, A any] struct {
	Action    A
	HasAction bool
	State     S
}

// Violation is a property that failed, with its counterexample.
type Violation[S, A any] struct {
	// Name is the invariant's name, or "deadlock".
	Name  string
	Kind  ViolationKind
	Trace []Step[S, A]
}

// Stats are the figures of a search, counted as TLC counts them.
type Stats struct {
	// Distinct is the number of states stored.
	Distinct int
	// Generated is every successor computed (including those the action or
	// state constraint then rejected) plus the initial states.
	Generated int
	// Depth is the length, in states, of the longest shortest path found
	// (an initial state has depth 1).
	Depth int
	// Frontier is the number of states stored but not yet expanded.
	Frontier int
	Elapsed  time.Duration
	// StoreBytes is the memory the visited states take: the store's hash
	// table, its states, encodings or fingerprints, and the parent links
	// traces are rebuilt from. StoreBytes/Distinct is the cost of a state.
	StoreBytes int64
	// SearchBytes is the most memory the search held at once for its
	// states, as allocated: StoreBytes, the frontier, the explored graph
	// kept for temporal properties (Options.KeepGraph) and the workers'
	// buffers, counting the moments when the store's table or the graph
	// grows and holds both the old and the new. SearchBytes/Distinct is
	// what a state costs the search, and what sizes a run.
	SearchBytes int64
	// SpilledBytes is what the frontier wrote to disk (see
	// Options.FrontierMemory); what it keeps on disk is not in
	// SearchBytes.
	SpilledBytes int64
	// GraphBytes is the memory Result.Graph holds (Options.KeepGraph): 8
	// bytes per state for the offsets of its edges, 8 per edge, the table
	// of distinct actions, and, with a FingerprintStore, the encodings of
	// the states (or the states). With an ExactStore the graph reads the
	// states from the encodings the store kept, counted in StoreBytes.
	// It is counted in SearchBytes while the search runs.
	GraphBytes int64
}

// StatesPerSecond is Distinct divided by Elapsed.
func (s Stats) StatesPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Distinct) / s.Elapsed.Seconds()
}

// Result is what Explore returns.
type Result[S comparable, A any] struct {
	Verdict Verdict
	// GraphDropped: the explored graph passed Options.MaxGraphEdges and
	// was let go (Options.DropGraphOverLimit); Graph is nil.
	GraphDropped bool
	Violations   []Violation[S, A]
	Stats        Stats
	// StopReason says which limit stopped an incomplete search:
	// "max-states", "max-depth", "timeout", "canceled", "max-graph-edges",
	// "max-memory" (the Stop constants). It is also set when a search that found a
	// violation and went on (ContinueAfterViolation) was then stopped by a
	// limit: the Verdict is Violated, but not every state was seen.
	StopReason string
	// CollisionProbability is, for FingerprintStore, the estimated
	// probability that a fingerprint collision hid a state; 0 for ExactStore.
	CollisionProbability float64
	// PackedPathLeft: the system is a Packer, but a state it met had no
	// packed form, so the search ran again from the start on Next (see
	// Packer). Stats.Elapsed counts both runs.
	PackedPathLeft bool
	// Graph is the explored graph when Options.KeepGraph is set.
	Graph *Graph[S, A]
	// Counts[i][k] is how many states and transitions Options.Counters[i]
	// counted at bit k.
	Counts [][64]int64
}
