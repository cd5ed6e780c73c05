package fuzz_test

import (
	"fmt"
	"os"
	"testing"

	"pgregory.net/rapid"

	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
	"github.com/tcpcheck/tcpcheck/properties/fuzz"
)

// Fuzz a variant of TCP: random walks of the handshake with the planted
// bug bug-ack-seq, checked against handshake-ack, until one fails; the
// seed that failed walks the same behaviour again.
func Example() {
	cfg, err := model.LookupPreset("handshake")
	if err != nil {
		panic(err)
	}
	cfg.Variant = model.BugAckSeq
	m, err := model.New(cfg)
	if err != nil {
		panic(err)
	}
	props, err := properties.Select(properties.Segment(), []string{"handshake-ack"})
	if err != nil {
		panic(err)
	}
	for seed := uint64(1); seed <= 100; seed++ {
		out := fuzz.RandomWalk(fuzz.Segment(m, props), 1000, seed, nil)
		if out.Violation != nil {
			fmt.Printf("seed %d:\n", seed)
			fuzz.WriteViolation(os.Stdout, out.Violation, fuzz.SegmentColumns)
			return
		}
	}
	// Output:
	// seed 2:
	// VIOLATION handshake-ack (invariant): B answered the SYN with seq 4294967295 by <SEQ=1000><ACK=4294967295><CTL=SYN,ACK>: the SYN,ACK must acknowledge 0
	// random walk, 3 step(s):
	//
	//    STEP  ACTION                            A         B             IN FLIGHT
	//       0  (initial state)                   CLOSED    CLOSED        -
	//       1  A: active OPEN (ISN #0)           SYN-SENT  CLOSED        A→B <SEQ=4294967295><CTL=SYN>
	//       2  B: passive OPEN                   SYN-SENT  LISTEN        A→B <SEQ=4294967295><CTL=SYN>
	// =>    3  B: rcv <SEQ=4294967295><CTL=SYN>  SYN-SENT  SYN-RECEIVED  B→A <SEQ=1000><ACK=4294967295><CTL=SYN,ACK>
}

// Walk in a property-based test: rapid draws a configuration and a
// behaviour, and shrinks a failure to a short event order. This test
// fails, printing the violation of handshake-ack that bug-ack-seq makes.
func ExampleWalk() {
	testBugAckSeq := func(t *testing.T) {
		props, err := properties.Select(properties.Segment(), []string{"handshake-ack"})
		if err != nil {
			t.Fatal(err)
		}
		rapid.Check(t, func(t *rapid.T) {
			cfg := fuzz.SegmentConfigs().Draw(t, "config")
			cfg.Variant = model.BugAckSeq
			m, err := model.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			fuzz.Walk(t, fuzz.Segment(m, props), 50)
		})
	}
	_ = testBugAckSeq // in a _test.go file: func TestBugAckSeq(t *testing.T) { ... }
}
