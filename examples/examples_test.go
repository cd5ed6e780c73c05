package examples

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite each example's expected.txt")

// Each example runs as a user would run it, with go run, and prints what
// its expected.txt says.
func TestExamplesOutput(t *testing.T) {
	dirs, err := filepath.Glob("*/main.go")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(dirs), 2)
	for _, main := range dirs {
		dir := filepath.Dir(main)
		t.Run(dir, func(t *testing.T) {
			out, err := exec.Command("go", "run", "./"+dir).CombinedOutput()
			require.NoError(t, err, "%s", out)
			want := filepath.Join(dir, "expected.txt")
			if *update {
				require.NoError(t, os.WriteFile(want, out, 0o644))
			}
			expected, err := os.ReadFile(want)
			require.NoError(t, err, "run go test ./examples -update")
			require.Equal(t, string(expected), string(out), "%s: run go test ./examples -update and review the diff", dir)
		})
	}
}

// Every Go block of docs/extending.md is a whole program that builds.
func TestDocSnippetsBuild(t *testing.T) {
	doc, err := os.ReadFile("../docs/extending.md")
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	require.GreaterOrEqual(t, len(blocks), 3)
	for i, b := range blocks {
		// Inside the module, so that its packages resolve as a user's
		// module would see them.
		dir, err := os.MkdirTemp(".", ".snippet-")
		require.NoError(t, err)
		t.Cleanup(func() { os.RemoveAll(dir) })
		require.True(t, strings.HasPrefix(b[1], "package main"), "snippet %d is not a whole program", i+1)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(b[1]), 0o644))
		out, err := exec.Command("go", "build", "-o", os.DevNull, "./"+dir).CombinedOutput()
		require.NoError(t, err, "docs/extending.md, Go block %d:\n%s", i+1, out)
	}
}
