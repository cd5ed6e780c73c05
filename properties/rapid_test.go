package properties_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
	"github.com/tcpcheck/tcpcheck/properties/fuzz"
)

// checks is how many random walks each rapid test takes unless
// -rapid.checks or RAPID_CHECKS says otherwise: about a second a test.
// docs/fuzzing.md gives the command for a longer run.
const checks = 20_000

// bugBudget is how many walks the planted-bug test allows a bug before it
// fails: about 15 s, some ten times what bug-data-in-syn-sent takes on
// average. It stops at the first violation.
const bugBudget = 250_000

// walkSteps bounds a walk: long enough to open, exchange data, close and
// reopen with losses and retransmissions on the way.
const walkSteps = 60

// legitimateFailures are the properties TCP itself violates somewhere
// within fuzz.SegmentConfigs' bounds, and why; TestWalksAgreeWithTheChecker
// shows the checker finds each of them violated. The safety test checks
// every other invariant of the catalogue.
var legitimateFailures = map[string]string{
	"established-agree": "a listener that runs out of retries drops its half-open entry while the client, with nothing to send, stays ESTABLISHED (losses above retries; README)",
	"deadlock-free":     "a peer that gives up after its retries (or aborts, its RST lost) leaves the other side in FIN-WAIT-2, which has no timer in RFC 9293 (nor in the model); only an application that may ABORT gets out",
	"clean-close":       "with duplicates or reordering, a stale segment resets one side, whose RST then ends the other in LAST-ACK or CLOSING",
	"channel-bound":     "a capacity of 3 does not hold two data segments, a FIN and a retransmission: a bound of the model, not of TCP",
}

// safety returns the invariants of the catalogue that hold on every
// configuration fuzz.SegmentConfigs draws.
func safety(t testing.TB) []properties.SegmentProperty {
	var ids []string
	for _, p := range properties.Segment() {
		if _, ok := legitimateFailures[p.ID]; !ok && p.Kind == properties.Invariant {
			ids = append(ids, p.ID)
		}
	}
	props, err := properties.Select(properties.Segment(), ids)
	require.NoError(t, err)
	return props
}

// safetyWalk is the state-machine test: draw a configuration, then a
// behaviour — application calls, deliveries, losses, duplicates,
// timeouts, each among those enabled — and check every safety property
// after each step.
func safetyWalk(variant model.Variant, props []properties.SegmentProperty) func(*rapid.T) {
	return func(t *rapid.T) {
		cfg := fuzz.SegmentConfigs().Draw(t, "config")
		cfg.Variant = variant
		m, err := model.New(cfg)
		if err != nil {
			t.Fatalf("drew an invalid configuration %s: %v", cfg.String(), err)
		}
		fuzz.Walk(t, fuzz.Segment(m, props), walkSteps)
	}
}

func TestSafetyAlongRandomWalks(t *testing.T) {
	fuzz.Checks(checks)
	rapid.Check(t, safetyWalk(model.TCP, safety(t)))
}

// The fuzzers find planted bugs: the same test, run on a variant with a
// bug, fails within the CI budget, naming the property the bug breaks.
func TestRandomWalksFindPlantedBugs(t *testing.T) {
	for _, bug := range []struct {
		variant    model.Variant
		properties []string // what the bug breaks; a walk names one
	}{
		{model.BugAckSeq, []string{"handshake-ack"}},
		// B takes text in SYN-SENT, before it synchronized with any
		// peer: delivered-within-sent names it as soon as the text
		// arrives; stream-integrity names it too, when the text comes
		// from an incarnation B is not synchronized with, and a walk
		// may meet that first (about one run in seventy did).
		{model.BugDataInSynSent, []string{"delivered-within-sent", "stream-integrity"}},
	} {
		t.Run(bug.variant.String(), func(t *testing.T) {
			start := time.Now()
			report, found := fuzz.Finds(bugBudget, safetyWalk(bug.variant, safety(t)))
			require.True(t, found, "%d random walks found no violation of %s", bugBudget, strings.Join(bug.properties, " or "))
			named := ""
			for _, p := range bug.properties {
				if strings.Contains(report, "VIOLATION "+p+" ") {
					named = p
				}
			}
			require.NotEmpty(t, named, "the walk names none of %v:\n%s", bug.properties, report)
			t.Logf("found %s in %s: %s", named, time.Since(start).Round(time.Millisecond), summary(report))
			t.Logf("the shrunk behaviour:\n%s", shrunk(report))
		})
	}
}

// TestWalksAgreeWithTheChecker cross-checks random walks with exhaustive
// search on configurations small enough to explore: every state a walk
// reaches is one the checker explored, and a walk violates only
// properties the checker finds violated (the converse is not expected: a
// walk sees one behaviour at a time).
func TestWalksAgreeWithTheChecker(t *testing.T) {
	type explored struct {
		name   string
		model  *model.Model
		states map[model.State]bool
		// props are the invariants the checker finds to hold, and
		// "explored", which holds in every explored state.
		props []properties.SegmentProperty
	}
	var targets []explored
	violated := map[string]bool{}
	for _, c := range crossCheckConfigs(t) {
		m, err := model.New(c.cfg)
		require.NoError(t, err)
		opts := checker.Options[model.State, model.Action]{ContinueAfterViolation: true, KeepGraph: true}
		all := invariants(t)
		properties.Apply(&opts, all, m.Final)
		res, err := checker.Explore(context.Background(), m, opts)
		require.NoError(t, err)
		require.Empty(t, res.StopReason, "%s: the search must be complete", c.name)
		x := explored{name: c.name, model: m, states: map[model.State]bool{}}
		for _, s := range res.Graph.States() {
			x.states[s] = true
		}
		for _, p := range all {
			if slices.ContainsFunc(res.Violations, func(v checker.Violation[model.State, model.Action]) bool {
				q, _ := properties.Find(all, v.Name)
				return q.ID == p.ID
			}) {
				violated[p.ID] = true
				continue
			}
			x.props = append(x.props, p)
		}
		x.props = append(x.props, properties.SegmentProperty{
			ID:    "explored",
			State: func(s *model.State) bool { return x.states[*s] },
			Why: func(*model.State, model.Action, *model.State) string {
				return "the walk reached a state the checker did not explore"
			},
		})
		targets = append(targets, x)
	}
	// Each legitimate failure is one the checker confirms.
	for id := range legitimateFailures {
		require.True(t, violated[id], "no cross-check configuration violates %s", id)
	}
	fuzz.Checks(checks)
	rapid.Check(t, func(t *rapid.T) {
		x := rapid.SampledFrom(targets).Draw(t, "configuration")
		t.Logf("configuration %s", x.name)
		fuzz.Walk(t, fuzz.Segment(x.model, x.props), walkSteps)
	})
}

