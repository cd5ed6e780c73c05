package model

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Role says which OPEN calls an endpoint's application makes.
type Role uint8

const (
	// Listener: the application makes a passive OPEN (§3.10.1).
	Listener Role = 1 << iota
	// Connector: the application makes an active OPEN, from CLOSED or,
	// when it is also a Listener, by a SEND on its listening TCB
	// (§3.10.1 LISTEN STATE, Figure 5 "SEND / snd SYN").
	Connector
)

func (r Role) String() string {
	switch r {
	case Listener:
		return "listen"
	case Connector:
		return "connect"
	case Listener | Connector:
		return "listen+connect"
	}
	return "none"
}

// ParseRole is the inverse of String.
func ParseRole(s string) (Role, bool) {
	for _, r := range []Role{Listener, Connector, Listener | Connector} {
		if r.String() == s {
			return r, true
		}
	}
	return 0, false
}

// Start is where the endpoints begin.
type Start uint8

const (
	// StartClosed: both endpoints CLOSED, nothing in flight.
	StartClosed Start = iota
	// StartEstablished: a connection already ESTABLISHED on both sides,
	// A having made the active OPEN, nothing in flight.
	StartEstablished
)

func (s Start) String() string {
	if s == StartEstablished {
		return "established"
	}
	return "closed"
}

// Config bounds the model. Every field is part of what a "holds" means:
// a property holds for every behaviour within these bounds.
type Config struct {
	Roles [2]Role
	Start Start
	// Data is how many one-byte data segments each application sends.
	Data [2]int
	// Close: each application calls CLOSE once it has sent its data.
	Close bool
	// EarlyClose: an application may also CLOSE in LISTEN, SYN-SENT and
	// SYN-RECEIVED (§3.10.4), before the connection is established.
	EarlyClose bool
	// Abort: an application may ABORT (§3.10.5) at any time.
	Abort bool
	// Capacity is how many segments each channel holds: a bound of the
	// model, not of TCP. A segment sent into a full channel marks the
	// state Overflow, which ends the behaviour and is reported by the
	// channel-bound property: raise the capacity then.
	Capacity int
	// MaxLosses and MaxDups bound how many segments the network loses
	// and duplicates in a behaviour.
	MaxLosses int
	MaxDups   int
	// Reorder lets the network deliver any segment in flight, not only
	// the oldest.
	Reorder bool
	// MaxRetries is how many times a segment is retransmitted before the
	// connection gives up (§3.8.3 R2).
	MaxRetries int
	// SpuriousRetransmit lets the retransmission timer fire whenever a
	// segment is unacknowledged, even while the segment or its
	// acknowledgment is still in flight.
	SpuriousRetransmit bool
	// RTO is the initial retransmission timeout, doubled at each
	// expiry (RFC 6298 §5.5) up to RTOMax; MSL is the maximum segment
	// lifetime (§3.4.2), TIME-WAIT lasting 2MSL. The model has no clock:
	// these durations only decide whether its timing abstraction is
	// sound for the configuration (TimingPremise). Zero means the
	// default: RTO 1 s (RFC 6298 §2.1, cited by §3.8.1), RTOMax 60 s
	// (RFC 6298 §2.5's least maximum), MSL 2 minutes (§3.4.2).
	RTO, RTOMax, MSL time.Duration
	// ISNs are the initial sequence numbers each endpoint may choose from
	// (§3.4.1); one choice per OPEN. Values just below 2^32 exercise
	// wraparound.
	ISNs [2][]uint32
	// ISNStep is how far the ISN clock of §3.4.1 advances between two
	// incarnations of the connection.
	ISNStep uint32
	// Incarnations is how many times each application may OPEN: more
	// than one reuses the same 4-tuple for a new connection.
	Incarnations int
	// RcvWnd is the receive window (§3.8.6), fixed.
	RcvWnd uint32
	// Variant is the protocol: TCP, or TCP without one of its mechanisms.
	Variant Variant
	// SynBacklog is the capacity of B's SYN (half-open) queue; 0 leaves
	// the queue out of the model. When a SYN finds it full, B answers
	// with a SYN cookie (RFC 4987 §3.6), or drops it (NoSynCookies).
	SynBacklog int
	// Attacker is how many SYNs from spoofed addresses an attacker may
	// send to B (needs SynBacklog).
	Attacker int
	// AcceptBacklog is the capacity of B's accept queue, where completed
	// connections wait for B's application to accept them; 0 leaves the
	// queue out of the model. A handshake's last ACK that finds it full
	// is dropped, as Linux does (tcp_abort_on_overflow off): B stays
	// SYN-RECEIVED and retransmits its SYN,ACK.
	AcceptBacklog int
	// Clients is how many other clients may complete a handshake with B
	// and wait in its accept queue (needs AcceptBacklog).
	Clients int
	// RFC1337: TIME-WAIT ignores RST segments (RFC 1337 §3, fix TW1;
	// Linux's net.ipv4.tcp_rfc1337), so that a stray RST cannot end the
	// 2MSL wait early. Off, TIME-WAIT obeys §3.10.7.4 and a RST in the
	// window closes it.
	RFC1337 bool
}

