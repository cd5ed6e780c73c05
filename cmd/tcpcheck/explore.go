package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tcpcheck/tcpcheck/explorer"
)

var exploreCommand = &command{
	Name:      "explore",
	UsageLine: "explore [--preset NAME] [model knobs] [--trace FILE [--violation N] | --scenario ID] [--addr HOST:PORT | --html FILE]",
	Short:     "step through the model in a browser, or write a static page of a trace",
	Long: `Explore serves a page on which to step through the segment model by
hand: RFC 9293 Figure 5 as the model derives it with both endpoints'
states lit and the last arc marked, the message sequence chart of the
path so far, every TCB variable and segment in flight, the enabled actions
to click, back and forward, a random step, "run until a property fails",
every property's status at the current state, the seed's scenarios, and
counterexamples from 'check --json' to load and step through. The page's
URL encodes the path, so any state can be shared as a link.

The server listens on 127.0.0.1:8080 unless --addr names another address
(name the host: 0.0.0.0:8080 listens on every interface); it prints the
URL and opens nothing. Every asset is inside the binary. It reads no file
but the one --trace names; each request's work is bounded and one over a
limit is refused with a message. Ctrl-C or SIGTERM stops it.

With --trace FILE (the output of 'check --json'), the URL printed opens
its first counterexample (--violation picks another); with --scenario ID,
one of the seed's scenarios.

With --html FILE, no server runs: one self-contained page of the
counterexample, the scenario or the initial state is written to FILE,
with back, forward and the step list working offline (docs/explorer.md).`,
	ExitCodes: `Exit codes:
  0  the page was written, or the server was stopped (Ctrl-C, SIGTERM)
  2  bad usage or bad input (unknown flag, preset, scenario; a trace that
     does not replay; an address that cannot be listened on)
`,
	Flags: func(fs *flag.FlagSet) func(*env, []string) int {
		f := &exploreFlags{}
		f.register(fs)
		return f.run
	},
}

type exploreFlags struct {
	modelFlags
	addr      string
	html      string
	trace     string
	violation int
	scenario  string
}

func (f *exploreFlags) register(fs *flag.FlagSet) {
	f.modelFlags.register(fs)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on, HOST:PORT (port 0: any free port)")
	fs.StringVar(&f.html, "html", "", "write one self-contained page to this file instead of serving")
	fs.StringVar(&f.trace, "trace", "", "a 'check --json' document whose counterexample to open")
	fs.IntVar(&f.violation, "violation", 0, "with --trace: which violation of the document, from 0")
	fs.StringVar(&f.scenario, "scenario", "", "open one of the seed's scenarios: "+scenarioList())
}

func scenarioList() string {
	var s string
	for i, sc := range explorer.Scenarios() {
		if i > 0 {
			s += ", "
		}
		s += sc.ID
	}
	return s
}

func (f *exploreFlags) run(e *env, args []string) int {
	if len(args) > 0 {
		return fail(e, "explore", usagef("unexpected argument %q", args[0]))
	}
	if err := f.validateModel(); err != nil {
		return fail(e, "explore", err)
	}
	if f.model != segmentModel {
		return fail(e, "explore", usagef("--model %s: explore steps the segment model only", f.model))
	}
	if f.trace != "" && f.scenario != "" {
		return fail(e, "explore", usagef("--trace and --scenario are exclusive"))
	}
	if f.set("violation") && f.trace == "" {
		return fail(e, "explore", usagef("--violation needs --trace"))
	}
	if f.html != "" {
		if f.set("addr") {
			return fail(e, "explore", usagef("--addr serves a page; --html writes one"))
		}
		if err := checkWritable(f.html); err != nil {
			return fail(e, "explore", usagef("--html: %v", err))
		}
	}
	cfg, err := f.segmentConfig()
	if err != nil {
		return fail(e, "explore", err)
	}
	x, err := explorer.New(f.presetName(), cfg, explorer.DefaultLimits())
	if err != nil {
		return fail(e, "explore", usagef("%v", err))
	}
	q := explorer.Query{Loop: -1}
	switch {
	case f.trace != "":
		b, err := os.ReadFile(f.trace)
		if err != nil {
			return fail(e, "explore", usagef("--trace: %v", err))
		}
		loaded, err := x.LoadReport(bytes.NewReader(b), f.violation)
		if err != nil {
			return fail(e, "explore", usagef("--trace %s: %v", f.trace, err))
		}
		q = loaded.Query
		fmt.Fprintf(e.stderr, "tcpcheck explore: %s: the counterexample to %s, %d step(s): %s\n", f.trace, loaded.Property, loaded.Steps, loaded.Why)
	case f.scenario != "":
		if q, err = x.ScenarioStart(f.scenario); err != nil {
			return fail(e, "explore", usagef("--scenario: %v", err))
		}
	}
	if f.html != "" {
		return f.writeHTML(e, x, q)
	}
	return f.serve(e, x, q)
}

func (f *exploreFlags) writeHTML(e *env, x *explorer.Explorer, q explorer.Query) int {
	var buf bytes.Buffer
	if err := x.WriteHTML(&buf, q); err != nil {
		return fail(e, "explore", err)
	}
	if err := os.WriteFile(f.html, buf.Bytes(), 0o644); err != nil {
		return fail(e, "explore", err)
	}
	fmt.Fprintf(e.stdout, "wrote %s (%d steps, %d bytes)\n", f.html, len(q.Path), buf.Len())
	return exitOK
}

func (f *exploreFlags) serve(e *env, x *explorer.Explorer, q explorer.Query) int {
	host, _, err := net.SplitHostPort(f.addr)
	if err != nil {
		return fail(e, "explore", usagef("--addr: %v", err))
	}
	if host == "" {
		return fail(e, "explore", usagef("--addr %q: name the host, e.g. 127.0.0.1:8080, or 0.0.0.0:8080 for every interface", f.addr))
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fail(e, "explore", usagef("--addr: %v", err))
	}
	ctx, stop := signal.NotifyContext(e.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Handler: x.Handler(), ReadHeaderTimeout: 10 * time.Second}
	url := "http://" + ln.Addr().String() + "/"
	if v := q.Values().Encode(); v != "" {
		url += "?" + v
	}
	fmt.Fprintf(e.stdout, "tcpcheck explore: serving %s\n", url)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fail(e, "explore", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fail(e, "explore", err)
	}
	fmt.Fprintf(e.stdout, "tcpcheck explore: stopped\n")
	return exitOK
}
