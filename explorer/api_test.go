package explorer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
)

// cexFile is the output of
//
//	tcpcheck check --json --preset handshake --max-losses 2 --max-retries 1
//
// (the README's half-open example): established-agree fails at step 8 and
// handshake-completes on a lasso that stops there. cmd/tcpcheck's tests
// load the command's own output afresh.
const cexFile = "testdata/handshake-cex.json"

func newTestExplorer(t *testing.T) *Explorer {
	t.Helper()
	cfg, err := model.LookupPreset("lifecycle")
	require.NoError(t, err)
	x, err := New("lifecycle", cfg, DefaultLimits())
	require.NoError(t, err)
	return x
}

// get fetches path from h and decodes its JSON body into out, returning
// the status.
func get(t *testing.T, h http.Handler, method, path string, body []byte, out any) int {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if out != nil {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), out), "body: %s", rec.Body.String())
	}
	return rec.Code
}

func TestStateAtInitialAndAfterAStep(t *testing.T) {
	h := newTestExplorer(t).Handler()
	var v View
	require.Equal(t, 200, get(t, h, "GET", "/api/state", nil, &v))
	require.Equal(t, 0, v.At)
	require.Equal(t, "CLOSED", v.State.Endpoints[model.A].State)
	require.Nil(t, v.LastArc)
	require.NotEmpty(t, v.Actions)
	require.Equal(t, "A: active OPEN (ISN #0)", v.Actions[0].Action)

	var w View
	require.Equal(t, 200, get(t, h, "GET", "/api/state?path=0", nil, &w))
	require.Equal(t, 1, w.At)
	a := w.State.Endpoints[model.A]
	require.Equal(t, "SYN-SENT", a.State)
	// §3.10.1: an active OPEN selects an ISS and sends <SEQ=ISS><CTL=SYN>,
	// SND.UNA = ISS, SND.NXT = ISS+1 (across the wrap: 2^32-1 + 1 = 0).
	require.Equal(t, uint32(4294967295), a.ISS)
	require.Equal(t, a.ISS, a.SndUna)
	require.Equal(t, uint32(0), a.SndNxt)
	require.Equal(t, []string{"<SEQ=4294967295><CTL=SYN>"}, w.State.Channels[model.A].Segments)
	require.Equal(t, &ArcView{Side: "A", From: "CLOSED", To: "SYN-SENT", Label: "active OPEN / snd SYN", Title: "CLOSED → SYN-SENT: active OPEN / snd SYN"}, w.LastArc)
	require.Equal(t, "path=0", w.Query)

	// Going back keeps the path as forward history, its step marked next.
	var back View
	require.Equal(t, 200, get(t, h, "GET", "/api/state?path=0&at=0", nil, &back))
	require.True(t, back.Actions[0].Next)
	require.Equal(t, "at=0&path=0", back.Query)
}

func TestBadRequestsAreRefusedWithAMessage(t *testing.T) {
	x := newTestExplorer(t)
	h := x.Handler()
	long := strings.Repeat("0.", x.limits.MaxPath) + "0"
	for _, c := range []struct {
		method, path string
		body         string
		status       int
		msg          string
	}{
		{"GET", "/api/state?path=0.99", "", 400, "path: step 2: no action #99"},
		{"GET", "/api/state?path=0.x", "", 400, `path: step 2: "x" is not an action index`},
		{"GET", "/api/state?path=-1", "", 400, "is not an action index"},
		{"GET", "/api/state?path=0&at=5", "", 400, "at: step 5 is past the end"},
		{"GET", "/api/state?init=3", "", 400, "init: no initial state #3"},
		{"GET", "/api/state?scenario=nope", "", 400, `scenario: unknown scenario "nope"`},
		{"GET", "/api/state?preset=lifecycle&config=A%3Dconnect", "", 400, "does not read back as itself"},
		{"GET", "/api/state?preset=nope&config=x%3Dy", "", 400, "unknown preset"},
		{"GET", "/api/state?path=" + long, "", 400, "over the limit"},
		{"GET", "/api/chart.svg?path=7", "", 400, "no action #7"},
		{"GET", "/api/figure5.svg?path=7", "", 400, "no action #7"},
		{"GET", "/api/run?path=7", "", 400, "no action #7"},
		{"POST", "/api/state", "", 405, "use GET"},
		{"GET", "/api/trace", "", 405, "use POST"},
		{"GET", "/api/nothing", "", 404, "no API /api/nothing"},
		{"POST", "/api/trace", "not json", 400, "not a check --json document"},
		{"POST", "/api/trace", `{"hello": 1}`, 400, "no result or config_line field"},
		{"POST", "/api/trace", `{"result":"ok","model":"segment","preset":"lifecycle","config_line":"x=y","violations":[]}`, 400, "holds no violation"},
		{"POST", "/api/trace", `{"result":"ok","model":"diagram","preset":"example","config":"x","violations":[]}`, 400, "segment model"},
		{"POST", "/api/trace?violation=x", "{}", 400, "not a violation number"},
	} {
		var e struct{ Error string }
		status := get(t, h, c.method, c.path, []byte(c.body), &e)
		require.Equal(t, c.status, status, "%s %s: %s", c.method, c.path, e.Error)
		require.Contains(t, e.Error, c.msg, "%s %s", c.method, c.path)
		require.NotContains(t, e.Error, "\n")
	}
}