// Validate reports the first field that is out of range, naming it.
func (c *Config) Validate() error {
	for _, side := range []Side{A, B} {
		if c.Roles[side]&^(Listener|Connector) != 0 {
			return fmt.Errorf("roles: %s has an unknown role %d", side, c.Roles[side])
		}
		if c.Data[side] < 0 || c.Data[side] > 200 {
			return fmt.Errorf("data: %s must send 0 to 200 segments, not %d", side, c.Data[side])
		}
		if len(c.ISNs[side]) == 0 || len(c.ISNs[side]) > 255 {
			return fmt.Errorf("isn: %s needs 1 to 255 initial sequence numbers, has %d", side, len(c.ISNs[side]))
		}
	}
	if c.Start == StartClosed && c.Roles[A]&Connector == 0 && c.Roles[B]&Connector == 0 {
		return fmt.Errorf("roles: neither endpoint connects, so nothing happens")
	}
	if c.Start > StartEstablished {
		return fmt.Errorf("start: unknown start %d", c.Start)
	}
	switch {
	case c.Capacity < 1 || c.Capacity > MaxChannelCapacity:
		return fmt.Errorf("capacity: must be 1 to %d, not %d", MaxChannelCapacity, c.Capacity)
	case c.MaxLosses < 0 || c.MaxLosses > 255:
		return fmt.Errorf("max-losses: must be 0 to 255, not %d", c.MaxLosses)
	case c.MaxDups < 0 || c.MaxDups > 255:
		return fmt.Errorf("max-dups: must be 0 to 255, not %d", c.MaxDups)
	case c.MaxRetries < 0 || c.MaxRetries > 30:
		return fmt.Errorf("max-retries: must be 0 to 30, not %d", c.MaxRetries)
	case c.Incarnations < 1 || c.Incarnations > 255:
		return fmt.Errorf("incarnations: must be 1 to 255, not %d", c.Incarnations)
	case c.RcvWnd >= 1<<30 || int(c.RcvWnd) < max(c.Data[A], c.Data[B])+2:
		// The sender does not limit itself to the peer's window, so the
		// window must hold a whole stream, its SYN and its FIN.
		return fmt.Errorf("rcv-wnd: must be from %d (the data, a SYN and a FIN) to 2^30-1, not %d", max(c.Data[A], c.Data[B])+2, c.RcvWnd)
	case c.SynBacklog < 0 || c.SynBacklog > MaxHalfOpen:
		return fmt.Errorf("syn-backlog: must be 0 to %d, not %d", MaxHalfOpen, c.SynBacklog)
	case c.Attacker < 0 || c.Attacker > 255:
		return fmt.Errorf("attacker: must be 0 to 255, not %d", c.Attacker)
	case c.Attacker > 0 && c.SynBacklog == 0:
		return fmt.Errorf("attacker: needs a SYN queue (syn-backlog) to fill")
	case c.Attacker > 0 && c.Roles[B]&Listener == 0:
		return fmt.Errorf("attacker: B must listen to be flooded")
	case c.AcceptBacklog < 0 || c.AcceptBacklog > MaxHalfOpen:
		return fmt.Errorf("accept-backlog: must be 0 to %d, not %d", MaxHalfOpen, c.AcceptBacklog)
	case c.Clients < 0 || c.Clients > 255:
		return fmt.Errorf("clients: must be 0 to 255, not %d", c.Clients)
	case c.Clients > 0 && c.AcceptBacklog == 0:
		return fmt.Errorf("clients: needs an accept queue (accept-backlog) to wait in")
	case c.RTO < 0 || c.RTOMax < 0 || c.MSL < 0:
		return fmt.Errorf("rto, rto-max, msl: must not be negative")
	}
	return c.TimingPremise()
}

