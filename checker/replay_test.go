package checker

import (
	"iter"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReplay(t *testing.T) {
	sys := counter(5)
	require.NoError(t, Replay(sys, []Step[int, string]{start(0)}))
	require.NoError(t, Replay(sys, []Step[int, string]{start(0), step("inc", 1), step("reset", 0)}))

	for name, trace := range map[string][]Step[int, string]{
		"empty":          nil,
		"not initial":    {start(1)},
		"action at 0":    {step("inc", 0)},
		"no action":      {start(0), start(1)},
		"wrong action":   {start(0), step("reset", 1)},
		"wrong state":    {start(0), step("inc", 2)},
		"past the end":   {start(0), step("inc", 1), step("inc", 2), step("inc", 3), step("inc", 4), step("inc", 5)},
		"from bad state": {start(0), step("inc", 1), step("inc", 3)},
	} {
		require.Error(t, Replay(sys, trace), name)
	}
	require.Error(t, Replay(System[int, string](nil), []Step[int, string]{start(0)}))
}

// sliceActions labels its transitions with slices, which == cannot
// compare: from x, [x] leads to x+1 and [x 1] to x+2.
type sliceActions struct{}

func (sliceActions) Init() iter.Seq[int] { return slices.Values([]int{0}) }

func (sliceActions) Next(x int) iter.Seq2[[]int, int] {
	return func(yield func([]int, int) bool) {
		_ = yield([]int{x}, x+1) && yield([]int{x, 1}, x+2)
	}
}

func TestReplayNonComparableActions(t *testing.T) {
	// Actions are compared as printed, so any A will do.
	ok := []Step[int, []int]{{State: 0}, {Action: []int{0, 1}, HasAction: true, State: 2}}
	require.NoError(t, Replay(sliceActions{}, ok))
	bad := []Step[int, []int]{{State: 0}, {Action: []int{0}, HasAction: true, State: 2}}
	require.Error(t, Replay(sliceActions{}, bad))
}