func TestCounterexampleLoadsAndReplays(t *testing.T) {
	x := newTestExplorer(t)
	h := x.Handler()
	doc, err := os.ReadFile(cexFile)
	require.NoError(t, err)

	var l Loaded
	require.Equal(t, 200, get(t, h, "POST", "/api/trace", doc, &l))
	l0 := l
	require.Equal(t, "established-agree", l.Property)
	require.Equal(t, 8, l.Steps)
	require.Equal(t, 2, l.Violations)

	// Stepped to its end, the page's property panel says what check said.
	q, err := url.ParseQuery(l.URL)
	require.NoError(t, err)
	q.Del("at")
	var v View
	require.Equal(t, 200, get(t, h, "GET", "/api/state?"+q.Encode(), nil, &v))
	require.Equal(t, 8, v.At)
	require.Equal(t, "ESTABLISHED", v.State.Endpoints[model.A].State)
	require.Equal(t, "LISTEN", v.State.Endpoints[model.B].State)
	status := map[string]PropertyView{}
	for _, p := range v.Props {
		status[p.ID] = p
	}
	require.Equal(t, "violated", status["established-agree"].Status)
	require.Contains(t, status["established-agree"].Reason, "a half-open connection")
	require.Equal(t, "violated", status["handshake-completes"].Status)
	require.Contains(t, status["handshake-completes"].Reason, "since step 2")
	require.Equal(t, "holds", status["no-data-on-syn"].Status)
	require.Equal(t, "untriggered", status["eventually-closed"].Status)
	// One step earlier B is still SYN-RECEIVED, retransmitting: no
	// half-open connection at rest yet, and the handshake is pending.
	q.Set("at", "7")
	require.Equal(t, 200, get(t, h, "GET", "/api/state?"+q.Encode(), nil, &v))
	status = map[string]PropertyView{}
	for _, p := range v.Props {
		status[p.ID] = p
	}
	require.Equal(t, "holds", status["established-agree"].Status)
	require.Equal(t, "waiting", status["handshake-completes"].Status)

	// The second violation is the lasso: its loop start travels in the URL.
	require.Equal(t, 200, get(t, h, "POST", "/api/trace?violation=1", doc, &l))
	require.Equal(t, "handshake-completes", l.Property)
	require.Contains(t, l.URL, "loop=8")

	// A trace whose step does not replay names the step.
	bad := strings.Replace(string(doc), "B: retransmission timeout (after 2s)", "B: retransmission timeout (after 4s)", 1)
	var e struct{ Error string }
	require.Equal(t, 400, get(t, h, "POST", "/api/trace", []byte(bad), &e))
	require.Contains(t, e.Error, "step 8")

	// The chart marks where the path stands, or the violation there.
	for at, want := range map[string]string{"8": "✗ established&#45;agree violated at step 8", "3": "● here at step 3"} {
		q.Set("at", at)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/chart.svg?"+q.Encode(), nil))
		require.Equal(t, 200, rec.Code)
		require.Contains(t, rec.Body.String(), want)
	}

	// A document of before the config object, with the line in config,
	// loads the same.
	var old map[string]any
	require.NoError(t, json.Unmarshal(doc, &old))
	old["config"] = old["config_line"]
	delete(old, "config_line")
	oldDoc, err := json.Marshal(old)
	require.NoError(t, err)
	var lo Loaded
	require.Equal(t, 200, get(t, h, "POST", "/api/trace", oldDoc, &lo))
	require.Equal(t, l0.URL, lo.URL)

	// A knob the line does not carry, different: refused, naming it.
	knobs := strings.Replace(string(doc), `"isn_step": 1073741824`, `"isn_step": 5`, 1)
	require.NotEqual(t, string(doc), knobs)
	require.Equal(t, 400, get(t, h, "POST", "/api/trace", []byte(knobs), &e))
	require.Contains(t, e.Error, "found with --isn-step 5")

	// Over the size limit: refused, not read.
	small := newTestExplorer(t)
	small.limits.MaxBody = 100
	require.Equal(t, 422, get(t, small.Handler(), "POST", "/api/trace", doc, &e))
	require.Contains(t, e.Error, "over the limit of 100 bytes")
}

