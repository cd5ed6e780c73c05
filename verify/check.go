package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/graphs"
	"github.com/tcpcheck/tcpcheck/properties"
)

// Options bound and direct a check. The zero value checks every property
// of the model's catalogue, breadth first, sequentially, with no limit.
type Options struct {
	// Properties are the IDs of the properties to check, from the
	// model's catalogue; empty: all of them.
	Properties []string
	// NoTemporal skips the temporal properties, which need the explored
	// graph in memory.
	NoTemporal bool
	// Strategy is BFS (shortest counterexamples) or DFS.
	Strategy checker.Strategy
	// Store is how visited states are kept.
	Store checker.StoreKind
	// All keeps going after the first violation and reports every
	// violated property.
	All bool
	// Limits; zero is no limit. A search stopped by one is incomplete.
	MaxStates int
	MaxDepth  int
	Timeout   time.Duration
	MaxMemory int64
	// Workers is how many goroutines compute successors (0 or 1:
	// sequential); the result is the same for any number.
	Workers int
	// CoverageTable makes the text report show the whole coverage table
	// rather than its summary line. NoCoverage counts nothing (a large
	// search is then up to about 20% faster: 17–22% on stress, 8–12% on
	// lossy with its temporal properties); the report's Coverage is nil.
	CoverageTable bool
	NoCoverage    bool
	// Progress, when set, is called every ProgressInterval (default 1s)
	// with the figures so far (see ProgressWriter).
	Progress         func(checker.Stats)
	ProgressInterval time.Duration
}

// ErrOnlyTemporal is NewCheck's error when Options.NoTemporal leaves no
// property: every property selected is temporal.
var ErrOnlyTemporal = errors.New("NoTemporal leaves no property to check: every property selected is temporal")

// maxGraphEdges bounds the explored graph kept for the temporal
// properties: 4 GB of edges at 8 bytes each, with 8 bytes a state beside
// (the states are read from the store). The stress preset, about 4.4·10^8
// transitions, fits.
const maxGraphEdges = 500_000_000

// Check is a check ready to run: a model, the properties selected and the
// search's options. It runs once.
type Check[S comparable, A any] struct {
	model    *Model[S, A]
	opts     Options
	props    []properties.Property[S, A]
	temporal bool
}

// NewCheck prepares a check of m. Bad input — no model, an unknown
// property, negative limits, nothing left to check — is an error that says
// what is wrong.
func NewCheck[S comparable, A any](m *Model[S, A], opts Options) (*Check[S, A], error) {
	if m == nil || m.System == nil {
		return nil, errors.New("no model to check")
	}
	switch {
	case opts.MaxStates < 0:
		return nil, fmt.Errorf("MaxStates: must not be negative, not %d", opts.MaxStates)
	case opts.MaxDepth < 0:
		return nil, fmt.Errorf("MaxDepth: must not be negative, not %d", opts.MaxDepth)
	case opts.Timeout < 0:
		return nil, fmt.Errorf("Timeout: must not be negative, not %s", opts.Timeout)
	case opts.Workers < 0:
		return nil, fmt.Errorf("Workers: must not be negative, not %d", opts.Workers)
	case opts.MaxMemory < 0:
		return nil, fmt.Errorf("MaxMemory: must not be negative, not %d", opts.MaxMemory)
	}
	props, err := properties.Select(m.Properties, opts.Properties)
	if err != nil {
		return nil, err
	}
	if opts.NoTemporal {
		props = slices.DeleteFunc(slices.Clone(props), func(p properties.Property[S, A]) bool { return p.Kind == properties.Temporal })
		if len(props) == 0 {
			return nil, ErrOnlyTemporal
		}
	}
	if len(props) == 0 {
		return nil, errors.New("no property to check")
	}
	c := &Check[S, A]{model: m, opts: opts, props: props}
	for _, p := range props {
		c.temporal = c.temporal || p.Kind == properties.Temporal
	}
	return c, nil
}

// WriteHeader writes the first lines of the text report: the model, its
// configuration and the properties checked. A command writes it before
// the search, so that a long search says at once what it does.
func (c *Check[S, A]) WriteHeader(w io.Writer) {
	writeHeader(w, c.model.Name, c.model.Preset, c.model.Config, propertyIDs(c.props))
}

// writeHeader writes the header of check's text report.
func writeHeader(w io.Writer, model, preset, config, ids string) {
	fmt.Fprintf(w, "tcpcheck check: model %s, preset %s\n", model, preset)
	fmt.Fprintf(w, "config: %s\n", config)
	fmt.Fprintf(w, "properties: %s\n\n", ids)
}

