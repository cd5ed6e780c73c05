package conform

import (
	"strings"
	"testing"

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
// with n bytes of data.
func seg(side model.Side, flags model.Flags, seq, ackNum, n uint32) Observation {
	return Observation{From: side, Segment: Segment{Seq: model.SeqNum(seq), Ack: model.SeqNum(ackNum), Flags: flags, Len: n}}
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

func requireConforms(t *testing.T, obs []Observation, opts Options) {
	t.Helper()
	res := Check(obs, opts)
	require.Equal(t, Conforms, res.Verdict, "segment %d %s: %s; instead %v", res.Index, res.Segment, res.Reason, res.Instead)
	require.Equal(t, len(obs), res.Segments)
}

// requireRejects checks that segment index is the first not explained and
// that the closest alternative names want among its differences.
func requireRejects(t *testing.T, obs []Observation, opts Options, index int, want string) Result {
	t.Helper()
	res := Check(obs, opts)
	require.Equal(t, DoesNotConform, res.Verdict)
	require.Equal(t, index, res.Index, "rejected %s", res.Segment)
	require.Equal(t, obs[index], res.Segment)
	require.NotEmpty(t, res.Instead)
	require.Contains(t, strings.Join(res.Instead[0].Mismatch, "; "), want)
	return res
}

// §3.5 Figure 6 and §3.6 Figure 12: a three-way handshake, data each way
// with delayed ACKs, and a four-segment close.
func TestHandshakeDataClose(t *testing.T) {
	requireConforms(t, with(handshake,
		seg(a, ack, 101, 301, 5),    // "hello"
		seg(b, ack, 301, 106, 0),    // ACK
		seg(b, ack, 301, 106, 5),    // "world"
		seg(a, ack, 106, 306, 0),    // ACK
		seg(a, finAck, 106, 306, 0), // CLOSE: FIN-WAIT-1
		seg(b, ack, 306, 107, 0),    // CLOSE-WAIT
		seg(b, finAck, 306, 107, 0), // LAST-ACK
		seg(a, ack, 107, 307, 0),    // TIME-WAIT
	), Options{})
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
	}, Options{})
}

// The three-segment close Linux sends when the peer closes at once: its
// ACK of the FIN rides on its own FIN.
func TestThreeSegmentClose(t *testing.T) {
	requireConforms(t, with(handshake,
		seg(a, finAck, 101, 301, 0),
		seg(b, finAck, 301, 102, 0),
		seg(a, ack, 102, 302, 0),
	), Options{})
}

// §3.6 Figure 13: both FINs cross; each side goes through CLOSING.
func TestSimultaneousClose(t *testing.T) {
	obs := with(handshake,
		seg(a, finAck, 101, 301, 0),
		seg(b, finAck, 301, 101, 0), // B had not received A's FIN
		seg(a, ack, 102, 302, 0),
		seg(b, ack, 302, 102, 0),
	)
	requireConforms(t, obs, Options{})
}

// §3.5 Figure 8: both SYNs cross, each side answers with a SYN,ACK from
// SYN-RECEIVED, and (Linux) each takes the other's SYN,ACK as the ACK of
// its SYN and sends data before any bare ACK arrives.
func TestSimultaneousOpen(t *testing.T) {
	requireConforms(t, []Observation{
		seg(a, syn, 100, 0, 0),
		seg(b, syn, 300, 0, 0),
		seg(a, synAck, 100, 301, 0),
		seg(b, synAck, 300, 101, 0),
		seg(a, ack, 101, 301, 5),
		seg(b, ack, 301, 106, 0),
	}, Options{})
}

// §3.10.7.1: a SYN to a port with no listener draws
// <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; any other numbers are wrong.
func TestSynToClosedPort(t *testing.T) {
	requireConforms(t, []Observation{seg(a, syn, 100, 0, 0), seg(b, rstAck, 0, 101, 0)}, Options{})
	res := requireRejects(t, []Observation{seg(a, syn, 100, 0, 0), seg(b, rstAck, 0, 102, 0)}, Options{}, 1, "ack must be 101, got 102")
	require.Contains(t, res.Instead[0].What, "RST answering <SEQ=100><CTL=SYN>")
}

