package verify_test

import (
	"context"
	"fmt"
	"io"

	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
	"github.com/tcpcheck/tcpcheck/verify"
)

// A user's own invariant, checked with the tool's catalogue on a preset
// with a variant of their choosing, as from their own go test.
func Example() {
	cfg, err := model.LookupPreset("handshake")
	if err != nil {
		panic(err)
	}
	cfg.Variant = model.NoSynAckRetransmit // the configuration carries the variant
	m, err := verify.Segment("handshake", cfg)
	if err != nil {
		panic(err)
	}
	m.Properties = append(m.Properties, properties.Property[model.State, model.Action]{
		ID: "b-answers", Description: "B never sits in SYN-RECEIVED with nothing in flight", Kind: properties.Invariant,
		State: func(s *model.State) bool {
			return s.Ep[model.B].State != model.SynReceived || s.InFlight() > 0 || s.Ep[model.B].Backoff > 0
		},
	})
	res, err := verify.Run(context.Background(), m, verify.Options{Properties: []string{"b-answers", "handshake-ack"}})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Result)
	for _, p := range res.Properties {
		fmt.Println(p.ID, p.Status)
	}
	v := res.Violations[0]
	fmt.Printf("%s: %d steps, the last %q\n", v.Property, len(v.Trace)-1, v.Trace[len(v.Trace)-1].Action)
	missed := verify.Missing(res.Coverage.Arcs)
	fmt.Printf("Figure 5 arcs exercised: %d of %d; the first missed: %s\n", len(res.Coverage.Arcs)-len(missed), len(res.Coverage.Arcs), missed[0])
	res.WriteText(io.Discard) // or os.Stdout: the report as tcpcheck check prints it
	// Output:
	// violation
	// handshake-ack unknown
	// b-answers violated
	// b-answers: 4 steps, the last "net: lose B→A <SEQ=1000><ACK=0><CTL=SYN,ACK>"
	// Figure 5 arcs exercised: 4 of 21; the first missed: LISTEN → CLOSED: CLOSE
}
