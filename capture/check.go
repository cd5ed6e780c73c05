package capture

import (
	"context"
	"io"
	"net/netip"
	"time"

	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/conform"
)

// Options tune Check.
type Options struct {
	Conform conform.Options
	// MaxInflate bounds what a gzipped capture may inflate to; zero
	// means DefaultMaxInflate.
	MaxInflate int64
}

// Connection is one TCP connection of a capture (one pair of addresses
// and ports) and its verdict. A is the endpoint that sent its first
// captured segment.
type Connection struct {
	A, B netip.AddrPort
	// Segments is how many segments the capture holds.
	Segments int
	// First is the time of its first segment, and FirstAt that time
	// from the capture's first segment (the origin of Observation.At).
	First   time.Time
	FirstAt time.Duration
	// Result is the checker's verdict; meaningful only when Decided.
	Result conform.Result
	// Decided is false for a connection still open when the check was
	// stopped (Summary.Stopped): more segments could have changed its
	// verdict.
	Decided bool
	// FirstPacket is the capture's packet number of its first segment
	// (Result.Segment.Packet is that of the segment a violation names).
	FirstPacket int
	chk         *conform.Checker
}

// Summary is what Check found in one capture.
type Summary struct {
	// Packets is how many packets were read.
	Packets int
	Skipped Skipped
	// Connections are in the order of their first segment.
	Connections []*Connection
	// Stopped is the context's error when the check was stopped before
	// the end of the capture.
	Stopped error
}

// pollEvery is how many packets are read between looks at the context:
// a few milliseconds of work.
const pollEvery = 1024

// Check reads the capture from src and checks each of its connections.
// It stops early, with Summary.Stopped set, when ctx is done. An error is
// a capture that cannot be read; its text fits on one line.
func Check(ctx context.Context, src io.Reader, opts Options) (*Summary, error) {
	r, err := NewReader(src, opts.MaxInflate)
	if err != nil {
		return nil, err
	}
	type key struct{ lo, hi netip.AddrPort }
	byKey := map[key]*Connection{}
	sum := &Summary{}
	var origin time.Time
	for n := 0; ; n++ {
		if n%pollEvery == 0 && ctx.Err() != nil {
			sum.Stopped = context.Cause(ctx)
			break
		}
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if ctx.Err() != nil { // a read cut short by the stop
				sum.Stopped = context.Cause(ctx)
				break
			}
			return nil, err
		}
		if origin.IsZero() {
			origin = p.Time
		}
		k := key{p.Src, p.Dst}
		if k.hi.Compare(k.lo) < 0 {
			k.lo, k.hi = k.hi, k.lo
		}
		c := byKey[k]
		if c == nil {
			c = &Connection{A: p.Src, B: p.Dst, First: p.Time, FirstAt: p.Time.Sub(origin), FirstPacket: p.Number, chk: conform.New(opts.Conform)}
			byKey[k] = c
			sum.Connections = append(sum.Connections, c)
		}
		c.Segments++
		from := model.A
		if p.Src != c.A {
			from = model.B
		}
		c.chk.Observe(conform.Observation{From: from, Segment: p.Segment, At: p.Time.Sub(origin), Packet: p.Number})
	}
	sum.Packets, sum.Skipped = r.Packets(), r.Skipped
	for _, c := range sum.Connections {
		if sum.Stopped == nil {
			c.Result, c.Decided = c.chk.End(), true
		} else {
			c.Result, c.Decided = c.chk.Result(), c.chk.Decided()
		}
		c.chk = nil
	}
	return sum, nil
}
