package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/model/diagram"
	"github.com/tcpcheck/tcpcheck/verify"
)

// Model names for --model.
const (
	segmentModel = verify.SegmentModel
	diagramModel = verify.DiagramModel
)

// modelFlags are the flags that choose and bound a model, shared by every
// command that explores one. A knob given on the command line overrides
// the preset's value.
type modelFlags struct {
	fs     *flag.FlagSet
	model  string
	preset string

	roleA, roleB             string
	start                    string
	dataA, dataB             int
	close, earlyClose, abort bool
	capacity                 int
	maxLosses, maxDups       int
	reorder                  bool
	maxRetries               int
	spurious                 bool
	isnA, isnB               string
	isnStep                  uint
	incarnations             int
	rcvWnd                   uint
	variant                  string
	synBacklog, attacker     int
	rfc1337                  bool
	acceptBacklog, clients   int
	rto, rtoMax, msl         time.Duration
}

// segmentKnobs are the flags that only the segment model has.
var segmentKnobs = []string{"a", "b", "start", "data-a", "data-b", "close", "early-close", "abort",
	"capacity", "max-losses", "max-dups", "reorder", "max-retries", "spurious-retransmit",
	"isn-a", "isn-b", "isn-step", "incarnations", "rcv-wnd", "variant", "syn-backlog", "attacker", "rfc1337", "accept-backlog", "clients",
	"rto", "rto-max", "msl"}

func (f *modelFlags) register(fs *flag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.model, "model", segmentModel, "model to explore: segment (RFC 9293 §3.10, with sequence numbers and a lossy channel) or diagram (Figure 5's message-level abstraction, the TLA+ example's model)")
	fs.StringVar(&f.preset, "preset", "", "named configuration (see 'tcpcheck list'); default lifecycle for the segment model, example for the diagram model")
	fs.StringVar(&f.roleA, "a", "", "what A's application does: connect, listen or listen+connect")
	fs.StringVar(&f.roleB, "b", "", "what B's application does: connect, listen or listen+connect")
	fs.StringVar(&f.start, "start", "", "where the endpoints start: closed or established")
	fs.IntVar(&f.dataA, "data-a", 0, "one-byte data segments A's application sends")
	fs.IntVar(&f.dataB, "data-b", 0, "one-byte data segments B's application sends")
	fs.BoolVar(&f.close, "close", false, "applications CLOSE once they have sent their data")
	fs.BoolVar(&f.earlyClose, "early-close", false, "applications may also CLOSE in LISTEN, SYN-SENT and SYN-RECEIVED")
	fs.BoolVar(&f.abort, "abort", false, "applications may ABORT (send RST) at any time")
	fs.IntVar(&f.capacity, "capacity", 0, fmt.Sprintf("segments each channel holds (1 to %d)", model.MaxChannelCapacity))
	fs.IntVar(&f.maxLosses, "max-losses", 0, "segments the network may lose in one behaviour")
	fs.IntVar(&f.maxDups, "max-dups", 0, "segments the network may duplicate in one behaviour")
	fs.BoolVar(&f.reorder, "reorder", false, "the network may deliver any segment in flight, not only the oldest")
	fs.IntVar(&f.maxRetries, "max-retries", 0, "retransmissions of a segment before the connection gives up")
	fs.BoolVar(&f.spurious, "spurious-retransmit", false, "the retransmission timer may fire while the segment or its ACK is still in flight")
	fs.DurationVar(&f.rto, "rto", model.DefaultRTO, "initial retransmission timeout: with --rto-max and --msl it decides which --max-retries the timing abstraction covers (model/doc.go)")
	fs.DurationVar(&f.rtoMax, "rto-max", model.DefaultRTOMax, "largest retransmission timeout the backoff reaches")
	fs.DurationVar(&f.msl, "msl", model.DefaultMSL, "maximum segment lifetime (§3.4.2); TIME-WAIT lasts 2MSL")
	fs.StringVar(&f.isnA, "isn-a", "", "initial sequence numbers A may choose from, comma-separated (0 to 4294967295)")
	fs.StringVar(&f.isnB, "isn-b", "", "initial sequence numbers B may choose from, comma-separated")
	fs.UintVar(&f.isnStep, "isn-step", 0, "how far the ISN clock moves between incarnations")
	fs.IntVar(&f.incarnations, "incarnations", 0, "how many times each application may OPEN (more than 1 reuses the 4-tuple)")
	fs.UintVar(&f.rcvWnd, "rcv-wnd", 0, "receive window in bytes")
	fs.StringVar(&f.variant, "variant", "", "protocol variant: tcp, or TCP without one of its mechanisms (see 'tcpcheck list')")
	fs.IntVar(&f.synBacklog, "syn-backlog", 0, fmt.Sprintf("capacity of B's SYN (half-open) queue, 1 to %d (0: not modelled)", model.MaxHalfOpen))
	fs.IntVar(&f.attacker, "attacker", 0, "SYNs from spoofed addresses an attacker sends to B (needs --syn-backlog)")
	fs.IntVar(&f.acceptBacklog, "accept-backlog", 0, fmt.Sprintf("capacity of B's accept queue, 1 to %d (0: not modelled; B's application then ACCEPTs)", model.MaxHalfOpen))
	fs.IntVar(&f.clients, "clients", 0, "other clients that complete a handshake with B and wait in its accept queue (needs --accept-backlog)")
	fs.BoolVar(&f.rfc1337, "rfc1337", false, "TIME-WAIT ignores RST (RFC 1337 §3; Linux net.ipv4.tcp_rfc1337)")
}

