package explorer

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/tcpcheck/tcpcheck/model"
)

// FuzzState sends arbitrary query strings to the API: every answer is a
// place (200), bad input (400) or a refusal over a limit (422), never a
// server error or a crash.
func FuzzState(f *testing.F) {
	for _, seed := range []string{
		"", "path=0", "path=0.1.1.0&at=2", "path=0.99", "at=7", "init=1", "loop=0&path=0",
		"scenario=lost-third-ack&path=0.1", "scenario=x",
		"preset=handshake&config=" + url.QueryEscape("A=connect B=listen start=closed data=0/0 close=false early-close=false abort=false capacity=5 max-losses=2 max-dups=0 reorder=false max-retries=1 isn-a=4294967295 isn-b=1000 incarnations=1") + "&path=0.1.1",
		"preset=lifecycle&config=capacity%3D9", "path=%zz", "path=0..1", "path=00000000000000000001",
	} {
		f.Add(seed)
	}
	cfg, err := model.LookupPreset("lifecycle")
	if err != nil {
		f.Fatal(err)
	}
	limits := DefaultLimits()
	limits.MaxFigureStates, limits.MaxRunStates, limits.MaxPath = 2000, 2000, 50
	x, err := New("lifecycle", cfg, limits)
	if err != nil {
		f.Fatal(err)
	}
	h := x.Handler()
	f.Fuzz(func(t *testing.T, query string) {
		for _, api := range []string{"/api/state", "/api/chart.svg", "/api/run"} {
			req := httptest.NewRequest("GET", "/", nil)
			req.URL = &url.URL{Path: api, RawQuery: query}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			switch rec.Code {
			case http.StatusOK, http.StatusBadRequest, http.StatusUnprocessableEntity:
			default:
				t.Fatalf("%s?%s: %d %s", api, query, rec.Code, rec.Body.String())
			}
		}
	})
}
