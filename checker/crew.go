package checker

import (
	"runtime"
	"sync/atomic"
	"time"
)

// A crew runs one function at a time on n goroutines at once, the
// caller's and n-1 helpers of its own, and returns when all are done: the
// phases of a level-synchronous round (levelsync.go), four a round, each
// a fraction of a millisecond to a few milliseconds long.
//
// Between two runs the helpers spin a while before they sleep, and so
// does the caller while it waits for the last helper. A goroutine woken
// from sleep — the Go scheduler waking a thread, on a virtual machine the
// hypervisor a virtual core — may take a good part of a phase to start:
// on diagram K=2 with two workers, handing each phase to the helper over
// a channel, the helper took one bucket in three of the dedup phase
// instead of one in two. A spinning helper starts the moment the run is
// posted. Two workers' runs took 0.284 s against 0.307 (medians of eleven
// alternated pairs), for about the same CPU time.
type crew struct {
	n    int
	f    func(int)     // the run's function, set before gen moves on
	gen  atomic.Uint64 // runs posted, and one more once stopped
	left atomic.Int64  // helpers not yet done with the run
	quit atomic.Bool
	spin time.Duration // crewSpin when the crew was made

	helpers []sleeper // helper i at i-1
	caller  sleeper   // the caller, awaiting the helpers
}

// A sleeper is a goroutine that awaits a condition another goroutine
// makes true, spinning a while and then asleep until woken (wake).
type sleeper struct {
	asleep atomic.Bool
	wakeup chan struct{} // of capacity 1: wake never blocks
}

// crewSpin is how long a crew's goroutine spins before it sleeps: longer
// than the gaps between a round's phases, short enough that a crew left
// idle (a narrow level expanded sequentially, the end of a search) wastes
// little. A variable, so that tests can make every wait a sleep.
var crewSpin = time.Millisecond

// newCrew starts a crew of n goroutines, the caller's and n-1 helpers.
func newCrew(n int) *crew {
	c := &crew{n: n, spin: crewSpin, helpers: make([]sleeper, n-1)}
	c.caller.wakeup = make(chan struct{}, 1)
	for i := range c.helpers {
		c.helpers[i].wakeup = make(chan struct{}, 1)
		go c.help(i + 1)
	}
	return c
}

// run runs f(i) for i in 0..n-1, f(0) on the calling goroutine, and
// returns once every call has returned; what the calls did happens
// before run returns. Runs are made one at a time.
func (c *crew) run(f func(i int)) {
	c.f = f
	c.left.Store(int64(c.n - 1))
	c.gen.Add(1)
	for i := range c.helpers {
		c.helpers[i].wake()
	}
	f(0)
	c.caller.await(c.spin, func() bool { return c.left.Load() == 0 })
}

// stop ends the helpers, once the last run has returned. The crew is not
// run again.
func (c *crew) stop() {
	c.quit.Store(true)
	c.gen.Add(1)
	for i := range c.helpers {
		c.helpers[i].wake()
	}
}

func (c *crew) help(i int) {
	s := &c.helpers[i-1]
	var seen uint64
	for {
		s.await(c.spin, func() bool { return c.gen.Load() != seen })
		if c.quit.Load() {
			return
		}
		seen++ // one run posted: the next is posted once this one is done
		c.f(i)
		if c.left.Add(-1) == 0 {
			c.caller.wake()
		}
	}
}

// await returns once ready reports true: at once if it does within
// spin, else when woken after it does. Whoever makes ready true then
// calls wake.
func (s *sleeper) await(spin time.Duration, ready func() bool) {
	start := time.Now()
	for k := 0; ; k++ {
		if ready() {
			return
		}
		if k%64 == 63 {
			if time.Since(start) > spin {
				break
			}
			runtime.Gosched() // whatever else this thread could run
		}
	}
	// Announce the sleep, then look again: either this look sees ready
	// or wake sees the announcement (both sequentially consistent
	// atomics), so that no wake is lost; and either this goroutine takes
	// the announcement back or a wake sends the one token it then takes.
	// A token may be stale: a wake meant for an earlier wait, which
	// another look at the time found ready, that came only now. So ready
	// is asked again after each.
	for {
		s.asleep.Store(true)
		if ready() {
			if !s.asleep.CompareAndSwap(true, false) {
				<-s.wakeup // a wake took the announcement: its token
			}
			return
		}
		<-s.wakeup
		if ready() {
			return
		}
	}
}

// wake wakes s if it sleeps, or is about to.
func (s *sleeper) wake() {
	if s.asleep.CompareAndSwap(true, false) {
		s.wakeup <- struct{}{}
	}
}
