package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/capture"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/conform"
)

// readPackets reads every TCP segment of a capture file.
func readPackets(t *testing.T, path string) []capture.Packet {
	t.Helper()
	fh, err := os.Open(path)
	require.NoError(t, err)
	defer fh.Close()
	r, err := capture.NewReader(fh, 0)
	require.NoError(t, err)
	var pkts []capture.Packet
	for {
		p, err := r.Next()
		if err == io.EOF {
			return pkts
		}
		require.NoError(t, err)
		pkts = append(pkts, p)
	}
}

// observations are the packets of a capture of one connection as the
// checker sees them, A being the sender of the first.
func observations(pkts []capture.Packet) []conform.Observation {
	obs := make([]conform.Observation, len(pkts))
	for i, p := range pkts {
		from := model.A
		if p.Src != pkts[0].Src {
			from = model.B
		}
		obs[i] = conform.Observation{From: from, Segment: p.Segment, At: p.Time.Sub(pkts[0].Time), Packet: p.Number}
	}
	return obs
}

// The captures in testdata/conform were recorded from the Linux kernel by
// testdata/conform/make-captures.sh (root needed); the tests only read
// them. Each scenario the issue names has its own capture.
var realCaptures = []string{
	"normal", "normal-ipv6", "three-segment-close", "rst-unread", "linger-zero",
	"closed-port", "lost-syn", "lost-third-ack", "fin-retransmit", "half-close",
	"bulk", "several", "any-sll2", "simultaneous-open", "simultaneous-close",
}

func capturePath(name string) string { return filepath.Join("testdata", "conform", name+".pcap") }

// Every real-kernel capture conforms, one connection at a time and all
// together; `several` holds four connections, `fast-open` two.
func TestConformRealCaptures(t *testing.T) {
	args := []string{"conform"}
	for _, name := range realCaptures {
		args = append(args, capturePath(name))
	}
	out, errOut, code := tcpcheck(t, args...)
	require.Equal(t, exitOK, code, out+errOut)
	require.Empty(t, errOut)
	golden(t, "conform/real.txt", out)
	require.Contains(t, out, "several.pcap: 32 packet(s), 4 connection(s)")
	require.Contains(t, out, "result: every connection conforms (18)")
	// On loopback the capture shows all each side sent.
	out, errOut, code = tcpcheck(t, append([]string{"conform", "--at-sender"}, args[1:]...)...)
	require.Equal(t, exitOK, code, out+errOut)
	require.Contains(t, out, "result: every connection conforms (18)")

	out, _, code = tcpcheck(t, "conform", "--json", capturePath("several"))
	require.Equal(t, exitOK, code)
	golden(t, "conform/several.json", out)

	out, _, code = tcpcheck(t, "help", "conform")
	require.Equal(t, exitOK, code)
	golden(t, "conform/help.txt", out)
}

// The captures under testdata/conform/netlab were recorded from Linux
// over an impaired network by bench/conform/make-captures.sh (root
// needed): loss, reordering, duplication, delay and jitter, zero windows,
// keep-alives to a live and a vanished peer, TCP_USER_TIMEOUT, TIME-WAIT
// reuse, a capture started late, one at the receiver with loss upstream,
// and 120 concurrent connections over IPv4 and IPv6. Every connection
// conforms with default flags.
func TestConformNetlabCaptures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "conform", "netlab", "*.pcap.gz"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 12)
	out, errOut, code := tcpcheck(t, append([]string{"conform"}, files...)...)
	require.Equal(t, exitOK, code, out+errOut)
	golden(t, "conform/netlab.txt", out)
	require.Contains(t, out, "many-v4-a.pcap.gz: 1299 packet(s), 120 connection(s)")
	require.Contains(t, out, "many-v6-b.pcap.gz: 1274 packet(s), 120 connection(s)")
	require.Contains(t, out, "3 incarnations")
	require.Contains(t, out, "handshake not seen")
	require.Contains(t, out, "probe(s)")
}

