package model_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
)

// The mutation test: each mutant of TCP's rule table (mutants_test.go) is
// checked the way `tcpcheck check` checks a model — every invariant,
// transition invariant, the deadlock check and the temporal properties of
// the catalogue — on the mutation presets below, and must violate some
// property that TCP itself satisfies on the same preset. A mutant no
// property catches fails the test, unless it is listed in equivalent with
// the reason it cannot be told from TCP. The report, one line per mutant
// naming the properties that catch it, is testdata/mutation.txt: the test
// compares it and -update rewrites it. `go test -v -run TestMutants`
// prints the score.

var update = flag.Bool("update", false, "rewrite testdata/mutation.txt")

// mutationPresets are the configurations every mutant is checked on:
// named presets of the tool (tcpcheck list), so that each catch is one a
// user repeats with tcpcheck check --preset NAME: the presets of
// --preset all (model.AllPresets), on which TCP satisfies every property,
// and reuse-behind and queues, where TCP itself fails some and a mutant
// is caught by the others.
func mutationPresets() []mutationPreset {
	var out []mutationPreset
	for _, name := range append(slices.Clone(model.AllPresets), "reuse-behind", "queues") {
		cfg, err := model.LookupPreset(name)
		if err != nil {
			panic(err)
		}
		// reconnect: TCP's premises are measured there, no mutant is
		// checked (it catches none the others miss, and is the largest).
		out = append(out, mutationPreset{name: name, cfg: cfg, baselineOnly: name == "reconnect"})
	}
	return out
}

type mutationPreset struct {
	name string
	cfg  model.Config
	// baselineOnly: TCP's premises are measured there, no mutant is
	// checked (it catches none the others do not, and costs the most).
	baselineOnly bool
}

// presetNote is what preset name is, from its description.
func presetNote(name string) string {
	for _, p := range model.Presets() {
		if p.Name == name {
			return p.Description
		}
	}
	return ""
}

// equivalent lists the mutants that no property can catch because no
// behaviour tells them from TCP, each with the reason.
var equivalent = map[string]string{}

// uncaught lists the mutants the catalogue does not catch on the
// mutation presets, each with why and what would catch it. The test fails
// on any other survivor, on one listed here that is caught (update the
// list), and when the score falls below 95%.
var uncaught = map[string]string{}

// mutationMaxStates bounds each search: a mutant whose state space grows
// past it is judged on what was explored.
const mutationMaxStates = 60_000

// outcome is what checking the catalogue on one configuration gave: the
// properties violated, and why the search was incomplete ("" if it was
// not).
type outcome struct {
	violated   []string
	incomplete string
	states     int
}

// checkCatalogue checks every property of the catalogue on cfg as
// `tcpcheck check` does: the invariants, transition invariants and the
// deadlock check during the search, the temporal properties on its graph.
func checkCatalogue(t *testing.T, cfg model.Config) outcome {
	t.Helper()
	return checkCounting(t, cfg, nil)
}

// checkCounting is checkCatalogue, also counting in hits how often TCP
// reaches each property's premise: the premises the catalogue declares
// (properties.ApplyCounting), in states or transitions, and for a
// temporal property the states where a premise P of its leads-to holds.
// hits nil counts nothing.
func checkCounting(t *testing.T, cfg model.Config, hits map[string]int) outcome {
	t.Helper()
	m, err := model.New(cfg)
	require.NoError(t, err)
	props := properties.Segment()
	opts := checker.Options[model.State, model.Action]{
		ContinueAfterViolation: true,
		KeepGraph:              true,
		MaxStates:              mutationMaxStates,
		Workers:                1,
	}
	v := properties.ApplyCounting(&opts, props, m.Final)
	res, err := checker.Explore(context.Background(), m, opts)
	require.NoError(t, err)
	v.Count(res.Counts)
	out := outcome{incomplete: res.StopReason, states: res.Stats.Distinct}
	if hits != nil {
		for _, p := range props {
			for _, h := range v.Hits(p.ID) {
				hits[p.ID] += int(h.Hits)
			}
			for _, l := range p.Leads {
				for _, s := range res.Graph.States() {
					if l.P(&s) {
						hits[p.ID]++
					}
				}
			}
		}
	}
	for _, v := range res.Violations {
		p, ok := properties.Find(props, v.Name)
		require.True(t, ok, v.Name)
		out.violated = append(out.violated, p.ID)
	}
	if res.StopReason == "" {
		outcomes, _ := properties.CheckTemporal(res, props, 1)
		for _, o := range outcomes {
			if o.Status == "violated" {
				out.violated = append(out.violated, o.Property.ID)
			}
		}
	}
	sort.Strings(out.violated)
	return out
}

