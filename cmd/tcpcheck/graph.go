package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/graphs"
	"github.com/tcpcheck/tcpcheck/graphs/render"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/diagram"
	"github.com/tcpcheck/tcpcheck/properties"
	"github.com/tcpcheck/tcpcheck/verify"
)

var graphCommand = &command{
	Name:      "graph",
	UsageLine: "graph --kind endpoint|global|quotient|trace [--model segment|diagram] [--preset NAME[,NAME...]] [model knobs] [--property ID] [--format dot|svg|png] [-o FILE]",
	Short:     "draw state diagrams and counterexamples with Graphviz",
	Long: `Graph explores the configured model and draws it in Graphviz's DOT
language, as SVG (rendered in-process: no Graphviz install needed), or as
PNG (rendered by Graphviz's dot program, which must then be installed).

Kinds:
  endpoint  RFC 9293 Figure 5 derived from the model: every explored
            transition projected onto the endpoint that takes it, labelled
            "event / action", coloured by cause (user call, segment,
            timer); arcs Figure 5 does not have are dashed. Several presets,
            comma-separated, are merged. The Figure 5 arcs the configuration
            never exercised are listed on stderr.
  global    every explored state (both endpoints and the channels) and
            transition; refused above 2000 states unless --force.
  quotient  global states grouped by (A's state, B's state), edges counted.
  trace     the counterexample of --property (default: the first property
            violated) as a message sequence chart; use 'check' to find one.

The same DOT comes out of the same command, byte for byte.`,
	ExitCodes: `Exit codes:
  0  the graph was written
  2  bad usage or bad input, a configuration too large to draw, or no
     counterexample to draw
  3  interrupted (Ctrl-C, SIGTERM) or --timeout reached before the
     configuration was explored
`,
	Flags: func(fs *flag.FlagSet) func(*env, []string) int {
		f := &graphFlags{}
		f.register(fs)
		return f.run
	},
}

type graphFlags struct {
	modelFlags
	kind      string
	format    string
	resets    string
	output    string
	force     bool
	property  string
	maxStates int
	timeout   time.Duration
}

func (f *graphFlags) register(fs *flag.FlagSet) {
	f.modelFlags.register(fs)
	fs.StringVar(&f.kind, "kind", "endpoint", "what to draw: endpoint, global, quotient or trace")
	fs.StringVar(&f.format, "format", "dot", "output format: dot, svg or png (png needs Graphviz's dot program on PATH)")
	fs.StringVar(&f.output, "o", "", "write to this file instead of stdout")
	fs.BoolVar(&f.force, "force", false, "draw a global graph however large")
	fs.StringVar(&f.resets, "resets", "", "for --kind endpoint: draw the resets Figure 5 leaves out (Note 3) as one arc from each state (each) or grouped, one arc per destination from an \"any of\" box (grouped); default: each for the segment model, grouped for the diagram model, whose Note 3 resets every state")
	fs.StringVar(&f.property, "property", "", "for --kind trace: the property whose counterexample to draw")
	fs.IntVar(&f.maxStates, "max-states", 1_000_000, "refuse configurations with more distinct states than this")
	registerTimeout(fs, &f.timeout)
}

func (f *graphFlags) run(e *env, args []string) int {
	if len(args) > 0 {
		return fail(e, "graph", usagef("unexpected argument %q", args[0]))
	}
	if err := f.validateModel(); err != nil {
		return fail(e, "graph", err)
	}
	switch f.kind {
	case "endpoint", "global", "quotient", "trace":
	default:
		return fail(e, "graph", usagef("--kind: unknown kind %q (known: endpoint, global, quotient, trace)", f.kind))
	}
	switch f.format {
	case "dot", "svg":
	case "png":
		if _, err := exec.LookPath("dot"); err != nil {
			return fail(e, "graph", usagef("--format png needs Graphviz's dot program on PATH (apt-get install graphviz); --format svg needs nothing"))
		}
	default:
		return fail(e, "graph", usagef("--format: unknown format %q (known: dot, svg, png)", f.format))
	}
	switch {
	case f.resets != "" && f.resets != "each" && f.resets != "grouped":
		return fail(e, "graph", usagef("--resets: unknown drawing %q (known: each, grouped)", f.resets))
	case f.resets != "" && f.kind != "endpoint":
		return fail(e, "graph", usagef("--resets goes with --kind endpoint"))
	}
	if f.property != "" && f.kind != "trace" {
		return fail(e, "graph", usagef("--property goes with --kind trace"))
	}
	if f.maxStates < 0 {
		return fail(e, "graph", usagef("--max-states: must not be negative (0: no limit), not %d", f.maxStates))
	}
	if f.output != "" {
		if err := checkWritable(f.output); err != nil {
			return fail(e, "graph", usagef("-o: %v", err))
		}
	}
	bounded, cancel, err := e.withTimeout(f.timeout)
	if err != nil {
		return fail(e, "graph", err)
	}
	defer cancel()
	e = bounded
	var out []byte
	if f.model == diagramModel {
		out, err = f.drawDiagram(e)
	} else {
		out, err = f.drawSegment(e)
	}
	if errors.Is(err, errInterrupted) {
		fmt.Fprintf(e.stderr, "tcpcheck graph: %s before the configuration was explored\n", stoppedBy(e.ctx))
		return exitIncomplete
	}
	if err != nil {
		return fail(e, "graph", err)
	}
	switch f.format {
	case "svg":
		out, err = render.SVG(out)
	case "png":
		out, err = render.PNG(out)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "tcpcheck graph: %v\n", err)
		return exitUsage
	}
	if f.output == "" {
		_, err = e.stdout.Write(out)
	} else {
		err = os.WriteFile(f.output, out, 0o644)
	}
	if err != nil {
		return fail(e, "graph", usagef("-o: %v", err))
	}
	return exitOK
}