// TCP Fast Open puts data on the SYN: a violation of no-data-on-syn unless
// --allow-syn-data is given.
func TestConformFastOpen(t *testing.T) {
	out, _, code := tcpcheck(t, "conform", capturePath("fast-open"))
	require.Equal(t, exitViolation, code)
	golden(t, "conform/fast-open.txt", out)
	require.Contains(t, out, "no-data-on-syn")

	out, _, code = tcpcheck(t, "conform", "--allow-syn-data", capturePath("fast-open"))
	require.Equal(t, exitOK, code, out)
	require.Contains(t, out, "result: every connection conforms (2)")
}

// frame is one packet of a capture being rewritten.
type frame struct {
	ci   gopacket.CaptureInfo
	data []byte
}

// The captures under testdata/conform/derived are real captures rewritten
// to another file format or link type; those under mutated have one
// segment changed. `go test -update` writes them; otherwise the test
// checks that the committed files are what the rewriting produces.
var derived = []struct {
	name string // the file under testdata/conform/derived
	from string // the real capture
	// write writes the frames in another format or link type.
	write func(w *bytes.Buffer, link layers.LinkType, frames []frame) error
}{
	{"normal.pcapng", "normal", writePcapng},
	{"normal-sll.pcap", "normal", relink(layers.LinkTypeLinuxSLL, func(eth []byte) []byte {
		// packet type 4 (sent by us), ARPHRD_LOOPBACK, no address
		h := []byte{0, 4, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, eth[12], eth[13]}
		return append(h, eth[14:]...)
	})},
	{"normal-null.pcap", "normal", relink(layers.LinkTypeNull, func(eth []byte) []byte {
		return append([]byte{2, 0, 0, 0}, eth[14:]...) // AF_INET, host (little-endian) order
	})},
	{"normal-ipv6-raw.pcap", "normal-ipv6", relink(layers.LinkTypeRaw, func(eth []byte) []byte {
		return eth[14:]
	})},
}

// mutations each change or add one segment of a real capture so that no
// correct endpoint could have sent it, wherever the capture was taken
// (or, with atSender, for a capture that shows all each side sent), and
// say what the explanation must contain.
var mutations = []struct {
	name   string // the file under testdata/conform/mutated, without .pcap
	from   string // the real capture
	packet int    // the packet changed (1 for the first)
	edit   func(f []frame, i int) []frame
	// at is the packet of the mutated capture that must be rejected
	// (the changed or added one).
	at       int
	atSender bool
	// want is what the alternative must say, given the original
	// segment.
	want func(orig capture.Packet) string
}{
	{"ack-off-by-one", "normal", 5, addToAck(1), 5, false, func(o capture.Packet) string {
		return fmt.Sprintf("ack must be at most %d, got %d", o.Ack, o.Ack+1)
	}},
	{"data-on-syn", "normal", 1, addData(4), 1, false, func(o capture.Packet) string {
		return "must carry no data, got 4 bytes"
	}},
	{"fin-acked-wrongly", "normal", 9, addToAck(1), 9, false, func(o capture.Packet) string {
		return fmt.Sprintf("ack must be at most %d, got %d", o.Ack, o.Ack+1)
	}},
	{"synack-acks-wrongly", "lost-syn", 3, addToAck(1 << 20), 3, false, func(o capture.Packet) string {
		return fmt.Sprintf("ack must be %d, got %d", o.Ack, o.Ack+1<<20)
	}},
	{"synack-acks-isn-plus-2", "lost-syn", 3, addToAck(1), 3, false, func(o capture.Packet) string {
		return fmt.Sprintf("ack must be %d, got %d", o.Ack, o.Ack+1)
	}},
	{"segment-from-nowhere", "normal", 4, insertCopy(addToSeq(0x10000000)), 5, false, func(o capture.Packet) string {
		return fmt.Sprintf("got %d", o.Seq+0x10000000+model.SeqNum(o.Len))
	}},
	{"rst-bad-seq", "rst-unread", 6, addToSeq(1000), 6, true, func(o capture.Packet) string {
		return fmt.Sprintf("seq must be at most %d, got %d", o.Seq, o.Seq+1000)
	}},
	{"rst-closed-port-bad-ack", "closed-port", 2, addToAck(1), 2, false, func(o capture.Packet) string {
		return fmt.Sprintf("ack must be at most %d, got %d", o.Ack, o.Ack+1)
	}},
	{"data-after-rst", "rst-unread", 6, insertCopy(chain(setFlags(0x18), addData(10))), 7, false, func(o capture.Packet) string {
		return fmt.Sprintf("must end by %d, got %d", o.Seq, o.Seq+10)
	}},
	{"data-after-fin", "normal", 8, insertCopy(chain(setFlags(0x18), addToSeq(1), addData(5))), 9, false, func(o capture.Packet) string {
		return fmt.Sprintf("data must end by %d, got %d", o.Seq, o.Seq+6)
	}},
	{"second-isn", "normal", 7, insertCopyOf(0, addToSeq(12345)), 8, false, func(o capture.Packet) string {
		return "seq must be"
	}},
}

