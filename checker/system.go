package checker

import (
	"iter"
	"time"
)

// System is a transition system the checker can explore. S is the state: a
// comparable value (fixed arrays and small integers, never slices, maps or
// pointers), so that it can be hashed and stored. A is the action label of a
// transition; it is printed with fmt, so giving it a String method is
// enough.
//
// Both methods must be deterministic: the same state yields the same
// successors in the same order on every call. The checker relies on that to
// rebuild counterexamples and to give the same result on every run.
type System[S comparable, A any] interface {
	// Init yields the initial states.
	Init() iter.Seq[S]
	// Next yields the enabled transitions of s as (action, successor) pairs.
	Next(s S) iter.Seq2[A, S]
}

// Encoder is an interface a System may also implement to give its states a
// compact encoding. When it does, the checker keeps encodings instead of
// the states themselves: the ExactStore stores each state's encoding, the
// breadth-first frontier holds encodings, and the fingerprint of a state is
// the hash of its encoding. The common path needs nothing: a System that
// is not an Encoder has its states stored as they are.
type Encoder[S any] interface {
	// AppendState appends the encoding of s to b and returns the extended
	// slice. Two states must have the same encoding exactly when they are
	// equal (==).
	AppendState(b []byte, s S) []byte
	// DecodeState returns the state whose encoding is b, as AppendState
	// wrote it.
	DecodeState(b []byte) S
}

// Invariant is a named predicate that must hold in every reachable state,
// initial states included.
//
// Holds is called on the checker's own copy of the state, once for each
// state stored (with workers, at times for a state found stored after
// all, or twice where a part of the search is done again): it must
// neither modify the state nor keep the pointer.
type Invariant[S any] struct {
	Name  string
	Holds func(s *S) bool
}

// TransitionInvariant is a named predicate that must hold on every transition
// taken (TLA+'s [][P]_vars): it sees the state before, the action and the
// state after. A violation's trace ends with the offending transition.
//
// A transition is taken if the action constraint allows it; it is checked
// even if its successor was visited before or fails the state constraint.
//
// Holds is called on the checker's own copies of the two states, once for
// each transition taken (with workers, also ahead of where a violation or
// a limit stops the search, for one violated already, and twice where a
// slice of the search is computed again): it must neither modify them
// nor keep the pointers.
// (The checker's invariants take pointers because a check calls dozens
// of them on every transition, and a state is hundreds of bytes.)
type TransitionInvariant[S, A any] struct {
	Name  string
	Holds func(from *S, a A, to *S) bool
}

// A Counter counts the states a search stores and the transitions it
// takes, up to 64 counts at once: State, if set, gives for each state
// stored (initial states included) the counts it adds one to, as bits
// (bit k for count k); Step, if set, gives them for each transition taken
// (those the transition invariants are checked on). Result.Counts has
// the counts, in the order of Options.Counters.
//
// The counts are added on the exploring goroutine, once for each state
// and transition, in the order of the sequential search: they are the
// same for any number of workers, and a search stopped by a violation or
// a limit counts what the sequential search took before it stopped (where
// a timeout or MaxMemory stops a search depends on the machine, and on
// the workers' buffers, which count as memory). (An
// invariant that counts what Holds is called on may count more: see
// Invariant.) Workers may call State and Step ahead, for a state found
// stored after all, or twice: like Holds, they must neither modify the
// states nor keep the pointers, and may be called at once.
//
// Label, if set with Step, gives Step's bits from the transition's label
// when the system is a LabelPacker and the search takes its fast path:
// the bits the system knew when it made the transition, which Step
// would compute again. It must give what Step gives; Step is called
// wherever there is no label. Like State and Step, workers may call it
// ahead, twice, and at once.
type Counter[S, A any] struct {
	Name  string
	State func(s *S) uint64
	Step  func(from *S, a A, to *S) uint64
	Label func(label uint64) uint64
}

// Strategy selects the order of exploration.
type Strategy int

const (
	// BFS explores level by level; every counterexample it reports is a
	// shortest one.
	BFS Strategy = iota
	// DFS explores depth first; counterexamples are valid but need not be
	// shortest, and Depth is the deepest stack reached.
	DFS
)

// StoreKind selects how visited states are remembered.
type StoreKind int

