package model_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
)

// The mutation test: each mutant of TCP's rule table (mutants_test.go) is
// checked the way `tcpcheck check` checks a model — every invariant,
// transition invariant, the deadlock check and the temporal properties of
// the catalogue — on the mutation presets below, and must violate some
// property that TCP itself satisfies on the same preset. A mutant no
// property catches fails the test, unless it is listed in equivalent with
// the reason it cannot be told from TCP. The report, one line per mutant
// naming the properties that catch it, is testdata/mutation.txt: the test
// compares it and -update rewrites it. `go test -v -run TestMutants`
// prints the score.

var update = flag.Bool("update", false, "rewrite testdata/mutation.txt")

// mutationPresets are the configurations every mutant is checked on: the
// standard presets that every property holds on, and small configurations
// that reach what they do not (an ABORT without loss, numbers that wrap
// past 2^32 in both directions, a reconnect with an old duplicate, the SYN
// and accept queues, reordering). Each explores in well under a second.
func mutationPresets() []mutationPreset {
	preset := func(name string, edit func(*model.Config)) model.Config {
		c, err := model.LookupPreset(name)
		if err != nil {
			panic(err)
		}
		edit(&c)
		return c
	}
	same := func(*model.Config) {}
	// reuse is a reconnect whose ISN clock moved on by step: a small step
	// puts the new SYN inside the old connection's window, a step just
	// short of 2^32 puts the old connection's segments just ahead of the
	// new one's, in its window, acknowledging what it never sent.
	reuse := func(step uint32) model.Config {
		return preset("lifecycle", func(c *model.Config) {
			c.Data = [2]int{1, 0}
			c.MaxLosses, c.MaxDups, c.Incarnations, c.ISNStep, c.Capacity = 0, 1, 2, step, 6
		})
	}
	return []mutationPreset{
		{"handshake", preset("handshake", same)},
		{"close", preset("close", same)},
		{"lifecycle", preset("lifecycle", same)},
		{"simultaneous", preset("simultaneous", same)},
		{"abort-no-loss", preset("abort", func(c *model.Config) { c.MaxLosses = 0 })},
		{"wrap", preset("lifecycle", func(c *model.Config) {
			// Both streams cross 2^32: A's data and B's window end.
			c.ISNs = [2][]uint32{{4294967294}, {4294967293}}
		})},
		{"reconnect", preset("lifecycle", func(c *model.Config) {
			c.Data = [2]int{1, 0}
			c.MaxLosses, c.MaxDups, c.Incarnations = 0, 1, 2
			// The ISN clock has moved on by three quarters of the space,
			// so the old connection's numbers lie just ahead of the new
			// one's: its old ACKs acknowledge what was never sent.
			c.ISNStep = 3 << 30
			c.Capacity = 6
		})},
		{"reuse-ahead", reuse(100)},
		// The new ISS is the old one plus 2: the old connection's ACK of
		// the listener's SYN acknowledges exactly the new ISS.
		{"reuse-next", reuse(2)},
		{"reuse-behind", func() model.Config {
			c := reuse(^uint32(0) - 99)
			c.Data, c.Capacity = [2]int{0, 0}, 5 // with a byte, over 400,000 states
			return c
		}()},
		{"queues", preset("handshake", func(c *model.Config) {
			c.Data = [2]int{1, 0}
			c.MaxLosses = 0
			c.SynBacklog, c.Attacker, c.AcceptBacklog, c.Clients = 1, 1, 1, 1
		})},
		{"reorder", preset("lossy", func(c *model.Config) { c.MaxLosses, c.MaxDups, c.Capacity = 1, 0, 5 })},
	}
}

type mutationPreset struct {
	name string
	cfg  model.Config
}

// equivalent lists the mutants that no property can catch because no
// behaviour tells them from TCP, each with the reason.
var equivalent = map[string]string{}

// uncaught lists the mutants the catalogue does not catch on the
// mutation presets, each with why and what would catch it. The test fails
// on any other survivor, on one listed here that is caught (update the
// list), and when the score falls below 95%.
var uncaught = map[string]string{}

// mutationMaxStates bounds each search: a mutant whose state space grows
// past it is judged on what was explored.
const mutationMaxStates = 100_000

// outcome is what checking the catalogue on one configuration gave: the
// properties violated, and why the search was incomplete ("" if it was
// not).
type outcome struct {
	violated   []string
	incomplete string
	states     int
}

// checkCatalogue checks every property of the catalogue on cfg as
// `tcpcheck check` does: the invariants, transition invariants and the
// deadlock check during the search, the temporal properties on its graph.
func checkCatalogue(t *testing.T, cfg model.Config) outcome {
	t.Helper()
	return checkCounting(t, cfg, nil)
}

