package checker

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// memoryGauge reads the memory the Go runtime holds for the process:
// everything it has mapped, less what it has returned to the system.
type memoryGauge struct {
	samples []metrics.Sample
}

func (g *memoryGauge) inUse() int64 {
	if g.samples == nil {
		g.samples = []metrics.Sample{
			{Name: "/memory/classes/total:bytes"},
			{Name: "/memory/classes/heap/released:bytes"},
		}
	}
	metrics.Read(g.samples)
	return int64(g.samples[0].Value.Uint64() - g.samples[1].Value.Uint64())
}

// exceeds reports whether allocating more bytes would take the memory in
// use past limit. Garbage not yet collected counts at first; before
// saying yes, it collects it and looks again.
func (g *memoryGauge) exceeds(limit, more int64) bool {
	if g.inUse()+more <= limit {
		return false
	}
	runtime.GC()
	debug.FreeOSMemory()
	return g.inUse()+more > limit
}

// What a search holds, counted by the search itself.
//
// searchBytes is everything the search holds for its states: the store,
// the parent links, the frontier, the explored graph and the workers'
// buffers, each at the capacity allocated, not the length used. It is
// what Stats.SearchBytes reports, and, with what the process held when
// the search began, what MaxMemory is held against.
func (e *explorer[S, A]) searchBytes() int64 {
	b := e.store.bytes() + e.parents.bytes()
	if e.cur != nil {
		b += e.cur.bytes() + e.next.bytes()
	}
	b += int64(cap(e.pending)) * int64(unsafe.Sizeof(entry[S]{}))
	if e.graph != nil {
		b += e.graph.bytes()
	}
	if e.workers != nil {
		b += e.workers.bytes()
	}
	return b
}

// endBytes is what the search will allocate when it ends, which a
// memory limit must leave room for: the graph's offsets (see
// Graph.finish), and the liveness analysis of the graph that follows.
func (e *explorer[S, A]) endBytes() int64 {
	if e.graph == nil {
		return 0
	}
	g := e.graph
	return g.finishBytes() + LivenessBytes(g.n, g.edges.len(), e.opts.FairnessClasses) +
		int64(e.opts.LivenessSets)*StateSetBytes(g.n)
}

// overMemory reports whether allocating more bytes now would take the
// process past MaxMemory, counting room for what the search allocates
// at its end. Two measures are asked: the search's own count, over what
// the process held when it began, and the runtime's (see memoryGauge).
func (e *explorer[S, A]) overMemory(more int64) bool {
	limit := e.memoryLimit
	more += e.endBytes()
	if e.baseBytes+e.searchBytes()+more > limit {
		return true
	}
	return e.memory.exceeds(limit, more)
}

// grownCap is the capacity a full graph slice of capacity c grows to:
// doubling while small, then by a quarter, so that growing a slice of
// tens of millions of edges does not briefly hold three times its size.
func grownCap(c int) int {
	if c < 1<<16 {
		return max(2*c, 64)
	}
	return c + c/4
}

// appendGrown appends x to s, growing s by grownCap when it is full.
func appendGrown[T any](s []T, x T) []T {
	if len(s) == cap(s) {
		t := make([]T, len(s), grownCap(cap(s)))
		copy(t, s)
		s = t
	}
	return append(s, x)
}

// graphGrowthExceedsMemory reports whether the graph, if the next
// transition fills one of its slices, would take the process past
// MaxMemory by growing. It looks once per growth.
func (e *explorer[S, A]) graphGrowthExceedsMemory() bool {
	g := e.graph
	more := g.growthBytes()
	at := len(g.first.chunks) + len(g.edges.chunks) + len(g.from.chunks)
	if more == 0 || e.graphCheckedAt == at {
		return false
	}
	e.graphCheckedAt = at
	return e.overMemory(more)
}

// returnFreedAt is how much memory the search must have let go (a table
// it grew out of, the blocks of a level moved to its file) before it
// asks the Go runtime to give the free memory back to the system: a
// variable, so that tests can make it small.
var returnFreedAt int64 = 64 << 20

// freeOSMemory is debug.FreeOSMemory, which tests replace to count calls.
var freeOSMemory = debug.FreeOSMemory