// chain applies edits in turn to the same packet.
func chain(edits ...func([]frame, int) []frame) func([]frame, int) []frame {
	return func(f []frame, i int) []frame {
		for _, e := range edits {
			f = e(f, i)
		}
		return f
	}
}

// setFlags sets the TCP flags byte.
func setFlags(bits byte) func([]frame, int) []frame {
	return func(f []frame, i int) []frame {
		f[i].data[tcpAt(f[i].data)+13] = bits
		return f
	}
}

// insertCopyOf puts an edited copy of packet src (from 0) right after
// packet i.
func insertCopyOf(src int, edit func([]frame, int) []frame) func([]frame, int) []frame {
	return func(f []frame, i int) []frame {
		cp := frame{ci: f[i].ci, data: slices.Clone(f[src].data)}
		cp.ci.Length, cp.ci.CaptureLength = f[src].ci.Length, f[src].ci.CaptureLength
		f = slices.Insert(f, i+1, cp)
		return edit(f, i+1)
	}
}

// tcpAt is the offset of the TCP header in an Ethernet frame carrying
// IPv4.
func tcpAt(data []byte) int { return 14 + int(data[14]&0x0f)*4 }

// addTo adds n to the 32-bit field at offset off of the TCP header.
func addTo(off int, n uint32) func([]frame, int) []frame {
	return func(f []frame, i int) []frame {
		d := f[i].data
		o := tcpAt(d) + off
		binary.BigEndian.PutUint32(d[o:], binary.BigEndian.Uint32(d[o:])+n)
		return f
	}
}

func addToSeq(n uint32) func([]frame, int) []frame { return addTo(4, n) }
func addToAck(n uint32) func([]frame, int) []frame { return addTo(8, n) }

// addData makes the segment n bytes longer: the IP total length grows and
// the capture keeps the frame's first bytes, as a snap length would.
func addData(n int) func([]frame, int) []frame {
	return func(f []frame, i int) []frame {
		d := f[i].data
		binary.BigEndian.PutUint16(d[16:], binary.BigEndian.Uint16(d[16:])+uint16(n))
		f[i].ci.Length += n
		return f
	}
}

// insertCopy puts an edited copy of the packet right after it.
func insertCopy(edit func([]frame, int) []frame) func([]frame, int) []frame {
	return func(f []frame, i int) []frame {
		cp := frame{ci: f[i].ci, data: slices.Clone(f[i].data)}
		f = slices.Insert(f, i+1, cp)
		return edit(f, i+1)
	}
}

func readFrames(t *testing.T, path string) (layers.LinkType, []frame) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	r, err := pcapgo.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	var frames []frame
	for {
		d, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		frames = append(frames, frame{ci, d})
	}
	return r.LinkType(), frames
}

func writePcap(w *bytes.Buffer, link layers.LinkType, frames []frame) error {
	pw := pcapgo.NewWriter(w)
	if err := pw.WriteFileHeader(capture.MaxSnaplen, link); err != nil {
		return err
	}
	for _, f := range frames {
		if err := pw.WritePacket(f.ci, f.data); err != nil {
			return err
		}
	}
	return nil
}

