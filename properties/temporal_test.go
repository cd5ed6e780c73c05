package properties

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/diagram"
)

// exploreGraph explores cfg keeping the graph, as the CLI does for
// temporal properties.
func exploreGraph(t *testing.T, cfg model.Config) (*model.Model, *checker.Result[model.State, model.Action]) {
	t.Helper()
	m, err := model.New(cfg)
	require.NoError(t, err)
	res, err := checker.Explore(context.Background(), m, checker.Options[model.State, model.Action]{KeepGraph: true})
	require.NoError(t, err)
	require.Equal(t, checker.Holds, res.Verdict)
	return m, res
}

func temporal(t *testing.T, res *checker.Result[model.State, model.Action], id string) TemporalOutcome[model.State, model.Action] {
	t.Helper()
	props, err := Select(Segment(), []string{id})
	require.NoError(t, err)
	out, _ := CheckTemporal(res, props, 2)
	require.Len(t, out, 1)
	return out[0]
}

// The correct model satisfies the temporal properties under its declared
// fairness.
func TestTemporalPropertiesHold(t *testing.T) {
	for _, name := range []string{"lifecycle", "simultaneous", "handshake"} {
		cfg, err := model.LookupPreset(name)
		require.NoError(t, err)
		_, res := exploreGraph(t, cfg)
		for _, id := range []string{"eventually-closed", "handshake-completes"} {
			o := temporal(t, res, id)
			require.Equal(t, "holds", o.Status, "%s on %s: %s", id, name, o.Why)
			require.NotEmpty(t, o.Fairness)
		}
	}
}

// A TCP that never retransmits its FIN, on a lossy channel, fails
// eventually-closed with a lasso: the FIN is lost and nothing fair is
// left to do.
func TestNoFinRetransmitFailsEventuallyClosed(t *testing.T) {
	cfg, err := model.LookupPreset("lifecycle")
	require.NoError(t, err)
	cfg.Variant = model.NoFinRetransmit
	m, res := exploreGraph(t, cfg)
	o := temporal(t, res, "eventually-closed")
	require.Equal(t, "violated", o.Status)
	require.NotNil(t, o.Lasso)
	require.NoError(t, checker.Replay(m, o.Lasso.Trace), "the lasso's prefix and loop are transitions of the model")
	last := o.Lasso.Trace[len(o.Lasso.Trace)-1].State
	require.False(t, atRest(&last.Ep[model.A]) && atRest(&last.Ep[model.B]))
	require.True(t, last.Ep[model.A].AppClosed && last.Ep[model.B].AppClosed)
	require.Contains(t, o.Why, "both applications have closed")
}

// handshake-completes can fail: a client left in SYN-SENT by a listener
// that never answers, with nothing fair left to do.
func TestHandshakeCompletesCanFail(t *testing.T) {
	var stuck model.State
	stuck.Ep[model.A] = model.Endpoint{State: model.SynSent, Opens: 1}
	stuck.Ep[model.B] = model.Endpoint{State: model.Listen, Opens: 1}
	res := &checker.Result[model.State, model.Action]{Graph: checker.NewGraph([]model.State{stuck}, []int{0}, []checker.Edge[model.Action]{})}
	o := temporal(t, res, "handshake-completes")
	require.Equal(t, "violated", o.Status)
	require.True(t, o.Lasso.Stutter)
}

// Without a complete graph the temporal properties are unknown, and say
// why.
func TestTemporalUnknownWithoutGraph(t *testing.T) {
	o := temporal(t, &checker.Result[model.State, model.Action]{StopReason: checker.StopMaxStates}, "eventually-closed")
	require.Equal(t, "unknown", o.Status)
	require.NotEmpty(t, o.Unknown)
}

// The diagram model satisfies tcp.tla's Prop under tcp.tla's fairness,
// with MCtcp's constraints.
func TestDiagramSynSentResolves(t *testing.T) {
	m := diagram.New(diagram.DefaultConfig())
	res, err := checker.Explore(context.Background(), m, checker.Options[diagram.State, diagram.Action]{
		KeepGraph: true, StateConstraint: m.StateConstraint, ActionConstraint: m.ActionConstraint,
	})
	require.NoError(t, err)
	props, err := Select(Diagram(), []string{"syn-sent-resolves"})
	require.NoError(t, err)
	out, _ := CheckTemporal(res, props, 2)
	require.Len(t, out, 1)
	require.Equal(t, "holds", out[0].Status)
	require.False(t, out[0].Vacuous)
	require.Equal(t, []string{"WF(System)", "WF(CLOSE in SYN-SENT)"}, out[0].Fairness)
}

