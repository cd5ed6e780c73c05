package graphs

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/emicklei/dot"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
)

// NoLoop is the loopStart of a trace that is not a lasso.
const NoLoop = -1

// Chart is a counterexample drawn as a message sequence chart: the
// lifelines of A and B, time flowing down one row per step, and each
// segment an arrow from its sender's lifeline at the step it was sent to
// its receiver's at the step it was delivered.
type Chart struct {
	// Title is written above the chart, e.g. the violated property.
	Title string
	// End replaces "✗ violation" at the last step of a trace that is not
	// a lasso, for a trace that shows a behaviour rather than a failure
	// (e.g. "✓ reached").
	End string

	loopStart int
	rows      []chartRow
	segs      []chartSeg
}

// chartRow is one step of the trace: what each lifeline says, and what the
// network did.
type chartRow struct {
	text      [2]string // each endpoint's annotation, "" when it did nothing
	actor     int       // the side that acted, -1 for the initial row and the network
	delivered []int     // indexes in segs of the segments delivered at this step
	lost      []int
	copied    [][2]int // duplications: original, copy
	sent      []int    // segments sent at this step
}

// chartSeg is one segment in flight: sent by From at row Sent, delivered
// or lost at row End (-1 while still in flight when the trace ends).
type chartSeg struct {
	id     int // 1-based, as the chart prints it: #1, #2, …
	from   model.Side
	seg    model.Segment
	sent   int
	end    int
	lost   bool
	copyOf int // the id of the segment this is a network copy of, or 0
}

func (c *chartSeg) label() string {
	s := fmt.Sprintf("#%d %s", c.id, c.seg)
	if c.copyOf != 0 {
		s = fmt.Sprintf("#%d (copy of #%d) %s", c.id, c.copyOf, c.seg)
	}
	return s
}

