// Package fuzz checks properties along random behaviours of a system, for
// configurations too large to explore and for property-based tests with
// rapid (pgregory.net/rapid). Exhaustive search (package checker) covers
// every behaviour within small bounds; a random walk covers one behaviour
// at a time, but reaches as far as it is let.
//
// A Target is what to walk: a checker.System, the properties to check on
// every state and transition it passes, which dead ends are legitimate,
// and how a state prints in a trace table. Walk draws a behaviour with
// rapid, so a failure shrinks to a short event order; RandomWalk draws one
// from a seed, so a failure is reproduced by its seed; Check checks a
// given trace. All three check a step the same way.
//
// The smallest use fuzzes a variant of the TCP model in a test:
//
//	func TestMyVariant(t *testing.T) {
//		props, _ := properties.Select(properties.Segment(), []string{"handshake-ack"})
//		rapid.Check(t, func(t *rapid.T) {
//			cfg := fuzz.SegmentConfigs().Draw(t, "config")
//			cfg.Variant = model.BugAckSeq
//			m, err := model.New(cfg)
//			if err != nil {
//				t.Fatal(err)
//			}
//			fuzz.Walk(t, fuzz.Segment(m, props), 40)
//		})
//	}
//
// A failure prints the shrunk behaviour in the table format of tcpcheck's
// counterexamples. A walk is a test, not a proof: that no walk failed says
// nothing of the behaviours no walk took.
package fuzz
