package graphs

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./graphs -update")
	require.Equal(t, string(want), string(got), "%s differs: run go test ./graphs -update and review the diff", path)
}

// mustModel returns the model of a preset, changed by edit if not nil.
func mustModel(t *testing.T, preset string, edit func(*model.Config)) *model.Model {
	t.Helper()
	cfg, err := model.LookupPreset(preset)
	require.NoError(t, err)
	if edit != nil {
		edit(&cfg)
	}
	m, err := model.New(cfg)
	require.NoError(t, err)
	return m
}

// explore returns the complete explored graph of m.
func explore(t *testing.T, m *model.Model) *checker.Graph[model.State, model.Action] {
	t.Helper()
	res, err := checker.Explore(context.Background(), m, checker.Options[model.State, model.Action]{KeepGraph: true})
	require.NoError(t, err)
	require.Equal(t, checker.Holds, res.Verdict, res.StopReason)
	return res.Graph
}

// act names an action by kind and side; play takes the first enabled
// action that matches, in Next's order.
type act struct {
	kind model.ActionKind
	side model.Side
}

// play runs a script of actions from m's first initial state and returns
// the trace.
func play(t *testing.T, m *model.Model, script ...act) []checker.Step[model.State, model.Action] {
	t.Helper()
	var s model.State
	for s = range m.Init() {
		break
	}
	trace := []checker.Step[model.State, model.Action]{{State: s}}
	for i, want := range script {
		found := false
		for a, next := range m.Next(s) {
			if a.Kind == want.kind && a.Side == want.side {
				trace = append(trace, checker.Step[model.State, model.Action]{Action: a, HasAction: true, State: next})
				s, found = next, true
				break
			}
		}
		require.Truef(t, found, "step %d: %s %s is not enabled in %v", i+1, want.side, want.kind, s)
	}
	return trace
}

// traceGraph is the graph of the states and steps of a trace, for tests
// that need a small graph.
func traceGraph(trace []checker.Step[model.State, model.Action]) *checker.Graph[model.State, model.Action] {
	var (
		states []model.State
		edges  []checker.Edge[model.Action]
	)
	for i, st := range trace {
		states = append(states, st.State)
		if i > 0 {
			edges = append(edges, checker.Edge[model.Action]{From: i - 1, To: i, Action: st.Action})
		}
	}
	return checker.NewGraph(states, []int{0}, edges)
}

var (
	A = model.A
	B = model.B
)

// handshakeScript opens the connection: B listens, A connects, and the
// three segments of the handshake arrive.
var handshakeScript = []act{
	{model.PassiveOpen, B}, {model.ActiveOpen, A},
	{model.Deliver, B}, {model.Deliver, A}, {model.Deliver, B},
}