// catch is one property catching a mutant on one preset.
type catch struct{ property, preset string }

func TestMutants(t *testing.T) {
	presets := mutationPresets()
	// TCP itself, on each preset: what holds there is what a mutant may
	// break.
	baseline := make([]outcome, len(presets))
	hits := make([]map[string]int, len(presets))
	for i, p := range presets {
		hits[i] = map[string]int{}
		baseline[i] = checkCounting(t, p.cfg, hits[i])
		require.Empty(t, baseline[i].incomplete, "TCP on %s", p.name)
	}
	mutants := model.Mutants()
	require.GreaterOrEqual(t, len(mutants), 40)
	catches := make([][]catch, len(mutants))
	var mu sync.Mutex
	t.Run("each", func(t *testing.T) {
		for i, mt := range mutants {
			t.Run(mt.Name, func(t *testing.T) {
				t.Parallel()
				var got []catch
				for j, p := range presets {
					if p.baselineOnly {
						continue
					}
					cfg := p.cfg
					cfg.Variant = mt.Variant
					o := checkCatalogue(t, cfg)
					for _, id := range o.violated {
						if !slices.Contains(baseline[j].violated, id) {
							got = append(got, catch{id, p.name})
						}
					}
				}
				mu.Lock()
				catches[i] = got
				mu.Unlock()
			})
		}
	})

	var report strings.Builder
	caught, survived := 0, []string{}
	for i, mt := range mutants {
		why, eq := equivalent[mt.Name]
		switch {
		case len(catches[i]) > 0 && eq:
			t.Errorf("mutant %s is listed as equivalent (%s) but %s catches it", mt.Name, why, catches[i][0].property)
		case len(catches[i]) > 0:
			caught++
		case !eq:
			survived = append(survived, mt.Name)
			if _, known := uncaught[mt.Name]; !known {
				t.Errorf("mutant %s (%s: %s) survives: no property of the catalogue catches it on any mutation preset", mt.Name, mt.Rule, mt.Bug)
			}
		}
		if _, known := uncaught[mt.Name]; known && len(catches[i]) > 0 {
			t.Errorf("mutant %s is listed as uncaught but %s catches it: take it off the list", mt.Name, catches[i][0].property)
		}
	}
	if 100*caught < 95*(len(mutants)-len(equivalent)) {
		t.Errorf("the catalogue catches %d of %d mutants, under 95%%", caught, len(mutants)-len(equivalent))
	}
	score := fmt.Sprintf("mutation score: %d of %d mutants caught by the catalogue (%.1f%%), %d equivalent, %d survived",
		caught, len(mutants), 100*float64(caught)/float64(len(mutants)-len(equivalent)), len(equivalent), len(survived))
	// How many of them the presets of --preset all catch alone, and which
	// need a mutation preset beyond them.
	var onAll int
	var beyond []string
	for i, mt := range mutants {
		if slices.ContainsFunc(catches[i], func(c catch) bool { return slices.Contains(model.AllPresets, c.preset) }) {
			onAll++
		} else if len(catches[i]) > 0 {
			beyond = append(beyond, mt.Name)
		}
	}
	onAllLine := fmt.Sprintf("on the presets of --preset all alone: %d of %d (%.1f%%); the others need a mutation preset beyond them: %s",
		onAll, len(mutants), 100*float64(onAll)/float64(len(mutants)), strings.Join(beyond, ", "))
	fmt.Fprintln(&report, score)
	fmt.Fprintln(&report, onAllLine)
	fmt.Fprintln(&report)
	fmt.Fprintln(&report, "Each mutant, the rule it replaces, and the properties that catch it with the presets they catch it on.")
	fmt.Fprintln(&report, "Written by `go test ./model -run TestMutants -update`.")
	for i, mt := range mutants {
		fmt.Fprintf(&report, "\n%s (%s, %s)\n  %s\n", mt.Name, mt.Rule, mt.Section, mt.Bug)
		if why, ok := equivalent[mt.Name]; ok {
			fmt.Fprintf(&report, "  equivalent: %s\n", why)
			continue
		}
		if len(catches[i]) == 0 {
			fmt.Fprintf(&report, "  SURVIVES: %s\n", uncaught[mt.Name])
			continue
		}
		for _, line := range caughtBy(catches[i]) {
			fmt.Fprintf(&report, "  caught by %s\n", line)
		}
	}
	fmt.Fprintln(&report, "\nProperties and the mutants each catches:")
	for _, p := range properties.Segment() {
		var names []string
		for i, mt := range mutants {
			if slices.ContainsFunc(catches[i], func(c catch) bool { return c.property == p.ID }) {
				names = append(names, mt.Name)
			}
		}
		fmt.Fprintf(&report, "  %s (%d): %s\n", p.ID, len(names), strings.Join(names, ", "))
	}
	fmt.Fprintln(&report, "\nPremises reached by TCP on each mutation preset, in states or transitions as each premise is declared (a property whose premise is never reached holds vacuously there):")
	for _, p := range properties.Segment() {
		var on []string
		for i, pr := range presets {
			if n := hits[i][p.ID]; n > 0 {
				on = append(on, fmt.Sprintf("%s %d", pr.name, n))
			}
		}
		switch {
		case len(p.Premises) == 0 && len(p.Leads) == 0:
			on = []string{"every state (no premise declared)"}
		case len(on) == 0:
			on = []string{"none"}
		}
		fmt.Fprintf(&report, "  %s: %s\n", p.ID, strings.Join(on, ", "))
	}
	fmt.Println(score)
	t.Log(score)

	doc := propertiesDoc(presets, hits, mutants, catches, score+"; "+onAllLine)
	for _, f := range []struct{ path, text string }{
		{filepath.Join("testdata", "mutation.txt"), report.String()},
		{filepath.Join("..", "docs", "properties.md"), doc},
	} {
		if *update {
			require.NoError(t, os.WriteFile(f.path, []byte(f.text), 0o644))
			continue
		}
		want, err := os.ReadFile(f.path)
		require.NoError(t, err, "run go test ./model -run TestMutants -update")
		require.Equal(t, string(want), f.text, "%s is stale: review, then go test ./model -run TestMutants -update", f.path)
	}
}

