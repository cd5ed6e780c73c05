package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/conform"
)

var conformCommand = &command{
	Name:      "conform",
	UsageLine: "conform [--allow-syn-data] [--allow-keepalive] [--max-configs N] [--json] FILE...",
	Short:     "check that captured TCP connections are behaviours of the model",
	Long: `Conform reads packet captures (pcap or pcapng, as tcpdump -w writes
them, optionally gzipped), splits each into TCP connections by their
addresses and ports, and decides for each connection whether some
behaviour of the model sends exactly the captured segments, in the
captured order. Endpoint A of a connection is the one that sent its first
captured segment.

The capture is taken to show what each endpoint sent. What it cannot
show is allowed for: a captured segment may be lost before it arrives,
arrivals happen at unseen times (in order), acknowledgments may be
delayed, and timers and application calls that send nothing happen when
they must. Sequence and acknowledgment numbers are checked exactly;
windows, options, PSH and URG are ignored.

For a connection that does not conform, the report names the first
segment the model cannot explain, the states each endpoint could be in
just before it, and what the sender could have sent instead. The
behaviours accepted, and where they go beyond RFC 9293, are listed in
docs/conform.md.

With --json, one JSON document is written to stdout instead (its schema is
in docs/conform.md). Exit code 1 means some connection does not conform,
2 an unreadable or invalid capture, 3 that a connection needed more than
--max-configs configurations.`,
	ExitCodes: `Exit codes:
  0  every connection conforms
  1  some connection does not conform
  2  bad usage, or an unreadable or invalid capture
  3  a connection needed more than --max-configs configurations (unknown)
`,
	Flags: func(fs *flag.FlagSet) func(*env, []string) int {
		f := &conformFlags{}
		fs.BoolVar(&f.allowSynData, "allow-syn-data", false, "accept data on a SYN (TCP Fast Open) instead of reporting no-data-on-syn")
		fs.BoolVar(&f.allowKeepAlive, "allow-keepalive", false, "accept keep-alives and zero-window probes, <SEQ=SND.UNA-1><ACK=RCV.NXT><CTL=ACK> (otherwise a pure ACK must carry SEQ=SND.NXT)")
		fs.IntVar(&f.maxConfigs, "max-configs", conform.DefaultMaxConfigs, "give up on a connection (exit 3) when explaining one segment needs more configurations than this")
		fs.BoolVar(&f.json, "json", false, "write one JSON document to stdout instead of the text report")
		return f.run
	},
}

type conformFlags struct {
	allowSynData   bool
	allowKeepAlive bool
	maxConfigs     int
	json           bool
}

// conformReport is the outcome of `tcpcheck conform`, in the shape of its
// JSON document (docs/conform.md); the text report is written from it.
type conformReport struct {
	Result         string        `json:"result"`
	AllowSynData   bool          `json:"allow_syn_data"`
	AllowKeepAlive bool          `json:"allow_keepalive"`
	Files          []conformFile `json:"files"`
}

type conformFile struct {
	File        string              `json:"file"`
	Connections []conformConnection `json:"connections"`
}

type conformConnection struct {
	A         string            `json:"a"`
	B         string            `json:"b"`
	Segments  int               `json:"segments"`
	Result    string            `json:"result"`
	Peak      int               `json:"peak_configurations"`
	Violation *conformViolation `json:"violation,omitempty"`
}

type conformViolation struct {
	Index    int                  `json:"index"`
	Packet   int                  `json:"packet"`
	Offset   float64              `json:"offset_seconds"`
	From     string               `json:"from"`
	Segment  string               `json:"segment"`
	Seq      uint32               `json:"seq"`
	Ack      uint32               `json:"ack"`
	Flags    string               `json:"flags"`
	Len      uint32               `json:"len"`
	Property string               `json:"property,omitempty"`
	Reason   string               `json:"reason"`
	States   map[string][]string  `json:"states"`
	Instead  []conformAlternative `json:"instead"`
}

type conformAlternative struct {
	Segment  string   `json:"segment"`
	What     string   `json:"what"`
	States   []string `json:"states"`
	Mismatch []string `json:"mismatch"`
}

// connection is one TCP connection of a capture: its segments, in file
// order, between A (the sender of the first) and B.
type connection struct {
	A, B netip.AddrPort
	Segs []capturedSegment
}

// splitConnections groups segments by their 4-tuple, in the order the
// connections first appear.
func splitConnections(segs []capturedSegment) []*connection {
	type key struct{ lo, hi netip.AddrPort }
	byKey := map[key]*connection{}
	var conns []*connection
	for _, s := range segs {
		k := key{s.Src, s.Dst}
		if k.hi.Compare(k.lo) < 0 {
			k.lo, k.hi = k.hi, k.lo
		}
		c := byKey[k]
		if c == nil {
			c = &connection{A: s.Src, B: s.Dst}
			byKey[k] = c
			conns = append(conns, c)
		}
		c.Segs = append(c.Segs, s)
	}
	return conns
}

