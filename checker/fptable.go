package checker

import (
	"math/bits"
	"sync/atomic"
)

// An fpTable is the table of a FingerprintStore: open addressing with
// linear probing, each slot holding a state's whole 64-bit fingerprint,
// and beside it, in a parallel array, the state's number. A probe reads
// only the fingerprints, so that finding a state known or not costs one
// cache miss, where a table of numbers needs a second, dependent one to
// compare what it points to; the number is read only when it is asked
// for (the explored graph). The table is then the whole store: twelve
// bytes a slot, about 20 to 30 bytes a state (at 40% to 60% load). A
// search that keeps no graph asks for no number of a state it finds: its
// table keeps none (eight bytes a slot), sparing a write to a second
// cache line for each state stored, and the store keeps the fingerprints
// in the order of their numbers instead, written one after another, for
// the traces.
//
// Fingerprint 0 marks an empty slot: the fingerprint 0 is stored as 1, so
// that two states whose fingerprints are 0 and 1 count as one, a
// collision among the 2^64 fingerprints like any other.
//
// The home slot of a fingerprint comes from its high bits by
// multiplication (Lemire's fast range), which fits a table of any size;
// it grows by half when it is growLoad full, so that its load stays
// between 40% and 60%, unless growing it would pass MaxMemory (see table).
//
// One goroutine writes the table at a time; between writes any number may
// read it. Slots are written and read atomically so that a reader may
// also probe while the writer inserts (see parallel.go): it then sees
// each slot either empty or holding its fingerprint.
type fpTable struct {
	slots []uint64
	nums  []uint32
	occupancy
}

// newFPTable returns an empty table of size slots, with numbers if
// numbered.
func newFPTable(size uint64, numbered bool) fpTable {
	size = max(size, minTableSize)
	t := fpTable{slots: make([]uint64, size), occupancy: occupancy{size: size, load: growLoad}}
	adviseHugePages(t.slots)
	populate(t.slots)
	if numbered {
		t.nums = make([]uint32, size)
		populate(t.nums)
	}
	return t
}

// fpSlot is what the table stores for fingerprint h.
func fpSlot(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

// find returns the slot holding fingerprint h and true, or the empty slot
// where it would go and false.
func (t *fpTable) find(h uint64) (uint64, bool) {
	if t.size == 0 {
		return 0, false
	}
	h = fpSlot(h)
	i, _ := bits.Mul64(h, t.size)
	for {
		x := atomic.LoadUint64(&t.slots[i])
		if x == h {
			return i, true
		}
		if x == 0 {
			return i, false
		}
		if i++; i == t.size {
			i = 0
		}
	}
}

// set stores fingerprint h, number num, in the empty slot i.
func (t *fpTable) set(i, h uint64, num uint32) {
	if t.nums != nil {
		atomic.StoreUint32(&t.nums[i], num)
	}
	atomic.StoreUint64(&t.slots[i], fpSlot(h))
	t.n++
}

// grownBytes is what the table grown() makes allocates.
func (t *fpTable) grownBytes() int64 { return int64(t.grownSize()) * t.slotBytes() }

// grown returns a larger table with the same entries.
func (t *fpTable) grown() fpTable {
	g := newFPTable(t.grownSize(), t.nums != nil)
	for k, x := range t.slots {
		if x == 0 {
			continue
		}
		i, _ := g.find(x)
		var num uint32
		if t.nums != nil {
			num = t.nums[k]
		}
		g.set(i, x, num)
	}
	return g
}

func (t *fpTable) bytes() int64 { return int64(len(t.slots))*8 + int64(len(t.nums))*4 }

// slotBytes is the memory of a slot.
func (t *fpTable) slotBytes() int64 { return fpSlotBytes(t.nums != nil) }

// fpSlotBytes is the memory of a slot of a table that keeps numbers, or
// not: the fingerprint, and the number.
func fpSlotBytes(numbered bool) int64 {
	if numbered {
		return 12
	}
	return 8
}

// touch reads the home slots of the fingerprints hs (see packBatch), and
// returns what it read added up, for the caller to keep so that the reads
// are not left out.
func (t *fpTable) touch(hs []uint64) uint64 {
	var sum uint64
	for _, h := range hs {
		i, _ := bits.Mul64(fpSlot(h), t.size)
		sum += atomic.LoadUint64(&t.slots[i])
	}
	return sum
}
