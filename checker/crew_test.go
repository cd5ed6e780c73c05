package checker

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A crew runs each function once on every one of its goroutines, and
// what they did is seen when run returns (go test -race checks the
// plain writes), whether its goroutines spin between runs or sleep; once
// stopped, its helpers end.
func TestCrewRunsEachOnAll(t *testing.T) {
	saved := crewSpin
	defer func() { crewSpin = saved }()
	base := runtime.NumGoroutine()
	for _, spin := range []time.Duration{0, time.Millisecond, time.Hour} {
		crewSpin = spin
		for n := 1; n <= 4; n++ {
			c := newCrew(n)
			ran := make([]int, n) // plain ints: each written by one goroutine
			for r := range 300 {
				if r%100 == 99 {
					time.Sleep(2 * time.Millisecond) // past a short spin: asleep
				}
				c.run(func(i int) { ran[i]++ })
				for i := range n {
					require.Equal(t, r+1, ran[i], "spin %v, %d goroutines, run %d, goroutine %d", spin, n, r, i)
				}
			}
			c.stop()
		}
	}
	// (Eventually runs the condition in a goroutine of its own.)
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= base+1 }, 5*time.Second, time.Millisecond,
		"the helpers end once stopped: %d goroutines, %d before", runtime.NumGoroutine(), base)
}

// The caller waits for the slowest: run returns after every call.
func TestCrewWaitsForTheSlowest(t *testing.T) {
	saved := crewSpin
	defer func() { crewSpin = saved }()
	for _, spin := range []time.Duration{0, time.Hour} {
		crewSpin = spin
		c := newCrew(3)
		done := make([]bool, 3)
		c.run(func(i int) {
			if i == 2 {
				time.Sleep(20 * time.Millisecond)
			}
			done[i] = true
		})
		require.Equal(t, []bool{true, true, true}, done, "spin %v", spin)
		c.stop()
	}
}

// Many short runs with no spinning: a goroutine that announces its sleep
// just as the run it awaits is posted is still woken (a lost wake would
// leave run waiting for ever), and a wake that comes late, meant for the
// run before, does not end a wait early (run would return before the
// helper is done).
func TestCrewLosesNoWake(t *testing.T) {
	saved := crewSpin
	defer func() { crewSpin = saved }()
	crewSpin = 0
	c := newCrew(2)
	done := make(chan int)
	go func() {
		helped := 0 // written by the helper: run must return after it
		for r := range 50_000 {
			c.run(func(i int) {
				if i == 1 {
					helped++
				}
			})
			if helped != r+1 {
				break
			}
		}
		done <- helped
	}()
	select {
	case helped := <-done:
		require.Equal(t, 50_000, helped, "a run returned before its helper was done")
	case <-time.After(20 * time.Second):
		t.Fatal("a run waits for ever: a wake was lost")
	}
	c.stop()
}
