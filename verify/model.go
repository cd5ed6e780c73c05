package verify

import (
	"fmt"
	"strings"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/graphs"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/diagram"
	"github.com/tcpcheck/tcpcheck/properties"
)

// Model names, as reports and --model spell them.
const (
	SegmentModel = "segment"
	DiagramModel = "diagram"
)

// Model is a configured model, ready to check or simulate: the transition
// system, its catalogue of properties, and how its states read in a
// report. Segment and Diagram make the two built-in ones; a user may build
// one for any checker.System, or add properties to a built-in one's
// Properties before checking it.
type Model[S comparable, A any] struct {
	// Name, Preset and Config are shown at the top of a report; Config is
	// the configuration on one line.
	Name, Preset, Config string
	// Settings is the configuration as a JSON object (a report's
	// "config"); nil for none.
	Settings any

	System checker.System[S, A]
	// Properties is the catalogue a check selects from by ID: the
	// built-in ones, and any a user appends (invariants, transition
	// invariants, temporal properties with their fairness).
	Properties []properties.Property[S, A]
	// Final tells the legitimate ends from deadlocks; nil: none is.
	Final func(S) bool
	// StateConstraint and ActionConstraint bound the search as TLC's
	// CONSTRAINT and ACTION_CONSTRAINT do; nil: no bound.
	StateConstraint  func(S) bool
	ActionConstraint func(S, A, S) bool
	// Columns renders a state as the columns of a trace table; nil
	// prints it with fmt in the first column.
	Columns func(S) StateColumns
	// Chart draws a counterexample as a message sequence chart in DOT;
	// nil: the model has none.
	Chart func(trace []checker.Step[S, A], loopStart int, title string) ([]byte, error)
	// Coverage says what a run's coverage report counts; the zero value
	// counts nothing.
	Coverage CoverageSpec[S, A]
}

// StateColumns is a state as a trace table shows it: the two endpoints
// and what is in flight between them.
type StateColumns struct {
	A, B     string
	InFlight []string
}

// columns renders s with m.Columns, or with fmt when it has none.
func (m *Model[S, A]) columns(s S) StateColumns {
	if m.Columns == nil {
		return StateColumns{A: fmt.Sprint(s)}
	}
	return m.Columns(s)
}

// Segment is the segment-level TCP model of RFC 9293 §3.10 (package
// model) with cfg, its configuration — variant included — named preset
// in reports. Its catalogue is properties.Segment(). An invalid
// configuration is an error that says what is wrong.
func Segment(preset string, cfg model.Config) (*Model[model.State, model.Action], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m, err := model.New(cfg)
	if err != nil {
		return nil, err
	}
	return &Model[model.State, model.Action]{
		Name: SegmentModel, Preset: preset, Config: cfg.String(), Settings: segmentSettings(cfg),
		System: m, Properties: properties.Segment(), Final: m.Final,
		Columns: segmentColumns,
		Chart: func(trace []checker.Step[model.State, model.Action], loopStart int, title string) ([]byte, error) {
			c, err := graphs.TraceChart(m, trace, loopStart)
			if err != nil {
				return nil, err
			}
			c.Title = title
			return c.DOT(), nil
		},
		Coverage: segmentCoverage(m),
	}, nil
}

// SegmentPreset is Segment with the configuration of the named preset
// (model.Presets).
func SegmentPreset(name string) (*Model[model.State, model.Action], error) {
	cfg, err := model.LookupPreset(name)
	if err != nil {
		return nil, err
	}
	return Segment(name, cfg)
}

// DiagramPreset is a named configuration of the diagram model.
type DiagramPreset struct {
	Name, Description string
	Config            diagram.Config
}

// DiagramPresets are the diagram model's configurations, the default
// first.
func DiagramPresets() []DiagramPreset {
	return []DiagramPreset{
		{"example", "the TLA+ example's MCtcp setup: no further opens, no retransmission (the default)", diagram.DefaultConfig()},
		{"unconstrained", "no constraints: peers reopen and retransmit; queues grow to the model's capacity (tens of millions of states: use --timeout or --max-states)", diagram.Config{}},
	}
}

// LookupDiagramPreset returns the diagram model's preset called name.
func LookupDiagramPreset(name string) (diagram.Config, error) {
	var names []string
	for _, p := range DiagramPresets() {
		if p.Name == name {
			return p.Config, nil
		}
		names = append(names, p.Name)
	}
	return diagram.Config{}, fmt.Errorf("preset: unknown preset %q for the diagram model (known: %s)", name, strings.Join(names, ", "))
}

// Diagram is the message-level model of Figure 5 ported from the TLA+
// example (package model/diagram) with cfg, named preset in reports, its
// constraints applied. Its catalogue is properties.Diagram().
func Diagram(preset string, cfg diagram.Config) *Model[diagram.State, diagram.Action] {
	m := diagram.New(cfg)
	return &Model[diagram.State, diagram.Action]{
		Name: DiagramModel, Preset: preset,
		Config:   fmt.Sprintf("single-active-open=%t no-retransmission=%t", cfg.SingleActiveOpen, cfg.NoRetransmission),
		Settings: diagramConfig{SingleActiveOpen: cfg.SingleActiveOpen, NoRetransmission: cfg.NoRetransmission},
		System:   m, Properties: properties.Diagram(), Final: func(diagram.State) bool { return false },
		StateConstraint: m.StateConstraint, ActionConstraint: m.ActionConstraint,
		Columns:  diagramColumns,
		Coverage: diagramCoverage(),
	}
}

func segmentColumns(s model.State) StateColumns {
	return StateColumns{A: s.Ep[model.A].State.String(), B: s.Ep[model.B].State.String(), InFlight: s.InFlightText()}
}

func diagramColumns(s diagram.State) StateColumns {
	c := StateColumns{A: s.Peers[diagram.A].Conn.String(), B: s.Peers[diagram.B].Conn.String()}
	for _, p := range []diagram.Peer{diagram.A, diagram.B} {
		if q := s.Peers[p].Queue; q.Len() > 0 {
			c.InFlight = append(c.InFlight, fmt.Sprintf("→%s %s", p, q))
		}
	}
	return c
}