// no-silent-loss can fail: a byte sent and never delivered, with nothing
// fair left to do and nothing reported to the sender.
func TestNoSilentLossCanFail(t *testing.T) {
	var stuck model.State
	stuck.Ep[model.A] = model.Endpoint{State: model.Established, Opens: 1, PeerInc: 1, Sent: 1}
	stuck.Ep[model.B] = model.Endpoint{State: model.Established, Opens: 1, PeerInc: 1}
	res := &checker.Result[model.State, model.Action]{Graph: checker.NewGraph([]model.State{stuck}, []int{0}, []checker.Edge[model.Action]{})}
	o := temporal(t, res, "no-silent-loss")
	require.Equal(t, "violated", o.Status)
	require.Contains(t, o.Why, "A's application has sent bytes its peer's connection has not delivered")
}

// no-silent-loss across incarnations (--incarnations 2): once B has
// delivered A's byte and opened again, its Delivered starts afresh while
// A's Sent stays; that byte is not lost, and the premise does not hold of
// B's new connection.
func TestNoSilentLossAfterReopen(t *testing.T) {
	var reopened model.State
	reopened.Ep[model.A] = model.Endpoint{State: model.TimeWait, Opens: 1, PeerInc: 1, Sent: 1}
	reopened.Ep[model.B] = model.Endpoint{State: model.Listen, Opens: 2}
	res := &checker.Result[model.State, model.Action]{Graph: checker.NewGraph([]model.State{reopened}, []int{0}, []checker.Edge[model.Action]{})}
	o := temporal(t, res, "no-silent-loss")
	require.Equal(t, "holds", o.Status)
}

// Deciding several temporal properties at once, on sets marked for all
// of them, gives each the outcome it has alone, a property with a nil
// predicate among them (unknown, its sets not marked) included.
func TestTemporalPropertiesTogether(t *testing.T) {
	cfg, err := model.LookupPreset("lifecycle")
	require.NoError(t, err)
	cfg.Variant = model.NoFinRetransmit // eventually-closed fails
	_, res := exploreGraph(t, cfg)
	var props []SegmentProperty
	for _, p := range Segment() {
		if p.Kind == Temporal {
			props = append(props, p)
		}
	}
	broken := props[0]
	broken.ID, broken.Leads = "broken", append([]LeadsTo[model.State]{{Q: broken.Leads[0].Q}}, broken.Leads...)
	props = append(props[:1], append([]SegmentProperty{broken}, props[1:]...)...)
	together, _ := CheckTemporal(res, props, 2)
	require.Len(t, together, len(props))
	statuses := map[string]bool{}
	for i, p := range props {
		alone, _ := CheckTemporal(res, []SegmentProperty{p}, 1)
		require.Equal(t, alone[0].Status, together[i].Status, p.ID)
		require.Equal(t, alone[0].Lasso, together[i].Lasso, p.ID)
		require.Equal(t, alone[0].Vacuous, together[i].Vacuous, p.ID)
		statuses[together[i].Status] = true
	}
	require.Equal(t, "unknown", together[1].Status)
	require.True(t, statuses["violated"] && statuses["holds"], "both verdicts among them: %v", statuses)
}

// What CheckTemporal says it held: the sets it marked, and, with one
// worker, the largest of its analyses and the shortest paths they share.
func TestCheckTemporalHeld(t *testing.T) {
	cfg, err := model.LookupPreset("reorder")
	require.NoError(t, err)
	_, res := exploreGraph(t, cfg)
	props := Segment()
	_, held := CheckTemporal(res, props, 1)
	g := res.Graph
	sets := checker.MarkStates(g, 1, predicates(props)...)
	var largest int64
	k := 0
	for _, p := range props {
		if p.Kind != Temporal {
			continue
		}
		for range p.Leads {
			r, err := checker.LeadsToIn(g, sets[k], sets[k+1], p.Fairness)
			require.NoError(t, err)
			largest = max(largest, r.Bytes)
			k += 2
		}
	}
	require.Positive(t, largest)
	require.Equal(t, int64(len(sets))*checker.StateSetBytes(g.NumStates())+largest+g.PathBytes(), held)
}
