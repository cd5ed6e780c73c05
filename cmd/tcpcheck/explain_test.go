package main

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/properties"
)

// docs/seed-claims.md and its charts are what a fresh run of every claim
// gives: the page's verdicts cannot drift from the model's. Refresh with
// 'go test ./cmd/tcpcheck -run SeedClaims -update' (or 'go run
// ./cmd/tcpcheck explain --write-docs docs').
func TestSeedClaimsDocIsFresh(t *testing.T) {
	results, err := runClaims(context.Background(), properties.Claims())
	require.NoError(t, err)
	for _, r := range results {
		require.True(t, r.confirmed(), "claim %s disagrees with the seed", r.claim.ID)
	}
	docs := filepath.Join("..", "..", "docs")
	if *update {
		require.NoError(t, os.RemoveAll(filepath.Join(docs, "claims")))
		require.NoError(t, writeClaimDocs(docs, results))
		return
	}
	fresh := t.TempDir()
	require.NoError(t, writeClaimDocs(fresh, results))
	for _, name := range filesUnder(t, fresh) {
		want, err := os.ReadFile(filepath.Join(fresh, name))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(docs, name))
		require.NoError(t, err, "docs/%s is missing: run go run ./cmd/tcpcheck explain --write-docs docs", name)
		require.Equal(t, string(want), string(got), "docs/%s is stale: run go run ./cmd/tcpcheck explain --write-docs docs", name)
	}
	require.Equal(t, filesUnder(t, filepath.Join(fresh, "claims")), filesUnder(t, filepath.Join(docs, "claims")), "docs/claims holds charts no claim makes")
}

func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		names = append(names, rel)
		return err
	}))
	sort.Strings(names)
	return names
}

func TestExplain(t *testing.T) {
	out, errOut, code := tcpcheck(t, "explain", "3")
	require.Equal(t, exitOK, code, errOut)
	golden(t, "explain-3.txt", out)

	// A witness is described once, with its own configuration (claim
	// 7's needs three losses, its experiments one).
	out, _, code = tcpcheck(t, "explain", "7")
	require.Equal(t, exitOK, code)
	require.Equal(t, 1, strings.Count(out, "the server drops its half-open entry after its retries"), out)
	require.Regexp(t, `(?m)^  witness: .*\n    config: .*max-losses=3 `, out)
	require.Equal(t, 1, strings.Count(out, "no action is enabled, yet A is ESTABLISHED"), "an experiment's sentence once")

	out, _, code = tcpcheck(t, "explain", "--markdown", "9")
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "## 9. TIME-WAIT and 2MSL")
	require.Contains(t, out, "| no-time-wait | clean-close | **violated** | violated |")

	_, errOut, code = tcpcheck(t, "explain", "10")
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, `claim: unknown claim "10"`)
}
