package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/properties"
)

// report is the outcome of a check, in the shape of its JSON document
// (docs/json.md); the text report is written from the same fields.
type report struct {
	Result               string           `json:"result"`
	Model                string           `json:"model"`
	Preset               string           `json:"preset"`
	Config               string           `json:"config"`
	States               int              `json:"states"`
	Generated            int              `json:"generated"`
	Depth                int              `json:"depth"`
	Seconds              float64          `json:"seconds"`
	StatesPerSecond      float64          `json:"states_per_second"`
	Store                string           `json:"store"`
	Workers              int              `json:"workers"`
	StoreBytesPerState   float64          `json:"store_bytes_per_state"`
	BytesPerState        float64          `json:"bytes_per_state"`
	MaxMemory            int64            `json:"max_memory,omitempty"`
	CollisionProbability float64          `json:"collision_probability,omitempty"`
	StopReason           string           `json:"stop_reason,omitempty"`
	Properties           []propertyStatus `json:"properties"`
	Violations           []violation      `json:"violations"`
}

type propertyStatus struct {
	ID          string   `json:"id"`
	Kind        string   `json:"kind"`
	Status      string   `json:"status"`
	Description string   `json:"description"`
	Source      string   `json:"source"`
	Fairness    []string `json:"fairness,omitempty"`
	Vacuous     bool     `json:"vacuous,omitempty"`
	Note        string   `json:"note,omitempty"`
}

type violation struct {
	Property string      `json:"property"`
	Kind     string      `json:"kind"`
	Why      string      `json:"why"`
	Trace    []traceStep `json:"trace"`
	// LoopStart is set for a lasso (a temporal counterexample): the
	// behaviour returns to this step after the last and repeats forever.
	LoopStart *int `json:"loop_start,omitempty"`
	// Stutter: the lasso ends stopped at its last step for ever.
	Stutter bool `json:"stutter,omitempty"`
}

type traceStep struct {
	Step     int      `json:"step"`
	Action   string   `json:"action,omitempty"`
	State    string   `json:"state"`
	A        string   `json:"a"`
	B        string   `json:"b"`
	InFlight []string `json:"in_flight"`
}

func newReport[S comparable, A any](t target[S, A], f *checkFlags, props []properties.Property[S, A]) *report {
	r := &report{Model: t.model, Preset: t.preset, Config: t.config, Store: f.store, Workers: f.workers, Violations: []violation{}}
	for _, p := range props {
		r.Properties = append(r.Properties, propertyStatus{ID: p.ID, Kind: p.Kind.String(), Status: "unknown", Description: p.Description, Source: p.Source})
	}
	return r
}

