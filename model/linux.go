package model

import "time"

// Linux is TCP as Linux behaves with its default settings, where that
// differs from RFC 9293's text (docs/linux.md lists each difference with
// its source):
//
//   - RFC 5961 §3.2: a RST resets only if its sequence number is exactly
//     RCV.NXT; any other RST in the window draws a challenge ACK
//     (tcp_validate_incoming).
//   - RFC 9293 §3.6.1 MAY-2 (RFC 6191 without timestamps): TIME-WAIT
//     accepts a new SYN whose sequence number is beyond the old
//     connection's RCV.NXT and reopens the connection through the
//     listener, choosing an ISS past the old SND.NXT
//     (tcp_timewait_state_process, TCP_TW_SYN; the new ISN is
//     tw_snd_nxt plus 65537).
//   - Retransmission limits: a SYN is retransmitted 6 times
//     (tcp_syn_retries), a SYN,ACK 5 times (tcp_synack_retries, for
//     half-open entries too); data and FIN keep Config.MaxRetries
//     (Linux's tcp_retries2 of 15 outlasts any 2MSL, see below).
//   - Timing: an initial RTO of 1 s (TCP_TIMEOUT_INIT), backing off to
//     120 s (TCP_RTO_MAX), and a TIME-WAIT of 60 s (TCP_TIMEWAIT_LEN), so
//     MSL is 30 s in the model's terms. With a 60 s TIME-WAIT, the
//     timing premise (Config.TimingPremise) holds for up to 4
//     retransmissions of a FIN: Linux's own FIN retries (8 for an orphaned
//     socket) do not fit, and the model refuses such a configuration.
var Linux = mustVariant("linux", "Linux's defaults: RFC 5961 exact-match RST, SYN accepted in TIME-WAIT, 6 SYN and 5 SYN,ACK retries, 60 s TIME-WAIT",
	Rule{Name: "segment/rst", Section: "RFC 5961 §3.2; Linux tcp_validate_incoming",
		Summary: "only a RST at exactly RCV.NXT resets; any other in the window draws a challenge ACK", Apply: checkRSTExact},
	Rule{Name: "segment/time-wait/syn", Section: "§3.6.1 MAY-2; RFC 6191; Linux tcp_timewait_state_process",
		Summary: "TIME-WAIT reopens on a SYN beyond RCV.NXT, with ISS = old SND.NXT + 65537", Apply: timeWaitReopen},
	Rule{Name: "timer/retransmit", Section: "§3.10.8; Linux tcp_syn_retries 6, tcp_synack_retries 5",
		Summary: "a SYN gives up after 6 retransmissions, a SYN,ACK after 5, data and FIN after MaxRetries", Apply: linuxRetransmit},
	Rule{Name: "timer/half-open", Section: "Linux tcp_synack_retries 5",
		Summary: "a half-open entry is dropped after 5 SYN,ACK retransmissions", Apply: func(t *Transition, ev *Event) bool {
			return t.halfOpenTimeout(int(ev.Index), 0, linuxSynAckRetries)
		}},
).WithTiming(time.Second, 120*time.Second, 30*time.Second)

// Linux's retransmission limits for SYN and SYN,ACK.
const (
	linuxSynRetries    = 6
	linuxSynAckRetries = 5
)

func linuxRetransmit(t *Transition, ev *Event) bool {
	limit := t.m.cfg.MaxRetries
	switch e := &t.s.Ep[ev.Side]; {
	case e.SndUna == e.ISS && e.State == SynSent:
		limit = linuxSynRetries
	case e.SndUna == e.ISS:
		limit = linuxSynAckRetries
	}
	return t.retransmit(ev, limit)
}

// timeWaitReopen is MAY-2 as Linux takes it: a SYN (no RST, no ACK)
// reaching TIME-WAIT with a sequence number after RCV.NXT ends TIME-WAIT
// and is processed by the listener as a new connection, if the
// application listens and may open again; the new ISS lies beyond
// anything the old connection sent. Linux does not return to TIME-WAIT if
// the SYN turns out to be an old duplicate (MAY-2's second condition):
// the new connection is reset instead.
func timeWaitReopen(t *Transition, ev *Event) bool {
	side, g := ev.Side, ev.Seg
	e := &t.s.Ep[side]
	if e.State != TimeWait || g.Flags&(SYN|RST|ACK) != SYN || !e.RcvNxt.LessThan(g.Seq) ||
		t.m.cfg.Roles[side]&Listener == 0 || int(e.Opens) >= t.m.cfg.Incarnations {
		return false
	}
	iss := e.SndNxt.Add(65535 + 2)
	*e = Endpoint{State: Listen, Opens: e.Opens + 1}
	t.acceptSYN(ev, synOptions{iss: iss, setISS: true})
	return true
}
