package checker

import "unsafe"

// A level is the states of one depth of a breadth-first search, in the
// order they were stored: the frontier. Without an encoder it holds the
// states; with one, their encodings, packed one after another, so that a
// wide level of large states takes a few tens of bytes a state.
type level[S any] struct {
	enc   Encoder[S]
	depth int32

	states []S // without an encoder
	// blocks hold the encodings, packed one after another in blocks of
	// levelBlock bytes (or one encoding, if larger): a level larger than
	// any before it allocates blocks but copies nothing, where one slice
	// would be copied each time it grew. The blocks are kept from level
	// to level; blocks[:used] are in use.
	blocks [][]byte
	used   int
	ends   []uint64 // block<<32 | end of the i-th encoding in its block
	index  []int32
}

const levelBlock = 1 << 16

func newLevel[S any](enc Encoder[S], depth int32) *level[S] {
	return &level[S]{enc: enc, depth: depth}
}

// reset empties the level, keeping its memory, for the states of depth.
func (l *level[S]) reset(depth int32) {
	clear(l.states)
	for k := range l.blocks[:l.used] {
		l.blocks[k] = l.blocks[k][:0]
	}
	l.states, l.used, l.ends, l.index = l.states[:0], 0, l.ends[:0], l.index[:0]
	l.depth = depth
}

func (l *level[S]) len() int { return len(l.index) }

// push appends state number index, s, whose encoding is code.
func (l *level[S]) push(s *S, code []byte, index int32) {
	if l.enc == nil {
		l.states = append(l.states, *s)
	} else {
		k := l.used - 1
		if k < 0 || len(l.blocks[k])+len(code) > cap(l.blocks[k]) {
			k++
			if k == len(l.blocks) || cap(l.blocks[k]) < len(code) {
				l.blocks = append(l.blocks, nil)
				copy(l.blocks[k+1:], l.blocks[k:])
				l.blocks[k] = make([]byte, 0, max(levelBlock, len(code)))
			}
			l.used++
		}
		l.blocks[k] = append(l.blocks[k], code...)
		l.ends = append(l.ends, uint64(k)<<32|uint64(len(l.blocks[k])))
	}
	l.index = append(l.index, index)
}

// at returns the i-th entry.
func (l *level[S]) at(i int) entry[S] {
	x := entry[S]{index: l.index[i], depth: l.depth}
	if l.enc == nil {
		x.state = l.states[i]
	} else {
		x.state = l.enc.DecodeState(l.code(i))
	}
	return x
}

// code returns the encoding of the i-th state.
func (l *level[S]) code(i int) []byte {
	k, end := l.ends[i]>>32, uint32(l.ends[i])
	start := uint32(0)
	if i > 0 && l.ends[i-1]>>32 == k {
		start = uint32(l.ends[i-1])
	}
	return l.blocks[k][start:end]
}

// indexAt returns the number of the i-th state.
func (l *level[S]) indexAt(i int) int32 { return l.index[i] }

// bytes is the memory the level holds, used or kept for reuse.
func (l *level[S]) bytes() int64 {
	var s S
	b := int64(cap(l.states))*int64(unsafe.Sizeof(s)) + int64(cap(l.ends))*8 + int64(cap(l.index))*4 +
		int64(cap(l.blocks))*24
	for _, blk := range l.blocks {
		b += int64(cap(blk))
	}
	return b
}
