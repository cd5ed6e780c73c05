package graphs

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/emicklei/dot"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/diagram"
)

// Arc is a state change of one endpoint, merged over every explored
// transition that makes it: the endpoint moves From → To on the event /
// action Label.
type Arc struct {
	From, To model.ConnState
	// Label is "event / action" in Figure 5's style: "rcv SYN / snd
	// SYN,ACK", "CLOSE / snd FIN", "Timeout=2MSL".
	Label string
	// Cause is what drives the arc: a user call, a segment received or a
	// timer (never the network: losses and duplicates change no endpoint).
	Cause model.Cause
	// Sides[model.A] and Sides[model.B] tell which endpoints took the arc.
	Sides [2]bool
	// Count is how many explored transitions project onto the arc.
	Count int
	// Figure5 reports whether the arc is one of Figure 5's (or Note 2's).
	Figure5 bool
}

func (a Arc) String() string {
	return a.From.String() + " → " + a.To.String() + ": " + a.Label
}

// sideNames is "A", "B" or "A,B".
func (a Arc) sideNames() string {
	var s []string
	for _, side := range []model.Side{model.A, model.B} {
		if a.Sides[side] {
			s = append(s, side.String())
		}
	}
	return strings.Join(s, ",")
}

// EndpointDiagram is the connection state diagram of one endpoint derived
// from an explored state graph: RFC 9293 Figure 5 as the model exercises
// it. Both endpoints' transitions are projected onto one diagram.
type EndpointDiagram struct {
	// Title is the first line of the caption, e.g. which configurations
	// were explored; empty for none.
	Title string
	// Arcs, ordered by From, To and Label.
	Arcs []Arc
	// GroupResets draws the resets Figure 5 leaves out (its Note 3: a RST
	// sent or received in any state) as one arc per destination and
	// label, from a single "any of" box that names the states they leave,
	// instead of one arc from each state: so that the figure's own arcs
	// stay readable. Note 1's reset, one of Figure 5's arcs, is drawn as
	// it is.
	GroupResets bool
}

// isReset reports whether a is a reset Figure 5 leaves out (Note 3).
func (a Arc) isReset() bool { return !a.Figure5 && strings.Contains(a.Label, "RST") }

// Endpoint derives the endpoint diagram of the segment model from its
// explored graph (checker.Options.KeepGraph). Each transition is projected
// onto the endpoint that acts, a.Side: the caller of a user call, the
// receiver of a segment, the owner of a timer. Transitions that leave its
// ConnState unchanged, and the network's losses and duplicates, draw no
// arc. The labels' "snd" part comes from m.Emitted.
func Endpoint(g *checker.Graph[model.State, model.Action], m *model.Model) *EndpointDiagram {
	d := newDiagramBuilder()
	for _, e := range g.Edges() {
		a := e.Action
		if a.Kind.Cause() == model.CauseNetwork {
			continue
		}
		s, t := g.State(e.From), g.State(e.To)
		from, to := s.Ep[a.Side].State, t.Ep[a.Side].State
		if from == to {
			continue
		}
		d.add(from, to, endpointLabel(m, &s, a, &t), a.Kind.Cause(), a.Side)
	}
	return d.diagram()
}

// EndpointTLA derives the endpoint diagram of the message-level model
// ported from the TLA+ specification (package model/diagram), whose
// actions carry what they receive and send. Its messages are named as
// Figure 5 names them: "ACK" is the ACK of a SYN and "ACK-of-FIN" the ACK
// of a FIN. Note 3's RST sent from any state is labelled "Note 3 / snd
// RST" and counted a user call, as an ABORT would be.
func EndpointTLA(g *checker.Graph[diagram.State, diagram.Action]) *EndpointDiagram {
	d := newDiagramBuilder()
	for _, e := range g.Edges() {
		a := e.Action
		from, to := g.State(e.From).Peers[a.Peer].Conn, g.State(e.To).Peers[a.Peer].Conn
		if from == to {
			continue
		}
		label, cause := tlaLabel(a)
		d.add(from, to, label, cause, model.Side(a.Peer))
	}
	return d.diagram()
}

// tlaLabel is the Figure 5 label of an action of the TLA+-derived model.
func tlaLabel(a diagram.Action) (string, model.Cause) {
	var event string
	cause := model.CauseSegment
	switch a.Kind {
	case diagram.ActiveOpen:
		event, cause = "active OPEN", model.CauseUser
	case diagram.PassiveOpen:
		event, cause = "passive OPEN", model.CauseUser
	case diagram.Send:
		event, cause = "SEND", model.CauseUser
	case diagram.CloseSynSent, diagram.CloseSynReceived, diagram.CloseListen,
		diagram.CloseEstablished, diagram.CloseCloseWait:
		event, cause = "CLOSE", model.CauseUser
	case diagram.SysTimeWait:
		event, cause = "Timeout=2MSL", model.CauseTimer
	case diagram.Note2:
		event = "rcv FIN,ACK of FIN"
	default:
		if a.Rcv != diagram.NoMessage {
			event = "rcv " + tlaMessage(a.Rcv, true)
		} else {
			event, cause = "Note 3", model.CauseUser
		}
	}
	if a.Snd != diagram.NoMessage {
		event += " / snd " + tlaMessage(a.Snd, false)
	}
	return event, cause
}

