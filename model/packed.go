package model

import (
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"unsafe"
)

// The Model is also a checker.Packer, for the checker's fast path. A State
// of 344 bytes has no compact fixed-width form of its own: a lossless
// segment takes 96 bits, and a channel of capacity 8 sixteen of them. But
// a search meets few distinct endpoints, segments and SYN queues (the
// lossy preset: 64, 229 and 1 in 3.9 million states;
// TestPresetsPackFarBelowTheLimits), so the packed form
// numbers each such component the first time it is packed and keeps the
// numbers, as SPIN's COLLAPSE compression does:
//
//	word 0: A's endpoint (16 bits), B's endpoint (16), B's queues (15),
//	  Overflow (1), Losses (8), Dups (8)
//	then per channel, A's first, MaxChannelCapacity slots of 16 bits, four
//	  a word: the segments in flight in order, then zeros (0 is none)
//
// Five words, against some 75 bytes of AppendState's encoding on the
// lossy preset. The numbering is the Model's, shared by all the searches
// of one Model and safe for concurrent use; two states have the same
// words exactly when they are equal. Numbers depend on the order in which components were first met,
// so with several workers the words of a state (and its fingerprint) may
// differ from one run to the next; what the checker reports does not.
//
// AppendNext computes the successors as Next does, by the same candidates
// and the same rules (successors), and packs each reusing the numbers of
// the components it shares with the state expanded, so that a component
// is looked up only when a transition changed it.

// Packed-form limits: a state with a component past them has no packed
// form, and the checker explores again on Next (checker.Packer). The
// presets stay far below (stress: 79 endpoints and 292 segments in its
// first 2 million states; TestPresetsPackFarBelowTheLimits logs them).
const (
	maxPackedEndpoints = 1<<16 - 1
	maxPackedSegments  = 1<<16 - 1
	maxPackedBacklogs  = 1<<15 - 1
	slotBits           = 16
	slotsPerWord       = 64 / slotBits
)

// packing is the numbering of a Model's components.
type packing struct {
	endpoints components[Endpoint]
	segments  components[Segment]
	backlogs  components[Backlog]
}

func newPacking() *packing {
	return &packing{
		endpoints: components[Endpoint]{name: "endpoints", max: maxPackedEndpoints},
		segments:  components[Segment]{name: "segments", max: maxPackedSegments},
		backlogs:  components[Backlog]{name: "SYN queues", max: maxPackedBacklogs},
	}
}

// components numbers the distinct values of one component from 1 on.
// Looking a value up reads a published index without a lock; a value not
// in it is looked up (and numbered, if new) under the lock, and the index
// is published again once it misses enough values.
type components[T comparable] struct {
	name string
	max  int

	index atomic.Pointer[map[T]uint32] // published: read without the lock
	mu    sync.Mutex
	all   map[T]uint32 // every value numbered, under mu
	// values holds value n-1 of chunk n>>10 at n&1023, room for the
	// largest of the limits: chunks are never moved, so Unpack reads
	// them without the lock.
	values [(1 << 16) >> 10]atomic.Pointer[[1 << 10]T]
}

// number returns v's number, numbering it if it is new, or 0 if it is new
// and all numbers are taken.
func (c *components[T]) number(v T) uint64 {
	if idx := c.index.Load(); idx != nil {
		if n, ok := (*idx)[v]; ok {
			return uint64(n)
		}
	}
	return c.add(v)
}

func (c *components[T]) add(v T) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.all == nil {
		c.all = map[T]uint32{}
	}
	n, ok := c.all[v]
	if !ok {
		if len(c.all) >= c.max {
			return 0
		}
		n = uint32(len(c.all))
		chunk := c.values[n>>10].Load()
		if chunk == nil {
			chunk = new([1 << 10]T)
			c.values[n>>10].Store(chunk)
		}
		chunk[n&(1<<10-1)] = v
		n++
		c.all[v] = n
	}
	// Publish a new index when the published one misses an eighth of
	// the values (every value while there are few): copying it costs
	// O(values), so growing costs O(values) in all.
	if idx := c.index.Load(); idx == nil || len(c.all)-len(*idx) > len(*idx)/8 {
		next := maps.Clone(c.all)
		c.index.Store(&next)
	}
	return uint64(n)
}

// value returns the value numbered n.
func (c *components[T]) value(n uint64) T {
	if n == 0 || n > uint64(c.max) {
		panic(fmt.Sprintf("model: no packed %s number %d", c.name, n))
	}
	n--
	return c.values[n>>10].Load()[n&(1<<10-1)]
}

