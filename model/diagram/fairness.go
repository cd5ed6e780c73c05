package diagram

// FairClass is an action class declared fair (see model.FairClass).
type FairClass struct {
	Name     string
	Strong   bool
	Includes func(Action) bool
}

// Fairness is tcp.tla's: WF_vars(System), the system actions taken
// together, and WF_vars of CLOSE_SYN_SENT on either peer.
func Fairness() []FairClass {
	return []FairClass{
		{"System", false, func(a Action) bool { return a.Class() == System }},
		{"CLOSE in SYN-SENT", false, func(a Action) bool { return a.IsCloseSynSent() }},
	}
}