// observations are c's segments as the conformance checker sees them.
func (c *connection) observations() []conform.Observation {
	obs := make([]conform.Observation, len(c.Segs))
	for i, s := range c.Segs {
		from := model.A
		if s.Src != c.A {
			from = model.B
		}
		obs[i] = conform.Observation{From: from, Segment: s.Segment}
	}
	return obs
}

func (f *conformFlags) run(e *env, args []string) int {
	if len(args) == 0 {
		return fail(e, "conform", usagef("no capture file given (see 'tcpcheck help conform')"))
	}
	if f.maxConfigs < 1 {
		return fail(e, "conform", usagef("--max-configs: must be at least 1, not %d", f.maxConfigs))
	}
	// Read every file before checking any: bad input is reported alone.
	captures := make([][]*connection, len(args))
	for i, name := range args {
		segs, err := readCaptureFile(name)
		if err != nil {
			return fail(e, "conform", fmt.Errorf("%s: %v", name, err))
		}
		if len(segs) == 0 {
			return fail(e, "conform", fmt.Errorf("%s: no TCP segments in the capture", name))
		}
		captures[i] = splitConnections(segs)
	}
	opts := conform.Options{AllowSynData: f.allowSynData, AllowKeepAlive: f.allowKeepAlive, MaxConfigs: f.maxConfigs}
	rep := &conformReport{Result: "conforms", AllowSynData: f.allowSynData, AllowKeepAlive: f.allowKeepAlive}
	code := exitOK
	for i, conns := range captures {
		file := conformFile{File: args[i]}
		for _, c := range conns {
			res := conform.Check(c.observations(), opts)
			cc := conformConnection{A: c.A.String(), B: c.B.String(), Segments: len(c.Segs), Peak: res.Peak}
			switch res.Verdict {
			case conform.Conforms:
				cc.Result = "conforms"
			case conform.DoesNotConform:
				cc.Result = "does-not-conform"
				rep.Result = "does-not-conform"
				code = exitViolation
			default:
				cc.Result = "unknown"
				if code == exitOK {
					rep.Result, code = "unknown", exitIncomplete
				}
			}
			if res.Verdict != conform.Conforms {
				cc.Violation = newConformViolation(c, res)
			}
			file.Connections = append(file.Connections, cc)
		}
		rep.Files = append(rep.Files, file)
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
	return code
}

func readCaptureFile(name string) ([]capturedSegment, error) {
	fh, err := os.Open(name)
	if pe, ok := err.(*os.PathError); ok {
		return nil, pe.Err // the caller names the file
	}
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return readCapture(fh)
}

func newConformViolation(c *connection, res conform.Result) *conformViolation {
	s := c.Segs[res.Index]
	v := &conformViolation{
		Index:    res.Index,
		Packet:   s.Packet,
		Offset:   s.Time.Sub(c.Segs[0].Time).Seconds(),
		From:     res.Segment.From.String(),
		Segment:  res.Segment.Segment.String(),
		Seq:      uint32(s.Seq),
		Ack:      uint32(s.Ack),
		Flags:    s.Flags.String(),
		Len:      s.Len,
		Property: res.Property,
		Reason:   res.Reason,
		States:   map[string][]string{"a": stateNames(res.States[model.A]), "b": stateNames(res.States[model.B])},
		Instead:  []conformAlternative{},
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

func (r *conformReport) writeText(w io.Writer) {
	total, failed := 0, 0
	for _, f := range r.Files {
		fmt.Fprintf(w, "%s: %d connection(s)\n", f.File, len(f.Connections))
		for _, c := range f.Connections {
			total++
			verdict := strings.ReplaceAll(c.Result, "-", " ")
			fmt.Fprintf(w, "  A=%s B=%s, %d segment(s): %s\n", c.A, c.B, c.Segments, verdict)
			v := c.Violation
			if v == nil {
				continue
			}
			failed++
			fmt.Fprintf(w, "    segment %d of %d (packet %d, +%.6fs): %s→%s %s\n", v.Index+1, c.Segments, v.Packet, v.Offset, v.From, peerOf(v.From), v.Segment)
			fmt.Fprintf(w, "    %s\n", v.Reason)
			fmt.Fprintf(w, "    just before it: A could be %s; B could be %s\n", orList(v.States["a"]), orList(v.States["b"]))
			if len(v.Instead) == 0 {
				continue
			}
			fmt.Fprintf(w, "    %s could have sent instead:\n", v.From)
			for _, a := range v.Instead {
				fmt.Fprintf(w, "      %s  %s, in %s: %s\n", a.Segment, a.What, orList(a.States), strings.Join(a.Mismatch, "; "))
			}
		}
	}
	switch r.Result {
	case "conforms":
		fmt.Fprintf(w, "\nresult: every connection conforms (%d)\n", total)
	case "unknown":
		fmt.Fprintf(w, "\nresult: unknown: a connection needed more configurations than --max-configs allows\n")
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
