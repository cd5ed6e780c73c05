/*
 * The segment-level TCP model of package model (RFC 9293 §3.10: two
 * endpoints, a bounded lossy channel each way), for one configuration
 * given by the macros below, written so that SPIN's "states, stored"
 * equals tcpcheck's distinct states: the model has one initial state,
 * all zero, which is SPIN's. One process; every transition is one d_step
 * that does what model.Step does. Sequence numbers are C ints: the
 * configuration's ISNs must not wrap (model.SeqNum's modular comparisons
 * are then plain ones). One ISN per side and one incarnation.
 *
 * Knobs, as `tcpcheck check` names them (defaults: the lossy preset with
 * --isn-a 100 --isn-b 1000).
 */
#ifndef CAP
#define CAP 8
#endif
#ifndef MAXLOSSES
#define MAXLOSSES 2
#endif
#ifndef MAXDUPS
#define MAXDUPS 1
#endif
#ifndef REORDER
#define REORDER 1
#endif
#ifndef MAXRETRIES
#define MAXRETRIES 3
#endif
#ifndef DATA_A
#define DATA_A 1
#endif
#ifndef DATA_B
#define DATA_B 0
#endif
#ifndef ROLE_A
#define ROLE_A 2 /* 1 listen, 2 connect, 3 listen+connect */
#endif
#ifndef ROLE_B
#define ROLE_B 1
#endif
#ifndef CLOSE
#define CLOSE 1
#endif
#ifndef EARLYCLOSE
#define EARLYCLOSE 0
#endif
#ifndef ABORT
#define ABORT 0
#endif
#ifndef ISN_A
#define ISN_A 100
#endif
#ifndef ISN_B
#define ISN_B 1000
#endif
#ifndef WND
#define WND 4096
#endif

#define CLOSED 0
#define LISTEN 1
#define SYNSENT 2
#define SYNRCVD 3
#define ESTAB 4
#define FINWAIT1 5
#define FINWAIT2 6
#define CLOSEWAIT 7
#define CLOSING 8
#define LASTACK 9
#define TIMEWAIT 10

#define FIN 1
#define SYN 2
#define RST 4
#define ACK 8

#define NOERROR 0
#define REFUSED 1
#define RESET 2
#define TIMEDOUT 3

typedef Endpoint {
	byte st; bit passive; bit appclosed; bit aborted; byte backoff; byte opens;
	byte sent; byte delivered; byte peerinc; byte err;
	int iss; int irs; int una; int nxt; int rcvnxt
};
typedef Segment { int seq; int ack; byte flags; byte ln; byte inc; byte stream; byte aged; bit delayed; bit timely };
typedef Channel { Segment s[CAP]; byte n };

Endpoint ep[2];
Channel ch[2]; /* ch[A] carries A's segments to B */
byte losses; byte dups; bit overflow;

/* The segment being processed and scratch variables: not part of the state. */
hidden int gseq, gack; hidden byte gflags, glen, ginc, gstream;
hidden byte j, peer, owe, future, found, tim; hidden int kk, nn;
/* The timer marks of model.timerMark, taken before a transition. */
hidden byte mopens[2]; hidden int muna[2], mnxt[2];

#define HAS(f, x) (((f) & (x)) == (x))
#define SEGLEN(n, f) ((n) + ((f) & SYN) / SYN + ((f) & FIN))
#define LT(a, b) ((a) - (b) < 0)
#define LEQ(a, b) ((a) - (b) <= 0)
#define INWIN(s, start, size) ((s) - (start) >= 0 && (s) - (start) < (size))
/* model.SeqNum.InRange measures from lo; the signed form below differs
 * from it only for numbers 2^31 apart, which the benchmark's ISNs (no
 * wrap) never produce. */
#define INRANGE(s, lo, hi) (LT(lo, s) && LEQ(s, hi))
#define ROLE(x) ((x) == 0 -> ROLE_A : ROLE_B)
#define DATA(x) ((x) == 0 -> DATA_A : DATA_B)
#define ISN(x) ((x) == 0 -> ISN_A : ISN_B)

#define COPYSEG(d, s2) d.seq = s2.seq; d.ack = s2.ack; d.flags = s2.flags; d.ln = s2.ln; d.inc = s2.inc; d.stream = s2.stream; d.aged = s2.aged; d.delayed = s2.delayed; d.timely = s2.timely
#define ZEROSEG(d) d.seq = 0; d.ack = 0; d.flags = 0; d.ln = 0; d.inc = 0; d.stream = 0; d.aged = 0; d.delayed = 0; d.timely = 0

