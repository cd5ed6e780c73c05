package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The RFC's event processing as a table of named rules, in the manner of
// Netsem's host specification: each step of RFC 9293 §3.10 — each user
// call, each check of SEGMENT ARRIVES in each state, each timer — is a
// Rule with a name and the section it implements, and the transition
// function runs them. A Variant replaces rules by name, so that TCP
// without one of its mechanisms, a planted bug, Linux's choices or a
// user's own stack is the same table with a few rules changed.

// Event is what a rule is applied to: the endpoint it happens at and, for
// a segment arrival, the segment (a rule of SEGMENT ARRIVES may replace
// it with the idealized segment the rules after it process).
type Event struct {
	Side Side
	// Seg is the arriving segment.
	Seg Segment
	// ISN is the ISN choice (an OPEN, a SYN reaching a listener).
	ISN uint8
	// Index is the half-open entry (a half-open timeout) or which
	// connection ACCEPT takes (0 the legitimate one, 1 another client's).
	Index uint8
}

// RuleFunc applies a rule to the transition being computed. It reports
// whether the rule disposed of the event: for a check of SEGMENT ARRIVES,
// true ends the processing of the segment and false passes it to the next
// check; for a user call, a timer or the environment, true means the
// event is enabled and has been applied, false that it is not enabled
// (the state must then be left as it was).
type RuleFunc func(t *Transition, ev *Event) bool

// Rule is one named step of RFC 9293's event processing.
type Rule struct {
	// Name identifies the rule: "segment/listen/syn", "call/close".
	Name string
	// Section is the RFC section (or other source) it implements.
	Section string
	// Summary says in a line what it does.
	Summary string
	// Apply is the rule.
	Apply RuleFunc
}

type ruleID uint8

const (
	ruleOpenPassive ruleID = iota
	ruleOpenActive
	ruleSelectISN
	ruleSend
	ruleClose
	ruleAbort
	ruleAccept
	ruleClosed
	ruleListenRST
	ruleListenACK
	ruleListenCookieACK
	ruleListenSYNQueueFull
	ruleListenSYN
	ruleListenOther
	ruleSynSentACK
	ruleSynSentRST
	ruleSynSentSYN
	ruleSynSentThirdACK
	ruleSynSentOther
	ruleTimeWaitSYN
	ruleSimultaneousSynAck
	ruleSequence
	ruleRST
	ruleSYN
	ruleACK
	ruleText
	ruleFIN
	ruleEnterTimeWait
	ruleRetransmit
	ruleTimeWait
	ruleHalfOpen
	ruleSpoofedSYN
	ruleOtherClient
	numRules
)

// The chains of SEGMENT ARRIVES, one per subsection of §3.10.7, in the
// RFC's order.
var (
	closedChain  = [...]ruleID{ruleClosed}
	listenChain  = [...]ruleID{ruleListenRST, ruleListenACK, ruleListenSYNQueueFull, ruleListenSYN, ruleListenOther}
	synSentChain = [...]ruleID{ruleSynSentACK, ruleSynSentRST, ruleSynSentSYN, ruleSynSentOther}
	otherChain   = [...]ruleID{ruleTimeWaitSYN, ruleSimultaneousSynAck, ruleSequence, ruleRST, ruleSYN, ruleACK, ruleText, ruleFIN}
)

