package explorer

import (
	"context"
	"fmt"
	"sync"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
)

// Scenario is one of the seed's situations as a one-click start: a
// configuration, and the shortest path to the moment the situation is
// about, found by search when first asked for.
type Scenario struct {
	ID    string
	Title string
	// Quote is the seed's own sentence (Chinese), or, where the seed says
	// nothing of the situation, RFC 9293's; Source says which.
	Quote, Source string
	// Gloss says in English what the path shows.
	Gloss  string
	Preset string
	Config model.Config
	// Reached tells the transition the path ends with.
	Reached func(from *model.State, a model.Action, to *model.State) bool
}

// seedConfig is a preset with the seed's ISNs x = 100 and y = 300, edited.
func seedConfig(preset string, edit func(*model.Config)) model.Config {
	c, err := model.LookupPreset(preset)
	if err != nil {
		panic(err) // the presets are the model's own
	}
	c.ISNs = [2][]uint32{{100}, {300}}
	edit(&c)
	return c
}

func claim(id string) properties.Claim {
	c, err := properties.LookupClaim(id)
	if err != nil {
		panic(err) // the claims are the properties package's own
	}
	return c
}

// Scenarios are the seed's situations, in the order the page lists them.
func Scenarios() []Scenario {
	thirdLost, flood, timeWait := claim("7"), claim("6"), claim("9")
	// Claim 6's first experiment is the flood against TCP, with cookies.
	floodCfg := flood.Experiments[0].Config
	noCookies := floodCfg
	noCookies.Variant = model.NoSynCookies
	return []Scenario{
		{
			ID: "lost-third-ack", Title: thirdLost.Title, Quote: thirdLost.Quote, Source: "seed, claim 7",
			Gloss:  thirdLost.Gloss + " Here: " + thirdLost.Witness.Description + ".",
			Preset: "handshake", Config: thirdLost.Witness.Config, Reached: thirdLost.Witness.Reached,
		},
		{
			ID: "simultaneous-open", Title: "Simultaneous open",
			Quote:  "Simultaneous initiation is only slightly more complex, as is shown in Figure 7. Each TCP peer's connection state cycles from CLOSED to SYN-SENT to SYN-RECEIVED to ESTABLISHED.",
			Source: "RFC 9293 §3.5 (the seed does not discuss simultaneous open)",
			Gloss:  "Both applications connect; each SYN crosses the other in flight, each endpoint answers from SYN-SENT with a SYN,ACK and enters SYN-RECEIVED, and the SYN,ACKs complete both handshakes: four segments, no listener.",
			Preset: "simultaneous",
			Config: seedConfig("simultaneous", func(c *model.Config) { c.MaxLosses, c.Data, c.Close, c.EarlyClose = 0, [2]int{0, 0}, false, false }),
			Reached: func(from *model.State, _ model.Action, to *model.State) bool {
				a, b := &to.Ep[model.A], &to.Ep[model.B]
				return a.State == model.Established && b.State == model.Established && !a.Passive && !b.Passive
			},
		},
		{
			ID: "simultaneous-close", Title: "Simultaneous close",
			Quote:  "任何一方都可以在数据传送结束后发出连接释放的通知，待对方确认后进入半关闭状态。",
			Source: "seed, why four-way close (either side may send the FIN); RFC 9293 §3.6 Figure 13",
			Gloss:  "Both applications CLOSE at once: each FIN crosses the other, each endpoint goes FIN-WAIT-1 → CLOSING on the peer's FIN, then TIME-WAIT on the ACK of its own: both wait 2MSL.",
			Preset: "close",
			Config: seedConfig("close", func(c *model.Config) { c.MaxLosses = 0 }),
			Reached: func(from *model.State, a model.Action, to *model.State) bool {
				return to.Ep[model.A].State == model.TimeWait && to.Ep[model.B].State == model.TimeWait
			},
		},
		{
			ID: "time-wait-stray-fin", Title: "TIME-WAIT and a stray FIN", Quote: timeWait.Quote, Source: "seed, claim 9",
			Gloss: "The active closer's last ACK is lost; the passive closer retransmits its FIN, which finds the active closer still in TIME-WAIT, and is acknowledged again. " +
				"Without TIME-WAIT (variant no-time-wait) it would meet a RST.",
			Preset: "close",
			Config: seedConfig("close", func(c *model.Config) { c.MaxLosses = 1 }),
			Reached: func(from *model.State, a model.Action, to *model.State) bool {
				return a.Kind == model.Deliver && a.Seg.Has(model.FIN) && from.Ep[a.Side].State == model.TimeWait
			},
		},
		{
			ID: "syn-flood-cookies", Title: "SYN flood, with SYN cookies", Quote: flood.Quote, Source: "seed, claim 6",
			Gloss:  "An attacker's spoofed SYNs fill B's one-entry SYN queue; B answers A's SYN with a SYN cookie instead of dropping it, and A's ACK, carrying the cookie back, makes the connection from LISTEN.",
			Preset: "handshake", Config: floodCfg,
			Reached: func(from *model.State, a model.Action, to *model.State) bool {
				return from.Ep[model.B].State == model.Listen && to.Ep[model.B].State == model.Established
			},
		},
		{
			ID: "syn-flood-no-cookies", Title: "SYN flood, without SYN cookies", Quote: flood.Quote, Source: "seed, claim 6",
			Gloss:  "Variant no-syn-cookies: with B's SYN queue full of spoofed entries, A's SYN and its retransmissions are dropped until A gives up: its application is told the connection timed out.",
			Preset: "handshake", Config: noCookies,
			Reached: func(from *model.State, a model.Action, to *model.State) bool {
				return to.Ep[model.A].Err == model.TimedOut && from.Ep[model.A].Err != model.TimedOut
			},
		},
	}
}