/* Channel.remove: take out segment k of channel x, keeping order and zero slots. */
inline remove(x, k) {
	j = k;
	do
	:: j + 1 < ch[x].n -> COPYSEG(ch[x].s[j], ch[x].s[j + 1]); j++
	:: else -> break
	od;
	ch[x].n--;
	ZEROSEG(ch[x].s[ch[x].n])
}

/* Transition.Emit: send from x, or mark the overflow; tim is Transition.timely. */
inline emit(x, SEQ, ACKN, FLAGS, LEN, STREAM) {
	if
	:: ch[x].n >= CAP -> overflow = 1
	:: else ->
		ch[x].s[ch[x].n].seq = SEQ; ch[x].s[ch[x].n].ack = ACKN;
		ch[x].s[ch[x].n].flags = FLAGS; ch[x].s[ch[x].n].ln = LEN;
		ch[x].s[ch[x].n].inc = ep[x].opens; ch[x].s[ch[x].n].stream = STREAM;
		ch[x].s[ch[x].n].aged = 0; ch[x].s[ch[x].n].delayed = 0;
		ch[x].s[ch[x].n].timely = (tim && ((FLAGS) & (ACK | RST)) != 0);
		ch[x].n++
	fi
}

/* the fields Transition.DeleteTCB and Transition.BackToListen clear */
inline clearTCB(x) {
	ep[x].st = CLOSED; ep[x].passive = 0; ep[x].backoff = 0; ep[x].peerinc = 0;
	ep[x].iss = 0; ep[x].irs = 0; ep[x].una = 0; ep[x].nxt = 0; ep[x].rcvnxt = 0
}

/* Transition.DeleteTCB */
inline deleteTCB(x, e) {
	if
	:: e != NOERROR -> ep[x].err = e
	:: else -> skip
	fi;
	clearTCB(x)
}

/* Transition.BackToListen */
inline backToListen(x) {
	clearTCB(x); ep[x].st = LISTEN; ep[x].appclosed = 0; ep[x].aborted = 0; ep[x].sent = 0
}

/* Transition.sendFIN */
inline sendFIN(x, next) {
	emit(x, ep[x].nxt, ep[x].rcvnxt, FIN | ACK, 0, 0);
	ep[x].nxt++; ep[x].st = next; ep[x].appclosed = 1
}

/* §3.10.7.1: rule segment/closed (arriveClosed) */
inline arriveClosed(x) {
	if
	:: HAS(gflags, RST) -> skip
	:: !HAS(gflags, RST) && !HAS(gflags, ACK) -> emit(x, 0, gseq + SEGLEN(glen, gflags), RST | ACK, 0, 0)
	:: else -> emit(x, gack, 0, RST, 0, 0)
	fi
}

/* §3.10.7.2: rules segment/listen/* (listenRST, listenACK, listenSYN, listenOther) */
inline arriveListen(x) {
	if
	:: HAS(gflags, RST) -> skip
	:: !HAS(gflags, RST) && HAS(gflags, ACK) -> emit(x, gack, 0, RST, 0, 0)
	:: !HAS(gflags, RST) && !HAS(gflags, ACK) && HAS(gflags, SYN) ->
		ep[x].irs = gseq; ep[x].rcvnxt = gseq + 1; ep[x].peerinc = ginc;
		ep[x].iss = ISN(x); ep[x].una = ep[x].iss; ep[x].nxt = ep[x].iss + 1;
		ep[x].st = SYNRCVD; ep[x].passive = 1; ep[x].backoff = 0;
		emit(x, ep[x].iss, ep[x].rcvnxt, SYN | ACK, 0, 0)
	:: else -> skip
	fi
}

/* §3.10.7.3: rules segment/syn-sent/* (synSentACK, synSentRST, synSentSYN, synSentThirdACK, synSentOther) */
inline arriveSynSent(x) {
	if
	:: HAS(gflags, ACK) && (LEQ(gack, ep[x].iss) || LT(ep[x].nxt, gack)) ->
		if
		:: !HAS(gflags, RST) -> emit(x, gack, 0, RST, 0, 0)
		:: else -> skip
		fi
	:: else ->
		if
		:: HAS(gflags, RST) ->
			if
			:: HAS(gflags, ACK) -> deleteTCB(x, REFUSED)
			:: else -> skip
			fi
		:: !HAS(gflags, RST) && HAS(gflags, SYN) ->
			ep[x].irs = gseq; ep[x].rcvnxt = gseq + 1; ep[x].peerinc = ginc;
			if
			:: HAS(gflags, ACK) -> ep[x].una = gack
			:: else -> skip
			fi;
			if
			:: LT(ep[x].iss, ep[x].una) ->
				ep[x].st = ESTAB; ep[x].backoff = 0;
				emit(x, ep[x].nxt, ep[x].rcvnxt, ACK, 0, 0)
			:: else ->
				ep[x].st = SYNRCVD;
				emit(x, ep[x].iss, ep[x].rcvnxt, SYN | ACK, 0, 0)
			fi
		:: else -> skip
		fi
	fi
}

