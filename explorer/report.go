package explorer

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tcpcheck/tcpcheck/model"
)

// checkReport is the part of a check --json document (docs/json.md) a
// counterexample is replayed from.
type checkReport struct {
	Result *string `json:"result"`
	Model  string  `json:"model"`
	Preset string  `json:"preset"`
	// Config is the configuration as an object, one member per knob;
	// ConfigLine the same on one line. (Documents written before the
	// object have the line in Config.)
	Config     json.RawMessage `json:"config"`
	ConfigLine string          `json:"config_line"`
	Violations []struct {
		Property  string `json:"property"`
		Kind      string `json:"kind"`
		Why       string `json:"why"`
		LoopStart *int   `json:"loop_start"`
		Stutter   bool   `json:"stutter"`
		Trace     []struct {
			Step   int    `json:"step"`
			Action string `json:"action"`
			State  string `json:"state"`
		} `json:"trace"`
	} `json:"violations"`
}

// Loaded is a counterexample read from check --json, replayed.
type Loaded struct {
	// Query is the counterexample's place: its configuration, its path,
	// and the position 0, so that the page steps forward to the
	// violation.
	Query    Query  `json:"-"`
	URL      string `json:"query"`
	Property string `json:"property"`
	Kind     string `json:"kind"`
	Why      string `json:"why"`
	Steps    int    `json:"steps"`
	// Violations is how many the document holds; Index the one loaded.
	Violations int `json:"violations"`
	Index      int `json:"index"`
}

// LoadReport reads a check --json document from r (at most
// Limits.MaxBody bytes) and replays its violation number index (0: the
// first) on the configuration it names. Every step's action and state
// must be the model's own: a trace edited, cut or made by another model
// version is refused with the first step that does not replay.
func (x *Explorer) LoadReport(r io.Reader, index int) (*Loaded, error) {
	body, err := io.ReadAll(io.LimitReader(r, x.limits.MaxBody+1))
	if err != nil {
		return nil, inputf("counterexample: %v", err)
	}
	if int64(len(body)) > x.limits.MaxBody {
		return nil, &limitError{fmt.Sprintf("counterexample: the document is over the limit of %d bytes", x.limits.MaxBody)}
	}
	var rep checkReport
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if err := dec.Decode(&rep); err != nil {
		return nil, inputf("counterexample: not a check --json document: %v", err)
	}
	var knobs struct {
		ISNStep  *uint32 `json:"isn_step"`
		RcvWnd   *uint32 `json:"rcv_wnd"`
		Spurious *bool   `json:"spurious_retransmit"`
	}
	if len(rep.Config) > 0 && rep.Config[0] == '"' {
		if err := json.Unmarshal(rep.Config, &rep.ConfigLine); err != nil {
			return nil, inputf("counterexample: config: %v", err)
		}
	} else if len(rep.Config) > 0 && rep.Model == "segment" {
		if err := json.Unmarshal(rep.Config, &knobs); err != nil {
			return nil, inputf("counterexample: config: %v", err)
		}
	}
	if rep.Result == nil || rep.ConfigLine == "" {
		return nil, inputf("counterexample: not a check --json document: no result or config_line field")
	}
	switch {
	case rep.Model != "segment":
		return nil, inputf("counterexample: the explorer steps the segment model; this document is of model %q", rep.Model)
	case len(rep.Violations) == 0:
		return nil, inputf("counterexample: the document holds no violation (result %q)", *rep.Result)
	case index < 0 || index >= len(rep.Violations):
		return nil, inputf("counterexample: no violation #%d (the document holds %d)", index, len(rep.Violations))
	}
	v := rep.Violations[index]
	if len(v.Trace) == 0 {
		return nil, inputf("counterexample: violation of %s has an empty trace", v.Property)
	}
	if len(v.Trace)-1 > x.limits.MaxPath {
		return nil, &limitError{fmt.Sprintf("counterexample: %d steps is over the limit of %d", len(v.Trace)-1, x.limits.MaxPath)}
	}
	q := Query{Preset: rep.Preset, Config: rep.ConfigLine, Loop: -1}
	s, err := x.setupFor(q)
	if err != nil {
		return nil, err
	}
	// The line, which the URL carries, leaves out three knobs: they must
	// be the ones the rebuilt configuration has.
	for _, k := range []struct {
		flag      string
		doc, here any
		given     bool
	}{
		{"--isn-step", deref(knobs.ISNStep), s.cfg.ISNStep, knobs.ISNStep != nil},
		{"--rcv-wnd", deref(knobs.RcvWnd), s.cfg.RcvWnd, knobs.RcvWnd != nil},
		{"--spurious-retransmit", deref(knobs.Spurious), s.cfg.SpuriousRetransmit, knobs.Spurious != nil},
	} {
		if k.given && k.doc != k.here {
			return nil, inputf("counterexample: it was found with %s %v, which its configuration line does not carry (here: %v): start tcpcheck explore with the flags check ran with", k.flag, k.doc, k.here)
		}
	}
	if s.key == "" {
		q.Preset, q.Config = "", "" // the explorer's own configuration
	}
	// Replay by text: at each step the one enabled action that prints as
	// the trace's and leads to the state that prints as the trace's.
	var inits []model.State
	for st := range s.m.Init() {
		inits = append(inits, st)
	}
	q.Init = -1
	for i, st := range inits {
		if st.String() == v.Trace[0].State {
			q.Init = i
			break
		}
	}
	if q.Init < 0 {
		return nil, inputf("counterexample: step 0: %q is not an initial state of %s", v.Trace[0].State, rep.ConfigLine)
	}
	// Summaries leave out what the protocol hides (ghosts, timers): two
	// transitions may print alike, so the replay backtracks, within a
	// bounded number of tries.
	budget := 100_000
	var deepest int
	var follow func(k int, cur model.State) bool
	follow = func(k int, cur model.State) bool {
		if k == len(v.Trace) {
			return true
		}
		deepest = max(deepest, k)
		want := v.Trace[k]
		for j, n := range successors(s.m, cur) {
			if budget--; budget < 0 {
				return false
			}
			if n.a.String() == want.Action && n.t.String() == want.State {
				q.Path = append(q.Path, j)
				if follow(k+1, n.t) {
					return true
				}
				q.Path = q.Path[:len(q.Path)-1]
			}
		}
		return false
	}
	if !follow(1, inits[q.Init]) {
		if budget < 0 {
			return nil, &limitError{"counterexample: the replay passed its limit of tries"}
		}
		want := v.Trace[deepest]
		return nil, inputf("counterexample: step %d: %q leading to %q is not a transition of the model from the step before", deepest, want.Action, want.State)
	}
	if v.LoopStart != nil {
		if *v.LoopStart < 0 || *v.LoopStart >= len(v.Trace) {
			return nil, inputf("counterexample: loop_start %d is outside the trace", *v.LoopStart)
		}
		q.Loop = *v.LoopStart
	}
	return &Loaded{Query: q, URL: q.Values().Encode(), Property: v.Property, Kind: v.Kind, Why: v.Why,
		Steps: len(q.Path), Violations: len(rep.Violations), Index: index}, nil
}

// deref is *p, or nil.
func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
