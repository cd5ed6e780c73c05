package explorer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/graphs"
	"github.com/tcpcheck/tcpcheck/graphs/render"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
)

// Step is one step of a path: checker's step of the segment model.
type Step = checker.Step[model.State, model.Action]

// Limits bound the work of one request, so that no URL or upload can keep
// the explorer busy: a request over a limit is refused with a message.
type Limits struct {
	// MaxPath is the longest path, in steps.
	MaxPath int
	// MaxRunStates is how many states "run until a property fails"
	// explores from the current state before it gives up.
	MaxRunStates int
	// MaxFigureStates is how many states are explored to derive Figure
	// 5 for a configuration; past it the figure is drawn from those
	// states and the path's own transitions, and says so.
	MaxFigureStates int
	// MaxBody is the largest counterexample document accepted, in bytes.
	MaxBody int64
	// MaxConfigs is how many configurations' Figure 5 are kept.
	MaxConfigs int
	// MaxStaticSteps is the longest path a static page is written for:
	// it holds a sequence chart per step.
	MaxStaticSteps int
}

// DefaultLimits are the limits tcpcheck explore runs with: each request
// takes well under a second on the presets.
func DefaultLimits() Limits {
	return Limits{MaxPath: 500, MaxRunStates: 200_000, MaxFigureStates: 100_000, MaxBody: 4 << 20, MaxConfigs: 16, MaxStaticSteps: 100}
}

// Explorer serves one configuration of the segment model, the seed's
// scenarios and any loaded counterexample's configuration.
type Explorer struct {
	preset string
	cfg    model.Config
	limits Limits
	props  []properties.SegmentProperty

	mu      sync.Mutex
	setups  map[string]*setup // by key, at most limits.MaxConfigs
	order   []string          // keys, oldest first
	byScene map[string]*sceneStart
}

// New returns an explorer of cfg, which started from the named preset.
func New(preset string, cfg model.Config, limits Limits) (*Explorer, error) {
	if _, err := model.New(cfg); err != nil {
		return nil, err
	}
	return &Explorer{preset: preset, cfg: cfg, limits: limits, props: properties.Segment(),
		setups: map[string]*setup{}, byScene: map[string]*sceneStart{}}, nil
}

// inputError is bad input from a request: the API answers 400 with its
// message, the page shows it.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

func inputf(format string, args ...any) error { return &inputError{fmt.Sprintf(format, args...)} }

// limitError is a request refused because its work would pass a limit:
// the API answers 422.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }

// setup is one configuration being explored, with its Figure 5, derived
// once.
type setup struct {
	key    string
	name   string // what the page calls it
	preset string
	cfg    model.Config
	m      *model.Model

	figOnce  sync.Once
	figure   *graphs.EndpointDiagram
	complete bool // the figure covers every reachable state
	figErr   error
	svgOnce  sync.Once
	svg      []byte
	svgErr   error
}