// tcpRules is RFC 9293's table, indexed by ruleID.
var tcpRules = [numRules]Rule{
	ruleOpenPassive:        {"call/open/passive", "§3.10.1", "OPEN, passive, in CLOSED: create the TCB and enter LISTEN", passiveOpen},
	ruleOpenActive:         {"call/open/active", "§3.10.1", "OPEN, active, in CLOSED or LISTEN: select an ISS, send SYN, enter SYN-SENT", activeOpen},
	ruleSelectISN:          {"isn/select", "§3.4.1", "the ISS of an OPEN or a SYN: the ISN clock, moved on between incarnations", selectISN},
	ruleSend:               {"call/send", "§3.10.2", "SEND in ESTABLISHED or CLOSE-WAIT: the next byte with a piggybacked ACK", send},
	ruleClose:              {"call/close", "§3.10.4", "CLOSE: delete the TCB (LISTEN, SYN-SENT) or send FIN (SYN-RECEIVED, ESTABLISHED, CLOSE-WAIT)", closeCall},
	ruleAbort:              {"call/abort", "§3.10.5", "ABORT: send RST where synchronized or SYN-RECEIVED (not CLOSING, LAST-ACK, TIME-WAIT), delete the TCB", abort},
	ruleAccept:             {"call/accept", "seed §4 (the socket API's accept)", "the application takes a connection from the accept queue", accept},
	ruleClosed:             {"segment/closed", "§3.10.7.1", "no TCB: drop a RST, answer anything else with a RST", arriveClosed},
	ruleListenRST:          {"segment/listen/rst", "§3.10.7.2 first", "LISTEN ignores a RST", listenRST},
	ruleListenACK:          {"segment/listen/ack", "§3.10.7.2 second", "LISTEN answers an ACK with <SEQ=SEG.ACK><CTL=RST>", listenACK},
	ruleListenCookieACK:    {"segment/listen/cookie-ack", "RFC 4987 §3.6", "an ACK of a SYN cookie makes an ESTABLISHED connection", cookieACK},
	ruleListenSYNQueueFull: {"segment/listen/syn-queue-full", "RFC 4987 §3.6; seed §4-5", "a SYN that finds the SYN queue full is answered with a SYN cookie", listenSYNQueueFull},
	ruleListenSYN:          {"segment/listen/syn", "§3.10.7.2 third", "LISTEN takes a SYN: IRS, ISS, send SYN,ACK, enter SYN-RECEIVED", listenSYN},
	ruleListenOther:        {"segment/listen/other", "§3.10.7.2 fourth", "LISTEN drops any other segment", listenOther},
	ruleSynSentACK:         {"segment/syn-sent/ack", "§3.10.7.3 first", "SYN-SENT resets an unacceptable ACK", synSentACK},
	ruleSynSentRST:         {"segment/syn-sent/rst", "§3.10.7.3 second", "SYN-SENT takes a RST only with an acceptable ACK: connection refused", synSentRST},
	ruleSynSentSYN:         {"segment/syn-sent/syn", "§3.10.7.3 fourth", "SYN-SENT takes a SYN: ESTABLISHED if it acknowledges ours, else SYN-RECEIVED (simultaneous open)", synSentSYN},
	ruleSynSentThirdACK:    {"segment/syn-sent/third-ack", "§3.10.7.3 fourth", "the handshake's third segment, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>", synSentThirdACK},
	ruleSynSentOther:       {"segment/syn-sent/other", "§3.10.7.3 fifth", "SYN-SENT drops a segment with neither SYN nor RST", synSentOther},
	ruleTimeWaitSYN:        {"segment/time-wait/syn", "§3.6.1 MAY-2 (not taken)", "TIME-WAIT does not reopen on a new SYN: §3.10.7.4 applies (a challenge ACK)", noRule},
	ruleSimultaneousSynAck: {"segment/syn-received/syn-ack", "RFC 9293 Figure 7 line 6", "SYN-RECEIVED from SYN-SENT takes the peer's SYN,ACK as the ACK of its SYN", simultaneousSynAck},
	ruleSequence:           {"segment/sequence", "§3.10.7.4 first", "an unacceptable segment draws an ACK and is dropped", checkSequence},
	ruleRST:                {"segment/rst", "§3.10.7.4 second", "a RST in the window resets the connection", checkRST},
	ruleSYN:                {"segment/syn", "§3.10.7.4 fourth; RFC 5961 §4", "a SYN draws a challenge ACK (SYN-RECEIVED from LISTEN: back to LISTEN)", checkSYN},
	ruleACK:                {"segment/ack", "§3.10.7.4 fifth", "the ACK field: SYN-RECEIVED → ESTABLISHED, SND.UNA, the ACK of our FIN", checkACK},
	ruleText:               {"segment/text", "§3.10.7.4 seventh", "text in ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2 is delivered and acknowledged", processText},
	ruleFIN:                {"segment/fin", "§3.10.7.4 eighth", "a FIN is acknowledged: CLOSE-WAIT, CLOSING or TIME-WAIT", checkFIN},
	ruleEnterTimeWait:      {"time-wait/enter", "§3.10.7.4 fifth and eighth", "enter TIME-WAIT, the retransmission timer off", enterTimeWait},
	ruleRetransmit:         {"timer/retransmit", "§3.10.8; RFC 6298 §5", "the retransmission timeout: resend the front segment, back off; give up after MaxRetries (§3.8.3 R2)", retransmitTimeout},
	ruleTimeWait:           {"timer/time-wait", "§3.10.8", "the 2MSL timeout: delete the TCB", timeWaitTimeout},
	ruleHalfOpen:           {"timer/half-open", "seed §6; §3.8.3 R2", "a half-open entry's SYN,ACK timer: back off, drop the entry after MaxRetries", halfOpenTimeout},
	ruleSpoofedSYN:         {"env/spoofed-syn", "seed §5", "a spoofed SYN reaches B's listener and makes a half-open entry", spoofedSYN},
	ruleOtherClient:        {"env/other-client", "seed §4", "another client completes a handshake and waits in B's accept queue", otherClient},
}