// Run explores the model and checks the selected properties. The verdict
// is in the result; the error is for operational failure only (see
// checker.Explore).
func (c *Check[S, A]) Run(ctx context.Context) (*Result[S, A], error) {
	m, o := c.model, c.opts
	workers := max(o.Workers, 1)
	opts := checker.Options[S, A]{
		StateConstraint:        m.StateConstraint,
		ActionConstraint:       m.ActionConstraint,
		Strategy:               o.Strategy,
		Store:                  o.Store,
		ContinueAfterViolation: o.All,
		MaxStates:              o.MaxStates,
		MaxDepth:               o.MaxDepth,
		Timeout:                o.Timeout,
		Workers:                workers,
		MaxMemory:              o.MaxMemory,
		Progress:               o.Progress,
		ProgressInterval:       o.ProgressInterval,
	}
	if c.temporal {
		// Liveness is decided on the whole explored graph, so the search
		// keeps it and does not stop at an invariant's violation. A graph
		// too large to keep is let go: the invariants are still decided,
		// the temporal properties are then unknown.
		opts.KeepGraph, opts.ContinueAfterViolation = true, true
		opts.MaxGraphEdges, opts.DropGraphOverLimit = maxGraphEdges, true
		// MaxMemory leaves room for the analysis of the graph, with as
		// many fairness classes as the property that assumes the most.
		for _, p := range c.props {
			if p.Kind == properties.Temporal {
				opts.FairnessClasses = max(opts.FairnessClasses, len(p.Fairness))
			}
		}
		opts.LivenessSets = properties.Predicates(c.props)
	}
	final := m.Final
	if final == nil {
		final = func(S) bool { return false }
	}
	// Every invariant's premises are counted as it is checked: one whose
	// premises the search never reaches holds vacuously (Vacuity).
	vacuity := properties.ApplyCounting(&opts, c.props, final)
	// Coverage counts every transition the search takes, with counters
	// after the premises'.
	cov := newCoverageCounter(m.Coverage, m.System)
	covAt := len(opts.Counters)
	if !o.NoCoverage {
		opts.Counters = append(opts.Counters, cov.counters()...)
	}
	res, err := checker.Explore(ctx, m.System, opts)
	if err != nil {
		return nil, err
	}
	r := &Result[S, A]{Search: res, model: m, props: c.props}
	r.Report = newReport(m, c.props, o.Store, workers, o.Strategy)
	r.Report.MaxMemory = o.MaxMemory
	r.fill(opts.ContinueAfterViolation)
	vacuity.Count(res.Counts)
	r.fillVacuity(vacuity)
	if !o.NoCoverage {
		cov.add(res.Counts[covAt:])
		r.Coverage, r.coverageTable = cov.coverage(), o.CoverageTable
		// Complete when every reachable state was expanded: no limit
		// stopped the search, nor its first violation.
		r.Coverage.Complete = res.StopReason == "" && (res.Verdict != checker.Violated || opts.ContinueAfterViolation)
	}
	if c.temporal {
		var held int64
		r.Temporal, held = properties.CheckTemporal(res, c.props, workers)
		r.fillTemporal()
		r.Report.addAnalysis(res.Stats, held)
	}
	return r, nil
}

// Run prepares and runs a check of m in one call.
func Run[S comparable, A any](ctx context.Context, m *Model[S, A], opts Options) (*Result[S, A], error) {
	c, err := NewCheck(m, opts)
	if err != nil {
		return nil, err
	}
	return c.Run(ctx)
}

// Result is the outcome of a check: the report, which renders as text or
// JSON exactly as tcpcheck check prints it, and the typed results it was
// made from.
type Result[S comparable, A any] struct {
	*Report
	// Search is the checker's result: figures, violations with their
	// traces, and the explored graph if temporal properties were checked.
	Search *checker.Result[S, A]
	// Temporal are the verdicts of the temporal properties checked.
	Temporal []properties.TemporalOutcome[S, A]

	model *Model[S, A]
	props []properties.Property[S, A]
}

// TraceDOT draws the first counterexample — an invariant's, or else a
// temporal property's lasso — as a message sequence chart in DOT. It
// returns nil when every property holds or the model draws no chart.
func (r *Result[S, A]) TraceDOT() ([]byte, error) {
	if r.model.Chart == nil {
		return nil, nil
	}
	var trace []checker.Step[S, A]
	loop, title := graphs.NoLoop, ""
	if len(r.Search.Violations) > 0 {
		v := r.Search.Violations[0]
		trace, title = v.Trace, v.Name
		if p, ok := properties.Find(r.props, v.Name); ok {
			title = p.ID
		}
	} else {
		for _, o := range r.Temporal {
			if o.Lasso != nil {
				trace, loop, title = o.Lasso.Trace, o.Lasso.LoopStart, o.Property.ID+": "+o.Why
				break
			}
		}
	}
	if trace == nil {
		return nil, nil
	}
	return r.model.Chart(trace, loop, title)
}
