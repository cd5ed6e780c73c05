package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tcpcheck/tcpcheck/capture"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/conform"
)

var conformCommand = &command{
	Name:      "conform",
	UsageLine: "conform [--at-sender] [--allow-syn-data] [--skew D] [--timeout D] [--max-inflate N] [--json] FILE...",
	Short:     "check that captured TCP connections are behaviours of the model",
	Long: `Conform reads packet captures (pcap or pcapng, as tcpdump -w writes
them, optionally gzipped) one packet at a time, splits them into TCP
connections by their addresses and ports, and decides for each connection
whether two correct endpoints (RFC 9293) could have put exactly the
captured segments past the capture point. Endpoint A of a connection is
the one that sent its first captured segment.

The capture may be taken anywhere on the path: at either end or in the
middle. Segments may be lost before or after the capture point,
duplicated, reordered and delayed; keep-alives and zero-window probes,
windows opening and closing, and options (SACK, timestamps, window
scale) are TCP. A capture may begin mid-connection: what each side sent
before is assumed, and the report says the handshake was not seen.
What is checked: every acknowledgment is of sequence numbers seen sent
first; no sender goes past the window its peer advertised; a FIN is the
last sequence number; nothing new follows a sender's RST; one ISS per
connection until it could have closed. With --at-sender (a capture on
loopback, or on both hosts before any loss) a sender's sequence numbers
may not jump past what it was seen to send.

For a connection that does not conform, the report names the segment,
why, the states each endpoint could be in just before it, what the sender
could have sent instead, and the flag or documented limitation involved.
Packets without a TCP segment (fragments, other protocols, segments cut
before the end of the TCP header) are counted and skipped.
docs/conform.md says exactly what is assumed about the capture point and
the network.

With --json, one JSON document is written to stdout instead (its schema is
in docs/conform.md). Ctrl-C (SIGINT), SIGTERM and --timeout stop the
check: the connections decided so far are reported, with those that were
not, and the exit code is 3.`,
	ExitCodes: `Exit codes:
  0  every connection conforms
  1  some connection does not conform
  2  bad usage, or an unreadable or invalid capture (one line on stderr)
  3  stopped by Ctrl-C, SIGTERM or --timeout before every connection was decided
`,
	Flags: func(fs *flag.FlagSet) func(*env, []string) int {
		f := &conformFlags{}
		fs.BoolVar(&f.atSender, "at-sender", false, "the capture shows every segment each endpoint sent (loopback, or both hosts): a sender's SEQ may not jump past what it was seen to send")
		fs.BoolVar(&f.allowSynData, "allow-syn-data", false, "accept data on a SYN (TCP Fast Open) instead of reporting no-data-on-syn")
		fs.DurationVar(&f.skew, "skew", conform.DefaultSkew, "capture-order tolerance: a segment may be recorded this long before one it depends on (0: none)")
		fs.DurationVar(&f.timeout, "timeout", 0, "stop after this long, e.g. 30s (0: no limit); exit 3")
		fs.Int64Var(&f.maxInflate, "max-inflate", capture.DefaultMaxInflate, "give up (exit 2) on a gzipped capture that inflates to more bytes than this")
		fs.BoolVar(&f.json, "json", false, "write one JSON document to stdout instead of the text report")
		return f.run
	},
}

type conformFlags struct {
	atSender     bool
	allowSynData bool
	skew         time.Duration
	timeout      time.Duration
	maxInflate   int64
	json         bool
}

// conformReport is the outcome of `tcpcheck conform`, in the shape of its
// JSON document (docs/conform.md); the text report is written from it.
type conformReport struct {
	Result       string        `json:"result"`
	AtSender     bool          `json:"at_sender"`
	AllowSynData bool          `json:"allow_syn_data"`
	Stopped      string        `json:"stopped,omitempty"`
	Files        []conformFile `json:"files"`
	// NotRead are the files not reached before the check was stopped.
	NotRead []string `json:"not_read,omitempty"`
}

type conformFile struct {
	File        string              `json:"file"`
	Packets     int                 `json:"packets"`
	Skipped     capture.Skipped     `json:"skipped"`
	Connections []conformConnection `json:"connections"`
}

type conformConnection struct {
	A               string            `json:"a"`
	B               string            `json:"b"`
	Segments        int               `json:"segments"`
	Result          string            `json:"result"`
	Handshake       bool              `json:"handshake_seen"`
	Incarnations    int               `json:"incarnations"`
	Gaps            int               `json:"gaps"`
	Retransmissions int               `json:"retransmissions"`
	Probes          int               `json:"probes"`
	Violation       *conformViolation `json:"violation,omitempty"`
}

type conformViolation struct {
	Index      int                  `json:"index"`
	Packet     int                  `json:"packet"`
	Offset     float64              `json:"offset_seconds"`
	From       string               `json:"from"`
	Segment    string               `json:"segment"`
	Seq        uint32               `json:"seq"`
	Ack        uint32               `json:"ack"`
	Flags      string               `json:"flags"`
	Len        uint32               `json:"len"`
	Property   string               `json:"property,omitempty"`
	Reason     string               `json:"reason"`
	Limitation string               `json:"limitation,omitempty"`
	States     map[string][]string  `json:"states"`
	Instead    []conformAlternative `json:"instead"`
}