// packedWords is the number of words of a packed State: one, then the
// slots of both channels, two words each (MaxChannelCapacity slots).
const packedWords = 1 + 2*channelWords

const channelWords = MaxChannelCapacity / slotsPerWord

// PackedWords is the number of words of a packed State.
func (m *Model) PackedWords() int { return packedWords }

// Pack writes the words of s into w, and reports false if s has a
// component past the packed form's limits.
func (m *Model) Pack(w []uint64, s State) bool {
	p := (*[packedWords]uint64)(w)
	*p = [packedWords]uint64{}
	return m.pack(p, &s, nil, nil, nil)
}

// pack writes the words of s into w, which must be zero, and reports
// false if s has a component past the limits. If from is not nil, s is a
// successor of from, whose words are fw: a component s shares with from
// keeps its number without a look-up. A new segment's number is looked
// for in cache first, if there is one.
func (m *Model) pack(w *[packedWords]uint64, s, from *State, fw *[packedWords]uint64, cache *segmentCache) bool {
	p := m.packing
	var epA, epB, q uint64
	if from != nil {
		epA, epB, q = fw[0]&0xffff, fw[0]>>16&0xffff, fw[0]>>32&0x7fff
	}
	if from == nil || !sameEndpoint(&s.Ep[A], &from.Ep[A]) {
		epA = p.endpoints.number(s.Ep[A])
	}
	if from == nil || !sameEndpoint(&s.Ep[B], &from.Ep[B]) {
		epB = p.endpoints.number(s.Ep[B])
	}
	if from == nil || s.Listen != from.Listen {
		q = p.backlogs.number(s.Listen)
	}
	if epA == 0 || epB == 0 || q == 0 {
		return false
	}
	w[0] = epA | epB<<16 | q<<32 | uint64(boolByte(s.Overflow))<<47 | uint64(s.Losses)<<48 | uint64(s.Dups)<<56
	for side := range s.Ch {
		ch := &s.Ch[side]
		var prev *Channel
		if from != nil {
			prev = &from.Ch[side]
		}
		for j := uint(0); j < uint(ch.N) && j < MaxChannelCapacity; j++ {
			g := &ch.Segs[j]
			var n uint64
			switch {
			// A transition removes at most one segment and appends
			// at the end: a segment kept is at the same place or one
			// ahead.
			case prev != nil && j < uint(prev.N) && sameSegment(g, &prev.Segs[j]):
				n = slot(fw, side, j)
			case prev != nil && j+1 < uint(prev.N) && sameSegment(g, &prev.Segs[j+1]):
				n = slot(fw, side, j+1)
			case cache != nil:
				n = cache.number(g, &p.segments)
			default:
				n = p.segments.number(*g)
			}
			if n == 0 {
				return false
			}
			w[slotWord(side, j)] |= n << (slotBits * (j % slotsPerWord))
		}
	}
	return true
}

// slotWord is the word of slot j of channel side.
func slotWord(side int, j uint) uint {
	return (1 + uint(side)*channelWords + j/slotsPerWord) % packedWords
}

// slot is the number in slot j of channel side in w.
func slot(w *[packedWords]uint64, side int, j uint) uint64 {
	return w[slotWord(side, j)] >> (slotBits * (j % slotsPerWord)) & (1<<slotBits - 1)
}

// sameEndpoint and sameSegment are *a == *b, comparing bytes a word at
// a time where the compiler compares field by field, a byte at a time:
// cheaper when the two are equal, as pack finds most of them (the
// compiler's early exit wins where most differ). Their fields' bytes are
// the values' bytes up to the last field, past which a Segment has a
// byte of padding, left out (TestPackedLayout).
func sameEndpoint(a, b *Endpoint) bool {
	type halves [2][unsafe.Sizeof(Endpoint{}) / 2]byte
	x, y := (*halves)(unsafe.Pointer(a)), (*halves)(unsafe.Pointer(b))
	return x[0] == y[0] && x[1] == y[1]
}

func sameSegment(a, b *Segment) bool {
	return *(*[segmentBytes]byte)(unsafe.Pointer(a)) == *(*[segmentBytes]byte)(unsafe.Pointer(b))
}

const segmentBytes = unsafe.Offsetof(Segment{}.Timely) + 1

// Unpack returns the state whose words Pack wrote in w.
func (m *Model) Unpack(w []uint64) State {
	var s State
	m.unpack((*[packedWords]uint64)(w), &s)
	return s
}

