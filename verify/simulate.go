package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/properties"
	"github.com/tcpcheck/tcpcheck/properties/fuzz"
)

// SimulateOptions direct a simulation: random walks through a model.
type SimulateOptions struct {
	// Properties are the IDs of the invariants to check; empty: every
	// invariant of the model's catalogue. Temporal properties are not
	// checked (no random walk decides them).
	Properties []string
	// Steps bounds each walk's transitions; Walks is how many walks.
	Steps, Walks int
	// Seed is the seed of the first walk; walk k takes Seed+k.
	Seed uint64
	// Timeout stops the simulation after this long (0: no limit): the
	// result is then incomplete, as when the context is canceled.
	Timeout time.Duration
	// Reproduce, when set, gives the command line that walks the walk of
	// seed again; a text report prints it under a violation.
	Reproduce func(seed uint64) string
	// CoverageTable makes the text report show the whole coverage table
	// rather than its summary line.
	CoverageTable bool
	// Progress, when set, reports the figures so far, every
	// Progress.Interval().
	Progress *ProgressWriter
}

// maxDistinct bounds the states a run remembers to count the distinct
// ones: past it the count is a lower bound.
const maxDistinct = 1 << 20

// Simulation is a simulation ready to run.
type Simulation[S comparable, A any] struct {
	model    *Model[S, A]
	opts     SimulateOptions
	props    []properties.Property[S, A]
	checked  []string
	temporal []string
}

// NewSimulation prepares random walks through m. Bad input — an unknown
// property, only temporal properties, bounds below 1 — is an error that
// says what is wrong.
func NewSimulation[S comparable, A any](m *Model[S, A], opts SimulateOptions) (*Simulation[S, A], error) {
	switch {
	case m == nil || m.System == nil:
		return nil, errors.New("no model to simulate")
	case opts.Steps < 1:
		return nil, fmt.Errorf("Steps: must be at least 1, not %d", opts.Steps)
	case opts.Walks < 1:
		return nil, fmt.Errorf("Walks: must be at least 1, not %d", opts.Walks)
	case opts.Timeout < 0:
		return nil, fmt.Errorf("Timeout: must not be negative, not %s", opts.Timeout)
	}
	props, err := properties.Select(m.Properties, opts.Properties)
	if err != nil {
		return nil, err
	}
	s := &Simulation[S, A]{model: m, opts: opts}
	for _, p := range props {
		if p.Kind == properties.Temporal {
			s.temporal = append(s.temporal, p.ID)
		} else {
			s.checked = append(s.checked, p.ID)
			s.props = append(s.props, p)
		}
	}
	if len(s.props) == 0 {
		return nil, fmt.Errorf("property: %s is temporal, which a random walk cannot decide (a search can: tcpcheck check, verify.Run)", strings.Join(s.temporal, ", "))
	}
	return s, nil
}

// WriteHeader writes the first lines of the text report: the model, its
// configuration, the invariants checked and the seed.
func (s *Simulation[S, A]) WriteHeader(w io.Writer) {
	s.report().WriteHeader(w)
}

// report is the simulation's report before any walk.
func (s *Simulation[S, A]) report() *SimulateReport {
	r := &SimulateReport{Result: "ok", Model: s.model.Name, Preset: s.model.Preset, ConfigLine: s.model.Config,
		Config: s.model.Settings, Properties: s.checked, NotChecked: s.temporal, Seed: s.opts.Seed, Walks: s.opts.Walks, MaxSteps: s.opts.Steps}
	if r.NotChecked == nil {
		r.NotChecked = []string{}
	}
	return r
}

// WriteHeader writes the header tcpcheck simulate prints before its walks:
// the model, the configuration, the invariants checked and the seed.
// WriteHeader then WriteText is the whole text report.
func (r *SimulateReport) WriteHeader(w io.Writer) {
	fmt.Fprintf(w, "tcpcheck simulate: model %s, preset %s\n", r.Model, r.Preset)
	fmt.Fprintf(w, "config: %s\n", r.ConfigLine)
	fmt.Fprintf(w, "properties: %s\n", strings.Join(r.Properties, ", "))
	if len(r.NotChecked) > 0 {
		fmt.Fprintf(w, "not checked: %s (temporal: no random walk decides it)\n", strings.Join(r.NotChecked, ", "))
	}
	fmt.Fprintf(w, "seed: %d (walk k takes seed %d+k)\n\n", r.Seed, r.Seed)
}