// §3.10.8: a lost SYN is retransmitted with the same ISS; the copies that
// arrive late are old duplicates.
func TestLostSynRetransmitted(t *testing.T) {
	requireConforms(t, []Observation{
		seg(a, syn, 100, 0, 0),
		seg(a, syn, 100, 0, 0),
		seg(b, synAck, 300, 101, 0),
		seg(a, ack, 101, 301, 0),
	}, Options{})
	// A SYN,ACK retransmitted must keep its ISS. (A SYN with a new ISS
	// would be a new connection: CLOSE, then OPEN again.)
	requireRejects(t, []Observation{
		seg(a, syn, 100, 0, 0), seg(b, synAck, 300, 101, 0), seg(b, synAck, 301, 101, 0),
	}, Options{}, 2, "seq must be 300, got 301")
}

// The seed's lost third segment: B retransmits its SYN,ACK from
// SYN-RECEIVED, A answers each copy with a duplicate ACK (§3.10.7.4 first
// step), and A's first data segment completes the handshake.
func TestLostThirdACK(t *testing.T) {
	requireConforms(t, with(handshake,
		seg(b, synAck, 300, 101, 0),
		seg(a, ack, 101, 301, 0),
		seg(b, synAck, 300, 101, 0),
		seg(a, ack, 101, 301, 0),
		seg(a, ack, 101, 301, 5),
		seg(b, ack, 301, 106, 0),
	), Options{})
}

// A FIN lost, or its ACK lost: LAST-ACK retransmits the FIN and TIME-WAIT
// acknowledges it again (§3.10.7.4 first step, TIME-WAIT).
func TestFinRetransmittedFromLastAck(t *testing.T) {
	requireConforms(t, with(handshake,
		seg(a, finAck, 101, 301, 0),
		seg(b, finAck, 301, 102, 0),
		seg(a, ack, 102, 302, 0),
		seg(b, finAck, 301, 102, 0),
		seg(a, ack, 102, 302, 0),
	), Options{})
}

// §3.10.8 with Linux's repacketizing: unacknowledged data may be
// retransmitted cut or joined differently, but never beyond SND.NXT.
func TestRetransmission(t *testing.T) {
	sent := with(handshake,
		seg(a, ack, 101, 301, 50),
		seg(a, ack, 151, 301, 50),
	)
	requireConforms(t, with(sent, seg(a, ack, 101, 301, 100)), Options{})
	requireConforms(t, with(sent, seg(b, ack, 301, 151, 0), seg(a, ack, 151, 301, 50)), Options{})
	requireRejects(t, with(sent, seg(a, ack, 101, 301, 101)), Options{}, 5, "data must end by 201, got 202")
	// Once A has B's acknowledgment of everything (it acknowledges B's
	// data, which came after it), nothing is left to retransmit.
	acked := with(sent, seg(b, ack, 301, 201, 0), seg(b, ack, 301, 201, 7), seg(a, ack, 201, 308, 0))
	requireConforms(t, acked, Options{})
	requireRejects(t, with(acked, seg(a, ack, 101, 308, 100)), Options{}, 8, "seq must be 201, got 101")
}

// ABORT (§3.10.5), or Linux's CLOSE with unread data: <SEQ=SND.NXT>
// <CTL=RST>, with or without <ACK=RCV.NXT>.
func TestAbort(t *testing.T) {
	data := with(handshake, seg(b, ack, 301, 101, 11), seg(a, ack, 101, 312, 0))
	requireConforms(t, with(data, seg(a, rstAck, 101, 312, 0)), Options{})
	requireConforms(t, with(data, seg(a, rst, 101, 0, 0)), Options{})
	res := requireRejects(t, with(data, seg(a, rstAck, 1101, 312, 0)), Options{}, 5, "seq must be 101, got 1101")
	require.Equal(t, "RST (ABORT, or CLOSE with unread data)", res.Instead[0].What)
	require.Equal(t, []model.ConnState{model.Established}, res.States[a])
}

