package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// reproduceLine is the command simulate prints to walk a violation again.
var reproduceLine = regexp.MustCompile(`(?m)^  tcpcheck (simulate .*)$`)

// A violation's seed walks the same behaviour again, alone: the command
// simulate prints gives the same trace.
func TestSimulateReproducesAViolationFromItsSeed(t *testing.T) {
	out, _, code := tcpcheck(t, "simulate", "--preset", "simultaneous", "--reorder", "--data-a", "1", "--early-close=false", "--seed", "5", "--walks", "500")
	require.Equal(t, exitViolation, code, out)
	m := reproduceLine.FindStringSubmatch(out)
	require.NotNil(t, m, out)
	require.Contains(t, m[1], "--early-close=false")
	require.Contains(t, m[1], "--walks 1")
	again, _, code := tcpcheck(t, strings.Fields(m[1])...)
	require.Equal(t, exitViolation, code, again)
	require.Equal(t, violationOf(out), violationOf(again))
	require.Contains(t, again, "1 walk(s),")
}

// violationOf is the violation and its trace, from a simulate report.
func violationOf(out string) string {
	i := strings.Index(out, "VIOLATION ")
	j := strings.Index(out, "found by walk")
	if i < 0 || j < i {
		return ""
	}
	return out[i:j]
}

// Without --seed the seed comes from the clock, and is printed: the same
// seed gives the same run.
func TestSimulatePrintsItsSeed(t *testing.T) {
	out, _, code := tcpcheck(t, "simulate", "--walks", "3")
	require.Equal(t, exitOK, code)
	m := regexp.MustCompile(`(?m)^seed: (\d+) `).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	again, _, code := tcpcheck(t, "simulate", "--walks", "3", "--seed", m[1])
	require.Equal(t, exitOK, code)
	require.Equal(t, timing.ReplaceAllString(out, ""), timing.ReplaceAllString(again, ""))
}
func TestShellWord(t *testing.T) {
	require.Equal(t, "listen+connect", shellWord("listen+connect"))
	require.Equal(t, "4294967295,7", shellWord("4294967295,7"))
	require.Equal(t, "''", shellWord(""))
	require.Equal(t, `'a b'`, shellWord("a b"))
	require.Equal(t, `'it'\''s'`, shellWord("it's"))
}