const (
	// ExactStore keeps every state: no state is ever missed.
	ExactStore StoreKind = iota
	// FingerprintStore keeps a 64-bit fingerprint per state, as TLC does:
	// less memory, at the cost of a small probability that a collision hid a
	// state, which the result reports.
	FingerprintStore
)

// Options configures an exploration. The zero value explores breadth first,
// exactly, with no invariants, no deadlock check and no limits.
type Options[S comparable, A any] struct {
	Invariants           []Invariant[S]
	TransitionInvariants []TransitionInvariant[S, A]
	// Counters count states and transitions (see Counter).
	Counters []Counter[S, A]

	// CheckDeadlock reports a reachable state with no enabled action
	// (after the action constraint) unless Final says it is a legitimate end.
	CheckDeadlock bool
	Final         func(S) bool

	// StateConstraint, with TLC's semantics: a successor that fails it is
	// counted as generated but neither stored nor expanded. Initial states
	// that fail it are not stored either.
	StateConstraint func(S) bool
	// ActionConstraint, with TLC's semantics: a transition that fails it is
	// not taken (its successor still counts as generated).
	ActionConstraint func(from S, a A, to S) bool

	Strategy Strategy
	Store    StoreKind

	// Workers is how many goroutines compute successors in a BFS; 0 or 1
	// explores sequentially. The result does not depend on it: the same
	// figures, the same violations with the same shortest traces, the
	// same graph. With more than one worker, Next, the constraints and the
	// invariants are called from several goroutines at once, so they must
	// be safe for concurrent use (pure functions are). A DFS ignores it.
	Workers int

	// ContinueAfterViolation keeps exploring after the first violation and
	// reports every violated invariant, each with its own shortest trace
	// (the first one found for that invariant).
	ContinueAfterViolation bool

	// Limits. Zero means no limit. A search stopped by a limit is
	// Incomplete, never silently truncated.
	//
	// MaxStates bounds Distinct: the search stops when storing one more
	// state would exceed it. MaxDepth bounds the depth of the states
	// stored: a state at depth MaxDepth (an initial state has depth 1) is
	// stored, checked and, if it has no transition, may be a deadlock, but
	// it is not expanded; if it has a transition, the result is Incomplete
	// with StopReason "max-depth" once the bounded search is over. Timeout
	// bounds the time of the search; the context may also cancel it.
	//
	// MaxMemory bounds, in bytes, the memory of the process. Two measures
	// are held to it: what the process held when the search began plus
	// what the search holds (Stats.SearchBytes), and what the Go runtime
	// holds (runtime/metrics, less what it has returned to the system),
	// each less the resident memory the runtime does not count. They are
	// looked at every 1024 expansions and before the store's table or the
	// graph grows, with room left for what the graph allocates at its end:
	// the search stops, as Incomplete with StopReason "max-memory",
	// before it would pass the bound, rather than let the machine run
	// out. While it runs, the garbage collector is held to the bound too
	// (debug.SetMemoryLimit).
	MaxStates int
	MaxDepth  int
	Timeout   time.Duration
	MaxMemory int64

	// ExpectedStates, when set, is how many states the search expects to
	// store (no more than MaxStates, if that is set): the store sizes its
	// table for them at the start instead of growing it, which for a
	// moment holds the old table and the new, half as large again. It is
	// a hint: a search that stores more grows the table as usual.
	ExpectedStates int

	// FrontierMemory bounds, in bytes, the breadth-first frontier of a
	// Packer (the level being expanded and the level being filled) held
	// in memory: a level that passes half of it is written to a
	// temporary file in SpillDir (the system's temporary directory if
	// empty), one record of PackedWords words a state, and read back
	// mapped into memory when it is expanded; the file is removed when
	// the level has been expanded. Zero means MaxMemory/8 when MaxMemory
	// is set, and no bound otherwise. The result does not depend on it;
	// Stats.SpilledBytes says how much was written. Other systems keep
	// their frontier in memory.
	FrontierMemory int64
	SpillDir       string

	// KeepGraph keeps the explored graph in Result.Graph. MaxGraphEdges
	// guards its size: exceeding it stops the search as Incomplete
	// (zero means a default of 50 million edges).
	KeepGraph     bool
	MaxGraphEdges int
	// DropGraphOverLimit: past MaxGraphEdges, let the graph go and finish
	// the search without it (Result.GraphDropped) instead of stopping.
	DropGraphOverLimit bool
	// FairnessClasses, with KeepGraph, is the most fairness classes a
	// liveness property decided on the graph after the search will
	// assume (LeadsTo, Eventually, AlwaysEventually): MaxMemory then
	// leaves room, besides the graph, for that analysis (LivenessBytes),
	// so that a search whose graph could not be analysed within the
	// bound stops as "max-memory" instead.
	FairnessClasses int
	// LivenessSets, with KeepGraph, is how many sets of states
	// (MarkStates) are held while the liveness properties are decided:
	// MaxMemory leaves room for them too, a bit a state each.
	LivenessSets int

	// Progress, when set, is called every ProgressInterval (default 1s)
	// from the exploring goroutine with the figures so far.
	Progress         func(Stats)
	ProgressInterval time.Duration
}