func TestRunUntilAPropertyFails(t *testing.T) {
	x := newTestExplorer(t)
	h := x.Handler()
	doc, err := os.ReadFile(cexFile)
	require.NoError(t, err)
	var l Loaded
	require.Equal(t, 200, get(t, h, "POST", "/api/trace", doc, &l))

	// From the counterexample's initial state, the search finds a
	// violation as short as check's (8 steps: check's is a shortest one).
	var r RunResult
	require.Equal(t, 200, get(t, h, "GET", "/api/run?"+l.URL, nil, &r))
	require.True(t, r.Found, r.Message)
	q, err := ParseQuery(mustParse(t, r.Query), 1000)
	require.NoError(t, err)
	require.Len(t, q.Path, 8)
	require.Equal(t, 8, q.At)
	var v View
	require.Equal(t, 200, get(t, h, "GET", "/api/state?"+r.Query, nil, &v))
	found := false
	for _, p := range v.Props {
		if p.ID == r.Property {
			found = p.Status == "violated"
		}
	}
	require.True(t, found, "%s is not violated at the state run stopped at", r.Property)

	// On the lifecycle preset nothing fails.
	require.Equal(t, 200, get(t, h, "GET", "/api/run", nil, &r))
	require.False(t, r.Found)
	require.Contains(t, r.Message, "no invariant fails in any of the")

	// A search over the limit is refused, not left running.
	small := newTestExplorer(t)
	small.limits.MaxRunStates = 10
	var e struct{ Error string }
	require.Equal(t, 422, get(t, small.Handler(), "GET", "/api/run", nil, &e))
	require.Contains(t, e.Error, "limit")
}

func mustParse(t *testing.T, s string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(s)
	require.NoError(t, err)
	return v
}

// Each scenario's path ends with the transition it is about.
func TestScenariosReachTheirSituation(t *testing.T) {
	x := newTestExplorer(t)
	var list []ScenarioView
	require.Equal(t, 200, get(t, x.Handler(), "GET", "/api/scenarios", nil, &list))
	require.Len(t, list, len(Scenarios()))
	for i, sc := range Scenarios() {
		require.Equal(t, sc.ID, list[i].ID)
		require.NotEmpty(t, sc.Quote)
		q, err := ParseQuery(mustParse(t, list[i].Query), 1000)
		require.NoError(t, err)
		require.Equal(t, 0, q.At, sc.ID)
		w, err := x.walk(q)
		require.NoError(t, err, sc.ID)
		n := len(w.trace)
		require.Greater(t, n, 1, sc.ID)
		last := w.trace[n-1]
		require.True(t, sc.Reached(&w.trace[n-2].State, last.Action, &last.State), sc.ID)
		for k := 1; k < n-1; k++ {
			require.False(t, sc.Reached(&w.trace[k-1].State, w.trace[k].Action, &w.trace[k].State), "%s: reached early, at step %d", sc.ID, k)
		}
	}
}

