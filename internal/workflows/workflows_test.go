package workflows

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

const root = "../.."

// workflow is what GitHub reads of a workflow file.
type workflow struct {
	On   yaml.Node
	Jobs map[string]struct {
		If     string
		RunsOn string `yaml:"runs-on"`
		Steps  []map[string]any
	}
}

// events are the triggers of on:, in any of its forms: a word, a list of
// words, or a mapping from event to its settings.
func (w *workflow) events() map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	switch w.On.Kind {
	case yaml.ScalarNode:
		out[w.On.Value] = nil
	case yaml.SequenceNode:
		for _, n := range w.On.Content {
			out[n.Value] = nil
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(w.On.Content); i += 2 {
			out[w.On.Content[i].Value] = w.On.Content[i+1]
		}
	}
	return out
}

var waitsFor = regexp.MustCompile(`github\.event_name == '(\w+)'`)

// problems lists what stops src from being a workflow GitHub runs as
// written: YAML that does not parse, no or unknown events, a schedule
// without a five-field cron, a job with no runner or no steps, a step
// that neither uses an action nor runs a command, and a job waiting for
// an event that does not trigger the workflow.
func problems(src []byte) (*workflow, []string) {
	var w workflow
	if err := yaml.Unmarshal(src, &w); err != nil {
		return nil, []string{err.Error()}
	}
	var out []string
	events := w.events()
	if len(events) == 0 {
		out = append(out, "on: names no event")
	}
	for e := range events {
		if !slices.Contains([]string{"push", "pull_request", "schedule", "workflow_dispatch"}, e) {
			out = append(out, fmt.Sprintf("on: unknown event %q", e))
		}
	}
	if s, ok := events["schedule"]; ok {
		var crons []struct{ Cron string }
		if s == nil || s.Decode(&crons) != nil || len(crons) == 0 {
			out = append(out, "schedule: is not a list of {cron: ...}")
		}
		for _, c := range crons {
			if len(strings.Fields(c.Cron)) != 5 {
				out = append(out, fmt.Sprintf("cron %q has not five fields", c.Cron))
			}
		}
	}
	if len(w.Jobs) == 0 {
		out = append(out, "no jobs")
	}
	for name, j := range w.Jobs {
		if j.RunsOn == "" {
			out = append(out, fmt.Sprintf("job %s: no runs-on", name))
		}
		if len(j.Steps) == 0 {
			out = append(out, fmt.Sprintf("job %s: no steps", name))
		}
		for _, s := range j.Steps {
			_, uses := s["uses"]
			_, run := s["run"]
			if uses == run {
				out = append(out, fmt.Sprintf("job %s: a step must either use an action or run a command: %v", name, s))
			}
		}
		if m := waitsFor.FindStringSubmatch(j.If); m != nil {
			if _, ok := events[m[1]]; !ok {
				out = append(out, fmt.Sprintf("job %s waits for %s, which does not trigger the workflow", name, m[1]))
			}
		}
	}
	slices.Sort(out)
	return &w, out
}

func TestCIWorkflow(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(root, ".github", "workflows", "ci.yml"))
	require.NoError(t, err)
	w, bad := problems(src)
	require.Empty(t, bad)
	require.Contains(t, w.events(), "push")
	require.Contains(t, w.events(), "pull_request")
	runsCI := false
	for _, j := range w.Jobs {
		for _, s := range j.Steps {
			if run, ok := s["run"].(string); ok && strings.Contains(run, ".ci/run") {
				runsCI = true
			}
		}
	}
	require.True(t, runsCI, "ci.yml runs .ci/run")
	_, err = os.Stat(filepath.Join(root, ".ci", "run"))
	require.NoError(t, err)
}

// The workflow docs/fuzzing.md gives users is valid too, and the fuzz
// targets it names exist.
func TestFuzzingDocWorkflow(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(root, "docs", "fuzzing.md"))
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(doc, -1)
	require.Len(t, blocks, 1)
	_, bad := problems(blocks[0][1])
	require.Empty(t, bad)

	var targets []string
	for _, m := range regexp.MustCompile(`for target in ([\w ]+);`).FindAllSubmatch(blocks[0][1], -1) {
		targets = append(targets, strings.Fields(string(m[1]))...)
	}
	require.NotEmpty(t, targets)
	var defined []string
	files, err := filepath.Glob(filepath.Join(root, "cmd", "tcpcheck", "*_test.go"))
	require.NoError(t, err)
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range regexp.MustCompile(`(?m)^func (Fuzz\w+)\(`).FindAllSubmatch(src, -1) {
			defined = append(defined, string(m[1]))
		}
	}
	for _, target := range targets {
		require.True(t, slices.Contains(defined, target), "%s is not a fuzz target of cmd/tcpcheck", target)
	}
}

// The mistake the docs once made, and others: problems finds each.
func TestProblemsFound(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"on: [push, pull_request]\njobs:\n  nightly:\n    if: github.event_name == 'schedule'\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n",
			"job nightly waits for schedule, which does not trigger the workflow"},
		{"on:\n  schedule: '0 3 * * *'\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n", "schedule: is not a list of {cron: ...}"},
		{"on: push\njobs:\n  a:\n    steps:\n      - run: echo\n", "job a: no runs-on"},
		{"on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - name: nothing\n", "job a: a step must either use an action or run a command: map[name:nothing]"},
		{"on: pushed\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n", `on: unknown event "pushed"`},
		{"on: [push\n", "yaml: line 1: did not find expected ',' or ']'"},
	} {
		_, bad := problems([]byte(tt.src))
		require.Equal(t, []string{tt.want}, bad, tt.src)
	}
}
