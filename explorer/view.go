package explorer

import (
	"fmt"
	"strings"
	"time"

	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
)

// View is a place in the model as the page shows it and /api/state
// returns it (docs/explorer.md lists the fields).
type View struct {
	Setup   SetupView      `json:"setup"`
	Query   string         `json:"query"`
	Init    int            `json:"init"`
	Path    []int          `json:"path"`
	At      int            `json:"at"`
	Loop    int            `json:"loop"`
	Steps   []StepView     `json:"steps"`
	State   StateView      `json:"state"`
	LastArc *ArcView       `json:"last_arc"`
	Actions []ActionView   `json:"actions"`
	Props   []PropertyView `json:"properties"`
	// Final: the state is a legitimate end of a behaviour (model.Final).
	Final bool `json:"final"`
	// Figure5 names the Figure 5 this place is shown with; it changes
	// only with the configuration (or, past the figure's state limit,
	// with the arcs of the path the figure lacked).
	Figure5 string `json:"figure5"`
}

// SetupView is the configuration explored.
type SetupView struct {
	Name     string `json:"name"`
	Preset   string `json:"preset"`
	Config   string `json:"config"`
	Scenario string `json:"scenario,omitempty"`
}

// StepView is one step of the path, for the step list.
type StepView struct {
	Step   int    `json:"step"`
	Action string `json:"action,omitempty"`
	A      string `json:"a"`
	B      string `json:"b"`
}

// StateView is the whole state.
type StateView struct {
	Summary   string          `json:"summary"`
	Endpoints [2]EndpointView `json:"endpoints"`
	Channels  [2]ChannelView  `json:"channels"`
	Losses    int             `json:"losses"`
	MaxLosses int             `json:"max_losses"`
	Dups      int             `json:"dups"`
	MaxDups   int             `json:"max_dups"`
	// SynQueue and AcceptQueue are B's queues, when modelled.
	SynQueue    *QueueView `json:"syn_queue,omitempty"`
	AcceptQueue *QueueView `json:"accept_queue,omitempty"`
	Overflow    bool       `json:"overflow"`
}

// EndpointView is one endpoint: its TCB (§3.3.1) and its application.
type EndpointView struct {
	Side  string `json:"side"`
	State string `json:"state"`
	// TCB is false in CLOSED, where the sequence variables mean nothing.
	TCB    bool   `json:"tcb"`
	ISS    uint32 `json:"iss"`
	IRS    uint32 `json:"irs"`
	SndUna uint32 `json:"snd_una"`
	SndNxt uint32 `json:"snd_nxt"`
	RcvNxt uint32 `json:"rcv_nxt"`
	// Backoff is the retransmission count of the segment at SND.UNA, the
	// exponent of the timer's backoff; RTO the timer it runs now.
	Backoff int    `json:"backoff"`
	RTO     string `json:"rto"`
	// The application: data segments it sent (of ToSend), bytes TCP
	// delivered to it, whether it closed, the error it was told.
	Sent      int    `json:"sent"`
	ToSend    int    `json:"to_send"`
	Delivered int    `json:"delivered"`
	Closed    bool   `json:"app_closed"`
	Error     string `json:"error,omitempty"`
	Passive   bool   `json:"passive"`
	Opens     int    `json:"opens"`
}

// ChannelView is the segments in flight one way, oldest first.
type ChannelView struct {
	From     string   `json:"from"`
	To       string   `json:"to"`
	Capacity int      `json:"capacity"`
	Segments []string `json:"segments"`
}

// QueueView is one of B's listen queues.
type QueueView struct {
	Used     int    `json:"used"`
	Capacity int    `json:"capacity"`
	Note     string `json:"note"`
}

// ArcView is the Figure 5 arc the last step took.
type ArcView struct {
	Side  string `json:"side"`
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label"`
	// Title is how Figure 5's SVG names the arc: the page marks the edge
	// whose tooltip starts with it.
	Title string `json:"title"`
}

// ActionView is an enabled action.
type ActionView struct {
	Index  int    `json:"index"`
	Action string `json:"action"`
	Side   string `json:"side"`
	Cause  string `json:"cause"`
	// Leads is where it leads: both endpoints' states after it.
	Leads string `json:"leads"`
	// Next: it is the path's next step (Forward takes it).
	Next bool `json:"next,omitempty"`
}

