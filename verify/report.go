package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/properties"
)

// Report is the outcome of a check, in the shape of its JSON document
// (docs/json.md); the text report is written from the same fields.
type Report struct {
	Result string `json:"result"`
	Model  string `json:"model"`
	Preset string `json:"preset"`
	// Config is the configuration as an object, one member per knob;
	// ConfigLine the same on one line, as the text report prints it.
	Config     any    `json:"config"`
	ConfigLine string `json:"config_line"`
	// Search is "bfs" (each invariant's counterexample is a shortest
	// one) or "dfs" (valid, not always shortest).
	Search             string  `json:"search"`
	States             int     `json:"states"`
	Generated          int     `json:"generated"`
	Depth              int     `json:"depth"`
	Seconds            float64 `json:"seconds"`
	StatesPerSecond    float64 `json:"states_per_second"`
	Store              string  `json:"store"`
	Workers            int     `json:"workers"`
	StoreBytesPerState float64 `json:"store_bytes_per_state"`
	// BytesPerState is the most the check held at once, per state: the
	// search (SearchBytesPerState) or, if more, the liveness analysis
	// after it, with the store and the graph it reads.
	BytesPerState        float64 `json:"bytes_per_state"`
	SearchBytesPerState  float64 `json:"search_bytes_per_state"`
	MaxMemory            int64   `json:"max_memory,omitempty"`
	CollisionProbability float64 `json:"collision_probability,omitempty"`
	// PackedPathLeft: a state met had no packed form (the model's
	// numbering of segments and endpoints ran out), and the search ran
	// again from the start without the fast path (checker.Packer).
	PackedPathLeft bool             `json:"packed_path_left,omitempty"`
	StopReason     string           `json:"stop_reason,omitempty"`
	Properties     []PropertyStatus `json:"properties"`
	Violations     []Violation      `json:"violations"`
	// Coverage is what the search exercised: transitions per action
	// kind, per arc of Figure 5 and per rule; nil (absent) when not
	// counted (Options.NoCoverage).
	Coverage *Coverage `json:"coverage,omitempty"`

	// coverageTable prints the whole coverage table in the text report,
	// not only its summary line (Options.CoverageTable).
	coverageTable bool
}

// PropertyStatus is the verdict of one property: "holds", "violated" or
// "unknown".
type PropertyStatus struct {
	ID          string   `json:"id"`
	Kind        string   `json:"kind"`
	Status      string   `json:"status"`
	Description string   `json:"description"`
	Source      string   `json:"source"`
	Fairness    []string `json:"fairness,omitempty"`
	// Vacuous: the property holds only because the search never reached
	// its premise; Status is then "vacuous", never a plain "holds".
	Vacuous bool   `json:"vacuous,omitempty"`
	Note    string `json:"note,omitempty"`
	// Premises are how often the search reached each premise of an
	// invariant (the states or transitions where it says something);
	// Unreached names those never reached.
	Premises  []properties.PremiseHits `json:"premises,omitempty"`
	Unreached []string                 `json:"unreached_premises,omitempty"`
}

// Violation is a property's counterexample, as the report shows it.
type Violation struct {
	Property string      `json:"property"`
	Kind     string      `json:"kind"`
	Why      string      `json:"why"`
	Trace    []TraceStep `json:"trace"`
	// LoopStart is set for a lasso (a temporal counterexample): the
	// behaviour returns to this step after the last and repeats forever.
	LoopStart *int `json:"loop_start,omitempty"`
	// Stutter: the lasso ends stopped at its last step for ever.
	Stutter bool `json:"stutter,omitempty"`
	// Shortest: no shorter trace violates the property (an invariant's
	// counterexample found breadth first).
	Shortest bool `json:"shortest"`
}

// TraceStep is one step of a counterexample: the action that led to it
// (none for the initial state) and the state reached.
type TraceStep struct {
	Step     int      `json:"step"`
	Action   string   `json:"action,omitempty"`
	State    string   `json:"state"`
	A        string   `json:"a"`
	B        string   `json:"b"`
	InFlight []string `json:"in_flight"`
}