// Target is what the walks walk: the model's system with its constraints
// applied, the invariants selected, the legitimate ends and the trace
// columns. A user's go test can hand it to fuzz.Walk, to have rapid
// choose the walks and shrink a failing one.
func (s *Simulation[S, A]) Target() fuzz.Target[S, A] {
	m := s.model
	return fuzz.Target[S, A]{
		System:     constrained[S, A]{m.System, m.StateConstraint, m.ActionConstraint},
		Properties: s.props,
		Final:      m.Final,
		Columns:    tableColumns(m.columns),
	}
}

// Run takes the walks, one after the other, and stops at the first
// violation, when the context is canceled or at the timeout.
func (s *Simulation[S, A]) Run(ctx context.Context) *SimulateResult[S, A] {
	o := s.opts
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	tg := s.Target()
	r := &SimulateResult[S, A]{SimulateReport: s.report(), columns: tg.Columns}
	cov := newCoverageCounter(s.model.Coverage, s.model.System)
	distinct := map[S]struct{}{}
	visit := func(st S) {
		if len(distinct) < maxDistinct {
			distinct[st] = struct{}{}
		}
	}
	// The walk's transitions are counted as the walk takes them: a
	// transition invariant sees each one.
	tg.Properties = append(slices.Clone(tg.Properties), properties.Property[S, A]{ID: coverageName, Step: cov.count})
	start := time.Now()
	next := start.Add(o.Progress.Interval())
	for k := range o.Walks {
		if ctx.Err() != nil {
			r.StopReason = checker.StopCanceled
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				r.StopReason = checker.StopTimeout
			}
			break
		}
		seed := o.Seed + uint64(k)
		out := fuzz.RandomWalk(tg, o.Steps, seed, visit)
		r.WalksTaken++
		r.Steps += out.Steps
		r.Longest = max(r.Longest, out.Steps)
		if out.Violation != nil {
			r.violation, r.FoundSeed = out.Violation, seed
			break
		}
		if out.Ended {
			r.EndedNoTransition++
		} else {
			r.EndedAtSteps++
		}
		if o.Progress != nil && time.Now().After(next) {
			o.Progress.UpdateWalks(time.Since(start), r.WalksTaken, r.Steps, len(distinct))
			next = time.Now().Add(o.Progress.Interval())
		}
	}
	elapsed := time.Since(start)
	o.Progress.DoneWalks(elapsed, r.WalksTaken, r.Steps, len(distinct))
	r.Distinct, r.DistinctBounded = len(distinct), len(distinct) >= maxDistinct
	r.Seconds = elapsed.Seconds()
	r.StatesPerSecond = float64(r.Steps+r.WalksTaken) / max(elapsed.Seconds(), 1e-9)
	r.Coverage, r.coverageTable = cov.coverage(), o.CoverageTable
	r.Coverage.Complete = r.StopReason == "" && r.violation == nil // every walk taken
	switch {
	case r.violation != nil:
		r.Result = "violation"
		v := r.violation
		r.Violation = &Violation{Property: v.Property, Kind: v.Kind.String(), Why: v.Why, Trace: renderTrace(v.Trace, s.model)}
		if o.Reproduce != nil {
			r.ReproduceCommand = o.Reproduce(r.FoundSeed)
		}
	case r.StopReason != "":
		r.Result = "incomplete"
	}
	return r
}

// SimulateReport is the outcome of a simulation, in the shape of its JSON
// document (docs/json.md); the text report is written from the same
// fields.
type SimulateReport struct {
	// Result is "ok" (no walk found a violation: not a proof),
	// "violation", or "incomplete" (stopped before the last walk).
	Result     string   `json:"result"`
	Model      string   `json:"model"`
	Preset     string   `json:"preset"`
	Config     any      `json:"config"`
	ConfigLine string   `json:"config_line"`
	Properties []string `json:"properties"`
	NotChecked []string `json:"not_checked"`
	Seed       uint64   `json:"seed"`
	// Walks is how many walks were asked for, WalksTaken how many were
	// taken; MaxSteps bounds each.
	Walks      int `json:"walks"`
	WalksTaken int `json:"walks_taken"`
	MaxSteps   int `json:"max_steps"`
	Steps      int `json:"steps"`
	Longest    int `json:"longest"`
	// Distinct states seen; DistinctBounded: the count stopped at its
	// bound, and is a lower bound.
	Distinct          int     `json:"distinct"`
	DistinctBounded   bool    `json:"distinct_bounded,omitempty"`
	Seconds           float64 `json:"seconds"`
	StatesPerSecond   float64 `json:"states_per_second"`
	EndedNoTransition int     `json:"ended_no_transition"`
	EndedAtSteps      int     `json:"ended_at_steps"`
	StopReason        string  `json:"stop_reason,omitempty"`
	// Violation is the first violation found, with its walk (a random
	// walk, not a shortest one); FoundSeed is the walk's seed.
	Violation        *Violation `json:"violation,omitempty"`
	FoundSeed        uint64     `json:"found_seed,omitempty"`
	ReproduceCommand string     `json:"reproduce,omitempty"`
	Coverage         *Coverage  `json:"coverage"`

	coverageTable bool
}

