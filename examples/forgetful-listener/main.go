// Command forgetful-listener checks a TCP variant a stack engineer might
// ship: a listener that forgets a half-open connection after one SYN,ACK
// retransmission instead of RFC 9293's several (to survive SYN floods
// with less memory). It is TCP's rule table with one rule replaced, checked
// against tcpcheck's whole catalogue, and compared with TCP on the same
// network: where TCP holds, the variant leaves the client ESTABLISHED and
// the server in LISTEN after two losses.
//
//	go run ./examples/forgetful-listener
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/verify"
)

func main() {
	// The variant: TCP's timer/retransmit, except that a passive
	// SYN-RECEIVED gives up after one retransmission.
	tcpTimer, _ := model.LookupRule("timer/retransmit")
	forgetful, err := model.NewVariant("forgetful-listener", "a listener forgets a half-open connection after one SYN,ACK retransmission",
		model.Rule{
			Name:    "timer/retransmit",
			Section: "example: RFC 9293 §3.10.8 with one SYN,ACK retry",
			Summary: "a passive SYN-RECEIVED drops back to LISTEN at its second timeout",
			Apply: func(t *model.Transition, ev *model.Event) bool {
				e := &t.State().Ep[ev.Side]
				if e.State == model.SynReceived && e.Passive && e.Backoff >= 1 && e.SndUna != e.SndNxt {
					t.BackToListen(ev.Side)
					return true
				}
				return tcpTimer.Apply(t, ev)
			},
		})
	if err != nil {
		log.Fatal(err)
	}

	// The network: the handshake preset with two losses.
	for _, v := range []model.Variant{model.TCP, forgetful} {
		cfg, err := model.LookupPreset("handshake")
		if err != nil {
			log.Fatal(err)
		}
		cfg.MaxLosses, cfg.Variant = 2, v
		m, err := verify.Segment("handshake", cfg)
		if err != nil {
			log.Fatal(err)
		}
		res, err := verify.Run(context.Background(), m, verify.Options{})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("== %s: %s (%d states)\n", v, res.Result, res.States)
		for _, p := range res.Properties {
			fmt.Printf("  %-24s %s\n", p.ID, p.Status)
		}
		for _, viol := range res.Violations {
			fmt.Println()
			viol.WriteText(os.Stdout)
		}
		fmt.Println()
	}
}
