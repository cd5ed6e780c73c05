// Package explorer lets a person step through the segment-level TCP model
// in a browser: RFC 9293 Figure 5 as the model derives it with both
// endpoints' states lit, the message sequence chart of the path so far,
// every TCB variable and segment in flight, the enabled actions to click,
// and every property's status at the current state. It is what
// `tcpcheck explore` serves, and what `tcpcheck explore --html` writes as
// one static page.
//
// A place in the model is a Query: a configuration (the one the explorer
// was made with, a seed scenario's, or a loaded counterexample's), an
// initial state, a path of enabled-action indexes, and a position on the
// path. A Query is a URL query string, so every state can be shared as a
// link. The HTTP handler serves one page, whose assets are embedded in
// the binary, and a small JSON API under /api/ (docs/explorer.md). Every
// request's work is bounded by Limits: a request over a limit is refused
// with a message, never left to run.
//
// The smallest use serves the lifecycle preset:
//
//	cfg, _ := model.LookupPreset("lifecycle")
//	x, _ := explorer.New("lifecycle", cfg, explorer.DefaultLimits())
//	http.ListenAndServe("127.0.0.1:8080", x.Handler())
package explorer