func newReport[S comparable, A any](m *Model[S, A], props []properties.Property[S, A], store checker.StoreKind, workers int, strategy checker.Strategy) *Report {
	r := &Report{Model: m.Name, Preset: m.Preset, Config: m.Settings, ConfigLine: m.Config, Search: "bfs", Store: storeName(store), Workers: workers, Violations: []Violation{}}
	if strategy == checker.DFS {
		r.Search = "dfs"
	}
	for _, p := range props {
		r.Properties = append(r.Properties, PropertyStatus{ID: p.ID, Kind: p.Kind.String(), Status: "unknown", Description: p.Description, Source: p.Source})
	}
	return r
}

func storeName(k checker.StoreKind) string {
	if k == checker.FingerprintStore {
		return "fingerprint"
	}
	return "exact"
}

// fill records the result of the search. all says whether the search
// went on after its first violation.
func (x *Result[S, A]) fill(all bool) {
	r, res := x.Report, x.Search
	r.States, r.Generated, r.Depth = res.Stats.Distinct, res.Stats.Generated, res.Stats.Depth
	r.Seconds = res.Stats.Elapsed.Seconds()
	r.StatesPerSecond = res.Stats.StatesPerSecond()
	r.CollisionProbability = res.CollisionProbability
	r.PackedPathLeft = res.PackedPathLeft
	r.StopReason = res.StopReason
	if res.Stats.Distinct > 0 {
		r.StoreBytesPerState = float64(res.Stats.StoreBytes) / float64(res.Stats.Distinct)
		r.SearchBytesPerState = float64(res.Stats.SearchBytes) / float64(res.Stats.Distinct)
		r.BytesPerState = r.SearchBytesPerState
	}
	switch res.Verdict {
	case checker.Holds:
		r.Result = "ok"
	case checker.Violated:
		r.Result = "violation"
	default:
		r.Result = "incomplete"
	}
	violated := map[string]bool{}
	for _, v := range res.Violations {
		p, ok := properties.Find(x.props, v.Name)
		if !ok {
			continue
		}
		violated[p.ID] = true
		r.Violations = append(r.Violations, Violation{Property: p.ID, Kind: p.Kind.String(), Trace: renderTrace(v.Trace, x.model), Why: p.WhyAt(v.Trace), Shortest: r.Search == "bfs"})
	}
	for i := range r.Properties {
		ps := &r.Properties[i]
		switch {
		case violated[ps.ID]:
			ps.Status = "violated"
		case ps.Kind == properties.Temporal.String():
			ps.Status = "unknown"
		case res.Verdict == checker.Holds,
			res.Verdict == checker.Violated && all && res.StopReason == "":
			ps.Status = "holds"
		default:
			// The search stopped early (a limit, or the first violation):
			// the property held on what it saw, no more.
			ps.Status = "unknown"
		}
	}
}

// fillVacuity records how often each invariant's premises were reached,
// and marks vacuous an invariant that holds without reaching any.
func (x *Result[S, A]) fillVacuity(v *properties.Vacuity) {
	for i := range x.Report.Properties {
		ps := &x.Report.Properties[i]
		ps.Premises, ps.Unreached = v.Hits(ps.ID), v.Unreached(ps.ID)
		if ps.Status == "holds" && v.Vacuous(ps.ID) {
			ps.Status, ps.Vacuous = "vacuous", true
		}
	}
}

// renderTrace turns a trace into report steps.
func renderTrace[S comparable, A any](trace []checker.Step[S, A], m *Model[S, A]) []TraceStep {
	var out []TraceStep
	for i, st := range trace {
		c := m.columns(st.State)
		ts := TraceStep{Step: i, State: fmt.Sprint(st.State), A: c.A, B: c.B, InFlight: c.InFlight}
		if ts.InFlight == nil {
			ts.InFlight = []string{}
		}
		if st.HasAction {
			ts.Action = fmt.Sprint(st.Action)
		}
		out = append(out, ts)
	}
	return out
}

