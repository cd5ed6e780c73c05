package diagram

import (
	"encoding/binary"
	"fmt"
)

// A compact encoding of State, for the checker's stores (the Model is a
// checker.Encoder): per peer, one byte for the connection state, the TCB
// flag and (on A's byte) Overflow, then the packed queue as a uvarint —
// four bytes for most states, against the forty of the struct.

// AppendState appends the encoding of s to b.
func (m *Model) AppendState(b []byte, s State) []byte {
	for p := range s.Peers {
		ps := &s.Peers[p]
		x := uint8(ps.Conn) | boolBit(ps.TCB)<<4
		if p == 0 {
			x |= boolBit(s.Overflow) << 5
		}
		b = append(b, x)
		b = binary.AppendUvarint(b, ps.Queue.packed)
	}
	return b
}

// DecodeState returns the state whose encoding AppendState wrote in b. It
// panics if b is not such an encoding.
func (m *Model) DecodeState(b []byte) State {
	var s State
	for p := range s.Peers {
		x := b[0]
		q, n := binary.Uvarint(b[1:])
		if n <= 0 {
			panic("diagram: a bad queue in an encoded state")
		}
		b = b[1+n:]
		s.Peers[p] = PeerState{Conn: ConnState(x & 0xf), TCB: x>>4&1 != 0, Queue: Queue{q}}
		if p == 0 {
			s.Overflow = x>>5&1 != 0
		}
	}
	if len(b) != 0 {
		panic(fmt.Sprintf("diagram: %d bytes left after decoding a state", len(b)))
	}
	return s
}

func boolBit(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
