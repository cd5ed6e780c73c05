package verify

import (
	"fmt"
	"io"
	"math/bits"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/graphs"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/diagram"
)

// CoverageSpec says what a run's coverage report counts, as TLC's
// -coverage does: for every transition taken, its action kind, the arc of
// a figure it takes, and the named rules that made it.
type CoverageSpec[S, A any] struct {
	// Actions names every action kind of the model, in the model's
	// order; Action gives a transition's kind as an index into Actions.
	Actions []string
	Action  func(A) int
	// Figure names the figure whose arcs are counted ("Figure 5"), Arcs
	// its arcs, and Arc the index of the arc a transition takes, or -1.
	Figure string
	Arcs   []string
	Arc    func(from *S, a A, to *S) int
	// Rules are the named rules of the model and which of them made a
	// transition. Left nil, a check takes them from the system when it
	// implements RuleNamer.
	Rules RuleNamer[S, A]
}

// RuleNamer is implemented by a system whose transitions are made by named
// rules (RFC 9293 §3.10's steps, say): coverage then counts, per rule,
// the transitions it made, and names the rules no transition used.
type RuleNamer[S, A any] interface {
	// RuleNames lists every rule, in the order a report lists them.
	RuleNames() []string
	// Rules names the rules that made the transition (from, a, to), each
	// once.
	Rules(from *S, a A, to *S) []string
}

// RuleBitser is a RuleNamer that also gives the rules of a transition as
// a set of bits, bit i for RuleNames()[i]: coverage counts with it, when
// there are at most 64 rules, sparing a list of names and their look-ups
// on every transition. Its bits are the rules Rules names.
type RuleBitser[S, A any] interface {
	RuleNamer[S, A]
	RuleBits(from *S, a A, to *S) uint64
}

// RuleLabeler is a RuleBitser whose labels (checker.LabelPacker) are its
// RuleBits, computed as it makes each transition: the coverage of a check
// of it reads them on the fast path rather than making every transition
// twice. LabelsAreRuleBits only declares it. The labels are read when the
// system is the RuleLabeler and CoverageSpec.Rules is left nil: rules
// given in the spec are counted by their RuleBits.
type RuleLabeler[S, A any] interface {
	RuleBitser[S, A]
	checker.LabelPacker[S, A]
	LabelsAreRuleBits()
}

// Coverage is what a run exercised: per action kind, per arc of the
// figure and per rule, how many transitions, and which never fired.
type Coverage struct {
	// Complete: the run went to its end (a complete search, or every
	// walk). The counts of a search stopped at a limit or a violation
	// cover the transitions it took before it stopped, as the sequential
	// search takes them, for any number of workers.
	Complete bool            `json:"complete"`
	Actions  []CoverageCount `json:"actions"`
	Figure   string          `json:"figure,omitempty"`
	Arcs     []CoverageCount `json:"arcs,omitempty"`
	Rules    []CoverageCount `json:"rules,omitempty"`
}

// CoverageCount is how many transitions took one action kind, arc or rule.
type CoverageCount struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// Missing returns the names of counts that are zero.
func Missing(counts []CoverageCount) []string {
	var out []string
	for _, c := range counts {
		if c.Count == 0 {
			out = append(out, c.Name)
		}
	}
	return out
}

// coverageCounter counts transitions for a coverage report. steps are
// checker Counters, 64 counts to a counter, whose bits count into
// targets, the counter's part of actions, arcs or rules: in a check the
// search adds them (counters, then add), once a transition whatever the
// number of workers; in a simulation count adds each walk's transitions.
// count is safe for concurrent use.
type coverageCounter[S, A any] struct {
	spec    CoverageSpec[S, A]
	actions []atomic.Int64
	arcs    []atomic.Int64
	rules   []atomic.Int64
	rule    map[string]int
	steps   []checker.Counter[S, A]
	targets [][]atomic.Int64 // per step
}

