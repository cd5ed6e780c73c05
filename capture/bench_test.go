package capture

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// synthBulk is a capture of one bulk transfer as a capture at the sender
// shows it with a snap length of 128: a handshake, n segments of mss
// bytes from A, B acknowledging every second one, and a four-segment
// close. Window scaling 7 both ways, a window of 512 KiB.
func synthBulk(tb testing.TB, n, mss int) []byte {
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	if err := w.WriteFileHeader(128, layers.LinkTypeEthernet); err != nil {
		tb.Fatal(err)
	}
	t0 := time.Unix(1700000000, 0)
	pkt := 0
	const issA, issB = 1000, 5000000
	emit := func(fromA bool, seq, ack uint32, flags byte, length int, syn bool) {
		frame := make([]byte, 14+20+20+4)
		binary.BigEndian.PutUint16(frame[12:], 0x0800)
		ip := frame[14:]
		ip[0] = 0x45
		binary.BigEndian.PutUint16(ip[2:], uint16(20+24+length))
		ip[8], ip[9] = 64, 6
		src, dst := []byte{127, 0, 0, 1}, []byte{127, 0, 0, 2}
		sport, dport := uint16(40000), uint16(9000)
		if !fromA {
			src, dst, sport, dport = dst, src, dport, sport
		}
		copy(ip[12:], src)
		copy(ip[16:], dst)
		tcp := ip[20:]
		binary.BigEndian.PutUint16(tcp[0:], sport)
		binary.BigEndian.PutUint16(tcp[2:], dport)
		binary.BigEndian.PutUint32(tcp[4:], seq)
		binary.BigEndian.PutUint32(tcp[8:], ack)
		tcp[12] = 6 << 4 // 24 bytes: one option
		tcp[13] = flags
		binary.BigEndian.PutUint16(tcp[14:], 4096)
		if syn {
			copy(tcp[20:], []byte{1, 3, 3, 7}) // NOP, window scale 7
		} else {
			copy(tcp[20:], []byte{1, 1, 1, 1})
		}
		ci := gopacket.CaptureInfo{Timestamp: t0.Add(time.Duration(pkt) * 10 * time.Microsecond), CaptureLength: len(frame), Length: len(frame) + length}
		pkt++
		if err := w.WritePacket(ci, frame); err != nil {
			tb.Fatal(err)
		}
	}
	const fin, syn, rst, ack = 0x01, 0x02, 0x04, 0x10
	_ = rst
	emit(true, issA, 0, syn, 0, true)
	emit(false, issB, issA+1, syn|ack, 0, true)
	emit(true, issA+1, issB+1, ack, 0, false)
	seq := uint32(issA + 1)
	for i := range n {
		emit(true, seq, issB+1, ack, mss, false)
		seq += uint32(mss)
		if i%2 == 1 || i == n-1 {
			emit(false, issB+1, seq, ack, 0, false)
		}
	}
	emit(true, seq, issB+1, fin|ack, 0, false)
	emit(false, issB+1, seq+1, fin|ack, 0, false)
	emit(true, seq+1, issB+2, ack, 0, false)
	return buf.Bytes()
}

// The synthetic capture conforms: the benchmark measures a real check.
func TestSynthBulkConforms(t *testing.T) {
	sum, err := Check(context.Background(), bytes.NewReader(synthBulk(t, 1000, 1448)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Connections) != 1 || sum.Connections[0].Result.Verdict != 0 || sum.Connections[0].Segments != 1506 {
		t.Fatalf("%+v", sum.Connections[0])
	}
}

// benchCheck checks the capture in data b.N times, and reports the
// segments per second.
func benchCheck(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	segs := 0
	b.ResetTimer()
	for range b.N {
		sum, err := Check(context.Background(), bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range sum.Connections {
			if c.Result.Verdict != 0 {
				b.Fatalf("%v %v does not conform: %s", c.A, c.B, c.Result.Reason)
			}
			segs = c.Segments
		}
	}
	b.ReportMetric(float64(segs), "segments/op")
	b.ReportMetric(float64(segs)*float64(b.N)/b.Elapsed().Seconds(), "segments/s")
}

// A 40 MB bulk transfer, about 60,000 segments (issue 16: under 1 s).
func BenchmarkCheckBulk40MB(b *testing.B) {
	benchCheck(b, synthBulk(b, 40<<20/1448+1, 1448))
}

// 1 MB over a delayed, lossy link (the netlab capture bulk-loss-a: 2%
// loss, 20 ms delay; issue 16: under 1 s).
func BenchmarkCheckLossy1MB(b *testing.B) {
	data, err := os.ReadFile(testCapture("netlab/bulk-loss-a.pcap.gz"))
	if err != nil {
		b.Fatal(err)
	}
	benchCheck(b, data)
}

// Only reading the same 40 MB capture, for the ratio of checking to
// reading in one run.
func BenchmarkReadBulk40MB(b *testing.B) {
	data := synthBulk(b, 40<<20/1448+1, 1448)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		r, err := NewReader(bytes.NewReader(data), 0)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err != nil {
				break
			}
		}
	}
}