// propertiesDoc writes docs/properties.md: each property with its premise,
// where TCP reaches it, and the mutants it catches.
func propertiesDoc(presets []mutationPreset, hits []map[string]int, mutants []model.Mutant, catches [][]catch, score string) string {
	var b strings.Builder
	b.WriteString(docIntro)
	fmt.Fprintf(&b, "\n**%s.**\n\n", strings.TrimPrefix(score, "mutation score: "))
	b.WriteString("| property | kind | premise reached on | mutants caught |\n|---|---|---|---|\n")
	for _, p := range properties.Segment() {
		var on []string
		for i, pr := range presets {
			if hits[i][p.ID] > 0 {
				on = append(on, pr.name)
			}
		}
		switch {
		case len(p.Premises) == 0 && len(p.Leads) == 0:
			on = []string{"every preset"}
		case len(on) == 0:
			on = []string{"**none** (vacuous for TCP)"}
		}
		n := 0
		for i := range mutants {
			if slices.ContainsFunc(catches[i], func(c catch) bool { return c.property == p.ID }) {
				n++
			}
		}
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %d |\n", p.ID, p.ID, p.Kind, strings.Join(on, ", "), n)
	}
	for _, p := range properties.Segment() {
		fmt.Fprintf(&b, "\n## %s\n\n%s.\n\n", p.ID, upper(p.Description))
		fmt.Fprintf(&b, "- **Kind:** %s\n", p.Kind)
		fmt.Fprintf(&b, "- **Source:** %s\n", p.Source)
		fmt.Fprintf(&b, "- **Premise:** %s\n", premiseOf(p))
		var on []string
		for i, pr := range presets {
			if n := hits[i][p.ID]; n > 0 {
				on = append(on, fmt.Sprintf("%s (%d)", pr.name, n))
			}
		}
		switch {
		case len(p.Premises) == 0 && len(p.Leads) == 0:
			on = []string{"every state of every preset"}
		case len(on) == 0:
			on = []string{"none: TCP never reaches it on the mutation presets"}
		}
		fmt.Fprintf(&b, "- **Premise reached by TCP** (states or transitions): %s\n", strings.Join(on, ", "))
		var caught []string
		for i, mt := range mutants {
			var where []string
			for _, c := range catches[i] {
				if c.property == p.ID {
					where = append(where, c.preset)
				}
			}
			if len(where) > 0 {
				caught = append(caught, fmt.Sprintf("`%s` (%s)", mt.Name, strings.Join(where, ", ")))
			}
		}
		if len(caught) == 0 {
			caught = []string{"none"}
		}
		fmt.Fprintf(&b, "- **Mutants caught** (on presets): %s\n", strings.Join(caught, ", "))
	}
	var none []string
	for _, p := range properties.Segment() {
		caught := false
		for i := range mutants {
			caught = caught || slices.ContainsFunc(catches[i], func(c catch) bool { return c.property == p.ID })
		}
		if !caught {
			none = append(none, p.ID)
		}
	}
	b.WriteString("\n## Properties that catch no mutant\n\n")
	if len(none) == 0 {
		b.WriteString("None: every property of the catalogue catches at least one mutant.\n")
	} else {
		fmt.Fprintf(&b, "%s: each guards a mechanism whose removal is a built-in variant rather than a one-line bug of a rule, and the seed claims show it failing on its variant (docs/seed-claims.md).\n", strings.Join(none, ", "))
	}
	b.WriteString(docFirstConnect)
	b.WriteString("\n## The mutation presets\n\n")
	for _, pr := range presets {
		only := ""
		if pr.baselineOnly {
			only = " Premises only: no mutant is checked here (it catches none the others miss, and is the largest)."
		}
		fmt.Fprintf(&b, "- **%s**: %s.%s\n", pr.name, presetNote(pr.name), only)
	}
	b.WriteString("\n## The mutants\n\n| mutant | rule | section | bug |\n|---|---|---|---|\n")
	for _, mt := range mutants {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", mt.Name, mt.Rule, mt.Section, mt.Bug)
	}
	b.WriteString(docTimers)
	return b.String()
}

