package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
	"github.com/tcpcheck/tcpcheck/properties/fuzz"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// timing matches the figures that change from run to run.
var timing = regexp.MustCompile(`in [0-9.]+s \([0-9]+ states/s\)`)

func golden(t *testing.T, name, got string) {
	t.Helper()
	got = timing.ReplaceAllString(got, "in Xs (X states/s)")
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run 'go test ./verify -update' to create it")
	require.Equal(t, string(want), got)
}

type segmentProperty = properties.Property[model.State, model.Action]

// neverTimeWait is a user's invariant the lifecycle preset violates: A,
// which closes first, passes through TIME-WAIT.
var neverTimeWait = segmentProperty{
	ID: "a-never-time-wait", Description: "A never enters TIME-WAIT", Source: "a user's test", Kind: properties.Invariant,
	State: func(s *model.State) bool { return s.Ep[model.A].State != model.TimeWait },
	Why: func(_ *model.State, _ model.Action, to *model.State) string {
		return "A is in " + to.Ep[model.A].State.String()
	},
}

// synSentEnds is a user's temporal property: under the model's fairness,
// A never stays in SYN-SENT for ever.
var synSentEnds = segmentProperty{
	ID: "a-leaves-syn-sent", Description: "A leaves SYN-SENT", Source: "a user's test", Kind: properties.Temporal,
	Leads: []properties.LeadsTo[model.State]{{
		P:     func(s *model.State) bool { return s.Ep[model.A].State == model.SynSent },
		Q:     func(s *model.State) bool { return s.Ep[model.A].State != model.SynSent },
		PName: "A is in SYN-SENT", QName: "A has left SYN-SENT",
	}},
	Fairness: properties.SegmentFairness(),
}

// noClosedToEstablished is a user's transition invariant.
var noClosedToEstablished = segmentProperty{
	ID: "no-closed-to-established", Description: "no endpoint goes from CLOSED to ESTABLISHED in one step", Kind: properties.Invariant,
	Step: func(from *model.State, _ model.Action, to *model.State) bool {
		for _, side := range []model.Side{model.A, model.B} {
			if from.Ep[side].State == model.Closed && to.Ep[side].State == model.Established {
				return false
			}
		}
		return true
	},
}

func userModel(t *testing.T, preset string) *Model[model.State, model.Action] {
	t.Helper()
	m, err := SegmentPreset(preset)
	require.NoError(t, err)
	m.Properties = append(m.Properties, neverTimeWait, synSentEnds, noClosedToEstablished)
	return m
}

func TestUserPropertiesHold(t *testing.T) {
	m := userModel(t, "handshake")
	c, err := NewCheck(m, Options{Properties: []string{"a-leaves-syn-sent", "no-closed-to-established", "handshake-ack"}})
	require.NoError(t, err)
	var out bytes.Buffer
	c.WriteHeader(&out)
	res, err := c.Run(context.Background())
	require.NoError(t, err)
	res.WriteText(&out)
	require.Equal(t, "ok", res.Result)
	golden(t, "user-holds.txt", out.String())
	var again bytes.Buffer
	res.WriteHeader(&again)
	res.WriteText(&again)
	require.Equal(t, out.String(), again.String(), "the report's header is the check's")

	var js bytes.Buffer
	require.NoError(t, res.WriteJSON(&js))
	var doc struct {
		Result     string
		Properties []struct {
			ID, Kind, Status string
			Fairness         []string
		}
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &doc))
	require.Equal(t, "ok", doc.Result)
	require.Len(t, doc.Properties, 3)
	for _, p := range doc.Properties {
		require.Equal(t, "holds", p.Status, p.ID)
	}
	require.Equal(t, "temporal", doc.Properties[1].Kind)
	require.NotEmpty(t, doc.Properties[1].Fairness, "the temporal property's fairness is reported")
}

func TestUserInvariantViolated(t *testing.T) {
	m := userModel(t, "lifecycle")
	res, err := Run(context.Background(), m, Options{Properties: []string{"a-never-time-wait"}})
	require.NoError(t, err)
	require.Equal(t, "violation", res.Result)
	var out bytes.Buffer
	res.WriteText(&out)
	golden(t, "user-violated.txt", out.String())

	require.Len(t, res.Violations, 1)
	v := res.Violations[0]
	require.Equal(t, "a-never-time-wait", v.Property)
	require.Equal(t, "TIME-WAIT", v.Trace[len(v.Trace)-1].A)
	require.Equal(t, "A is in TIME-WAIT", v.Why)

	var js bytes.Buffer
	require.NoError(t, res.WriteJSON(&js))
	var doc Report
	require.NoError(t, json.Unmarshal(js.Bytes(), &doc))
	require.Equal(t, res.Violations, doc.Violations)

	dot, err := res.TraceDOT()
	require.NoError(t, err)
	require.Contains(t, string(dot), "digraph")
	require.Contains(t, string(dot), "a-never-time-wait")
}

