package capture

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/conform"
)

// Packet is one TCP segment read from a capture.
type Packet struct {
	Number   int // 1 for the file's first packet
	Time     time.Time
	Src, Dst netip.AddrPort
	conform.Segment
}

// Skipped counts the packets a Reader passed over, by reason.
type Skipped struct {
	// Fragments are IPv4 or IPv6 fragments: the TCP header is in the
	// first, and reassembly is left out.
	Fragments int `json:"fragments"`
	// NotTCP are packets that are not TCP over IPv4 or IPv6 (ARP, UDP,
	// ICMP...).
	NotTCP int `json:"not_tcp"`
	// Truncated are TCP packets cut (by the snap length) before the end
	// of their TCP header.
	Truncated int `json:"truncated"`
	// Malformed are packets whose IP or TCP header is inconsistent.
	Malformed int `json:"malformed"`
}

// Total is the number of packets skipped.
func (s Skipped) Total() int { return s.Fragments + s.NotTCP + s.Truncated + s.Malformed }

// MaxSnaplen bounds the bytes kept of one packet, as tcpdump does
// (262144): a record claiming more is an error, so that a corrupt length
// cannot make the reader allocate gigabytes. A file header's snap length
// is not believed: records longer than it are read, as tcpdump reads
// them.
const MaxSnaplen = 262144

// DefaultMaxInflate is the default bound on the bytes a gzipped capture
// may inflate to.
const DefaultMaxInflate = 16 << 30

// maxBlock bounds a pcapng block: a packet of MaxSnaplen with room for
// options.
const maxBlock = MaxSnaplen + 1<<16

// Reader reads the TCP segments of a pcap or pcapng capture, optionally
// gzipped, one at a time: it holds one packet at a time, never the file.
type Reader struct {
	src interface {
		ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	}
	link    func(gopacket.CaptureInfo) (layers.LinkType, error)
	guard   *ngGuard
	n       int
	Skipped Skipped
}

// NewReader checks the capture's magic number (first inflating it if it
// is gzipped, up to maxInflate bytes in all; 0 means DefaultMaxInflate)
// and returns a reader of its segments. Any error's text fits on one line.
func NewReader(r io.Reader, maxInflate int64) (*Reader, error) {
	if maxInflate <= 0 {
		maxInflate = DefaultMaxInflate
	}
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(4)
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %v", oneLine(err))
		}
		br = bufio.NewReaderSize(&boundedReader{r: zr, left: maxInflate, max: maxInflate}, 1<<16)
		head, err = br.Peek(4)
	}
	if len(head) < 4 {
		if err != nil && err != io.EOF {
			return nil, readError(err)
		}
		return nil, errors.New("not a pcap or pcapng capture: too short")
	}
	rd := &Reader{}
	switch binary.LittleEndian.Uint32(head) {
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1:
		pr, err := pcapgo.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("pcap header: %v", oneLine(err))
		}
		pr.SetSnaplen(MaxSnaplen)
		rd.src = pr
		rd.link = func(gopacket.CaptureInfo) (layers.LinkType, error) { return pr.LinkType(), nil }
	case 0x0a0d0d0a:
		rd.guard = &ngGuard{r: br}
		nr, err := pcapgo.NewNgReader(rd.guard, pcapgo.NgReaderOptions{})
		if err != nil {
			if rd.guard.err != nil {
				return nil, rd.guard.err
			}
			return nil, fmt.Errorf("pcapng header: %v", oneLine(err))
		}
		rd.src = nr
		rd.link = func(ci gopacket.CaptureInfo) (layers.LinkType, error) {
			intf, err := nr.Interface(ci.InterfaceIndex)
			return intf.LinkType, err
		}
	default:
		return nil, fmt.Errorf("not a pcap or pcapng capture (magic %#08x)", binary.BigEndian.Uint32(head))
	}
	return rd, nil
}

