package checker

import (
	"bufio"
	"fmt"
	"os"
	"unsafe"
)

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

	// width, if not 0, is the size of every encoding (a Packer's words),
	// and the states are numbered first, first+1, ... in the order they
	// are pushed, as a search with a Packer stores them: the level keeps
	// n, and no ends nor index, which width and first give. A block
	// then holds perBlock encodings.
	width    int
	perBlock int
	first    int32
	n        int

	// sp, if not nil, lets the level move to a file when it passes its
	// share of the memory; disk is the level moved there.
	sp   *spill
	disk *spilled
}

const levelBlock = 1 << 16

func newLevel[S any](enc Encoder[S], depth int32) *level[S] {
	return &level[S]{enc: enc, depth: depth}
}

// A spill is where the levels of a search go when one passes limit bytes
// in memory (Options.FrontierMemory). Their encodings all have width
// bytes — the packed words of a Packer — so that the file holds them one
// after another, the i-th at i*width, and needs no ends. Nor does it need
// the states' numbers: a BFS numbers the states it stores one after
// another, as it stores them in the level being filled, so the i-th
// state of a level is number first+i.
type spill struct {
	dir     string
	limit   int64
	width   int
	written int64 // bytes, by every level of the search
	freed   int64 // bytes of the blocks of levels moved to files
}

// A spilled level is a level in a file: written while the level is
// filled, then mapped into memory (level.seal) while it is expanded.
type spilled struct {
	file     *os.File
	w        *bufio.Writer
	data     []byte // the file, once mapped
	released int    // data[:released] was given back (level.release)
	first    int32  // the number of the first state
	n        int
	err      error // the first write that failed
}

const (
	// spillBuffer is the buffer of a level written to its file.
	spillBuffer = 1 << 20
	// releaseEvery is how much of a mapped level is read before the
	// pages read are given back: what the mapping may hold resident.
	releaseEvery = 64 << 20
)

// fixedWidth makes the level keep encodings of width bytes, numbered one
// after another (see level.width). Only an empty level may be made so.
func (l *level[S]) fixedWidth(width int) {
	if l.len() > 0 {
		panic("checker: fixedWidth on a level in use")
	}
	l.width, l.perBlock = width, max(levelBlock, width)/width
}

// entryBytes is the memory of a state's ends and index entries.
func (l *level[S]) entryBytes() int64 {
	if l.width > 0 {
		return 0
	}
	return 12
}

// reset empties the level, keeping its memory, for the states of depth.
func (l *level[S]) reset(depth int32) {
	l.close()
	clear(l.states)
	for k := range l.blocks[:l.used] {
		l.blocks[k] = l.blocks[k][:0]
	}
	l.states, l.used, l.ends, l.index, l.n = l.states[:0], 0, l.ends[:0], l.index[:0], 0
	l.depth = depth
}

func (l *level[S]) len() int {
	if l.disk != nil {
		return l.disk.n
	}
	if l.width > 0 {
		return l.n
	}
	return len(l.index)
}

// push appends state number index, s, whose encoding is code.
func (l *level[S]) push(s *S, code []byte, index int32) {
	if l.disk != nil {
		l.write(code, index)
		return
	}
	if l.enc == nil {
		l.states = append(l.states, *s)
	} else {
		if l.sp != nil && !l.fits(len(code)) && int64(l.used+1)*levelBlock+int64(l.len())*l.entryBytes() > l.sp.limit {
			l.spillOut()
			l.write(code, index)
			return
		}
		if l.width > 0 {
			l.numberNext(index, len(code))
		}
		k := l.room(len(code))
		l.blocks[k] = append(l.blocks[k], code...)
		if l.width > 0 {
			return
		}
		l.ends = append(l.ends, uint64(k)<<32|uint64(len(l.blocks[k])))
	}
	l.index = append(l.index, index)
}

// numberNext counts, in a level of fixed width, a state pushed, number
// index, of size bytes.
func (l *level[S]) numberNext(index int32, size int) {
	if size != l.width {
		panic("checker: an encoding of another width in a level of fixed width")
	}
	if l.n == 0 {
		l.first = index
	} else if index != l.first+int32(l.n) {
		panic("checker: a level's states are not numbered one after another")
	}
	l.n++
}

// fits reports whether an encoding of size bytes fits in the last block
// in use.
func (l *level[S]) fits(size int) bool {
	k := l.used - 1
	return k >= 0 && len(l.blocks[k])+size <= cap(l.blocks[k])
}

// room returns the block where the next encoding, of size bytes, goes:
// the last in use, or the next, made or kept from an earlier level.
func (l *level[S]) room(size int) int {
	if l.fits(size) {
		return l.used - 1
	}
	k := l.used
	if k == len(l.blocks) || cap(l.blocks[k]) < size {
		l.blocks = append(l.blocks, nil)
		copy(l.blocks[k+1:], l.blocks[k:])
		l.blocks[k] = make([]byte, 0, max(levelBlock, size))
	}
	l.used++
	return k
}

// reserve appends, to a level of fixed width, n states numbered first to
// first+n-1 whose encodings are yet to be written (through code), and
// returns the place of the first in the level; or it reports false,
// having appended nothing, if the level is of any width, in a file, or
// would move there.
func (l *level[S]) reserve(n int, first int32) (int, bool) {
	if l.width == 0 || l.disk != nil {
		return 0, false
	}
	// The blocks push would open for them, at most: one a perBlock
	// states. Where push would pass the limit opening the last of them,
	// it would move the level to its file.
	if l.sp != nil && int64(l.used+(n+l.perBlock-1)/l.perBlock)*levelBlock > l.sp.limit {
		return 0, false
	}
	at := l.len()
	if n > 0 {
		l.numberNext(first, l.width)
		l.n += n - 1
	}
	for n > 0 {
		k := l.room(l.width)
		end := len(l.blocks[k])
		fit := min(n, (cap(l.blocks[k])-end)/l.width)
		l.blocks[k] = l.blocks[k][:end+fit*l.width]
		n -= fit
	}
	return at, true
}

