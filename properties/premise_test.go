package properties_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
)

// presetVacuity runs the catalogue's invariants on preset name and
// returns the premises never reached, by property.
func presetVacuity(t *testing.T, name string) map[string][]string {
	t.Helper()
	cfg, err := model.LookupPreset(name)
	require.NoError(t, err)
	return vacuity(t, cfg)
}

// vacuity runs the catalogue's invariants on cfg and returns the premises
// never reached, by property.
func vacuity(t *testing.T, cfg model.Config) map[string][]string {
	t.Helper()
	m, err := model.New(cfg)
	require.NoError(t, err)
	opts := checker.Options[model.State, model.Action]{ContinueAfterViolation: true}
	v := properties.ApplyCounting(&opts, properties.Segment(), m.Final)
	res, err := checker.Explore(context.Background(), m, opts)
	require.NoError(t, err)
	require.Empty(t, res.StopReason)
	v.Count(res.Counts)
	out := map[string][]string{}
	for _, p := range properties.Segment() {
		if u := v.Unreached(p.ID); len(u) > 0 {
			out[p.ID] = u
		}
	}
	return out
}

// Together the presets of --preset all reach every premise of every
// property (issue 15): no "holds" of the catalogue is empty on all of
// them.
func TestAllPresetsReachEveryPremise(t *testing.T) {
	unreached := map[string]int{} // "property: premise" → presets missing it
	for _, name := range model.AllPresets {
		for id, premises := range presetVacuity(t, name) {
			for _, q := range premises {
				unreached[id+": "+q]++
			}
		}
	}
	var never []string
	for k, n := range unreached {
		if _, beyond := beyondAll[k]; n == len(model.AllPresets) && !beyond {
			never = append(never, k)
		}
	}
	require.Empty(t, never, "premises no preset of --preset all reaches")
	require.NotEmpty(t, unreached, "some premise is missed by some preset: the test sees misses")
}

// beyondAll are the premises no preset of --preset all reaches, each with
// why and a configuration that does reach it (TestPremisesBeyondAll).
var beyondAll = map[string]struct {
	why    string
	config func() model.Config
}{
	"connect-no-timeout: a first connect's SYN retransmitted though nothing was lost": {
		why: "TCP answers every first connect (a full SYN queue with a SYN cookie): only a listener that drops SYNs makes it retransmit without loss, which is what the property is there to catch (seed §5)",
		config: func() model.Config {
			c, _ := model.LookupPreset("flood")
			c.Variant = model.NoSynCookies
			return c
		},
	},
}

// Each premise beyond --preset all is reached by the configuration named
// for it.
func TestPremisesBeyondAll(t *testing.T) {
	for k, b := range beyondAll {
		t.Run(k, func(t *testing.T) {
			for id, premises := range vacuity(t, b.config()) {
				for _, q := range premises {
					require.NotEqual(t, k, id+": "+q, "not reached: %s", b.why)
				}
			}
		})
	}
}

// A premise never reached makes the property vacuous; one reached is
// counted.
func TestVacuity(t *testing.T) {
	cfg, err := model.LookupPreset("lifecycle")
	require.NoError(t, err)
	m, err := model.New(cfg)
	require.NoError(t, err)
	props, err := properties.Select(properties.Segment(), []string{"syn-queue-bound", "stream-integrity", "channel-bound"})
	require.NoError(t, err)
	opts := checker.Options[model.State, model.Action]{}
	v := properties.ApplyCounting(&opts, props, m.Final)
	res, err := checker.Explore(context.Background(), m, opts)
	require.NoError(t, err)
	v.Count(res.Counts)
	require.True(t, v.Vacuous("syn-queue-bound"), "lifecycle has no SYN queue")
	require.Equal(t, []string{"the SYN queue full"}, v.Unreached("syn-queue-bound"))
	require.False(t, v.Vacuous("stream-integrity"), "bytes are delivered")
	require.Equal(t, []string{"a segment of the peer's earlier incarnation reaches a synchronized endpoint"}, v.Unreached("stream-integrity"))
	require.Positive(t, v.Hits("stream-integrity")[0].Hits)
	require.False(t, v.Vacuous("channel-bound"), "no premise declared: never vacuous")
	require.Nil(t, v.Hits("channel-bound"))
}

// Every premise is counted once per state stored or transition taken,
// whatever the number of workers: on the reorder preset, with and
// without the graph, one and two workers count the same, and a state
// premise counts no more than the states stored.
func TestPremiseHitsSameForWorkers(t *testing.T) {
	cfg, err := model.LookupPreset("reorder")
	require.NoError(t, err)
	m, err := model.New(cfg)
	require.NoError(t, err)
	for _, graph := range []bool{false, true} {
		var want map[string][]properties.PremiseHits
		for _, workers := range []int{1, 2} {
			opts := checker.Options[model.State, model.Action]{Workers: workers, KeepGraph: graph, ContinueAfterViolation: true}
			v := properties.ApplyCounting(&opts, properties.Segment(), m.Final)
			res, err := checker.Explore(context.Background(), m, opts)
			require.NoError(t, err)
			v.Count(res.Counts)
			got := map[string][]properties.PremiseHits{}
			for _, p := range properties.Segment() {
				got[p.ID] = v.Hits(p.ID)
			}
			for _, h := range got["no-data-on-syn"] {
				require.Positive(t, h.Hits)
				require.LessOrEqual(t, h.Hits, int64(res.Stats.Distinct), "a state premise counts each state once")
			}
			if want == nil {
				want = got
				continue
			}
			require.Equal(t, want, got, "graph %t, %d workers", graph, workers)
		}
	}
}
