package properties

import "github.com/tcpcheck/tcpcheck/model"

// SegmentPremise is a premise of a property of the segment model.
type SegmentPremise = Premise[model.State, model.Action]

// segmentPremises are the premises of the segment catalogue's
// invariants, by property: a "holds" says something about a
// configuration only where a search reached them (Vacuity).
var segmentPremises = map[string][]SegmentPremise{
	"no-data-on-syn": {{Name: "a SYN in flight", State: func(s *model.State) bool {
		return inFlight(s, func(g model.Segment) bool { return g.Has(model.SYN) })
	}}},
	"handshake-ack": {
		{Name: "a SYN answered by a SYN,ACK", Step: func(from *model.State, a model.Action, to *model.State) bool {
			e0, e1 := &from.Ep[a.Side], &to.Ep[a.Side]
			return a.Kind == model.Deliver && (e0.State == model.Listen || e0.State == model.SynSent) && e1.State == model.SynReceived
		}},
		{Name: "the connector's handshake completed", Step: func(from *model.State, a model.Action, to *model.State) bool {
			return a.Kind == model.Deliver && from.Ep[a.Side].State == model.SynSent && to.Ep[a.Side].State == model.Established
		}},
		{Name: "SYN-RECEIVED synchronized by the peer's ACK", Step: func(from *model.State, a model.Action, to *model.State) bool {
			return a.Kind == model.Deliver && from.Ep[a.Side].State == model.SynReceived && to.Ep[a.Side].State.Synchronized() && !a.Seg.Has(model.SYN)
		}},
		{Name: "a simultaneous open completed by a SYN,ACK", Step: func(from *model.State, a model.Action, to *model.State) bool {
			return a.Kind == model.Deliver && from.Ep[a.Side].State == model.SynReceived && to.Ep[a.Side].State.Synchronized() && a.Seg.Has(model.SYN)
		}},
	},
	"ack-acceptable": {
		{Name: "an ACK moves SND.UNA", Step: func(from *model.State, a model.Action, to *model.State) bool {
			return a.Kind == model.Deliver && to.Ep[a.Side].HasTCB() && from.Ep[a.Side].SndUna != to.Ep[a.Side].SndUna &&
				from.Ep[a.Side].State != model.Listen && to.Ep[a.Side].State != model.Listen
		}},
		{Name: "the ACK of a FIN accepted", Step: func(from *model.State, a model.Action, to *model.State) bool {
			return a.Kind == model.Deliver && !from.Ep[a.Side].FinAcked() && to.Ep[a.Side].FinAcked()
		}},
	},
	"established-agree": {{Name: "at rest with an endpoint ESTABLISHED", State: func(s *model.State) bool {
		return s.InFlight() == 0 && !timerArmed(&s.Ep[model.A]) && !timerArmed(&s.Ep[model.B]) &&
			(s.Ep[model.A].State == model.Established || s.Ep[model.B].State == model.Established)
	}}},
	"stream-integrity": {
		{Name: "a byte delivered", Step: func(from *model.State, a model.Action, to *model.State) bool {
			return a.Kind == model.Deliver && to.Ep[a.Side].Delivered > from.Ep[a.Side].Delivered
		}},
		{Name: "a segment of the peer's earlier incarnation reaches a synchronized endpoint", Step: func(from *model.State, a model.Action, _ *model.State) bool {
			return a.Kind == model.Deliver && from.Ep[a.Side].State.Synchronized() && a.Seg.Inc < from.Ep[a.Side.Peer()].Opens
		}},
	},
	"time-wait-active-closer": {{Name: "an endpoint enters TIME-WAIT", Step: func(from *model.State, _ model.Action, to *model.State) bool {
		return from.Ep[model.A].State != model.TimeWait && to.Ep[model.A].State == model.TimeWait ||
			from.Ep[model.B].State != model.TimeWait && to.Ep[model.B].State == model.TimeWait
	}}},
	"half-open-memory": {{Name: "a half-open connection", State: func(s *model.State) bool {
		return s.Ep[model.A].State == model.SynReceived || s.Ep[model.B].State == model.SynReceived || s.Listen.N > 0
	}}},
	"syn-queue-bound": {{Name: "the SYN queue full", State: func(s *model.State) bool {
		return s.Listen.Cap > 0 && s.HalfOpen() >= int(s.Listen.Cap)
	}}},
	"accept-queue-bound": {{Name: "the accept queue full", State: func(s *model.State) bool {
		return s.Listen.AcceptCap > 0 && s.AcceptQueued() >= int(s.Listen.AcceptCap)
	}}},
	"connect-no-timeout": {
		{Name: "a SYN retransmitted though nothing was lost or duplicated", Step: func(from *model.State, a model.Action, _ *model.State) bool {
			return a.Kind == model.RetransmitTimeout && from.Ep[a.Side].State == model.SynSent && from.Losses == 0 && from.Dups == 0
		}},
		{Name: "a first connect's SYN retransmitted though nothing was lost", Step: func(from *model.State, a model.Action, _ *model.State) bool {
			e := &from.Ep[a.Side]
			return a.Kind == model.RetransmitTimeout && e.State == model.SynSent && e.Opens == 1 && from.Losses == 0
		}},
	},
	"clean-close": {{Name: "a RST reaches LAST-ACK or CLOSING", Step: func(from *model.State, a model.Action, _ *model.State) bool {
		st := from.Ep[a.Side].State
		return a.Kind == model.Deliver && a.Seg.Has(model.RST) && (st == model.LastAck || st == model.Closing)
	}}},
	"delivered-within-sent": {{Name: "bytes handed to an application", Step: func(from *model.State, _ model.Action, to *model.State) bool {
		return to.Ep[model.A].Delivered > from.Ep[model.A].Delivered || to.Ep[model.B].Delivered > from.Ep[model.B].Delivered
	}}},
	"rst-acceptable": {
		{Name: "a RST ends a connection", Step: func(from *model.State, a model.Action, to *model.State) bool {
			return a.Kind == model.Deliver && a.Seg.Has(model.RST) && ended(&from.Ep[a.Side], &to.Ep[a.Side])
		}},
		{Name: "a RST reaches SYN-SENT", Step: func(from *model.State, a model.Action, _ *model.State) bool {
			return a.Kind == model.Deliver && a.Seg.Has(model.RST) && from.Ep[a.Side].State == model.SynSent
		}},
		{Name: "a SYN reaches a synchronized endpoint", Step: func(from *model.State, a model.Action, _ *model.State) bool {
			return a.Kind == model.Deliver && a.Seg.Has(model.SYN) && from.Ep[a.Side].State.Synchronized()
		}},
	},
	"rst-generation": {
		{Name: "a segment reaches CLOSED", Step: func(from *model.State, a model.Action, _ *model.State) bool {
			return a.Kind == model.Deliver && from.Ep[a.Side].State == model.Closed
		}},
		{Name: "an ACK reaches LISTEN", Step: func(from *model.State, a model.Action, _ *model.State) bool {
			return a.Kind == model.Deliver && a.Seg.Has(model.ACK) && from.Ep[a.Side].State == model.Listen
		}},
		{Name: "an ABORT that owes a RST", Step: func(from *model.State, a model.Action, _ *model.State) bool {
			switch from.Ep[a.Side].State {
			case model.SynReceived, model.Established, model.FinWait1, model.FinWait2, model.CloseWait:
				return a.Kind == model.AbortCall
			}
			return false
		}},
	},
	"listener-kept": {{Name: "a listener, or its connection still SYN-RECEIVED, changes state", Step: func(from *model.State, _ model.Action, to *model.State) bool {
		for _, side := range []model.Side{model.A, model.B} {
			e0, e1 := &from.Ep[side], &to.Ep[side]
			if (e0.State == model.Listen || e0.State == model.SynReceived && e0.Passive) && e1.State != e0.State {
				return true
			}
		}
		return false
	}}},
	"backoff-reset": {{Name: "a new ACK after a retransmission", Step: func(from *model.State, a model.Action, to *model.State) bool {
		e0, e1 := &from.Ep[a.Side], &to.Ep[a.Side]
		return a.Kind == model.Deliver && e0.Backoff > 0 && e1.HasTCB() && e0.State != model.Listen && e0.Opens == e1.Opens && e0.SndUna != e1.SndUna
	}}},
	"no-spurious-timeout": {
		{Name: "a retransmission timeout on a run with no loss and no duplicate", Step: func(from *model.State, a model.Action, _ *model.State) bool {
			return a.Kind == model.RetransmitTimeout && from.Losses == 0 && from.Dups == 0
		}},
		{Name: "a synchronized connection's timeout on a run with no loss and no duplicate", Step: func(from *model.State, a model.Action, _ *model.State) bool {
			e, peer := &from.Ep[a.Side], &from.Ep[a.Side.Peer()]
			return a.Kind == model.RetransmitTimeout && from.Losses == 0 && from.Dups == 0 && e.State.Synchronized() &&
				peer.State.Synchronized() && peer.PeerInc == e.Opens && e.PeerInc == peer.Opens && e.SndUna != e.ISS
		}},
	},
}

// inFlight reports whether some segment in flight either way satisfies f.
func inFlight(s *model.State, f func(model.Segment) bool) bool {
	for c := range s.Ch {
		for i := 0; i < s.Ch[c].Len(); i++ {
			if f(s.Ch[c].At(i)) {
				return true
			}
		}
	}
	return false
}

// Segment is the catalogue of properties of the segment-level model, in
// the order they are checked and printed.
func Segment() []SegmentProperty {
	props := segmentCatalogue()
	for i := range props {
		if q, ok := segmentPremises[props[i].ID]; ok && props[i].Premises == nil {
			props[i].Premises = q
		}
	}
	return props
}
