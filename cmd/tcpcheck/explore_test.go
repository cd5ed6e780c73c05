package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestExploreBadUsage(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"explore", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"explore", "extra"}, `unexpected argument "extra"`},
		{[]string{"explore", "--model", "diagram"}, "explore steps the segment model only"},
		{[]string{"explore", "--preset", "nope"}, `unknown preset "nope"`},
		{[]string{"explore", "--addr", ":8080"}, "name the host"},
		{[]string{"explore", "--addr", "nonsense"}, "--addr:"},
		{[]string{"explore", "--violation", "1"}, "--violation needs --trace"},
		{[]string{"explore", "--trace", "a.json", "--scenario", "lost-third-ack"}, "exclusive"},
		{[]string{"explore", "--html", filepath.Join(dir, "no", "such", "x.html")}, "--html: no folder"},
		{[]string{"explore", "--html", filepath.Join(dir, "x.html"), "--addr", "127.0.0.1:1"}, "--html writes one"},
		{[]string{"explore", "--html", filepath.Join(dir, "x.html"), "--trace", filepath.Join(dir, "missing.json")}, "--trace:"},
		{[]string{"explore", "--html", filepath.Join(dir, "x.html"), "--scenario", "nope"}, `unknown scenario "nope"`},
	} {
		out, errOut, code := tcpcheck(t, c.args...)
		require.Equal(t, exitUsage, code, "%v: %s", c.args, errOut)
		require.Empty(t, out, "%v", c.args)
		require.Contains(t, errOut, c.msg, "%v", c.args)
		require.Equal(t, 1, strings.Count(errOut, "\n"), "%v: not one line: %q", c.args, errOut)
	}
}

// check --json's counterexample, written to a file, becomes one
// self-contained page.
func TestExploreHTMLFromCheckJSON(t *testing.T) {
	dir := t.TempDir()
	doc, _, code := tcpcheck(t, "check", "--json", "--preset", "handshake", "--max-losses", "2", "--max-retries", "1")
	require.Equal(t, exitViolation, code)
	cex := filepath.Join(dir, "cex.json")
	require.NoError(t, os.WriteFile(cex, []byte(doc), 0o644))
	page := filepath.Join(dir, "out.html")
	out, errOut, code := tcpcheck(t, "explore", "--html", page, "--trace", cex)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "wrote "+page+" (8 steps,")
	require.Contains(t, errOut, "the counterexample to established-agree, 8 step(s)")
	b, err := os.ReadFile(page)
	require.NoError(t, err)
	html := string(b)
	require.Contains(t, html, `"static":true`)
	require.Contains(t, html, "agree violated at step 8")
	require.NotContains(t, html, "src=")

	// The lasso, the document's second violation.
	_, errOut, code = tcpcheck(t, "explore", "--html", page, "--trace", cex, "--violation", "1")
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, errOut, "the counterexample to handshake-completes")

	// A trace that does not replay on the model is refused, on one line.
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(strings.Replace(doc, `"B: passive OPEN"`, `"B: passive CLOSE"`, 1)), 0o644))
	_, errOut, code = tcpcheck(t, "explore", "--html", page, "--trace", bad)
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "step 2")
}

// The server serves the page and its API until its context ends (Ctrl-C
// or SIGTERM in main), then stops with exit 0.
func TestExploreServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"explore", "--preset", "handshake", "--addr", "127.0.0.1:0", "--scenario", "lost-third-ack"}, strings.NewReader(""), w, io.Discard)
		w.Close()
	}()
	lines := bufio.NewScanner(r)
	require.True(t, lines.Scan())
	url, ok := strings.CutPrefix(lines.Text(), "tcpcheck explore: serving ")
	require.True(t, ok, lines.Text())
	require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)
	require.Contains(t, url, "scenario=lost-third-ack")

	client := &http.Client{Timeout: 10 * time.Second}
	res, err := client.Get(url)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	require.Contains(t, string(body), `<div id="figure5">`)
	base := url[:strings.Index(url, "/?")]
	res, err = client.Get(base + "/api/state?path=0")
	require.NoError(t, err)
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	require.Contains(t, string(body), `"preset":"handshake"`)

	cancel()
	require.True(t, lines.Scan())
	require.Equal(t, "tcpcheck explore: stopped", lines.Text())
	require.Equal(t, exitOK, <-done)
}