#define FINSENT(x) (ep[x].st == FINWAIT1 || ep[x].st == FINWAIT2 || ep[x].st == CLOSING || ep[x].st == LASTACK || ep[x].st == TIMEWAIT)
#define FINACKED(x) (FINSENT(x) && ep[x].una == ep[x].nxt)

/* §3.10.7.4: the chain of rules segment/syn-received/syn-ack, sequence, rst, syn, ack, text, fin
 * (simultaneousSynAck, checkSequence, checkRST, checkSYN, checkACK, processText, checkFIN), with the
 * acknowledgment owed sent once at the end (Transition.segmentArrives). */
inline arriveOther(x) {
	owe = 0;
	/* Simultaneous open, Figure 7 line 6: the peer's SYN,ACK. */
	if
	:: ep[x].st == SYNRCVD && !ep[x].passive && gflags == (SYN | ACK) && glen == 0 &&
	   gseq + 1 == ep[x].rcvnxt && gack == ep[x].nxt -> gseq = ep[x].rcvnxt; gflags = ACK
	:: else -> skip
	fi;
	nn = SEGLEN(glen, gflags);
	if
	:: !((nn == 0 && INWIN(gseq, ep[x].rcvnxt, WND)) || (nn > 0 && (INWIN(gseq, ep[x].rcvnxt, WND) || INWIN(gseq + nn - 1, ep[x].rcvnxt, WND)))) ->
		owe = !HAS(gflags, RST)
	:: else ->
	if
	:: HAS(gflags, RST) ->
		if
		:: ep[x].st == SYNRCVD && ep[x].passive -> backToListen(x)
		:: ep[x].st == SYNRCVD && !ep[x].passive -> deleteTCB(x, REFUSED)
		:: ep[x].st == ESTAB || ep[x].st == FINWAIT1 || ep[x].st == FINWAIT2 || ep[x].st == CLOSEWAIT -> deleteTCB(x, RESET)
		:: else -> deleteTCB(x, NOERROR)
		fi
	:: else ->
		/* trim */
		kk = ep[x].rcvnxt - gseq;
		if
		:: kk > 0 ->
			if
			:: HAS(gflags, SYN) -> gflags = gflags & ~SYN; gseq++; kk--
			:: else -> skip
			fi;
			if
			:: kk > glen -> kk = glen
			:: else -> skip
			fi;
			glen = glen - kk; gseq = gseq + kk; gstream = gstream + kk
		:: else -> skip
		fi;
		future = (gseq != ep[x].rcvnxt);
		if
		:: HAS(gflags, SYN) ->
			if
			:: ep[x].st == SYNRCVD && ep[x].passive -> backToListen(x)
			:: else -> owe = 1
			fi
		:: !HAS(gflags, SYN) && !HAS(gflags, ACK) -> skip
		:: else ->
			found = 1; /* processing goes on */
			if
			:: ep[x].st == SYNRCVD ->
				if
				:: !INRANGE(gack, ep[x].una, ep[x].nxt) -> emit(x, gack, 0, RST, 0, 0); found = 0
				:: else -> ep[x].st = ESTAB
				fi
			:: else -> skip
			fi;
			if
			:: found && INRANGE(gack, ep[x].una, ep[x].nxt) -> ep[x].una = gack; ep[x].backoff = 0
			:: found && !INRANGE(gack, ep[x].una, ep[x].nxt) && LT(ep[x].nxt, gack) -> owe = 1; found = 0
			:: else -> skip
			fi;
			if
			:: found && ep[x].st == FINWAIT1 ->
				if
				:: FINACKED(x) -> ep[x].st = FINWAIT2
				:: else -> skip
				fi
			:: found && ep[x].st == CLOSING ->
				if
				:: !FINACKED(x) -> found = 0
				:: else -> ep[x].st = TIMEWAIT; ep[x].backoff = 0
				fi
			:: found && ep[x].st == LASTACK ->
				if
				:: FINACKED(x) -> deleteTCB(x, NOERROR)
				:: else -> skip
				fi;
				found = 0
			:: else -> skip
			fi;
			if
			:: found && future -> owe = (SEGLEN(glen, gflags) > 0); found = 0
			:: else -> skip
			fi;
			if
			:: found && glen > 0 ->
				if
				:: ep[x].st == ESTAB || ep[x].st == FINWAIT1 || ep[x].st == FINWAIT2 ->
					ep[x].rcvnxt = ep[x].rcvnxt + glen; ep[x].delivered = ep[x].delivered + glen; owe = 1
				:: else -> skip
				fi
			:: else -> skip
			fi;
			if
			:: found && HAS(gflags, FIN) ->
				ep[x].rcvnxt++; owe = 1;
				if
				:: ep[x].st == ESTAB -> ep[x].st = CLOSEWAIT
				:: ep[x].st == FINWAIT1 && FINACKED(x) -> ep[x].st = TIMEWAIT; ep[x].backoff = 0
				:: ep[x].st == FINWAIT1 && !FINACKED(x) -> ep[x].st = CLOSING
				:: ep[x].st == FINWAIT2 -> ep[x].st = TIMEWAIT; ep[x].backoff = 0
				:: else -> skip
				fi
			:: else -> skip
			fi
		fi
	fi
	fi;
	if
	:: owe -> emit(x, ep[x].nxt, ep[x].rcvnxt, ACK, 0, 0)
	:: else -> skip
	fi
}

