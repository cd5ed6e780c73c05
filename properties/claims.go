package properties

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
)

// A Claim is one claim of the seed document (../shared/seed, a Chinese
// explainer of the handshake and teardown) turned into experiments: TCP
// satisfies a property, and a variant without the mechanism the claim
// explains violates it, with the shortest counterexample as proof. A
// witness, where there is one, is a behaviour the claim describes, shown
// as the shortest trace that reaches it.
type Claim struct {
	ID    string
	Title string
	// Quote is the seed's own sentence, in Chinese; Gloss says it in
	// English.
	Quote, Gloss string
	Experiments  []Experiment
	Witness      *Witness
}

// Experiment checks properties on one configuration and expects a
// verdict.
type Experiment struct {
	Config     model.Config
	Properties []string
	Expect     checker.Verdict
}

// Witness is a behaviour to exhibit: the shortest trace to a transition
// where Reached holds.
type Witness struct {
	Description string
	Config      model.Config
	Reached     func(from *model.State, a model.Action, to *model.State) bool
}

// Outcome is what running an experiment or a witness gave.
type Outcome struct {
	Verdict checker.Verdict
	Stats   checker.Stats
	// Property is the property of the first violation (in catalogue
	// order, invariants before temporal properties), Trace its
	// counterexample — shortest for an invariant — and Why the sentence
	// that explains it. For a temporal property LoopStart is where the
	// lasso's loop returns (Stutter: it ends stopped); otherwise NoLoop.
	Property  string
	Trace     []checker.Step[model.State, model.Action]
	LoopStart int
	Stutter   bool
	Why       string
}

// NoLoop is Outcome.LoopStart when the counterexample is not a lasso.
const NoLoop = -1

// RunExperiment explores x's configuration and checks its properties.
func RunExperiment(ctx context.Context, x Experiment) (Outcome, error) {
	m, err := model.New(x.Config)
	if err != nil {
		return Outcome{}, err
	}
	props, err := Select(Segment(), x.Properties)
	if err != nil {
		return Outcome{}, err
	}
	return Run(ctx, m, props)
}

// Run explores m and checks props, invariants and temporal properties
// alike, returning the first violation found.
func Run(ctx context.Context, m *model.Model, props []SegmentProperty) (Outcome, error) {
	var opts checker.Options[model.State, model.Action]
	Apply(&opts, props, m.Final)
	temporal := slices.ContainsFunc(props, func(p SegmentProperty) bool { return p.Kind == Temporal })
	if temporal {
		opts.KeepGraph, opts.ContinueAfterViolation = true, true
	}
	res, err := checker.Explore(ctx, m, opts)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Verdict: res.Verdict, Stats: res.Stats, LoopStart: NoLoop}
	if len(res.Violations) > 0 {
		v := res.Violations[0]
		out.Trace = v.Trace
		if p, ok := Find(props, v.Name); ok {
			out.Property = p.ID
			out.Why = p.WhyAt(v.Trace)
		}
		return out, nil
	}
	if !temporal {
		return out, nil
	}
	outcomes, _ := CheckTemporal(res, props, max(opts.Workers, 1))
	for _, o := range outcomes {
		if o.Lasso != nil {
			out.Verdict, out.Property, out.Why = checker.Violated, o.Property.ID, o.Why
			out.Trace, out.LoopStart, out.Stutter = o.Lasso.Trace, o.Lasso.LoopStart, o.Lasso.Stutter
			return out, nil
		}
		if o.Status == "unknown" && out.Verdict == checker.Holds {
			out.Verdict = checker.Incomplete
		}
	}
	return out, nil
}

