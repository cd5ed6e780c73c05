package conform

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/model"
)

// Flags, as tcpdump prints them.
const (
	syn    = model.SYN
	synAck = model.SYN | model.ACK
	ack    = model.ACK
	finAck = model.FIN | model.ACK
	rst    = model.RST
	rstAck = model.RST | model.ACK
)

// seg is one observation: side sends <SEQ=seq><ACK=ackNum><CTL=flags>
// with n bytes of data, advertising a window of 65535 without scaling.
func seg(side model.Side, flags model.Flags, seq, ackNum, n uint32) Observation {
	return Observation{From: side, Segment: Segment{Seq: model.SeqNum(seq), Ack: model.SeqNum(ackNum), Flags: flags, Len: n, Wnd: 65535, Scale: NoScale}}
}

// wnd is o advertising the window w instead.
func wnd(o Observation, w uint16) Observation {
	o.Wnd = w
	return o
}

// at is o recorded at t.
func at(o Observation, t time.Duration) Observation {
	o.At = t
	return o
}

const a, b = model.A, model.B

// handshake is §3.5 Figure 6 with A's ISS 100 and B's 300.
var handshake = []Observation{
	seg(a, syn, 100, 0, 0),
	seg(b, synAck, 300, 101, 0),
	seg(a, ack, 101, 301, 0),
}

func with(obs []Observation, more ...Observation) []Observation {
	return append(append([]Observation(nil), obs...), more...)
}

// timed gives the observations times 10ms apart: farther than the
// capture-order tolerance.
func timed(obs []Observation) []Observation {
	out := with(obs)
	for i := range out {
		out[i].At = time.Duration(i) * 10 * time.Millisecond
	}
	return out
}

func requireConforms(t *testing.T, obs []Observation, opts Options) Result {
	t.Helper()
	res := Check(obs, opts)
	require.Equal(t, Conforms, res.Verdict, "segment %d %s: %s; instead %v", res.Index, res.Segment, res.Reason, res.Instead)
	require.Equal(t, len(obs), res.Segments)
	return res
}

// requireRejects checks that segment index is the first not explained and
// that the alternative names want among its differences.
func requireRejects(t *testing.T, obs []Observation, opts Options, index int, want string) Result {
	t.Helper()
	res := Check(obs, opts)
	require.Equal(t, DoesNotConform, res.Verdict)
	require.Equal(t, index, res.Index, "rejected %s: %s", res.Segment, res.Reason)
	require.Equal(t, obs[index], res.Segment)
	require.NotEmpty(t, res.Instead)
	require.Contains(t, strings.Join(res.Instead[0].Mismatch, "; "), want)
	return res
}

// §3.5 Figure 6 and §3.6 Figure 12: a three-way handshake, data each way
// with delayed ACKs, and a four-segment close.
func TestHandshakeDataClose(t *testing.T) {
	obs := with(handshake,
		seg(a, ack, 101, 301, 5),    // "hello"
		seg(b, ack, 301, 106, 0),    // ACK
		seg(b, ack, 301, 106, 5),    // "world"
		seg(a, ack, 106, 306, 0),    // ACK
		seg(a, finAck, 106, 306, 0), // CLOSE: FIN-WAIT-1
		seg(b, ack, 306, 107, 0),    // CLOSE-WAIT
		seg(b, finAck, 306, 107, 0), // LAST-ACK
		seg(a, ack, 107, 307, 0),    // TIME-WAIT
	)
	res := requireConforms(t, obs, Options{AtSender: true})
	require.True(t, res.Handshake)
	require.Equal(t, 1, res.Incarnations)
	c := New(Options{})
	for _, o := range obs {
		require.False(t, c.Decided())
		require.True(t, c.Observe(o))
	}
	require.True(t, c.Decided(), "both FINs acknowledged")
}