// Next returns the next TCP segment, or io.EOF at the end of the
// capture. Packets without one are counted in r.Skipped.
func (r *Reader) Next() (Packet, error) {
	for {
		pkt, ci, err := r.src.ReadPacketData()
		if err == io.EOF {
			return Packet{}, io.EOF
		}
		if err != nil {
			if r.guard != nil && r.guard.err != nil {
				return Packet{}, r.guard.err
			}
			return Packet{}, packetError(r.n+1, err)
		}
		r.n++
		lt, err := r.link(ci)
		if err != nil {
			return Packet{}, fmt.Errorf("packet %d: %v", r.n, oneLine(err))
		}
		ip, err := linkPayload(lt, pkt)
		if err != nil {
			return Packet{}, fmt.Errorf("packet %d: %v", r.n, err)
		}
		if ip == nil {
			r.Skipped.NotTCP++
			continue
		}
		p, why := decodeIP(ip)
		switch why {
		case kept:
			p.Number, p.Time = r.n, ci.Timestamp
			return p, nil
		case fragment:
			r.Skipped.Fragments++
		case notTCP:
			r.Skipped.NotTCP++
		case truncated:
			r.Skipped.Truncated++
		default:
			r.Skipped.Malformed++
		}
	}
}

// Packets is how many packets were read so far.
func (r *Reader) Packets() int { return r.n }

func readError(err error) error {
	var te *tooLarge
	if errors.As(err, &te) {
		return te
	}
	return errors.New(oneLine(err))
}

func packetError(n int, err error) error {
	var te *tooLarge
	switch {
	case errors.As(err, &te):
		return te
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("truncated capture: packet %d is cut short", n)
	}
	return fmt.Errorf("packet %d: %v", n, oneLine(err))
}

// tooLarge is a gzipped capture inflating past its bound.
type tooLarge struct{ max int64 }

func (e *tooLarge) Error() string {
	return fmt.Sprintf("gzip: inflates to more than %d bytes (--max-inflate)", e.max)
}

// boundedReader fails once more than max bytes were read through it.
type boundedReader struct {
	r         io.Reader
	left, max int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, &tooLarge{b.max}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("gzip: %v", oneLine(err))
	}
	return n, err
}

// ngGuard passes a pcapng stream through one whole block at a time,
// after checking it: its length fits the bound and what is left of the
// file, and a packet block's captured length fits the block. The library
// allocates what a packet header claims before reading it, so a corrupt
// header must not reach it.
type ngGuard struct {
	r       io.Reader
	order   binary.ByteOrder
	snaplen uint32
	buf     []byte
	off     int
	at      int64 // offset of the next block in the file
	err     error
}

func (g *ngGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if g.off == len(g.buf) {
		if err := g.next(); err != nil {
			if err != io.EOF {
				g.err = err
			}
			return 0, err
		}
	}
	n := copy(p, g.buf[g.off:])
	g.off += n
	return n, nil
}

func (g *ngGuard) next() error {
	cut := errors.New("truncated capture: a pcapng block is cut short")
	var hdr [12]byte
	if n, err := io.ReadFull(g.r, hdr[:8]); err != nil {
		if n == 0 && err == io.EOF {
			return io.EOF
		}
		return readErrorOr(err, cut)
	}
	if g.order == nil {
		g.order = binary.LittleEndian
	}
	typ := g.order.Uint32(hdr[:])
	if typ == 0x0a0d0d0a { // section header: its byte-order magic sets the order
		if _, err := io.ReadFull(g.r, hdr[8:12]); err != nil {
			return readErrorOr(err, cut)
		}
		switch binary.LittleEndian.Uint32(hdr[8:]) {
		case 0x1a2b3c4d:
			g.order = binary.LittleEndian
		case 0x4d3c2b1a:
			g.order = binary.BigEndian
		default:
			return errors.New("pcapng: bad byte-order magic")
		}
		g.snaplen = 0
	} else if g.at == 0 {
		return errors.New("pcapng: no section header first")
	}
	length := g.order.Uint32(hdr[4:])
	if length < 12 || length%4 != 0 || typ == 0x0a0d0d0a && length < 28 {
		return fmt.Errorf("pcapng: bad block length %d at byte %d", length, g.at)
	}
	if length > maxBlock {
		return fmt.Errorf("pcapng: block at byte %d claims %d bytes, more than %d", g.at, length, maxBlock)
	}
	g.buf = append(g.buf[:0], hdr[:8]...)
	if typ == 0x0a0d0d0a {
		g.buf = append(g.buf, hdr[8:12]...)
	}
	have := len(g.buf)
	g.buf = append(g.buf, make([]byte, int(length)-have)...)
	if _, err := io.ReadFull(g.r, g.buf[have:]); err != nil {
		return readErrorOr(err, cut)
	}
	body := g.buf[8 : length-4]
	switch typ {
	case 1: // interface description: link type, reserved, snap length
		if len(body) >= 8 && g.snaplen == 0 {
			g.snaplen = g.order.Uint32(body[4:])
		}
	case 2, 6: // packet, enhanced packet: captured length at 12
		if len(body) < 20 || uint64(g.order.Uint32(body[12:])) > uint64(len(body)-20) {
			return fmt.Errorf("pcapng: packet block at byte %d claims more than it holds", g.at)
		}
	case 3: // simple packet: original length, captured up to the snap length
		if len(body) < 4 {
			return fmt.Errorf("pcapng: packet block at byte %d is too short", g.at)
		}
		captured := g.order.Uint32(body)
		if g.snaplen != 0 {
			captured = min(captured, g.snaplen)
		}
		if uint64(captured) > uint64(len(body)-4) {
			return fmt.Errorf("pcapng: packet block at byte %d claims more than it holds", g.at)
		}
	}
	g.at += int64(length)
	g.off = 0
	return nil
}