// set reports whether the flag called name was given.
func (f *modelFlags) set(name string) bool {
	found := false
	f.fs.Visit(func(fl *flag.Flag) {
		if fl.Name == name {
			found = true
		}
	})
	return found
}

func (f *modelFlags) validateModel() error {
	switch f.model {
	case segmentModel:
		return nil
	case diagramModel:
		for _, k := range segmentKnobs {
			if f.set(k) {
				return usagef("--%s applies to --model segment only", k)
			}
		}
		return nil
	}
	return usagef("model: unknown model %q (known: segment, diagram)", f.model)
}

// presetName is the preset asked for, or the model's default.
func (f *modelFlags) presetName() string {
	switch {
	case f.preset != "":
		return f.preset
	case f.model == diagramModel:
		return verify.DiagramPresets()[0].Name
	}
	return model.DefaultPreset
}

// diagramConfig returns the diagram model's configuration.
func (f *modelFlags) diagramConfig() (diagram.Config, error) {
	cfg, err := verify.LookupDiagramPreset(f.presetName())
	if err != nil {
		return cfg, usagef("%v", err)
	}
	return cfg, nil
}

// segmentConfig returns the preset with every knob given on the command
// line applied, validated.
func (f *modelFlags) segmentConfig() (model.Config, error) {
	cfg, err := model.LookupPreset(f.presetName())
	if err != nil {
		return cfg, usagef("%v", err)
	}
	for _, side := range []struct {
		flag string
		val  string
		dst  *model.Role
	}{{"a", f.roleA, &cfg.Roles[model.A]}, {"b", f.roleB, &cfg.Roles[model.B]}} {
		if f.set(side.flag) {
			r, ok := model.ParseRole(side.val)
			if !ok {
				return cfg, usagef("-%s: unknown role %q (known: connect, listen, listen+connect)", side.flag, side.val)
			}
			*side.dst = r
		}
	}
	if f.set("start") {
		switch f.start {
		case "closed":
			cfg.Start = model.StartClosed
		case "established":
			cfg.Start = model.StartEstablished
		default:
			return cfg, usagef("--start: unknown start %q (known: closed, established)", f.start)
		}
	}
	ints := []struct {
		flag string
		val  int
		dst  *int
	}{
		{"data-a", f.dataA, &cfg.Data[model.A]}, {"data-b", f.dataB, &cfg.Data[model.B]},
		{"capacity", f.capacity, &cfg.Capacity}, {"max-losses", f.maxLosses, &cfg.MaxLosses},
		{"max-dups", f.maxDups, &cfg.MaxDups}, {"max-retries", f.maxRetries, &cfg.MaxRetries},
		{"incarnations", f.incarnations, &cfg.Incarnations},
		{"syn-backlog", f.synBacklog, &cfg.SynBacklog}, {"attacker", f.attacker, &cfg.Attacker},
		{"accept-backlog", f.acceptBacklog, &cfg.AcceptBacklog}, {"clients", f.clients, &cfg.Clients},
	}
	for _, k := range ints {
		if f.set(k.flag) {
			*k.dst = k.val
		}
	}
	bools := []struct {
		flag string
		val  bool
		dst  *bool
	}{
		{"close", f.close, &cfg.Close}, {"early-close", f.earlyClose, &cfg.EarlyClose},
		{"abort", f.abort, &cfg.Abort}, {"reorder", f.reorder, &cfg.Reorder},
		{"spurious-retransmit", f.spurious, &cfg.SpuriousRetransmit},
		{"rfc1337", f.rfc1337, &cfg.RFC1337},
	}
	for _, k := range bools {
		if f.set(k.flag) {
			*k.dst = k.val
		}
	}
	for _, k := range []struct {
		flag string
		val  string
		dst  *[]uint32
	}{{"isn-a", f.isnA, &cfg.ISNs[model.A]}, {"isn-b", f.isnB, &cfg.ISNs[model.B]}} {
		if !f.set(k.flag) {
			continue
		}
		isns, err := parseISNs(k.val)
		if err != nil {
			return cfg, usagef("--%s: %v", k.flag, err)
		}
		*k.dst = isns
	}
	for _, k := range []struct {
		flag string
		val  time.Duration
		dst  *time.Duration
	}{{"rto", f.rto, &cfg.RTO}, {"rto-max", f.rtoMax, &cfg.RTOMax}, {"msl", f.msl, &cfg.MSL}} {
		if f.set(k.flag) {
			if k.val <= 0 {
				return cfg, usagef("--%s: must be positive, not %s", k.flag, k.val)
			}
			*k.dst = k.val
		}
	}
	if f.set("variant") {
		v, err := model.ParseVariant(f.variant)
		if err != nil {
			return cfg, usagef("%v", err)
		}
		cfg.Variant = v
	}
	if f.set("isn-step") {
		if f.isnStep >= 1<<32 {
			return cfg, usagef("--isn-step: must be below 2^32, not %d", f.isnStep)
		}
		cfg.ISNStep = uint32(f.isnStep)
	}
	if f.set("rcv-wnd") {
		if f.rcvWnd >= 1<<32 {
			return cfg, usagef("--rcv-wnd: must be below 2^30, not %d", f.rcvWnd)
		}
		cfg.RcvWnd = uint32(f.rcvWnd)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usagef("%v", err)
	}
	return cfg, nil
}

// parseISNs reads a comma-separated list of 32-bit sequence numbers.
func parseISNs(s string) ([]uint32, error) {
	var out []uint32
	for _, field := range strings.Split(s, ",") {
		v, err := strconv.ParseUint(strings.TrimSpace(field), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%q is not a sequence number from 0 to 4294967295", field)
		}
		out = append(out, uint32(v))
	}
	return out, nil
}