// fillReport records the result of the search. all says whether the
// search went on after its first violation.
func fillReport[S comparable, A any](r *report, res *checker.Result[S, A], props []properties.Property[S, A], t target[S, A], all bool) {
	r.States, r.Generated, r.Depth = res.Stats.Distinct, res.Stats.Generated, res.Stats.Depth
	r.Seconds = res.Stats.Elapsed.Seconds()
	r.StatesPerSecond = res.Stats.StatesPerSecond()
	r.CollisionProbability = res.CollisionProbability
	r.StopReason = res.StopReason
	if res.Stats.Distinct > 0 {
		r.StoreBytesPerState = float64(res.Stats.StoreBytes) / float64(res.Stats.Distinct)
		r.BytesPerState = float64(res.Stats.SearchBytes) / float64(res.Stats.Distinct)
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
		p, ok := properties.Find(props, v.Name)
		if !ok {
			continue
		}
		violated[p.ID] = true
		r.Violations = append(r.Violations, renderViolation(p, v, t))
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

// renderTrace turns a trace into report steps.
func renderTrace[S comparable, A any](trace []checker.Step[S, A], t target[S, A]) []traceStep {
	var out []traceStep
	for i, st := range trace {
		c := t.columns(st.State)
		ts := traceStep{Step: i, State: fmt.Sprint(st.State), A: c.A, B: c.B, InFlight: c.InFlight}
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

// fillTemporal records the temporal verdicts.
func fillTemporal[S comparable, A any](r *report, outcomes []properties.TemporalOutcome[S, A], t target[S, A]) {
	for _, o := range outcomes {
		for i := range r.Properties {
			ps := &r.Properties[i]
			if ps.ID != o.Property.ID {
				continue
			}
			ps.Status, ps.Fairness, ps.Vacuous, ps.Note = o.Status, o.Fairness, o.Vacuous, o.Unknown
		}
		if o.Status == "unknown" && r.Result == "ok" {
			r.Result = "incomplete" // a property not decided does not hold yet
		}
		if o.Lasso != nil {
			loop := o.Lasso.LoopStart
			r.Violations = append(r.Violations, violation{
				Property: o.Property.ID, Kind: o.Property.Kind.String(), Why: o.Why,
				Trace: renderTrace(o.Lasso.Trace, t), LoopStart: &loop, Stutter: o.Lasso.Stutter,
			})
			r.Result = "violation"
		}
	}
}

func renderViolation[S comparable, A any](p properties.Property[S, A], v checker.Violation[S, A], t target[S, A]) violation {
	out := violation{Property: p.ID, Kind: p.Kind.String(), Trace: renderTrace(v.Trace, t), Why: p.WhyAt(v.Trace)}
	return out
}

func (r *report) header(w io.Writer) {
	fmt.Fprintf(w, "tcpcheck check: model %s, preset %s\n", r.Model, r.Preset)
	fmt.Fprintf(w, "config: %s\n", r.Config)
	var ids []string
	for _, p := range r.Properties {
		ids = append(ids, p.ID)
	}
	fmt.Fprintf(w, "properties: %s\n\n", strings.Join(ids, ", "))
}

func (r *report) writeText(w io.Writer) {
	for _, v := range r.Violations {
		writeViolation(w, v)
	}
	fmt.Fprintf(w, "explored %d distinct states (%d generated), depth %d, in %.2fs (%.0f states/s)\n",
		r.States, r.Generated, r.Depth, r.Seconds, r.StatesPerSecond)
	perState := ""
	if r.States >= 100_000 { // below, the store's fixed-size chunks dominate
		perState = fmt.Sprintf(", %.1f bytes per state (%.1f in all the search holds)", r.StoreBytesPerState, r.BytesPerState)
	}
	fmt.Fprintf(w, "store: %s%s; %d worker(s)\n", r.Store, perState, r.Workers)
	if r.Store == "fingerprint" {
		fmt.Fprintf(w, "fingerprint store: probability that a collision hid a state ≈ %.3g\n", r.CollisionProbability)
	}
	if r.StopReason != "" {
		fmt.Fprintf(w, "search stopped early: %s\n", stopReasonText(r.StopReason))
		if r.StopReason == checker.StopMaxMemory {
			fmt.Fprintf(w, "memory limit: %s; the search held %s when it stopped\n", bytesText(uint64(r.MaxMemory)), bytesText(uint64(r.BytesPerState*float64(r.States))))
		}
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  PROPERTY\tKIND\tSTATUS\n")
	for _, p := range r.Properties {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.ID, p.Kind, p.Status)
	}
	tw.Flush()
	for _, p := range r.Properties {
		if len(p.Fairness) > 0 {
			fmt.Fprintf(w, "\n%s assumes fairness: %s\n", p.ID, strings.Join(p.Fairness, ", "))
			break // the catalogue's temporal properties share one declaration
		}
	}
	for _, p := range r.Properties {
		switch {
		case p.Vacuous:
			fmt.Fprintf(w, "warning: %s holds vacuously: no reachable state satisfies its premise\n", p.ID)
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

// writeViolation prints a counterexample as a numbered step table with the
// violating state marked, and the sentence that says why.
func writeViolation(w io.Writer, v violation) {
	fmt.Fprintf(w, "VIOLATION %s (%s): %s\n", v.Property, v.Kind, v.Why)
	switch {
	case v.LoopStart != nil && v.Stutter:
		fmt.Fprintf(w, "counterexample (a behaviour that stops for ever at its last step), %d step(s):\n\n", len(v.Trace)-1)
	case v.LoopStart != nil:
		fmt.Fprintf(w, "counterexample (a lasso: a prefix, then a loop repeated forever), %d step(s):\n\n", len(v.Trace)-1)
	default:
		fmt.Fprintf(w, "shortest counterexample, %d step(s):\n\n", len(v.Trace)-1)
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

func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // segments read <SEQ=...>, not \u003cSEQ=...\u003e
	return enc.Encode(r)
}

// progressLine is the live progress line on a terminal's stderr.
type progressLine struct {
	w io.Writer
}

// newProgressLine returns nil unless w is a terminal.
func newProgressLine(w io.Writer) *progressLine {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &progressLine{w: w}
}

func (p *progressLine) update(s checker.Stats) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(p.w, "\r\033[K%d states, depth %d, frontier %d, %.0f states/s, %s in use, %s",
		s.Distinct, s.Depth, s.Frontier, s.StatesPerSecond(), bytesText(ms.HeapAlloc), s.Elapsed.Round(time.Second))
}

func (p *progressLine) clear() {
	if p != nil {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func bytesText(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
}
