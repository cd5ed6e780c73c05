package checker

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// A table is an open-addressing hash table, with linear probing, from the
// 64-bit hash of a state to its number. It keeps neither the states nor
// their hashes: the store does, densely, in the order of their numbers, and
// the table asks the store to compare (see store.find). This keeps the
// table small — five bytes a slot — so that with the store's eight-byte
// fingerprints a state costs about 8 + 5/load bytes.
//
// A slot holds the state's number plus one in its low 32 bits (zero: an
// empty slot) and an 8-bit tag, taken from the low bits of the hash, in
// its fifth byte: a probe compares the tag first, and asks the store only
// when it matches, so that it seldom reads the dense arrays in vain. The
// home slot of a hash is taken from its high bits by multiplication
// (Lemire's fast range), which works for a table of any size: the table
// grows by half when it is growLoad full, so that its load stays between
// 40% and 60% — unless growing it would pass MaxMemory, when it fills on
// to fullLoad (stretch).
//
// The table is written by one goroutine at a time; between writes, any
// number may read it.
type table struct {
	slots []byte // slotSize bytes per slot, plus slotPad so that a slot is read as one word
	occupancy
}

// An occupancy is how full a table is and may be, for both stores'
// tables.
type occupancy struct {
	size uint64 // number of slots
	n    int    // number of slots in use
	load uint64 // the load, in percent, at which it is full: growLoad or fullLoad
}

// fits reports whether more entries fit without passing the load.
func (o *occupancy) fits(more int) bool { return uint64(o.n+more)*100 <= o.size*o.load }

// full reports whether one more entry would take the table past its load.
func (o *occupancy) full() bool { return !o.fits(1) }

// grownSize is the size of the table that replaces a full one.
func (o *occupancy) grownSize() uint64 { return o.size + o.size/2 }

// stretch lets a table full at growLoad fill on to fullLoad instead of
// growing, and reports whether that gives it room (store.stretch).
func (o *occupancy) stretch() bool {
	if o.size == 0 || o.load == fullLoad {
		return false
	}
	o.load = fullLoad
	return !o.full()
}

const (
	slotSize = 5
	slotPad  = 8 - slotSize
	slotMask = 1<<(8*slotSize) - 1
	// growLoad is the load, in percent, at which a table grows. A look-up
	// by linear probing reads on average ½(1+1/(1−α)²) slots for a key
	// absent from a table of load α, and ½(1+1/(1−α)) for one present:
	// 3.6 and 1.8 at 60%, against 22.7 and 3.8 at 85%. On diagram K=2
	// with one worker, a fingerprint table growing at 60% took 6% less
	// CPU than one growing at 85%, and the exact store's 8% (both
	// presized; docs/performance.md), for 40% more bytes a slot per state.
	growLoad = 60
	// fullLoad is the load a table fills to, instead of growing, when
	// growing it would pass MaxMemory: a search whose bound the table's
	// growth reaches stops no sooner than it did when tables grew at 85%.
	// (One whose bound other memory reaches — the exact store's states,
	// the graph — may stop sooner, its table larger than it was.)
	fullLoad = 85
	// minTableSize is the size of a new table.
	minTableSize = 1 << 10
)

func newTable(size uint64) table {
	size = max(size, minTableSize)
	t := table{slots: make([]byte, size*slotSize+slotPad), occupancy: occupancy{size: size, load: growLoad}}
	populate(t.slots)
	return t
}

// home is the first slot probed for hash h.
func (t *table) home(h uint64) uint64 {
	hi, _ := bits.Mul64(h, t.size)
	return hi
}

// slot returns the contents of slot i.
func (t *table) slot(i uint64) uint64 {
	return binary.LittleEndian.Uint64(t.slots[i*slotSize:]) & slotMask
}

func tagOf(h uint64) uint64 { return uint64(uint8(h)) << 32 }

// set stores number num with the tag of h in the empty slot i.
func (t *table) set(i uint64, h uint64, num uint32) {
	binary.LittleEndian.PutUint32(t.slots[i*slotSize:], num+1)
	t.slots[i*slotSize+4] = uint8(h)
	t.n++
}

// bytes is the memory the table holds.
func (t *table) bytes() int64 { return int64(len(t.slots)) }

