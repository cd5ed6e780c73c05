package checker

// A level is the states of one depth of a breadth-first search, in the
// order they were stored: the frontier. Without an encoder it holds the
// states; with one, their encodings, packed one after another, so that a
// wide level of large states takes a few tens of bytes a state.
type level[S any] struct {
	enc   Encoder[S]
	depth int32

	states []S // without an encoder
	codes  []byte
	ends   []int // ends[i] is the end of the i-th encoding in codes
	index  []int32
}

func newLevel[S any](enc Encoder[S], depth int32) *level[S] {
	return &level[S]{enc: enc, depth: depth}
}

// reset empties the level, keeping its memory, for the states of depth.
func (l *level[S]) reset(depth int32) {
	clear(l.states)
	l.states, l.codes, l.ends, l.index = l.states[:0], l.codes[:0], l.ends[:0], l.index[:0]
	l.depth = depth
}

func (l *level[S]) len() int { return len(l.index) }

// push appends state number index, s, whose encoding is code.
func (l *level[S]) push(s *S, code []byte, index int32) {
	if l.enc == nil {
		l.states = append(l.states, *s)
	} else {
		l.codes = append(l.codes, code...)
		l.ends = append(l.ends, len(l.codes))
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
	start := 0
	if i > 0 {
		start = l.ends[i-1]
	}
	return l.codes[start:l.ends[i]]
}