// Packer is an interface a System may also implement to have its states
// explored on a fast path: every state packs into the same number of
// 64-bit words, and the system computes the successors of a packed state
// into a buffer the checker owns, with no iterator, no closure and no
// copy of the state on the way. The checker then keeps packed words in
// its frontier and stores, hashes them a word at a time, and unpacks a
// state only to check an invariant on it (a transition invariant: both
// states of every transition), to keep it in Result.Graph, or to rebuild
// a trace.
//
// The fast path serves a breadth-first search without action or state
// constraints (fold them into AppendNext, as bench.Product does) and
// with at most 64 transition invariants; any other search uses Next,
// and keeps the system's own encoding if it is also an Encoder. Both
// give the same result, which the checker's tests require.
type Packer[S, A any] interface {
	// PackedWords is the number of words of every packed state, at least
	// one.
	PackedWords() int
	// Pack writes the PackedWords words of s into w and reports true.
	// Two states must have the same words exactly when they are equal
	// (==). It reports false if s has no packed form (see below).
	Pack(w []uint64, s S) bool
	// Unpack returns the state whose words Pack wrote in w.
	Unpack(w []uint64) S
	// AppendNext appends the packed successors of the packed state w to
	// succ, PackedWords words each, and their actions to acts, in the
	// order Next(Unpack(w)) yields them, and returns both slices and
	// true. It returns false if a successor has no packed form; what it
	// appended is then ignored. If acts is nil, the checker has no use
	// for the actions (no graph is kept and no trace asked for): AppendNext
	// need not compute them, and what it returns in their place is
	// ignored.
	AppendNext(w []uint64, succ []uint64, acts []A) ([]uint64, []A, bool)
}

// StatePacker is a Packer that can also give, with the successors it
// packs, the states they are the words of: it has built them anyway. The
// checker asks for them when it would otherwise unpack every successor
// (for the transition invariants), and so saves unpacking them.
type StatePacker[S, A any] interface {
	Packer[S, A]
	// AppendNextStates is AppendNext that also appends the state of each
	// successor to states, in the same order (even if acts is nil).
	AppendNextStates(w []uint64, succ []uint64, acts []A, states []S) ([]uint64, []A, []S, bool)
}

// A LabelPacker is a StatePacker that labels each transition it packs with
// 64 bits of its own, computed as it makes the transition — which of its
// rules made it, say — for the Counters' Label to read (Counter): a
// Counter's Step would otherwise compute them again from the states. The
// checker asks for labels only when a Counter has a Label, and then calls
// AppendNextLabeled instead of AppendNextStates: it must give the same
// successors, actions (none computed if acts is nil) and states, in the
// same order.
type LabelPacker[S, A any] interface {
	StatePacker[S, A]
	// AppendNextLabeled is AppendNextStates that also appends the label
	// of each transition to labels, in the same order.
	AppendNextLabeled(w []uint64, succ []uint64, acts []A, states []S, labels []uint64) ([]uint64, []A, []S, []uint64, bool)
}

// A packed form may have limits a search can reach: a Packer that numbers
// the distinct values of a component it meets, as SPIN's COLLAPSE does,
// has room for so many numbers in a word. When Pack or AppendNext reports
// a state it cannot pack, the search stops and runs again from the start
// on Next (with the system's own encoding, if it is an Encoder), and
// Result.PackedPathLeft says so: the result is that of the common path,
// only later.