#define RETRANSMITTING(x) (ep[x].st == SYNSENT || ep[x].st == SYNRCVD || ep[x].st == ESTAB || ep[x].st == FINWAIT1 || ep[x].st == CLOSEWAIT || ep[x].st == CLOSING || ep[x].st == LASTACK)
/* frontCopy: g is a regular copy of x's front segment. */
#define FRONTCOPY(x, g) (!g.delayed && g.inc == ep[x].opens && g.seq == ep[x].una && SEGLEN(g.ln, g.flags) > 0 && RETRANSMITTING(x) && ep[x].una != ep[x].nxt)

/* Deliver segment k of the peer's channel to x (Transition.act, Deliver). */
inline deliver(x, k) {
	peer = 1 - x;
	gseq = ch[peer].s[k].seq; gack = ch[peer].s[k].ack; gflags = ch[peer].s[k].flags;
	glen = ch[peer].s[k].ln; ginc = ch[peer].s[k].inc; gstream = ch[peer].s[k].stream;
	tim = FRONTCOPY(peer, ch[peer].s[k]);
	remove(peer, k);
	if
	:: ep[x].st == CLOSED -> arriveClosed(x)
	:: ep[x].st == LISTEN -> arriveListen(x)
	:: ep[x].st == SYNSENT -> arriveSynSent(x)
	:: else -> arriveOther(x)
	fi;
	tim = 0
}



/* State.markInFlight */
inline markInFlight(x) {
	j = 0;
	do
	:: j < ch[0].n -> if :: !ch[0].s[j].delayed -> ch[0].s[j].aged = ch[0].s[j].aged | (1 << x) :: else -> skip fi; j++
	:: else -> break
	od;
	j = 0;
	do
	:: j < ch[1].n -> if :: !ch[1].s[j].delayed -> ch[1].s[j].aged = ch[1].s[j].aged | (1 << x) :: else -> skip fi; j++
	:: else -> break
	od
}

/* Transition.apply's timer marks, around every transition but an expiry:
 * Endpoint.timerMark before, Endpoint.timerRestarted after. */
inline premark() {
	mopens[0] = ep[0].opens; muna[0] = ep[0].una; mnxt[0] = ep[0].nxt;
	mopens[1] = ep[1].opens; muna[1] = ep[1].una; mnxt[1] = ep[1].nxt
}
#define RESTARTED(x) (RETRANSMITTING(x) && ep[x].una != ep[x].nxt && (mopens[x] != ep[x].opens || muna[x] == mnxt[x] || muna[x] != ep[x].una))
inline postmark() {
	if
	:: RESTARTED(0) -> markInFlight(0)
	:: else -> skip
	fi;
	if
	:: RESTARTED(1) -> markInFlight(1)
	:: else -> skip
	fi
}

