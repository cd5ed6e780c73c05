package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Suite is one check run on several presets — what tcpcheck check
// --preset all prints: each preset's report, then a table of them and
// the result of the whole.
type Suite struct {
	// Result is "violation" if any run found one, else "incomplete" if
	// any stopped early or left a property undecided, else "ok".
	Result  string    `json:"result"`
	Reports []*Report `json:"presets"`
}

// Add records the report of one preset's run.
func (s *Suite) Add(r *Report) {
	s.Reports = append(s.Reports, r)
	switch {
	case r.Result == "violation" || s.Result == "violation":
		s.Result = "violation"
	case r.Result == "incomplete" || s.Result == "incomplete":
		s.Result = "incomplete"
	default:
		s.Result = "ok"
	}
}

// WriteSummary writes the table of the runs — preset, states, seconds,
// the properties violated, how many held only vacuously — the properties
// vacuous on every preset, and the result of the whole.
func (s *Suite) WriteSummary(w io.Writer) {
	fmt.Fprintf(w, "\n== summary of %d preset(s)\n\n", len(s.Reports))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  PRESET\tSTATES\tSECONDS\tVIOLATED\tVACUOUS\tRESULT\n")
	var states int
	var seconds float64
	for _, r := range s.Reports {
		var violated, vacuous []string
		for _, p := range r.Properties {
			switch p.Status {
			case "violated":
				violated = append(violated, p.ID)
			case "vacuous":
				vacuous = append(vacuous, p.ID)
			}
		}
		fmt.Fprintf(tw, "  %s\t%d\t%.2f\t%s\t%d\t%s\n", r.Preset, r.States, r.Seconds, list(violated), len(vacuous), r.Result)
		states += r.States
		seconds += r.Seconds
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d states in %.2fs; vacuous on every preset: %s\n", states, seconds, list(s.VacuousEverywhere()))
	fmt.Fprintf(w, "\nresult: %s\n", s.Result)
}

// VacuousEverywhere names the properties vacuous (or never checked) on
// every run that checked them: what the suite as a whole says nothing
// about. WriteSummary prints them ("-" when there are none).
func (s *Suite) VacuousEverywhere() []string {
	var order []string
	vacuous := map[string]bool{}
	for _, r := range s.Reports {
		for _, p := range r.Properties {
			v, seen := vacuous[p.ID]
			if !seen {
				order = append(order, p.ID)
				v = true
			}
			vacuous[p.ID] = v && p.Status == "vacuous"
		}
	}
	var out []string
	for _, id := range order {
		if vacuous[id] {
			out = append(out, id)
		}
	}
	return out
}

// WriteJSON writes the suite as one JSON document: the result and each
// preset's report (docs/json.md).
func (s *Suite) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(s)
}

func list(ids []string) string {
	if len(ids) == 0 {
		return "-"
	}
	return strings.Join(ids, ", ")
}
