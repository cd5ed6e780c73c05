package graphs

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/model"
)

// lossyHandshake is a handshake in which the network duplicates A's SYN
// and loses B's SYN,ACK, which B retransmits at the end.
func lossyHandshake(t *testing.T) (*model.Model, []act) {
	m := mustModel(t, "handshake", func(c *model.Config) { c.MaxDups = 1 })
	return m, []act{
		{model.PassiveOpen, B}, {model.ActiveOpen, A}, {model.Duplicate, A},
		{model.Deliver, B}, {model.Lose, B}, {model.Deliver, B}, {model.Deliver, A},
		{model.RetransmitTimeout, B},
	}
}

// Segments are followed from send to delivery through loss and
// duplication.
func TestTraceChartSegments(t *testing.T) {
	m, script := lossyHandshake(t)
	c, err := TraceChart(m, play(t, m, script...), NoLoop)
	require.NoError(t, err)
	require.Len(t, c.rows, len(script)+1)

	syn, dup, synAck := c.segs[0], c.segs[1], c.segs[2]
	require.Equal(t, model.SYN, syn.seg.Flags)
	require.Equal(t, A, syn.from)
	require.Equal(t, 2, syn.sent, "sent by the active OPEN, step 2")
	require.Equal(t, 4, syn.end, "delivered at step 4")
	require.False(t, syn.lost)

	require.Equal(t, 1, dup.copyOf, "a copy of #1")
	original := dup.seg
	original.Delayed = false
	require.Equal(t, syn.seg, original, "the same segment, travelling as a delayed copy")
	require.True(t, dup.seg.Delayed)
	require.Equal(t, syn.sent, dup.sent, "drawn from where the original was sent")
	require.Equal(t, 6, dup.end)

	require.Equal(t, model.SYN|model.ACK, synAck.seg.Flags)
	require.Equal(t, B, synAck.from)
	require.True(t, synAck.lost)
	require.Equal(t, 5, synAck.end)

	require.Equal(t, "rcv #1: LISTEN→SYN-RECEIVED", c.rows[4].text[B])
	require.Equal(t, "", c.rows[5].text[A]+c.rows[5].text[B], "a loss is the network's: no lifeline says anything")
	for _, sg := range c.segs {
		require.Equal(t, sg.id == len(c.segs), sg.end < 0, "#%d: only the retransmitted SYN,ACK is in flight", sg.id)
	}
	retransmitted := c.segs[len(c.segs)-1].seg
	require.True(t, synAck.seg.Timely, "the first SYN,ACK answers the SYN")
	require.False(t, retransmitted.Timely, "the retransmission answers a timer, not a segment")
	retransmitted.Timely, retransmitted.Aged = synAck.seg.Timely, synAck.seg.Aged // ghosts of the timing abstraction
	require.Equal(t, synAck.seg, retransmitted, "the retransmission: the same segment")
	require.Equal(t, "retransmission timeout (after 1s)", c.rows[8].text[B])
}

// The text and the DOT of the chart, as golden files.
func TestTraceChartGolden(t *testing.T) {
	m, script := lossyHandshake(t)
	c, err := TraceChart(m, play(t, m, script...), NoLoop)
	require.NoError(t, err)
	c.Title = "handshake with a duplicate and a loss"
	text := c.Text()
	golden(t, "trace-lossy-handshake.txt", []byte(text))
	golden(t, "trace-lossy-handshake.dot", c.DOT())
	require.Equal(t, string(c.DOT()), string(c.DOT()), "the same chart gives the same bytes")

	require.Contains(t, text, "lost ✕──── #3")
	require.Contains(t, text, "#1 duplicated as #2")
	require.Contains(t, text, "✗ violation at step 8")
	require.Contains(t, text, "still in flight")
	dot := string(c.DOT())
	require.Contains(t, dot, `label="× #3 lost"`)
	require.Contains(t, dot, `✕ lost at step 5"`)
	require.Contains(t, dot, "(copy of #1)")
	require.Contains(t, dot, "(still in flight)")
	require.Contains(t, dot, "✗ violation at step 8")
	// A row per step and the header, and one more for each segment whose
	// label cannot go on its step's first row: the copy (#2, a second
	// label on step 2's rows) and the SYN,ACK retransmitted at step 8,
	// whose row carries the violation.
	require.Equal(t, len(script)+2+2, strings.Count(dot, `rank="same"`))
}

// A lasso marks where its loop starts and that the last step goes back
// there; a behaviour that stutters says so.
func TestTraceChartLasso(t *testing.T) {
	m := mustModel(t, "handshake", nil)
	trace := play(t, m, handshakeScript...)
	c, err := TraceChart(m, trace, 2)
	require.NoError(t, err)
	text := c.Text()
	require.Contains(t, text, "↻ loop: after step 2 the behaviour repeats")
	require.Contains(t, text, "↺ back to step 2: steps 3–5 repeat forever")
	require.NotContains(t, text, "violation")
	require.Contains(t, string(c.DOT()), "↺ back to step 2")

	c, err = TraceChart(m, trace, len(trace)-1)
	require.NoError(t, err)
	require.Contains(t, c.Text(), "↻ stays at step 5 forever")
	require.NotContains(t, c.Text(), "loop:")
}

// A trace that is not a behaviour of the model is an error.
func TestTraceChartErrors(t *testing.T) {
	m := mustModel(t, "handshake", nil)
	trace := play(t, m, handshakeScript...)

	_, err := TraceChart(m, nil, NoLoop)
	require.Error(t, err)
	_, err = TraceChart(m, trace, len(trace))
	require.ErrorContains(t, err, "loop start")
	_, err = TraceChart(m, trace[1:], NoLoop)
	require.ErrorContains(t, err, "step 0")

	bad := append(trace[:0:0], trace...)
	bad[3].State.Ep[B].State = model.Closed
	_, err = TraceChart(m, bad, NoLoop)
	require.ErrorContains(t, err, "step 3")

	other := mustModel(t, "handshake", func(c *model.Config) { c.ISNs[B] = []uint32{7} })
	_, err = TraceChart(other, trace, NoLoop)
	require.Error(t, err, "the trace of another model")
}

// A duplicated answer (timely when sent) is charted as the model copies
// it: a delayed copy holds no timer, so it is not timely, and the chart
// still follows both to their delivery.
func TestTraceChartDuplicatedAnswer(t *testing.T) {
	m := mustModel(t, "handshake", func(c *model.Config) { c.MaxDups = 1 })
	script := []act{
		{model.PassiveOpen, B}, {model.ActiveOpen, A}, {model.Deliver, B},
		{model.Duplicate, B}, {model.Deliver, A}, {model.Deliver, A},
	}
	trace := play(t, m, script...)
	c, err := TraceChart(m, trace, NoLoop)
	require.NoError(t, err)
	synAck, copied := c.segs[1], c.segs[2]
	require.True(t, synAck.seg.Timely)
	require.Equal(t, synAck.seg.DelayedCopy(), copied.seg)
	require.Equal(t, 6, copied.end, "the copy is delivered at the last step")
}