// TraceChart builds the message sequence chart of trace, a behaviour of
// m: the first step an initial state, each further one a transition.
// loopStart is NoLoop for a counterexample to an invariant, whose last
// step is the violation; for a lasso (checker.Lasso) it is the index of
// the step whose state the last step returns to, so that the steps after
// it repeat forever (the last step itself when the behaviour stutters
// there forever).
//
// Segments are followed through the channels step by step: each segment
// sent (model.Emitted) gets the next number, a delivery or a loss removes
// the segment at the action's index, a duplication appends a copy. An
// error says the trace is not a behaviour of m.
func TraceChart(m *model.Model, trace []checker.Step[model.State, model.Action], loopStart int) (*Chart, error) {
	if len(trace) == 0 {
		return nil, fmt.Errorf("graphs: empty trace")
	}
	if trace[0].HasAction {
		return nil, fmt.Errorf("graphs: step 0 of the trace has an action")
	}
	if loopStart != NoLoop && (loopStart < 0 || loopStart >= len(trace)) {
		return nil, fmt.Errorf("graphs: loop start %d is outside the trace of %d steps", loopStart, len(trace))
	}
	c := &Chart{loopStart: loopStart}
	var inFlight [2][]int // per channel, indexes in c.segs, in channel order
	send := func(row int, side model.Side, g model.Segment) int {
		c.segs = append(c.segs, chartSeg{id: len(c.segs) + 1, from: side, seg: g, sent: row, end: -1})
		k := len(c.segs) - 1
		inFlight[side] = append(inFlight[side], k)
		return k
	}
	take := func(ch model.Side, i uint8) (int, error) {
		if int(i) >= len(inFlight[ch]) {
			return 0, fmt.Errorf("no segment at index %d of channel %s→%s", i, ch, ch.Peer())
		}
		k := inFlight[ch][i]
		inFlight[ch] = append(inFlight[ch][:i:i], inFlight[ch][i+1:]...)
		return k, nil
	}

	first := trace[0].State
	row := chartRow{actor: -1}
	for _, side := range []model.Side{model.A, model.B} {
		row.text[side] = first.Ep[side].State.String()
		for i := 0; i < first.Ch[side].Len(); i++ {
			row.sent = append(row.sent, send(0, side, first.Ch[side].At(i)))
		}
	}
	c.rows = append(c.rows, row)

	for r := 1; r < len(trace); r++ {
		s, st := trace[r-1].State, trace[r]
		a, t := st.Action, st.State
		if !st.HasAction {
			return nil, fmt.Errorf("graphs: step %d of the trace has no action", r)
		}
		if next, ok := m.Step(s, a); !ok || next != t {
			return nil, fmt.Errorf("graphs: step %d: %v from %v does not lead to %v", r, a, s, t)
		}
		row := chartRow{actor: int(a.Side)}
		event := a.Kind.String()
		if a.Kind == model.RetransmitTimeout {
			// RFC 6298: 1 s, doubled at each expiry (the seed's 1 s, 2 s, 4 s).
			event = fmt.Sprintf("%s (after %ds)", event, 1<<a.Index)
		}
		switch a.Kind {
		case model.Deliver:
			k, err := take(a.Side.Peer(), a.Index)
			if err != nil {
				return nil, fmt.Errorf("graphs: step %d: %v: %w", r, a, err)
			}
			c.segs[k].end = r
			row.delivered = append(row.delivered, k)
			event = fmt.Sprintf("rcv #%d", c.segs[k].id)
		case model.Lose:
			k, err := take(a.Side, a.Index)
			if err != nil {
				return nil, fmt.Errorf("graphs: step %d: %v: %w", r, a, err)
			}
			c.segs[k].end, c.segs[k].lost = r, true
			row.lost = append(row.lost, k)
			row.actor, event = -1, ""
		case model.Duplicate:
			if int(a.Index) >= len(inFlight[a.Side]) {
				return nil, fmt.Errorf("graphs: step %d: %v: no segment at index %d", r, a, a.Index)
			}
			orig := inFlight[a.Side][a.Index]
			dup := c.segs[orig].seg.DelayedCopy() // as the model copies it
			k := send(c.segs[orig].sent, a.Side, dup)
			c.segs[k].copyOf = c.segs[orig].id
			row.copied = append(row.copied, [2]int{orig, k})
			row.actor, event = -1, ""
		}
		for _, g := range m.Emitted(s, a) {
			row.sent = append(row.sent, send(r, a.Side, g))
		}
		for _, side := range []model.Side{model.A, model.B} {
			before, after := s.Ep[side], t.Ep[side]
			var parts []string
			if row.actor == int(side) {
				parts = append(parts, event)
			}
			if before.State != after.State {
				parts = append(parts, before.State.String()+"→"+after.State.String())
			}
			if after.Err != model.NoError && after.Err != before.Err {
				parts = append(parts, "("+after.Err.String()+")")
			}
			row.text[side] = strings.Join(parts, ": ")
		}
		// The channels as followed must be the channels of the state.
		for _, side := range []model.Side{model.A, model.B} {
			ch := &t.Ch[side]
			if ch.Len() != len(inFlight[side]) {
				return nil, fmt.Errorf("graphs: step %d: channel %s→%s holds %d segments, followed %d", r, side, side.Peer(), ch.Len(), len(inFlight[side]))
			}
			for i, k := range inFlight[side] {
				// Aged is the timing abstraction's mark, set on segments
				// in flight when a timer expires: not a segment's identity.
				got, want := ch.At(i), c.segs[k].seg
				got.Aged, want.Aged = 0, 0
				if got != want {
					return nil, fmt.Errorf("graphs: step %d: channel %s→%s holds %v at %d, followed %v", r, side, side.Peer(), ch.At(i), i, c.segs[k].seg)
				}
				c.segs[k].seg = ch.At(i)
			}
		}
		c.rows = append(c.rows, row)
	}
	return c, nil
}

// last is the index of the last row.
func (c *Chart) last() int { return len(c.rows) - 1 }

