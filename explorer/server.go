package explorer

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

var (
	//go:embed assets/index.html
	pageHTML string
	//go:embed assets/explorer.css
	pageCSS string
	//go:embed assets/explorer.js
	pageJS string
)

// page is the page with its style and script inline, and data (JSON,
// "null" for the served page) for a static page.
func page(data []byte) []byte {
	r := strings.NewReplacer("/*CSS*/", pageCSS, "/*JS*/", pageJS, "/*DATA*/", string(data))
	return []byte(r.Replace(pageHTML))
}

// requestTimeout bounds any one request's search, on top of the state
// limits.
const requestTimeout = 30 * time.Second

// Handler serves the page at / and the JSON API under /api/
// (docs/explorer.md):
//
//	GET  /api/state?QUERY        the View of a place
//	GET  /api/figure5.svg?QUERY  Figure 5 for the place's configuration
//	GET  /api/chart.svg?QUERY    the sequence chart of the path so far
//	GET  /api/run?QUERY          run until an invariant fails (RunResult)
//	GET  /api/scenarios          the seed's scenarios and their queries
//	POST /api/trace?violation=N  load a check --json counterexample (Loaded)
//
// Bad input is answered 400, a request over a limit 422, both with
// {"error": "one line"}. At most two searches run at once; others wait.
func (x *Explorer) Handler() http.Handler {
	mux := http.NewServeMux()
	busy := make(chan struct{}, 2)
	heavy := func(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
			defer cancel()
			select {
			case busy <- struct{}{}:
				defer func() { <-busy }()
			case <-ctx.Done():
				writeError(w, &limitError{"the explorer is busy: try again"})
				return
			}
			if err := h(w, r.WithContext(ctx)); err != nil {
				writeError(w, err)
			}
		}
	}
	get := func(h func(w http.ResponseWriter, r *http.Request, wk *walk) error) http.HandlerFunc {
		return heavy(func(w http.ResponseWriter, r *http.Request) error {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				return &methodError{"GET"}
			}
			q, err := ParseQuery(r.URL.Query(), x.limits.MaxPath)
			if err != nil {
				return inputf("%v", err)
			}
			wk, err := x.walk(q)
			if err != nil {
				return err
			}
			return h(w, r, wk)
		})
	}
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeError(w, &methodError{"GET"})
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page([]byte("null")))
	})
	mux.HandleFunc("/api/state", get(func(w http.ResponseWriter, r *http.Request, wk *walk) error {
		v, err := x.view(wk)
		if err != nil {
			return err
		}
		return writeJSON(w, v)
	}))
	mux.HandleFunc("/api/figure5.svg", get(func(w http.ResponseWriter, r *http.Request, wk *walk) error {
		svg, err := x.figureSVG(wk)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "image/svg+xml")
		_, err = w.Write(svg)
		return err
	}))
	mux.HandleFunc("/api/chart.svg", get(func(w http.ResponseWriter, r *http.Request, wk *walk) error {
		svg, err := x.chartSVG(wk)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "image/svg+xml")
		_, err = w.Write(svg)
		return err
	}))
	mux.HandleFunc("/api/run", get(func(w http.ResponseWriter, r *http.Request, wk *walk) error {
		res, err := x.runUntil(r.Context(), wk)
		if err != nil {
			return err
		}
		return writeJSON(w, res)
	}))
	mux.HandleFunc("/api/scenarios", heavy(func(w http.ResponseWriter, r *http.Request) error {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			return &methodError{"GET"}
		}
		list, err := x.scenarioList()
		if err != nil {
			return err
		}
		return writeJSON(w, list)
	}))
	mux.HandleFunc("/api/trace", heavy(func(w http.ResponseWriter, r *http.Request) error {
		if r.Method != http.MethodPost {
			return &methodError{"POST"}
		}
		index := 0
		if s := r.URL.Query().Get("violation"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return inputf("violation: %q is not a violation number", s)
			}
			index = n
		}
		loaded, err := x.LoadReport(http.MaxBytesReader(w, r.Body, x.limits.MaxBody+1), index)
		if err != nil {
			return err
		}
		return writeJSON(w, loaded)
	}))
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONStatus(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no API %s (see docs/explorer.md)", r.URL.Path)})
	})
	return recoverer(mux)
}

// ScenarioView is a scenario as /api/scenarios lists it.
type ScenarioView struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Quote  string `json:"quote"`
	Source string `json:"source"`
	Gloss  string `json:"gloss"`
	// Query starts it: its initial state, the path to the situation ahead.
	Query string `json:"query"`
	Steps int    `json:"steps"`
}

func (x *Explorer) scenarioList() ([]ScenarioView, error) {
	var out []ScenarioView
	for _, sc := range Scenarios() {
		q, err := x.ScenarioStart(sc.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, ScenarioView{ID: sc.ID, Title: sc.Title, Quote: sc.Quote, Source: sc.Source, Gloss: sc.Gloss,
			Query: q.Values().Encode(), Steps: len(q.Path)})
	}
	return out, nil
}

// methodError is a request with the wrong method: 405.
type methodError struct{ allow string }

func (e *methodError) Error() string { return "method not allowed: use " + e.allow }

// recoverer answers 500 instead of dropping the connection should a
// handler panic: a bug, reported, never a server crash.
func recoverer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				writeJSONStatus(w, http.StatusInternalServerError, map[string]string{"error": fmt.Sprintf("internal error: %v", v)})
			}
		}()
		h.ServeHTTP(w, r)
	})
}

func writeError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	var in *inputError
	var lim *limitError
	var meth *methodError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &in):
		status = http.StatusBadRequest
	case errors.As(err, &lim), errors.As(err, &tooBig):
		status = http.StatusUnprocessableEntity
	case errors.As(err, &meth):
		status = http.StatusMethodNotAllowed
		w.Header().Set("Allow", meth.allow)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		status = http.StatusUnprocessableEntity
		err = fmt.Errorf("the request took longer than the explorer's limit of %s", requestTimeout)
	}
	writeJSONStatus(w, status, map[string]string{"error": strings.ReplaceAll(err.Error(), "\n", "; ")})
}

func writeJSON(w http.ResponseWriter, v any) error {
	writeJSONStatus(w, http.StatusOK, v)
	return nil
}

func writeJSONStatus(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