type namedConfig struct {
	name string
	cfg  model.Config
}

// crossCheckConfigs are the presets that explore in a moment, and
// configurations on which the checker finds each legitimate failure.
func crossCheckConfigs(t *testing.T) []namedConfig {
	preset := func(name string, edit func(*model.Config)) namedConfig {
		cfg, err := model.LookupPreset(name)
		require.NoError(t, err)
		edit(&cfg)
		return namedConfig{name, cfg}
	}
	none := func(*model.Config) {}
	return []namedConfig{
		preset("handshake", none),
		preset("close", none),
		preset("lifecycle", none),
		preset("simultaneous", none),
		// README: the listener gives up, the client stays ESTABLISHED.
		preset("handshake", func(c *model.Config) { c.MaxLosses, c.MaxRetries = 2, 1 }),
		// Simultaneous open with reordering: half-open ends, and RSTs in
		// LAST-ACK.
		preset("simultaneous", func(c *model.Config) { c.Data, c.Reorder, c.EarlyClose = [2]int{1, 0}, true, false }),
		// A small channel and an abort.
		preset("lifecycle", func(c *model.Config) { c.Capacity, c.Abort, c.Data = 2, true, [2]int{1, 0} }),
		// A second incarnation meets TIME-WAIT.
		preset("lifecycle", func(c *model.Config) {
			c.Roles[model.B] |= model.Connector
			c.Data, c.MaxLosses, c.Incarnations, c.MaxRetries = [2]int{1, 0}, 0, 2, 1
		}),
		// A peer that gives up after its retries leaves the other in
		// FIN-WAIT-2, with no ABORT to leave it by.
		preset("lifecycle", func(c *model.Config) {
			c.Data, c.MaxLosses, c.MaxRetries = [2]int{1, 0}, 2, 1
		}),
	}
}

// invariants are the catalogue's invariants.
func invariants(t testing.TB) []properties.SegmentProperty {
	var out []properties.SegmentProperty
	for _, p := range properties.Segment() {
		if p.Kind == properties.Invariant {
			out = append(out, p)
		}
	}
	return out
}

// A checker counterexample replays step by step on the model, and the
// walks' property check finds the same violation at its last step.
func TestCounterexamplesReplayOnTheModel(t *testing.T) {
	ctx := context.Background()
	n := 0
	for _, c := range properties.Claims() {
		for _, x := range c.Experiments {
			if x.Expect != checker.Violated {
				continue
			}
			out, err := properties.RunExperiment(ctx, x)
			require.NoError(t, err)
			if out.LoopStart != properties.NoLoop {
				continue // a lasso: a temporal property, which walks do not check
			}
			m, err := model.New(x.Config)
			require.NoError(t, err)
			trace := out.Trace
			require.True(t, slices.Contains(slices.Collect(m.Init()), trace[0].State), "claim %s: step 0 is not an initial state", c.ID)
			for k := 1; k < len(trace); k++ {
				next, ok := m.Step(trace[k-1].State, trace[k].Action)
				require.True(t, ok, "claim %s, step %d: %v is not enabled", c.ID, k, trace[k].Action)
				require.Equal(t, trace[k].State, next, "claim %s, step %d: %v", c.ID, k, trace[k].Action)
			}
			require.NoError(t, checker.Replay(m, trace))
			props, err := properties.Select(properties.Segment(), []string{out.Property})
			require.NoError(t, err)
			v := fuzz.Check(fuzz.Segment(m, props), trace)
			require.NotNil(t, v, "claim %s: the walks' check misses %s", c.ID, out.Property)
			require.Len(t, v.Trace, len(trace), "claim %s: %s fails before the counterexample's end", c.ID, out.Property)
			require.Equal(t, out.Why, v.Why)
			n++
		}
	}
	require.Positive(t, n)
}

// shrunk is the violation rapid reports, with its trace table.
func shrunk(report string) string {
	_, v, _ := strings.Cut(report, "VIOLATION ")
	v, _, _ = strings.Cut(v, "\nTo reproduce")
	return "VIOLATION " + strings.TrimSpace(v)
}

var failedAfter = regexp.MustCompile(`\[rapid\] failed after (\d+) tests`)

// summary is how many walks passed before one failed, and the violation.
func summary(report string) string {
	tests := "?"
	if m := failedAfter.FindStringSubmatch(report); m != nil {
		tests = m[1]
	}
	_, v, _ := strings.Cut(report, "VIOLATION ")
	v, _, _ = strings.Cut(v, "\n")
	return fmt.Sprintf("after %s passing walks; VIOLATION %s", tests, v)
}