// §3.4: sequence numbers are compared modulo 2^32; an ISS just below 2^32
// wraps during the handshake and the data.
func TestWraparound(t *testing.T) {
	const iss = 4294967290
	requireConforms(t, []Observation{
		seg(a, syn, iss, 0, 0),
		seg(b, synAck, 7, iss+1, 0),
		seg(a, ack, iss+1, 8, 10), // the data crosses 2^32
		seg(b, ack, 8, 5, 0),      // (iss+1+10) mod 2^32
		seg(a, finAck, 5, 8, 0),
		seg(b, finAck, 8, 6, 0),
		seg(a, ack, 6, 9, 0),
	}, Options{AtSender: true})
	requireRejects(t, []Observation{
		seg(a, syn, iss, 0, 0), seg(b, synAck, 7, iss+1, 0), seg(a, ack, iss+1, 8, 10), seg(b, ack, 8, 6, 0),
	}, Options{}, 3, "ack must be at most 5, got 6")
}

// A connection carrying more than 2^32 bytes: positions are unwrapped,
// so the ACKs keep being checked exactly.
func TestManyWraparounds(t *testing.T) {
	obs := with(handshake)
	seq := uint32(101)
	for range 5000 { // 5000 × 1 MB
		obs = append(obs, seg(a, ack, seq, 301, 1<<20), seg(b, ack, 301, seq+1<<20, 0))
		seq += 1 << 20
	}
	requireConforms(t, obs, Options{AtSender: true})
	requireRejects(t, with(obs, seg(b, ack, 301, seq+1, 0)), Options{}, len(obs), "ack must be at most")
}

// The three-segment close Linux sends when the peer closes at once: its
// ACK of the FIN rides on its own FIN; and §3.6 Figure 13, both FINs
// crossing.
func TestCloses(t *testing.T) {
	requireConforms(t, with(handshake,
		seg(a, finAck, 101, 301, 0), seg(b, finAck, 301, 102, 0), seg(a, ack, 102, 302, 0),
	), Options{AtSender: true})
	requireConforms(t, with(handshake,
		seg(a, finAck, 101, 301, 0), seg(b, finAck, 301, 101, 0), seg(a, ack, 102, 302, 0), seg(b, ack, 302, 102, 0),
	), Options{AtSender: true})
}

// §3.5 Figure 8: both SYNs cross, each side answers with a SYN,ACK.
func TestSimultaneousOpen(t *testing.T) {
	requireConforms(t, []Observation{
		seg(a, syn, 100, 0, 0),
		seg(b, syn, 300, 0, 0),
		seg(a, synAck, 100, 301, 0),
		seg(b, synAck, 300, 101, 0),
		seg(a, ack, 101, 301, 5),
		seg(b, ack, 301, 106, 0),
	}, Options{AtSender: true})
}

// §3.10.7.1: a SYN to a port with no listener draws
// <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; an ACK beyond the SYN is
// of something never sent. A new SYN after the RST is a new connection.
func TestSynToClosedPort(t *testing.T) {
	requireConforms(t, []Observation{seg(a, syn, 100, 0, 0), seg(b, rstAck, 0, 101, 0)}, Options{})
	requireRejects(t, []Observation{seg(a, syn, 100, 0, 0), seg(b, rstAck, 0, 102, 0)}, Options{}, 1, "ack must be at most 101, got 102")
	res := requireConforms(t, []Observation{seg(a, syn, 100, 0, 0), seg(b, rstAck, 0, 101, 0), seg(a, syn, 5000, 0, 0), seg(b, rstAck, 0, 5001, 0)}, Options{})
	require.Equal(t, 2, res.Incarnations)
}

// §3.10.8: a lost SYN is retransmitted with the same ISS; a SYN,ACK
// retransmitted keeps its ISS too.
func TestSynRetransmitted(t *testing.T) {
	requireConforms(t, []Observation{
		seg(a, syn, 100, 0, 0), seg(a, syn, 100, 0, 0), seg(b, synAck, 300, 101, 0), seg(a, ack, 101, 301, 0),
	}, Options{AtSender: true})
	requireRejects(t, []Observation{
		seg(a, syn, 100, 0, 0), seg(b, synAck, 300, 101, 0), seg(b, synAck, 301, 101, 0),
	}, Options{}, 2, "seq must be 300, got 301")
	// The listener gave up SYN-RECEIVED and answers A's next SYN anew.
	requireConforms(t, []Observation{
		seg(a, syn, 100, 0, 0), seg(b, synAck, 300, 101, 0), seg(a, syn, 100, 0, 0), seg(b, synAck, 900, 101, 0), seg(a, ack, 101, 901, 0),
	}, Options{})
}

