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

// Is a segment retransmitted into a lossy channel eventually delivered?
// Only if delivery is strongly fair: it is enabled only while the segment
// is in the channel, and weak fairness lets the channel lose it every time.
func ExampleEventually() {
	res, err := checker.Explore(context.Background(), lossy{}, checker.Options[channel, string]{KeepGraph: true})
	if err != nil {
		panic(err)
	}
	g, err := checker.CompleteGraph(res)
	if err != nil {
		panic(err)
	}
	is := func(action string) func(string) bool { return func(a string) bool { return a == action } }
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