// insertNew puts num, known to be absent, into the first free slot of h's
// probe sequence, as growing the table does.
func (t *table) insertNew(h uint64, num uint32) {
	i := t.home(h)
	for t.slot(i) != 0 {
		if i++; i == t.size {
			i = 0
		}
	}
	t.set(i, h, num)
}

// chunked is an append-only array kept in fixed-size chunks, so that it
// never copies what it holds and never holds more than one chunk it does
// not use: a dense array of a hundred million entries grows without a
// moment at twice its size.
type chunked[T any] struct {
	chunks [][]T
	n      int
}

const chunkBits = 16

func (a *chunked[T]) append(x T) {
	if a.n>>chunkBits == len(a.chunks) {
		a.chunks = append(a.chunks, make([]T, 1<<chunkBits))
	}
	a.chunks[a.n>>chunkBits][a.n&(1<<chunkBits-1)] = x
	a.n++
}

func (a *chunked[T]) at(i int) *T {
	return &a.chunks[i>>chunkBits][i&(1<<chunkBits-1)]
}

func (a *chunked[T]) len() int { return a.n }

// bytes is the memory the array holds, for entries of size bytes.
func (a *chunked[T]) bytes(size int64) int64 { return int64(len(a.chunks)) << chunkBits * size }

// arena keeps byte strings, each numbered in the order appended, packed
// one after another in 1 MiB blocks.
//
// An arena of strings of one width (fixedWidth: a Packer's words) keeps
// no ends: the place of a string is computed from its number, so that
// reading it is one dependent load, not two, and costs no 8 bytes a string.
type arena struct {
	blocks [][]byte
	ends   chunked[uint64] // block<<endBits | end of the string in its block

	width int // of every string, if not 0
	shift int // log2 of the strings a block holds, for width
	n     int // strings, for width
}

// fixedWidth makes the empty arena one of strings of width bytes.
func (a *arena) fixedWidth(width int) {
	if width < 1 || width > 1<<arenaBlockBits || len(a.blocks) > 0 {
		panic("checker: fixedWidth on an arena in use or of an impossible width")
	}
	a.width, a.shift = width, bits.Len(uint(1<<arenaBlockBits/width))-1
}

const (
	arenaBlockBits = 20
	endBits        = arenaBlockBits + 1 // an end may be 1<<arenaBlockBits
)

func (a *arena) append(b []byte) {
	if a.width != 0 {
		if len(b) != a.width {
			panic(fmt.Sprintf("checker: a string of %d bytes in an arena of width %d", len(b), a.width))
		}
		k := a.n >> a.shift
		if k == len(a.blocks) {
			a.blocks = append(a.blocks, make([]byte, 0, a.width<<a.shift))
		}
		a.blocks[k] = append(a.blocks[k], b...)
		a.n++
		return
	}
	if len(b) > 1<<arenaBlockBits {
		panic("checker: an encoded state is larger than 1 MiB")
	}
	k := len(a.blocks) - 1
	if k < 0 || len(a.blocks[k])+len(b) > cap(a.blocks[k]) {
		a.blocks = append(a.blocks, make([]byte, 0, 1<<arenaBlockBits))
		k++
	}
	a.blocks[k] = append(a.blocks[k], b...)
	a.ends.append(uint64(k)<<endBits | uint64(len(a.blocks[k])))
}

// at returns the i-th string. The caller must not change it.
func (a *arena) at(i int) []byte {
	if a.width != 0 {
		j := (i & (1<<a.shift - 1)) * a.width
		return a.blocks[i>>a.shift][j : j+a.width : j+a.width]
	}
	end := *a.ends.at(i)
	k := end >> endBits
	start := uint64(0)
	if i > 0 {
		if prev := *a.ends.at(i - 1); prev>>endBits == k {
			start = prev & (1<<endBits - 1)
		}
	}
	return a.blocks[k][start : end&(1<<endBits-1)]
}

func (a *arena) bytes() int64 {
	if a.width != 0 {
		return int64(len(a.blocks)) * int64(a.width<<a.shift)
	}
	return int64(len(a.blocks))<<arenaBlockBits + int64(len(a.ends.chunks))<<chunkBits*8
}
