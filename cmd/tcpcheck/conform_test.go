package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/conform"
)

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
	require.Contains(t, out, "several.pcap: 4 connection(s)")
	require.Contains(t, out, "result: every connection conforms (18)")

	out, _, code = tcpcheck(t, "conform", "--json", capturePath("several"))
	require.Equal(t, exitOK, code)
	golden(t, "conform/several.json", out)

	out, _, code = tcpcheck(t, "help", "conform")
	require.Equal(t, exitOK, code)
	golden(t, "conform/help.txt", out)
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

// mutations each change one segment of a real capture so that the model
// cannot explain it, and say what the explanation must contain.
var mutations = []struct {
	name   string // the file under testdata/conform/mutated, without .pcap
	from   string // the real capture
	packet int    // the packet changed (1 for the first)
	edit   func(f []frame, i int) []frame
	// want is what the closest alternative must say, given the
	// original segment.
	want func(orig capturedSegment) string
}{
	{"ack-off-by-one", "normal", 5, addToAck(1), func(o capturedSegment) string {
		return fmt.Sprintf("ack must be %d, got %d", o.Ack, o.Ack+1)
	}},
	{"data-on-syn", "normal", 1, addData(4), func(o capturedSegment) string {
		return "must carry no data, got 4 bytes"
	}},
	{"fin-acked-wrongly", "normal", 9, addToAck(1), func(o capturedSegment) string {
		return fmt.Sprintf("ack must be %d, got %d", o.Ack, o.Ack+1)
	}},
	{"synack-acks-wrongly", "lost-syn", 3, addToAck(1 << 20), func(o capturedSegment) string {
		return fmt.Sprintf("ack must be %d, got %d", o.Ack, o.Ack+1<<20)
	}},
	{"segment-from-nowhere", "normal", 4, insertCopy(addToSeq(0x10000000)), func(o capturedSegment) string {
		return fmt.Sprintf("seq must be %d, got %d", o.Seq.Add(o.Len), o.Seq+0x10000000)
	}},
	{"rst-bad-seq", "rst-unread", 6, addToSeq(1000), func(o capturedSegment) string {
		return fmt.Sprintf("seq must be %d, got %d", o.Seq, o.Seq+1000)
	}},
	{"rst-closed-port-bad-ack", "closed-port", 2, addToAck(1), func(o capturedSegment) string {
		return fmt.Sprintf("ack must be %d, got %d", o.Ack, o.Ack+1)
	}},
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
	if err := pw.WriteFileHeader(maxSnaplen, link); err != nil {
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
			orig, err := readCaptureFile(capturePath(m.from))
			require.NoError(t, err)
			frames = m.edit(frames, m.packet-1)
			var buf bytes.Buffer
			require.NoError(t, writePcap(&buf, link, frames))
			path := filepath.Join("testdata", "conform", "mutated", m.name+".pcap")
			writeOrCompare(t, path, buf.Bytes())

			out, errOut, code := tcpcheck(t, "conform", path)
			require.Equal(t, exitViolation, code, out+errOut)
			golden(t, "conform/mutated/"+m.name+".txt", out)

			segs, err := readCaptureFile(path)
			require.NoError(t, err)
			conns := splitConnections(segs)
			require.Len(t, conns, 1)
			res := conform.Check(conns[0].observations(), conform.Options{})
			require.Equal(t, conform.DoesNotConform, res.Verdict)
			require.Equal(t, m.packet, conns[0].Segs[res.Index].Packet-boolInt(m.name == "segment-from-nowhere"), "rejected at the changed packet")
			require.Contains(t, res.Instead[0].Mismatch, m.want(orig[m.packet-1]))
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
	require.Equal(t, []string{"SYN-RECEIVED", "ESTABLISHED"}, v.States["b"])
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Unreadable or invalid input: one line and exit 2, never a panic.
func TestConformBadInput(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(capturePath("normal"))
	require.NoError(t, err)
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, data, 0o644))
		return p
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"conform"}, "no capture file given"},
		{[]string{"conform", filepath.Join(dir, "missing.pcap")}, "no such file"},
		{[]string{"conform", write("empty", nil)}, "too short"},
		{[]string{"conform", write("garbage", []byte("GET / HTTP/1.1\r\n\r\n"))}, "not a pcap or pcapng capture"},
		{[]string{"conform", write("header-cut", good[:20])}, "pcap header"},
		{[]string{"conform", write("record-cut", good[:len(good)-10])}, "truncated capture: packet 11 is cut short"},
		{[]string{"conform", write("no-tcp", good[:24])}, "no TCP segments"},
		{[]string{"conform", "--max-configs", "0", capturePath("normal")}, "--max-configs"},
		{[]string{"conform", capturePath("normal"), write("second-bad", []byte("xxxxxxxx"))}, "second-bad"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := tcpcheck(t, tt.args...)
			require.Equal(t, exitUsage, code)
			require.Empty(t, out)
			require.Contains(t, errOut, tt.want)
			require.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
		})
	}
}