// RunWitness finds the shortest trace to w's behaviour; Verdict is
// Violated when it was found (the search looks for it as a violation of
// "it never happens").
func RunWitness(ctx context.Context, w Witness) (Outcome, error) {
	m, err := model.New(w.Config)
	if err != nil {
		return Outcome{}, err
	}
	res, err := checker.Explore(ctx, m, checker.Options[model.State, model.Action]{
		TransitionInvariants: []checker.TransitionInvariant[model.State, model.Action]{{
			Name:  "witness",
			Holds: func(from *model.State, a model.Action, to *model.State) bool { return !w.Reached(from, a, to) },
		}},
	})
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Verdict: res.Verdict, Stats: res.Stats, LoopStart: NoLoop}
	if len(res.Violations) > 0 {
		out.Trace = res.Violations[0].Trace
	}
	return out, nil
}

// preset returns a preset's configuration, edited.
func preset(name string, edit func(*model.Config)) model.Config {
	c, err := model.LookupPreset(name)
	if err != nil {
		panic(err) // the presets are ours: a missing one is a programming error
	}
	c.ISNs = [2][]uint32{{100}, {300}} // the seed's x and y, small enough to read
	edit(&c)
	return c
}

// withVariant returns c running variant v.
func withVariant(c model.Config, v model.Variant) model.Config {
	c.Variant = v
	return c
}

