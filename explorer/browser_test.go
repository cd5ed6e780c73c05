package explorer

import (
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the screenshots in docs/explorer/")

// chromium finds a Chromium or Chrome binary; .ci/run installs chromium.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowser drives the page in headless Chromium as a person would:
// it takes an action and sees Figure 5's highlight and the chart change,
// goes back, loads a counterexample and steps to its violation. With
// -update it writes the screenshots of docs/explorer.md.
func TestBrowser(t *testing.T) {
	bin := chromium()
	if bin == "" && os.Getenv("TCPCHECK_REQUIRE_BROWSER") != "" {
		t.Fatal("no Chromium binary on PATH, and TCPCHECK_REQUIRE_BROWSER is set (.ci/run installs chromium)")
	}
	if bin == "" {
		t.Skip("no Chromium binary (chromium, chromium-browser or google-chrome) on PATH: apt-get install chromium; .ci/run does")
	}
	srv := httptest.NewServer(newTestExplorer(t).Handler())
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
		chromedp.WindowSize(1600, 1200), chromedp.Flag("disable-gpu", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	// lit is the state Figure 5 highlights for side ("a" or "b").
	lit := func(side string) string {
		var s string
		require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(
			`Array.from(document.querySelectorAll("#figure5 g.node.hl-`+side+` text")).map(e => e.textContent).join(",")`, &s)))
		return s
	}
	chart := func() string {
		var s string
		require.NoError(t, chromedp.Run(ctx, chromedp.InnerHTML("#chart", &s, chromedp.ByQuery)))
		return s
	}
	waitLit := func(side, state string) {
		t.Helper()
		require.NoError(t, chromedp.Run(ctx, chromedp.Poll(
			`Array.from(document.querySelectorAll("#figure5 g.node.hl-`+side+` text")).some(e => e.textContent === "`+state+`")`, nil)),
			"Figure 5 never lit %s for %s", state, side)
	}
	shot := func(name string) {
		if !*update {
			return
		}
		var png []byte
		require.NoError(t, chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)))
		require.NoError(t, os.WriteFile(filepath.Join("..", "docs", "explorer", name), png, 0o644))
	}

	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`#figure5 svg`, chromedp.ByQuery),
		chromedp.WaitVisible(`#actions button.action`, chromedp.ByQuery),
	))
	waitLit("a", "CLOSED")
	waitLit("b", "CLOSED")
	before := chart()

	// Click A's active OPEN: A goes SYN-SENT, the arc CLOSED → SYN-SENT
	// is marked, and the chart grows a row.
	require.NoError(t, chromedp.Run(ctx, chromedp.Click(`#actions button.action[data-index="0"]`, chromedp.ByQuery)))
	waitLit("a", "SYN-SENT")
	require.Equal(t, "CLOSED,CLOSED", lit("b"), "CLOSED is drawn twice, as in Figure 5: both boxes are lit")
	var marked string
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(
		`Array.from(document.querySelectorAll("#figure5 g.edge.last-arc a")).map(a => a.getAttributeNS("http://www.w3.org/1999/xlink", "title")).join("|")`, &marked)))
	require.True(t, strings.HasPrefix(marked, "CLOSED → SYN-SENT: active OPEN / snd SYN ("), "marked arc: %q", marked)
	after := chart()
	require.NotEqual(t, before, after, "the sequence chart did not change")
	require.Contains(t, after, "SYN")
	var loc string
	require.NoError(t, chromedp.Run(ctx, chromedp.Location(&loc)))
	require.Contains(t, loc, "path=0", "the URL does not encode the path")

	// Two more steps, for the screenshot: B listens, receives the SYN.
	require.NoError(t, chromedp.Run(ctx, chromedp.Click(`//ol[@id="actions"]//button[contains(., "B: passive OPEN")]`, chromedp.BySearch)))
	waitLit("b", "LISTEN")
	require.NoError(t, chromedp.Run(ctx, chromedp.Click(`//ol[@id="actions"]//button[contains(., "B: rcv")]`, chromedp.BySearch)))
	waitLit("b", "SYN-RECEIVED")
	shot("stepping.png")

	// Back, three times: both CLOSED again, the chart as it was.
	for range 3 {
		require.NoError(t, chromedp.Run(ctx, chromedp.Click(`#back`, chromedp.ByQuery)))
	}
	waitLit("a", "CLOSED")
	waitLit("b", "CLOSED")
	require.Equal(t, before, chart())

	// Load a counterexample by pasting check --json, then step forward to
	// its violation.
	doc, err := os.ReadFile(cexFile)
	require.NoError(t, err)
	require.NoError(t, chromedp.Run(ctx,
		chromedp.SetValue(`#cex-text`, string(doc), chromedp.ByQuery),
		chromedp.Click(`#cex-load`, chromedp.ByQuery),
		chromedp.WaitVisible(`#message`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelectorAll("#steps li").length === 9`, nil),
	))
	var msg string
	require.NoError(t, chromedp.Run(ctx, chromedp.Text(`#message`, &msg, chromedp.ByQuery)))
	require.Contains(t, msg, "established-agree")
	for range 8 {
		require.NoError(t, chromedp.Run(ctx, chromedp.Click(`#forward`, chromedp.ByQuery)))
	}
	waitLit("a", "ESTABLISHED")
	waitLit("b", "LISTEN")
	var status string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Poll(`document.querySelector('#props tr[data-id="established-agree"] .status').textContent === "violated"`, nil),
		chromedp.Text(`#props tr[data-id="established-agree"] .status`, &status, chromedp.ByQuery)))
	require.Equal(t, "violated", status)
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(
		`Array.from(document.querySelectorAll("#figure5 g.edge.last-arc a")).map(a => a.getAttributeNS("http://www.w3.org/1999/xlink", "title")).join("|")`, &marked)))
	require.True(t, strings.HasPrefix(marked, "SYN-RECEIVED → LISTEN: retransmission timeout, give up ("), "marked arc: %q", marked)
	shot("counterexample.png")

	// A bad path in the URL: an error in the page, the server still up.
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/?path=0.99"),
		chromedp.WaitVisible(`#error`, chromedp.ByQuery),
		chromedp.Text(`#error`, &msg, chromedp.ByQuery)))
	require.Contains(t, msg, "no action #99")

	// A scenario: one click, then forward to its end. The click waits
	// for the first view to be drawn: a mouse click lands where the
	// button was, and drawing Figure 5 above it moves it.
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`#figure5 svg`, chromedp.ByQuery),
		chromedp.WaitVisible(`#actions button.action`, chromedp.ByQuery),
		chromedp.WaitVisible(`button.scenario-start[data-id="lost-third-ack"]`, chromedp.ByQuery),
		chromedp.Click(`button.scenario-start[data-id="lost-third-ack"]`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelectorAll("#steps li").length > 10`, nil),
		chromedp.Click(`#steps li:last-child`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector("#steps li:last-child").classList.contains("current")`, nil),
	))
	waitLit("a", "CLOSED")
	// The client's next segment was reset: A's application is told.
	require.NoError(t, chromedp.Run(ctx, chromedp.Text(`#tcb`, &msg, chromedp.ByQuery)))
	require.Contains(t, msg, "connection reset")
	shot("scenario.png")

	// From the counterexample's initial state, "run until a property
	// fails" finds a violation as short as check's; a random step then
	// takes one of the actions enabled there.
	x0 := newTestExplorer(t)
	l0, err := x0.LoadReport(strings.NewReader(string(doc)), 0)
	require.NoError(t, err)
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/?"+l0.URL),
		chromedp.WaitVisible(`#actions button.action`, chromedp.ByQuery),
		chromedp.Click(`#run`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector("#steps li:last-child").classList.contains("current") && document.querySelectorAll("#steps li").length === 9`, nil),
		chromedp.Text(`#message`, &msg, chromedp.ByQuery),
	))
	require.Contains(t, msg, "fails 8 step(s) from here")
	var steps int
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Click(`#back`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector("#steps li:nth-child(8)").classList.contains("current")`, nil),
		chromedp.Click(`#random`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector("#steps li:last-child").classList.contains("current")`, nil),
		chromedp.Evaluate(`document.querySelectorAll("#steps li").length`, &steps),
	))
	require.Equal(t, 9, steps, "a random step from step 7 is step 8")

	// The static page of the counterexample works from a file, offline:
	// it opens at step 0, and the step list reaches the violation.
	x := newTestExplorer(t)
	l, err := x.LoadReport(strings.NewReader(string(doc)), 0)
	require.NoError(t, err)
	var page strings.Builder
	require.NoError(t, x.WriteHTML(&page, l.Query))
	file := filepath.Join(t.TempDir(), "cex.html")
	require.NoError(t, os.WriteFile(file, []byte(page.String()), 0o644))
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate("file://"+file),
		chromedp.WaitVisible(`#figure5 svg`, chromedp.ByQuery),
	))
	waitLit("a", "CLOSED")
	var disabled bool
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector("#random").disabled`, &disabled)))
	require.True(t, disabled, "a static page has no server to take a random step")
	require.NoError(t, chromedp.Run(ctx, chromedp.Click(`#forward`, chromedp.ByQuery)))
	waitLit("a", "SYN-SENT")
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Click(`#steps li:last-child`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector('#props tr[data-id="established-agree"] .status').textContent === "violated"`, nil),
	))
	waitLit("b", "LISTEN")
	require.NoError(t, chromedp.Run(ctx, chromedp.Location(&loc)))
	require.True(t, strings.HasSuffix(loc, "#at=8"), loc)
	shot("static.png")
}