// premiseOf says where p says something: the premises the catalogue
// declares, the premises P of a temporal property's leads-to, or every
// state.
func premiseOf(p properties.SegmentProperty) string {
	var names []string
	for _, q := range p.Premises {
		names = append(names, q.Name)
	}
	for _, l := range p.Leads {
		names = append(names, l.PName)
	}
	if len(names) == 0 {
		return "every state (declares none: never vacuous)"
	}
	return strings.Join(names, "; ")
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

const docIntro = `# The property catalogue

<!-- Written by go test ./model -run TestMutants -update; do not edit by hand. -->

` + "`tcpcheck check`" + ` checks these properties of the segment model
(properties/segment.go). For each: what it says, the RFC section or
seed claim it comes from, its *premise* — the states or transitions
where it says something, as the catalogue declares it
(properties/segment_premises.go; a temporal property's is the premise
P of its leads-to), so that a "holds" with the premise never reached is
vacuous — where TCP reaches that premise, and which deliberate bugs it
catches.

Both figures come from the mutation test (model/mutation_test.go). It
builds each mutant as TCP with one rule of the table replaced
(model/mutants_test.go: a wrapper around TCP's own rule, in a test file
so that no product code path reaches it), checks the whole catalogue on
it the way ` + "`check`" + ` does — invariants, transition invariants,
deadlock and the temporal properties — on the mutation presets below,
and counts a mutant caught on a preset when it violates a property that
TCP satisfies on that preset. The test fails when a mutant survives
(unless it is listed as equivalent to TCP, with the reason), when the
score drops under 95%, and when this page or model/testdata/mutation.txt
is stale. Premises are counted on TCP's own exploration of the same
presets. Each search is bounded at 60,000 states (a mutant whose
state space grows past it is judged on what was explored); the whole
test takes about 45 s of CPU, under a minute on two cores.

    go test ./model -run TestMutants -v        # prints the score
    go test ./model -run TestMutants -update   # rewrites this page and the report
`

const docFirstConnect = `
connect-no-timeout's first-connect clause is never reached by TCP — no
first connect retransmits its SYN without a loss unless the listener
drops SYNs (variant no-syn-cookies) — while its other clause, no SYN
retransmitted while its SYN,ACK is on its way, is reached by reconnects.
`

const docTimers = `
## What the model's timers allow without loss

The model has no clock: a retransmission timer may expire whenever
real time could have let it (model/doc.go, model/timers.go). It may not
while a regular copy of the segment at SND.UNA is in flight, while a
timely answer to such a copy is (Segment.Timely), or while a segment that
was in flight when the timer last started is (Segment.Aged). With no
loss, no duplicate and no reordering, a timer of a synchronized
connection therefore fires only when the peer did not acknowledge the
segment — and the model does let that happen, legitimately: the peer
dropped the segment without accepting it (an out-of-order segment, which
the model does not queue; the handshake's last ACK to a full accept
queue; a SYN to a full SYN queue without cookies; a reconnect's SYN
that meets TIME-WAIT of the old connection and draws a challenge ACK),
or the endpoint itself refused the answer (a simultaneous opener that
closed in SYN-RECEIVED takes the peer's SYN,ACK for an old segment; an
old duplicate that moved RCV.NXT makes the peer's ACK unacceptable).
` + "`no-spurious-timeout`" + ` is the precise form, in two clauses, both
on a run with nothing lost or duplicated: a retransmission timeout never
fires while a regular segment of the peer acknowledging the segment is
on its way (the peer's immediate answer is then on its way too, and it
is back within the RTO), except where the endpoint refuses answers (the
simultaneous opener closed in SYN-RECEIVED; a listener whose accept
queue may have been full); and on a connection synchronized on both
sides with each other's incarnation, past the SYN, it never fires for a
segment the peer has received (its RCV.NXT is past SND.UNA). The second
clause is reached only with reordering or other clients in the accept
queue (properties/premise_test.go names the configuration). With
` + "`--spurious-retransmit`" + ` (a round trip longer than the RTO) it fails
by design.
`

// caughtBy groups catches by property: "ack-acceptable (reconnect, wrap)".
func caughtBy(cs []catch) []string {
	var props []string
	presets := map[string][]string{}
	for _, c := range cs {
		if _, ok := presets[c.property]; !ok {
			props = append(props, c.property)
		}
		presets[c.property] = append(presets[c.property], c.preset)
	}
	sort.Strings(props)
	var out []string
	for _, p := range props {
		out = append(out, fmt.Sprintf("%s (%s)", p, strings.Join(presets[p], ", ")))
	}
	return out
}

// Each property added for issue 15 can fail: on the preset named, TCP
// satisfies it and the mutant named violates it (the mutation report
// lists every catch; these are the ones the properties were made for).
func TestStrongerPropertiesCanFail(t *testing.T) {
	presets := map[string]model.Config{}
	for _, p := range mutationPresets() {
		presets[p.name] = p.cfg
	}
	mutants := map[string]model.Variant{}
	for _, m := range model.Mutants() {
		mutants[m.Name] = m.Variant
	}
	for _, c := range []struct{ property, mutant, preset string }{
		{"delivered-within-sent", "fin-delivers-byte", "lifecycle"},       // §3.10.7.4 eighth
		{"no-spurious-timeout", "text-not-acked", "lifecycle"},            // §3.8.1, RFC 6298 §5
		{"handshake-ack", "simultaneous-synack-acks-seq", "simultaneous"}, // Figure 7 line 5
		{"ack-acceptable", "ack-beyond-snd-nxt", "reuse-behind"},          // §3.10.7.4 fifth
		{"rst-acceptable", "syn-sent-rst-without-ack", "reuse"},           // §3.10.7.3 second
		{"rst-acceptable", "rst-any-seq", "reuse"},                        // §3.10.7.4 second
		{"rst-acceptable", "syn-resets", "reuse-ahead"},                   // RFC 5961 §4
		{"rst-generation", "closed-rst-seq-off-by-one", "simultaneous"},   // §3.5.2
		{"listener-kept", "listen-rst-closes", "simultaneous"},            // §3.10.7.2 first
		{"backoff-reset", "backoff-not-reset", "lifecycle"},               // §3.8.3
	} {
		t.Run(c.property+"/"+c.mutant, func(t *testing.T) {
			cfg, ok := presets[c.preset]
			require.True(t, ok, c.preset)
			v, ok := mutants[c.mutant]
			require.True(t, ok, c.mutant)
			require.NotContains(t, checkCatalogue(t, cfg).violated, c.property, "TCP on %s", c.preset)
			cfg.Variant = v
			require.Contains(t, checkCatalogue(t, cfg).violated, c.property, "%s on %s", c.mutant, c.preset)
		})
	}
}