func readErrorOr(err, cut error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
		return cut
	}
	return readError(err)
}

// oneLine keeps an error's text on one line.
func oneLine(err error) string {
	s := err.Error()
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, ';', ' ')
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}

// why a packet was kept or skipped.
type why uint8

const (
	kept why = iota
	fragment
	notTCP
	truncated
	malformed
)

// Link types for raw IP that the layers package does not name.
const (
	linkTypeRawAlt  layers.LinkType = 12 // DLT_RAW on some BSDs
	linkTypeRawAlt2 layers.LinkType = 14
)

// linkPayload strips the link-layer header of frame and returns the IP
// packet it carries, or nil for a frame that carries no IP (ARP, say, or
// one cut before its link header ends). Only an unknown link type is an
// error: then no packet of the capture can be read.
func linkPayload(link layers.LinkType, frame []byte) ([]byte, error) {
	var proto uint16 // an EtherType
	switch link {
	case layers.LinkTypeEthernet:
		if len(frame) < 14 {
			return nil, nil
		}
		proto, frame = binary.BigEndian.Uint16(frame[12:]), frame[14:]
		for proto == 0x8100 || proto == 0x88a8 { // VLAN tags
			if len(frame) < 4 {
				return nil, nil
			}
			proto, frame = binary.BigEndian.Uint16(frame[2:]), frame[4:]
		}
	case layers.LinkTypeLinuxSLL:
		if len(frame) < 16 {
			return nil, nil
		}
		proto, frame = binary.BigEndian.Uint16(frame[14:]), frame[16:]
	case layers.LinkTypeLinuxSLL2:
		if len(frame) < 20 {
			return nil, nil
		}
		proto, frame = binary.BigEndian.Uint16(frame[0:]), frame[20:]
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		if len(frame) < 4 {
			return nil, nil
		}
		family := binary.LittleEndian.Uint32(frame)
		if link == layers.LinkTypeLoop || family > 0xffff {
			family = binary.BigEndian.Uint32(frame)
		}
		switch family {
		case 2:
			proto = 0x0800
		case 10, 24, 28, 30: // AF_INET6 on Linux, the BSDs, macOS
			proto = 0x86dd
		}
		frame = frame[4:]
	case layers.LinkTypeRaw, linkTypeRawAlt, linkTypeRawAlt2, layers.LinkTypeIPv4, layers.LinkTypeIPv6:
		if len(frame) < 1 {
			return nil, nil
		}
		switch frame[0] >> 4 {
		case 4:
			proto = 0x0800
		case 6:
			proto = 0x86dd
		}
	default:
		return nil, fmt.Errorf("link type %s is not supported (Ethernet, Linux cooked v1 and v2, raw IP and BSD loopback are)", link)
	}
	switch proto {
	case 0x0800, 0x86dd:
		return frame, nil
	}
	return nil, nil
}

