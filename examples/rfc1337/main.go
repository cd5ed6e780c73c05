// Command rfc1337 writes a property of its own and a variant of its own:
// "TIME-WAIT is never ended by a RST" (RFC 1337's hazard TW1, TIME-WAIT
// assassination), and TCP with RFC 1337's fix — TIME-WAIT ignores RST —
// as one replaced rule. On a network that duplicates a segment, TCP
// violates the property (a delayed copy of the last ACK reaches the closed
// peer, whose RST ends TIME-WAIT early) and the fixed variant holds, with
// the rest of tcpcheck's catalogue checked alongside.
//
//	go run ./examples/rfc1337
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
	"github.com/tcpcheck/tcpcheck/verify"
)

// notAssassinated is the user's property: a transition invariant over
// (from, action, to), with a premise so that tcpcheck can say whether a
// "holds" is vacuous, and a sentence for the counterexample.
var notAssassinated = properties.Property[model.State, model.Action]{
	ID:          "time-wait-not-assassinated",
	Description: "a RST never ends TIME-WAIT before its 2MSL",
	Source:      "RFC 1337 §2 (hazard TW1)",
	Kind:        properties.Invariant,
	Step: func(from *model.State, a model.Action, to *model.State) bool {
		return !assassinated(from, a, to)
	},
	Premises: []properties.Premise[model.State, model.Action]{{
		Name: "a RST reaches TIME-WAIT",
		Step: func(from *model.State, a model.Action, _ *model.State) bool {
			return a.Kind == model.Deliver && a.Seg.Has(model.RST) && from.Ep[a.Side].State == model.TimeWait
		},
	}},
	Why: func(from *model.State, a model.Action, to *model.State) string {
		return fmt.Sprintf("%s left TIME-WAIT on %s, before 2MSL", a.Side, a.Seg)
	},
}

func assassinated(from *model.State, a model.Action, to *model.State) bool {
	return a.Kind == model.Deliver && a.Seg.Has(model.RST) &&
		from.Ep[a.Side].State == model.TimeWait && to.Ep[a.Side].State != model.TimeWait
}

func main() {
	tcpRST, _ := model.LookupRule("segment/rst")
	rfc1337, err := model.NewVariant("rfc1337", "TIME-WAIT ignores RST segments (RFC 1337 §3, fix TW1)",
		model.Rule{
			Name:    "segment/rst",
			Section: "RFC 1337 §3",
			Summary: "a RST reaching TIME-WAIT is ignored; elsewhere as RFC 9293",
			Apply: func(t *model.Transition, ev *model.Event) bool {
				if ev.Seg.Has(model.RST) && t.State().Ep[ev.Side].State == model.TimeWait {
					return true // dropped: TIME-WAIT runs its 2MSL
				}
				return tcpRST.Apply(t, ev)
			},
		})
	if err != nil {
		log.Fatal(err)
	}

	for _, v := range []model.Variant{model.TCP, rfc1337} {
		cfg, err := model.LookupPreset("close")
		if err != nil {
			log.Fatal(err)
		}
		cfg.MaxDups, cfg.Capacity, cfg.Variant = 1, 6, v
		m, err := verify.Segment("close", cfg)
		if err != nil {
			log.Fatal(err)
		}
		m.Properties = append(m.Properties, notAssassinated)
		res, err := verify.Run(context.Background(), m, verify.Options{All: true})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("== %s: %s (%d states)\n", v, res.Result, res.States)
		for _, p := range res.Properties {
			fmt.Printf("  %-27s %s\n", p.ID, p.Status)
		}
		for _, viol := range res.Violations {
			if viol.Property == notAssassinated.ID {
				fmt.Println()
				viol.WriteText(os.Stdout)
			}
		}
		fmt.Println()
	}
}
