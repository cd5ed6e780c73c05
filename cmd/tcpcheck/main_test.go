package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// tcpcheck runs the command in-process.
func tcpcheck(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// timing matches the figures that change from run to run.
var timing = regexp.MustCompile(`in [0-9.]+s \([0-9]+ states/s\)|[0-9]+ worker\(s\)`)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	got = timing.ReplaceAllString(got, "in Xs (X states/s)")
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run 'go test ./cmd/tcpcheck -update' to create it")
	require.Equal(t, string(want), got)
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"check-default.txt", []string{"check"}, exitOK},
		{"check-diagram.txt", []string{"check", "--model", "diagram"}, exitOK},
		{"check-half-open.txt", []string{"check", "--preset", "handshake", "--max-losses", "2", "--max-retries", "1"}, exitViolation},
		{"check-limit.txt", []string{"check", "--max-states", "100"}, exitIncomplete},
		{"check-lasso.txt", []string{"check", "--variant", "no-fin-retransmit", "--property", "eventually-closed"}, exitViolation},
		{"check-no-temporal.txt", []string{"check", "--preset", "handshake", "--no-temporal"}, exitOK},
		{"simulate-ok.txt", []string{"simulate", "--seed", "1", "--walks", "20"}, exitOK},
		{"simulate-half-open.txt", []string{"simulate", "--preset", "handshake", "--max-losses", "2", "--max-retries", "1", "--seed", "1"}, exitViolation},
		{"simulate-bug.txt", []string{"simulate", "--variant", "bug-ack-seq", "--property", "handshake-ack", "--seed", "1"}, exitViolation},
		{"simulate-diagram.txt", []string{"simulate", "--model", "diagram", "--seed", "1", "--walks", "10"}, exitOK},
		{"help-simulate.txt", []string{"help", "simulate"}, exitOK},
		{"list.txt", []string{"list"}, exitOK},
		{"help.txt", []string{"help"}, exitOK},
		{"help-check.txt", []string{"help", "check"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := tcpcheck(t, tt.args...)
			require.Equal(t, tt.code, code, errOut)
			require.Empty(t, errOut)
			golden(t, tt.name, out)
		})
	}
}

