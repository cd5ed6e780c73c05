package diagram

import (
	"math"
	"slices"
)

// The model is also a checker.Packer: a State packs into three 64-bit
// words — each peer's queue as it is held (at most 63 bits), then both
// peers' connection states and TCB flags and Overflow — and AppendNext
// computes the successors of a packed state by the same arcs as Next,
// without an iterator.

// PackedWords is the number of words of a packed State.
func (m *Model) PackedWords() int { return 3 }

// Pack writes the three words of s into w. Every State has a packed
// form.
func (m *Model) Pack(w []uint64, s State) bool {
	a, b := &s.Peers[A], &s.Peers[B]
	w[0], w[1] = a.Queue.packed, b.Queue.packed
	w[2] = uint64(a.Conn) | uint64(boolBit(a.TCB))<<4 | uint64(b.Conn)<<8 | uint64(boolBit(b.TCB))<<12 |
		uint64(boolBit(s.Overflow))<<16
	return true
}

// Unpack returns the state whose words Pack wrote in w.
func (m *Model) Unpack(w []uint64) State {
	var s State
	f := w[2]
	s.Peers[A] = PeerState{Conn: ConnState(f & 0xf), TCB: f>>4&1 != 0, Queue: Queue{w[0]}}
	s.Peers[B] = PeerState{Conn: ConnState(f >> 8 & 0xf), TCB: f>>12&1 != 0, Queue: Queue{w[1]}}
	s.Overflow = f>>16&1 != 0
	return s
}

// AppendNext appends the packed successors of the packed state w to succ
// and their actions to acts, in the order of Next; none if acts is nil.
func (m *Model) AppendNext(w []uint64, succ []uint64, acts []Action) ([]uint64, []Action, bool) {
	succ, acts = m.appendNext(w, 0, succ, acts, false)
	return succ, acts, true
}

// AppendNextConstrained is AppendNext less the transitions MCtcp's
// constraints reject when m enables them (ActionConstraint and
// StateConstraint): the successors a checker running with both
// constraints takes, for a system that folds them into its successors,
// as the benchmark's product of copies does.
func (m *Model) AppendNextConstrained(w []uint64, succ []uint64, acts []Action) ([]uint64, []Action) {
	return m.appendNext(w, 0, succ, acts, true)
}

// AppendNextConstrainedAt is AppendNextConstrained for a State packed in
// words at to at+2 of a larger packed state w, as a product of copies
// packs each copy: each successor appended to succ is the whole of w with
// those three words replaced.
func (m *Model) AppendNextConstrainedAt(w []uint64, at int, succ []uint64, acts []Action) ([]uint64, []Action) {
	return m.appendNext(w, at, succ, acts, true)
}

// Bits of the third word of a packed State.
const (
	peerBits    = 8 // per peer: Conn in the low four bits, then TCB
	tcbBit      = 4
	overflowBit = 16
	connMask    = 0xf
)

// appendNext computes the transitions of the arcs on the words
// themselves, as arc.take does on a State (the tests compare the two).
// Constrained, it takes its arcs from arcsNoOpen when SingleActiveOpen
// holds, and it looks for a repeated message only where the transition
// appends one, when w has none (a state the constraint let in): taking
// messages off the head of a queue cannot make two equal ones adjacent.
func (m *Model) appendNext(whole []uint64, at int, succ []uint64, acts []Action, constrained bool) ([]uint64, []Action) {
	w := whole[at : at+3]
	f := w[2]
	if f>>overflowBit&1 != 0 {
		return succ, acts
	}
	table := enabledArcs
	if constrained && m.SingleActiveOpen {
		table = enabledArcsNoOpen
	}
	noRepeats := constrained && m.NoRetransmission
	repeated := noRepeats && ((Queue{w[0]}).repeats() || (Queue{w[1]}).repeats())
	// At most maxEnabled arcs per peer: room for all the successors, so
	// that they are written in place.
	n := len(whole)
	base, baseActs := len(succ), len(acts)
	succ = slices.Grow(succ, 2*maxEnabled*n)[:base+2*maxEnabled*n]
	wantActs := acts != nil // nil: the caller wants no actions
	if wantActs {
		acts = slices.Grow(acts, 2*maxEnabled)[:baseActs+2*maxEnabled]
	}
	j, ja := base, baseActs
	// Each peer's enabled arcs are one range of its table, in Next's
	// order: by class, then in order within a class. Next takes the
	// classes in turn, each first for A, then for B: a merge of the two
	// ranges by class, A first on a tie.
	rA, rB := &table[A].at[guardKey(f, w[A])], &table[B].at[guardKey(f>>peerBits, w[B])]
	as := table[A].arcs[rA.lo[0]:rA.hi[numClasses-1]]
	bs := table[B].arcs[rB.lo[0]:rB.hi[numClasses-1]]
	qA, qB := w[A], w[B]
	lenA, lenB := (Queue{qA}).Len(), (Queue{qB}).Len()
	for len(as) > 0 || len(bs) > 0 {
		// The arc, its peer's queue (q) and word (ownAt), and the
		// other's queue (o), length and word.
		var (
			a           *packedArc
			q, o        uint64
			oLen        int
			ownAt, toAt = at + int(A), at + int(B)
		)
		if len(bs) == 0 || len(as) > 0 && as[0].class <= bs[0].class {
			a, as = &as[0], as[1:]
			q, o, oLen = qA, qB, lenB
		} else {
			a, bs = &bs[0], bs[1:]
			q, o, oLen = qB, qA, lenA
			ownAt, toAt = toAt, ownAt
		}
		own, other, g := q>>a.rcvShift, o, f&a.clear|a.set
		if a.act.Snd != NoMessage {
			if n := oLen; n < QueueCap {
				if noRepeats && !repeated && n > 0 && (Queue{o}).At(n-1) == a.act.Snd {
					continue // the constraint: two equal messages adjacent
				}
				other = o | uint64(a.act.Snd)<<(msgBits*n)
			} else {
				g |= 1 << overflowBit // the spec's queue would grow past what State holds
			}
		}
		if repeated && g>>overflowBit&1 == 0 && ((Queue{own}).repeats() || (Queue{other}).repeats()) {
			continue
		}
		next := succ[j : j+n : j+n]
		copy(next, whole)
		next[ownAt], next[toAt], next[at+2] = own, other, g
		j += n
		if wantActs {
			acts[ja] = a.act
			ja++
		}
	}
	return succ[:j], acts[:ja]
}