// decodeIP decodes an IPv4 or IPv6 packet carrying TCP, or says why it
// is skipped. Lengths come from the IP header, so a packet cut by the
// snap length after its TCP header still gives its exact payload length.
func decodeIP(pkt []byte) (seg Packet, w why) {
	if len(pkt) < 1 {
		return seg, truncated
	}
	var tcp []byte
	var tcpLen int // the TCP segment's length, header and payload, from the IP header
	switch pkt[0] >> 4 {
	case 4:
		if len(pkt) < 20 {
			return seg, truncated
		}
		ihl := int(pkt[0]&0x0f) * 4
		total := int(binary.BigEndian.Uint16(pkt[2:]))
		if ihl < 20 || total < ihl {
			return seg, malformed
		}
		if len(pkt) < ihl {
			return seg, truncated
		}
		if binary.BigEndian.Uint16(pkt[6:])&0x3fff != 0 { // more fragments, or an offset
			if pkt[9] == 6 {
				return seg, fragment
			}
			return seg, notTCP
		}
		if pkt[9] != 6 {
			return seg, notTCP
		}
		src, _ := netip.AddrFromSlice(pkt[12:16])
		dst, _ := netip.AddrFromSlice(pkt[16:20])
		seg.Src, seg.Dst = netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0)
		tcp, tcpLen = pkt[ihl:], total-ihl
	case 6:
		if len(pkt) < 40 {
			return seg, truncated
		}
		payload := int(binary.BigEndian.Uint16(pkt[4:]))
		if payload == 0 {
			return seg, notTCP // a jumbogram: beyond a lifecycle checker's captures
		}
		src, _ := netip.AddrFromSlice(pkt[8:24])
		dst, _ := netip.AddrFromSlice(pkt[24:40])
		seg.Src, seg.Dst = netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0)
		next, rest := pkt[6], pkt[40:]
		for next != 6 {
			switch next {
			case 0, 43, 60: // hop-by-hop, routing, destination options
				if len(rest) < 8 {
					return seg, truncated
				}
				n := (int(rest[1]) + 1) * 8
				if payload < n {
					return seg, malformed
				}
				if len(rest) < n {
					return seg, truncated
				}
				next, rest, payload = rest[0], rest[n:], payload-n
			case 44: // a fragment
				if len(rest) >= 1 && rest[0] == 6 {
					return seg, fragment
				}
				return seg, notTCP
			default:
				return seg, notTCP
			}
		}
		tcp, tcpLen = rest, payload
	default:
		return seg, malformed
	}
	if len(tcp) < 20 {
		return seg, truncated
	}
	off := int(tcp[12]>>4) * 4
	if off < 20 || off > tcpLen {
		return seg, malformed
	}
	seg.Src = netip.AddrPortFrom(seg.Src.Addr(), binary.BigEndian.Uint16(tcp[0:]))
	seg.Dst = netip.AddrPortFrom(seg.Dst.Addr(), binary.BigEndian.Uint16(tcp[2:]))
	seg.Seq = model.SeqNum(binary.BigEndian.Uint32(tcp[4:]))
	seg.Ack = model.SeqNum(binary.BigEndian.Uint32(tcp[8:]))
	bits := tcp[13]
	for _, f := range []struct {
		bit  byte
		flag model.Flags
	}{{0x01, model.FIN}, {0x02, model.SYN}, {0x04, model.RST}, {0x10, model.ACK}} {
		if bits&f.bit != 0 {
			seg.Flags |= f.flag
		}
	}
	seg.Len = uint32(tcpLen - off)
	seg.Wnd = binary.BigEndian.Uint16(tcp[14:])
	seg.Scale = conform.NoScale
	if bits&0x02 != 0 {
		seg.Scale = windowScale(tcp, off)
	}
	return seg, kept
}

// windowScale finds the window-scale option (kind 3, RFC 7323 §2.2) in
// the options of a TCP header of off bytes: conform.NoScale if it is
// absent. If the capture cut the options short before it, the largest
// shift (14) is taken, so that no window is taken smaller than it was.
func windowScale(tcp []byte, off int) int8 {
	if len(tcp) < off {
		if s := windowScaleIn(tcp[20:]); s != conform.NoScale {
			return s
		}
		return 14
	}
	return windowScaleIn(tcp[20:off])
}

func windowScaleIn(opts []byte) int8 {
	for len(opts) > 0 {
		switch opts[0] {
		case 0: // end of options
			return conform.NoScale
		case 1: // no-operation
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 || opts[1] < 2 || int(opts[1]) > len(opts) {
			return conform.NoScale
		}
		if opts[0] == 3 && opts[1] == 3 {
			return int8(min(opts[2], 14)) // §2.3: a shift above 14 is taken as 14
		}
		opts = opts[opts[1]:]
	}
	return conform.NoScale
}
