package diagram

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
	s := m.Unpack(w)
	if s.Overflow {
		return succ, acts
	}
	for k := range arcsFrom {
		for p := A; p < numPeers; p++ {
			local := &s.Peers[p]
			arcs := arcsFrom[k][local.Conn]
			for i := range arcs {
				if !arcs[i].enabled(local) {
					continue
				}
				a, t := arcs[i].take(&s, p)
				n := len(succ)
				succ = append(succ, 0, 0, 0)
				m.Pack(succ[n:], t)
				acts = append(acts, a)
			}
		}
	}
	return succ, acts
}