func (m *Model) unpack(w *[packedWords]uint64, s *State) {
	p := m.packing
	w0 := w[0]
	s.Ep[A], s.Ep[B] = p.endpoints.value(w0&0xffff), p.endpoints.value(w0>>16&0xffff)
	s.Listen = p.backlogs.value(w0 >> 32 & 0x7fff)
	s.Overflow, s.Losses, s.Dups = w0>>47&1 != 0, uint8(w0>>48), uint8(w0>>56)
	for side := range s.Ch {
		ch := &s.Ch[side]
		for j := range uint(MaxChannelCapacity) {
			n := slot(w, side, j)
			if n == 0 {
				break
			}
			ch.Segs[j] = p.segments.value(n)
			ch.N++
		}
	}
}

// AppendNext appends the packed successors of the packed state w to succ
// and their actions to acts (none if acts is nil), in the order of Next,
// and reports false if one has a component past the packed form's
// limits.
func (m *Model) AppendNext(w []uint64, succ []uint64, acts []Action) ([]uint64, []Action, bool) {
	succ, acts, _, _, ok := m.appendNext(w, succ, acts, nil, false, nil)
	return succ, acts, ok
}

// AppendNextStates is AppendNext that also appends each successor's
// state to states (checker.StatePacker): the checker's transition
// invariants are evaluated on them without unpacking the words.
func (m *Model) AppendNextStates(w []uint64, succ []uint64, acts []Action, states []State) ([]uint64, []Action, []State, bool) {
	succ, acts, states, _, ok := m.appendNext(w, succ, acts, states, true, nil)
	return succ, acts, states, ok
}

// AppendNextLabeled is AppendNextStates that also appends each
// transition's label to labels (checker.LabelPacker): its RuleBits, noted
// as its rules apply, where RuleBits makes the transition again.
func (m *Model) AppendNextLabeled(w []uint64, succ []uint64, acts []Action, states []State, labels []uint64) ([]uint64, []Action, []State, []uint64, bool) {
	if labels == nil {
		labels = []uint64{}
	}
	return m.appendNext(w, succ, acts, states, true, labels)
}

// LabelsAreRuleBits declares that the labels of AppendNextLabeled are
// the transitions' RuleBits (verify.RuleLabeler).
func (m *Model) LabelsAreRuleBits() {}

// appendNext appends the successors of the packed state w to succ, with
// their actions if acts is not nil, their states if wantStates, and
// their RuleBits if labels is not nil.
func (m *Model) appendNext(w []uint64, succ []uint64, acts []Action, states []State, wantStates bool, labels []uint64) ([]uint64, []Action, []State, []uint64, bool) {
	from := (*[packedWords]uint64)(w)
	var s State
	m.unpack(from, &s)
	ok, wantActs, by := true, acts != nil, m
	if labels != nil {
		by = m.recorder // notes the rules in Transition.fired
	}
	by.successors(&s, func(a Action, t *Transition) bool {
		if t.segments.of != m.packing {
			t.segments = segmentCache{of: m.packing}
		}
		k := len(succ)
		succ = append(succ, make([]uint64, packedWords)...)
		ok = m.pack((*[packedWords]uint64)(succ[k:]), &t.s, &s, from, &t.segments)
		if wantActs {
			acts = append(acts, a)
		}
		if wantStates {
			states = append(states, t.s)
		}
		if labels != nil {
			labels = append(labels, ruleBits(t.fired[:t.nfired]))
		}
		return ok
	})
	return succ, acts, states, labels, ok
}

// segmentCache holds the numbers of segments packed lately, by a hash of
// the segment: a transition's new segments are few and recur (an ACK, a
// segment aged by a timer), and a look-up here costs less than one in
// the numbering's index. It is a Transition's, so one goroutine's.
type segmentCache struct {
	of      *packing // the numbering the entries are from
	entries [1 << segmentCacheBits]struct {
		g Segment
		n uint64 // 0: empty
	}
}

const segmentCacheBits = 6

func (c *segmentCache) number(g *Segment, all *components[Segment]) uint64 {
	h := uint32(g.Seq)*0x9e3779b1 ^ uint32(g.Ack)*0x85ebca77 ^
		(uint32(g.Flags)|uint32(g.Aged)<<4|uint32(boolByte(g.Delayed))<<6|uint32(boolByte(g.Timely))<<7|
			uint32(g.Len)<<8|uint32(g.Inc)<<16|uint32(g.Stream)<<24)*0xc2b2ae35
	e := &c.entries[h>>(32-segmentCacheBits)]
	if e.n == 0 || e.g != *g {
		e.g, e.n = *g, all.number(*g)
	}
	return e.n
}
