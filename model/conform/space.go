package conform

import (
	"slices"

	"github.com/tcpcheck/tcpcheck/model"
)

// space is one endpoint's sequence space as the capture shows it: which
// sequence numbers it was seen to send. Sequence numbers are unwrapped
// into positions (int64) near the highest seen, so that comparisons hold
// across any number of wraparounds (§3.4) and a connection may carry any
// amount of data. Its size is bounded by the holes in what was seen (the
// flight), not by the connection's length.
type space struct {
	init bool
	// ref is the sequence number at position refPos: positions are
	// unwrapped from it, to the nearest position with the same value
	// modulo 2^32.
	ref    model.SeqNum
	refPos int64
	// base is the first position the capture could show: the ISS, or
	// where a capture begun mid-connection first met this space.
	// Positions before it were sent before the capture.
	base int64
	// cum is the end of what was seen without holes from base: [base,
	// cum) every sequence number was seen.
	cum int64
	// hi is the end of the highest segment seen (SND.NXT was at least
	// this); base when nothing was.
	hi int64
	// more is what was seen beyond cum, sorted, disjoint and apart from
	// cum: the segments beyond a hole.
	more []span
	// mid is set for a space first met mid-connection: it may have
	// sent, before the capture began, anything up to preLimit (set by
	// the first window its peer was seen to advertise; hasPre).
	mid      bool
	hasPre   bool
	preLimit int64
}

// span is a stretch of positions, [lo, hi).
type span struct{ lo, hi int64 }

// originPos is the position of the first sequence number met: far from
// zero, so that positions before it stay positive.
const originPos = 1 << 40

func (s *space) start(seq model.SeqNum) {
	*s = space{init: true, ref: seq, refPos: originPos, base: originPos, cum: originPos, hi: originPos}
}

// pos is seq's position: within 2^31 of the highest seen.
func (s *space) pos(seq model.SeqNum) int64 {
	return s.refPos + int64(int32(uint32(seq-s.ref)))
}

// seq is the sequence number at position p.
func (s *space) seq(p int64) model.SeqNum {
	return s.ref.Add(uint32(p - s.refPos))
}

// cover records that [lo, hi) was seen.
func (s *space) cover(lo, hi int64) {
	if hi <= lo {
		return
	}
	if hi > s.hi {
		s.hi = hi
		s.ref, s.refPos = s.seq(hi), hi
	}
	if lo <= s.cum {
		if hi > s.cum {
			s.cum = hi
			// absorb what now touches cum
			n := 0
			for n < len(s.more) && s.more[n].lo <= s.cum {
				s.cum = max(s.cum, s.more[n].hi)
				n++
			}
			s.more = s.more[n:]
		}
		return
	}
	// beyond a hole: merge into more
	i, _ := slices.BinarySearchFunc(s.more, lo, func(sp span, lo int64) int {
		switch {
		case sp.hi < lo:
			return -1
		case sp.hi > lo:
			return 1
		}
		return 0
	})
	j := i
	for j < len(s.more) && s.more[j].lo <= hi {
		lo, hi = min(lo, s.more[j].lo), max(hi, s.more[j].hi)
		j++
	}
	s.more = slices.Replace(s.more, i, j, span{lo, hi})
}