// tlaMessage names a message of the TLA+-derived model as Figure 5 does,
// received or sent.
func tlaMessage(m diagram.Message, rcv bool) string {
	switch m {
	case diagram.SynAck:
		return "SYN,ACK"
	case diagram.Ack:
		if rcv {
			return "ACK of SYN"
		}
		return "ACK"
	case diagram.AckOfFin:
		if rcv {
			return "ACK of FIN"
		}
		return "ACK"
	}
	return m.String() // SYN, RST, FIN
}

type arcKey struct {
	from, to model.ConnState
	label    string
}

type diagramBuilder struct {
	arcs map[arcKey]*Arc
}

func newDiagramBuilder() *diagramBuilder {
	return &diagramBuilder{arcs: map[arcKey]*Arc{}}
}

func (b *diagramBuilder) add(from, to model.ConnState, label string, cause model.Cause, side model.Side) {
	k := arcKey{from, to, label}
	a, ok := b.arcs[k]
	if !ok {
		a = &Arc{From: from, To: to, Label: label, Cause: cause, Figure5: inFigure5(from, to, label)}
		b.arcs[k] = a
	}
	a.Sides[side] = true
	a.Count++
}

func (b *diagramBuilder) diagram() *EndpointDiagram {
	d := &EndpointDiagram{}
	for _, a := range b.arcs {
		d.Arcs = append(d.Arcs, *a)
	}
	d.sort()
	return d
}

func (d *EndpointDiagram) sort() {
	slices.SortFunc(d.Arcs, func(x, y Arc) int {
		return cmp.Or(cmp.Compare(x.From, y.From), cmp.Compare(x.To, y.To), strings.Compare(x.Label, y.Label))
	})
}

// Merge adds the arcs of other to d: an arc both have keeps one entry,
// with the sides of both and the sum of their counts.
func (d *EndpointDiagram) Merge(other *EndpointDiagram) {
	b := newDiagramBuilder()
	for _, list := range [][]Arc{d.Arcs, other.Arcs} {
		for _, a := range list {
			k := arcKey{a.From, a.To, a.Label}
			if x, ok := b.arcs[k]; ok {
				x.Count += a.Count
				x.Sides[model.A] = x.Sides[model.A] || a.Sides[model.A]
				x.Sides[model.B] = x.Sides[model.B] || a.Sides[model.B]
				continue
			}
			c := a
			b.arcs[k] = &c
		}
	}
	d.Arcs = b.diagram().Arcs
}

// Coverage reports which arcs of Figure 5 (and Note 2) the diagram has,
// and which it never exercised, each in the order of Figure5.
func (d *EndpointDiagram) Coverage() (covered, missing []Figure5Arc) {
	for _, f := range figure5 {
		if slices.ContainsFunc(d.Arcs, func(a Arc) bool {
			return a.From == f.From && a.To == f.To && a.Label == f.Label
		}) {
			covered = append(covered, f)
		} else {
			missing = append(missing, f)
		}
	}
	return covered, missing
}

// Extra returns the arcs the model has beyond Figure 5: resets, ABORT,
// retransmission give-ups, and arcs whose segment carries more than the
// figure's (data with an ACK of SYN).
func (d *EndpointDiagram) Extra() []Arc {
	var extra []Arc
	for _, a := range d.Arcs {
		if !a.Figure5 {
			extra = append(extra, a)
		}
	}
	return extra
}

// The colours of the three causes, shared by every graph of the package.
var causeColor = map[model.Cause]string{
	model.CauseUser:    "#1f5fbf", // blue: a call by the application
	model.CauseSegment: "#222222", // black: a segment received
	model.CauseTimer:   "#c0392b", // red: a timer expired
	model.CauseNetwork: "#7f7f7f", // grey: the network lost or duplicated
}

// endpointNode places a state in Figure 5's layout: a rank (row, top to
// bottom) and a key that orders the nodes of a row from left to right.
var endpointNode = [...]struct{ rank, key string }{
	model.Closed:      {"r0", "r0 a"},
	model.Listen:      {"r1", "r1 a"},
	model.SynReceived: {"r2", "r2 a"},
	model.SynSent:     {"r2", "r2 b"},
	model.Established: {"r3", "r3 a"},
	model.FinWait1:    {"r4", "r4 a"},
	model.CloseWait:   {"r4", "r4 b"},
	model.FinWait2:    {"r5", "r5 a"},
	model.Closing:     {"r5", "r5 b"},
	model.LastAck:     {"r5", "r5 c"},
	model.TimeWait:    {"r6", "r6 a"},
}