func TestCheckJSON(t *testing.T) {
	out, _, code := tcpcheck(t, "check", "--json", "--preset", "handshake", "--max-losses", "2", "--max-retries", "1")
	require.Equal(t, exitViolation, code)
	var doc struct {
		Result     string `json:"result"`
		Model      string `json:"model"`
		Preset     string `json:"preset"`
		States     int    `json:"states"`
		Generated  int    `json:"generated"`
		Depth      int    `json:"depth"`
		Seconds    *float64
		Properties []struct{ ID, Kind, Status string }
		Violations []struct {
			Property, Kind string
			Trace          []struct {
				Action, State string
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Equal(t, "violation", doc.Result)
	require.Equal(t, "segment", doc.Model)
	require.Equal(t, "handshake", doc.Preset)
	require.Positive(t, doc.States)
	require.GreaterOrEqual(t, doc.Generated, doc.States)
	require.Positive(t, doc.Depth)
	require.NotNil(t, doc.Seconds)
	// The invariant's violation, then the temporal one it implies: the
	// handshake never completes for the client left ESTABLISHED alone.
	require.Len(t, doc.Violations, 2)
	require.Equal(t, "handshake-completes", doc.Violations[1].Property)
	require.Equal(t, "temporal", doc.Violations[1].Kind)
	v := doc.Violations[0]
	require.Equal(t, "established-agree", v.Property)
	require.Equal(t, "invariant", v.Kind)
	require.Empty(t, v.Trace[0].Action, "step 0 is the initial state")
	require.Equal(t, "B: retransmission timeout (after 2s)", v.Trace[len(v.Trace)-1].Action)
	statuses := map[string]string{}
	for _, p := range doc.Properties {
		statuses[p.ID] = p.Status
	}
	require.Equal(t, "violated", statuses["established-agree"])

	out, _, code = tcpcheck(t, "check", "--json")
	require.Equal(t, exitOK, code)
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Equal(t, "ok", doc.Result)
	require.Empty(t, doc.Violations)
}

// Bad input gets one line naming what is wrong, and exit code 2.
func TestBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{}, "Usage"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"check", "--bogus"}, "-bogus"},
		{[]string{"check", "--preset", "nope"}, `unknown preset "nope"`},
		{[]string{"check", "--model", "nope"}, `unknown model "nope"`},
		{[]string{"check", "--model", "diagram", "--preset", "lifecycle"}, `unknown preset "lifecycle" for the diagram model`},
		{[]string{"check", "--model", "diagram", "--capacity", "3"}, "--capacity applies to --model segment only"},
		{[]string{"check", "--property", "nope"}, `unknown property "nope"`},
		{[]string{"check", "--capacity", "0"}, "capacity: must be 1 to 8, not 0"},
		{[]string{"check", "--capacity", "x"}, `invalid value "x" for flag -capacity`},
		{[]string{"check", "--max-losses", "-1"}, "max-losses: must be 0 to 255, not -1"},
		{[]string{"check", "--data-a", "-3"}, "data: A must send 0 to 200 segments, not -3"},
		{[]string{"check", "--incarnations", "0"}, "incarnations: must be 1 to 255, not 0"},
		{[]string{"check", "--a", "sing"}, `unknown role "sing"`},
		{[]string{"check", "--isn-a", "1,x"}, `--isn-a: "x" is not a sequence number`},
		{[]string{"check", "--isn-b", "4294967296"}, "--isn-b"},
		{[]string{"check", "--start", "middle"}, `unknown start "middle"`},
		{[]string{"check", "--store", "cloud"}, `unknown store "cloud"`},
		{[]string{"check", "--max-states", "-5"}, "--max-states: must not be negative"},
		{[]string{"check", "--timeout", "soon"}, "-timeout"},
		{[]string{"check", "extra"}, `unexpected argument "extra"`},
		{[]string{"check", "--a", "listen", "--b", "listen"}, "neither endpoint connects"},
		{[]string{"help", "nope"}, `unknown command "nope"`},
		{[]string{"check", "--trace-dot", "/nonexistent/x.dot"}, "--trace-dot: no folder /nonexistent"},
		{[]string{"check", "--cpuprofile", "/nonexistent/cpu.prof"}, "--cpuprofile: no folder /nonexistent"},
		{[]string{"graph", "-o", "."}, "-o: . is a folder"},
		{[]string{"graph", "--max-states", "-1"}, "--max-states: must not be negative"},
		{[]string{"explain", "--write-docs", "docs", "7"}, "give no CLAIM"},
		{[]string{"explain", "99"}, "known: 1, 2, 3"},
		{[]string{"help", "check", "extra"}, `unexpected argument "extra"`},
		{[]string{"graph", "--preset", "lifecycle,"}, "--preset: an empty name"},
		{[]string{"simulate", "--steps", "0"}, "--steps: must be at least 1, not 0"},
		{[]string{"simulate", "--walks", "-2"}, "--walks: must be at least 1, not -2"},
		{[]string{"simulate", "--seed", "x"}, `invalid value "x" for flag -seed`},
		{[]string{"simulate", "--seed", "-1"}, `invalid value "-1" for flag -seed`},
		{[]string{"simulate", "--property", "eventually-closed"}, "eventually-closed is temporal"},
		{[]string{"simulate", "--property", "nope"}, `unknown property "nope"`},
		{[]string{"simulate", "--preset", "nope"}, `unknown preset "nope"`},
		{[]string{"simulate", "--model", "diagram", "--capacity", "3"}, "--capacity applies to --model segment only"},
		{[]string{"simulate", "--capacity", "9"}, "capacity: must be 1 to 8, not 9"},
		{[]string{"simulate", "walk"}, `unexpected argument "walk"`},
		// The timing premise (model/doc.go): eight retries outlast 2MSL.
		{[]string{"check", "--preset", "close", "--max-losses", "7", "--max-retries", "8", "--property", "clean-close"}, "max-retries: 8 retransmissions back off for 4m3s"},
		{[]string{"simulate", "--max-retries", "9"}, "not shorter than 2MSL"},
		{[]string{"check", "--msl", "0s"}, "--msl: must be positive"},
		{[]string{"check", "--rto", "soon"}, "-rto"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := tcpcheck(t, tt.args...)
			require.Equal(t, exitUsage, code)
			require.Contains(t, errOut, tt.want)
			if len(tt.args) > 0 {
				require.Empty(t, out)
				require.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
			}
		})
	}
}

// Knobs given on the command line override the preset.
func TestKnobsOverridePreset(t *testing.T) {
	out, _, code := tcpcheck(t, "check", "--preset", "handshake", "--capacity", "4", "--isn-a", "7,4294967290", "--reorder", "--a", "listen+connect")
	require.Equal(t, exitOK, code, out)
	require.Contains(t, out, "A=listen+connect B=listen ")
	require.Contains(t, out, "capacity=4 ")
	require.Contains(t, out, "reorder=true ")
	require.Contains(t, out, "isn-a=7,4294967290 ")
}