// PropertyView is a property's status at the current state.
type PropertyView struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Description string `json:"description"`
	Source      string `json:"source"`
	// Status: for an invariant "holds" or "violated" here; for a temporal
	// property "waiting" (an obligation of the path so far is open),
	// "met" (every obligation the path raised was met), "untriggered" (no
	// premise held yet) or "violated" (an obligation is open and no fair
	// action is enabled, so the behaviour may stop here for ever).
	Status string `json:"status"`
	Reason string `json:"reason"`
}

// view builds the View of w.
func (x *Explorer) view(w *walk) (*View, error) {
	m := w.setup.m
	trace := w.at()
	s := trace[len(trace)-1].State
	cfg := w.setup.cfg
	fig, err := x.figureKey(w)
	if err != nil {
		return nil, err
	}
	v := &View{
		Setup: SetupView{Name: w.setup.name, Preset: w.setup.preset, Config: cfg.String(), Scenario: w.q.Scenario},
		Query: w.q.Values().Encode(), Init: w.q.Init, Path: w.q.Path, At: w.q.At, Loop: w.q.Loop,
		State: stateView(&cfg, s), Final: m.Final(s), Figure5: fig,
	}
	if v.Path == nil {
		v.Path = []int{}
	}
	for i, st := range w.trace {
		sv := StepView{Step: i, A: st.State.Ep[model.A].State.String(), B: st.State.Ep[model.B].State.String()}
		if st.HasAction {
			sv.Action = st.Action.String()
		}
		v.Steps = append(v.Steps, sv)
	}
	if len(trace) > 1 {
		last := trace[len(trace)-1]
		if arc, ok := arcOf(m, trace[len(trace)-2].State, last.Action, last.State); ok {
			v.LastArc = &ArcView{Side: last.Action.Side.String(), From: arc.From.String(), To: arc.To.String(), Label: arc.Label, Title: arc.String()}
		}
	}
	next := successors(m, s)
	for i, n := range next {
		v.Actions = append(v.Actions, ActionView{
			Index: i, Action: n.a.String(), Side: n.a.Side.String(), Cause: n.a.Kind.Cause().String(),
			Leads: fmt.Sprintf("A %s, B %s", n.t.Ep[model.A].State, n.t.Ep[model.B].State),
			Next:  w.q.At < len(w.q.Path) && w.q.Path[w.q.At] == i,
		})
	}
	if v.Actions == nil {
		v.Actions = []ActionView{}
	}
	v.Props = x.propertyViews(m, trace, next)
	return v, nil
}

func stateView(cfg *model.Config, s model.State) StateView {
	v := StateView{Summary: s.String(), Losses: int(s.Losses), MaxLosses: cfg.MaxLosses, Dups: int(s.Dups), MaxDups: cfg.MaxDups, Overflow: s.Overflow}
	rto, rtoMax, _ := cfg.Timing()
	for _, side := range []model.Side{model.A, model.B} {
		e := &s.Ep[side]
		timer := rto << e.Backoff
		if timer > rtoMax || timer <= 0 {
			timer = rtoMax
		}
		v.Endpoints[side] = EndpointView{
			Side: side.String(), State: e.State.String(), TCB: e.HasTCB(),
			ISS: uint32(e.ISS), IRS: uint32(e.IRS), SndUna: uint32(e.SndUna), SndNxt: uint32(e.SndNxt), RcvNxt: uint32(e.RcvNxt),
			Backoff: int(e.Backoff), RTO: timer.Round(time.Millisecond).String(),
			Sent: int(e.Sent), ToSend: cfg.Data[side], Delivered: int(e.Delivered), Closed: e.AppClosed,
			Error: e.Err.String(), Passive: e.Passive, Opens: int(e.Opens),
		}
		ch := &s.Ch[side]
		cv := ChannelView{From: side.String(), To: side.Peer().String(), Capacity: cfg.Capacity, Segments: []string{}}
		for i := 0; i < ch.Len(); i++ {
			cv.Segments = append(cv.Segments, ch.At(i).String())
		}
		v.Channels[side] = cv
	}
	if cfg.SynBacklog > 0 {
		v.SynQueue = &QueueView{Used: s.HalfOpen(), Capacity: cfg.SynBacklog,
			Note: fmt.Sprintf("%d spoofed entr(ies), backoffs %v; the attacker sent %d of %d SYNs", s.Listen.N, s.Listen.Half[:s.Listen.N], s.Listen.Spoofed, cfg.Attacker)}
	}
	if cfg.AcceptBacklog > 0 {
		v.AcceptQueue = &QueueView{Used: s.AcceptQueued(), Capacity: cfg.AcceptBacklog,
			Note: fmt.Sprintf("%d other client(s)' connection(s) waiting; %d of %d clients came", s.Listen.Accept, s.Listen.Clients, cfg.Clients)}
	}
	return v
}