// returnFreed gives the free memory of the Go runtime back to the system
// once the search has let go of returnFreedAt bytes since it last did.
// Else the process keeps them resident until the runtime's background
// scavenger, paced to a small share of a CPU, returns them: seconds to
// minutes after a table of gigabytes grew, while the resident memory is
// up to 1.8 times what the search holds (Stats.SearchBytes; on
// bench/stress-curve.sh, docs/performance.md).
func (e *explorer[S, A]) returnFreed() {
	freed := e.store.freed
	if e.spill != nil {
		freed += e.spill.freed
	}
	if freed-e.returned >= returnFreedAt {
		e.returned = freed
		freeOSMemory()
	}
}

// notePeak records what the search holds if it allocates more bytes
// now, while it still holds what they replace.
func (e *explorer[S, A]) notePeak(more int64) {
	e.peakBytes = max(e.peakBytes, e.searchBytes()+more)
}

// growing records, before the next transition is taken, the peak of a
// growth of the store's table or the graph it may cause: for a moment
// the search holds the old and the new.
func (e *explorer[S, A]) growing() {
	var more int64
	if e.graph != nil {
		more = e.graph.growthBytes()
	}
	more += e.store.growthBytes()
	if more > 0 {
		e.notePeak(more)
	}
}

// residentBytes is the process's resident memory, from /proc/self/statm
// (0 where there is none). It counts what the runtime does not: the
// program's own pages, mapped from its file.
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}

// limitMemory sets what the search holds itself to: MaxMemory, less the
// resident memory the runtime does not count. It holds the garbage
// collector to the same limit, so that garbage does not take the process
// past it between two looks, and returns the function that restores the
// collector's limit.
func (e *explorer[S, A]) limitMemory() (restore func()) {
	runtime.GC()
	e.baseBytes = e.memory.inUse()
	outside := max(residentBytes()-e.baseBytes, 0)
	e.memoryLimit = e.opts.MaxMemory - outside
	return holdMemoryLimit(max(e.memoryLimit, 0))
}

// memoryLimits is what the garbage collector's memory limit, one for the
// process, is held to by the searches and analyses running at once
// (holdMemoryLimit): the least of their limits, or, when none runs, what
// it was before the first began. Other code that sets the limit while
// one runs is overwritten.
var memoryLimits heldLimits

type heldLimits struct {
	sync.Mutex
	held   []int64
	before int64
}

// holdMemoryLimit holds the collector to limit, or less if another
// search or analysis holds it to less, until release is called.
func holdMemoryLimit(limit int64) (release func()) {
	m := &memoryLimits
	m.Lock()
	defer m.Unlock()
	if len(m.held) == 0 {
		m.before = debug.SetMemoryLimit(-1)
	}
	m.held = append(m.held, limit)
	m.apply()
	var once sync.Once
	return func() {
		once.Do(func() {
			m.Lock()
			defer m.Unlock()
			i := slices.Index(m.held, limit)
			m.held = slices.Delete(m.held, i, i+1)
			m.apply()
		})
	}
}

// apply sets the runtime's limit to the least held, or back to what it
// was before if none is.
func (m *heldLimits) apply() {
	limit := m.before
	for _, l := range m.held {
		limit = min(limit, l)
	}
	debug.SetMemoryLimit(limit)
}

// capBytes is the memory of s's backing array, to its capacity.
func capBytes[T any](s []T) int64 {
	var t T
	return int64(cap(s)) * int64(unsafe.Sizeof(t))
}

// bytesOf is the memory of s as bytes.
func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var t T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(t)))
}

// touchPages writes a zero in every page of b, which holds zeros: the
// kernel maps each page for writing as it is written.
func touchPages(b []byte) {
	for i := 0; i < len(b); i += os.Getpagesize() {
		b[i] = 0
	}
	if len(b) > 0 {
		b[len(b)-1] = 0 // the last page, where b does not start on one
	}
}

// populateMax is the largest table populate makes resident: populating
// takes about 0.75 s a GiB here, in one call that nothing interrupts, and
// a search that stops early (a violation, a limit, a count expected too
// high) would pay it for pages it never writes; a search long enough to
// fill a larger table pays its faults over a longer time (a table grown by
// parts is made resident by parts, each up to populateMax:
// fpTable.grownBy). A variable, so that tests can make it small.
var populateMax = 1 << 30