// endMarker is what the chart says at its last step: the violation, or
// where a lasso loops back to.
func (c *Chart) endMarker() string {
	switch {
	case c.loopStart == NoLoop && c.End != "":
		return fmt.Sprintf("%s at step %d", c.End, c.last())
	case c.loopStart == NoLoop:
		return fmt.Sprintf("✗ violation at step %d", c.last())
	case c.loopStart == c.last():
		return fmt.Sprintf("↻ stays at step %d forever", c.last())
	}
	return fmt.Sprintf("↺ back to step %d: steps %d–%d repeat forever", c.loopStart, c.loopStart+1, c.last())
}

// loopMarker is what the chart says at the step a lasso's loop starts
// from, or "" when there is none to say.
func (c *Chart) loopMarker(r int) string {
	if c.loopStart == NoLoop || r != c.loopStart || c.loopStart == c.last() {
		return ""
	}
	return fmt.Sprintf("↻ loop: after step %d the behaviour repeats", r)
}

// Text renders the chart for a terminal: a row per step with A's
// annotation on the left, B's on the right, and the network between them.
// A segment is drawn twice: a long arrow, with its number and its RFC
// notation, at the step it is sent, and a short one at the step it
// arrives ("#1 ──▶" at B, "◀── #2" at A). A lost segment ends in "✕".
//
//	step  A                             network                                        B
//	   1                                                                               passive OPEN: CLOSED→LISTEN
//	   2  active OPEN: CLOSED→SYN-SENT  #1 <SEQ=4294967295><CTL=SYN> ───────────────▶
//	   3                                                                    #1 ──────▶ rcv #1: LISTEN→SYN-RECEIVED
func (c *Chart) Text() string {
	type line struct{ step, a, mid, b string }
	const short = 8 // dashes of an arrival arrow
	// The width of the network column: the longest sent segment's label.
	mid := 24
	for i := range c.segs {
		mid = max(mid, utf8.RuneCountInString(c.segs[i].label())+4)
	}
	dashes := func(n int) string { return strings.Repeat("─", max(n, 1)) }
	right := func(s string) string { return pad("", mid-utf8.RuneCountInString(s)) + s }
	center := func(s string) string { return pad("", (mid-utf8.RuneCountInString(s))/2) + s }

	var lines []line
	for r, row := range c.rows {
		var mids []string
		for _, k := range row.delivered {
			sg := &c.segs[k]
			if sg.from == model.A {
				mids = append(mids, right(fmt.Sprintf("#%d %s▶", sg.id, dashes(short))))
			} else {
				mids = append(mids, fmt.Sprintf("◀%s #%d", dashes(short), sg.id))
			}
		}
		for _, k := range row.lost {
			sg := &c.segs[k]
			if sg.from == model.A {
				mids = append(mids, center(fmt.Sprintf("#%d %s✕ lost", sg.id, dashes(short/2))))
			} else {
				mids = append(mids, center(fmt.Sprintf("lost ✕%s #%d", dashes(short/2), sg.id)))
			}
		}
		for _, p := range row.copied {
			mids = append(mids, center(fmt.Sprintf("#%d duplicated as #%d", c.segs[p[0]].id, c.segs[p[1]].id)))
		}
		for _, k := range row.sent {
			sg := &c.segs[k]
			l := sg.label()
			n := mid - utf8.RuneCountInString(l) - 2
			if sg.from == model.A {
				mids = append(mids, l+" "+dashes(n)+"▶")
			} else {
				mids = append(mids, "◀"+dashes(n)+" "+l)
			}
		}
		if len(mids) == 0 {
			mids = []string{""}
		}
		for i, m := range mids {
			l := line{mid: m}
			if i == 0 {
				l.step, l.a, l.b = fmt.Sprint(r), row.text[model.A], row.text[model.B]
			}
			lines = append(lines, l)
		}
		if m := c.loopMarker(r); m != "" {
			lines = append(lines, line{mid: center(m)})
		}
	}
	lines = append(lines, line{mid: center(c.endMarker())})
	for i := range c.segs {
		if sg := &c.segs[i]; sg.end < 0 {
			lines = append(lines, line{mid: center(fmt.Sprintf("#%d still in flight", sg.id))})
		}
	}

	wa := 1
	for _, l := range lines {
		wa = max(wa, utf8.RuneCountInString(l.a))
	}
	var b strings.Builder
	if c.Title != "" {
		b.WriteString(c.Title + "\n")
	}
	write := func(l line) {
		s := fmt.Sprintf("%4s  %s  %s  %s", l.step, pad(l.a, wa), pad(l.mid, mid), l.b)
		b.WriteString(strings.TrimRight(s, " ") + "\n")
	}
	write(line{step: "step", a: "A", mid: center("network"), b: "B"})
	for _, l := range lines {
		write(l)
	}
	return b.String()
}