func newCoverageCounter[S, A any](spec CoverageSpec[S, A], sys any) *coverageCounter[S, A] {
	// The rules' labels, when the system gives its rules as labels.
	var label func(uint64) uint64
	if spec.Rules == nil {
		spec.Rules, _ = sys.(RuleNamer[S, A])
		if _, ok := sys.(RuleLabeler[S, A]); ok {
			label = func(bits uint64) uint64 { return bits }
		}
	}
	c := &coverageCounter[S, A]{spec: spec, actions: make([]atomic.Int64, len(spec.Actions)), arcs: make([]atomic.Int64, len(spec.Arcs))}
	// step adds the counter of counts n[lo:lo+64] that f gives the bits of.
	step := func(name string, n []atomic.Int64, lo int, f func(from *S, a A, to *S) uint64) {
		c.steps = append(c.steps, checker.Counter[S, A]{Name: name, Step: f})
		c.targets = append(c.targets, n[lo:min(lo+64, len(n))])
	}
	if spec.Action != nil {
		for lo := 0; lo < len(c.actions); lo += 64 {
			step("coverage: actions", c.actions, lo, func(_ *S, a A, _ *S) uint64 { return bitAt(spec.Action(a), lo) })
		}
	}
	if spec.Arc != nil {
		for lo := 0; lo < len(c.arcs); lo += 64 {
			step("coverage: arcs", c.arcs, lo, func(from *S, a A, to *S) uint64 { return bitAt(spec.Arc(from, a, to), lo) })
		}
	}
	if spec.Rules == nil {
		return c
	}
	names := spec.Rules.RuleNames()
	c.rules, c.rule = make([]atomic.Int64, len(names)), map[string]int{}
	for i, n := range names {
		c.rule[n] = i
	}
	if b, ok := spec.Rules.(RuleBitser[S, A]); ok && len(names) <= 64 {
		step("coverage: rules", c.rules, 0, b.RuleBits) // sparing the names
		c.steps[len(c.steps)-1].Label = label
		return c
	}
	for lo := 0; lo < len(c.rules); lo += 64 {
		step("coverage: rules", c.rules, lo, func(from *S, a A, to *S) uint64 {
			var m uint64
			for _, r := range spec.Rules.Rules(from, a, to) {
				if k, ok := c.rule[r]; ok {
					m |= bitAt(k, lo)
				}
			}
			return m
		})
	}
	return c
}

// count records the transition (from, a, to); it always reports true, so
// that it can stand as a step property of a simulation's walks.
func (c *coverageCounter[S, A]) count(from *S, a A, to *S) bool {
	for k, cnt := range c.steps {
		t := c.targets[k]
		for m := cnt.Step(from, a, to); m != 0; m &= m - 1 {
			if b := bits.TrailingZeros64(m); b < len(t) {
				t[b].Add(1)
			}
		}
	}
	return true
}

// counters returns the Counters a check adds to its search's.
func (c *coverageCounter[S, A]) counters() []checker.Counter[S, A] { return c.steps }

// bitAt is the bit of count k in the counter of the 64 counts from lo, if
// it is one of them, else 0.
func bitAt(k, lo int) uint64 {
	if k >= lo && k < lo+64 {
		return 1 << (k - lo)
	}
	return 0
}

// add adds counts, the Result.Counts of the counters, in their order.
func (c *coverageCounter[S, A]) add(counts [][64]int64) {
	for k, t := range c.targets {
		for b := range t {
			t[b].Add(counts[k][b])
		}
	}
}

// coverage is the report of what was counted.
func (c *coverageCounter[S, A]) coverage() *Coverage {
	cov := &Coverage{Actions: counts(c.spec.Actions, c.actions), Figure: c.spec.Figure, Arcs: counts(c.spec.Arcs, c.arcs)}
	if c.spec.Rules != nil {
		cov.Rules = counts(c.spec.Rules.RuleNames(), c.rules)
	}
	if len(cov.Arcs) == 0 {
		cov.Figure = ""
	}
	return cov
}

func counts(names []string, n []atomic.Int64) []CoverageCount {
	out := make([]CoverageCount, len(names))
	for i, name := range names {
		out[i] = CoverageCount{Name: name, Count: n[i].Load()}
	}
	return out
}

