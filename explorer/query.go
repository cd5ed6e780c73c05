package explorer

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Query is a place in the model, as a page's URL encodes it.
type Query struct {
	// Scenario names a seed scenario whose configuration is explored
	// (Scenarios); "" for another configuration.
	Scenario string
	// Preset and Config are a loaded counterexample's configuration: the
	// preset it started from and its one-line summary (model.Config's
	// String, the "config" of check --json). Both "" for the explorer's
	// own configuration.
	Preset, Config string
	// Init is the index of the initial state, in the order the model
	// yields them.
	Init int
	// Path is the action taken at each step, as its index among the
	// actions enabled in the state before, in the model's order.
	Path []int
	// At is the position shown: 0 is the initial state, len(Path) the
	// end of the path. Steps after At are the "forward" history.
	At int
	// Loop marks a lasso's loop start (a temporal counterexample), or -1.
	Loop int
}

// ParseQuery reads a Query from a URL's query parameters: scenario,
// preset, config, init, path (action indexes joined by '.'), at (default:
// the end of the path) and loop. maxPath bounds the path's length.
func ParseQuery(v url.Values, maxPath int) (Query, error) {
	q := Query{Scenario: v.Get("scenario"), Preset: v.Get("preset"), Config: v.Get("config"), Loop: -1}
	if q.Scenario != "" && (q.Preset != "" || q.Config != "") {
		return q, fmt.Errorf("query: scenario and config are exclusive")
	}
	if (q.Preset == "") != (q.Config == "") {
		return q, fmt.Errorf("query: preset and config go together")
	}
	var err error
	if q.Init, err = index(v, "init", 0); err != nil {
		return q, err
	}
	if p := v.Get("path"); p != "" {
		fields := strings.Split(p, ".")
		if len(fields) > maxPath {
			return q, fmt.Errorf("path: %d steps is over the limit of %d", len(fields), maxPath)
		}
		for i, f := range fields {
			n, err := strconv.Atoi(f)
			if err != nil || n < 0 || n > 1<<16 {
				return q, fmt.Errorf("path: step %d: %q is not an action index", i+1, f)
			}
			q.Path = append(q.Path, n)
		}
	}
	if q.At, err = index(v, "at", len(q.Path)); err != nil {
		return q, err
	}
	if q.At > len(q.Path) {
		return q, fmt.Errorf("at: step %d is past the end of the path (%d steps)", q.At, len(q.Path))
	}
	if v.Get("loop") != "" {
		if q.Loop, err = index(v, "loop", -1); err != nil {
			return q, err
		}
		if q.Loop > len(q.Path) {
			return q, fmt.Errorf("loop: step %d is past the end of the path (%d steps)", q.Loop, len(q.Path))
		}
	}
	return q, nil
}

func index(v url.Values, name string, def int) (int, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1<<16 {
		return 0, fmt.Errorf("%s: %q is not a step number", name, s)
	}
	return n, nil
}

// Values is q as URL query parameters, the inverse of ParseQuery.
func (q Query) Values() url.Values {
	v := url.Values{}
	if q.Scenario != "" {
		v.Set("scenario", q.Scenario)
	}
	if q.Config != "" {
		v.Set("preset", q.Preset)
		v.Set("config", q.Config)
	}
	if q.Init != 0 {
		v.Set("init", strconv.Itoa(q.Init))
	}
	if len(q.Path) > 0 {
		v.Set("path", q.PathString())
	}
	if q.At != len(q.Path) {
		v.Set("at", strconv.Itoa(q.At))
	}
	if q.Loop >= 0 {
		v.Set("loop", strconv.Itoa(q.Loop))
	}
	return v
}

// PathString is the path as the URL writes it: "0.3.1".
func (q Query) PathString() string {
	parts := make([]string, len(q.Path))
	for i, n := range q.Path {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ".")
}