// propertyViews is every property's status at the end of trace, whose
// last state has the enabled transitions next.
func (x *Explorer) propertyViews(m *model.Model, trace []Step, next []succ) []PropertyView {
	last := len(trace) - 1
	s := trace[last].State
	var out []PropertyView
	for _, p := range x.props {
		v := PropertyView{ID: p.ID, Kind: p.Kind.String(), Description: p.Description, Source: p.Source, Status: "holds"}
		// fails reports whether p fails at step k of the path.
		fails := func(k int) bool {
			switch {
			case p.State != nil:
				return !p.State(&trace[k].State)
			case p.Step != nil && k > 0:
				return !p.Step(&trace[k-1].State, trace[k].Action, &trace[k].State)
			}
			return false
		}
		earlier := func() string {
			for k := 0; k < last; k++ {
				if fails(k) {
					return fmt.Sprintf("; it failed at step %d", k)
				}
			}
			return ""
		}
		switch {
		case p.State != nil:
			if fails(last) {
				v.Status, v.Reason = "violated", p.WhyAt(trace)
			} else {
				v.Reason = "holds in this state" + earlier()
			}
		case p.Step != nil:
			switch {
			case last == 0:
				v.Reason = "no step taken yet"
			case fails(last):
				v.Status, v.Reason = "violated", "by the last step: "+p.WhyAt(trace)
			default:
				v.Reason = "the last step keeps it" + earlier()
			}
		case p.Deadlock:
			switch {
			case len(next) > 0:
				v.Reason = fmt.Sprintf("%d action(s) enabled", len(next))
			case m.Final(s):
				v.Reason = "no action is enabled, and this is a legitimate end: nothing in flight, both endpoints at rest"
			default:
				v.Status, v.Reason = "violated", "no action is enabled, yet this is not a legitimate end (something in flight, or an endpoint not at rest): a deadlock"
			}
		default:
			v.Status, v.Reason = temporalStatus(p, trace, next)
		}
		out = append(out, v)
	}
	return out
}

// temporalStatus says what a temporal property waits for at the end of
// trace: for each of its P ~> Q, the oldest step since which P held and Q
// has not.
func temporalStatus(p properties.SegmentProperty, trace []Step, next []succ) (status, reason string) {
	fair := false
	for _, n := range next {
		for _, f := range p.Fairness {
			fair = fair || f.Includes(n.a)
		}
	}
	var waiting, met, untriggered []string
	for _, l := range p.Leads {
		open, triggered := -1, false
		for k := range trace {
			if open < 0 && l.P(&trace[k].State) {
				open, triggered = k, true
			}
			if open >= 0 && l.Q(&trace[k].State) {
				open = -1
			}
		}
		switch {
		case open >= 0:
			waiting = append(waiting, fmt.Sprintf("since step %d (%s), waiting for %s", open, l.PName, l.QName))
		case triggered:
			met = append(met, fmt.Sprintf("each time %s, %s followed", l.PName, l.QName))
		default:
			untriggered = append(untriggered, fmt.Sprintf("not yet: %s", l.PName))
		}
	}
	switch {
	case len(waiting) > 0 && !fair:
		return "violated", strings.Join(waiting, "; ") + "; no fair action is enabled, so the behaviour may stop here for ever without it"
	case len(waiting) > 0:
		return "waiting", strings.Join(waiting, "; ")
	case len(met) > 0:
		return "met", strings.Join(append(met, untriggered...), "; ")
	}
	return "untriggered", strings.Join(untriggered, "; ")
}
