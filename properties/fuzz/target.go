package fuzz

import (
	"fmt"
	"strings"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
)

// Target is a system to walk and what to check along the way.
type Target[S comparable, A any] struct {
	System checker.System[S, A]
	// Properties are checked on every state and transition of a walk:
	// state properties on each state reached, step properties on each
	// transition taken, the deadlock property when a walk reaches a
	// state with no enabled transition. Temporal properties are ignored.
	Properties []properties.Property[S, A]
	// Final says which states with no enabled transition are legitimate
	// ends rather than deadlocks; nil makes every such state a deadlock,
	// as in the checker.
	Final func(S) bool
	// Columns prints a state in a trace table; the zero value prints it
	// with fmt in one column.
	Columns Columns[S]
}

// Segment is the target for the segment-level TCP model m: its legitimate
// ends and its trace columns (A, B, IN FLIGHT) as tcpcheck check prints
// them.
func Segment(m *model.Model, props []properties.SegmentProperty) Target[model.State, model.Action] {
	return Target[model.State, model.Action]{System: m, Properties: props, Final: m.Final, Columns: SegmentColumns}
}

// Columns renders a state as the cells of a trace table, after the STEP
// and ACTION columns.
type Columns[S any] struct {
	Headers []string
	Cells   func(S) []string
}

// headers and cells fall back to one STATE column printed with fmt.
func (c Columns[S]) headers() []string {
	if c.Cells == nil {
		return []string{"STATE"}
	}
	return c.Headers
}

func (c Columns[S]) cells(s S) []string {
	if c.Cells == nil {
		return []string{fmt.Sprint(s)}
	}
	return c.Cells(s)
}

// SegmentColumns prints a state of the segment model as tcpcheck's
// counterexamples do: each endpoint's connection state and the segments
// in flight ("-" when there are none).
var SegmentColumns = Columns[model.State]{
	Headers: []string{"A", "B", "IN FLIGHT"},
	Cells: func(s model.State) []string {
		inFlight := s.InFlightText()
		if len(inFlight) == 0 {
			inFlight = []string{"-"}
		}
		return []string{s.Ep[model.A].State.String(), s.Ep[model.B].State.String(), strings.Join(inFlight, " ")}
	},
}