// An acknowledgment carries RCV.NXT exactly: one more is something not
// received, one less (with the data delivered) something received twice.
func TestAckOffByOne(t *testing.T) {
	obs := with(handshake, seg(a, ack, 101, 301, 5), seg(b, ack, 301, 107, 0))
	res := requireRejects(t, obs, Options{}, 4, "ack must be 106, got 107")
	require.Equal(t, "<SEQ=301><ACK=106><CTL=ACK>", res.Instead[0].Segment)
	require.Equal(t, "acknowledgment or window update", res.Instead[0].What)
	// The other explanation: the data had not arrived yet.
	require.Equal(t, "<SEQ=301><ACK=101><CTL=ACK>", res.Instead[1].Segment)
	// B may not have had A's third segment yet: the capture cannot tell.
	require.Equal(t, []model.ConnState{model.SynReceived, model.Established}, res.States[b])
}

// A FIN is acknowledged by RCV.NXT past it, in the ACK or on the peer's
// own FIN.
func TestFinAckedWrongly(t *testing.T) {
	obs := with(handshake, seg(a, finAck, 101, 301, 0), seg(b, finAck, 301, 103, 0))
	res := requireRejects(t, obs, Options{}, 4, "ack must be 102, got 103")
	require.Equal(t, "FIN (CLOSE)", res.Instead[0].What)
	require.Equal(t, []model.ConnState{model.SynReceived, model.Established, model.CloseWait}, res.States[b])
	require.Equal(t, []model.ConnState{model.FinWait1}, res.States[a])
}

// A data segment at a sequence number its sender never reached.
func TestSegmentFromNowhere(t *testing.T) {
	obs := with(handshake, seg(a, ack, 101, 301, 5), seg(a, ack, 2000101, 301, 5))
	requireRejects(t, obs, Options{}, 4, "seq must be 106, got 2000101")
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
	require.Equal(t, []string{"must carry no data, got 5 bytes"}, res.Instead[0].Mismatch)

	requireConforms(t, obs, Options{AllowSynData: true})
	// The listener acknowledges only the SYN; the data is sent again.
	requireConforms(t, []Observation{
		seg(a, syn, 100, 0, 5), seg(b, synAck, 300, 101, 0), seg(a, ack, 101, 301, 5), seg(b, ack, 301, 106, 0),
	}, Options{AllowSynData: true})
}

// §3.10.7.4 second step: a RST resets only when it is in the window; an
// acceptable one leaves the receiver CLOSED, which answers what follows
// with a RST (§3.10.7.1).
func TestResetThenRST(t *testing.T) {
	obs := with(handshake,
		seg(a, rstAck, 101, 301, 0),
		seg(b, ack, 301, 101, 3), // B had not seen the RST yet
		seg(a, rst, 101, 0, 0),   // A, CLOSED, answers B's data
	)
	requireConforms(t, obs, Options{})
	res := requireRejects(t, with(obs[:5], seg(a, rst, 102, 0, 0)), Options{}, 5, "seq must be 101, got 102")
	require.Equal(t, "RST answering <SEQ=301><ACK=101><CTL=ACK><DATA=3>", res.Instead[0].What)
	require.Equal(t, []model.ConnState{model.Closed, model.Listen}, res.States[a])
}

// A segment an endpoint could only send before it existed: a bare ACK
// first, from CLOSED.
func TestCaptureFromTheMiddle(t *testing.T) {
	res := requireRejects(t, []Observation{seg(a, ack, 101, 301, 0)}, Options{}, 0, "flags must be SYN, got ACK")
	require.Equal(t, []model.ConnState{model.Closed, model.Listen}, res.States[a])
}

// The bound on configurations gives Unknown, not a wrong verdict.
func TestMaxConfigs(t *testing.T) {
	res := Check(with(handshake, seg(a, ack, 101, 301, 5)), Options{MaxConfigs: 1})
	require.Equal(t, Unknown, res.Verdict)
}

// §3.8.4: a keep-alive carries SEG.SEQ = SND.NXT-1 (Linux: SND.UNA-1).
// Accepting it makes a pure ACK whose SEQ is one short acceptable, so it
// takes Options.AllowKeepAlive.
func TestKeepAlive(t *testing.T) {
	obs := with(handshake, seg(a, ack, 100, 301, 0))
	requireRejects(t, obs, Options{}, 3, "seq must be 101, got 100")
	requireConforms(t, obs, Options{AllowKeepAlive: true})
}
