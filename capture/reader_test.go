package capture

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The captures the command's tests use, recorded from Linux by
// cmd/tcpcheck/testdata/conform/make-captures.sh.
func testCapture(name string) string {
	return filepath.Join("..", "cmd", "tcpcheck", "testdata", "conform", name)
}

// boundedSource fails the test if it is read past bound bytes.
type boundedSource struct {
	t     *testing.T
	r     io.Reader
	read  int
	bound int
}

func (b *boundedSource) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read += n
	if b.read > b.bound {
		b.t.Fatalf("read %d bytes, past the bound of %d", b.read, b.bound)
	}
	return n, err
}

// endless is a source of one byte repeated for ever.
type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

// The magic number is checked before more than the reader's buffer is
// read: /dev/zero, or an endless stream of garbage, is refused at once.
func TestMagicFirst(t *testing.T) {
	for _, b := range []byte{0, 'x', 0x1f} {
		src := &boundedSource{t: t, r: endless(b), bound: 1 << 17}
		_, err := NewReader(src, 0)
		require.Error(t, err)
		require.NotContains(t, err.Error(), "\n")
	}
}

// A capture is read one packet at a time: after the first segment of a
// capture made of one header and endless copies of a packet, the reader
// has read no more than its buffer holds.
func TestStreams(t *testing.T) {
	data, err := os.ReadFile(testCapture("normal.pcap"))
	require.NoError(t, err)
	header, record := data[:24], data[24:24+16+74] // the SYN: 74 bytes on Ethernet
	rep := func() io.Reader {
		var rs []io.Reader
		rs = append(rs, bytes.NewReader(header))
		for range 100000 {
			rs = append(rs, bytes.NewReader(record))
		}
		return io.MultiReader(rs...)
	}
	src := &boundedSource{t: t, r: rep(), bound: 1 << 17}
	r, err := NewReader(src, 0)
	require.NoError(t, err)
	for range 10 {
		_, err := r.Next()
		require.NoError(t, err)
	}
	require.LessOrEqual(t, src.read, 1<<17)

	// Check over 100,000 copies of the SYN holds one connection.
	sum, err := Check(context.Background(), rep(), Options{})
	require.NoError(t, err)
	require.Equal(t, 100000, sum.Packets)
	require.Len(t, sum.Connections, 1)
}

// A gzipped capture inflates up to the bound, and no further: a
// compression bomb is refused with one line.
func TestGzipBound(t *testing.T) {
	data, err := os.ReadFile(testCapture("normal.pcap"))
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err = zw.Write(data[:24])
	require.NoError(t, err)
	_, err = zw.Write(make([]byte, 64<<20)) // 64 MiB of empty records
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	sum, err := Check(context.Background(), bytes.NewReader(buf.Bytes()), Options{MaxInflate: 1 << 20})
	require.Nil(t, sum)
	require.EqualError(t, err, "gzip: inflates to more than 1048576 bytes (--max-inflate)")
}

// Every prefix of a capture is read without a panic: either its whole
// packets, or an error on one line saying it is cut short.
func TestTruncated(t *testing.T) {
	for _, name := range []string{"normal.pcap", filepath.Join("derived", "normal.pcapng")} {
		data, err := os.ReadFile(testCapture(name))
		require.NoError(t, err)
		for n := range len(data) {
			sum, err := Check(context.Background(), bytes.NewReader(data[:n]), Options{})
			if err == nil {
				require.LessOrEqual(t, sum.Packets, 11)
				continue
			}
			require.NotContains(t, err.Error(), "\n")
		}
	}
}

// A stop (the context done) ends the check with what was decided.
func TestStopped(t *testing.T) {
	data, err := os.ReadFile(testCapture("normal.pcap"))
	require.NoError(t, err)
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("interrupted"))
	sum, err := Check(ctx, bytes.NewReader(data), Options{})
	require.NoError(t, err)
	require.EqualError(t, sum.Stopped, "interrupted")
	require.Empty(t, sum.Connections)
}

// The reader, and the checker behind it, never panic on any input, and
// every error fits on one line.
func FuzzCheck(f *testing.F) {
	for _, glob := range []string{"*.pcap", filepath.Join("*", "*.pcap*")} {
		files, _ := filepath.Glob(testCapture(glob))
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x0d, 0x0d, 0x0a})
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, data []byte) {
		sum, err := Check(context.Background(), bytes.NewReader(data), Options{MaxInflate: 1 << 20})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error on more than one line: %q", err)
			}
			return
		}
		total := 0
		for _, c := range sum.Connections {
			total += c.Segments
			if !c.Decided {
				t.Fatalf("connection %v–%v undecided at the end of the capture", c.A, c.B)
			}
		}
		if total+sum.Skipped.Total() != sum.Packets {
			t.Fatalf("%d segments and %d skipped of %d packets", total, sum.Skipped.Total(), sum.Packets)
		}
	})
}