// Rules returns RFC 9293's rule table, in the order of the RFC.
func Rules() []Rule { return slices.Clone(tcpRules[:]) }

// LookupRule returns TCP's rule called name.
func LookupRule(name string) (Rule, bool) {
	id, ok := ruleByName(name)
	if !ok {
		return Rule{}, false
	}
	return tcpRules[id], true
}

func ruleByName(name string) (ruleID, bool) {
	for id := range tcpRules {
		if tcpRules[id].Name == name {
			return ruleID(id), true
		}
	}
	return 0, false
}

// Variant is a protocol: TCP as RFC 9293 specifies it (the zero Variant,
// TCP), or TCP with some of its rules replaced — without one of its
// mechanisms (the seed's "why" questions), with a planted bug, as Linux
// behaves, or as a user's own stack does. Variants compare equal when
// they are the same value from NewVariant.
type Variant struct{ def *variantDef }

type variantDef struct {
	name, description string
	overrides         []Rule
	rules             [numRules]RuleFunc
	// rto, rtoMax, msl are the variant's timing, used where the
	// configuration gives none (zero: the RFC's).
	rto, rtoMax, msl time.Duration
}

// TCP is RFC 9293's protocol, with no rule replaced.
var TCP Variant

// NewVariant returns the variant of TCP with each rule of overrides put
// in place of TCP's rule of the same name (an override's Section and
// Summary say what it does instead; an empty Section keeps TCP's). It is
// an error to name no rule, a rule TCP does not have, one rule twice, or
// to give a rule without Apply.
func NewVariant(name, description string, overrides ...Rule) (Variant, error) {
	if name == "" {
		return Variant{}, fmt.Errorf("variant: a variant needs a name")
	}
	if len(overrides) == 0 {
		return Variant{}, fmt.Errorf("variant %s: replaces no rule (TCP itself is model.TCP)", name)
	}
	d := &variantDef{name: name, description: description}
	for id := range tcpRules {
		d.rules[id] = tcpRules[id].Apply
	}
	seen := map[string]bool{}
	for _, r := range overrides {
		id, ok := ruleByName(r.Name)
		switch {
		case !ok:
			return Variant{}, fmt.Errorf("variant %s: TCP has no rule %q (model.Rules lists them)", name, r.Name)
		case seen[r.Name]:
			return Variant{}, fmt.Errorf("variant %s: rule %q is replaced twice", name, r.Name)
		case r.Apply == nil:
			return Variant{}, fmt.Errorf("variant %s: rule %q has no Apply", name, r.Name)
		}
		seen[r.Name] = true
		if r.Section == "" {
			r.Section = tcpRules[id].Section
		}
		d.rules[id] = r.Apply
		d.overrides = append(d.overrides, r)
	}
	return Variant{d}, nil
}

