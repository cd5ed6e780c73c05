package graphs

import (
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/diagram"
)

// Figure5Arc is an arc of RFC 9293 Figure 5 (§3.3.2): a state change of
// one endpoint with its event / action label, written as the labels of a
// derived EndpointDiagram are written, so that the two compare as strings.
type Figure5Arc struct {
	From, To model.ConnState
	Label    string
	// Note is "Note 1" or "Note 2" for the arcs the figure's notes add or
	// qualify, and empty otherwise.
	Note string
}

func (f Figure5Arc) String() string {
	s := f.From.String() + " → " + f.To.String() + ": " + f.Label
	if f.Note != "" {
		s += " (" + f.Note + ")"
	}
	return s
}

// figure5 is the figure read arc by arc, top to bottom, plus the arc of
// Note 2. The TCB actions ("create TCB", "delete TCB") are left out of the
// labels: they follow from the states. Figure 5 writes Note 2's event as
// "a FIN is received and the local FIN is also acknowledged", here "rcv
// FIN,ACK of FIN".
var figure5 = [...]Figure5Arc{
	{model.Closed, model.Listen, "passive OPEN", ""},
	{model.Closed, model.SynSent, "active OPEN / snd SYN", ""},
	{model.Listen, model.Closed, "CLOSE", ""},
	{model.Listen, model.SynReceived, "rcv SYN / snd SYN,ACK", ""},
	{model.Listen, model.SynSent, "SEND / snd SYN", ""},
	{model.SynReceived, model.Listen, "rcv RST", "Note 1"},
	{model.SynSent, model.SynReceived, "rcv SYN / snd SYN,ACK", ""},
	{model.SynSent, model.Closed, "CLOSE", ""},
	{model.SynSent, model.Established, "rcv SYN,ACK / snd ACK", ""},
	{model.SynReceived, model.Established, "rcv ACK of SYN", ""},
	{model.SynReceived, model.FinWait1, "CLOSE / snd FIN", ""},
	{model.Established, model.FinWait1, "CLOSE / snd FIN", ""},
	{model.Established, model.CloseWait, "rcv FIN / snd ACK", ""},
	{model.FinWait1, model.FinWait2, "rcv ACK of FIN", ""},
	{model.FinWait1, model.Closing, "rcv FIN / snd ACK", ""},
	{model.FinWait2, model.TimeWait, "rcv FIN / snd ACK", ""},
	{model.Closing, model.TimeWait, "rcv ACK of FIN", ""},
	{model.CloseWait, model.LastAck, "CLOSE / snd FIN", ""},
	{model.LastAck, model.Closed, "rcv ACK of FIN", ""},
	{model.TimeWait, model.Closed, "Timeout=2MSL", ""},
	{model.FinWait1, model.TimeWait, "rcv FIN,ACK of FIN / snd ACK", "Note 2"},
}

// Figure5 returns the 20 arcs of RFC 9293 Figure 5 and the arc of its
// Note 2, in the order the figure is read, top to bottom.
func Figure5() []Figure5Arc { return append([]Figure5Arc(nil), figure5[:]...) }

// inFigure5 reports whether the arc from → to labelled label is one of
// Figure 5's.
func inFigure5(from, to model.ConnState, label string) bool {
	return figure5Index(from, to, label) >= 0
}

// Figure5Index returns the index in Figure5 of the arc that the segment
// model's transition (s, a, t) of m takes for the endpoint that acts, or
// -1 when it takes none: the endpoint's state does not change, the
// network acted, or the arc is not one of Figure 5's (a reset, an ABORT,
// a give-up). It labels the arc as Endpoint does, so a run's arc counts
// agree with the endpoint diagram of its graph.
func Figure5Index(m *model.Model, s *model.State, a model.Action, t *model.State) int {
	if a.Kind.Cause() == model.CauseNetwork {
		return -1
	}
	from, to := s.Ep[a.Side].State, t.Ep[a.Side].State
	if from == to || int(from) >= len(figure5Pairs) || int(to) >= len(figure5Pairs) || !figure5Pairs[from][to] {
		return -1 // no need for the label, which costs a step of the model
	}
	var buf [labelBuf]byte
	return figure5Index(from, to, appendEndpointLabel(buf[:0], m, s, a, t))
}

// Figure5IndexTLA is Figure5Index for the message-level model of package
// model/diagram, labelling the arc as EndpointTLA does.
func Figure5IndexTLA(s *diagram.State, a diagram.Action, t *diagram.State) int {
	from, to := s.Peers[a.Peer].Conn, t.Peers[a.Peer].Conn
	if from == to {
		return -1
	}
	label, _ := tlaLabel(a)
	return figure5Index(from, to, label)
}

// figure5Pairs[from][to] reports whether Figure 5 has an arc from → to.
var figure5Pairs = func() (p [32][32]bool) {
	for _, f := range figure5 {
		p[f.From][f.To] = true
	}
	return p
}()

// figure5Index is the index of Figure 5's arc from → to labelled label,
// or -1; a label of bytes is compared in place, not copied.
func figure5Index[L string | []byte](from, to model.ConnState, label L) int {
	for i, f := range figure5 {
		if f.From == from && f.To == to && f.Label == string(label) {
			return i
		}
	}
	return -1
}