// A SYN,ACK acknowledges the SYN: ISS+1 exactly, not ISS+2 (a byte never
// sent) and not ISS (nothing).
func TestSynAckAcknowledgesTheSyn(t *testing.T) {
	requireRejects(t, []Observation{seg(a, syn, 100, 0, 0), seg(b, synAck, 300, 102, 0)}, Options{}, 1, "ack must be 101, got 102")
	requireRejects(t, []Observation{seg(a, syn, 100, 0, 0), seg(b, synAck, 300, 100, 0)}, Options{}, 1, "ack must be at least 101, got 100")
}

// A second ISS in one connection: a SYN while the connection is open.
// Once its FIN is acknowledged (TIME-WAIT) or after a RST, a SYN with a
// new ISS is a new incarnation (§3.6.1 TIME-WAIT reuse).
func TestSecondISS(t *testing.T) {
	data := with(handshake, seg(a, ack, 101, 301, 5), seg(b, ack, 301, 106, 0))
	res := requireRejects(t, with(data, seg(a, syn, 7000, 0, 0)), Options{}, 5, "seq must be 100, got 7000")
	require.Contains(t, res.Reason, "second ISS")
	closed := with(data, seg(a, finAck, 106, 301, 0), seg(b, finAck, 301, 107, 0), seg(a, ack, 107, 302, 0))
	res = requireConforms(t, with(closed,
		seg(a, syn, 7000, 0, 0), seg(b, synAck, 9000, 7001, 0), seg(a, ack, 7001, 9001, 3)), Options{})
	require.Equal(t, 2, res.Incarnations)
	requireConforms(t, with(data, seg(b, rst, 301, 0, 0), seg(a, syn, 7000, 0, 0)), Options{})
}

// §3.10.8 with Linux's repacketizing: unacknowledged data may be
// retransmitted cut or joined differently; duplicates and reordering are
// the network's.
func TestRetransmissionDuplicationReordering(t *testing.T) {
	sent := with(handshake, seg(a, ack, 101, 301, 50), seg(a, ack, 151, 301, 50))
	res := requireConforms(t, with(sent, seg(a, ack, 101, 301, 100), seg(b, ack, 301, 201, 0)), Options{AtSender: true})
	require.Equal(t, 1, res.Retransmissions)
	// seen at the receiver: the second segment first, a duplicate, a
	// duplicate ACK arriving after a newer one
	res = requireConforms(t, with(handshake,
		seg(a, ack, 151, 301, 50), seg(b, ack, 301, 101, 0), seg(a, ack, 101, 301, 50), seg(a, ack, 101, 301, 50),
		seg(b, ack, 301, 201, 0), seg(b, ack, 301, 101, 0),
	), Options{})
	require.Equal(t, 1, res.Gaps)
	// the same is a violation when the capture shows all A sent
	requireRejects(t, timed(with(handshake, seg(a, ack, 151, 301, 50), seg(b, ack, 301, 101, 0), seg(a, ack, 101, 301, 50))),
		Options{AtSender: true}, 3, "seq must be at most 101, got 151")
}

// A segment lost before the capture point: never in the capture, later
// retransmitted; acknowledged only once it was seen.
func TestLossBeforeCapture(t *testing.T) {
	lost := with(handshake, seg(a, ack, 101, 301, 50), seg(a, ack, 201, 301, 50), seg(b, ack, 301, 151, 0))
	requireConforms(t, with(lost, seg(a, ack, 151, 301, 50), seg(b, ack, 301, 251, 0)), Options{})
	requireRejects(t, timed(with(lost, seg(b, ack, 301, 251, 0))), Options{}, 6, "ack must be at most 151, got 251")
}

// Capture-order tolerance: an ACK recorded a little before the data it
// acknowledges is explained; 10ms before, it is not.
func TestCaptureSkew(t *testing.T) {
	obs := with(handshake, at(seg(b, ack, 301, 106, 0), time.Second), at(seg(a, ack, 101, 301, 5), time.Second+20*time.Microsecond))
	requireConforms(t, obs, Options{AtSender: true})
	obs[4].At = time.Second + 10*time.Millisecond
	requireRejects(t, obs, Options{}, 3, "ack must be at most 101, got 106")
	requireConforms(t, obs, Options{Skew: 20 * time.Millisecond})
	obs[4].At = time.Second + time.Microsecond
	requireRejects(t, obs, Options{Skew: -1}, 3, "ack must be at most 101, got 106")
}

