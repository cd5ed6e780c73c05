package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The committed diagrams are what docgen writes now: a change to the
// model or to the graphs package that changes a diagram must come with
// the regenerated files. SVG is compared too: the renderer is
// deterministic (see graphs.SVG).
func TestDocsUpToDate(t *testing.T) {
	const dir, md = "../../../docs/diagrams", "../../../docs/diagrams.md"
	const fix = "docs are stale: run go generate ./graphs/..."
	files, err := generate(context.Background())
	require.NoError(t, err)
	names := map[string]bool{}
	for _, f := range files {
		names[f.name] = true
		committed, err := os.ReadFile(filepath.Join(dir, f.name))
		require.NoError(t, err, fix)
		require.Equal(t, string(f.data), string(committed), "%s: %s", f.name, fix)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		require.True(t, names[e.Name()], "%s is not generated: remove it", e.Name())
	}
	doc, err := os.ReadFile(md)
	require.NoError(t, err)
	spliced, err := splice(append([]byte(nil), doc...), files)
	require.NoError(t, err)
	require.Equal(t, string(spliced), string(doc), "docs/diagrams.md: "+fix)
}

func TestSplice(t *testing.T) {
	files := []file{{"endpoint-arcs.md", []byte("| table |\n")}, {"trace-time-wait.txt", []byte("chart\n")}}
	doc := "# D\n<!-- generated: endpoint-arcs.md -->\nold\n<!-- end -->\ntext\n<!-- generated: trace-time-wait.txt -->\n<!-- end -->\n"
	got, err := splice([]byte(doc), files)
	require.NoError(t, err)
	require.Equal(t, "# D\n<!-- generated: endpoint-arcs.md -->\n| table |\n<!-- end -->\ntext\n<!-- generated: trace-time-wait.txt -->\n```\nchart\n```\n<!-- end -->\n", string(got))

	_, err = splice([]byte("# no markers\n"), files)
	require.ErrorContains(t, err, "endpoint-arcs.md")
	_, err = splice([]byte("<!-- generated: endpoint-arcs.md -->\nunterminated\n"), files)
	require.ErrorContains(t, err, "<!-- end -->")
}

// docs/diagrams.md explains every difference between the derived diagram
// and Figure 5: its "Differences from Figure 5" section has an item
// "**FROM → TO, LABEL**" for each extra arc and each arc of the figure
// the model does not take, and no other.
func TestDifferencesDocumented(t *testing.T) {
	d, err := figure5(context.Background())
	require.NoError(t, err)
	var want []string
	for _, a := range d.Extra() {
		want = append(want, a.From.String()+" → "+a.To.String()+", "+a.Label)
	}
	_, missing := d.Coverage()
	for _, f := range missing {
		want = append(want, f.From.String()+" → "+f.To.String()+", "+f.Label)
	}

	doc, err := os.ReadFile("../../../docs/diagrams.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(doc), "\n## Differences from Figure 5\n")
	require.True(t, ok, "no Differences section")
	section, _, _ = strings.Cut(section, "\n## ")
	var documented []string
	for _, m := range regexp.MustCompile(`(?m)^- \*\*([^*]+)\*\*`).FindAllStringSubmatch(section, -1) {
		documented = append(documented, m[1])
	}
	require.ElementsMatch(t, want, documented, "docs/diagrams.md, Differences from Figure 5")
}