func TestBadInput(t *testing.T) {
	m := userModel(t, "handshake")
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{Properties: []string{"no-such"}}, `unknown property "no-such"`},
		{Options{MaxStates: -1}, "MaxStates: must not be negative"},
		{Options{Properties: []string{"a-leaves-syn-sent"}, NoTemporal: true}, "no property to check"},
	} {
		_, err := NewCheck(m, tt.opts)
		require.ErrorContains(t, err, tt.want)
	}
	_, err := NewCheck(m, Options{Properties: []string{"a-leaves-syn-sent"}, NoTemporal: true})
	require.ErrorIs(t, err, ErrOnlyTemporal)
	_, err = NewCheck[model.State, model.Action](nil, Options{})
	require.Error(t, err)
	_, err = Segment("x", model.Config{})
	require.Error(t, err, "an invalid configuration is an error, not a panic")
}

func TestSimulateUserInvariant(t *testing.T) {
	m := userModel(t, "lifecycle")
	sim, err := NewSimulation(m, SimulateOptions{Properties: []string{"a-never-time-wait", "a-leaves-syn-sent"}, Steps: 200, Walks: 200, Seed: 1})
	require.NoError(t, err)
	var out bytes.Buffer
	sim.WriteHeader(&out)
	res := sim.Run(context.Background())
	res.WriteText(&out)
	require.Equal(t, "violation", res.Result)
	require.Equal(t, "a-never-time-wait", res.Found().Property)
	require.Contains(t, out.String(), "not checked: a-leaves-syn-sent (temporal")
	require.Contains(t, out.String(), "VIOLATION a-never-time-wait (invariant): A is in TIME-WAIT")

	// The same seed walks the same walk.
	again := sim.Run(context.Background())
	require.Equal(t, res.Violation, again.Violation)
	var whole bytes.Buffer
	again.WriteHeader(&whole)
	again.WriteText(&whole)
	require.Equal(t, timing.ReplaceAllString(out.String(), ""), timing.ReplaceAllString(whole.String(), ""), "the report's header is the simulation's")

	_, err = NewSimulation(m, SimulateOptions{Properties: []string{"a-leaves-syn-sent"}, Steps: 1, Walks: 1})
	require.ErrorContains(t, err, "temporal")
}

// A user fuzzes their configuration from their own go test: rapid draws
// the walks through the simulation's target and shrinks a failing one.
func TestSimulationTargetWithRapid(t *testing.T) {
	m := userModel(t, "lifecycle")
	sim, err := NewSimulation(m, SimulateOptions{Properties: []string{"handshake-ack", "no-closed-to-established"}, Steps: 1, Walks: 1})
	require.NoError(t, err)
	rapid.Check(t, func(rt *rapid.T) {
		fuzz.Walk(rt, sim.Target(), 60)
	})

	bad, err := NewSimulation(m, SimulateOptions{Properties: []string{"a-never-time-wait"}, Steps: 1, Walks: 1})
	require.NoError(t, err)
	report, found := fuzz.Finds(2000, func(rt *rapid.T) { fuzz.Walk(rt, bad.Target(), 60) })
	require.True(t, found, "rapid finds the walk to TIME-WAIT")
	require.Contains(t, report, "VIOLATION a-never-time-wait (invariant): A is in TIME-WAIT")
}