// setupFor returns the configuration q names.
func (x *Explorer) setupFor(q Query) (*setup, error) {
	var key, name, preset string
	var cfg model.Config
	switch {
	case q.Scenario != "":
		sc, ok := lookupScenario(q.Scenario)
		if !ok {
			return nil, inputf("scenario: unknown scenario %q (known: %s)", q.Scenario, strings.Join(scenarioIDs(), ", "))
		}
		key, name, preset, cfg = "scenario "+sc.ID, "scenario: "+sc.Title, sc.Preset, sc.Config
	case q.Config != "":
		if q.Preset == x.preset && q.Config == x.cfg.String() {
			return x.setupFor(Query{})
		}
		c, err := parseConfigLine(q.Preset, q.Config)
		if err != nil {
			return nil, inputf("%v", err)
		}
		key, name, preset, cfg = "config "+q.Preset+" "+q.Config, "preset "+q.Preset+" with the counterexample's knobs", q.Preset, c
	default:
		key, name, preset, cfg = "", "preset "+x.preset, x.preset, x.cfg
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if s, ok := x.setups[key]; ok {
		return s, nil
	}
	m, err := model.New(cfg)
	if err != nil {
		return nil, inputf("%v", err)
	}
	s := &setup{key: key, name: name, preset: preset, cfg: cfg, m: m}
	if len(x.order) >= x.limits.MaxConfigs {
		// Forget the oldest configuration other than the explorer's own.
		for i, k := range x.order {
			if k != "" {
				delete(x.setups, k)
				x.order = slices.Delete(x.order, i, i+1)
				break
			}
		}
	}
	x.setups[key] = s
	x.order = append(x.order, key)
	return s, nil
}

// succ is an enabled transition.
type succ struct {
	a model.Action
	t model.State
}

func successors(m *model.Model, s model.State) []succ {
	var out []succ
	for a, t := range m.Next(s) {
		out = append(out, succ{a, t})
	}
	return out
}

// walk is a query followed through its configuration.
type walk struct {
	setup *setup
	q     Query
	trace []Step // the whole path, forward history included
}

// at is the trace up to the position shown.
func (w *walk) at() []Step { return w.trace[:w.q.At+1] }

// walk follows q's path, checking each action index against the actions
// enabled at that step.
func (x *Explorer) walk(q Query) (*walk, error) {
	if len(q.Path) > x.limits.MaxPath {
		return nil, &limitError{fmt.Sprintf("path: %d steps is over the limit of %d", len(q.Path), x.limits.MaxPath)}
	}
	s, err := x.setupFor(q)
	if err != nil {
		return nil, err
	}
	var inits []model.State
	for i := range s.m.Init() {
		inits = append(inits, i)
	}
	if q.Init >= len(inits) {
		return nil, inputf("init: no initial state #%d (the configuration has %d)", q.Init, len(inits))
	}
	trace := []Step{{State: inits[q.Init]}}
	for k, idx := range q.Path {
		from := trace[len(trace)-1].State
		next := successors(s.m, from)
		if idx >= len(next) {
			return nil, inputf("path: step %d: no action #%d in %s, which has %d enabled action(s)", k+1, idx, from, len(next))
		}
		trace = append(trace, Step{Action: next[idx].a, HasAction: true, State: next[idx].t})
	}
	return &walk{setup: s, q: q, trace: trace}, nil
}

// pathOf turns a trace from an initial state of s into the indexes of its
// actions, matching each step's action by its text and its state.
func pathOf(m *model.Model, trace []Step) (init int, path []int, err error) {
	if len(trace) == 0 {
		return 0, nil, errors.New("empty trace")
	}
	init = -1
	i := 0
	for s := range m.Init() {
		if s == trace[0].State {
			init = i
			break
		}
		i++
	}
	if init < 0 {
		return 0, nil, fmt.Errorf("step 0: %s is not an initial state", trace[0].State)
	}
	for k := 1; k < len(trace); k++ {
		idx := -1
		for j, n := range successors(m, trace[k-1].State) {
			if n.t == trace[k].State && n.a.String() == trace[k].Action.String() {
				idx = j
				break
			}
		}
		if idx < 0 {
			return 0, nil, fmt.Errorf("step %d: %s is not enabled", k, trace[k].Action)
		}
		path = append(path, idx)
	}
	return init, path, nil
}

// figureOf derives Figure 5 for s from its explored states, once.
func (x *Explorer) figureOf(s *setup) (*graphs.EndpointDiagram, bool, error) {
	s.figOnce.Do(func() {
		res, err := checker.Explore(context.Background(), s.m, checker.Options[model.State, model.Action]{
			KeepGraph: true, MaxStates: x.limits.MaxFigureStates, Timeout: requestTimeout, Workers: 1,
		})
		if err != nil {
			s.figErr = err
			return
		}
		s.figure = graphs.Endpoint(res.Graph, s.m)
		s.complete = res.StopReason == ""
		if s.complete {
			s.figure.Title = fmt.Sprintf("RFC 9293 Figure 5 as the model derives it: every transition of the %d states of %s", res.Stats.Distinct, s.name)
		} else {
			s.figure.Title = fmt.Sprintf("RFC 9293 Figure 5 as the model derives it: the transitions of the first %d states of %s (the explorer's limit) and of the path", res.Stats.Distinct, s.name)
		}
	})
	return s.figure, s.complete, s.figErr
}

// figureSVG is Figure 5 for w's configuration. When the figure could not
// cover every state, the arcs of w's path it lacks are added, so that the
// path's arcs are always drawn.
func (x *Explorer) figureSVG(w *walk) ([]byte, error) {
	d, complete, err := x.figureOf(w.setup)
	if err != nil {
		return nil, err
	}
	extra := x.missingArcs(w, d, complete)
	if len(extra.Arcs) == 0 {
		w.setup.svgOnce.Do(func() { w.setup.svg, w.setup.svgErr = renderSVG(d.DOT()) })
		return w.setup.svg, w.setup.svgErr
	}
	merged := &graphs.EndpointDiagram{Title: d.Title, Arcs: slices.Clone(d.Arcs)}
	merged.Merge(extra)
	return renderSVG(merged.DOT())
}

// missingArcs is the endpoint diagram of w's path's transitions that d
// does not draw (none when d is complete).
func (x *Explorer) missingArcs(w *walk, d *graphs.EndpointDiagram, complete bool) *graphs.EndpointDiagram {
	var (
		states []model.State
		edges  []checker.Edge[model.Action]
	)
	if !complete {
		for k := 1; k < len(w.trace); k++ {
			arc, ok := arcOf(w.setup.m, w.trace[k-1].State, w.trace[k].Action, w.trace[k].State)
			if !ok || slices.ContainsFunc(d.Arcs, func(b graphs.Arc) bool { return b.String() == arc.String() }) {
				continue
			}
			states = append(states, w.trace[k-1].State, w.trace[k].State)
			edges = append(edges, checker.Edge[model.Action]{From: len(states) - 2, To: len(states) - 1, Action: w.trace[k].Action})
		}
	}
	return graphs.Endpoint(checker.NewGraph(states, nil, edges), w.setup.m)
}

// figureKey names the Figure 5 w is shown with: the page fetches the
// figure again only when it changes.
func (x *Explorer) figureKey(w *walk) (string, error) {
	d, complete, err := x.figureOf(w.setup)
	if err != nil {
		return "", err
	}
	key := w.setup.key
	for _, a := range x.missingArcs(w, d, complete).Arcs {
		key += "|" + a.String()
	}
	return key, nil
}

// arcOf is the Figure 5 arc a transition takes: the state change of the
// endpoint that acts, labelled as graphs labels it. ok is false for a
// transition that changes no endpoint's state.
func arcOf(m *model.Model, s model.State, a model.Action, t model.State) (graphs.Arc, bool) {
	g := checker.NewGraph([]model.State{s, t}, nil, []checker.Edge[model.Action]{{From: 0, To: 1, Action: a}})
	d := graphs.Endpoint(g, m)
	if len(d.Arcs) != 1 {
		return graphs.Arc{}, false
	}
	return d.Arcs[0], true
}

// renderSVG renders DOT as SVG without the XML prolog, ready to be put
// inline in a page.
func renderSVG(dot []byte) ([]byte, error) {
	svg, err := render.SVG(dot)
	if err != nil {
		return nil, err
	}
	if i := strings.Index(string(svg), "<svg"); i > 0 {
		svg = svg[i:]
	}
	return svg, nil
}

// chartSVG is the message sequence chart of w's path up to its position.
func (x *Explorer) chartSVG(w *walk) ([]byte, error) {
	loop := graphs.NoLoop
	if w.q.Loop >= 0 && w.q.At == len(w.q.Path) {
		loop = w.q.Loop
	}
	trace := w.at()
	// TraceChart cannot draw every step: not a step into an overflowed
	// channel (the model drops the segment and stops), nor some traces
	// where the network's delayed copies are followed out of order. The
	// chart then stops at the longest prefix it can draw, and says so;
	// the other panels show the whole path.
	for n := len(trace); n > 0; n-- {
		if n < len(trace) {
			loop = graphs.NoLoop
		}
		c, err := graphs.TraceChart(w.setup.m, trace[:n], loop)
		if err != nil {
			continue
		}
		// The path so far is no counterexample: its last step is where
		// the explorer stands, unless an invariant fails there.
		c.End = "● here"
		if failed := x.failing(w); len(failed) > 0 {
			c.End = "✗ " + strings.Join(failed, ", ") + " violated"
		}
		if n < len(trace) {
			why := "the chart cannot follow it"
			if trace[n].State.Overflow {
				why = "a channel overflows"
			}
			c.End = fmt.Sprintf("%s; step %d not drawn (%s), the chart stops", c.End, n, why)
		}
		return renderSVG(c.DOT())
	}
	return nil, fmt.Errorf("graphs cannot chart the initial state %s", trace[0].State)
}

// failing lists the invariants that fail at w's position: its state, or
// the step that reached it.
func (x *Explorer) failing(w *walk) []string {
	trace := w.at()
	last := trace[len(trace)-1]
	var out []string
	for _, p := range x.props {
		switch {
		case p.State != nil && !p.State(&last.State),
			p.Step != nil && last.HasAction && !p.Step(&trace[len(trace)-2].State, last.Action, &last.State):
			out = append(out, p.ID)
		}
	}
	return out
}