// ABORT (§3.10.5): <SEQ=SND.NXT><CTL=RST>; nothing new after it.
func TestAbort(t *testing.T) {
	data := with(handshake, seg(b, ack, 301, 101, 11), seg(a, ack, 101, 312, 0))
	requireConforms(t, with(data, seg(a, rstAck, 101, 312, 0)), Options{AtSender: true})
	requireConforms(t, with(data, seg(a, rst, 101, 0, 0)), Options{AtSender: true})
	res := requireRejects(t, timed(with(data, seg(a, rstAck, 1101, 312, 0))), Options{AtSender: true}, 5, "seq must be at most 101, got 1101")
	require.Equal(t, []model.ConnState{model.Established}, res.States[a])
	require.Contains(t, res.Limitation, "--at-sender")
	// Without --at-sender, 1000 bytes may have been lost before the
	// capture point.
	requireConforms(t, with(data, seg(a, rstAck, 1101, 312, 0)), Options{})
	// Data after its own RST: only copies of what was sent before.
	reset := with(data, seg(a, ack, 101, 312, 20), seg(a, rstAck, 121, 312, 0))
	requireConforms(t, with(reset, seg(a, ack, 101, 312, 20)), Options{})
	requireRejects(t, with(reset, seg(a, ack, 121, 312, 5)), Options{}, 7, "must end by 121, got 126")
}

// A FIN is the last sequence number: no data after it, no second FIN
// elsewhere, no FIN before data already sent.
func TestFinIsLast(t *testing.T) {
	fin := with(handshake, seg(a, ack, 101, 301, 5), seg(a, finAck, 106, 301, 0))
	requireConforms(t, with(fin, seg(a, finAck, 106, 301, 0), seg(a, ack, 101, 301, 5)), Options{})
	requireRejects(t, with(fin, seg(a, ack, 107, 301, 5)), Options{}, 5, "data must end by 106, got 112")
	requireRejects(t, with(fin, seg(a, finAck, 107, 301, 3)), Options{}, 5, "the FIN must be at 106, got 110")
	requireRejects(t, with(handshake, seg(a, ack, 101, 301, 5), seg(a, finAck, 103, 301, 0)), Options{}, 4, "the FIN must be at 106 or later, got 103")
}

// An acknowledgment of data never sent, at once or after the tolerance.
func TestAckOfDataNeverSent(t *testing.T) {
	obs := with(handshake, seg(a, ack, 101, 301, 5), seg(b, ack, 301, 107, 0))
	res := requireRejects(t, obs, Options{}, 4, "ack must be at most 106, got 107")
	require.Equal(t, "<SEQ=301><ACK=..106><CTL=ACK>", res.Instead[0].Segment)
	require.Equal(t, []model.ConnState{model.Established}, res.States[b])
	require.Contains(t, res.Reason, "never seen to send")
}

// §3.8.6: a sender stays within the window; a jump beyond anything the
// peer allowed is not a loss before the capture.
func TestSequenceJumpBeyondWindow(t *testing.T) {
	obs := with(handshake, seg(a, ack, 101, 301, 5), seg(a, ack, 2000101, 301, 5))
	requireRejects(t, obs, Options{}, 4, "must end by 65637, got 2000106")
	// Window scaling (RFC 7323): with shift 7 both ways, the same
	// window reaches 301+65535·128.
	scaled := with(handshake)
	scaled[0].Scale, scaled[1].Scale = 7, 7
	requireConforms(t, with(scaled, seg(a, ack, 101, 301, 5), seg(b, ack, 301, 106, 0), seg(a, ack, 2000101, 301, 5)), Options{})
	// A zero window (§3.8.6.1): one byte beyond it is a probe.
	zero := with(handshake, wnd(seg(b, ack, 301, 101, 0), 0))
	zero[1].Wnd = 0
	requireConforms(t, with(zero, seg(a, ack, 101, 301, 1)), Options{})
	requireRejects(t, with(zero, seg(a, ack, 101, 301, 2)), Options{}, 4, "must end by 102, got 103")
}

