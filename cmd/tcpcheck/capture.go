package main

import (
	"bytes"
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

// capturedSegment is one TCP segment read from a capture file.
type capturedSegment struct {
	Packet   int // 1 for the file's first packet
	Time     time.Time
	Src, Dst netip.AddrPort
	conform.Segment
}

// maxCaptureBytes bounds what readCapture reads (after decompression):
// tcpcheck conform checks captures of a few connections, not traces of a
// link.
const maxCaptureBytes = 1 << 30

// maxSnaplen bounds the bytes kept of one packet. tcpdump's default is
// 262144; a file header claiming more is not believed, so that a corrupt
// length cannot make the reader allocate gigabytes.
const maxSnaplen = 262144

// readCapture reads a pcap or pcapng capture (optionally gzipped) and
// returns its TCP segments in file order. Packets that are not TCP over
// IPv4 or IPv6 (ARP, UDP, ICMP, IP fragments) are skipped. The payload
// length comes from the IP header, so captures cut short by a snap
// length still give exact lengths. Any malformed or truncated input is an
// error whose text fits on one line.
func readCapture(r io.Reader) ([]capturedSegment, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxCaptureBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("gzip: %v", err)
		}
		if data, err = io.ReadAll(io.LimitReader(zr, maxCaptureBytes+1)); err != nil {
			return nil, fmt.Errorf("gzip: %v", err)
		}
	}
	if len(data) > maxCaptureBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxCaptureBytes)
	}
	if len(data) < 4 {
		return nil, errors.New("not a pcap or pcapng capture: too short")
	}
	switch binary.LittleEndian.Uint32(data) {
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1:
		return readPcap(data)
	case 0x0a0d0d0a:
		return readPcapng(data)
	}
	return nil, fmt.Errorf("not a pcap or pcapng capture (magic %#08x)", binary.BigEndian.Uint32(data))
}

func readPcap(data []byte) ([]capturedSegment, error) {
	pr, err := pcapgo.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("pcap header: %v", oneLine(err))
	}
	if pr.Snaplen() > maxSnaplen || pr.Snaplen() == 0 {
		pr.SetSnaplen(maxSnaplen)
	}
	return readPackets(pr, func(gopacket.CaptureInfo) (layers.LinkType, error) { return pr.LinkType(), nil })
}

func readPcapng(data []byte) ([]capturedSegment, error) {
	if err := checkPcapngBlocks(data); err != nil {
		return nil, err
	}
	nr, err := pcapgo.NewNgReader(bytes.NewReader(data), pcapgo.NgReaderOptions{})
	if err != nil {
		return nil, fmt.Errorf("pcapng header: %v", oneLine(err))
	}
	return readPackets(nr, func(ci gopacket.CaptureInfo) (layers.LinkType, error) {
		intf, err := nr.Interface(ci.InterfaceIndex)
		return intf.LinkType, err
	})
}

// readPackets decodes every packet of src, whose link type link tells.
func readPackets(src interface {
	ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}, link func(gopacket.CaptureInfo) (layers.LinkType, error)) ([]capturedSegment, error) {
	var segs []capturedSegment
	for n := 1; ; n++ {
		pkt, ci, err := src.ReadPacketData()
		if err == io.EOF {
			return segs, nil
		}
		if err != nil {
			return nil, packetError(n, err)
		}
		lt, err := link(ci)
		if err != nil {
			return nil, packetError(n, err)
		}
		if segs, err = appendSegment(segs, n, ci, lt, pkt); err != nil {
			return nil, err
		}
	}
}

func packetError(n int, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated capture: packet %d is cut short", n)
	}
	return fmt.Errorf("packet %d: %v", n, oneLine(err))
}

// checkPcapngBlocks walks the block structure of a pcapng file before the
// library reads it: every block's length must fit what is left of the
// file, and every packet block's captured length its block. The library
// allocates what a packet header claims before reading it, so a corrupt
// header must not reach it.
func checkPcapngBlocks(data []byte) error {
	var order binary.ByteOrder = binary.LittleEndian
	snaplen := uint32(0)
	for off := 0; off < len(data); {
		if len(data)-off < 12 {
			return errors.New("truncated capture: a pcapng block is cut short")
		}
		typ := order.Uint32(data[off:])
		if typ == 0x0a0d0d0a { // section header: its byte-order magic sets the order
			if len(data)-off < 28 {
				return errors.New("truncated capture: a pcapng section header is cut short")
			}
			switch binary.LittleEndian.Uint32(data[off+8:]) {
			case 0x1a2b3c4d:
				order = binary.LittleEndian
			case 0x4d3c2b1a:
				order = binary.BigEndian
			default:
				return errors.New("pcapng: bad byte-order magic")
			}
			snaplen = 0
		}
		length := order.Uint32(data[off+4:])
		if length < 12 || length%4 != 0 {
			return fmt.Errorf("pcapng: bad block length %d at byte %d", length, off)
		}
		if uint64(length) > uint64(len(data)-off) {
			return errors.New("truncated capture: a pcapng block is cut short")
		}
		body := data[off+8 : off+int(length)-4]
		switch typ {
		case 1: // interface description: link type, reserved, snap length
			if len(body) >= 8 && snaplen == 0 {
				snaplen = order.Uint32(body[4:])
			}
		case 2, 6: // packet, enhanced packet: captured length at 12
			if len(body) < 20 || uint64(order.Uint32(body[12:])) > uint64(len(body)-20) {
				return fmt.Errorf("pcapng: packet block at byte %d claims more than it holds", off)
			}
		case 3: // simple packet: original length, captured up to the snap length
			if len(body) < 4 {
				return fmt.Errorf("pcapng: packet block at byte %d is too short", off)
			}
			captured := order.Uint32(body)
			if snaplen != 0 {
				captured = min(captured, snaplen)
			}
			if uint64(captured) > uint64(len(body)-4) {
				return fmt.Errorf("pcapng: packet block at byte %d claims more than it holds", off)
			}
		}
		off += int(length)
	}
	return nil
}