func writePcapng(w *bytes.Buffer, link layers.LinkType, frames []frame) error {
	intf := pcapgo.NgInterface{Name: "lo", LinkType: link, TimestampResolution: 9}
	nw, err := pcapgo.NewNgWriterInterface(w, intf, pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "tcpcheck tests"}})
	if err != nil {
		return err
	}
	for _, f := range frames {
		if err := nw.WritePacket(f.ci, f.data); err != nil {
			return err
		}
	}
	return nw.Flush()
}

// relink rewrites each Ethernet frame for another link type.
func relink(link layers.LinkType, convert func(eth []byte) []byte) func(*bytes.Buffer, layers.LinkType, []frame) error {
	return func(w *bytes.Buffer, _ layers.LinkType, frames []frame) error {
		out := make([]frame, len(frames))
		for i, f := range frames {
			d := convert(slices.Clone(f.data))
			ci := f.ci
			ci.Length += len(d) - len(f.data)
			ci.CaptureLength = len(d)
			out[i] = frame{ci, d}
		}
		return writePcap(w, link, out)
	}
}

// writeOrCompare writes data to path with -update, and otherwise checks
// that the committed file holds exactly data.
func writeOrCompare(t *testing.T, path string, data []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, data, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run 'go test ./cmd/tcpcheck -update' to create it")
	require.True(t, bytes.Equal(want, data), "%s is not what the test writes: run 'go test ./cmd/tcpcheck -update'", path)
}

// Other file formats and link types give the same verdicts.
func TestConformDerivedCaptures(t *testing.T) {
	args := []string{"conform"}
	for _, d := range derived {
		link, frames := readFrames(t, capturePath(d.from))
		var buf bytes.Buffer
		require.NoError(t, d.write(&buf, link, frames))
		path := filepath.Join("testdata", "conform", "derived", d.name)
		writeOrCompare(t, path, buf.Bytes())
		args = append(args, path)
	}
	out, errOut, code := tcpcheck(t, args...)
	require.Equal(t, exitOK, code, out+errOut)
	golden(t, "conform/derived.txt", out)
}

// Each mutated capture is rejected at the changed segment, with the
// explanation the mutation calls for.
func TestConformMutatedCaptures(t *testing.T) {
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			link, frames := readFrames(t, capturePath(m.from))
			orig := readPackets(t, capturePath(m.from))
			frames = m.edit(frames, m.packet-1)
			var buf bytes.Buffer
			require.NoError(t, writePcap(&buf, link, frames))
			path := filepath.Join("testdata", "conform", "mutated", m.name+".pcap")
			writeOrCompare(t, path, buf.Bytes())

			args := []string{"conform", path}
			if m.atSender {
				args = []string{"conform", "--at-sender", path}
				// Without --at-sender the capture could be from
				// anywhere, and the jump a loss before it.
				_, _, code := tcpcheck(t, "conform", path)
				require.Equal(t, exitOK, code)
			}
			out, errOut, code := tcpcheck(t, args...)
			require.Equal(t, exitViolation, code, out+errOut)
			golden(t, "conform/mutated/"+m.name+".txt", out)

			res := conform.Check(observations(readPackets(t, path)), conform.Options{AtSender: m.atSender})
			require.Equal(t, conform.DoesNotConform, res.Verdict)
			require.Equal(t, m.at, res.Segment.Packet, "rejected at the changed packet: %s", res.Reason)
			require.Contains(t, res.Instead[0].Mismatch[0], m.want(orig[m.packet-1]))
		})
	}
	out, _, code := tcpcheck(t, "conform", "--json", filepath.Join("testdata", "conform", "mutated", "ack-off-by-one.pcap"))
	require.Equal(t, exitViolation, code)
	golden(t, "conform/mutated/ack-off-by-one.json", out)
	var doc conformReport
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Equal(t, "does-not-conform", doc.Result)
	v := doc.Files[0].Connections[0].Violation
	require.Equal(t, 4, v.Index)
	require.Equal(t, "B", v.From)
	require.Equal(t, []string{"ESTABLISHED"}, v.States["b"])
}