// pad fills s with spaces to n runes.
func pad(s string, n int) string {
	if k := n - utf8.RuneCountInString(s); k > 0 {
		return s + strings.Repeat(" ", k)
	}
	return s
}

// The colours of the segments each endpoint sends.
var sideColor = [2]string{model.A: "#1f5fbf", model.B: "#1e8449"}

// DOT renders the chart as a message sequence chart in Graphviz's DOT
// language. Each step is one or more rows of nodes held at one rank
// (rank=same): the step number, A's lifeline, the network column and B's
// lifeline. A lifeline's node is a point, or a box with what the endpoint
// did and the state change; consecutive rows are joined by the lifelines'
// edges.
//
// Each segment's label is a node of its own in the network column, on a
// row of its own: the first rows of a step carry its marks (a loss's red
// "×", a duplication, the violation or the loop), then one row per
// segment the step sent. The segment's arrow runs from the sender's
// lifeline to its label, and on from the label to the receiver's lifeline
// at the step it received it (constraint=false, so that arrows do not
// disturb the rows): blue from A, green from B, dashed for a copy made by
// the network. A lost segment's arrow ends at its label, which says at
// which step it was lost (the step's row says so too), as does the label
// of a segment still in flight at the end. So a label sits on its arrow,
// and no two labels share a row: however long the trace, labels never
// overlap.
func (c *Chart) DOT() []byte {
	g := dot.NewGraph(dot.Directed)
	g.ID("trace")
	g.Attrs("rankdir", "TB", "splines", "false", "nodesep", "0.3", "ranksep", "0.12", "outputorder", "edgesfirst",
		"fontname", "Helvetica", "fontsize", "12", "labelloc", "t")
	if c.Title != "" {
		g.Attr("label", c.Title)
	}
	type rowNodes struct{ k, a, m, b dot.Node }
	rank := 0
	newRow := func() rowNodes {
		rank++
		sub := g.Subgraph(fmt.Sprintf("r%04d", rank))
		sub.Delete("label")
		sub.Attr("rank", "same")
		id := func(col string) string { return fmt.Sprintf("r%04d %s", rank, col) }
		return rowNodes{k: sub.Node(id("0k")), a: sub.Node(id("1a")), m: sub.Node(id("2m")), b: sub.Node(id("3b"))}
	}
	plain := func(n dot.Node, label string) {
		if label == "" {
			label = " " // an empty label would show the node's name
		}
		n.Attrs("shape", "plaintext", "label", label, "fontname", "Helvetica", "fontsize", "9", "height", "0.2", "margin", "0.02")
	}
	point := func(n dot.Node) { n.Attrs("shape", "point", "width", "0.06", "color", "#888888") }

	head := newRow()
	plain(head.k, "step")
	plain(head.m, "")
	for _, p := range []struct {
		n    dot.Node
		side model.Side
	}{{head.a, model.A}, {head.b, model.B}} {
		p.n.Attrs("label", p.side.String(), "shape", "box", "style", "filled", "fillcolor", "#eeeeee",
			"fontname", "Helvetica-Bold", "fontsize", "12", "width", "0.6")
	}
	// labelled[r] are the segments whose label goes on step r's rows: those
	// sent at r, and the network's copies of them.
	labelled := make([][]int, len(c.rows))
	for i := range c.segs {
		labelled[c.segs[i].sent] = append(labelled[c.segs[i].sent], i)
	}
	all := []rowNodes{head}
	first := make([]rowNodes, len(c.rows))     // each step's first row
	labelNode := make([]dot.Node, len(c.segs)) // each segment's label
	lifeline := make([][2]dot.Node, len(c.segs))
	for r, row := range c.rows {
		var marks []string
		for _, k := range row.lost {
			marks = append(marks, fmt.Sprintf("× #%d lost", c.segs[k].id))
		}
		for _, p := range row.copied {
			marks = append(marks, fmt.Sprintf("#%d duplicated as #%d", c.segs[p[0]].id, c.segs[p[1]].id))
		}
		if m := c.loopMarker(r); m != "" {
			marks = append(marks, m)
		}
		if r == c.last() {
			marks = append(marks, c.endMarker())
		}
		n := newRow()
		first[r] = n
		all = append(all, n)
		plain(n.k, fmt.Sprint(r))
		plain(n.m, strings.Join(marks, "\n"))
		n.m.Attr("fontcolor", "#c0392b")
		for side, ln := range [2]dot.Node{model.A: n.a, model.B: n.b} {
			text := row.text[side]
			if text == "" {
				point(ln)
				continue
			}
			ln.Attrs("label", strings.Replace(text, ": ", "\n", 1), "shape", "box", "style", "rounded,filled",
				"fillcolor", "white", "fontname", "Helvetica", "fontsize", "9")
			if r == c.last() && c.loopStart == NoLoop && row.actor == side {
				ln.Attrs("color", "#c0392b", "penwidth", "2")
			}
		}
		for j, k := range labelled[r] {
			sub := n
			if j > 0 || len(marks) > 0 {
				sub = newRow()
				all = append(all, sub)
				plain(sub.k, "")
				point(sub.a)
				point(sub.b)
			}
			sg := &c.segs[k]
			label := sg.label()
			switch {
			case sg.lost:
				label += fmt.Sprintf("  ✕ lost at step %d", sg.end)
			case sg.end < 0:
				label += "  (still in flight)"
			}
			color := sideColor[sg.from]
			plain(sub.m, label)
			// Filled, and drawn after the edges (outputorder), so that an
			// arrow passing behind a label does not cross its text.
			sub.m.Attrs("fontcolor", color, "fontsize", "8", "style", "filled", "fillcolor", "white", "color", "white")
			labelNode[k] = sub.m
			lifeline[k] = [2]dot.Node{model.A: sub.a, model.B: sub.b}
		}
	}
	for i, n := range all {
		for _, e := range []dot.Edge{g.Edge(n.k, n.a), g.Edge(n.a, n.m), g.Edge(n.m, n.b)} {
			e.Attr("style", "invis")
		}
		if i == 0 {
			continue
		}
		p := all[i-1]
		for _, e := range []dot.Edge{g.Edge(p.k, n.k), g.Edge(p.m, n.m)} {
			e.Attrs("style", "invis", "weight", "100")
		}
		for _, e := range []dot.Edge{g.Edge(p.a, n.a), g.Edge(p.b, n.b)} {
			e.Attrs("arrowhead", "none", "color", "#888888", "weight", "100")
		}
	}
	for k := range c.segs {
		sg := &c.segs[k]
		color := sideColor[sg.from]
		style := "solid"
		if sg.copyOf != 0 {
			style = "dashed"
		}
		out := g.Edge(lifeline[k][sg.from], labelNode[k])
		out.Attrs("constraint", "false", "color", color, "arrowhead", "none", "style", style)
		if sg.lost || sg.end < 0 {
			continue // its label says what became of it
		}
		to := first[sg.end].a
		if sg.from.Peer() == model.B {
			to = first[sg.end].b
		}
		in := g.Edge(labelNode[k], to)
		in.Attrs("constraint", "false", "color", color, "style", style)
	}
	return []byte(g.String())
}