// An arcTable lists, for one peer and each guardKey, the arcs the peer may
// take, each class of arcs (system, reset, user: Next's order) in its own
// range, in Next's order, each arc with its action and its effect on the
// third packed word: appendNext looks up the arcs enabled instead of
// testing each guard, and applies them with a mask and an or.
type arcTable struct {
	arcs []packedArc
	at   [numConnStates << guardKeyBits]arcRanges
}

// arcRanges are the ranges of arcs of each class.
type arcRanges struct{ lo, hi [numClasses]uint16 }

// numClasses is the number of classes of arcs, and maxEnabled the most
// arcs of all classes one peer may have enabled at once (checked when
// the tables are made).
const (
	numClasses = 3
	maxEnabled = 16
)

// A packedArc is an arc taken by a given peer.
type packedArc struct {
	act        Action
	class      uint8  // in Next's order
	rcvShift   uint8  // the received prefix is removed by this shift of the peer's queue
	clear, set uint64 // the third word becomes f&clear | set
}

// guardKeyBits is the width of what an arc's guard reads besides the
// connection state: the TCB flag and the first two messages of the queue
// (an arc receives at most two).
const guardKeyBits = 1 + 2*msgBits

// guardKey returns the index of a peer's connection state and TCB flag,
// from the low bits of f (its byte of the third packed word), and the
// first two messages of its queue q.
func guardKey(f, q uint64) uint64 {
	return (f&connMask)<<guardKeyBits | (f>>tcbBit&1)<<(2*msgBits) | q&(1<<(2*msgBits)-1)
}

// enabledArcs and enabledArcsNoOpen are the arcTables of each peer for
// arcsFrom and arcsNoOpen.
var (
	enabledArcs       = newArcTables(&arcsFrom)
	enabledArcsNoOpen = newArcTables(&arcsNoOpen)
)

func newArcTables(from *[numClasses][numConnStates][]arc) *[numPeers]arcTable {
	var ts [numPeers]arcTable
	for p := A; p < numPeers; p++ {
		t := &ts[p]
		shift := peerBits * uint(p)
		for key := range t.at {
			f, q := uint64(key>>guardKeyBits)|uint64(key>>(2*msgBits)&1)<<tcbBit, uint64(key)&(1<<(2*msgBits)-1)
			first := len(t.arcs)
			for k := range from {
				t.at[key].lo[k] = uint16(len(t.arcs))
				if c := f & connMask; c < uint64(numConnStates) {
					for _, a := range from[k][c] {
						if (a.needTCB && f>>tcbBit&1 == 0) || q&a.rcvMask != a.rcvBits {
							continue
						}
						pa := packedArc{
							act:      Action{Peer: p, Kind: a.kind, Rcv: a.rcv, Snd: a.snd, To: a.to},
							class:    uint8(k),
							rcvShift: a.rcvShift,
							clear:    ^uint64(connMask << shift),
							set:      uint64(a.to) << shift,
						}
						switch a.tcb {
						case createTCB:
							pa.set |= 1 << (shift + tcbBit)
						case deleteTCB:
							pa.clear &^= 1 << (shift + tcbBit)
						}
						t.arcs = append(t.arcs, pa)
					}
				}
				t.at[key].hi[k] = uint16(len(t.arcs))
			}
			if len(t.arcs)-first > maxEnabled {
				panic("diagram: more arcs enabled at once than maxEnabled")
			}
		}
		if len(t.arcs) > math.MaxUint16 {
			panic("diagram: too many arcs for an arcTable")
		}
	}
	return &ts
}
