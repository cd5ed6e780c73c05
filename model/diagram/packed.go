package diagram

import "math"

// The model is also a checker.Packer: a State packs into three 64-bit
// words — each peer's queue as it is held (at most 63 bits), then both
// peers' connection states and TCB flags and Overflow — and AppendNext
// computes the successors of a packed state by the same arcs as Next,
// without an iterator.

// PackedWords is the number of words of a packed State.
func (m *Model) PackedWords() int { return 3 }

// Pack writes the three words of s into w.
func (m *Model) Pack(w []uint64, s State) {
	a, b := &s.Peers[A], &s.Peers[B]
	w[0], w[1] = a.Queue.packed, b.Queue.packed
	w[2] = uint64(a.Conn) | uint64(boolBit(a.TCB))<<4 | uint64(b.Conn)<<8 | uint64(boolBit(b.TCB))<<12 |
		uint64(boolBit(s.Overflow))<<16
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
// and their actions to acts, in the order of Next.
func (m *Model) AppendNext(w []uint64, succ []uint64, acts []Action) ([]uint64, []Action) {
	return m.appendNext(w, 0, succ, acts, false)
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
	for k := range table.at {
		for p := A; p < numPeers; p++ {
			shift := peerBits * uint(p)
			q := w[p]
			r := table.at[k][guardKey(f>>shift, q)]
			for i := r.lo; i < r.hi; i++ {
				a := &table.arcs[i]
				var next [3]uint64
				next[p], next[p.Other()] = q>>a.rcvShift, w[p.Other()]
				g := f&^(connMask<<shift) | uint64(a.to)<<shift
				switch a.tcb {
				case createTCB:
					g |= 1 << (shift + tcbBit)
				case deleteTCB:
					g &^= 1 << (shift + tcbBit)
				}
				if a.snd != NoMessage {
					rq := Queue{next[p.Other()]}
					if n := rq.Len(); n < QueueCap {
						if noRepeats && !repeated && n > 0 && rq.At(n-1) == a.snd {
							continue // the constraint: two equal messages adjacent
						}
						next[p.Other()] = rq.packed | uint64(a.snd)<<(msgBits*n)
					} else {
						g |= 1 << overflowBit // the spec's queue would grow past what State holds
					}
				}
				next[2] = g
				if repeated && g>>overflowBit&1 == 0 &&
					((Queue{next[0]}).repeats() || (Queue{next[1]}).repeats()) {
					continue
				}
				k := len(succ) + at
				succ = append(succ, whole...)
				copy(succ[k:k+3], next[:])
				acts = append(acts, Action{Peer: p, Kind: a.kind, Rcv: a.rcv, Snd: a.snd, To: a.to})
			}
		}
	}
	return succ, acts
}

// An arcTable lists, for each class of arcs (system, reset, user: Next's
// order) and each guardKey, the arcs a peer may take, in Next's order:
// appendNext looks up the arcs enabled instead of testing each guard.
type arcTable struct {
	arcs []arc
	at   [3][numConnStates << guardKeyBits]struct{ lo, hi uint16 }
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

// enabledArcs and enabledArcsNoOpen are the arcTables of arcsFrom and
// arcsNoOpen.
var (
	enabledArcs       = newArcTable(&arcsFrom)
	enabledArcsNoOpen = newArcTable(&arcsNoOpen)
)

func newArcTable(from *[3][numConnStates][]arc) *arcTable {
	t := &arcTable{}
	for k := range from {
		for key := range t.at[k] {
			f, q := uint64(key>>guardKeyBits)|uint64(key>>(2*msgBits)&1)<<tcbBit, uint64(key)&(1<<(2*msgBits)-1)
			lo := len(t.arcs)
			if c := f & connMask; c < uint64(numConnStates) {
				for _, a := range from[k][c] {
					if (!a.needTCB || f>>tcbBit&1 != 0) && q&a.rcvMask == a.rcvBits {
						t.arcs = append(t.arcs, a)
					}
				}
			}
			t.at[k][key].lo, t.at[k][key].hi = uint16(lo), uint16(len(t.arcs))
		}
	}
	if len(t.arcs) > math.MaxUint16 {
		panic("diagram: too many arcs for an arcTable")
	}
	return t
}
