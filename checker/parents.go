package checker

import "math/bits"

// parents holds, for each stored state, the number of the state that first
// reached it (-1 for an initial state), from which traces are rebuilt.
//
// A depth-first search keeps them as an array. A breadth-first search
// stores its initial states first and then expands states in the order of
// their numbers, so the parent numbers of the states it stores never
// decrease: it keeps them in about two bits a state, as a sequence that
// has, for each expanded state in turn, a one bit for each state it stored
// and then a zero. Finding a parent then means scanning that sequence,
// which only rebuilding a trace does.
type parents struct {
	monotone bool
	// off: no trace will be rebuilt, and no link is kept.
	off bool

	links chunked[int32] // !monotone

	initial int      // monotone: the states with no parent, numbered first
	bits    []uint64 // monotone: the sequence
	nbits   int
	last    int32 // monotone: the parent whose ones are being written
}

func newParents(monotone bool) *parents { return &parents{monotone: monotone} }

// add records the parent of the next state stored.
func (p *parents) add(parent int32) {
	if p.off {
		return
	}
	if !p.monotone {
		p.links.append(parent)
		return
	}
	if parent < 0 {
		if p.nbits > 0 {
			panic("checker: an initial state stored after an expansion")
		}
		p.initial++
		return
	}
	if parent < p.last {
		panic("checker: parents out of order")
	}
	for ; p.last < parent; p.last++ {
		p.bit(0)
	}
	p.bit(1)
}

func (p *parents) bit(b uint64) {
	if p.nbits == 64*len(p.bits) {
		p.bits = append(p.bits, 0)
	}
	p.bits[p.nbits/64] |= b << (p.nbits % 64)
	p.nbits++
}

// get returns the parent of state i.
func (p *parents) get(i int32) int32 {
	if !p.monotone {
		return *p.links.at(int(i))
	}
	k := int(i) - p.initial // i is the k-th state with a parent
	if k < 0 {
		return -1
	}
	// Find the word holding the k-th one bit; the parent is the number of
	// zeros before it.
	ones := 0
	for w, x := range p.bits {
		c := bits.OnesCount64(x)
		if ones+c <= k {
			ones += c
			continue
		}
		for ; ; x &= x - 1 {
			if ones == k {
				at := 64*w + bits.TrailingZeros64(x)
				return int32(at - k)
			}
			ones++
		}
	}
	panic("checker: no parent recorded")
}

// bytes is the memory the parent links hold.
func (p *parents) bytes() int64 {
	return int64(len(p.links.chunks))<<chunkBits*4 + int64(cap(p.bits))*8
}
