package checker

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// A table grown by parts (grownBy with n > 1, as the level-synchronous
// search grows it) holds every entry of the old one, with its number,
// once, in the slots one goroutine's growth fills: tables from the
// smallest up, grown at growLoad or stretched to fullLoad, homes spread
// or bunched so that runs cross the parts' borders and wrap past the end,
// two to four parts copying at once. Under the race detector it also
// shows that the parts' stores meet only by compare-and-swap.
func TestLevelSyncTableGrownByParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	run := func(n int) func(func(int)) {
		return func(f func(int)) {
			var wg sync.WaitGroup
			wg.Add(n)
			for i := range n {
				go func() {
					defer wg.Done()
					f(i)
				}()
			}
			wg.Wait()
		}
	}
	for _, size := range []uint64{minTableSize, 1000, 5000, 40000} {
		for _, numbered := range []bool{false, true} {
			for _, bunched := range []bool{false, true} {
				stretched := bunched && numbered
				old := newFPTable(size, numbered)
				want := map[uint64]uint32{}
				// A tenth of the entries homed in a few slots just
				// before the middle, the two parts' border, or just
				// before the end, whose runs wrap.
				center := []uint64{1<<63 - 1<<54, 1<<64 - 1<<54}[rng.IntN(2)]
				if stretched {
					old.load = fullLoad // as a table at the memory bound fills
				}
				for len(want) < int(old.size)*int(old.load)/100 {
					h := rng.Uint64()
					if bunched && rng.IntN(10) == 0 {
						h = center + rng.Uint64N(1<<53)
					}
					if i, ok := old.find(h); !ok {
						old.set(i, h, uint32(len(want)))
						want[fpSlot(h)] = uint32(len(want))
					}
				}
				serial := old.grown()
				for n := 2; n <= 4; n++ {
					g := old.grownBy(n, run(n))
					require.Equal(t, old.grownSize(), g.size)
					require.Equal(t, old.n, g.n)
					for i, x := range g.slots { // the same slots filled as by one goroutine
						require.Equal(t, serial.slots[i] == 0, x == 0, "slot %d (size %d, %d parts)", i, size, n)
					}
					stored := 0
					for _, x := range g.slots {
						if x != 0 {
							stored++
						}
					}
					require.Equal(t, len(want), stored, "size %d, %d parts", size, n)
					for h, num := range want {
						i, ok := g.find(h)
						require.True(t, ok, "%x lost (size %d, %d parts)", h, size, n)
						if numbered {
							require.Equal(t, num, g.nums[i])
						}
					}
				}
			}
		}
	}
}
