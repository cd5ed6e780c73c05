// Package verify runs what tcpcheck check and tcpcheck simulate run, as
// one library call a user can make from their own module and their own go
// test: a model (a configuration of the segment model, variant included;
// the diagram model; or any checker.System), the properties to check —
// built-in ones by ID and the user's own invariants, transition
// invariants and temporal properties with their fairness — and a typed
// result that renders exactly as the command prints it: the text report,
// the JSON document of docs/json.md, and the counterexample as a message
// sequence chart in DOT. Every run also reports its coverage: how many
// transitions each action kind, each arc of RFC 9293 Figure 5 and each
// named rule of the model made, and which never fired.
//
// The smallest use checks a preset with a property of one's own:
//
//	m, err := verify.SegmentPreset("handshake")
//	if err != nil { ... }
//	m.Properties = append(m.Properties, properties.Property[model.State, model.Action]{
//		ID: "a-never-closing", Description: "A never reaches CLOSING", Kind: properties.Invariant,
//		State: func(s *model.State) bool { return s.Ep[model.A].State != model.Closing },
//	})
//	res, err := verify.Run(ctx, m, verify.Options{Properties: []string{"a-never-closing"}})
//	if err != nil { ... } // operational failure or bad input, not a verdict
//	res.WriteHeader(os.Stdout) // the text report, as tcpcheck check prints it;
//	res.WriteText(os.Stdout)   // or res.WriteJSON, res.TraceDOT
//	// res.Result is "ok", "violation" or "incomplete"
//
// Random walks go through NewSimulation, or through fuzz.Walk with
// Simulation.Target, so that rapid shrinks a failing walk.
package verify