// mustVariant is NewVariant for the built-in variants.
func mustVariant(name, description string, overrides ...Rule) Variant {
	v, err := NewVariant(name, description, overrides...)
	if err != nil {
		panic(err)
	}
	return v
}

// WithTiming returns the variant with its own defaults for Config.RTO,
// RTOMax and MSL (zero keeps the RFC's): the timing of the stack it
// describes, which Config.Timing uses where the configuration sets none.
func (v Variant) WithTiming(rto, rtoMax, msl time.Duration) Variant {
	if v.def == nil {
		return v
	}
	d := *v.def
	d.rto, d.rtoMax, d.msl = rto, rtoMax, msl
	return Variant{&d}
}

// timing is the variant's own timing defaults (zero: none).
func (v Variant) timing() (rto, rtoMax, msl time.Duration) {
	if v.def == nil {
		return 0, 0, 0
	}
	return v.def.rto, v.def.rtoMax, v.def.msl
}

// String is the variant's name ("tcp" for TCP).
func (v Variant) String() string {
	if v.def == nil {
		return "tcp"
	}
	return v.def.name
}

// Description is the variant's one-line description.
func (v Variant) Description() string {
	if v.def == nil {
		return "TCP as RFC 9293 specifies it (the default)"
	}
	return v.def.description
}

// Overrides lists the rules the variant replaces, in the order given.
func (v Variant) Overrides() []Rule {
	if v.def == nil {
		return nil
	}
	return slices.Clone(v.def.overrides)
}

// Rules is the variant's whole rule table: TCP's, with the overrides in
// place.
func (v Variant) Rules() []Rule {
	out := Rules()
	for _, r := range v.Overrides() {
		id, _ := ruleByName(r.Name)
		out[id] = r
	}
	return out
}

func (v Variant) table() *[numRules]RuleFunc {
	if v.def == nil {
		return &tcpTable
	}
	return &v.def.rules
}

var tcpTable [numRules]RuleFunc

func init() {
	for id := range tcpRules {
		tcpTable[id] = tcpRules[id].Apply
	}
}

// tcpNoops are the slots whose TCP rule is noRule: a place for a variant
// to act (MAY-2's TIME-WAIT SYN) where RFC 9293's text does nothing.
var tcpNoops = [numRules]bool{ruleTimeWaitSYN: true}

// inactive reports that rule id is TCP's no-op in v (not overridden), so
// that a chain may skip it.
func (v Variant) inactive(id ruleID) bool {
	return tcpNoops[id] && !v.replaces(id)
}

// replaces reports whether v puts its own rule in place of TCP's rule id.
func (v Variant) replaces(id ruleID) bool {
	if v.def == nil {
		return false
	}
	for _, r := range v.def.overrides {
		if r.Name == tcpRules[id].Name {
			return true
		}
	}
	return false
}

// variants are the built-in variants, TCP first.
var variants []Variant

// Variants lists the built-in variants, TCP first.
func Variants() []Variant { return slices.Clone(variants) }

// ParseVariant returns the built-in variant called name.
func ParseVariant(name string) (Variant, error) {
	var names []string
	for _, v := range variants {
		if v.String() == name {
			return v, nil
		}
		names = append(names, v.String())
	}
	return Variant{}, fmt.Errorf("variant: unknown variant %q (known: %s)", name, strings.Join(names, ", "))
}