// Every prefix of a capture is read without a panic: either its whole
// packets, or an error saying it is cut short.
func TestReadCaptureTruncated(t *testing.T) {
	for _, name := range []string{capturePath("normal"), filepath.Join("testdata", "conform", "derived", "normal.pcapng")} {
		data, err := os.ReadFile(name)
		require.NoError(t, err)
		for n := range len(data) {
			segs, err := readCapture(bytes.NewReader(data[:n]))
			if err == nil {
				require.LessOrEqual(t, len(segs), 11)
				continue
			}
			require.NotContains(t, err.Error(), "\n")
		}
	}
}

// The reader, and the checker behind it, never panic on any input.
func FuzzReadCapture(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "conform", "*.pcap"))
	more, _ := filepath.Glob(filepath.Join("testdata", "conform", "*", "*.pcap*"))
	for _, name := range append(files, more...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x0d, 0x0d, 0x0a})
	f.Fuzz(func(t *testing.T, data []byte) {
		segs, err := readCapture(bytes.NewReader(data))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error on more than one line: %q", err)
			}
			return
		}
		if len(segs) > 200 {
			return
		}
		for _, c := range splitConnections(segs) {
			conform.Check(c.observations(), conform.Options{MaxConfigs: 10000})
		}
	})
}

// Numbers are checked exactly: in these captures, adding one to the SEQ
// of any segment but a SYN, subtracting one from it, or adding one to an
// ACK makes that very segment unexplainable. (Subtracting one
// from an ACK is not always wrong: it can be an earlier acknowledgment.)
func TestConformOffByOne(t *testing.T) {
	for _, name := range []string{"normal", "three-segment-close", "fin-retransmit", "simultaneous-open", "lost-third-ack"} {
		segs, err := readCaptureFile(capturePath(name))
		require.NoError(t, err)
		obs := splitConnections(segs)[0].observations()
		for i := 1; i < len(obs); i++ {
			for _, m := range []struct {
				name     string
				seq, ack model.SeqNum
				needsACK bool
			}{{"seq+1", 1, 0, false}, {"seq-1", ^model.SeqNum(0), 0, false}, {"ack+1", 0, 1, true}} {
				if m.needsACK && !obs[i].Has(model.ACK) || m.seq != 0 && obs[i].Has(model.SYN) {
					continue // a SYN's SEQ is a free choice: the ISS
				}
				mutated := slices.Clone(obs)
				mutated[i].Seq += m.seq
				mutated[i].Ack += m.ack
				res := conform.Check(mutated, conform.Options{})
				require.Equal(t, conform.DoesNotConform, res.Verdict, "%s: segment %d %s %s", name, i, obs[i], m.name)
				require.Equal(t, i, res.Index, "%s: segment %d %s %s", name, i, obs[i], m.name)
			}
		}
	}
}

// A connection that needs more configurations than --max-configs is
// unknown, exit 3: the bound never gives a wrong verdict.
func TestConformMaxConfigs(t *testing.T) {
	out, errOut, code := tcpcheck(t, "conform", "--max-configs", "1", capturePath("normal"))
	require.Equal(t, exitIncomplete, code, errOut)
	require.Contains(t, out, "11 segment(s): unknown")
	require.Contains(t, out, "result: unknown")
}
