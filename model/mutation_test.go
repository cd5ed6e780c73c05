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

// mutationPresets are the configurations every mutant is checked on: the
// standard presets that every property holds on, and small configurations
// that reach what they do not (an ABORT without loss, numbers that wrap
// past 2^32 in both directions, a reconnect with an old duplicate, the SYN
// and accept queues, reordering). Each explores in well under a second.
func mutationPresets() []mutationPreset {
	preset := func(name string, edit func(*model.Config)) model.Config {
		c, err := model.LookupPreset(name)
		if err != nil {
			panic(err)
		}
		edit(&c)
		return c
	}
	same := func(*model.Config) {}
	// reuse is a reconnect whose ISN clock moved on by step: a small step
	// puts the new SYN inside the old connection's window, a step just
	// short of 2^32 puts the old connection's segments just ahead of the
	// new one's, in its window, acknowledging what it never sent.
	reuse := func(step uint32) model.Config {
		return preset("lifecycle", func(c *model.Config) {
			c.Data = [2]int{1, 0}
			c.MaxLosses, c.MaxDups, c.Incarnations, c.ISNStep, c.Capacity = 0, 1, 2, step, 6
		})
	}
	return []mutationPreset{
		{"handshake", preset("handshake", same)},
		{"close", preset("close", same)},
		{"lifecycle", preset("lifecycle", same)},
		{"simultaneous", preset("simultaneous", same)},
		{"abort-no-loss", preset("abort", func(c *model.Config) { c.MaxLosses = 0 })},
		{"wrap", preset("lifecycle", func(c *model.Config) {
			// Both streams cross 2^32: A's data and B's window end.
			c.ISNs = [2][]uint32{{4294967294}, {4294967293}}
		})},
		{"reconnect", preset("lifecycle", func(c *model.Config) {
			c.Data = [2]int{1, 0}
			c.MaxLosses, c.MaxDups, c.Incarnations = 0, 1, 2
			// The ISN clock has moved on by three quarters of the space,
			// so the old connection's numbers lie just ahead of the new
			// one's: its old ACKs acknowledge what was never sent.
			c.ISNStep = 3 << 30
			c.Capacity = 6
		})},
		{"reuse-ahead", reuse(100)},
		// The new ISS is the old one plus 2: the old connection's ACK of
		// the listener's SYN acknowledges exactly the new ISS.
		{"reuse-next", reuse(2)},
		{"reuse-behind", func() model.Config {
			c := reuse(^uint32(0) - 99)
			c.Data, c.Capacity = [2]int{0, 0}, 5 // with a byte, over 400,000 states
			return c
		}()},
		{"queues", preset("handshake", func(c *model.Config) {
			c.Data = [2]int{1, 0}
			c.MaxLosses = 0
			c.SynBacklog, c.Attacker, c.AcceptBacklog, c.Clients = 1, 1, 1, 1
		})},
		{"reorder", preset("lossy", func(c *model.Config) { c.MaxLosses, c.MaxDups, c.Capacity = 1, 0, 5 })},
	}
}

type mutationPreset struct {
	name string
	cfg  model.Config
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
const mutationMaxStates = 100_000

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
	m, err := model.New(cfg)
	require.NoError(t, err)
	props := properties.Segment()
	opts := checker.Options[model.State, model.Action]{
		ContinueAfterViolation: true,
		KeepGraph:              true,
		MaxStates:              mutationMaxStates,
		Workers:                1,
	}
	properties.Apply(&opts, props, m.Final)
	res, err := checker.Explore(context.Background(), m, opts)
	require.NoError(t, err)
	out := outcome{incomplete: res.StopReason, states: res.Stats.Distinct}
	for _, v := range res.Violations {
		p, ok := properties.Find(props, v.Name)
		require.True(t, ok, v.Name)
		out.violated = append(out.violated, p.ID)
	}
	if res.StopReason == "" {
		for _, o := range properties.CheckTemporal(res, props) {
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
	for i, p := range presets {
		baseline[i] = checkCatalogue(t, p.cfg)
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
	fmt.Fprintln(&report, score)
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
	fmt.Println(score)
	t.Log(score)

	path := filepath.Join("testdata", "mutation.txt")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(report.String()), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./model -run TestMutants -update")
	require.Equal(t, string(want), report.String(), "the mutation report changed: review, then go test ./model -run TestMutants -update")
}

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