type conformAlternative struct {
	Segment  string   `json:"segment"`
	What     string   `json:"what"`
	States   []string `json:"states"`
	Mismatch []string `json:"mismatch"`
}

func (f *conformFlags) run(e *env, args []string) int {
	switch {
	case len(args) == 0:
		return fail(e, "conform", usagef("no capture file given (see 'tcpcheck help conform')"))
	case f.skew < 0:
		return fail(e, "conform", usagef("--skew: must not be negative, not %s", f.skew))
	case f.timeout < 0:
		return fail(e, "conform", usagef("--timeout: must not be negative, not %s", f.timeout))
	case f.maxInflate < 1:
		return fail(e, "conform", usagef("--max-inflate: must be at least 1, not %d", f.maxInflate))
	}
	// SIGINT comes through e.ctx (main); SIGTERM, what CI systems and
	// timeout(1) send, is caught here for as long as the check runs.
	ctx, stop := signal.NotifyContext(e.ctx, syscall.SIGTERM)
	defer stop()
	if f.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, f.timeout, fmt.Errorf("--timeout %s reached", f.timeout))
		defer cancel()
	}
	opts := capture.Options{
		Conform:    conform.Options{AllowSynData: f.allowSynData, AtSender: f.atSender, Skew: f.skew},
		MaxInflate: f.maxInflate,
	}
	if f.skew == 0 {
		opts.Conform.Skew = -1 // none: conform.Options takes zero for the default
	}
	rep := &conformReport{Result: "conforms", AtSender: f.atSender, AllowSynData: f.allowSynData}
	code := exitOK
	for i, name := range args {
		if rep.Stopped != "" {
			rep.NotRead = args[i:]
			break
		}
		sum, err := checkCaptureFile(ctx, name, opts)
		if err != nil {
			return fail(e, "conform", fmt.Errorf("%s: %v", name, err))
		}
		if len(sum.Connections) == 0 && sum.Stopped == nil {
			return fail(e, "conform", fmt.Errorf("%s: no TCP segments in the capture (%s)", name, skippedText(sum.Packets, sum.Skipped)))
		}
		if sum.Stopped != nil {
			rep.Stopped = stopCause(sum.Stopped)
		}
		file := conformFile{File: name, Packets: sum.Packets, Skipped: sum.Skipped, Connections: []conformConnection{}}
		for _, c := range sum.Connections {
			res := c.Result
			cc := conformConnection{A: c.A.String(), B: c.B.String(), Segments: c.Segments,
				Handshake: res.Handshake, Incarnations: res.Incarnations,
				Gaps: res.Gaps, Retransmissions: res.Retransmissions, Probes: res.Probes}
			switch {
			case res.Verdict == conform.DoesNotConform:
				cc.Result = "does-not-conform"
				cc.Violation = newConformViolation(c, res)
				code = exitViolation
			case !c.Decided:
				cc.Result = "undecided"
			default:
				cc.Result = "conforms"
			}
			file.Connections = append(file.Connections, cc)
		}
		rep.Files = append(rep.Files, file)
	}
	switch {
	case code == exitViolation:
		rep.Result = "does-not-conform"
	case rep.Stopped != "":
		rep.Result, code = "stopped", exitIncomplete
	}
	if f.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false) // segments are written <SEQ=...>
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(e.stderr, "tcpcheck conform: %v\n", err)
			return exitUsage
		}
	} else {
		rep.writeText(e.stdout)
	}
	if rep.Stopped != "" && code == exitViolation {
		// a violation found before the stop is still a violation
		return exitViolation
	}
	return code
}

// stopCause says what stopped the check.
func stopCause(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout reached"
	}
	return err.Error()
}

func checkCaptureFile(ctx context.Context, name string, opts capture.Options) (*capture.Summary, error) {
	fh, err := os.Open(name)
	if pe, ok := err.(*os.PathError); ok {
		return nil, pe.Err // the caller names the file
	}
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err == nil && fi.IsDir() {
		return nil, errors.New("is a directory, not a capture")
	}
	// A pipe or terminal may block a read for ever: once stopped, its
	// reads fail at once (regular files need no deadline).
	stopped := context.AfterFunc(ctx, func() { fh.SetReadDeadline(time.Now()) })
	defer stopped()
	return capture.Check(ctx, fh, opts)
}

