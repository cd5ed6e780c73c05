/*
 * K independent copies of the message-level TCP model (RFC 9293 Figure 5),
 * the TLA+ example tcp.tla under MCtcp's setup, as model/diagram ports it
 * and bench.Product multiplies it. Compile with -DK=1 or -DK=2.
 *
 * One process; every transition is one d_step, so SPIN's "states, stored"
 * is tcpcheck's distinct states plus one: the state before the process
 * chooses the initial state (see docs/performance.md).
 *
 * MCtcp's constraints are folded into the guards, as bench.Product folds
 * them into Next: SingleActiveOpen drops ACTIVE_OPEN, PASSIVE_OPEN and SEND;
 * NoRetransmission (no queue holds two equal messages side by side) holds
 * in the initial states and a receive cannot break it, so it is exactly
 * "a send never appends the message already at the end of the queue".
 */
#ifndef K
#define K 1
#endif

/* Connection states, in model.ConnState's order. */
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

/* Messages, in diagram.Message's order; 0 is no message. */
#define SYN 1
#define SYNACK 2
#define ACK 3
#define RST 4
#define FIN 5
#define ACKOFFIN 6

/* Per copy c and peer p, index 2*c+p: the connection state, the TCB flag,
 * and the inbound queue packed three bits a message, head in the low bits,
 * as diagram.Queue packs it, with its length. */
byte conn[2*K];
bit tcb[2*K];
int q[2*K];
byte ql[2*K];

#define HEAD(i) (q[i] & 7)
#define SECOND(i) ((q[i] >> 3) & 7)
#define LAST(i) (ql[i] == 0 -> 0 : ((q[i] >> (3*(ql[i]-1))) & 7))
#define POP(i) q[i] = q[i] >> 3; ql[i]--
#define PUSH(i, m) assert(ql[i] < 10); q[i] = q[i] | (m << (3*ql[i])); ql[i]++

/* A rule of tcp.tla for local peer L, remote R. */
#define RCV(L, R, FROM, M, TO) \
	:: d_step { conn[L] == FROM && ql[L] > 0 && HEAD(L) == M -> POP(L); conn[L] = TO }
#define RCVSND(L, R, FROM, M, S, TO) \
	:: d_step { conn[L] == FROM && ql[L] > 0 && HEAD(L) == M && LAST(R) != S -> POP(L); PUSH(R, S); conn[L] = TO }
#define SND(L, R, FROM, S, TO) \
	:: d_step { conn[L] == FROM && LAST(R) != S -> PUSH(R, S); conn[L] = TO }

#define PEER(L, R) \
	RCVSND(L, R, SYNSENT, SYN, SYNACK, SYNRCVD) \
	RCVSND(L, R, SYNSENT, SYNACK, ACK, ESTAB) \
	RCV(L, R, SYNRCVD, RST, LISTEN) \
	RCV(L, R, SYNRCVD, ACK, ESTAB) \
	RCVSND(L, R, LISTEN, SYN, SYNACK, SYNRCVD) \
	RCVSND(L, R, ESTAB, FIN, ACKOFFIN, CLOSEWAIT) \
	RCVSND(L, R, FINWAIT1, FIN, ACKOFFIN, CLOSING) \
	RCV(L, R, FINWAIT1, ACKOFFIN, FINWAIT2) \
	RCVSND(L, R, FINWAIT2, FIN, ACKOFFIN, TIMEWAIT) \
	RCV(L, R, CLOSING, ACKOFFIN, TIMEWAIT) \
	RCV(L, R, LASTACK, ACKOFFIN, CLOSED) \
	:: d_step { conn[L] == TIMEWAIT && tcb[L] -> conn[L] = CLOSED; tcb[L] = 0 } \
	:: d_step { conn[L] == FINWAIT1 && ql[L] > 1 && HEAD(L) == FIN && SECOND(L) == ACKOFFIN && LAST(R) != ACKOFFIN -> \
		POP(L); POP(L); PUSH(R, ACKOFFIN); conn[L] = TIMEWAIT } \
	:: d_step { tcb[L] && LAST(R) != RST -> PUSH(R, RST); conn[L] = TIMEWAIT } \
	:: d_step { ql[L] > 0 && HEAD(L) == RST -> POP(L); conn[L] = LISTEN } \
	:: d_step { ql[L] > 0 && HEAD(L) == RST -> POP(L); conn[L] = CLOSED } \
	:: d_step { conn[L] == SYNSENT -> conn[L] = CLOSED; tcb[L] = 0 } \
	SND(L, R, SYNRCVD, FIN, FINWAIT1) \
	:: d_step { conn[L] == LISTEN -> conn[L] = CLOSED; tcb[L] = 0 } \
	SND(L, R, ESTAB, FIN, FINWAIT1) \
	SND(L, R, CLOSEWAIT, FIN, LASTACK)

/* MCInit for copy c: peer N in SYN-SENT, the other in LISTEN with N's SYN
 * queued. */
#define START(c, N) \
	conn[2*c+N] = SYNSENT; tcb[2*c+N] = 1; \
	conn[2*c+1-N] = LISTEN; tcb[2*c+1-N] = 1; q[2*c+1-N] = SYN; ql[2*c+1-N] = 1

active proctype tcp() {
	if
#if K == 1
	:: d_step { START(0, 0) }
	:: d_step { START(0, 1) }
#else
	:: d_step { START(0, 0); START(1, 0) }
	:: d_step { START(0, 0); START(1, 1) }
	:: d_step { START(0, 1); START(1, 0) }
	:: d_step { START(0, 1); START(1, 1) }
#endif
	fi;
end:	do
	PEER(0, 1)
	PEER(1, 0)
#if K == 2
	PEER(2, 3)
	PEER(3, 2)
#endif
	od
}