// checkCounting is checkCatalogue, also counting in hits how many
// transitions reach each property's premise (premises; nil: none).
func checkCounting(t *testing.T, cfg model.Config, hits map[string]int) outcome {
	t.Helper()
	m, err := model.New(cfg)
	require.NoError(t, err)
	props := properties.Segment()
	opts := checker.Options[model.State, model.Action]{
		ContinueAfterViolation: true,
		KeepGraph:              true,
		MaxStates:              mutationMaxStates,
		Workers:                1,
	}
	properties.Apply(&opts, props, m.Final)
	if hits != nil {
		// One worker: the count needs no lock.
		opts.TransitionInvariants = append(opts.TransitionInvariants, checker.TransitionInvariant[model.State, model.Action]{
			Name: "premises",
			Holds: func(from model.State, a model.Action, to model.State) bool {
				for id, premise := range premises {
					if premise(from, a, to) {
						hits[id]++
					}
				}
				return true
			},
		})
	}
	res, err := checker.Explore(context.Background(), m, opts)
	require.NoError(t, err)
	out := outcome{incomplete: res.StopReason, states: res.Stats.Distinct}
	for _, v := range res.Violations {
		p, ok := properties.Find(props, v.Name)
		require.True(t, ok, v.Name)
		out.violated = append(out.violated, p.ID)
	}
	if res.StopReason == "" {
		for _, o := range properties.CheckTemporal(res, props) {
			if o.Status == "violated" {
				out.violated = append(out.violated, o.Property.ID)
			}
		}
	}
	sort.Strings(out.violated)
	return out
}

// catch is one property catching a mutant on one preset.
type catch struct{ property, preset string }

func TestMutants(t *testing.T) {
	presets := mutationPresets()
	for _, p := range properties.Segment() {
		require.Contains(t, premises, p.ID, "the mutation test measures every property's premise")
	}
	// TCP itself, on each preset: what holds there is what a mutant may
	// break.
	baseline := make([]outcome, len(presets))
	hits := make([]map[string]int, len(presets))
	for i, p := range presets {
		hits[i] = map[string]int{}
		baseline[i] = checkCounting(t, p.cfg, hits[i])
		require.Empty(t, baseline[i].incomplete, "TCP on %s", p.name)
	}
	mutants := model.Mutants()
	require.GreaterOrEqual(t, len(mutants), 40)
	catches := make([][]catch, len(mutants))
	var mu sync.Mutex
	t.Run("each", func(t *testing.T) {
		for i, mt := range mutants {
			t.Run(mt.Name, func(t *testing.T) {
				t.Parallel()
				var got []catch
				for j, p := range presets {
					cfg := p.cfg
					cfg.Variant = mt.Variant
					o := checkCatalogue(t, cfg)
					for _, id := range o.violated {
						if !slices.Contains(baseline[j].violated, id) {
							got = append(got, catch{id, p.name})
						}
					}
				}
				mu.Lock()
				catches[i] = got
				mu.Unlock()
			})
		}
	})

	var report strings.Builder
	caught, survived := 0, []string{}
	for i, mt := range mutants {
		why, eq := equivalent[mt.Name]
		switch {
		case len(catches[i]) > 0 && eq:
			t.Errorf("mutant %s is listed as equivalent (%s) but %s catches it", mt.Name, why, catches[i][0].property)
		case len(catches[i]) > 0:
			caught++
		case !eq:
			survived = append(survived, mt.Name)
			if _, known := uncaught[mt.Name]; !known {
				t.Errorf("mutant %s (%s: %s) survives: no property of the catalogue catches it on any mutation preset", mt.Name, mt.Rule, mt.Bug)
			}
		}
		if _, known := uncaught[mt.Name]; known && len(catches[i]) > 0 {
			t.Errorf("mutant %s is listed as uncaught but %s catches it: take it off the list", mt.Name, catches[i][0].property)
		}
	}
	if 100*caught < 95*(len(mutants)-len(equivalent)) {
		t.Errorf("the catalogue catches %d of %d mutants, under 95%%", caught, len(mutants)-len(equivalent))
	}
	score := fmt.Sprintf("mutation score: %d of %d mutants caught by the catalogue (%.1f%%), %d equivalent, %d survived",
		caught, len(mutants), 100*float64(caught)/float64(len(mutants)-len(equivalent)), len(equivalent), len(survived))
	fmt.Fprintln(&report, score)
	fmt.Fprintln(&report)
	fmt.Fprintln(&report, "Each mutant, the rule it replaces, and the properties that catch it with the presets they catch it on.")
	fmt.Fprintln(&report, "Written by `go test ./model -run TestMutants -update`.")
	for i, mt := range mutants {
		fmt.Fprintf(&report, "\n%s (%s, %s)\n  %s\n", mt.Name, mt.Rule, mt.Section, mt.Bug)
		if why, ok := equivalent[mt.Name]; ok {
			fmt.Fprintf(&report, "  equivalent: %s\n", why)
			continue
		}
		if len(catches[i]) == 0 {
			fmt.Fprintf(&report, "  SURVIVES: %s\n", uncaught[mt.Name])
			continue
		}
		for _, line := range caughtBy(catches[i]) {
			fmt.Fprintf(&report, "  caught by %s\n", line)
		}
	}
	fmt.Fprintln(&report, "\nProperties and the mutants each catches:")
	for _, p := range properties.Segment() {
		var names []string
		for i, mt := range mutants {
			if slices.ContainsFunc(catches[i], func(c catch) bool { return c.property == p.ID }) {
				names = append(names, mt.Name)
			}
		}
		fmt.Fprintf(&report, "  %s (%d): %s\n", p.ID, len(names), strings.Join(names, ", "))
	}
	fmt.Fprintln(&report, "\nPremises reached by TCP, in transitions, on each mutation preset (a property whose premise is never reached holds vacuously there):")
	for _, p := range properties.Segment() {
		var on []string
		for i, pr := range presets {
			if n := hits[i][p.ID]; n > 0 {
				on = append(on, fmt.Sprintf("%s %d", pr.name, n))
			}
		}
		if len(on) == 0 {
			on = []string{"none"}
		}
		fmt.Fprintf(&report, "  %s: %s\n", p.ID, strings.Join(on, ", "))
	}
	fmt.Println(score)
	t.Log(score)

	path := filepath.Join("testdata", "mutation.txt")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(report.String()), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./model -run TestMutants -update")
	require.Equal(t, string(want), report.String(), "the mutation report changed: review, then go test ./model -run TestMutants -update")
}