// Defaults of the timing figures (Config.RTO, RTOMax, MSL).
const (
	DefaultRTO    = time.Second
	DefaultRTOMax = 60 * time.Second
	DefaultMSL    = 2 * time.Minute
)

// Timing returns the configuration's RTO, RTOMax and MSL, defaults filled
// in: the variant's (Variant.WithTiming), else the RFC's.
func (c *Config) Timing() (rto, rtoMax, msl time.Duration) {
	vrto, vmax, vmsl := c.Variant.timing()
	rto = cmp.Or(c.RTO, vrto, DefaultRTO)
	rtoMax = cmp.Or(c.RTOMax, vmax, DefaultRTOMax)
	msl = cmp.Or(c.MSL, vmsl, DefaultMSL)
	return max(rto, 1), max(rtoMax, rto), msl
}

// RetransmissionSchedule is how long a connection that is never answered
// keeps retransmitting: the MaxRetries timeouts that each send the
// segment again and the last one that gives up, the timeout doubling
// from RTO up to RTOMax (RFC 6298 §5.5, §2.5).
func (c *Config) RetransmissionSchedule() time.Duration {
	rto, rtoMax, _ := c.Timing()
	var total time.Duration
	for k := 0; k <= c.MaxRetries; k++ {
		total += rto
		rto = min(2*rto, rtoMax)
	}
	return total
}

// TimingPremise reports, as an error naming the figures, a configuration
// for which the model's timing abstraction would be unsound: TIME-WAIT's
// expiry waits for the peer to finish retransmitting (timeWaitTimeout),
// which real time guarantees only if the peer's whole retransmission
// schedule, plus one RTO for a segment's flight, is shorter than 2MSL.
// Without TIME-WAIT (variant NoTimeWait) there is nothing to premise.
func (c *Config) TimingPremise() error {
	if c.Variant == NoTimeWait {
		return nil
	}
	rto, rtoMax, msl := c.Timing()
	if s := c.RetransmissionSchedule(); s+rto >= 2*msl {
		return fmt.Errorf("max-retries: %d retransmissions back off for %s (rto %s, doubling to rto-max %s), and with a segment's flight that is not shorter than 2MSL (%s): TIME-WAIT could end while the peer still retransmits its FIN, which the model's timers assume away; lower --max-retries or raise --msl",
			c.MaxRetries, s, rto, rtoMax, 2*msl)
	}
	return nil
}

// String is a one-line summary of the configuration, as printed in the
// header of a report.
func (c *Config) String() string {
	isns := func(s Side) string {
		var parts []string
		for _, v := range c.ISNs[s] {
			parts = append(parts, fmt.Sprint(v))
		}
		return strings.Join(parts, ",")
	}
	s := fmt.Sprintf("A=%s B=%s start=%s data=%d/%d close=%t early-close=%t abort=%t capacity=%d max-losses=%d max-dups=%d reorder=%t max-retries=%d isn-a=%s isn-b=%s incarnations=%d",
		c.Roles[A], c.Roles[B], c.Start, c.Data[A], c.Data[B], c.Close, c.EarlyClose, c.Abort,
		c.Capacity, c.MaxLosses, c.MaxDups, c.Reorder, c.MaxRetries, isns(A), isns(B), c.Incarnations)
	if c.SynBacklog > 0 {
		s += fmt.Sprintf(" syn-backlog=%d attacker=%d", c.SynBacklog, c.Attacker)
	}
	if c.AcceptBacklog > 0 {
		s += fmt.Sprintf(" accept-backlog=%d clients=%d", c.AcceptBacklog, c.Clients)
	}
	if c.RFC1337 {
		s += " rfc1337=true"
	}
	if c.Variant != TCP {
		s += " variant=" + c.Variant.String()
	}
	return s
}