// addAnalysis counts in BytesPerState the liveness analysis that
// followed the search, which held besides the store and the graph
// (checker.Stats.GraphBytes) what properties.CheckTemporal says.
func (r *Report) addAnalysis(st checker.Stats, held int64) {
	if held > 0 && st.Distinct > 0 {
		r.BytesPerState = max(r.BytesPerState, float64(st.StoreBytes+st.GraphBytes+held)/float64(st.Distinct))
	}
}

// fillTemporal records the temporal verdicts.
func (x *Result[S, A]) fillTemporal() {
	r := x.Report
	for _, o := range x.Temporal {
		for i := range r.Properties {
			ps := &r.Properties[i]
			if ps.ID != o.Property.ID {
				continue
			}
			ps.Status, ps.Fairness, ps.Vacuous, ps.Note = o.Status, o.Fairness, o.Vacuous, o.Unknown
			if ps.Vacuous {
				ps.Status = "vacuous"
			}
		}
		if o.Status == "unknown" && r.Result == "ok" {
			r.Result = "incomplete" // a property not decided does not hold yet
		}
		if o.Lasso != nil {
			loop := o.Lasso.LoopStart
			r.Violations = append(r.Violations, Violation{
				Property: o.Property.ID, Kind: o.Property.Kind.String(), Why: o.Why,
				Trace: renderTrace(o.Lasso.Trace, x.model), LoopStart: &loop, Stutter: o.Lasso.Stutter,
			})
			r.Result = "violation"
		}
	}
}

// WriteHeader writes the header tcpcheck check prints before it searches:
// the model, the configuration and the properties checked (the same as
// Check.WriteHeader, from the report).
func (r *Report) WriteHeader(w io.Writer) {
	var ids []string
	for _, p := range r.Properties {
		ids = append(ids, p.ID)
	}
	writeHeader(w, r.Model, r.Preset, r.ConfigLine, strings.Join(ids, ", "))
}

// WriteText writes the report as tcpcheck check prints it after its
// header: the counterexamples, the figures of the search, the table of
// properties and the result. WriteHeader then WriteText is the whole
// text report.
func (r *Report) WriteText(w io.Writer) {
	for _, v := range r.Violations {
		v.WriteText(w)
	}
	fmt.Fprintf(w, "explored %d distinct states (%d generated), depth %d, in %.2fs (%.0f states/s)\n",
		r.States, r.Generated, r.Depth, r.Seconds, r.StatesPerSecond)
	perState := ""
	if r.States >= 100_000 { // below, the store's fixed-size chunks dominate
		perState = fmt.Sprintf(", %.1f bytes per state (%.1f in all the search holds", r.StoreBytesPerState, r.SearchBytesPerState)
		if r.BytesPerState > r.SearchBytesPerState {
			perState += fmt.Sprintf(", %.1f with the liveness analysis after it", r.BytesPerState)
		}
		perState += ")"
	}
	fmt.Fprintf(w, "store: %s%s; %d worker(s)\n", r.Store, perState, r.Workers)
	if r.Store == "fingerprint" {
		fmt.Fprintf(w, "fingerprint store: probability that a collision hid a state ≈ %.3g\n", r.CollisionProbability)
	}
	if r.PackedPathLeft {
		fmt.Fprintln(w, "fast path left: a state had no packed form, so the search ran again on the model's Next (same result, slower)")
	}
	if r.StopReason != "" {
		fmt.Fprintf(w, "search stopped early: %s\n", stopReasonText(r.StopReason))
		if r.StopReason == checker.StopMaxMemory {
			fmt.Fprintf(w, "memory limit: %s; the search held %s when it stopped\n", bytesText(uint64(r.MaxMemory)), bytesText(uint64(r.SearchBytesPerState*float64(r.States))))
		}
	}
	r.Coverage.write(w, r.coverageTable)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  PROPERTY\tKIND\tSTATUS\n")
	for _, p := range r.Properties {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.ID, p.Kind, p.Status)
	}
	tw.Flush()
	// One line per fairness declaration, naming every property that
	// assumes it: the catalogue's temporal properties share one.
	var fairness []string
	assume := map[string][]string{}
	for _, p := range r.Properties {
		if len(p.Fairness) == 0 {
			continue
		}
		f := strings.Join(p.Fairness, ", ")
		if assume[f] == nil {
			fairness = append(fairness, f)
		}
		assume[f] = append(assume[f], p.ID)
	}
	for _, f := range fairness {
		verb := "assumes"
		if len(assume[f]) > 1 {
			verb = "assume"
		}
		fmt.Fprintf(w, "\n%s %s fairness: %s\n", strings.Join(assume[f], ", "), verb, f)
	}
	for _, p := range r.Properties {
		switch {
		case p.Vacuous && len(p.Unreached) > 0:
			fmt.Fprintf(w, "warning: %s holds vacuously: the search never reached its premise (%s)\n", p.ID, strings.Join(p.Unreached, "; "))
		case p.Vacuous:
			fmt.Fprintf(w, "warning: %s holds vacuously: no reachable state satisfies its premise\n", p.ID)
		case p.Status == "holds" && len(p.Unreached) > 0:
			fmt.Fprintf(w, "note: %s: part of its premise was never reached: %s\n", p.ID, strings.Join(p.Unreached, "; "))
		case p.Note != "":
			fmt.Fprintf(w, "note: %s is unknown: %s (--no-temporal skips it)\n", p.ID, p.Note)
		}
	}
	fmt.Fprintf(w, "\nresult: %s\n", r.Result)
}

