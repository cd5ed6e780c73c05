package checker_test

import (
	"context"
	"fmt"
	"iter"
	"slices"

	"github.com/tcpcheck/tcpcheck/checker"
)

// channel is a sender that retransmits into a channel that may lose.
type channel struct{ InFlight, Delivered bool }

type lossy struct{}

func (lossy) Init() iter.Seq[channel] { return slices.Values([]channel{{}}) }

func (lossy) Next(c channel) iter.Seq2[string, channel] {
	return func(yield func(string, channel) bool) {
		switch {
		case c.Delivered:
		case !c.InFlight:
			yield("retransmit", channel{InFlight: true})
		default:
			_ = yield("deliver", channel{Delivered: true}) && yield("lose", channel{})
		}
	}
}

// lossyGraph explores lossy{} and returns its graph.
func lossyGraph() *checker.Graph[channel, string] {
	res, err := checker.Explore(context.Background(), lossy{}, checker.Options[channel, string]{KeepGraph: true})
	if err != nil {
		panic(err)
	}
	g, err := checker.CompleteGraph(res)
	if err != nil {
		panic(err)
	}
	return g
}

// is is the fairness class of one action.
func is(action string) func(string) bool { return func(a string) bool { return a == action } }

// Is a segment retransmitted into a lossy channel eventually delivered?
// Only if delivery is strongly fair: it is enabled only while the segment
// is in the channel, and weak fairness lets the channel lose it every time.
func ExampleEventually() {
	g := lossyGraph()
	delivered := func(c *channel) bool { return c.Delivered }
	for _, strong := range []bool{true, false} {
		fairness := []checker.Fairness[string]{
			{Name: "retransmit", Includes: is("retransmit")},
			{Name: "deliver", Strong: strong, Includes: is("deliver")},
		}
		live, err := checker.Eventually(g, delivered, fairness)
		if err != nil {
			panic(err)
		}
		fmt.Println(live.Fairness, "holds:", live.Holds)
		if l := live.Lasso; l != nil {
			for k, st := range l.Trace {
				if k == l.LoopStart {
					fmt.Println("  loop:")
				}
				fmt.Printf("  %d %s %+v\n", k, st.Action, st.State)
			}
		}
	}
	// Output:
	// [WF(retransmit) SF(deliver)] holds: true
	// [WF(retransmit) WF(deliver)] holds: false
	//   loop:
	//   0  {InFlight:false Delivered:false}
	//   1 retransmit {InFlight:true Delivered:false}
	//   2 lose {InFlight:false Delivered:false}
}

// Two properties decided at once on the lossy channel's graph, one of two
// checks and one of one: "a segment in flight is delivered", in flight
// leading to delivered under weak and under strong fairness (as a
// conjunction, the weak one decides it), and "again and again, a segment
// is in flight or delivered" (TRUE ~> in flight or delivered). The first
// property's second check, after its first fails, is not decided.
func ExampleLeadsToAll() {
	g := lossyGraph()
	weak := []checker.Fairness[string]{{Name: "retransmit", Includes: is("retransmit")}, {Name: "deliver", Includes: is("deliver")}}
	strong := []checker.Fairness[string]{{Name: "retransmit", Includes: is("retransmit")}, {Name: "deliver", Strong: true, Includes: is("deliver")}}
	sets := checker.MarkStates(g, 2,
		func(c *channel) bool { return c.InFlight },
		func(c *channel) bool { return c.Delivered },
		func(c *channel) bool { return true },
		func(c *channel) bool { return c.InFlight || c.Delivered })
	results, errs, _ := checker.LeadsToAll(g, []checker.LeadsToCheck[string]{
		{P: sets[0], Q: sets[1], Fairness: weak, Group: 0},
		{P: sets[0], Q: sets[1], Fairness: strong, Group: 0},
		{P: sets[2], Q: sets[3], Fairness: weak, Group: 1},
	}, 2)
	for k, r := range results {
		switch {
		case errs[k] != nil:
			fmt.Println(k, errs[k])
		case r == nil:
			fmt.Println(k, "not decided")
		default:
			fmt.Println(k, r.Fairness, "holds:", r.Holds)
		}
	}
	// Output:
	// 0 [WF(retransmit) WF(deliver)] holds: false
	// 1 not decided
	// 2 [WF(retransmit) WF(deliver)] holds: true
}
