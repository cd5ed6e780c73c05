package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The handshake preset never closes: its report names the closing arcs of
// Figure 5 as not exercised, in the summary line, the table and the JSON.
func TestCoverageNamesTheArcsMissed(t *testing.T) {
	out, errOut, code := tcpcheck(t, "check", "--preset", "handshake", "--no-temporal")
	require.Equal(t, exitOK, code, errOut)
	line := regexp.MustCompile(`(?m)^coverage: Figure 5 arcs (\d+)/21 \(not exercised: (.*?)\), action kinds`).FindStringSubmatch(out)
	require.NotNil(t, line, out)
	require.Contains(t, line[2], "ESTABLISHED → FIN-WAIT-1: CLOSE / snd FIN")
	require.Contains(t, line[2], "TIME-WAIT → CLOSED: Timeout=2MSL")
	require.NotContains(t, line[2], "SYN-SENT → ESTABLISHED", "the handshake takes this arc")

	out, _, code = tcpcheck(t, "check", "--preset", "handshake", "--no-temporal", "--coverage")
	require.Equal(t, exitOK, code)
	require.Regexp(t, `(?m)^  ESTABLISHED → FIN-WAIT-1: CLOSE / snd FIN +0  never$`, out)
	require.Regexp(t, `(?m)^  SYN-SENT → ESTABLISHED: rcv SYN,ACK / snd ACK +[1-9]\d*$`, out)
	require.Regexp(t, `(?m)^  CLOSE +0  never$`, out)

	out, _, code = tcpcheck(t, "check", "--preset", "handshake", "--no-temporal", "--json")
	require.Equal(t, exitOK, code)
	var doc struct {
		Coverage struct {
			Figure  string
			Actions []struct {
				Name  string
				Count int
			}
			Arcs []struct {
				Name  string
				Count int
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Equal(t, "Figure 5", doc.Coverage.Figure)
	require.Len(t, doc.Coverage.Arcs, 21)
	arcs := map[string]int{}
	for _, a := range doc.Coverage.Arcs {
		arcs[a.Name] = a.Count
	}
	require.Zero(t, arcs["ESTABLISHED → FIN-WAIT-1: CLOSE / snd FIN"])
	require.Positive(t, arcs["SYN-SENT → ESTABLISHED: rcv SYN,ACK / snd ACK"])
	require.Equal(t, "passive OPEN", doc.Coverage.Actions[0].Name)
}

// The diagram model's coverage is per action of the TLA+ specification.
func TestCoverageDiagramModel(t *testing.T) {
	out, _, code := tcpcheck(t, "check", "--model", "diagram", "--coverage")
	require.Equal(t, exitOK, code)
	require.Regexp(t, `(?m)^  ACTIVE_OPEN +0  never$`, out, "the example's setup makes no further opens")
	require.Regexp(t, `(?m)^  Note3 +[1-9]\d*$`, out)
}

// A depth-first counterexample is never called shortest.
func TestDFSIsNotShortest(t *testing.T) {
	args := []string{"check", "--preset", "handshake", "--max-losses", "2", "--max-retries", "1", "--no-temporal"}
	out, _, code := tcpcheck(t, append(args, "--dfs")...)
	require.Equal(t, exitViolation, code)
	require.NotContains(t, strings.ToLower(out), "shortest")
	require.Contains(t, out, "counterexample found depth first (a breadth-first search may find a shorter one), 8 step(s):")
	out, _, _ = tcpcheck(t, append(args, "--dfs", "--json")...)
	var doc struct {
		Search     string
		Violations []struct{ Shortest bool }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Equal(t, "dfs", doc.Search)
	require.False(t, doc.Violations[0].Shortest)

	out, _, _ = tcpcheck(t, args...)
	require.Contains(t, out, "shortest counterexample")
}

// With every temporal property selected, the fairness line names each.
func TestFairnessLineNamesEveryProperty(t *testing.T) {
	out, _, code := tcpcheck(t, "check", "--preset", "handshake")
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "\neventually-closed, no-silent-loss, handshake-completes assume fairness: SF(deliver to A)")
	out, _, _ = tcpcheck(t, "check", "--preset", "handshake", "--property", "no-silent-loss")
	require.Contains(t, out, "\nno-silent-loss assumes fairness: ")
}

// check --json gives the configuration as an object, and as a line.
func TestCheckJSONConfigObject(t *testing.T) {
	out, _, code := tcpcheck(t, "check", "--json", "--preset", "handshake", "--max-losses", "2", "--variant", "no-syn-cookies", "--no-temporal")
	require.Equal(t, exitOK, code)
	var doc struct {
		Config     map[string]any
		ConfigLine string `json:"config_line"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Equal(t, 2.0, doc.Config["max_losses"])
	require.Equal(t, "no-syn-cookies", doc.Config["variant"])
	require.Equal(t, "listen", doc.Config["b"])
	require.Contains(t, doc.ConfigLine, "max-losses=2")
}

func TestSimulateJSON(t *testing.T) {
	out, errOut, code := tcpcheck(t, "simulate", "--variant", "bug-ack-seq", "--property", "handshake-ack", "--seed", "1", "--json")
	require.Equal(t, exitViolation, code, errOut)
	var doc struct {
		Result     string
		Seed       uint64
		WalksTaken int `json:"walks_taken"`
		Violation  struct {
			Property string
			Trace    []struct{ Action, A, B string }
		}
		Reproduce string
		Coverage  struct{ Actions []struct{ Name string } }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Equal(t, "violation", doc.Result)
	require.Equal(t, uint64(1), doc.Seed)
	require.Equal(t, "handshake-ack", doc.Violation.Property)
	require.NotEmpty(t, doc.Violation.Trace)
	require.Contains(t, doc.Reproduce, "tcpcheck simulate ")
	require.NotContains(t, doc.Reproduce, "--json")
	require.NotEmpty(t, doc.Coverage.Actions)
}

func TestSimulateTimeout(t *testing.T) {
	out, _, code := tcpcheck(t, "simulate", "--preset", "stress", "--walks", "100000000", "--timeout", "300ms", "--seed", "1")
	require.Equal(t, exitIncomplete, code, out)
	require.Regexp(t, `(?m)^--timeout reached after \d+ of 100000000 walks$`, out)
	require.Contains(t, out, "result: incomplete")
	_, errOut, code := tcpcheck(t, "simulate", "--timeout", "-1s")
	require.Equal(t, exitUsage, code)
	require.Equal(t, "tcpcheck simulate: --timeout: must not be negative, not -1s\n", errOut)
}

func TestListJSON(t *testing.T) {
	out, _, code := tcpcheck(t, "list", "--json")
	require.Equal(t, exitOK, code)
	var doc struct {
		Models []struct {
			Name       string
			Presets    []struct{ Name string }
			Variants   []struct{ Name string }
			Properties []struct{ Name, Kind string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Models, 2)
	require.Equal(t, "segment", doc.Models[0].Name)
	require.Equal(t, "diagram", doc.Models[1].Name)
	text, _, _ := tcpcheck(t, "list")
	for _, m := range doc.Models {
		for _, p := range m.Presets {
			require.Contains(t, text, "  "+p.Name)
		}
		for _, p := range m.Properties {
			require.Contains(t, text, "  "+p.Name)
		}
	}
	require.NotEmpty(t, doc.Models[0].Variants)
}

func TestProgressFlag(t *testing.T) {
	_, errOut, code := tcpcheck(t, "check", "--progress", "sometimes")
	require.Equal(t, exitUsage, code)
	require.Equal(t, "tcpcheck check: --progress: unknown mode \"sometimes\" (known: auto, always, never)\n", errOut)
	// A short search writes no progress line, in any mode.
	_, errOut, code = tcpcheck(t, "check", "--preset", "handshake", "--progress", "always")
	require.Equal(t, exitOK, code)
	require.Empty(t, errOut)
}

func TestNoCoverage(t *testing.T) {
	out, _, code := tcpcheck(t, "check", "--preset", "handshake", "--no-temporal", "--no-coverage")
	require.Equal(t, exitOK, code)
	require.NotContains(t, out, "coverage:")
	out, _, _ = tcpcheck(t, "check", "--preset", "handshake", "--no-temporal", "--no-coverage", "--json")
	require.NotContains(t, out, `"coverage"`)
	_, errOut, code := tcpcheck(t, "check", "--coverage", "--no-coverage")
	require.Equal(t, exitUsage, code)
	require.Equal(t, "tcpcheck check: --coverage and --no-coverage: choose one\n", errOut)
}

func TestNoTemporalLeavesNothing(t *testing.T) {
	_, errOut, code := tcpcheck(t, "check", "--no-temporal", "--property", "eventually-closed")
	require.Equal(t, exitUsage, code)
	require.Equal(t, "tcpcheck check: --no-temporal leaves no property to check\n", errOut)
}

func TestSimulateOnlyTemporal(t *testing.T) {
	_, errOut, code := tcpcheck(t, "simulate", "--property", "eventually-closed")
	require.Equal(t, exitUsage, code)
	require.Equal(t, "tcpcheck simulate: property: eventually-closed is temporal, which a random walk cannot decide (a search can: tcpcheck check, verify.Run)\n", errOut)
}

// A search stopped early says its coverage is what it saw so far.
func TestCoverageOfAnIncompleteSearch(t *testing.T) {
	out, _, code := tcpcheck(t, "check", "--max-states", "100")
	require.Equal(t, exitIncomplete, code)
	require.Regexp(t, `(?m)^coverage so far: Figure 5 arcs`, out)
	out, _, _ = tcpcheck(t, "check", "--max-states", "100", "--json")
	var doc struct{ Coverage struct{ Complete bool } }
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.False(t, doc.Coverage.Complete)
	out, _, _ = tcpcheck(t, "check", "--preset", "handshake", "--json")
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.True(t, doc.Coverage.Complete)
}

// The segment model names the rules of RFC 9293 §3.10 that make each
// transition: coverage counts them and names those never used.
func TestCoverageByRule(t *testing.T) {
	out, _, code := tcpcheck(t, "check", "--preset", "handshake", "--no-temporal", "--coverage")
	require.Equal(t, exitOK, code)
	require.Regexp(t, `(?m)^  RULE +TRANSITIONS$`, out)
	require.Regexp(t, `(?m)^  segment/listen/syn +[1-9]\d*$`, out)
	require.Regexp(t, `(?m)^  call/close +0  never$`, out, "the handshake preset never closes")
	require.Regexp(t, `(?m)^coverage: Figure 5 arcs 6/21 \(.*\), rules \d+/\d+ \(not exercised: .*call/close.*\), action kinds`, out)
	out, _, _ = tcpcheck(t, "check", "--preset", "handshake", "--no-temporal", "--json")
	var doc struct {
		Coverage struct{ Rules []struct{ Name string } }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.NotEmpty(t, doc.Coverage.Rules)
	require.Equal(t, "call/open/passive", doc.Coverage.Rules[0].Name)
}