// appendSegment decodes one captured frame and appends its TCP segment,
// if it has one.
func appendSegment(segs []capturedSegment, n int, ci gopacket.CaptureInfo, link layers.LinkType, frame []byte) ([]capturedSegment, error) {
	ip, ok, err := linkPayload(link, frame)
	if err != nil || !ok {
		return segs, packetErr(n, err)
	}
	seg, ok, err := decodeIP(ip)
	if err != nil || !ok {
		return segs, packetErr(n, err)
	}
	seg.Packet, seg.Time = n, ci.Timestamp
	return append(segs, seg), nil
}

func packetErr(n int, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("packet %d: %v", n, err)
}

// Link types for raw IP that the layers package does not name.
const (
	linkTypeRawAlt  layers.LinkType = 12 // DLT_RAW on some BSDs
	linkTypeRawAlt2 layers.LinkType = 14
)

var errShort = errors.New("truncated header")

// linkPayload strips the link-layer header of frame and returns the IP
// packet it carries. ok is false for frames that carry no IP (ARP, say).
func linkPayload(link layers.LinkType, frame []byte) (ip []byte, ok bool, err error) {
	var proto uint16 // an EtherType
	switch link {
	case layers.LinkTypeEthernet:
		if len(frame) < 14 {
			return nil, false, errShort
		}
		proto, frame = binary.BigEndian.Uint16(frame[12:]), frame[14:]
		for proto == 0x8100 || proto == 0x88a8 { // VLAN tags
			if len(frame) < 4 {
				return nil, false, errShort
			}
			proto, frame = binary.BigEndian.Uint16(frame[2:]), frame[4:]
		}
	case layers.LinkTypeLinuxSLL:
		if len(frame) < 16 {
			return nil, false, errShort
		}
		proto, frame = binary.BigEndian.Uint16(frame[14:]), frame[16:]
	case layers.LinkTypeLinuxSLL2:
		if len(frame) < 20 {
			return nil, false, errShort
		}
		proto, frame = binary.BigEndian.Uint16(frame[0:]), frame[20:]
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		if len(frame) < 4 {
			return nil, false, errShort
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
			return nil, false, errShort
		}
		switch frame[0] >> 4 {
		case 4:
			proto = 0x0800
		case 6:
			proto = 0x86dd
		}
	default:
		return nil, false, fmt.Errorf("link type %s is not supported (Ethernet, Linux cooked v1 and v2, raw IP and BSD loopback are)", link)
	}
	switch proto {
	case 0x0800, 0x86dd:
		return frame, true, nil
	}
	return nil, false, nil
}

// decodeIP decodes an IPv4 or IPv6 packet carrying TCP. ok is false for
// other protocols and for fragments.
func decodeIP(pkt []byte) (seg capturedSegment, ok bool, err error) {
	if len(pkt) < 1 {
		return seg, false, errShort
	}
	var tcp []byte
	var tcpLen int // the TCP segment's length, header and payload, from the IP header
	switch pkt[0] >> 4 {
	case 4:
		if len(pkt) < 20 {
			return seg, false, errShort
		}
		ihl := int(pkt[0]&0x0f) * 4
		total := int(binary.BigEndian.Uint16(pkt[2:]))
		if ihl < 20 || total < ihl || len(pkt) < ihl {
			return seg, false, errors.New("malformed IPv4 header")
		}
		if pkt[9] != 6 {
			return seg, false, nil
		}
		if binary.BigEndian.Uint16(pkt[6:])&0x3fff != 0 { // more fragments, or an offset
			return seg, false, nil
		}
		src, _ := netip.AddrFromSlice(pkt[12:16])
		dst, _ := netip.AddrFromSlice(pkt[16:20])
		seg.Src, seg.Dst = netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0)
		tcp, tcpLen = pkt[ihl:], total-ihl
	case 6:
		if len(pkt) < 40 {
			return seg, false, errShort
		}
		payload := int(binary.BigEndian.Uint16(pkt[4:]))
		if payload == 0 {
			return seg, false, nil // a jumbogram: beyond a lifecycle checker's captures
		}
		src, _ := netip.AddrFromSlice(pkt[8:24])
		dst, _ := netip.AddrFromSlice(pkt[24:40])
		seg.Src, seg.Dst = netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0)
		next, rest := pkt[6], pkt[40:]
		for next != 6 {
			switch next {
			case 0, 43, 60: // hop-by-hop, routing, destination options
				if len(rest) < 8 {
					return seg, false, errShort
				}
				n := (int(rest[1]) + 1) * 8
				if len(rest) < n || payload < n {
					return seg, false, errShort
				}
				next, rest, payload = rest[0], rest[n:], payload-n
			default: // a fragment, or not TCP
				return seg, false, nil
			}
		}
		tcp, tcpLen = rest, payload
	default:
		return seg, false, fmt.Errorf("IP version %d", pkt[0]>>4)
	}
	if len(tcp) < 20 {
		return seg, false, errors.New("truncated TCP header")
	}
	off := int(tcp[12]>>4) * 4
	if off < 20 || off > tcpLen {
		return seg, false, errors.New("malformed TCP header")
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
	return seg, true, nil
}