func lookupScenario(id string) (Scenario, bool) {
	for _, s := range Scenarios() {
		if s.ID == id {
			return s, true
		}
	}
	return Scenario{}, false
}

func scenarioIDs() []string {
	var ids []string
	for _, s := range Scenarios() {
		ids = append(ids, s.ID)
	}
	return ids
}

// sceneStart is a scenario's path, found once.
type sceneStart struct {
	once sync.Once
	q    Query
	err  error
}

// ScenarioStart is the query that starts scenario id: its configuration's
// initial state, with the shortest path to the situation ahead as forward
// history.
func (x *Explorer) ScenarioStart(id string) (Query, error) {
	sc, ok := lookupScenario(id)
	if !ok {
		return Query{}, inputf("scenario: unknown scenario %q", id)
	}
	x.mu.Lock()
	st, ok := x.byScene[id]
	if !ok {
		st = &sceneStart{}
		x.byScene[id] = st
	}
	x.mu.Unlock()
	st.once.Do(func() { st.q, st.err = x.findScenario(sc) })
	return st.q, st.err
}

func (x *Explorer) findScenario(sc Scenario) (Query, error) {
	m, err := model.New(sc.Config)
	if err != nil {
		return Query{}, err
	}
	res, err := checker.Explore(context.Background(), m, checker.Options[model.State, model.Action]{
		TransitionInvariants: []checker.TransitionInvariant[model.State, model.Action]{{
			Name:  sc.ID,
			Holds: func(from *model.State, a model.Action, to *model.State) bool { return !sc.Reached(from, a, to) },
		}},
		MaxStates: x.limits.MaxRunStates, Timeout: requestTimeout, Workers: 1,
	})
	if err != nil {
		return Query{}, err
	}
	if len(res.Violations) == 0 {
		return Query{}, fmt.Errorf("scenario %s: not reached in %d states", sc.ID, res.Stats.Distinct)
	}
	init, path, err := pathOf(m, res.Violations[0].Trace)
	if err != nil {
		return Query{}, fmt.Errorf("scenario %s: %v", sc.ID, err)
	}
	return Query{Scenario: sc.ID, Init: init, Path: path, At: 0, Loop: -1}, nil
}