// A temporal violation is a lasso in JSON too: loop_start marks where the
// loop returns.
func TestCheckJSONLasso(t *testing.T) {
	out, _, code := tcpcheck(t, "check", "--json", "--variant", "no-fin-retransmit", "--property", "eventually-closed")
	require.Equal(t, exitViolation, code)
	var doc struct {
		Result     string
		Properties []struct {
			ID, Kind, Status string
			Fairness         []string
		}
		Violations []struct {
			Property, Kind string
			LoopStart      *int `json:"loop_start"`
			Stutter        bool
			Trace          []struct{ Action string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Equal(t, "violation", doc.Result)
	require.Equal(t, "temporal", doc.Properties[0].Kind)
	require.Equal(t, "violated", doc.Properties[0].Status)
	require.Contains(t, doc.Properties[0].Fairness, "SF(deliver to A)")
	require.Len(t, doc.Violations, 1)
	v := doc.Violations[0]
	require.NotNil(t, v.LoopStart)
	require.True(t, v.Stutter)
	require.Equal(t, len(v.Trace)-1, *v.LoopStart)
}

func TestGraph(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"graph-endpoint-handshake.dot", []string{"graph", "--kind", "endpoint", "--preset", "handshake"}},
		{"graph-quotient-handshake.dot", []string{"graph", "--kind", "quotient", "--preset", "handshake"}},
		{"graph-trace-half-open.dot", []string{"graph", "--kind", "trace", "--preset", "handshake", "--max-losses", "2", "--max-retries", "1", "--property", "established-agree"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := tcpcheck(t, tt.args...)
			require.Equal(t, exitOK, code, errOut)
			golden(t, tt.name, out)
			again, _, _ := tcpcheck(t, tt.args...)
			require.Equal(t, out, again, "the same command gives the same bytes")
		})
	}
	// A smaller preset reports the Figure 5 arcs it never exercised.
	_, errOut, _ := tcpcheck(t, "graph", "--preset", "handshake")
	require.Contains(t, errOut, "Figure 5 arc(s) not exercised by this configuration")
	require.Contains(t, errOut, "TIME-WAIT → CLOSED")

	out, _, code := tcpcheck(t, "graph", "--preset", "handshake", "--format", "svg")
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "<svg")

	// The diagram model's resets are grouped unless asked; the segment
	// model's drawn one by one unless asked.
	for _, tt := range []struct {
		args    []string
		grouped bool
	}{
		{[]string{"graph", "--model", "diagram"}, true},
		{[]string{"graph", "--model", "diagram", "--resets", "each"}, false},
		{[]string{"graph", "--preset", "handshake"}, false},
		{[]string{"graph", "--preset", "handshake", "--resets", "grouped"}, true},
	} {
		out, errOut, code := tcpcheck(t, tt.args...)
		require.Equal(t, exitOK, code, errOut)
		require.Equal(t, tt.grouped, strings.Contains(out, "(Note 3: resets)"), tt.args)
	}

	if _, err := exec.LookPath("dot"); err == nil {
		out, errOut, code = tcpcheck(t, "graph", "--preset", "handshake", "--format", "png")
		require.Equal(t, exitOK, code, errOut)
		require.True(t, strings.HasPrefix(out, "\x89PNG\r\n\x1a\n"), "%q", out[:min(8, len(out))])
	}
	t.Run("png without dot", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		_, errOut, code := tcpcheck(t, "graph", "--preset", "handshake", "--format", "png")
		require.Equal(t, exitUsage, code)
		require.Equal(t, "tcpcheck graph: --format png needs Graphviz's dot program on PATH (apt-get install graphviz); --format svg needs nothing\n", errOut)
	})

	// --cpuprofile writes a profile go tool pprof reads: gzipped protobuf.
	prof := filepath.Join(t.TempDir(), "cpu.prof")
	_, _, code = tcpcheck(t, "check", "--preset", "lifecycle", "--no-temporal", "--cpuprofile", prof)
	require.Equal(t, exitOK, code)
	b, err := os.ReadFile(prof)
	require.NoError(t, err)
	require.True(t, len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b, "not a gzipped profile: %d bytes", len(b))

	path := filepath.Join(t.TempDir(), "trace.dot")
	_, _, code = tcpcheck(t, "check", "--preset", "handshake", "--max-losses", "2", "--max-retries", "1", "--trace-dot", path)
	require.Equal(t, exitViolation, code)
	dot, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(dot), "digraph")

	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"graph", "--kind", "pie"}, `unknown kind "pie"`},
		{[]string{"graph", "--format", "gif"}, `unknown format "gif" (known: dot, svg, png)`},
		{[]string{"graph", "--resets", "some"}, `--resets: unknown drawing "some" (known: each, grouped)`},
		{[]string{"graph", "--kind", "quotient", "--resets", "grouped"}, "--resets goes with --kind endpoint"},
		{[]string{"graph", "--kind", "global"}, "add --force, or use --kind quotient"},
		{[]string{"graph", "--kind", "trace"}, "no counterexample to draw"},
		{[]string{"graph", "--kind", "quotient", "--model", "diagram"}, "endpoint and global graphs only"},
		{[]string{"graph", "--property", "x"}, "--property goes with --kind trace"},
		{[]string{"graph", "--kind", "global", "--preset", "handshake,close"}, "several presets go with --kind endpoint only"},
		{[]string{"check", "--model", "diagram", "--trace-dot", "x.dot"}, "--trace-dot draws the segment model's counterexamples only"},
	} {
		_, errOut, code := tcpcheck(t, bad.args...)
		require.Equal(t, exitUsage, code, bad.args)
		require.Contains(t, errOut, bad.want)
		require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
	}
}

