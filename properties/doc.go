// Package properties names the properties tcpcheck checks: for each model
// a catalogue of invariants (decided state by state or transition by
// transition) and temporal properties, each with a stable ID, a one-line
// description, the RFC section or seed claim it comes from, and a
// sentence that explains a violation.
//
// The smallest use checks the segment model's invariants on a preset:
//
//	cfg, _ := model.LookupPreset("lifecycle")
//	m, _ := model.New(cfg)
//	props, _ := properties.Select(properties.Segment(), nil)
//	var opts checker.Options[model.State, model.Action]
//	properties.Apply(&opts, props, m.Final)
//	res, _ := checker.Explore(ctx, m, opts)
//	// res.Verdict == checker.Holds
package properties