// SimulateResult is the outcome of a simulation: the report, and the
// violation's typed walk.
type SimulateResult[S comparable, A any] struct {
	*SimulateReport
	violation *fuzz.Violation[S, A]
	columns   fuzz.Columns[S]
}

// Found is the violation a walk found, with its typed trace; nil if none.
func (r *SimulateResult[S, A]) Found() *fuzz.Violation[S, A] { return r.violation }

// WriteText writes the report as tcpcheck simulate prints it after its
// header.
func (r *SimulateResult[S, A]) WriteText(w io.Writer) {
	if r.violation != nil {
		fuzz.WriteViolation(w, r.violation, r.columns)
		if r.ReproduceCommand != "" {
			fmt.Fprintf(w, "found by walk %d (seed %d); to walk it again:\n  %s\n\n", r.WalksTaken-1, r.FoundSeed, r.ReproduceCommand)
		} else {
			fmt.Fprintf(w, "found by walk %d (seed %d)\n\n", r.WalksTaken-1, r.FoundSeed)
		}
	}
	states := fmt.Sprint(r.Distinct)
	if r.DistinctBounded {
		states = "at least " + states
	}
	fmt.Fprintf(w, "%d walk(s), %d steps (longest %d), %s distinct states, in %.2fs (%.0f states/s)\n",
		r.WalksTaken, r.Steps, r.Longest, states, r.Seconds, r.StatesPerSecond)
	fmt.Fprintf(w, "walks ended: %d with no enabled transition, %d at --steps %d, %d at a violation\n", r.EndedNoTransition, r.EndedAtSteps, r.MaxSteps, r.WalksTaken-r.EndedNoTransition-r.EndedAtSteps)
	r.Coverage.write(w, r.coverageTable)
	switch r.Result {
	case "violation":
		fmt.Fprintf(w, "\nresult: violation\n")
	case "incomplete":
		fmt.Fprintf(w, "%s after %d of %d walks\n\nresult: incomplete\n", stopReasonText(r.StopReason), r.WalksTaken, r.Walks)
	default:
		fmt.Fprintf(w, "no violation found: not a proof ('tcpcheck check' explores every behaviour within the bounds)\n\nresult: ok\n")
	}
}

// WriteJSON writes the report as one JSON document (docs/json.md).
func (r *SimulateReport) WriteJSON(w io.Writer) error {
	return writeJSON(w, r)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // segments read <SEQ=...>, not \u003cSEQ=...\u003e
	return enc.Encode(v)
}

// tableColumns turns a trace table's columns as check prints them into
// the columns of a walk's trace table.
func tableColumns[S any](columns func(S) StateColumns) fuzz.Columns[S] {
	return fuzz.Columns[S]{
		Headers: []string{"A", "B", "IN FLIGHT"},
		Cells: func(s S) []string {
			c := columns(s)
			inFlight := strings.Join(c.InFlight, " ")
			if inFlight == "" {
				inFlight = "-"
			}
			return []string{c.A, c.B, inFlight}
		},
	}
}

// constrained is a system with the checker's constraints applied as the
// checker applies them (TLC's way): a transition the action constraint
// rejects is not taken, a state the state constraint rejects is not
// entered. Nil constraints allow everything.
type constrained[S comparable, A any] struct {
	sys    checker.System[S, A]
	state  func(S) bool
	action func(S, A, S) bool
}

func (c constrained[S, A]) Init() iter.Seq[S] {
	return func(yield func(S) bool) {
		for s := range c.sys.Init() {
			if (c.state == nil || c.state(s)) && !yield(s) {
				return
			}
		}
	}
}

func (c constrained[S, A]) Next(s S) iter.Seq2[A, S] {
	return func(yield func(A, S) bool) {
		for a, t := range c.sys.Next(s) {
			if (c.action == nil || c.action(s, a, t)) && (c.state == nil || c.state(t)) && !yield(a, t) {
				return
			}
		}
	}
}