func newConformViolation(c *capture.Connection, res conform.Result) *conformViolation {
	s := res.Segment
	v := &conformViolation{
		Index:      res.Index,
		Packet:     s.Packet,
		Offset:     (s.At - c.FirstAt).Seconds(),
		From:       s.From.String(),
		Segment:    s.Segment.String(),
		Seq:        uint32(s.Seq),
		Ack:        uint32(s.Ack),
		Flags:      s.Flags.String(),
		Len:        s.Len,
		Property:   res.Property,
		Reason:     res.Reason,
		Limitation: res.Limitation,
		States:     map[string][]string{"a": stateNames(res.States[model.A]), "b": stateNames(res.States[model.B])},
		Instead:    []conformAlternative{},
	}
	for _, a := range res.Instead {
		v.Instead = append(v.Instead, conformAlternative{Segment: a.Segment, What: a.What, States: stateNames(a.States), Mismatch: a.Mismatch})
	}
	return v
}

func stateNames(states []model.ConnState) []string {
	names := []string{}
	for _, s := range states {
		names = append(names, s.String())
	}
	return names
}

// orList joins names as "X", "X or Y", "X, Y or Z".
func orList(names []string) string {
	switch len(names) {
	case 0:
		return "nothing"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// skippedText says how many packets were read and which were skipped.
func skippedText(packets int, s capture.Skipped) string {
	text := fmt.Sprintf("%d packet(s)", packets)
	if s.Total() == 0 {
		return text
	}
	var why []string
	for _, k := range []struct {
		n    int
		what string
	}{{s.Fragments, "IP fragment(s)"}, {s.NotTCP, "not TCP"}, {s.Truncated, "cut before the end of the TCP header"}, {s.Malformed, "malformed"}} {
		if k.n > 0 {
			why = append(why, fmt.Sprintf("%d %s", k.n, k.what))
		}
	}
	return fmt.Sprintf("%s, %d skipped: %s", text, s.Total(), strings.Join(why, ", "))
}

// notes are what the checker saw beyond a plain exchange.
func (c conformConnection) notes() string {
	var n []string
	if !c.Handshake {
		n = append(n, "handshake not seen")
	}
	if c.Incarnations > 1 {
		n = append(n, fmt.Sprintf("%d incarnations", c.Incarnations))
	}
	for _, k := range []struct {
		n    int
		what string
	}{{c.Gaps, "gap(s)"}, {c.Retransmissions, "retransmission(s)"}, {c.Probes, "probe(s)"}} {
		if k.n > 0 {
			n = append(n, fmt.Sprintf("%d %s", k.n, k.what))
		}
	}
	if len(n) == 0 {
		return ""
	}
	return " (" + strings.Join(n, ", ") + ")"
}

func (r *conformReport) writeText(w io.Writer) {
	total, failed, undecided := 0, 0, 0
	for _, f := range r.Files {
		fmt.Fprintf(w, "%s: %s, %d connection(s)\n", f.File, skippedText(f.Packets, f.Skipped), len(f.Connections))
		for _, c := range f.Connections {
			total++
			if c.Result == "undecided" {
				undecided++
			}
			verdict := strings.ReplaceAll(c.Result, "-", " ")
			fmt.Fprintf(w, "  A=%s B=%s, %d segment(s): %s%s\n", c.A, c.B, c.Segments, verdict, c.notes())
			v := c.Violation
			if v == nil {
				continue
			}
			failed++
			fmt.Fprintf(w, "    segment %d of %d (packet %d, +%.6fs): %s→%s %s\n", v.Index+1, c.Segments, v.Packet, v.Offset, v.From, peerOf(v.From), v.Segment)
			fmt.Fprintf(w, "    %s\n", v.Reason)
			if v.Limitation != "" {
				fmt.Fprintf(w, "    (%s)\n", v.Limitation)
			}
			if n := f.Skipped.Fragments + f.Skipped.Truncated; n > 0 {
				// IPv4 fragments and segments cut before their TCP header
				// are skipped: a connection then misses segments.
				fmt.Fprintf(w, "    (%d packet(s) of this file were skipped as IP fragments or cut before the TCP header: this connection may miss segments)\n", n)
			}
			fmt.Fprintf(w, "    just before it: A could be %s; B could be %s\n", orList(v.States["a"]), orList(v.States["b"]))
			for _, a := range v.Instead {
				fmt.Fprintf(w, "    %s could have sent instead: %s  %s, in %s: %s\n", v.From, a.Segment, a.What, orList(a.States), strings.Join(a.Mismatch, "; "))
			}
		}
	}
	if r.Stopped != "" {
		fmt.Fprintf(w, "\nstopped (%s): %d connection(s) not decided", r.Stopped, undecided)
		if len(r.NotRead) > 0 {
			fmt.Fprintf(w, "; not read: %s", strings.Join(r.NotRead, ", "))
		}
		fmt.Fprintln(w)
	}
	switch r.Result {
	case "conforms":
		fmt.Fprintf(w, "\nresult: every connection conforms (%d)\n", total)
	case "stopped":
		fmt.Fprintf(w, "\nresult: stopped: %d of %d connection(s) decided, all conform so far\n", total-undecided, total)
	default:
		fmt.Fprintf(w, "\nresult: %d of %d connection(s) do not conform\n", failed, total)
	}
}

func peerOf(side string) string {
	if side == "A" {
		return "B"
	}
	return "A"
}
