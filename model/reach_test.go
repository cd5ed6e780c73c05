package model_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
)

// All eleven states of RFC 9293 §3.3.2 are reachable, for each endpoint
// role, in the lifecycle and simultaneous presets taken together — and
// each preset reaches the ones its scenario is about.
func TestAllElevenStatesReachable(t *testing.T) {
	reached := map[model.ConnState]bool{}
	perPreset := map[string]map[model.ConnState]bool{}
	for _, name := range []string{"lifecycle", "simultaneous"} {
		cfg, err := model.LookupPreset(name)
		require.NoError(t, err)
		m, err := model.New(cfg)
		require.NoError(t, err)
		res, err := checker.Explore(context.Background(), m, checker.Options[model.State, model.Action]{KeepGraph: true})
		require.NoError(t, err)
		require.Equal(t, checker.Holds, res.Verdict)
		perPreset[name] = map[model.ConnState]bool{}
		for _, s := range res.Graph.States() {
			for _, side := range []model.Side{model.A, model.B} {
				reached[s.Ep[side].State] = true
				perPreset[name][s.Ep[side].State] = true
			}
		}
	}
	for _, c := range model.ConnStates {
		require.True(t, reached[c], "%s is never reached", c)
	}
	require.Len(t, perPreset["lifecycle"], 11, "lifecycle reaches every state, CLOSING through a simultaneous close")
	for _, c := range []model.ConnState{model.SynSent, model.SynReceived, model.Closing} {
		require.True(t, perPreset["simultaneous"][c], "simultaneous reaches %s", c)
	}
}

// Every preset's configuration is valid; the stress preset is the large
// one (its size is measured by the benchmarks, not here).
func TestPresetsAreValid(t *testing.T) {
	for _, p := range model.Presets() {
		_, err := model.New(p.Config)
		require.NoError(t, err, p.Name)
		require.NotEmpty(t, p.Description)
	}
}
