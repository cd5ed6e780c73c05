package model

import (
	"encoding/binary"
	"fmt"
)

// A compact encoding of State, for the checker's stores (the Model is a
// checker.Encoder). A State is a value of a few hundred bytes, mostly
// empty channel slots and sequence numbers; its encoding keeps what is in
// use and writes each sequence number as a short distance from one it is
// near, so that a state takes a few tens of bytes:
//
//	Losses Dups Overflow, B's queues: Cap AcceptCap, then 0 if they are
//	  otherwise empty, else 1 Half[0..3] N Spoofed Held Accept Clients
//	per endpoint: State|Passive<<4|AppClosed<<5|Aborted<<6|seq<<7,
//	  Err|Accepted<<4,
//	  Backoff, Opens, Sent, Delivered, PeerInc, Held, then if seq (some
//	  sequence variable is set) ISS (4 bytes), SND.UNA-ISS, SND.NXT-SND.UNA
//	  (uvarints), IRS (4 bytes), RCV.NXT-IRS (uvarint)
//	per channel: N, then per segment Flags|Delayed<<4|Timely<<5, Len, Inc, Stream,
//	  Aged, SEQ less the sender's ISS and ACK less the receiver's ISS
//	  (zigzag varints)
//
// Every field is written in full (a distance is taken modulo 2^32), so
// every State the model reaches round-trips: its enumerations are in
// range, and the slots of a channel past N are zero (Channel.remove keeps
// them so), which the encoding leaves out. TestEncodingCoversEveryField
// fails when a field is added to State and not here.

// AppendState appends the encoding of s to b.
func (m *Model) AppendState(b []byte, s State) []byte {
	b = append(b, s.Losses, s.Dups, boolByte(s.Overflow))
	q := &s.Listen
	b = append(b, q.Cap, q.AcceptCap)
	if *q == (Backlog{Cap: q.Cap, AcceptCap: q.AcceptCap}) {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = append(b, q.Half[:]...)
		b = append(b, q.N, q.Spoofed, q.Held, q.Accept, q.Clients)
	}
	for side := range s.Ep {
		b = appendEndpoint(b, &s.Ep[side])
	}
	for side := range s.Ch {
		ch := &s.Ch[side]
		from, to := s.Ep[side].ISS, s.Ep[1-side].ISS
		b = append(b, ch.N)
		for i := 0; i < int(ch.N) && i < len(ch.Segs); i++ {
			g := &ch.Segs[i]
			b = append(b, uint8(g.Flags)|boolByte(g.Delayed)<<4|boolByte(g.Timely)<<5, g.Len, g.Inc, g.Stream, g.Aged)
			b = binary.AppendVarint(b, int64(int32(g.Seq-from)))
			b = binary.AppendVarint(b, int64(int32(g.Ack-to)))
		}
	}
	return b
}

func appendEndpoint(b []byte, e *Endpoint) []byte {
	seq := e.ISS|e.IRS|e.SndUna|e.SndNxt|e.RcvNxt != 0
	b = append(b, uint8(e.State)|boolByte(e.Passive)<<4|boolByte(e.AppClosed)<<5|boolByte(e.Aborted)<<6|boolByte(seq)<<7,
		uint8(e.Err)|boolByte(e.Accepted)<<4, e.Backoff, e.Opens, e.Sent, e.Delivered, e.PeerInc, e.Held)
	if !seq {
		return b
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(e.ISS))
	b = binary.AppendUvarint(b, uint64(e.SndUna-e.ISS))
	b = binary.AppendUvarint(b, uint64(e.SndNxt-e.SndUna))
	b = binary.LittleEndian.AppendUint32(b, uint32(e.IRS))
	return binary.AppendUvarint(b, uint64(e.RcvNxt-e.IRS))
}

// DecodeState returns the state whose encoding AppendState wrote in b. It
// panics if b is not such an encoding.
func (m *Model) DecodeState(b []byte) State {
	d := decoder{b: b}
	var s State
	s.Losses, s.Dups, s.Overflow = d.byte(), d.byte(), d.byte() != 0
	q := &s.Listen
	q.Cap, q.AcceptCap = d.byte(), d.byte()
	if d.byte() != 0 {
		for i := range q.Half {
			q.Half[i] = d.byte()
		}
		q.N, q.Spoofed, q.Held, q.Accept, q.Clients = d.byte(), d.byte(), d.byte(), d.byte(), d.byte()
	}
	for side := range s.Ep {
		d.endpoint(&s.Ep[side])
	}
	for side := range s.Ch {
		ch := &s.Ch[side]
		from, to := s.Ep[side].ISS, s.Ep[1-side].ISS
		ch.N = d.byte()
		if int(ch.N) > len(ch.Segs) {
			panic(fmt.Sprintf("model: decoding a channel of %d segments", ch.N))
		}
		for i := range int(ch.N) {
			g := &ch.Segs[i]
			x := d.byte()
			g.Flags, g.Delayed, g.Timely = Flags(x&0xf), x>>4&1 != 0, x>>5&1 != 0
			g.Len, g.Inc, g.Stream, g.Aged = d.byte(), d.byte(), d.byte(), d.byte()
			g.Seq = from + SeqNum(d.varint())
			g.Ack = to + SeqNum(d.varint())
		}
	}
	if len(d.b) != 0 {
		panic(fmt.Sprintf("model: %d bytes left after decoding a state", len(d.b)))
	}
	return s
}

// decoder reads an encoding; a truncated one panics with an index error.
type decoder struct{ b []byte }

func (d *decoder) byte() uint8 {
	x := d.b[0]
	d.b = d.b[1:]
	return x
}

func (d *decoder) uvarint() uint32 {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		panic("model: a bad varint in an encoded state")
	}
	d.b = d.b[n:]
	return uint32(x)
}

func (d *decoder) varint() uint32 {
	x, n := binary.Varint(d.b)
	if n <= 0 {
		panic("model: a bad varint in an encoded state")
	}
	d.b = d.b[n:]
	return uint32(x)
}

func (d *decoder) endpoint(e *Endpoint) {
	x := d.byte()
	e.State, e.Passive, e.AppClosed, e.Aborted = ConnState(x&0xf), x>>4&1 != 0, x>>5&1 != 0, x>>6&1 != 0
	y := d.byte()
	e.Err, e.Accepted = ErrorReport(y&0xf), y>>4&1 != 0
	e.Backoff, e.Opens, e.Sent, e.Delivered, e.PeerInc, e.Held = d.byte(), d.byte(), d.byte(), d.byte(), d.byte(), d.byte()
	if x>>7 == 0 {
		return
	}
	e.ISS = SeqNum(binary.LittleEndian.Uint32(d.b))
	d.b = d.b[4:]
	e.SndUna = e.ISS + SeqNum(d.uvarint())
	e.SndNxt = e.SndUna + SeqNum(d.uvarint())
	e.IRS = SeqNum(binary.LittleEndian.Uint32(d.b))
	d.b = d.b[4:]
	e.RcvNxt = e.IRS + SeqNum(d.uvarint())
}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