/* Transition.retransmissionNeeded, into found. */
inline needed(x) {
	found = 1; peer = 1 - x; j = 0;
	do
	:: j < ch[x].n ->
		if
		:: FRONTCOPY(x, ch[x].s[j]) -> found = 0
		:: else -> skip
		fi; j++
	:: else -> break
	od;
	j = 0;
	do
	:: j < ch[peer].n ->
		if
		:: !ch[peer].s[j].delayed && ch[peer].s[j].timely &&
		   ((HAS(ch[peer].s[j].flags, ACK) && INRANGE(ch[peer].s[j].ack, ep[x].una, ep[x].nxt)) || HAS(ch[peer].s[j].flags, RST)) -> found = 0
		:: else -> skip
		fi; j++
	:: else -> break
	od;
	/* Segment.Aged: the segments in flight either way when the timer
	 * last started, delayed copies apart, must have arrived or been lost. */
	j = 0;
	do
	:: found && j < ch[0].n ->
		if
		:: !ch[0].s[j].delayed && ch[0].s[j].aged & (1 << x) -> found = 0
		:: else -> skip
		fi; j++
	:: else -> break
	od;
	j = 0;
	do
	:: found && j < ch[1].n ->
		if
		:: !ch[1].s[j].delayed && ch[1].s[j].aged & (1 << x) -> found = 0
		:: else -> skip
		fi; j++
	:: else -> break
	od
}

/* rule timer/retransmit (retransmitTimeout), past its guard. */
inline retransmit(x) {
	markInFlight(x);
	if
	:: ep[x].backoff >= MAXRETRIES ->
		if
		:: ep[x].st == SYNRCVD && ep[x].passive -> backToListen(x)
		:: else -> deleteTCB(x, TIMEDOUT)
		fi
	:: else ->
		if
		:: ep[x].una == ep[x].iss && ep[x].st == SYNSENT -> emit(x, ep[x].iss, 0, SYN, 0, 0)
		:: ep[x].una == ep[x].iss && ep[x].st != SYNSENT -> emit(x, ep[x].iss, ep[x].rcvnxt, SYN | ACK, 0, 0)
		:: else ->
			kk = ep[x].una - (ep[x].iss + 1);
			if
			:: kk < ep[x].sent -> emit(x, ep[x].una, ep[x].rcvnxt, ACK, 1, kk)
			:: else -> emit(x, ep[x].una, ep[x].rcvnxt, FIN | ACK, 0, 0)
			fi
		fi;
		ep[x].backoff++
	fi
}

/* Without reordering, a segment is delivered if it is a delayed copy or
 * the oldest regular one: NOREGk(c), no regular segment before position k. */
#define REG(c, k) (!ch[c].s[k].delayed && k < ch[c].n)
#define NOREG0(c) 1
#define NOREG1(c) (NOREG0(c) && !REG(c, 0))
#define NOREG2(c) (NOREG1(c) && !REG(c, 1))
#define NOREG3(c) (NOREG2(c) && !REG(c, 2))
#define NOREG4(c) (NOREG3(c) && !REG(c, 3))
#define NOREG5(c) (NOREG4(c) && !REG(c, 4))
#define NOREG6(c) (NOREG5(c) && !REG(c, 5))
#define NOREG7(c) (NOREG6(c) && !REG(c, 6))

/* rule timer/time-wait (timeWaitTimeout): segment k of channel c belongs to the connection
 * that x's TIME-WAIT guards, or an older one. */
#define OLDSEG(c, k, x) (k < ch[c].n && ch[c].s[k].inc <= ep[x].peerinc)

/* The transitions of side X (model.Model.Next): the user calls
 * (rules call/open/passive, call/open/active, call/send, call/close,
 * call/abort), then per channel position K Deliver (Transition.act), Lose
 * (Transition.lose) and Duplicate (Transition.duplicate), then the timers
 * (rules timer/retransmit, timer/time-wait). */