func stopReasonText(reason string) string {
	switch reason {
	case checker.StopMaxStates:
		return "--max-states reached"
	case checker.StopMaxDepth:
		return "--max-depth reached"
	case checker.StopTimeout:
		return "--timeout reached"
	case checker.StopCanceled:
		return "interrupted"
	case checker.StopMaxMemory:
		return "--max-memory reached"
	}
	return reason
}

// WriteText prints the counterexample as a numbered step table with the
// violating state marked, and the sentence that says why.
func (v Violation) WriteText(w io.Writer) {
	fmt.Fprintf(w, "VIOLATION %s (%s): %s\n", v.Property, v.Kind, v.Why)
	switch {
	case v.LoopStart != nil && v.Stutter:
		fmt.Fprintf(w, "counterexample (a behaviour that stops for ever at its last step), %d step(s):\n\n", len(v.Trace)-1)
	case v.LoopStart != nil:
		fmt.Fprintf(w, "counterexample (a lasso: a prefix, then a loop repeated forever), %d step(s):\n\n", len(v.Trace)-1)
	case v.Shortest:
		fmt.Fprintf(w, "shortest counterexample, %d step(s):\n\n", len(v.Trace)-1)
	default:
		fmt.Fprintf(w, "counterexample found depth first (a breadth-first search may find a shorter one), %d step(s):\n\n", len(v.Trace)-1)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "   STEP\tACTION\tA\tB\tIN FLIGHT\n")
	for i, s := range v.Trace {
		mark := "  "
		switch {
		case v.LoopStart != nil && i == *v.LoopStart && v.Stutter:
			mark = "=="
		case v.LoopStart != nil && i == *v.LoopStart:
			mark = "->"
		case v.LoopStart != nil && i == len(v.Trace)-1:
			mark = "<-"
		case v.LoopStart == nil && i == len(v.Trace)-1:
			mark = "=>"
		}
		action := s.Action
		if i == 0 {
			action = "(initial state)"
		}
		inflight := strings.Join(s.InFlight, " ")
		if inflight == "" {
			inflight = "-"
		}
		fmt.Fprintf(tw, "%s %4d\t%s\t%s\t%s\t%s\n", mark, i, action, s.A, s.B, inflight)
	}
	tw.Flush()
	switch {
	case v.LoopStart != nil && v.Stutter:
		fmt.Fprintf(w, "== the behaviour stays at step %d forever: no fair action is enabled there\n", *v.LoopStart)
	case v.LoopStart != nil:
		fmt.Fprintf(w, "-> <- after step %d the behaviour is back at step %d and repeats steps %d to %d forever\n", len(v.Trace)-1, *v.LoopStart, *v.LoopStart+1, len(v.Trace)-1)
	}
	fmt.Fprintln(w)
}

// WriteJSON writes the report as one JSON document (docs/json.md).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // segments read <SEQ=...>, not \u003cSEQ=...\u003e
	return enc.Encode(r)
}