// Unreadable or invalid input: one line naming the file and exit 2,
// never a panic.
func TestConformBadInput(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(capturePath("normal"))
	require.NoError(t, err)
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, data, 0o644))
		return p
	}
	unknownLink := slices.Clone(good)
	binary.LittleEndian.PutUint32(unknownLink[20:], 147) // DLT_USER0
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err = zw.Write(good)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"conform"}, "no capture file given"},
		{[]string{"conform", filepath.Join(dir, "missing.pcap")}, "missing.pcap: no such file"},
		{[]string{"conform", dir}, "is a directory"},
		{[]string{"conform", write("empty", nil)}, "empty: not a pcap or pcapng capture: too short"},
		{[]string{"conform", "/dev/zero"}, "/dev/zero: not a pcap or pcapng capture (magic 0x00000000)"},
		{[]string{"conform", write("garbage", []byte("GET / HTTP/1.1\r\n\r\n"))}, "garbage: not a pcap or pcapng capture"},
		{[]string{"conform", write("header-cut", good[:20])}, "header-cut: pcap header"},
		{[]string{"conform", write("record-cut", good[:len(good)-10])}, "record-cut: truncated capture: packet 11 is cut short"},
		{[]string{"conform", write("no-tcp", good[:24])}, "no-tcp: no TCP segments in the capture (0 packet(s))"},
		{[]string{"conform", write("link", unknownLink)}, "link: packet 1: link type"},
		{[]string{"conform", "--max-inflate", "100", write("big.gz", gz.Bytes())}, "big.gz: gzip: inflates to more than 100 bytes"},
		{[]string{"conform", "--skew", "-1s", capturePath("normal")}, "--skew"},
		{[]string{"conform", "--timeout", "-1s", capturePath("normal")}, "--timeout"},
		{[]string{"conform", capturePath("normal"), write("second-bad", []byte("xxxxxxxx"))}, "second-bad"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := tcpcheck(t, tt.args...)
			require.Equal(t, exitUsage, code, out)
			require.Empty(t, out)
			require.Contains(t, errOut, tt.want)
			require.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
		})
	}
	out, errOut, code := tcpcheck(t, "conform", write("ok.gz", gz.Bytes()))
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "11 segment(s): conforms")
}

// Packets without a whole TCP header are counted and skipped, not fatal:
// IPv4 fragments, other protocols, and a capture whose snap length cuts
// a segment before the end of its TCP header (tcpdump reads such files).
func TestConformSkipsPackets(t *testing.T) {
	link, frames := readFrames(t, capturePath("normal"))
	// A UDP packet, a fragment of a TCP packet, and the second segment
	// cut 10 bytes into its TCP header.
	udp := frame{ci: frames[0].ci, data: slices.Clone(frames[0].data)}
	udp.data[14+9] = 17
	frag := frame{ci: frames[0].ci, data: slices.Clone(frames[0].data)}
	binary.BigEndian.PutUint16(frag.data[14+6:], 0x2000) // more fragments
	cut := frame{ci: frames[3].ci, data: slices.Clone(frames[3].data[:tcpAt(frames[3].data)+10])}
	cut.ci.CaptureLength = len(cut.data)
	mixed := append([]frame{udp, frag}, frames...)
	mixed = slices.Insert(mixed, 5, cut)
	var buf bytes.Buffer
	require.NoError(t, writePcap(&buf, link, mixed))
	path := filepath.Join(t.TempDir(), "mixed.pcap")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	out, errOut, code := tcpcheck(t, "conform", path)
	require.Equal(t, exitOK, code, out+errOut)
	require.Contains(t, out, "14 packet(s), 3 skipped: 1 IP fragment(s), 1 not TCP, 1 cut before the end of the TCP header")
	require.Contains(t, out, "11 segment(s): conforms")

	// A fragmented segment is missing: the ACK of it acknowledges data
	// never seen, and the report says what was skipped.
	frag = frame{ci: frames[3].ci, data: slices.Clone(frames[3].data)}
	binary.BigEndian.PutUint16(frag.data[14+6:], 0x2000)
	missing := slices.Concat(frames[:3], []frame{frag}, frames[4:])
	buf.Reset()
	require.NoError(t, writePcap(&buf, link, missing))
	path = filepath.Join(t.TempDir(), "fragment.pcap")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	out, _, code = tcpcheck(t, "conform", path)
	require.Equal(t, exitViolation, code, out)
	require.Contains(t, out, "(1 packet(s) of this file were skipped as IP fragments or cut before the TCP header: this connection may miss segments)")

	// A snap length of 54 bytes (Ethernet, IPv4, 20 bytes of TCP) on
	// every record, smaller than the file header's: lengths come from the
	// IP header, so every segment is read.
	small := make([]frame, len(frames))
	for i, f := range frames {
		small[i] = frame{ci: f.ci, data: slices.Clone(f.data[:54])}
		small[i].ci.CaptureLength = 54
	}
	buf.Reset()
	pw := pcapgo.NewWriter(&buf)
	require.NoError(t, pw.WriteFileHeader(40, link)) // smaller than the records
	for _, f := range small {
		require.NoError(t, pw.WritePacket(f.ci, f.data))
	}
	path = filepath.Join(t.TempDir(), "snap.pcap")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	out, errOut, code = tcpcheck(t, "conform", path)
	require.Equal(t, exitOK, code, out+errOut)
	require.Contains(t, out, "11 packet(s), 1 connection(s)")
	require.Contains(t, out, "11 segment(s): conforms")
}

