package model_test

import (
	"context"
	"iter"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
)

// The Model gives the checker a compact encoding of its states.
var _ checker.Encoder[model.State] = (*model.Model)(nil)

// TestEncodingCoversEveryField fails when a field is added to the state
// and not to pack.go: two states differing only in it would then be taken
// for one. Add the field to AppendState and DecodeState, then here.
func TestEncodingCoversEveryField(t *testing.T) {
	encoded := map[reflect.Type][]string{
		reflect.TypeFor[model.State]():    {"Ep", "Ch", "Losses", "Dups", "Listen", "Overflow"},
		reflect.TypeFor[model.Endpoint](): {"State", "Passive", "AppClosed", "Backoff", "Opens", "Sent", "Delivered", "PeerInc", "Err", "Aborted", "Held", "Accepted", "ISS", "IRS", "SndUna", "SndNxt", "RcvNxt"},
		reflect.TypeFor[model.Channel]():  {"Segs", "N"},
		reflect.TypeFor[model.Segment]():  {"Seq", "Ack", "Flags", "Len", "Inc", "Stream", "Aged", "Delayed", "Timely"},
		reflect.TypeFor[model.Backlog]():  {"Half", "N", "Spoofed", "Held", "Cap", "Accept", "Clients", "AcceptCap"},
	}
	for typ, fields := range encoded {
		var have []string
		for i := range typ.NumField() {
			have = append(have, typ.Field(i).Name)
		}
		require.ElementsMatch(t, fields, have, "the fields of %s that pack.go encodes", typ)
	}
}

// presetStates returns the states of a preset, as the checker stores
// them with the model's encoding.
func presetStates(t testing.TB, name string) (*model.Model, []model.State) {
	t.Helper()
	m, err := model.New(mustPreset(t, name))
	require.NoError(t, err)
	res, err := checker.Explore(context.Background(), m, checker.Options[model.State, model.Action]{KeepGraph: true})
	require.NoError(t, err)
	require.Equal(t, checker.Holds, res.Verdict)
	var states []model.State
	for _, s := range res.Graph.States() {
		states = append(states, s)
	}
	return m, states
}

func TestEncodingRoundTrips(t *testing.T) {
	for _, name := range []string{"handshake", "close", "lifecycle", "simultaneous"} {
		m, states := presetStates(t, name)
		seen := make(map[string]model.State, len(states))
		for _, s := range states {
			code := m.AppendState(nil, s)
			require.Equal(t, s, m.DecodeState(code))
			// Distinct states, distinct encodings.
			_, dup := seen[string(code)]
			require.False(t, dup, "%s: two states encode as %x", name, code)
			seen[string(code)] = s
		}
	}
	m, err := model.New(mustPreset(t, "lifecycle"))
	require.NoError(t, err)
	require.Panics(t, func() { m.DecodeState([]byte{1, 2}) })
}

func mustPreset(t testing.TB, name string) model.Config {
	cfg, err := model.LookupPreset(name)
	require.NoError(t, err)
	return cfg
}

// The encoding does not change what the checker finds: the same figures
// with the encoding as with the state stored as it is.
func TestEncodingKeepsFigures(t *testing.T) {
	cfg := mustPreset(t, "simultaneous")
	m, err := model.New(cfg)
	require.NoError(t, err)
	coded, err := checker.Explore(context.Background(), m, checker.Options[model.State, model.Action]{})
	require.NoError(t, err)
	plain, err := checker.Explore(context.Background(), plainModel{m}, checker.Options[model.State, model.Action]{})
	require.NoError(t, err)
	coded.Stats.Elapsed, plain.Stats.Elapsed = 0, 0
	coded.Stats.StoreBytes, plain.Stats.StoreBytes = 0, 0
	coded.Stats.SearchBytes, plain.Stats.SearchBytes = 0, 0
	require.Equal(t, plain.Stats, coded.Stats)
}

// plainModel hides the model's encoder from the checker.
type plainModel struct{ m *model.Model }

func (p plainModel) Init() iter.Seq[model.State] { return p.m.Init() }

func (p plainModel) Next(s model.State) iter.Seq2[model.Action, model.State] { return p.m.Next(s) }

// The queues of B round-trip too: a configuration with a SYN queue, an
// attacker, an accept queue and other clients.
func TestEncodingRoundTripsWithQueues(t *testing.T) {
	cfg := mustPreset(t, "handshake")
	cfg.Data = [2]int{1, 0}
	cfg.SynBacklog, cfg.Attacker, cfg.AcceptBacklog, cfg.Clients = 1, 2, 1, 2
	m, err := model.New(cfg)
	require.NoError(t, err)
	res, err := checker.Explore(context.Background(), m, checker.Options[model.State, model.Action]{KeepGraph: true})
	require.NoError(t, err)
	accepted := false
	for _, s := range res.Graph.States() {
		require.Equal(t, s, m.DecodeState(m.AppendState(nil, s)))
		accepted = accepted || s.Ep[model.B].Accepted
	}
	require.True(t, accepted, "B's application accepts in some state")
}