func TestSVGs(t *testing.T) {
	h := newTestExplorer(t).Handler()
	for _, path := range []string{"/api/figure5.svg", "/api/chart.svg?path=0.1"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		require.Equal(t, 200, rec.Code, rec.Body.String())
		require.Equal(t, "image/svg+xml", rec.Header().Get("Content-Type"))
		require.True(t, strings.HasPrefix(rec.Body.String(), "<svg"), path)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/figure5.svg", nil))
	// Figure 5's SVG names every arc in its tooltip as ArcView.Title
	// does: the page finds the last arc by it.
	require.Contains(t, rec.Body.String(), `xlink:title="CLOSED → SYN&#45;SENT: active OPEN / snd SYN (A): `)
}

func TestPageIsSelfContained(t *testing.T) {
	h := newTestExplorer(t).Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	require.Equal(t, 200, rec.Code)
	// The script names the xlink namespace; no other URL is in the page.
	body := strings.ReplaceAll(rec.Body.String(), `"http://www.w3.org/1999/xlink"`, "")
	for _, s := range []string{"/*CSS*/", "/*JS*/", "/*DATA*/", "src=", "<link", "http://", "https://", "url("} {
		require.False(t, strings.Contains(body, s), "the page holds %q", s)
	}
	require.Contains(t, body, `id="figure5"`)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/other", nil))
	require.Equal(t, 404, rec.Code)
}

func TestStaticPage(t *testing.T) {
	x := newTestExplorer(t)
	doc, err := os.ReadFile(cexFile)
	require.NoError(t, err)
	l, err := x.LoadReport(bytes.NewReader(doc), 0)
	require.NoError(t, err)
	var a, b bytes.Buffer
	require.NoError(t, x.WriteHTML(&a, l.Query))
	require.NoError(t, x.WriteHTML(&b, l.Query))
	require.Equal(t, a.String(), b.String(), "the same trace gives the same page")
	page := a.String()
	// Nothing is fetched: no script or image source, no stylesheet link,
	// no URL but the SVG namespaces'.
	for _, fetch := range []string{"src=", "<link", `href="http`, "url(", "https://"} {
		require.False(t, strings.Contains(page, fetch), "the static page holds %q", fetch)
	}
	start := strings.Index(page, `<script id="explorer-data" type="application/json">`)
	require.Positive(t, start)
	data := page[start+len(`<script id="explorer-data" type="application/json">`):]
	data = data[:strings.Index(data, "</script>")]
	var d struct {
		Static bool
		Views  []View
		Charts []string
	}
	require.NoError(t, json.Unmarshal([]byte(data), &d))
	require.True(t, d.Static)
	require.Len(t, d.Views, 9)
	require.Len(t, d.Charts, 9)
	require.Equal(t, "LISTEN", d.Views[8].State.Endpoints[model.B].State)

	small := newTestExplorer(t)
	small.limits.MaxStaticSteps = 3
	require.ErrorContains(t, small.WriteHTML(&a, l.Query), "over the static page's limit of 3")
}

func TestQueryRoundTrip(t *testing.T) {
	for _, q := range []Query{
		{Loop: -1},
		{Path: []int{0, 3, 1}, At: 3, Loop: -1},
		{Path: []int{0, 3, 1}, At: 1, Loop: 2},
		{Scenario: "simultaneous-open", Init: 0, Path: []int{1}, At: 0, Loop: -1},
		{Preset: "handshake", Config: "A=connect B=listen", Init: 1, Path: []int{2}, At: 1, Loop: -1},
	} {
		got, err := ParseQuery(q.Values(), 10)
		require.NoError(t, err)
		require.Equal(t, q, got)
	}
}

// Every preset's and variant's summary reads back as the same
// configuration.
func TestConfigLineRoundTrip(t *testing.T) {
	for _, p := range model.Presets() {
		for _, v := range model.Variants() {
			cfg := p.Config
			cfg.Variant = v
			if cfg.Validate() != nil {
				continue
			}
			got, err := parseConfigLine(p.Name, cfg.String())
			require.NoError(t, err, "%s %s", p.Name, v)
			require.Equal(t, cfg.String(), got.String())
		}
	}
	for _, sc := range Scenarios() {
		got, err := parseConfigLine(sc.Preset, sc.Config.String())
		require.NoError(t, err, sc.ID)
		require.Equal(t, sc.Config.String(), got.String())
	}
	_, err := parseConfigLine("lifecycle", "A=connect capacity=lots")
	require.ErrorContains(t, err, `capacity: "lots" is not a small count`)
	_, err = parseConfigLine("lifecycle", "color=blue")
	require.ErrorContains(t, err, "color: unknown field")
}

// A path into an overflowed channel is charted up to the step before,
// and the chart says why it stops.
func TestChartStopsBeforeAnOverflow(t *testing.T) {
	cfg, err := model.LookupPreset("lossy")
	require.NoError(t, err)
	cfg.Capacity = 1
	x, err := New("lossy", cfg, DefaultLimits())
	require.NoError(t, err)
	m, err := model.New(cfg)
	require.NoError(t, err)
	res, err := checker.Explore(context.Background(), m, checker.Options[model.State, model.Action]{
		Invariants: []checker.Invariant[model.State]{{Name: "no overflow", Holds: func(s *model.State) bool { return !s.Overflow }}},
	})
	require.NoError(t, err)
	require.NotEmpty(t, res.Violations)
	trace := res.Violations[0].Trace
	init, path, err := pathOf(m, trace)
	require.NoError(t, err)
	q := Query{Init: init, Path: path, At: len(path), Loop: -1}

	rec := httptest.NewRecorder()
	x.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/chart.svg?"+q.Values().Encode(), nil))
	require.Equal(t, 200, rec.Code, rec.Body.String())
	require.Contains(t, rec.Body.String(), fmt.Sprintf("step %d not drawn (a channel overflows)", len(path)))
	var v View
	require.Equal(t, 200, get(t, x.Handler(), "GET", "/api/state?"+q.Values().Encode(), nil, &v))
	require.True(t, v.State.Overflow)
}