// spillOut moves the level to a new file in the spill's directory, and
// lets its blocks go.
func (l *level[S]) spillOut() {
	d := &spilled{}
	if l.len() > 0 { // else write numbers the first state it writes
		d.first = l.indexAt(0)
	}
	d.file, d.err = os.CreateTemp(l.sp.dir, "tcpcheck-level-*")
	if d.err == nil {
		d.w = bufio.NewWriterSize(d.file, spillBuffer)
		if removeWhileOpen {
			// No file is left behind by a process that is killed.
			os.Remove(d.file.Name())
		}
	}
	for i, x := range l.index {
		if x != d.first+int32(i) {
			panic("checker: a level's states are not numbered one after another")
		}
	}
	// The blocks in use hold the encodings one after another.
	for _, b := range l.blocks[:l.used] {
		if d.err == nil {
			_, d.err = d.w.Write(b)
		}
		l.sp.written += int64(len(b))
	}
	for _, b := range l.blocks {
		l.sp.freed += int64(cap(b))
	}
	d.n = l.len()
	l.disk = d
	l.blocks, l.used, l.ends, l.index = nil, 0, nil, nil
}

// write appends state number index, whose encoding is code, to the
// level's file.
func (l *level[S]) write(code []byte, index int32) {
	d := l.disk
	if len(code) != l.sp.width {
		panic("checker: a spilled level's encodings differ in size")
	}
	if d.n == 0 {
		d.first = index
	}
	if index != d.first+int32(d.n) {
		panic("checker: a level's states are not numbered one after another")
	}
	if d.err == nil {
		_, d.err = d.w.Write(code)
	}
	d.n++
	l.sp.written += int64(len(code))
}

// seal makes a level filled in a file readable: it writes out the
// buffer and maps the file. It reports the first failure to write or
// map the file.
func (l *level[S]) seal() error {
	d := l.disk
	if d == nil || d.data != nil {
		return nil
	}
	if d.err == nil {
		d.err = d.w.Flush()
	}
	d.w = nil
	if d.err == nil {
		d.data, d.err = mapFile(d.file, d.n*l.sp.width)
	}
	if d.err != nil {
		return fmt.Errorf("checker: frontier spilled to disk: %w", d.err)
	}
	return nil
}

// release gives back the pages of a mapped level that hold states
// before the i-th, every releaseEvery bytes: they were expanded. (A
// worker reading one after is not wrong, only slower: the page is read
// from the file again.)
func (l *level[S]) release(i int) {
	d := l.disk
	if d == nil || d.data == nil {
		return
	}
	end := i * l.sp.width
	if end-d.released < releaseEvery {
		return
	}
	end -= end % os.Getpagesize()
	dropPages(d.data[d.released:end])
	d.released = end
}

// close removes the level's file, if it has one.
func (l *level[S]) close() {
	d := l.disk
	if d == nil {
		return
	}
	l.disk = nil
	if d.data != nil {
		unmapFile(d.data)
	}
	if d.file != nil {
		d.file.Close()
		os.Remove(d.file.Name())
	}
}

// at returns the i-th entry.
func (l *level[S]) at(i int) entry[S] {
	if l.disk != nil {
		return entry[S]{index: l.indexAt(i), depth: l.depth, state: l.enc.DecodeState(l.code(i))}
	}
	x := entry[S]{index: l.indexAt(i), depth: l.depth}
	if l.enc == nil {
		x.state = l.states[i]
	} else {
		x.state = l.enc.DecodeState(l.code(i))
	}
	return x
}

// code returns the encoding of the i-th state.
func (l *level[S]) code(i int) []byte {
	if l.disk != nil {
		w := l.sp.width
		return l.disk.data[i*w : (i+1)*w]
	}
	if w := l.width; w > 0 {
		k := i % l.perBlock
		return l.blocks[i/l.perBlock][k*w : (k+1)*w]
	}
	k, end := l.ends[i]>>32, uint32(l.ends[i])
	start := uint32(0)
	if i > 0 && l.ends[i-1]>>32 == k {
		start = uint32(l.ends[i-1])
	}
	return l.blocks[k][start:end]
}

// tail returns, in a level of fixed width in memory, the bytes from the
// i-th state's encoding to the end of its block's states: those of the
// i-th and of the states after it in the block, to be written one after
// another without a division each, as code does.
func (l *level[S]) tail(i int) []byte {
	return l.blocks[i/l.perBlock][(i%l.perBlock)*l.width:]
}

// indexAt returns the number of the i-th state.
func (l *level[S]) indexAt(i int) int32 {
	if l.disk != nil {
		return l.disk.first + int32(i)
	}
	if l.width > 0 {
		return l.first + int32(i)
	}
	return l.index[i]
}

// bytes is the memory the level holds, used or kept for reuse. A level
// in a file holds its buffer while it is written, and while it is mapped
// what it has read since it last gave pages back; the rest is the
// kernel's page cache, which it may drop.
func (l *level[S]) bytes() int64 {
	var s S
	var b int64
	if d := l.disk; d != nil {
		if d.w != nil {
			b += spillBuffer
		}
		if d.data != nil {
			b += min(releaseEvery, int64(len(d.data)-d.released))
		}
	}
	b += int64(cap(l.states))*int64(unsafe.Sizeof(s)) + int64(cap(l.ends))*8 + int64(cap(l.index))*4 +
		int64(cap(l.blocks))*24
	for _, blk := range l.blocks {
		b += int64(cap(blk))
	}
	return b
}
