// Package graphs draws what the checker explored, in Graphviz's DOT
// language (with github.com/emicklei/dot) and as SVG:
//
//   - Endpoint: RFC 9293 Figure 5 derived from the model, not drawn: every
//     explored transition projected onto the endpoint that acts, merged
//     into one diagram of the eleven states, with Figure 5's event /
//     action labels, coloured by cause (user call, segment, timer), the
//     arcs Figure 5 lacks dashed. Coverage tells which of Figure 5's arcs
//     the model exercised. EndpointTLA does the same for the TLA+ port
//     in model/diagram.
//   - Global: the explored state graph itself, for small configurations,
//     with the initial and violating states highlighted and a guard
//     against graphs too large to draw.
//   - Quotient: the states grouped by the pair of connection states, with
//     the transitions between groups counted.
//   - TraceChart: a counterexample as a message sequence chart, as DOT
//     and as plain text for a terminal.
//   - Package render draws any of these as SVG in-process, in pure Go,
//     or as PNG.
//
// Every output is deterministic: the same input gives the same bytes.
//
// The smallest use draws Figure 5 as the lifecycle preset exercises it:
//
//	cfg, _ := model.LookupPreset("lifecycle")
//	m, _ := model.New(cfg)
//	res, _ := checker.Explore(ctx, m, checker.Options[model.State, model.Action]{KeepGraph: true})
//	d := graphs.Endpoint(res.Graph, m)
//	_, missing := d.Coverage() // Figure 5 arcs never exercised
//	svg, err := render.SVG(d.DOT()) // package graphs/render
//
// The diagrams in docs/diagrams are generated from the models by
// internal/docgen; regenerate them with go generate ./graphs/...
// docs/diagrams.md explains them.
package graphs

//go:generate go run ./internal/docgen -out ../docs/diagrams -md ../docs/diagrams.md
