package checker

import (
	"math/bits"
	"os"
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
// each slot either empty or holding its fingerprint. (The
// level-synchronous search's workers write it together in phases of their
// own, levelsync.go, and fill a grown table together before it is used,
// grownBy.)
type fpTable struct {
	slots []uint64
	nums  []uint32
	occupancy
}

// newFPTable returns an empty table of size slots, with numbers if
// numbered.
func newFPTable(size uint64, numbered bool) fpTable {
	t := makeFPTable(size, numbered)
	t.populate(0, t.size)
	return t
}

// makeFPTable is newFPTable but for populating its pages.
func makeFPTable(size uint64, numbered bool) fpTable {
	size = max(size, minTableSize)
	t := fpTable{slots: make([]uint64, size), occupancy: occupancy{size: size, load: growLoad}}
	adviseHugePages(t.slots)
	if numbered {
		t.nums = make([]uint32, size)
	}
	return t
}

// populate makes slots lo to hi-1 resident (populate), before anything is
// stored in them.
func (t *fpTable) populate(lo, hi uint64) {
	populate(t.slots[lo:hi])
	if t.nums != nil {
		populate(t.nums[lo:hi])
	}
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
func (t *fpTable) grown() fpTable { return t.grownBy(1, nil) }

// grownBy is grown, the entries copied by n goroutines at once if n > 1,
// each from a contiguous part of t, with run(f) calling f(0) to f(n-1)
// at once and returning when all are done (the level-synchronous
// search's crew). Their inserts into the new table may meet where one
// part's runs reach into the next part's home slots: an empty slot is
// taken with a compare-and-swap, and since every entry is in t once, two
// goroutines never insert the same one. Where two inserts meet in a run,
// which one takes which slot depends on the timing: the entries are the
// same, their places within a run may not be (the slots filled are the
// same: with linear probing and no deletion they do not depend on the
// order of the inserts). On diagram K=2 with two workers and no
// -expected-states, the growths took 72–88 ms of a 340–480 ms search
// with one goroutine copying, and 47–48 ms by parts.
//
// populateMax applies to a part: a table grown by n parts is made
// resident up to n GiB, where one goroutine leaves a table past 1 GiB to
// its faults. The copy writes nearly every page of it anyway (it is at
// least 40% full), so that nothing resident is wasted.
func (t *fpTable) grownBy(n int, run func(func(i int))) fpTable {
	if n <= 1 {
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
	// The new table's pages made resident by parts too (they are most of
	// the growth's time: populate), all before any entry is copied, since
	// populate may write a word a page. A part starts on a page.
	g := makeFPTable(t.grownSize(), t.nums != nil)
	run(func(part int) {
		perPage := uint64(os.Getpagesize() / 8) // slots
		lo, hi := g.size*uint64(part)/uint64(n)/perPage*perPage, g.size*uint64(part+1)/uint64(n)/perPage*perPage
		if part == n-1 {
			hi = g.size
		}
		g.populate(lo, hi)
	})
	run(func(part int) {
		lo, hi := len(t.slots)*part/n, len(t.slots)*(part+1)/n
		for k, x := range t.slots[lo:hi] {
			if x != 0 {
				g.addShared(x, t.nums, lo+k)
			}
		}
	})
	g.n = t.n
	return g
}

// addShared stores fingerprint x (as fpSlot makes it), not in t, while
// other goroutines may store others, and with it number k of nums if t
// keeps numbers. It leaves t.n to the caller.
func (t *fpTable) addShared(x uint64, nums []uint32, k int) {
	i, _ := bits.Mul64(x, t.size)
	for {
		if atomic.LoadUint64(&t.slots[i]) == 0 && atomic.CompareAndSwapUint64(&t.slots[i], 0, x) {
			if t.nums != nil {
				atomic.StoreUint32(&t.nums[i], nums[k])
			}
			return
		}
		if i++; i == t.size {
			i = 0
		}
	}
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
