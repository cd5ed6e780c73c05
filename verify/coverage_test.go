package verify

import (
	"bytes"
	"context"
	"iter"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/graphs"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
)

// The Figure 5 arc counts of a check are those of the endpoint diagram
// derived from its explored graph, arc by arc.
func TestCoverageAgreesWithTheEndpointDiagram(t *testing.T) {
	for _, preset := range []string{"lifecycle", "simultaneous"} {
		m, err := SegmentPreset(preset)
		require.NoError(t, err)
		res, err := Run(context.Background(), m, Options{Workers: 2}) // temporal properties: the graph is kept
		require.NoError(t, err)
		require.NotNil(t, res.Search.Graph)
		d := graphs.Endpoint(res.Search.Graph, m.System.(*model.Model))
		want := map[string]int64{}
		for _, a := range d.Arcs {
			if a.Figure5 {
				want[a.String()] = int64(a.Count)
			}
		}
		got := map[string]int64{}
		for i, f := range graphs.Figure5() {
			c := res.Coverage.Arcs[i]
			require.Equal(t, f.String(), c.Name)
			if c.Count > 0 {
				got[f.From.String()+" → "+f.To.String()+": "+f.Label] = c.Count
			}
		}
		require.Equal(t, want, got, preset)
		var total int64
		for _, a := range res.Coverage.Actions {
			total += a.Count
		}
		require.Equal(t, int64(res.Generated-1), total, "every transition has one action kind (less the one initial state)")
	}
}

// counter is a toy system with named rules: n counts up to 3 by "inc",
// and "reset" is never enabled.
type counter struct{}

func (counter) Init() iter.Seq[int] { return func(yield func(int) bool) { yield(0) } }
func (counter) Next(n int) iter.Seq2[string, int] {
	return func(yield func(string, int) bool) {
		if n < 3 {
			yield("inc", n+1)
		}
	}
}
func (counter) RuleNames() []string                     { return []string{"inc", "reset"} }
func (counter) Rules(_ *int, a string, _ *int) []string { return []string{a} }

// A system that names its rules gets per-rule counts, and the rules never
// used named, with no coverage spec of its own.
func TestCoverageCountsRules(t *testing.T) {
	m := &Model[int, string]{Name: "counter", Preset: "-", Config: "to 3", System: counter{},
		Properties: []properties.Property[int, string]{{ID: "small", State: func(n *int) bool { return *n <= 3 }}},
		Final:      func(n int) bool { return n == 3 }}
	res, err := Run(context.Background(), m, Options{})
	require.NoError(t, err)
	require.Equal(t, []CoverageCount{{"inc", 3}, {"reset", 0}}, res.Coverage.Rules)
	var out bytes.Buffer
	res.WriteText(&out)
	require.Contains(t, out.String(), "coverage: rules 1/2 (not exercised: reset)\n")
}

// Progress lines in a log have one stable, grep-able format, and the last
// one gives the final figures.
func TestProgressLines(t *testing.T) {
	var log bytes.Buffer
	p := NewProgressWriter(&log, ProgressAlways)
	require.Equal(t, ProgressLogInterval, p.Interval())
	m, err := SegmentPreset("lifecycle")
	require.NoError(t, err)
	res, err := Run(context.Background(), m, Options{Progress: p.Func(), ProgressInterval: 1})
	require.NoError(t, err)
	p.Done(&res.Search.Stats)
	line := regexp.MustCompile(`^progress: elapsed=\S+ states=(\d+) distinct=(\d+) depth=\d+ frontier=\d+ states/s=\d+ memory=\d+MiB$`)
	lines := bytes.Split(bytes.TrimSpace(log.Bytes()), []byte("\n"))
	require.Greater(t, len(lines), 1, log.String())
	for _, l := range lines {
		require.Regexp(t, line, string(l))
	}
	last := line.FindStringSubmatch(string(lines[len(lines)-1]))
	require.Equal(t, []string{itoa(res.Generated), itoa(res.States)}, last[1:])

	require.Nil(t, NewProgressWriter(&log, ProgressNever))
	require.Nil(t, NewProgressWriter(&log, ProgressAuto), "auto writes nothing to a writer that is not a file")
	var quiet *ProgressWriter
	quiet.Done(&checker.Stats{}) // a nil writer reports nothing
	_, err = ParseProgressMode("sometimes")
	require.EqualError(t, err, `progress: unknown mode "sometimes" (known: auto, always, never)`)
}

func itoa(n int) string { return strconv.Itoa(n) }