// §3.8.4 and §3.8.6.1: keep-alives and zero-window probes,
// <SEQ=SND.UNA-1><ACK=RCV.NXT><CTL=ACK>, are TCP: accepted by default,
// with or without a byte, and counted.
func TestKeepAliveAndProbes(t *testing.T) {
	obs := with(handshake, seg(a, ack, 101, 301, 5), seg(b, ack, 301, 106, 0),
		seg(a, ack, 105, 301, 0), seg(b, ack, 301, 106, 0), seg(a, ack, 105, 301, 1), seg(b, ack, 301, 106, 0))
	res := requireConforms(t, obs, Options{AtSender: true})
	require.Equal(t, 1, res.Probes)
	require.Equal(t, 1, res.Retransmissions)
}

// Seed §3: no segment with SYN carries data, unless Fast Open is allowed
// (RFC 7413), and then the listener may take the data or not.
func TestDataOnSyn(t *testing.T) {
	obs := []Observation{seg(a, syn, 100, 0, 5), seg(b, synAck, 300, 106, 0), seg(a, ack, 106, 301, 0)}
	res := Check(obs, Options{})
	require.Equal(t, DoesNotConform, res.Verdict)
	require.Equal(t, 0, res.Index)
	require.Equal(t, "no-data-on-syn", res.Property)
	require.Contains(t, res.Reason, "no-data-on-syn")
	require.Contains(t, res.Limitation, "--allow-syn-data")
	require.Equal(t, []string{"must carry no data, got 5 bytes"}, res.Instead[0].Mismatch)

	requireConforms(t, obs, Options{AllowSynData: true})
	requireConforms(t, []Observation{
		seg(a, syn, 100, 0, 5), seg(b, synAck, 300, 101, 0), seg(a, ack, 101, 301, 5), seg(b, ack, 301, 106, 0),
	}, Options{AllowSynData: true})
}

// A capture that begins mid-connection: the first segments set where
// each side was; the handshake is reported as not seen.
func TestCaptureFromTheMiddle(t *testing.T) {
	obs := []Observation{
		seg(a, ack, 5000, 9000, 100), seg(b, ack, 9000, 5100, 0), seg(b, ack, 9000, 5100, 30),
		seg(a, ack, 5100, 9030, 0), seg(a, finAck, 5100, 9030, 0), seg(b, finAck, 9030, 5101, 0), seg(a, ack, 5101, 9031, 0),
	}
	res := requireConforms(t, obs, Options{AtSender: true})
	require.False(t, res.Handshake)
	// What B sent before the capture began is unknown, up to the right
	// edge of the first window A advertised (scaled by up to 2^14: the
	// handshake is not seen); beyond it, an ACK is of data never sent.
	requireConforms(t, with(obs[:3], seg(a, ack, 5100, 9031, 0)), Options{})
	requireRejects(t, with(obs[:3], seg(a, ack, 5100, 9000+1500000000, 0)), Options{}, 3, "ack must be at most 9030, got 1500009000")
	res = requireRejects(t, with(obs[:3], seg(a, syn, 1, 0, 0)), Options{}, 3, "a SYN needs the connection CLOSED")
	require.Contains(t, res.Reason, "middle of a connection")
}

// A segment recorded long before what explains it fails at its own index,
// even when the capture goes on.
func TestLateFailureNamesTheSegment(t *testing.T) {
	obs := timed(with(handshake, seg(b, ack, 301, 106, 0), seg(a, ack, 101, 301, 5), seg(b, ack, 301, 106, 0)))
	c := New(Options{})
	require.True(t, c.Observe(obs[0]))
	require.True(t, c.Observe(obs[1]))
	require.True(t, c.Observe(obs[2]))
	require.True(t, c.Observe(obs[3]), "within the tolerance so far")
	require.False(t, c.Observe(obs[4]), "10ms later: too late")
	res := c.Result()
	require.Equal(t, 3, res.Index)
	require.Equal(t, 3, res.Segments)
}