// The figures do not depend on the number of workers.
func TestWorkersGiveTheSameReport(t *testing.T) {
	one, _, code := tcpcheck(t, "check", "--preset", "simultaneous", "--workers", "1")
	require.Equal(t, exitOK, code)
	four, _, _ := tcpcheck(t, "check", "--preset", "simultaneous", "--workers", "4")
	require.Equal(t, timing.ReplaceAllString(one, "X"), timing.ReplaceAllString(four, "X"))
	_, errOut, code := tcpcheck(t, "check", "--workers", "0")
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "--workers: must be at least 1")
	_, _, code = tcpcheck(t, "check", "--preset", "lossy", "--no-temporal", "--max-memory", "1MB")
	require.Equal(t, exitIncomplete, code)
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "16GiB": 16 << 30, "500MB": 500e6, "1024": 1024, "1.5KiB": 1536} {
		got, err := parseBytes(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"x", "-1GB", "12XB", "0", "NaN", "0.1B", "Inf"} {
		_, err := parseBytes(in)
		require.Error(t, err, in)
	}
}

// JSON keeps the RFC notation readable: <SEQ=...>, not \u003cSEQ=...\u003e.
func TestCheckJSONIsNotHTMLEscaped(t *testing.T) {
	out, _, _ := tcpcheck(t, "check", "--json", "--preset", "handshake", "--max-losses", "2", "--max-retries", "1")
	require.Contains(t, out, "<CTL=SYN>")
	require.NotContains(t, out, `\u003c`)
}

// --preset all runs every preset of model.AllPresets, each report as
// check prints it, then a summary; together they leave no property
// vacuous (issue 15). --json gives one document holding every report.
func TestCheckAllPresets(t *testing.T) {
	out, errOut, code := tcpcheck(t, "check", "--preset", "all")
	require.NotEqual(t, exitUsage, code, errOut)
	for i, name := range model.AllPresets {
		require.Contains(t, out, fmt.Sprintf("== preset %s (%d of %d)", name, i+1, len(model.AllPresets)))
	}
	require.Contains(t, out, fmt.Sprintf("== summary of %d preset(s)", len(model.AllPresets)))
	require.Contains(t, out, "vacuous on every preset: -\n")

	out, _, jsonCode := tcpcheck(t, "check", "--preset", "all", "--json")
	require.Equal(t, code, jsonCode)
	var doc struct {
		Result  string
		Presets []struct {
			Preset     string
			Properties []struct{ ID, Status string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Presets, len(model.AllPresets))
	vacuousEverywhere := map[string]bool{}
	for _, p := range doc.Presets[0].Properties {
		vacuousEverywhere[p.ID] = true
	}
	for _, r := range doc.Presets {
		for _, p := range r.Properties {
			vacuousEverywhere[p.ID] = vacuousEverywhere[p.ID] && p.Status == "vacuous"
		}
	}
	for id, v := range vacuousEverywhere {
		require.False(t, v, "%s is vacuous on every preset", id)
	}

	_, errOut, code = tcpcheck(t, "check", "--preset", "all", "--trace-dot", filepath.Join(t.TempDir(), "x.dot"))
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "name one preset")
}