// Numbers are checked exactly where the capture decides them: adding one
// to an ACK that acknowledged all its peer had sent makes that very
// segment unexplainable; with --at-sender, so does adding one to the SEQ
// of a segment that was not a retransmission.
func TestConformOffByOne(t *testing.T) {
	checked := 0
	for _, name := range []string{"normal", "three-segment-close", "fin-retransmit", "simultaneous-open", "lost-third-ack", "bulk"} {
		obs := observations(readPackets(t, capturePath(name)))
		var hi [2]model.SeqNum // the end of what each side sent so far
		var seen [2]bool
		for i, o := range obs {
			x, y := o.From, o.From.Peer()
			for _, m := range []struct {
				name     string
				seq, ack model.SeqNum
			}{{"seq+1", 1, 0}, {"ack+1", 0, 1}} {
				upToDate := m.ack != 0 && o.Has(model.ACK) && seen[y] && o.Ack == hi[y]
				fresh := m.seq != 0 && !o.Has(model.SYN) && seen[x] && o.Seq == hi[x]
				if !upToDate && !fresh {
					continue
				}
				mutated := slices.Clone(obs)
				mutated[i].Seq += m.seq
				mutated[i].Ack += m.ack
				for k := range mutated {
					mutated[k].At = time.Duration(k) * time.Second // no capture-order tolerance
				}
				res := conform.Check(mutated, conform.Options{AtSender: fresh})
				require.Equal(t, conform.DoesNotConform, res.Verdict, "%s: segment %d %s %s", name, i, o, m.name)
				require.Equal(t, i, res.Index, "%s: segment %d %s %s: %s", name, i, o, m.name, res.Reason)
				checked++
			}
			if end := o.Seq.Add(o.SegLen()); !seen[x] || hi[x].LessThan(end) {
				hi[x], seen[x] = end, true
			}
		}
	}
	require.Greater(t, checked, 50)
}

