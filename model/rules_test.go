package model

import (
	"math/bits"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every rule of the table is named, cites its source and applies
// something; names are unique.
func TestRuleTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		require.NotEmpty(t, r.Name)
		require.False(t, seen[r.Name], "rule %s twice", r.Name)
		seen[r.Name] = true
		require.NotEmpty(t, r.Section, r.Name)
		require.NotEmpty(t, r.Summary, r.Name)
		require.NotNil(t, r.Apply, r.Name)
		got, ok := LookupRule(r.Name)
		require.True(t, ok)
		require.Equal(t, r.Name, got.Name)
	}
	_, ok := LookupRule("segment/nope")
	require.False(t, ok)
}

// Every built-in variant but TCP is a set of overrides of TCP's rules,
// and its table is TCP's with exactly those in place.
func TestBuiltInVariantsAreOverrideSets(t *testing.T) {
	for _, v := range Variants() {
		if v == TCP {
			require.Empty(t, v.Overrides())
			continue
		}
		require.NotEmpty(t, v.Overrides(), v.String())
		over := map[string]bool{}
		for _, r := range v.Overrides() {
			over[r.Name] = true
			_, ok := LookupRule(r.Name)
			require.True(t, ok, "%s overrides unknown rule %s", v, r.Name)
		}
		tcp := Rules()
		for i, r := range v.Rules() {
			require.Equal(t, tcp[i].Name, r.Name)
			if !over[r.Name] {
				require.Equal(t, tcp[i].Section, r.Section, "%s: %s", v, r.Name)
			}
		}
		got, err := ParseVariant(v.String())
		require.NoError(t, err)
		require.Equal(t, v, got)
	}
}

// A variant is checked when it is made: an unknown rule, a rule twice, a
// rule without Apply, no rule, no name — each a one-line error.
func TestNewVariantRefusesBadOverrides(t *testing.T) {
	noop := func(*Transition, *Event) bool { return true }
	for _, tt := range []struct {
		name string
		over []Rule
		want string
	}{
		{"x", []Rule{{Name: "segment/nope", Apply: noop}}, `TCP has no rule "segment/nope"`},
		{"x", []Rule{{Name: "call/send", Apply: noop}, {Name: "call/send", Apply: noop}}, `rule "call/send" is replaced twice`},
		{"x", []Rule{{Name: "call/send"}}, `rule "call/send" has no Apply`},
		{"x", nil, "replaces no rule"},
		{"", []Rule{{Name: "call/send", Apply: noop}}, "needs a name"},
	} {
		_, err := NewVariant(tt.name, "", tt.over...)
		require.ErrorContains(t, err, tt.want)
		require.NotContains(t, err.Error(), "\n")
	}
	_, err := ParseVariant("nope")
	require.ErrorContains(t, err, `unknown variant "nope"`)
	require.True(t, strings.Contains(err.Error(), "two-way-handshake"))
}

// A user's variant changes behaviour through its override and nothing
// else: a listener that never answers a SYN stays in LISTEN.
func TestUserVariantOverride(t *testing.T) {
	deaf, err := NewVariant("deaf-listener", "LISTEN drops every SYN",
		Rule{Name: "segment/listen/syn", Summary: "drop the SYN", Apply: func(*Transition, *Event) bool { return true }})
	require.NoError(t, err)
	m := lifecycleModel(t, func(c *Config) { c.Variant = deaf })
	_, _, s := play(t, m, []act{{PassiveOpen, B}, {ActiveOpen, A}, {Deliver, B}})
	require.Equal(t, Listen, s.Ep[B].State)
	require.Zero(t, s.Ch[B].Len())
	require.Equal(t, "deaf-listener", deaf.String())
	require.Equal(t, "§3.10.7.2 third", deaf.Overrides()[0].Section, "an empty Section keeps TCP's")
}