#define POS(X, K) \
	:: d_step { !overflow && K < ch[1 - X].n && (REORDER || ch[1 - X].s[K].delayed || NOREG##K(1 - X)) -> premark(); deliver(X, K); postmark() } \
	:: d_step { !overflow && K < ch[X].n && losses < MAXLOSSES -> remove(X, K); losses++ } \
	:: d_step { !overflow && K < ch[X].n && dups < MAXDUPS -> \
		dups++; \
		if \
		:: ch[X].n >= CAP -> overflow = 1 /* the copy needs more room than the bound */ \
		:: else -> COPYSEG(ch[X].s[ch[X].n], ch[X].s[K]); ch[X].s[ch[X].n].delayed = 1; ch[X].s[ch[X].n].timely = 0; ch[X].n++ \
		fi }

#define SIDE(X) \
	:: d_step { !overflow && (ROLE(X) & 1) && ep[X].st == CLOSED && ep[X].opens < 1 -> \
		clearTCB(X); ep[X].appclosed = 0; ep[X].aborted = 0; ep[X].sent = 0; ep[X].delivered = 0; ep[X].err = 0; \
		ep[X].st = LISTEN; ep[X].opens++ } \
	:: d_step { !overflow && (ROLE(X) & 2) && ((ep[X].st == CLOSED && ep[X].opens < 1) || ep[X].st == LISTEN) -> \
		if \
		:: ep[X].st == CLOSED -> premark(); clearTCB(X); ep[X].appclosed = 0; ep[X].aborted = 0; ep[X].sent = 0; ep[X].delivered = 0; ep[X].err = 0; ep[X].opens++ \
		:: else -> premark() \
		fi; \
		ep[X].st = SYNSENT; ep[X].passive = 0; ep[X].iss = ISN(X); ep[X].una = ep[X].iss; ep[X].nxt = ep[X].iss + 1; \
		emit(X, ep[X].iss, 0, SYN, 0, 0); postmark() } \
	:: d_step { !overflow && (ep[X].st == ESTAB || ep[X].st == CLOSEWAIT) && !ep[X].appclosed && ep[X].sent < DATA(X) -> \
		premark(); emit(X, ep[X].nxt, ep[X].rcvnxt, ACK, 1, ep[X].sent); ep[X].nxt++; ep[X].sent++; postmark() } \
	:: d_step { !overflow && CLOSE && !ep[X].appclosed && EARLYCLOSE && (ep[X].st == LISTEN || ep[X].st == SYNSENT) -> \
		ep[X].appclosed = 1; deleteTCB(X, NOERROR) } \
	:: d_step { !overflow && CLOSE && !ep[X].appclosed && EARLYCLOSE && ep[X].st == SYNRCVD -> premark(); sendFIN(X, FINWAIT1); postmark() } \
	:: d_step { !overflow && CLOSE && !ep[X].appclosed && ep[X].st == ESTAB && ep[X].sent >= DATA(X) -> premark(); sendFIN(X, FINWAIT1); postmark() } \
	:: d_step { !overflow && CLOSE && !ep[X].appclosed && ep[X].st == CLOSEWAIT && ep[X].sent >= DATA(X) -> premark(); sendFIN(X, LASTACK); postmark() } \
	:: d_step { !overflow && ABORT && ep[X].st != CLOSED -> \
		if \
		:: ep[X].st == SYNRCVD || ep[X].st == ESTAB || ep[X].st == FINWAIT1 || ep[X].st == FINWAIT2 || ep[X].st == CLOSEWAIT -> \
			emit(X, ep[X].nxt, 0, RST, 0, 0) \
		:: else -> skip \
		fi; \
		ep[X].appclosed = 1; ep[X].aborted = 1; deleteTCB(X, NOERROR) } \
	POS(X, 0) POS(X, 1) POS(X, 2) POS(X, 3) POS(X, 4) POS(X, 5) POS(X, 6) POS(X, 7) \
	:: d_step { !overflow && RETRANSMITTING(X) && ep[X].una != ep[X].nxt -> \
		needed(X); \
		if \
		:: found -> retransmit(X) \
		:: else -> skip /* not enabled: a self-loop, which adds no state */ \
		fi } \
	:: d_step { !overflow && ep[X].st == TIMEWAIT && ch[X].n == 0 && \
		!OLDSEG(1 - X, 0, X) && !OLDSEG(1 - X, 1, X) && !OLDSEG(1 - X, 2, X) && !OLDSEG(1 - X, 3, X) && \
		!OLDSEG(1 - X, 4, X) && !OLDSEG(1 - X, 5, X) && !OLDSEG(1 - X, 6, X) && !OLDSEG(1 - X, 7, X) && \
		!(ep[1 - X].opens == ep[X].peerinc && RETRANSMITTING(1 - X) && ep[1 - X].una != ep[1 - X].nxt) -> deleteTCB(X, NOERROR) }

active proctype tcp() {
	/* The initial state is the model's: both endpoints CLOSED, nothing in flight. */
end:	do
	SIDE(0)
	SIDE(1)
	od
}