// caughtBy groups catches by property: "ack-acceptable (reconnect, wrap)".
func caughtBy(cs []catch) []string {
	var props []string
	presets := map[string][]string{}
	for _, c := range cs {
		if _, ok := presets[c.property]; !ok {
			props = append(props, c.property)
		}
		presets[c.property] = append(presets[c.property], c.preset)
	}
	sort.Strings(props)
	var out []string
	for _, p := range props {
		out = append(out, fmt.Sprintf("%s (%s)", p, strings.Join(presets[p], ", ")))
	}
	return out
}

// premises says, for each property of the catalogue, the transitions
// where it says something: the measure of whether a preset makes it
// non-vacuous. A state property's premise is read of the state reached,
// a temporal property's of the premise P of its leads-to.
var premises = map[string]func(from model.State, a model.Action, to model.State) bool{
	"no-data-on-syn": func(_ model.State, _ model.Action, to model.State) bool { return synInFlight(to) },
	"handshake-ack": func(from model.State, a model.Action, to model.State) bool {
		s0, s1 := from.Ep[a.Side].State, to.Ep[a.Side].State
		return a.Kind == model.Deliver && (s1 == model.SynReceived && (s0 == model.Listen || s0 == model.SynSent) ||
			s0 == model.SynSent && s1 == model.Established || s0 == model.SynReceived && s1.Synchronized())
	},
	"ack-acceptable": ackMoves,
	"backoff-reset": func(from model.State, a model.Action, to model.State) bool {
		return ackMoves(from, a, to) && from.Ep[a.Side].Backoff > 0
	},
	"established-agree": func(_ model.State, _ model.Action, to model.State) bool {
		return to.InFlight() == 0 && !armed(&to.Ep[model.A]) && !armed(&to.Ep[model.B]) &&
			(to.Ep[model.A].State == model.Established || to.Ep[model.B].State == model.Established)
	},
	"stream-integrity": func(from model.State, a model.Action, to model.State) bool {
		return a.Kind == model.Deliver && a.Seg.Len > 0 && to.Ep[a.Side].Delivered > from.Ep[a.Side].Delivered
	},
	"time-wait-active-closer": func(from model.State, _ model.Action, to model.State) bool {
		return entered(from, to, model.TimeWait)
	},
	"half-open-memory": func(_ model.State, _ model.Action, to model.State) bool { return to.HalfOpen() > 0 },
	"syn-queue-bound": func(_ model.State, _ model.Action, to model.State) bool {
		return to.Listen.Cap > 0 && to.HalfOpen() >= int(to.Listen.Cap)
	},
	"accept-queue-bound": func(_ model.State, _ model.Action, to model.State) bool {
		return to.Listen.AcceptCap > 0 && to.AcceptQueued() >= int(to.Listen.AcceptCap)
	},
	"connect-no-timeout": func(from model.State, a model.Action, _ model.State) bool {
		e := &from.Ep[a.Side]
		return a.Kind == model.RetransmitTimeout && e.State == model.SynSent && e.Opens == 1 && from.Losses == 0
	},
	"clean-close": func(from model.State, a model.Action, _ model.State) bool {
		s0 := from.Ep[a.Side].State
		return a.Kind == model.Deliver && a.Seg.Has(model.RST) && (s0 == model.LastAck || s0 == model.Closing)
	},
	"delivered-within-sent": func(from model.State, _ model.Action, to model.State) bool {
		return to.Ep[model.A].Delivered > from.Ep[model.A].Delivered || to.Ep[model.B].Delivered > from.Ep[model.B].Delivered
	},
	"rst-acceptable": func(from model.State, a model.Action, to model.State) bool {
		e0, e1 := &from.Ep[a.Side], &to.Ep[a.Side]
		return a.Kind == model.Deliver && e0.HasTCB() && e0.State != model.Listen &&
			(!e1.HasTCB() || e1.Opens != e0.Opens || e0.State == model.SynReceived && e1.State == model.Listen)
	},
	"rst-generation": func(from model.State, a model.Action, to model.State) bool {
		e0, e1 := &from.Ep[a.Side], &to.Ep[a.Side]
		switch {
		case a.Kind == model.AbortCall:
			return e0.State == model.SynReceived || e0.State.Synchronized() && e0.State != model.Closing && e0.State != model.LastAck && e0.State != model.TimeWait
		case a.Kind != model.Deliver:
			return false
		case e0.State == model.Closed:
			return true
		case e0.State == model.Listen:
			return a.Seg.Has(model.ACK) && e1.State == model.Listen
		case e0.State == model.SynSent:
			return a.Seg.Has(model.ACK) && !a.Seg.Ack.InRange(e0.ISS, e0.SndNxt)
		case e0.State == model.SynReceived:
			return a.Seg.Has(model.ACK) && !a.Seg.Has(model.SYN) && !a.Seg.Ack.InRange(e0.SndUna, e0.SndNxt)
		}
		return false
	},
	"listener-kept": func(from model.State, _ model.Action, to model.State) bool {
		for _, side := range []model.Side{model.A, model.B} {
			e0, e1 := &from.Ep[side], &to.Ep[side]
			if (e0.State == model.Listen || e0.State == model.SynReceived && e0.Passive) && e1.State != e0.State {
				return true
			}
		}
		return false
	},
	"no-spurious-timeout": func(from model.State, a model.Action, _ model.State) bool {
		e, peer := &from.Ep[a.Side], &from.Ep[a.Side.Peer()]
		return a.Kind == model.RetransmitTimeout && from.Losses == 0 && from.Dups == 0 && e.State.Synchronized() &&
			peer.State.Synchronized() && peer.PeerInc == e.Opens && e.PeerInc == peer.Opens && e.SndUna != e.ISS
	},
	"channel-bound": func(model.State, model.Action, model.State) bool { return true },
	"deadlock-free": func(model.State, model.Action, model.State) bool { return true },
	"eventually-closed": func(_ model.State, _ model.Action, to model.State) bool {
		return to.Ep[model.A].AppClosed && to.Ep[model.B].AppClosed
	},
	"no-silent-loss": func(_ model.State, _ model.Action, to model.State) bool {
		for _, side := range []model.Side{model.A, model.B} {
			e, peer := &to.Ep[side], &to.Ep[side.Peer()]
			if e.Sent > peer.Delivered && peer.HasTCB() && peer.State != model.Listen && peer.PeerInc == e.Opens && e.PeerInc == peer.Opens {
				return true
			}
		}
		return false
	},
	"handshake-completes": func(_ model.State, _ model.Action, to model.State) bool {
		for _, side := range []model.Side{model.A, model.B} {
			if to.Ep[side].State == model.SynSent && to.Ep[side.Peer()].State == model.Listen {
				return true
			}
		}
		return false
	},
}

func synInFlight(s model.State) bool {
	for _, side := range []model.Side{model.A, model.B} {
		for i := 0; i < s.Ch[side].Len(); i++ {
			if s.Ch[side].At(i).Has(model.SYN) {
				return true
			}
		}
	}
	return false
}

// ackMoves: an acknowledgment delivered moves the receiver's SND.UNA.
func ackMoves(from model.State, a model.Action, to model.State) bool {
	e0, e1 := &from.Ep[a.Side], &to.Ep[a.Side]
	return a.Kind == model.Deliver && a.Seg.Has(model.ACK) && e1.HasTCB() && e0.State != model.Listen &&
		e0.Opens == e1.Opens && e0.SndUna != e1.SndUna
}

// armed: the endpoint's retransmission timer runs.
func armed(e *model.Endpoint) bool {
	switch e.State {
	case model.Closed, model.Listen, model.TimeWait, model.FinWait2:
		return false
	}
	return e.SndUna != e.SndNxt
}

func entered(from, to model.State, c model.ConnState) bool {
	return to.Ep[model.A].State == c && from.Ep[model.A].State != c || to.Ep[model.B].State == c && from.Ep[model.B].State != c
}