// DOT renders the diagram in Graphviz's DOT language, laid out like Figure
// 5: CLOSED at the top, then LISTEN, SYN-RECEIVED and SYN-SENT,
// ESTABLISHED, the closing states, and TIME-WAIT at the bottom. CLOSED is
// drawn twice: at the top, where connections start and where the arcs of
// the unsynchronized states (LISTEN, SYN-SENT, SYN-RECEIVED) end, and at
// the bottom right, where the arcs of the synchronized states end, as in
// the figure. Edges are coloured by cause (blue: user call, black: segment
// received, red: timer); arcs that are not in Figure 5 are dashed. Each
// edge's tooltip says which endpoints took it and how many explored
// transitions it stands for.
func (d *EndpointDiagram) DOT() []byte {
	g := dot.NewGraph(dot.Directed)
	g.ID("endpoint")
	g.Attrs("rankdir", "TB", "nodesep", "0.6", "ranksep", "0.55", "fontname", "Helvetica", "fontsize", "11",
		"labelloc", "b", "label", d.caption())
	ranks := map[string]*dot.Graph{}
	nodes := map[model.ConnState]dot.Node{}
	newNode := func(rank, key, label string) dot.Node {
		sub, ok := ranks[rank]
		if !ok {
			sub = g.Subgraph(rank)
			sub.Delete("label")
			sub.Attr("rank", "same")
			ranks[rank] = sub
		}
		n := sub.Node(key)
		n.Attrs("label", label, "shape", "box", "style", "rounded",
			"fontname", "Helvetica", "fontsize", "12", "width", "1.4")
		return n
	}
	for _, c := range model.ConnStates {
		p := endpointNode[c]
		nodes[c] = newNode(p.rank, p.key, c.String())
	}
	closedEnd := newNode("r6", "r6 b", model.Closed.String())
	// Grouped resets: one arc per (destination, label, cause) from the
	// "any of" box, its tooltip naming the states it stands for.
	type resetKey struct {
		to    model.ConnState
		label string
		cause model.Cause
	}
	var resetOrder []resetKey
	resetFrom := map[resetKey][]string{}
	resetCount := map[resetKey]int{}
	var resetStates []model.ConnState
	for _, a := range d.Arcs {
		if !d.GroupResets || !a.isReset() {
			continue
		}
		k := resetKey{a.To, a.Label, a.Cause}
		if _, ok := resetFrom[k]; !ok {
			resetOrder = append(resetOrder, k)
		}
		resetFrom[k] = append(resetFrom[k], a.From.String())
		resetCount[k] += a.Count
		if !slices.Contains(resetStates, a.From) {
			resetStates = append(resetStates, a.From)
		}
	}
	if len(resetOrder) > 0 {
		slices.Sort(resetStates)
		var names []string
		for _, c := range resetStates {
			names = append(names, c.String())
		}
		from := "any of\n" + wrap(strings.Join(names, ", "), 28)
		if len(resetStates) == len(model.ConnStates) {
			from = "any state"
		}
		any := g.Node("resets")
		any.Attrs("label", from+"\n(Note 3: resets)", "shape", "box", "style", "rounded,dashed",
			"fontname", "Helvetica", "fontsize", "10", "color", "#7f7f7f")
		for _, k := range resetOrder {
			to := nodes[k.to]
			if k.to == model.Closed {
				to = closedEnd
			}
			e := g.Edge(any, to, strings.Replace(k.label, " / ", "\n", 1))
			color := causeColor[k.cause]
			e.Attrs("color", color, "fontcolor", color, "fontname", "Helvetica", "fontsize", "10", "style", "dashed",
				"tooltip", fmt.Sprintf("%s from %s: %d transitions", k.label, strings.Join(resetFrom[k], ", "), resetCount[k]))
		}
	}
	for _, a := range d.Arcs {
		if d.GroupResets && a.isReset() {
			continue
		}
		to := nodes[a.To]
		if a.To == model.Closed && a.From.Synchronized() {
			to = closedEnd
		}
		e := g.Edge(nodes[a.From], to, strings.Replace(a.Label, " / ", "\n", 1))
		color := causeColor[a.Cause]
		e.Attrs("color", color, "fontcolor", color, "fontname", "Helvetica", "fontsize", "10",
			"tooltip", fmt.Sprintf("%s (%s): %d transitions", a, a.sideNames(), a.Count))
		if a.Figure5 {
			e.Attr("penwidth", "1.4")
		} else {
			e.Attr("style", "dashed")
		}
	}
	return []byte(g.String())
}

func (d *EndpointDiagram) caption() string {
	legend := "blue: user call   black: segment received   red: timer   dashed: not in RFC 9293 Figure 5"
	if d.GroupResets {
		legend += "\nresets (Note 3) grouped: one arc per destination from the states named in the box"
	}
	if d.Title == "" {
		return legend
	}
	return d.Title + "\n" + legend
}
