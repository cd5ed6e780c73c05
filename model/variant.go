package model

import (
	"fmt"
	"strings"
)

// Variant is a deliberately changed protocol: TCP without one of its
// mechanisms, so that a property the mechanism protects can be shown to
// fail (the seed's "why" questions), or with a planted bug, so that the
// fuzzers can be shown to find it. The zero Variant is TCP as RFC 9293
// specifies it.
type Variant uint8

const (
	TCP Variant = iota
	// TwoWayHandshake: the listener is ESTABLISHED as soon as it answers
	// a SYN, and the client sends no third segment (seed §1: why three
	// messages, not two).
	TwoWayHandshake
	// FixedISN: every incarnation starts from the same ISN (seed §2).
	FixedISN
	// DataOnSYN: the client's first byte rides on its SYN, and the
	// listener holds it while half-open (seed §3).
	DataOnSYN
	// NoTimeWait: the active closer goes straight to CLOSED instead of
	// TIME-WAIT (seed, four-way close: why 2MSL).
	NoTimeWait
	// NoSynAckRetransmit: a SYN-RECEIVED endpoint never retransmits its
	// SYN,ACK (seed §6).
	NoSynAckRetransmit
	// NoFinRetransmit: a FIN is never retransmitted.
	NoFinRetransmit
	// NoSynCookies: a listener whose SYN queue is full drops new SYNs
	// instead of answering them with a SYN cookie (seed §5).
	NoSynCookies
	// BugAckSeq is a planted bug: the listener acknowledges a SYN with
	// SEG.SEQ instead of SEG.SEQ+1.
	BugAckSeq
	// BugDataInSynSent is a planted bug: an endpoint in SYN-SENT accepts
	// the text of a segment that carries no SYN.
	BugDataInSynSent
	numVariants
)

var variantInfo = [numVariants]struct{ name, description string }{
	{"tcp", "TCP as RFC 9293 specifies it (the default)"},
	{"two-way-handshake", "the listener is ESTABLISHED once it sends its SYN,ACK; no third segment"},
	{"fixed-isn", "every incarnation of the connection starts from the same ISN"},
	{"data-on-syn", "the client's first byte rides on its SYN; the listener holds it while half-open"},
	{"no-time-wait", "the active closer goes straight to CLOSED instead of TIME-WAIT"},
	{"no-synack-retransmit", "a SYN-RECEIVED endpoint never retransmits its SYN,ACK"},
	{"no-fin-retransmit", "a FIN is never retransmitted"},
	{"no-syn-cookies", "a full SYN queue drops new SYNs instead of answering with a SYN cookie"},
	{"bug-ack-seq", "planted bug: a SYN is acknowledged with SEG.SEQ instead of SEG.SEQ+1"},
	{"bug-data-in-syn-sent", "planted bug: SYN-SENT accepts the text of a segment without SYN"},
}

func (v Variant) String() string {
	if v < numVariants {
		return variantInfo[v].name
	}
	return fmt.Sprintf("Variant(%d)", uint8(v))
}

// Description is the variant's one-line description.
func (v Variant) Description() string {
	if v < numVariants {
		return variantInfo[v].description
	}
	return ""
}

// Variants lists every variant, TCP first.
func Variants() []Variant {
	out := make([]Variant, numVariants)
	for i := range out {
		out[i] = Variant(i)
	}
	return out
}

// ParseVariant is the inverse of String.
func ParseVariant(name string) (Variant, error) {
	var names []string
	for _, v := range Variants() {
		if v.String() == name {
			return v, nil
		}
		names = append(names, v.String())
	}
	return 0, fmt.Errorf("variant: unknown variant %q (known: %s)", name, strings.Join(names, ", "))
}