// Model.Rules names the rules that made a transition, for coverage and
// traces: the listener's SYN, the ISN it chose; an acceptable ACK in
// SYN-RECEIVED; an unacceptable segment; a disabled action has none.
func TestRulesOfATransition(t *testing.T) {
	m := lifecycleModel(t, nil)
	before, a, after := play(t, m, handshake[:3]) // B: rcv SYN
	require.Equal(t, []string{"segment/listen/syn", "isn/select"}, m.Rules(&before, a, &after))
	before, a, after = play(t, m, handshake) // B: rcv ACK of SYN
	require.Equal(t, []string{"segment/ack"}, m.Rules(&before, a, &after))

	s := after
	s.Ch[A].push(Segment{Seq: 9000, Ack: 301, Flags: ACK, Inc: 1})
	a = Action{Kind: Deliver, Side: B, Seg: s.Ch[A].At(0)}
	next, _ := m.Step(s, a)
	require.Equal(t, []string{"segment/sequence"}, m.Rules(&s, a, &next))
	require.Nil(t, m.Rules(&s, Action{Kind: PassiveOpen, Side: B}, &s))

	names := m.RuleNames()
	require.Len(t, names, len(Rules()))
	require.Contains(t, names, "timer/time-wait")
}

// RuleBits is the set of the rules Rules names, numbered as RuleNames
// lists them, on every transition of two presets, one with a variant
// (whose overrides keep TCP's numbering).
func TestRuleBitsAgreeWithRules(t *testing.T) {
	preset := func(name string, v Variant) *Model {
		cfg, err := LookupPreset(name)
		require.NoError(t, err)
		cfg.Variant = v
		return mustModel(t, cfg)
	}
	twoWay := Variants()[1]
	require.Equal(t, "two-way-handshake", twoWay.String())
	for _, m := range []*Model{preset("simultaneous", TCP), preset("abort", twoWay)} {
		index := map[string]int{}
		for i, name := range m.RuleNames() {
			index[name] = i
		}
		seen := map[State]bool{}
		var todo []State
		for s := range m.Init() {
			todo = append(todo, s)
		}
		transitions, fired := 0, uint64(0)
		for len(todo) > 0 {
			s := todo[len(todo)-1]
			todo = todo[:len(todo)-1]
			if seen[s] {
				continue
			}
			seen[s] = true
			for a, next := range m.Next(s) {
				var want uint64
				for _, name := range m.Rules(&s, a, &next) {
					want |= 1 << index[name]
				}
				require.Equal(t, want, m.RuleBits(&s, a, &next), "%v by %v", s, a)
				fired |= want
				transitions++
				todo = append(todo, next)
			}
		}
		require.Greater(t, transitions, 1000)
		require.Greater(t, bits.OnesCount64(fired), 10, "the rules of many kinds of transition")
	}
}

// A transition that has noted as many rules as Transition.fired holds
// notes no more, and a rule it did not note that then does nothing takes
// none of the others' notes away (it used to slice past the end).
func TestRecordRuleWhenFiredIsFull(t *testing.T) {
	cfg, err := LookupPreset("handshake")
	require.NoError(t, err)
	m := mustModel(t, cfg)
	r := *m.recorder
	table := *r.recorded
	table[ruleSelectISN] = func(*Transition, *Event) bool { return false } // does nothing
	r.recorded = &table
	var s State
	for s = range m.Init() {
		break
	}
	tr := new(Transition)
	tr.reset(&r, &s)
	for i := range tr.fired {
		tr.fired[i] = ruleID(i)
	}
	tr.nfired = len(tr.fired)
	want := tr.fired
	require.NotPanics(t, func() { require.False(t, tr.recordRule(ruleSelectISN, &Event{})) })
	require.Equal(t, len(tr.fired), tr.nfired)
	require.Equal(t, want, tr.fired)
	tr.nfired = 3
	require.False(t, tr.recordRule(ruleSelectISN, &Event{}))
	require.Equal(t, 3, tr.nfired, "a rule that did nothing is not noted")
}
