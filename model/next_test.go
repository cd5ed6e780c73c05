package model

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Next, which skips the candidates that disabled rules out and steps the
// others in place, yields exactly what Step yields on every candidate of
// actions, in the same order. It is checked on the states a breadth-first
// search reaches (up to a bound) for every preset, every variant, and
// configurations that enable what the presets leave off: ABORT, early
// CLOSE, reopening, several ISNs, spurious retransmissions, the SYN flood.
// If a change to a guard makes an action enabled where disabled says it
// cannot be, this test fails: change disabled too.
func TestNextAgreesWithStep(t *testing.T) {
	const maxStates = 3000
	var configs []Config
	for _, p := range Presets() {
		for _, v := range Variants() {
			cfg := p.Config
			cfg.Variant = v
			configs = append(configs, cfg)
		}
	}
	wide, err := LookupPreset("simultaneous")
	require.NoError(t, err)
	wide.Abort, wide.Incarnations, wide.SpuriousRetransmit, wide.RFC1337 = true, 2, true, true
	wide.ISNs = [2][]uint32{{4294967295, 7}, {1000, 5000}}
	wide.Data, wide.MaxLosses, wide.MaxDups, wide.Reorder = [2]int{1, 1}, 1, 1, true
	flood, err := LookupPreset("lifecycle")
	require.NoError(t, err)
	flood.SynBacklog, flood.Attacker, flood.Roles[B] = 2, 2, Listener|Connector
	configs = append(configs, wide, flood)
	for _, v := range Variants() {
		for _, cfg := range []Config{wide, flood} {
			cfg.Variant = v
			configs = append(configs, cfg)
		}
	}

	steps := 0
	for _, cfg := range configs {
		m, err := New(cfg)
		require.NoError(t, err)
		seen := map[State]bool{}
		var queue []State
		for s := range m.Init() {
			seen[s] = true
			queue = append(queue, s)
		}
		for len(queue) > 0 {
			s := queue[0]
			queue = queue[1:]
			var wantActs, acts []Action
			var wantStates, states []State
			for a := range m.actions(&s) {
				if next, ok := m.Step(s, a); ok {
					wantActs, wantStates = append(wantActs, a), append(wantStates, next)
				}
			}
			for a, next := range m.Next(s) {
				acts, states = append(acts, a), append(states, next)
				if !seen[next] && len(seen) < maxStates {
					seen[next] = true
					queue = append(queue, next)
				}
			}
			require.Equal(t, wantActs, acts, "%v, variant %v: %v", cfg, cfg.Variant, s)
			require.Equal(t, wantStates, states, "%v, variant %v: %v", cfg, cfg.Variant, s)
			steps += len(acts)
		}
	}
	require.Greater(t, steps, 100000)
}
