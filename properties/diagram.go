package properties

import (
	"fmt"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model/diagram"
)

// DiagramProperty is a property of the diagram model.
type DiagramProperty = Property[diagram.State, diagram.Action]

// Diagram is the catalogue of the diagram model: the invariant of the
// TLA+ example it is ported from (tcp.tla's Inv), its capacity bound, and
// the example's temporal property (tcp.tla's Prop).
func Diagram() []DiagramProperty {
	return []DiagramProperty{
		{
			ID:          "established-agree",
			Description: "when both queues are empty, A is ESTABLISHED exactly when B is",
			Source:      "tlaplus/Examples specifications/tcp, tcp.tla Inv; RFC 9293 §3.5.1",
			State:       diagram.EstablishedAgree,
			Why: func(_ *diagram.State, _ diagram.Action, to *diagram.State) string {
				return fmt.Sprintf("both queues are empty, yet A is %s and B is %s", to.Peers[diagram.A].Conn, to.Peers[diagram.B].Conn)
			},
		},
		{
			ID:          "channel-bound",
			Description: "no queue grows past the model's fixed capacity",
			Source:      "tcpcheck: the diagram model's queue bound",
			State:       diagram.WithinCapacity,
			Why: func(*diagram.State, diagram.Action, *diagram.State) string {
				return fmt.Sprintf("a queue went past its capacity of %d messages", diagram.QueueCap)
			},
		},
		{
			ID:          "syn-sent-resolves",
			Description: "a peer in SYN-SENT eventually reaches ESTABLISHED, LISTEN or CLOSED (weak fairness of the system actions and of CLOSE in SYN-SENT)",
			Source:      "tlaplus/Examples specifications/tcp, tcp.tla Prop",
			Kind:        Temporal,
			Leads:       []LeadsTo[diagram.State]{synSentResolves(diagram.A), synSentResolves(diagram.B)},
			Fairness: FairnessOf(diagram.Fairness(), func(c diagram.FairClass) checker.Fairness[diagram.Action] {
				return checker.Fairness[diagram.Action]{Name: c.Name, Strong: c.Strong, Includes: c.Includes}
			}),
		},
	}
}

func synSentResolves(p diagram.Peer) LeadsTo[diagram.State] {
	return LeadsTo[diagram.State]{
		P: diagram.InSynSent(p), Q: diagram.ResolvedFromSynSent(p),
		PName: p.String() + " in SYN-SENT", QName: p.String() + " in ESTABLISHED, LISTEN or CLOSED",
	}
}
