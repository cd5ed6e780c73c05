package graphs

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/emicklei/dot"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
)

// Quotient renders the explored graph with its states grouped by the pair
// (A's ConnState, B's ConnState): a node per pair that occurs, labelled
// with how many states it groups, and an edge between two groups for the
// transitions from one to the other, labelled with what they do, in
// Figure 5's words, and how many explored transitions do it ("B: rcv SYN /
// snd SYN,ACK ×3"). The transitions that stay within a group (data,
// retransmissions, losses, duplicates, arrivals that change no state) are
// not drawn as self loops: their number is written in the group's node.
// Groups holding an initial state are filled blue, groups holding a state
// of opts.Highlight red; the other options are ignored.
func Quotient(g *checker.Graph[model.State, model.Action], m *model.Model, opts GraphOptions) []byte {
	type groupKey [2]model.ConnState
	type group struct {
		key              groupKey
		states, internal int
		initial, violate bool
	}
	type edgeKey struct{ from, to groupKey }
	key := func(s model.State) groupKey { return groupKey{s.Ep[model.A].State, s.Ep[model.B].State} }

	mark := marks(g.Initial(), opts.Highlight)
	groups := map[groupKey]*group{}
	var order []groupKey // groups in the order their first state was found
	for i, s := range g.States() {
		k := key(s)
		gr, ok := groups[k]
		if !ok {
			gr = &group{key: k}
			groups[k] = gr
			order = append(order, k)
		}
		gr.states++
		gr.initial = gr.initial || mark.initial[i]
		gr.violate = gr.violate || mark.violating[i]
	}
	labels := map[edgeKey]map[string]int{}
	var edges []edgeKey
	for _, e := range g.Edges() {
		s, t := g.State(e.From), g.State(e.To)
		from, to := key(s), key(t)
		if from == to {
			groups[from].internal++
			continue
		}
		ek := edgeKey{from, to}
		if labels[ek] == nil {
			labels[ek] = map[string]int{}
			edges = append(edges, ek)
		}
		a := e.Action
		labels[ek][a.Side.String()+": "+endpointLabel(m, &s, a, &t)]++
	}

	out := dot.NewGraph(dot.Directed)
	out.ID("quotient")
	out.Attrs("rankdir", "TB", "fontname", "Helvetica", "nodesep", "0.3", "ranksep", "0.45")
	nodes := map[groupKey]dot.Node{}
	for i, k := range order {
		gr := groups[k]
		n := out.Node(fmt.Sprintf("g%03d", i))
		label := fmt.Sprintf("A=%s\nB=%s\n%d states", k[model.A], k[model.B], gr.states)
		if gr.internal > 0 {
			label += fmt.Sprintf(", %d transitions within", gr.internal)
		}
		n.Attrs("label", label, "shape", "box", "style", "rounded", "fontname", "Helvetica", "fontsize", "10")
		if gr.initial {
			n.Attrs("peripheries", "2", "style", "rounded,filled", "fillcolor", "#dbe8fb")
		}
		if gr.violate {
			n.Attrs("style", "rounded,filled", "fillcolor", "#f8c8c4", "color", "#c0392b")
		}
		nodes[k] = n
	}
	for _, ek := range edges {
		var lines []string
		for l, n := range labels[ek] {
			lines = append(lines, fmt.Sprintf("%s ×%d", l, n))
		}
		slices.SortFunc(lines, func(x, y string) int { return cmp.Compare(x, y) })
		e := out.Edge(nodes[ek.from], nodes[ek.to], strings.Join(lines, "\n"))
		e.Attrs("fontname", "Helvetica", "fontsize", "8")
	}
	return []byte(out.String())
}