// Claims is the seed's claims, in the order the seed makes them.
func Claims() []Claim {
	handshake := preset("handshake", func(c *model.Config) { c.MaxLosses = 0 })
	twoWay := preset("handshake", func(c *model.Config) { c.MaxLosses, c.MaxDups = 1, 1 })
	reconnect := preset("lifecycle", func(c *model.Config) {
		c.Data = [2]int{1, 0}
		c.MaxLosses, c.MaxDups, c.Incarnations = 0, 1, 2
	})
	// The client sends nothing, so that what the listener holds in the
	// data-on-syn variant is the attacker's.
	synData := preset("handshake", func(c *model.Config) {
		c.MaxLosses = 0
		c.SynBacklog, c.Attacker = 2, 2
	})
	queue := preset("handshake", func(c *model.Config) {
		c.MaxLosses, c.Data = 0, [2]int{1, 0}
		c.SynBacklog, c.Attacker, c.MaxRetries = 1, 2, 2
		c.AcceptBacklog, c.Clients = 1, 1
	})
	flood := preset("handshake", func(c *model.Config) {
		c.MaxLosses = 0
		c.SynBacklog, c.Attacker, c.MaxRetries = 1, 3, 2
	})
	thirdLost := preset("handshake", func(c *model.Config) { c.MaxLosses = 1 })
	thirdLostOften := preset("handshake", func(c *model.Config) {
		c.Data = [2]int{1, 0}
		c.MaxLosses, c.MaxRetries = 3, 2
	})
	halfClose := preset("close", func(c *model.Config) { c.MaxLosses, c.Data = 0, [2]int{0, 2} })
	timeWait := preset("close", func(c *model.Config) { c.MaxLosses = 1 })
	timeWaitReuse := preset("lifecycle", func(c *model.Config) {
		c.Data = [2]int{1, 0}
		c.MaxLosses, c.MaxDups, c.Incarnations, c.ISNStep = 0, 1, 2, 0
	})
	timeWaitReuse1337 := timeWaitReuse
	timeWaitReuse1337.RFC1337 = true

	return []Claim{
		{
			ID:    "1",
			Title: "The three-way handshake: seq and ack are x, y, x+1, y+1",
			Quote: "同时会把客户端的 ISN + 1 作为确认号 ack 的值，表示已经收到了客户端发来的的 SYN 报文，希望收到的下一个数据的第一个字节的序号是 x + 1",
			Gloss: "The server answers the SYN (seq = x) with its own SYN (seq = y) carrying ack = x+1; the client's ACK carries seq = x+1, ack = y+1; both end ESTABLISHED.",
			Experiments: []Experiment{
				{handshake, []string{"handshake-ack", "established-agree"}, checker.Holds},
				{withVariant(handshake, model.BugAckSeq), []string{"handshake-ack"}, checker.Violated},
			},
			Witness: &Witness{"both endpoints ESTABLISHED", handshake, func(_ *model.State, _ model.Action, to *model.State) bool {
				return to.Ep[model.A].State == model.Established && to.Ep[model.B].State == model.Established
			}},
		},
		{
			ID:    "2",
			Title: "Why three messages, not two",
			Quote: "只有经过三次握手才能确认双发的收发功能都正常，缺一不可",
			Gloss: "Only the third message tells the server that the client received its SYN; without it, a SYN the client no longer stands behind (a lost answer, an old duplicate) leaves the server ESTABLISHED alone: a half-open connection.",
			Experiments: []Experiment{
				{twoWay, []string{"established-agree"}, checker.Holds},
				{withVariant(twoWay, model.TwoWayHandshake), []string{"established-agree"}, checker.Violated},
			},
		},
		{
			ID:    "3",
			Title: "The ISN is not fixed",
			Quote: "ISN 随时间而变化，因此每个连接都将具有不同的 ISN。",
			Gloss: "Each incarnation of a connection picks a new ISN from a moving clock, so a delayed segment of an old incarnation falls outside the new one's window instead of being taken as its data.",
			Experiments: []Experiment{
				{reconnect, []string{"stream-integrity"}, checker.Holds},
				{withVariant(reconnect, model.FixedISN), []string{"stream-integrity"}, checker.Violated},
			},
		},
		{
			ID:    "4",
			Title: "No data on the first two handshake segments",
			Quote: "第三次握手的时候，是可以携带数据的。但是，第一次、第二次握手绝对不可以携带数据",
			Gloss: "SYN segments carry no payload; the third segment may. If SYNs carried data, an attacker's SYNs would make the server hold their payload in half-open connections.",
			Experiments: []Experiment{
				{synData, []string{"no-data-on-syn", "half-open-memory"}, checker.Holds},
				{withVariant(synData, model.DataOnSYN), []string{"half-open-memory"}, checker.Violated},
			},
			Witness: &Witness{"the listener's half-open connection completed by a segment that carries data (the third segment with data)",
				preset("handshake", func(c *model.Config) { c.MaxLosses, c.Data = 1, [2]int{1, 0} }),
				func(from *model.State, a model.Action, to *model.State) bool {
					return a.Kind == model.Deliver && a.Seg.Len > 0 &&
						from.Ep[a.Side].State == model.SynReceived && to.Ep[a.Side].State == model.Established
				}},
		},
		{
			ID:    "5",
			Title: "The half-open (SYN) and accept queues",
			Quote: "服务器会把这种状态下的请求连接放在一个队列里，我们把这种队列称之为半连接队列。……如果队列满了就有可能会出现丢包现象。",
			Gloss: "Half-open connections wait in a SYN queue, completed ones in an accept queue, both of fixed size; a SYN that finds the SYN queue full is dropped (or answered with a cookie), and a handshake's last ACK that finds the accept queue full is dropped, so the server retransmits its SYN,ACK. No connection that completed the handshake is lost without the client being told: if the server gives up before its application accepts, the client's first byte draws a RST.",
			Experiments: []Experiment{
				{queue, []string{"syn-queue-bound", "accept-queue-bound", "no-silent-loss"}, checker.Holds},
			},
			Witness: &Witness{"the handshake's last ACK dropped because another client's connection fills the accept queue", queue,
				func(from *model.State, a model.Action, to *model.State) bool {
					return a.Kind == model.Deliver && a.Side == model.B && a.Seg.Has(model.ACK) &&
						from.Ep[model.B].State == model.SynReceived && to.Ep[model.B].State == model.SynReceived &&
						from.AcceptQueued() >= int(from.Listen.AcceptCap)
				}},
		},
		{
			ID:    "6",
			Title: "SYN flood",
			Quote: "这些伪造的 SYN 包将长时间占用半连接队列，导致正常的 SYN 请求因为队列满而被丢弃",
			Gloss: "Spoofed SYNs fill the half-open queue, so the legitimate client's SYNs are dropped until it gives up; SYN cookies answer SYNs without keeping state, and the client connects.",
			Experiments: []Experiment{
				{flood, []string{"connect-no-timeout"}, checker.Holds},
				{withVariant(flood, model.NoSynCookies), []string{"connect-no-timeout"}, checker.Violated},
			},
		},
		{
			ID:    "7",
			Title: "The third handshake segment is lost",
			Quote: "服务器就会进行首次重传，若等待一段时间仍未收到客户确认包，就进行第二次重传。如果重传次数超过系统规定的最大重传次数，则系统将该连接信息从半连接队列中删除。",
			Gloss: "The server retransmits its SYN-ACK with a doubling timeout (1 s, 2 s, 4 s), and after the maximum number of retries drops the half-open entry; the client, which believes it is ESTABLISHED, completes the handshake with its next segment or is reset by it.",
			Experiments: []Experiment{
				{thirdLost, []string{"deadlock-free", "established-agree"}, checker.Holds},
				{withVariant(thirdLost, model.NoSynAckRetransmit), []string{"deadlock-free"}, checker.Violated},
			},
			Witness: &Witness{"the server drops its half-open entry after its retries, and the client's next segment is reset", thirdLostOften,
				func(from *model.State, a model.Action, to *model.State) bool {
					return to.Ep[model.A].Err == model.Reset && from.Ep[model.A].Err != model.Reset
				}},
		},
		{
			ID:    "8",
			Title: "Four-way close and half-close",
			Quote: "TCP 提供了连接的一端在结束它的发送后还能接收来自另一端数据的能力。",
			Gloss: "After one side's FIN the connection is half-closed: data still flows the other way until the second FIN, and both streams arrive whole.",
			Experiments: []Experiment{
				{halfClose, []string{"stream-integrity", "clean-close", "deadlock-free"}, checker.Holds},
			},
			Witness: &Witness{"the active closer receives data after sending its FIN", halfClose,
				func(from *model.State, a model.Action, to *model.State) bool {
					e0, e1 := &from.Ep[model.A], &to.Ep[model.A]
					return e0.FinSent() && e1.Delivered > e0.Delivered
				}},
		},
		{
			ID:    "9",
			Title: "TIME-WAIT and 2MSL",
			Quote: "这样做的目的是确保服务端收到自己的 ACK 报文。如果服务端在规定时间内没有收到客户端发来的 ACK 报文的话，服务端会重新发送 FIN 报文给客户端",
			Gloss: "The active closer waits 2MSL in TIME-WAIT so that, if its last ACK is lost, it is still there to acknowledge the retransmitted FIN; and so that old duplicates die before the 4-tuple is reused. Without TIME-WAIT the retransmitted FIN meets a RST, and an old duplicate can corrupt a new incarnation. The last experiment shows why RFC 1337 exists: when the ISN clock has not moved, a RST that reaches TIME-WAIT ends it early (as §3.10.7.4 allows) and the old duplicate gets through anyway.",
			Experiments: []Experiment{
				{timeWait, []string{"clean-close"}, checker.Holds},
				{withVariant(timeWait, model.NoTimeWait), []string{"clean-close"}, checker.Violated},
				{timeWaitReuse1337, []string{"stream-integrity"}, checker.Holds},
				{withVariant(timeWaitReuse1337, model.NoTimeWait), []string{"stream-integrity"}, checker.Violated},
				{timeWaitReuse, []string{"stream-integrity"}, checker.Violated},
			},
		},
	}
}

// LookupClaim returns the claim with the given ID.
func LookupClaim(id string) (Claim, error) {
	var ids []string
	for _, c := range Claims() {
		if c.ID == id {
			return c, nil
		}
		ids = append(ids, c.ID)
	}
	return Claim{}, fmt.Errorf("claim: unknown claim %q (known: %s)", id, strings.Join(ids, ", "))
}