// The helper process for the signal tests: tcpcheck's main, run by the
// test binary itself when TCPCHECK_CONFORM_CHILD is set.
func TestConformChildProcess(t *testing.T) {
	if os.Getenv("TCPCHECK_CONFORM_CHILD") == "" {
		t.Skip("run by TestConformSignals")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, strings.Split(os.Getenv("TCPCHECK_CONFORM_CHILD"), "\x1f"), os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// SIGINT and SIGTERM stop conform within a second, with the connections
// decided so far and those that were not, and exit 3. The capture comes
// slowly through a pipe, so that the check is under way when the signal
// comes: a connection closed and one still open.
func TestConformSignals(t *testing.T) {
	closedConn := readPacketFrames(t, capturePath("normal"))
	link, open := readFrames(t, capturePath("bulk"))
	open = open[:10]
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestConformChildProcess$")
			cmd.Env = append(os.Environ(), "TCPCHECK_CONFORM_CHILD=conform\x1f/dev/stdin")
			in, err := cmd.StdinPipe()
			require.NoError(t, err)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Start())
			pw := pcapgo.NewWriter(in)
			require.NoError(t, pw.WriteFileHeader(capture.MaxSnaplen, link))
			for _, f := range append(closedConn, open...) {
				require.NoError(t, pw.WritePacket(f.ci, f.data))
			}
			// Then the open connection's segments again, slowly
			// (duplicates), until the signal: at most 10 s.
			done := make(chan struct{})
			go func() {
				defer close(done)
				for i := 0; i < 2000; i++ {
					if pw.WritePacket(open[5].ci, open[5].data) != nil {
						return
					}
					time.Sleep(5 * time.Millisecond)
				}
			}()
			time.Sleep(300 * time.Millisecond)
			sent := time.Now()
			require.NoError(t, cmd.Process.Signal(sig))
			err = cmd.Wait()
			took := time.Since(sent)
			in.Close()
			<-done
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, stderr.String())
			require.Equal(t, exitIncomplete, exit.ExitCode(), stdout.String()+stderr.String())
			require.Less(t, took, time.Second)
			out := stdout.String()
			require.Contains(t, out, "11 segment(s): conforms")
			require.Contains(t, out, "undecided")
			require.Contains(t, out, "stopped (interrupted): 1 connection(s) not decided")
			require.Empty(t, stderr.String())
		})
	}
}

// readPacketFrames is readFrames without the link type.
func readPacketFrames(t *testing.T, path string) []frame {
	_, f := readFrames(t, path)
	return f
}

// --timeout stops the check like a signal: exit 3 and the partial report.
func TestConformTimeout(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	link, frames := readFrames(t, capturePath("bulk"))
	go func() {
		defer w.Close()
		pw := pcapgo.NewWriter(w)
		if pw.WriteFileHeader(capture.MaxSnaplen, link) != nil {
			return
		}
		for _, f := range frames[:5] {
			if pw.WritePacket(f.ci, f.data) != nil {
				return
			}
		}
		time.Sleep(2 * time.Second) // then nothing: the reader waits
	}()
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := run(context.Background(), []string{"conform", "--timeout", "200ms", fmt.Sprintf("/dev/fd/%d", r.Fd())}, strings.NewReader(""), &stdout, &stderr)
	require.Less(t, time.Since(start), 1500*time.Millisecond)
	require.Equal(t, exitIncomplete, code, stderr.String())
	require.Contains(t, stdout.String(), "stopped (--timeout 200ms reached): 1 connection(s) not decided")
	require.Contains(t, stdout.String(), "5 segment(s): undecided")
}

// Capture-order tolerance: the server's ACK of the request recorded 7µs
// before the request itself is explained by default (--skew 1ms), not
// with --skew 0.
func TestConformSkew(t *testing.T) {
	link, frames := readFrames(t, capturePath("normal"))
	frames[3], frames[4] = frames[4], frames[3] // the ACK (packet 5) before the data (packet 4)
	frames[3].ci.Timestamp, frames[4].ci.Timestamp = frames[4].ci.Timestamp, frames[3].ci.Timestamp
	var buf bytes.Buffer
	require.NoError(t, writePcap(&buf, link, frames))
	path := filepath.Join(t.TempDir(), "swapped.pcap")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	out, _, code := tcpcheck(t, "conform", path)
	require.Equal(t, exitOK, code, out)
	out, _, code = tcpcheck(t, "conform", "--skew", "0", path)
	require.Equal(t, exitViolation, code, out)
	require.Contains(t, out, "segment 4 of 11 (packet 4, ")
	require.Contains(t, out, "B acknowledged sequence numbers A was never seen to send")
}
