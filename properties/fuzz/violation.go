package fuzz

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/properties"
)

// Violation is a property that failed along a behaviour.
type Violation[S, A any] struct {
	// Property is the ID of the property that failed.
	Property string
	Kind     properties.Kind
	// Why is the property's sentence on the failure ("" if it has none).
	Why string
	// Trace is the behaviour from an initial state to the state, or the
	// end of the transition, where the property fails.
	Trace []checker.Step[S, A]
}

func newViolation[S comparable, A any](p properties.Property[S, A], trace []checker.Step[S, A]) *Violation[S, A] {
	return &Violation[S, A]{Property: p.ID, Kind: p.Kind, Trace: trace, Why: p.WhyAt(trace)}
}

// WriteViolation prints v as tcpcheck prints a counterexample: the
// property and why it fails, then the behaviour as a numbered step table
// with the failing step marked.
func WriteViolation[S, A any](w io.Writer, v *Violation[S, A], cols Columns[S]) {
	fmt.Fprintf(w, "VIOLATION %s (%s): %s\n", v.Property, v.Kind, v.Why)
	fmt.Fprintf(w, "random walk, %d step(s):\n\n", len(v.Trace)-1)
	WriteTrace(w, v.Trace, cols)
	fmt.Fprintln(w)
}

// WriteTrace prints trace as a table: STEP, ACTION and cols, with the
// last step marked "=>".
func WriteTrace[S, A any](w io.Writer, trace []checker.Step[S, A], cols Columns[S]) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "   STEP\tACTION\t%s\n", strings.Join(cols.headers(), "\t"))
	for i, st := range trace {
		mark := "  "
		if i == len(trace)-1 {
			mark = "=>"
		}
		action := "(initial state)"
		if st.HasAction {
			action = fmt.Sprint(st.Action)
		}
		fmt.Fprintf(tw, "%s %4d\t%s\t%s\n", mark, i, action, strings.Join(cols.cells(st.State), "\t"))
	}
	tw.Flush()
}
