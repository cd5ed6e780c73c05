package model

// SeqNum is a TCP sequence number: a point in the 32-bit sequence space of
// RFC 9293 §3.4, where all arithmetic is modulo 2^32. Comparisons are made
// on the signed difference, so they stay correct across wraparound as long
// as the two numbers are less than 2^31 apart (§3.4: "the comparison
// operators ... must use modulo arithmetic").
type SeqNum uint32

// Add returns s + n modulo 2^32.
func (s SeqNum) Add(n uint32) SeqNum { return s + SeqNum(n) }

// Sub returns the distance s - t modulo 2^32.
func (s SeqNum) Sub(t SeqNum) uint32 { return uint32(s - t) }

// LessThan reports s < t in sequence space.
func (s SeqNum) LessThan(t SeqNum) bool { return int32(s-t) < 0 }

// LessThanEq reports s =< t in sequence space.
func (s SeqNum) LessThanEq(t SeqNum) bool { return s == t || s.LessThan(t) }

// InWindow reports start =< s < start+size, the form of every acceptability
// test in §3.10.7.4 (Table 6).
func (s SeqNum) InWindow(start SeqNum, size uint32) bool {
	return uint32(s-start) < size
}

// InRange reports lo < s =< hi, the form of the ACK acceptability test
// "SND.UNA < SEG.ACK =< SND.NXT" (§3.3.1, §3.10.7.3, §3.10.7.4).
func (s SeqNum) InRange(lo, hi SeqNum) bool {
	// Measured from lo, so that an empty range (lo == hi) holds nothing,
	// even 2^31 away where the signed comparisons cannot tell the sides.
	d := uint32(s - lo)
	return d != 0 && d <= uint32(hi-lo)
}
