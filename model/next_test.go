package model

import (
	"reflect"
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
	forReachedStates(t, func(m *Model, s State) int {
		var wantActs, acts []Action
		var wantStates, states []State
		for _, a := range m.candidates(nil, &s, true) {
			if next, ok := m.Step(s, a); ok {
				wantActs, wantStates = append(wantActs, a), append(wantStates, next)
			}
		}
		for a, next := range m.Next(s) {
			acts, states = append(acts, a), append(states, next)
		}
		require.Equal(t, wantActs, acts, "%v, variant %v: %v", m.cfg, m.cfg.Variant, s)
		require.Equal(t, wantStates, states, "%v, variant %v: %v", m.cfg, m.cfg.Variant, s)
		return len(acts)
	})
}

// forReachedStates calls check on the states a breadth-first search by
// Next reaches, up to a bound, for every configuration of nextConfigs,
// each with a new Model; check returns how many transitions it compared,
// and the total must pass 100,000.
func forReachedStates(t *testing.T, check func(m *Model, s State) int) {
	const maxStates = 3000
	steps := 0
	for _, cfg := range nextConfigs(t) {
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
			steps += check(m, s)
			for _, next := range m.Next(s) {
				if !seen[next] && len(seen) < maxStates {
					seen[next] = true
					queue = append(queue, next)
				}
			}
		}
	}
	require.Greater(t, steps, 100000)
}

// nextConfigs are the configurations the successor functions are
// compared on: every preset with every variant, and configurations that
// enable what the presets leave off: ABORT, early CLOSE, reopening,
// several ISNs, spurious retransmissions, the SYN flood.
func nextConfigs(t *testing.T) []Config {
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

	return configs
}

// AppendNext, on the packed words of a state, gives the successors and
// actions Next gives, in the same order, each packed as Pack packs it;
// Unpack inverts Pack; AppendNextStates gives the same words and Next's
// states; AppendNextLabeled gives them too, with the RuleBits of each
// transition as its label. It is checked on the states of
// TestNextAgreesWithStep.
func TestAppendNextAgreesWithNext(t *testing.T) {
	var succ []uint64
	acts := []Action{} // not nil: the actions are wanted
	forReachedStates(t, func(m *Model, s State) int {
		n := m.PackedWords()
		w, packed := make([]uint64, n), make([]uint64, n)
		require.True(t, m.Pack(w, s))
		require.Equal(t, s, m.Unpack(w), "%v, variant %v", m.cfg, m.cfg.Variant)
		var ok bool
		succ, acts, ok = m.AppendNext(w, succ[:0], acts[:0])
		require.True(t, ok)
		bare, _, ok := m.AppendNext(w, []uint64{}, nil) // no actions wanted
		require.True(t, ok)
		require.Equal(t, succ, bare)
		withStates, _, states, ok := m.AppendNextStates(w, []uint64{}, nil, []State{})
		require.True(t, ok)
		require.Equal(t, succ, withStates)
		require.Len(t, states, len(acts))
		withAll, allActs, allStates, ok := m.AppendNextStates(w, []uint64{}, []Action{}, []State{})
		require.True(t, ok)
		require.Equal(t, succ, withAll)
		require.Equal(t, acts, allActs)
		require.Equal(t, states, allStates)
		labeled, labeledActs, labeledStates, labels, ok := m.AppendNextLabeled(w, []uint64{}, []Action{}, []State{}, nil)
		require.True(t, ok)
		require.Equal(t, succ, labeled)
		require.Equal(t, acts, labeledActs)
		require.Equal(t, states, labeledStates)
		require.Len(t, labels, len(acts))
		require.Len(t, succ, n*len(acts))
		i := 0
		for a, next := range m.Next(s) {
			require.Less(t, i, len(acts), "%v, variant %v: %v: AppendNext misses %v", m.cfg, m.cfg.Variant, s, a)
			require.Equal(t, a, acts[i], "%v, variant %v: %v", m.cfg, m.cfg.Variant, s)
			m.Pack(packed, next)
			require.Equal(t, packed, succ[i*n:(i+1)*n], "%v, variant %v: %v by %v", m.cfg, m.cfg.Variant, s, a)
			require.Equal(t, next, m.Unpack(succ[i*n:(i+1)*n]))
			require.Equal(t, next, states[i], "%v, variant %v: %v by %v: AppendNextStates' state", m.cfg, m.cfg.Variant, s, a)
			require.Equal(t, m.RuleBits(&s, a, &next), labels[i], "%v, variant %v: %v by %v: AppendNextLabeled's label", m.cfg, m.cfg.Variant, s, a)
			i++
		}
		require.Len(t, acts, i, "%v, variant %v: %v", m.cfg, m.cfg.Variant, s)
		return i
	})
}

// sameEndpoint and sameSegment compare bytes: they agree with == only if
// the fields follow one another with no padding between them (and, for
// Endpoint, none after the last), and each field's change changes them.
func TestPackedLayout(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[Endpoint](), reflect.TypeFor[Segment]()} {
		end := uintptr(0)
		for i := range typ.NumField() {
			f := typ.Field(i)
			require.Equal(t, end, f.Offset, "padding before %s.%s", typ, f.Name)
			end = f.Offset + f.Type.Size()
		}
		if typ == reflect.TypeFor[Segment]() {
			require.Equal(t, segmentBytes, end)
		} else {
			require.Equal(t, typ.Size(), end)
		}
	}
	var e Endpoint
	var g Segment
	for _, v := range []reflect.Value{reflect.ValueOf(&e).Elem(), reflect.ValueOf(&g).Elem()} {
		for i := range v.NumField() {
			f := v.Field(i)
			was := reflect.ValueOf(f.Interface())
			if f.Kind() == reflect.Bool {
				f.SetBool(true)
			} else {
				f.SetUint(1)
			}
			e2, g2 := Endpoint{}, Segment{}
			require.Equal(t, e == e2, sameEndpoint(&e, &e2), "%s", v.Type().Field(i).Name)
			require.Equal(t, g == g2, sameSegment(&g, &g2), "%s", v.Type().Field(i).Name)
			require.False(t, e == e2 && g == g2)
			f.Set(was)
		}
	}
}
