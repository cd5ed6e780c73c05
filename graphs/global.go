package graphs

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/emicklei/dot"

	"github.com/tcpcheck/tcpcheck/checker"
)

// DefaultMaxStates is the largest global graph Global draws unless told
// otherwise: Graphviz takes minutes on graphs much larger, and nobody
// reads them.
const DefaultMaxStates = 2000

// GraphOptions configures Global and Quotient.
type GraphOptions struct {
	// MaxStates is the most states Global draws; 0 means
	// DefaultMaxStates. Quotient ignores it: it has at most 121 groups.
	MaxStates int
	// Force draws the global graph whatever its size.
	Force bool
	// Highlight lists the indexes (in the graph: its numbers) of states to
	// mark as violating: filled red.
	Highlight []int
}

// TooLargeError is Global's refusal to draw a graph with more states than
// GraphOptions.MaxStates.
type TooLargeError struct {
	States, Max int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("graphs: the global graph has %d states, more than %d: draw it anyway with --force, "+
		"or draw its quotient by connection states (--kind quotient)", e.States, e.Max)
}

// Global renders the explored state graph in DOT: a node per state,
// labelled with its number in g and its String (both endpoints'
// states and the segments in flight), and an edge per transition,
// labelled with its action. Initial states are drawn with a double border
// and filled blue, the states of opts.Highlight filled red. A graph with
// more states than opts.MaxStates is refused with a *TooLargeError unless
// opts.Force is set.
func Global[S comparable, A any](g *checker.Graph[S, A], opts GraphOptions) ([]byte, error) {
	limit := opts.MaxStates
	if limit <= 0 {
		limit = DefaultMaxStates
	}
	if g.NumStates() > limit && !opts.Force {
		return nil, &TooLargeError{States: g.NumStates(), Max: limit}
	}
	out := dot.NewGraph(dot.Directed)
	out.ID("global")
	out.Attrs("rankdir", "TB", "fontname", "Helvetica", "nodesep", "0.25", "ranksep", "0.4")
	mark := marks(g.Initial(), opts.Highlight)
	width := len(fmt.Sprint(g.NumStates()))
	nodes := make([]dot.Node, g.NumStates())
	for i, s := range g.States() {
		n := out.Node(fmt.Sprintf("s%0*d", width, i))
		n.Attrs("label", fmt.Sprintf("#%d\n%s", i, wrap(fmt.Sprint(s), 30)),
			"shape", "box", "fontname", "Helvetica", "fontsize", "9")
		mark.apply(n, i)
		nodes[i] = n
	}
	for _, e := range g.Edges() {
		ed := out.Edge(nodes[e.From], nodes[e.To], wrap(fmt.Sprint(e.Action), 30))
		ed.Attrs("fontname", "Helvetica", "fontsize", "8")
	}
	return []byte(out.String()), nil
}

// stateMarks tells which nodes are initial and which violating.
type stateMarks struct {
	initial, violating map[int]bool
}

func marks(initial, highlight []int) stateMarks {
	m := stateMarks{initial: map[int]bool{}, violating: map[int]bool{}}
	for _, i := range initial {
		m.initial[i] = true
	}
	for _, i := range highlight {
		m.violating[i] = true
	}
	return m
}

// apply styles node n for state i: initial states get a double border
// and a blue fill, violating ones a red fill (red wins).
func (m stateMarks) apply(n dot.Node, i int) {
	if m.initial[i] {
		n.Attrs("peripheries", "2", "style", "filled", "fillcolor", "#dbe8fb")
	}
	if m.violating[i] {
		n.Attrs("style", "filled", "fillcolor", "#f8c8c4", "color", "#c0392b")
	}
}

// wrap breaks s into lines of about width characters at spaces, and
// breaks a longer run of segments "<...><...>" after a '>'.
func wrap(s string, width int) string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		for _, w := range splitLong(word, width) {
			switch {
			case line == "":
				line = w
			case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) <= width:
				line += " " + w
			default:
				lines = append(lines, line)
				line = w
			}
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// splitLong cuts a word longer than width runes after '>' characters,
// keeping each piece at most width runes long where a '>' allows.
func splitLong(w string, width int) []string {
	var parts []string
	for utf8.RuneCountInString(w) > width {
		cut, n := -1, 0
		for i, r := range w {
			if n++; n > width {
				break
			}
			if r == '>' {
				cut = i
			}
		}
		if cut <= 0 {
			break
		}
		parts = append(parts, w[:cut+1])
		w = w[cut+1:]
	}
	return append(parts, w)
}
