package checker_test

import (
	"context"
	"fmt"
	"iter"
	"slices"

	"github.com/tcpcheck/tcpcheck/checker"
)

// jugs is the water-jug puzzle of Die Hard 3: with a 3-gallon and a
// 5-gallon jug, measure exactly 4 gallons.
type jugs struct{ Small, Big int }

type dieHard struct{}

func (dieHard) Init() iter.Seq[jugs] { return slices.Values([]jugs{{0, 0}}) }

func (dieHard) Next(j jugs) iter.Seq2[string, jugs] {
	return func(yield func(string, jugs) bool) {
		pourToBig := min(j.Small, 5-j.Big)
		pourToSmall := min(j.Big, 3-j.Small)
		_ = yield("fill small", jugs{3, j.Big}) &&
			yield("fill big", jugs{j.Small, 5}) &&
			yield("empty small", jugs{0, j.Big}) &&
			yield("empty big", jugs{j.Small, 0}) &&
			yield("small to big", jugs{j.Small - pourToBig, j.Big + pourToBig}) &&
			yield("big to small", jugs{j.Small + pourToSmall, j.Big - pourToSmall})
	}
}

// The puzzle is solved by a state that violates "the big jug never holds 4
// gallons"; breadth-first search finds a shortest solution.
func Example() {
	res, err := checker.Explore(context.Background(), dieHard{}, checker.Options[jugs, string]{
		Invariants: []checker.Invariant[jugs]{{
			Name:  "NotSolved",
			Holds: func(j *jugs) bool { return j.Big != 4 },
		}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Verdict, res.Violations[0].Name)
	for _, step := range res.Violations[0].Trace {
		action := step.Action
		if !step.HasAction {
			action = "initially"
		}
		fmt.Printf("%-13s small=%d big=%d\n", action, step.State.Small, step.State.Big)
	}
	fmt.Println(res.Stats.Distinct, "states,", res.Stats.Generated, "generated")
	// Output:
	// violated NotSolved
	// initially     small=0 big=0
	// fill big      small=0 big=5
	// big to small  small=3 big=2
	// empty small   small=0 big=2
	// big to small  small=2 big=0
	// fill big      small=2 big=5
	// big to small  small=3 big=4
	// 14 states, 73 generated
}

// A Counter counts the states a search stores and the transitions it
// takes: here the states where a jug is full, and the transitions that
// pour. The counts are the same for any number of workers.
func ExampleCounter() {
	res, err := checker.Explore(context.Background(), dieHard{}, checker.Options[jugs, string]{
		Workers: 2,
		Counters: []checker.Counter[jugs, string]{{
			Name: "full",
			State: func(j *jugs) uint64 {
				var bits uint64
				if j.Small == 3 {
					bits |= 1 << 0
				}
				if j.Big == 5 {
					bits |= 1 << 1
				}
				return bits
			},
		}, {
			Name: "pours",
			Step: func(_ *jugs, a string, _ *jugs) uint64 {
				if a == "small to big" || a == "big to small" {
					return 1
				}
				return 0
			},
		}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Stats.Distinct, "states:", res.Counts[0][0], "with the small jug full,", res.Counts[0][1], "with the big one")
	fmt.Println(res.Stats.Generated-1, "transitions:", res.Counts[1][0], "pour") // Generated counts the initial state too
	// Output:
	// 16 states: 6 with the small jug full, 4 with the big one
	// 96 transitions: 32 pour
}