// A user's own variant — here a stack whose 2MSL timer never fires — is
// checked through the library like a built-in one: the variant travels in
// the configuration, the verdict and the coverage say what it changed.
func TestUserVariant(t *testing.T) {
	stuck, err := model.NewVariant("no-2msl-expiry", "the 2MSL timer never fires", model.Rule{
		Name: "timer/time-wait", Summary: "never fires",
		Apply: func(*model.Transition, *model.Event) bool { return false },
	})
	require.NoError(t, err)
	cfg, err := model.LookupPreset("lifecycle")
	require.NoError(t, err)
	cfg.Variant = stuck
	m, err := Segment("lifecycle", cfg)
	require.NoError(t, err)
	res, err := Run(context.Background(), m, Options{Properties: []string{"eventually-closed"}})
	require.NoError(t, err)
	require.Equal(t, "violation", res.Result)
	require.Equal(t, "eventually-closed", res.Violations[0].Property)
	trace := res.Violations[0].Trace
	require.Equal(t, "TIME-WAIT", trace[len(trace)-1].A, "A waits in TIME-WAIT for ever")
	require.Contains(t, Missing(res.Coverage.Actions), "2MSL timeout")
	require.Contains(t, Missing(res.Coverage.Arcs), "TIME-WAIT → CLOSED: Timeout=2MSL")
	require.Contains(t, res.ConfigLine, "variant=no-2msl-expiry")

	tcp, err := SegmentPreset("lifecycle")
	require.NoError(t, err)
	res, err = Run(context.Background(), tcp, Options{Properties: []string{"eventually-closed"}})
	require.NoError(t, err)
	require.Equal(t, "ok", res.Result)
	require.NotContains(t, Missing(res.Coverage.Arcs), "TIME-WAIT → CLOSED: Timeout=2MSL")
}

// An invariant whose premise the search never reaches is reported as
// vacuous — in the table, in JSON, and with a warning line — never as a
// plain "holds" (issue 15).
func TestVacuousInvariantIsReported(t *testing.T) {
	m, err := SegmentPreset("lifecycle")
	require.NoError(t, err)
	res, err := Run(context.Background(), m, Options{Properties: []string{"syn-queue-bound", "stream-integrity"}})
	require.NoError(t, err)
	var text, js bytes.Buffer
	res.WriteText(&text)
	require.Regexp(t, `syn-queue-bound +invariant +vacuous`, text.String())
	require.Regexp(t, `stream-integrity +invariant +holds`, text.String())
	require.Contains(t, text.String(), "warning: syn-queue-bound holds vacuously: the search never reached its premise (the SYN queue full)")
	require.Contains(t, text.String(), "note: stream-integrity: part of its premise was never reached")
	require.NoError(t, res.WriteJSON(&js))
	var doc struct {
		Properties []struct {
			ID        string
			Status    string
			Vacuous   bool
			Unreached []string `json:"unreached_premises"`
			Premises  []struct {
				Premise string
				Hits    int64
			}
		}
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &doc))
	require.Len(t, doc.Properties, 2)
	stream, syn := doc.Properties[0], doc.Properties[1] // catalogue order
	require.Equal(t, "syn-queue-bound", syn.ID)
	require.Equal(t, "vacuous", syn.Status)
	require.True(t, syn.Vacuous)
	require.Equal(t, "holds", stream.Status)
	require.Positive(t, stream.Premises[0].Hits)
	require.Len(t, stream.Unreached, 1)
}

// A search that left the fast path says so, in the text and the JSON
// report; one that did not says nothing of it.
func TestPackedPathLeftIsReported(t *testing.T) {
	for _, left := range []bool{false, true} {
		r := &Report{Model: "segment", Store: "exact", Workers: 1, PackedPathLeft: left}
		var text, js bytes.Buffer
		r.WriteText(&text)
		require.NoError(t, r.WriteJSON(&js))
		require.Equal(t, left, strings.Contains(text.String(), "fast path left:"), text.String())
		require.Equal(t, left, strings.Contains(js.String(), `"packed_path_left": true`), js.String())
	}
}

// BytesPerState counts the liveness analysis after a complete search
// with temporal properties: the store, the graph and what the analysis
// held besides. Without them it is the search's alone.
func TestBytesPerStateCountsTheAnalysis(t *testing.T) {
	m, err := SegmentPreset("reorder")
	require.NoError(t, err)
	for _, noTemporal := range []bool{false, true} {
		res, err := Run(context.Background(), m, Options{Workers: 1, NoTemporal: noTemporal})
		require.NoError(t, err)
		r, st := res.Report, res.Search.Stats
		require.Equal(t, float64(st.SearchBytes)/float64(st.Distinct), r.SearchBytesPerState)
		if noTemporal {
			require.Equal(t, r.SearchBytesPerState, r.BytesPerState)
			continue
		}
		// At least the shortest paths and, for each check, its marks and
		// region, a byte and four a state.
		floor := st.StoreBytes + st.GraphBytes + res.Search.Graph.PathBytes() + 5*int64(st.Distinct)
		require.GreaterOrEqual(t, r.BytesPerState*float64(st.Distinct), float64(floor))
		require.Greater(t, r.BytesPerState, r.SearchBytesPerState, "here the analysis holds more than the search did")
	}
}
