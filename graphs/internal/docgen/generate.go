package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/graphs"
	"github.com/tcpcheck/tcpcheck/graphs/render"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/diagram"
)

// file is one generated file of docs/diagrams.
type file struct {
	name string
	data []byte
}

// spliced are the generated files whose text docs/diagrams.md also shows,
// between the markers "<!-- generated: NAME -->" and "<!-- end -->".
var spliced = []string{"endpoint-arcs.md", "trace-time-wait.txt"}

// generate makes every file of docs/diagrams, in a fixed order.
func generate(ctx context.Context) ([]file, error) {
	var files []file
	add := func(name string, dotSource []byte) error {
		svg, err := render.SVG(dotSource)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		files = append(files, file{name + ".dot", dotSource}, file{name + ".svg", svg})
		return nil
	}

	// The endpoint diagram: Figure 5 as the lifecycle and simultaneous
	// presets exercise it.
	endpoint, err := figure5(ctx)
	if err != nil {
		return nil, err
	}
	if err := add("endpoint", endpoint.DOT()); err != nil {
		return nil, err
	}
	files = append(files, file{"endpoint-arcs.md", arcTable(endpoint)})

	// The same diagram derived from the TLA+ port under MCtcp's setup.
	tla := diagram.New(diagram.DefaultConfig())
	res, err := checker.Explore(ctx, tla, checker.Options[diagram.State, diagram.Action]{
		KeepGraph: true, StateConstraint: tla.StateConstraint, ActionConstraint: tla.ActionConstraint,
	})
	if err != nil {
		return nil, err
	}
	tlaDiagram := graphs.EndpointTLA(res.Graph)
	tlaDiagram.Title = "Figure 5 derived from the TLA+ port (model/diagram) under MCtcp's setup"
	tlaDiagram.GroupResets = true // Note 3 resets every state: one arc per destination
	if err := add("endpoint-tla", tlaDiagram.DOT()); err != nil {
		return nil, err
	}

	// The quotient of lifecycle and the global graph of handshake.
	m, g, err := explore(ctx, "lifecycle")
	if err != nil {
		return nil, err
	}
	if err := add("quotient-lifecycle", graphs.Quotient(g, m, graphs.GraphOptions{})); err != nil {
		return nil, err
	}
	_, hg, err := explore(ctx, "handshake")
	if err != nil {
		return nil, err
	}
	global, err := graphs.Global(hg, graphs.GraphOptions{})
	if err != nil {
		return nil, err
	}
	if err := add("global-handshake", global); err != nil {
		return nil, err
	}

	// A trace chart: a shortest behaviour of lifecycle that brings A to
	// TIME-WAIT, found as the counterexample of "A is never in TIME-WAIT".
	res2, err := checker.Explore(ctx, m, checker.Options[model.State, model.Action]{
		Invariants: []checker.Invariant[model.State]{{
			Name:  "A never in TIME-WAIT",
			Holds: func(s *model.State) bool { return s.Ep[model.A].State != model.TimeWait },
		}},
	})
	if err != nil {
		return nil, err
	}
	if res2.Verdict != checker.Violated {
		return nil, fmt.Errorf("lifecycle: no behaviour reaches TIME-WAIT (%s)", res2.Verdict)
	}
	chart, err := graphs.TraceChart(m, res2.Violations[0].Trace, graphs.NoLoop)
	if err != nil {
		return nil, err
	}
	chart.Title = "lifecycle: a shortest behaviour that brings A to TIME-WAIT"
	if err := add("trace-time-wait", chart.DOT()); err != nil {
		return nil, err
	}
	files = append(files, file{"trace-time-wait.txt", []byte(chart.Text())})
	return files, nil
}

// figure5 is the endpoint diagram of the lifecycle and simultaneous
// presets, which together take every arc of Figure 5.
func figure5(ctx context.Context) (*graphs.EndpointDiagram, error) {
	m, g, err := explore(ctx, "lifecycle")
	if err != nil {
		return nil, err
	}
	sm, sg, err := explore(ctx, "simultaneous")
	if err != nil {
		return nil, err
	}
	d := graphs.Endpoint(g, m)
	d.Merge(graphs.Endpoint(sg, sm))
	d.Title = "RFC 9293 Figure 5 derived from the explored transitions of the lifecycle and simultaneous presets"
	return d, nil
}

// explore returns the model of a preset and its explored graph.
func explore(ctx context.Context, preset string) (*model.Model, *checker.Graph[model.State, model.Action], error) {
	cfg, err := model.LookupPreset(preset)
	if err != nil {
		return nil, nil, err
	}
	m, err := model.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	res, err := checker.Explore(ctx, m, checker.Options[model.State, model.Action]{KeepGraph: true})
	if err != nil {
		return nil, nil, err
	}
	if res.Verdict != checker.Holds {
		return nil, nil, fmt.Errorf("%s: the search was %s (%s)", preset, res.Verdict, res.StopReason)
	}
	return m, res.Graph, nil
}

// arcTable is the Markdown table of Figure 5's coverage and of every
// derived arc.
func arcTable(d *graphs.EndpointDiagram) []byte {
	var b bytes.Buffer
	covered, missing := d.Coverage()
	fmt.Fprintf(&b, "Figure 5 arcs exercised: %d of %d.\n\n", len(covered), len(covered)+len(missing))
	b.WriteString("| Figure 5 arc | Label | Exercised |\n| --- | --- | --- |\n")
	for _, f := range graphs.Figure5() {
		ok := "yes"
		for _, x := range missing {
			if x == f {
				ok = "**no**"
			}
		}
		arc := f.From.String() + " → " + f.To.String()
		if f.Note != "" {
			arc += " (" + f.Note + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", arc, f.Label, ok)
	}
	b.WriteString("\nEvery arc derived, with the endpoints that took it and the number of explored transitions it stands for:\n\n")
	b.WriteString("| Arc | Label | Cause | In Figure 5 | Taken by | Transitions |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, a := range d.Arcs {
		in := "no"
		if a.Figure5 {
			in = "yes"
		}
		var sides []string
		for _, s := range []model.Side{model.A, model.B} {
			if a.Sides[s] {
				sides = append(sides, s.String())
			}
		}
		fmt.Fprintf(&b, "| %s → %s | %s | %s | %s | %s | %d |\n", a.From, a.To, a.Label, a.Cause, in, strings.Join(sides, ", "), a.Count)
	}
	return b.Bytes()
}

// splice rewrites the generated sections of doc: between
// "<!-- generated: NAME -->" and the next "<!-- end -->", the file NAME,
// as a code block unless it is Markdown.
func splice(doc []byte, files []file) ([]byte, error) {
	for _, name := range spliced {
		var data []byte
		for _, f := range files {
			if f.name == name {
				data = f.data
			}
		}
		begin := []byte("<!-- generated: " + name + " -->\n")
		end := []byte("<!-- end -->")
		i := bytes.Index(doc, begin)
		if i < 0 {
			return nil, fmt.Errorf("no %q marker", strings.TrimSpace(string(begin)))
		}
		j := bytes.Index(doc[i+len(begin):], end)
		if j < 0 {
			return nil, fmt.Errorf("no %q after the %s marker", end, name)
		}
		body := data
		if !strings.HasSuffix(name, ".md") {
			body = append(append([]byte("```\n"), data...), "```\n"...)
		}
		var out bytes.Buffer
		out.Write(doc[:i+len(begin)])
		out.Write(body)
		out.Write(doc[i+len(begin)+j:])
		doc = out.Bytes()
	}
	return doc, nil
}