// errInterrupted: Ctrl-C stopped the exploration (exit 3).
var errInterrupted = errors.New("interrupted")

// explored explores sys keeping its graph; a search stopped by a limit is
// an error, since a partial diagram would mislead.
func explored[S comparable, A any](e *env, sys checker.System[S, A], opts checker.Options[S, A], maxStates int) (*checker.Graph[S, A], error) {
	opts.KeepGraph, opts.MaxStates = true, maxStates
	// A large configuration takes seconds to explore: progress as check
	// shows it (a live line on a terminal, a line every 10 s in a log).
	progress := verify.NewProgressWriter(e.stderr, verify.ProgressAuto)
	opts.Progress, opts.ProgressInterval = progress.Func(), progress.Interval()
	res, err := checker.Explore(e.ctx, sys, opts)
	if err != nil {
		progress.Done(nil)
		return nil, err
	}
	progress.Done(&res.Stats)
	switch res.StopReason {
	case "":
	case checker.StopCanceled, checker.StopTimeout:
		return nil, errInterrupted
	default:
		return nil, usagef("the configuration was not explored to the end (%s after %d states): too large to draw", res.StopReason, res.Stats.Distinct)
	}
	return checker.CompleteGraph(res)
}

func (f *graphFlags) drawSegment(e *env) ([]byte, error) {
	names := strings.Split(f.presetName(), ",")
	if slices.Contains(names, "") {
		return nil, usagef("--preset: an empty name in %q", f.presetName())
	}
	if len(names) > 1 && f.kind != "endpoint" {
		return nil, usagef("--preset: several presets go with --kind endpoint only")
	}
	var diagramAll *graphs.EndpointDiagram
	for _, name := range names {
		f.preset = name
		cfg, err := f.segmentConfig()
		if err != nil {
			return nil, err
		}
		m, err := model.New(cfg)
		if err != nil {
			return nil, usagef("%v", err)
		}
		if f.kind == "trace" {
			return f.drawTrace(e, m)
		}
		g, err := explored(e, m, checker.Options[model.State, model.Action]{}, f.maxStates)
		if err != nil {
			return nil, err
		}
		switch f.kind {
		case "global":
			return drawGlobal(g, f.force)
		case "quotient":
			return graphs.Quotient(g, m, graphs.GraphOptions{}), nil
		}
		d := graphs.Endpoint(g, m)
		if diagramAll == nil {
			diagramAll = d
		} else {
			diagramAll.Merge(d)
		}
	}
	_, missing := diagramAll.Coverage()
	if len(missing) > 0 {
		fmt.Fprintf(e.stderr, "tcpcheck graph: %d Figure 5 arc(s) not exercised by this configuration:\n", len(missing))
		for _, arc := range missing {
			fmt.Fprintf(e.stderr, "  %s\n", arc)
		}
	}
	diagramAll.GroupResets = f.resets == "grouped"
	return diagramAll.DOT(), nil
}

func drawGlobal[S comparable, A any](g *checker.Graph[S, A], force bool) ([]byte, error) {
	out, err := graphs.Global(g, graphs.GraphOptions{Force: force})
	var tooLarge *graphs.TooLargeError
	if errors.As(err, &tooLarge) {
		return nil, usagef("the global graph has %d states, more than %d: add --force, or use --kind quotient", tooLarge.States, tooLarge.Max)
	}
	return out, err
}

// drawTrace charts the first counterexample of the selected property.
func (f *graphFlags) drawTrace(e *env, m *model.Model) ([]byte, error) {
	var ids []string
	if f.property != "" {
		ids = []string{f.property}
	}
	props, err := properties.Select(properties.Segment(), ids)
	if err != nil {
		return nil, usagef("%v", err)
	}
	out, err := properties.Run(e.ctx, m, props)
	if err != nil {
		return nil, err
	}
	if out.Trace == nil {
		return nil, usagef("no counterexample to draw: %s", holdsText(ids, out.Verdict))
	}
	chart, err := graphs.TraceChart(m, out.Trace, out.LoopStart)
	if err != nil {
		return nil, err
	}
	chart.Title = out.Property + ": " + out.Why
	return chart.DOT(), nil
}

func holdsText(ids []string, v checker.Verdict) string {
	what := "every property"
	if len(ids) > 0 {
		what = ids[0]
	}
	if v == checker.Incomplete {
		return "the search for a violation of " + what + " did not finish"
	}
	return what + " holds in this configuration"
}

func (f *graphFlags) drawDiagram(e *env) ([]byte, error) {
	switch f.kind {
	case "quotient", "trace":
		return nil, usagef("--kind %s: the diagram model draws endpoint and global graphs only", f.kind)
	}
	cfg, err := f.diagramConfig()
	if err != nil {
		return nil, err
	}
	m := diagram.New(cfg)
	g, err := explored(e, m, checker.Options[diagram.State, diagram.Action]{
		StateConstraint: m.StateConstraint, ActionConstraint: m.ActionConstraint,
	}, f.maxStates)
	if err != nil {
		return nil, err
	}
	if f.kind == "global" {
		return drawGlobal(g, f.force)
	}
	d := graphs.EndpointTLA(g)
	d.GroupResets = f.resets != "each" // Note 3 resets every state: grouped unless asked
	return d.DOT(), nil
}
