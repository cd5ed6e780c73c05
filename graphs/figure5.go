package graphs

import "github.com/tcpcheck/tcpcheck/model"

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
	for _, f := range figure5 {
		if f.From == from && f.To == to && f.Label == label {
			return true
		}
	}
	return false
}
