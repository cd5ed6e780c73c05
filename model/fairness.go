package model

// FairClass is an action class the model declares fair, in the terms of
// TLA+: weakly fair (an action of the class that stays enabled is
// eventually taken) or strongly fair (one enabled again and again is
// eventually taken). The liveness checker reads these; they are not part
// of Next.
type FairClass struct {
	Name     string
	Strong   bool
	Includes func(Action) bool
}

// Fairness is what "eventually" assumes of the segment model's
// environment:
//
//   - delivery to each endpoint is strongly fair: a segment that keeps
//     being deliverable is eventually delivered, however often the
//     network loses others (losses are bounded by MaxLosses, and loss
//     itself is not fair: nothing forces the network to lose);
//   - each endpoint's retransmission and 2MSL timers, and the listener's
//     half-open entry timers, are weakly fair: a timer that stays armed
//     eventually fires.
//
// Application calls, losses, duplicates and the attacker's SYNs are not
// fair: nothing forces an application to close or a network to misbehave.
func Fairness() []FairClass {
	var out []FairClass
	for _, side := range []Side{A, B} {
		out = append(out,
			FairClass{"deliver to " + side.String(), true, func(a Action) bool { return a.Kind == Deliver && a.Side == side }},
			FairClass{"retransmission timer of " + side.String(), false, func(a Action) bool { return a.Kind == RetransmitTimeout && a.Side == side }},
			FairClass{"2MSL timer of " + side.String(), false, func(a Action) bool { return a.Kind == TimeWaitTimeout && a.Side == side }},
		)
	}
	return append(out, FairClass{"half-open entry timers", false, func(a Action) bool { return a.Kind == HalfOpenTimeout }})
}