// Preset is a named configuration.
type Preset struct {
	Name        string
	Description string
	Config      Config
}

// base is what every preset starts from: A connects to B listening, one
// ISN each with A's just below 2^32 so that every run crosses the wrap.
func base() Config {
	return Config{
		Roles:        [2]Role{Connector, Listener},
		Close:        true,
		Capacity:     5,
		MaxRetries:   3,
		ISNs:         [2][]uint32{{4294967295}, {1000}},
		ISNStep:      1 << 30,
		Incarnations: 1,
		RcvWnd:       4096,
	}
}

// Presets are the named configurations, in the order `tcpcheck list`
// prints them.
func Presets() []Preset {
	handshake := base()
	handshake.Close = false
	handshake.MaxLosses = 1

	closing := base()
	closing.Start = StartEstablished
	closing.MaxLosses = 1

	lifecycle := base()
	lifecycle.Data = [2]int{1, 1}
	lifecycle.MaxLosses = 1

	simultaneous := base()
	simultaneous.Roles = [2]Role{Connector, Listener | Connector}
	simultaneous.EarlyClose = true
	simultaneous.MaxLosses = 1

	// abort: either application may ABORT, also after CLOSE. No loss: a
	// lost RST of an ABORT leaves the half-open connection of §3.5.1
	// (established-agree fails, as TCP does; try --max-losses 1).
	abort := lifecycle
	abort.Abort = true
	abort.MaxLosses = 0

	// reconnect reaches what one incarnation cannot: a second connection
	// on the same 4-tuple, old segments meeting a new incarnation, a
	// reconnect into TIME-WAIT; two bytes from A.
	reconnect := lifecycle
	reconnect.Data = [2]int{2, 0}
	reconnect.Incarnations = 2
	reconnect.ISNs = [2][]uint32{{4294967295, 7}, {1000, 3000}}
	reconnect.Capacity = 6

	// wrap crosses 2^32 in both streams and in B's window.
	wrap := lifecycle
	wrap.ISNs = [2][]uint32{{4294967294}, {4294967293}}

	// reuse, reuse-ahead, reuse-next and reuse-behind reconnect on the
	// same 4-tuple with an old duplicate in the network, the ISN clock
	// moved on by 3·2^30 (the old numbers lie ahead of the new ones), by
	// 100 (the new SYN falls in TIME-WAIT's window), by 2 (an old ACK of
	// the listener's SYN acknowledges exactly its new ISS) or by 2^32-100
	// (the old segments fall in the new connection's window and
	// acknowledge what it never sent: TCP itself fails there, §3.4's
	// hazard).
	reuseAt := func(step uint32) Config {
		c := lifecycle
		c.Data = [2]int{1, 0}
		c.MaxLosses, c.MaxDups, c.Incarnations, c.ISNStep, c.Capacity = 0, 1, 2, step, 6
		return c
	}
	reuse, reuseAhead, reuseNext := reuseAt(3<<30), reuseAt(100), reuseAt(2)
	reuseBehind := reuseAt(^uint32(0) - 99)
	reuseBehind.Data, reuseBehind.Capacity = [2]int{0, 0}, 5

	// queues: another client in the accept queue as well as the
	// attacker: the accept queue overflows, and a last ACK dropped there
	// leaves a half-open connection (TCP fails established-agree, as
	// Linux does with tcp_abort_on_overflow off).
	queues := base()
	queues.Close = false
	queues.Data = [2]int{1, 0}
	queues.SynBacklog, queues.Attacker, queues.AcceptBacklog, queues.Clients = 1, 1, 1, 1

	// flood is a listener with a SYN queue and an accept queue under a
	// spoofed-SYN attacker (seed §4-§5), answering with SYN cookies.
	flood := lifecycle
	flood.Data = [2]int{1, 0}
	flood.Close = false
	flood.MaxLosses = 0
	flood.SynBacklog, flood.Attacker, flood.AcceptBacklog = 1, 2, 1

	lossy := base()
	lossy.Data = [2]int{1, 0}
	lossy.MaxLosses = 2
	lossy.MaxDups = 1
	lossy.Reorder = true
	lossy.Capacity = MaxChannelCapacity

	// reorder is lossy with one loss and no duplicate: reordering, small.
	reorder := lossy
	reorder.MaxLosses, reorder.MaxDups, reorder.Capacity = 1, 0, 5

	// stress is lossy with a second segment from A: about 6.8·10^7
	// states, for performance work (docs/performance.md).
	stress := lossy
	stress.Data = [2]int{2, 0}

	return []Preset{
		{"handshake", "A connects to B listening; no data, no close; one loss", handshake},
		{"close", "from ESTABLISHED on both sides to closed; one loss", closing},
		{"lifecycle", "open, one data segment each way, close; one loss", lifecycle},
		{"simultaneous", "both may connect, close early or late: simultaneous open and close; one loss", simultaneous},
		{"abort", "lifecycle where either application may also ABORT at any time, before or after its CLOSE; no loss", abort},
		{"reconnect", "two incarnations on one 4-tuple, two ISNs each side, two bytes from A; one loss", reconnect},
		{"flood", "a SYN queue and an accept queue of one under two spoofed SYNs, answered with SYN cookies; no loss", flood},
		{"wrap", "lifecycle with ISNs 2^32-2 and 2^32-3: both streams and B's window cross 2^32", wrap},
		{"reuse", "A reconnects with one old duplicate in the network, the ISN clock 3·2^30 on: old numbers lie ahead of the new", reuse},
		{"reuse-ahead", "reuse with the ISN clock 100 on: the new SYN falls in TIME-WAIT's window", reuseAhead},
		{"reuse-next", "reuse with the ISN clock 2 on: an old ACK acknowledges exactly the new ISS", reuseNext},
		{"reuse-behind", "reuse with the ISN clock 2^32-100 on, no data: old segments fall in the new window (TCP fails: §3.4's hazard)", reuseBehind},
		{"queues", "a SYN queue and an accept queue of one, a spoofed SYN and another client (TCP fails: accept-queue overflow)", queues},
		{"reorder", "lossy with one loss and no duplicate: reordering", reorder},
		{"lossy", "one data segment, two losses, a duplicate, reordering", lossy},
		{"stress", "lossy with two data segments from A: about 68 million states (use --no-temporal)", stress},
	}
}

// AllPresets names the presets that `--preset all` runs: every preset
// small enough to explore in seconds on which TCP satisfies the whole
// catalogue (all but lossy and stress, for performance work, and
// reuse-behind and queues, which show TCP's own failures). Together they
// reach the premise of every property of the catalogue.
var AllPresets = []string{"handshake", "close", "lifecycle", "simultaneous", "abort", "reconnect", "flood",
	"wrap", "reuse", "reuse-ahead", "reuse-next", "reorder"}

// DefaultPreset is the preset `tcpcheck check` runs when none is named.
const DefaultPreset = "lifecycle"

// LookupPreset returns the preset called name, with its own copies of the
// ISN lists so the caller may change them.
func LookupPreset(name string) (Config, error) {
	for _, p := range Presets() {
		if p.Name == name {
			c := p.Config
			c.ISNs = [2][]uint32{slices.Clone(c.ISNs[A]), slices.Clone(c.ISNs[B])}
			return c, nil
		}
	}
	var names []string
	for _, p := range Presets() {
		names = append(names, p.Name)
	}
	return Config{}, fmt.Errorf("preset: unknown preset %q (known: %s)", name, strings.Join(names, ", "))
}