// coverageName is the name of a transition invariant that counts: it is
// never violated, so the name never shows.
const coverageName = "(coverage)"

// write writes the whole table when full is set, else the summary line.
// A nil coverage writes nothing.
func (c *Coverage) write(w io.Writer, full bool) {
	switch {
	case c == nil:
	case full:
		fmt.Fprintln(w)
		c.WriteTable(w)
		c.WriteSummary(w)
	default:
		c.WriteSummary(w)
	}
}

// WriteSummary writes the coverage in one line: for the arcs of the
// figure, the rules and the action kinds, how many were exercised, and
// which were not.
func (c *Coverage) WriteSummary(w io.Writer) {
	var parts []string
	add := func(what string, counts []CoverageCount) {
		if len(counts) == 0 {
			return
		}
		m := Missing(counts)
		part := fmt.Sprintf("%s %d/%d", what, len(counts)-len(m), len(counts))
		if len(m) > 0 {
			part += " (not exercised: " + strings.Join(m, "; ") + ")"
		}
		parts = append(parts, part)
	}
	add(c.Figure+" arcs", c.Arcs)
	add("rules", c.Rules)
	add("action kinds", c.Actions)
	what := "coverage"
	if !c.Complete {
		what = "coverage so far"
	}
	fmt.Fprintf(w, "%s: %s\n", what, strings.Join(parts, ", "))
}

// WriteTable writes the whole coverage: each action kind, arc and rule
// with how many transitions it made, those never exercised marked.
func (c *Coverage) WriteTable(w io.Writer) {
	section := func(title string, counts []CoverageCount) {
		if len(counts) == 0 {
			return
		}
		width := len(title)
		for _, n := range counts {
			width = max(width, utf8.RuneCountInString(n.Name))
		}
		pad := func(s string) string { return s + strings.Repeat(" ", width-utf8.RuneCountInString(s)) }
		fmt.Fprintf(w, "  %s  %11s\n", pad(title), "TRANSITIONS")
		for _, n := range counts {
			mark := ""
			if n.Count == 0 {
				mark = "  never"
			}
			fmt.Fprintf(w, "  %s  %11d%s\n", pad(n.Name), n.Count, mark)
		}
		fmt.Fprintln(w)
	}
	section("ACTION KIND", c.Actions)
	section(strings.ToUpper(c.Figure)+" ARC", c.Arcs)
	section("RULE", c.Rules)
}

// segmentCoverage counts the segment model's action kinds and Figure 5's
// arcs.
func segmentCoverage(m *model.Model) CoverageSpec[model.State, model.Action] {
	var kinds []string
	// The kinds are numbered from 0; String names the ones that exist
	// and falls back to "ActionKind(n)" past the last.
	for k := model.ActionKind(0); !strings.HasPrefix(k.String(), "ActionKind("); k++ {
		kinds = append(kinds, k.String())
	}
	return CoverageSpec[model.State, model.Action]{
		Actions: kinds, Action: func(a model.Action) int { return int(a.Kind) },
		Figure: "Figure 5", Arcs: figure5Names(),
		Arc: func(s *model.State, a model.Action, t *model.State) int { return graphs.Figure5Index(m, s, a, t) },
	}
}

// diagramCoverage counts the diagram model's actions, one per operator of
// the TLA+ specification, and Figure 5's arcs.
func diagramCoverage() CoverageSpec[diagram.State, diagram.Action] {
	var kinds []string
	for k := diagram.Kind(1); !strings.HasPrefix(k.String(), "Kind("); k++ {
		kinds = append(kinds, k.String())
	}
	return CoverageSpec[diagram.State, diagram.Action]{
		Actions: kinds, Action: func(a diagram.Action) int { return int(a.Kind) - 1 },
		Figure: "Figure 5", Arcs: figure5Names(),
		Arc: graphs.Figure5IndexTLA,
	}
}

func figure5Names() []string {
	var out []string
	for _, f := range graphs.Figure5() {
		out = append(out, f.String())
	}
	return out
}