// A simulation reports its progress in the log's format too.
func TestSimulateProgressLines(t *testing.T) {
	var log bytes.Buffer
	p := NewProgressWriter(&log, ProgressAlways)
	p.Every = time.Nanosecond
	m, err := SegmentPreset("lifecycle")
	require.NoError(t, err)
	sim, err := NewSimulation(m, SimulateOptions{Steps: 50, Walks: 20, Seed: 1, Progress: p})
	require.NoError(t, err)
	res := sim.Run(context.Background())
	require.Equal(t, "ok", res.Result)
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	require.NotEmpty(t, lines)
	line := regexp.MustCompile(`^progress: elapsed=\S+ walks=(\d+) steps=\d+ distinct=\d+ steps/s=\d+ memory=\d+MiB$`)
	for _, l := range lines {
		require.Regexp(t, line, l)
	}
	require.Equal(t, "20", line.FindStringSubmatch(lines[len(lines)-1])[1], "the last line counts every walk")
	counts := regexp.MustCompile(` walks=\d+ steps=\d+ distinct=\d+ `)
	require.Equal(t, counts.FindString(lines[len(lines)-2]), counts.FindString(lines[len(lines)-1]),
		"after the walks, a last line with the final figures")
}

// namesOnly is a RuleNamer without RuleBits.
type namesOnly struct{ m *model.Model }

func (n namesOnly) RuleNames() []string { return n.m.RuleNames() }
func (n namesOnly) Rules(s *model.State, a model.Action, t *model.State) []string {
	return n.m.Rules(s, a, t)
}

// Coverage counts rules by their bits (RuleBitser) as it counts them by
// their names.
func TestCoverageRuleBitsAgreeWithNames(t *testing.T) {
	m, err := SegmentPreset("reorder")
	require.NoError(t, err)
	_, ok := m.System.(RuleBitser[model.State, model.Action])
	require.True(t, ok, "the segment model counts by bits")
	byBits, err := Run(context.Background(), m, Options{NoTemporal: true})
	require.NoError(t, err)
	named := *m
	named.Coverage.Rules = namesOnly{m.System.(*model.Model)}
	byNames, err := Run(context.Background(), &named, Options{NoTemporal: true})
	require.NoError(t, err)
	require.Equal(t, byNames.Coverage.Rules, byBits.Coverage.Rules)
	require.Greater(t, len(byBits.Coverage.Rules)-len(Missing(byBits.Coverage.Rules)), 10)
}

// Coverage counts each transition once, whatever the number of workers.
func TestCoverageSameForWorkers(t *testing.T) {
	m, err := SegmentPreset("reorder")
	require.NoError(t, err)
	var want *Coverage
	for _, workers := range []int{1, 2, 3} {
		res, err := Run(context.Background(), m, Options{Workers: workers, NoTemporal: true})
		require.NoError(t, err)
		require.True(t, res.Coverage.Complete)
		if want == nil {
			want = res.Coverage
			continue
		}
		require.Equal(t, want, res.Coverage, "%d workers", workers)
	}
	var taken int64
	for _, c := range want.Actions {
		taken += c.Count
	}
	res, err := Run(context.Background(), m, Options{NoTemporal: true})
	require.NoError(t, err)
	initial := 0
	for range m.System.Init() {
		initial++
	}
	require.Equal(t, int64(res.Generated-initial), taken, "every transition taken has one action kind (generated counts the initial states too)")
}

// A simulation's count, called on every edge of the explored graph,
// counts what the check's counters count: one piece of code serves both.
// The check's rules are the model's labels (RuleLabeler), the
// simulation's its RuleBits: they agree.
func TestCoverageCountAgreesWithCounters(t *testing.T) {
	m, err := SegmentPreset("reorder")
	require.NoError(t, err)
	res, err := Run(context.Background(), m, Options{})
	require.NoError(t, err)
	g, err := checker.CompleteGraph(res.Search)
	require.NoError(t, err)
	cov := newCoverageCounter(m.Coverage, m.System)
	rules := cov.steps[len(cov.steps)-1]
	require.Equal(t, "coverage: rules", rules.Name)
	require.NotNil(t, rules.Label, "the model's labels are its rules")
	for _, e := range g.Edges() {
		from, to := g.State(e.From), g.State(e.To)
		cov.count(&from, e.Action, &to)
	}
	got := cov.coverage()
	got.Complete = res.Coverage.Complete
	require.Equal(t, res.Coverage, got)
	require.Positive(t, got.Rules[0].Count+got.Rules[1].Count)
}
