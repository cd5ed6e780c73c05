package checker

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/require"
)

// A table is resident when it is made (populate): the process's resident
// memory grows by its size before anything is stored, for both stores'
// tables, and where madvise refuses (a slice not starting on a page) the
// pages are written one by one instead.
func TestTablesMadeResident(t *testing.T) {
	const size = 64 << 20
	grows := func(name string, alloc func() any) {
		t.Helper()
		debug.FreeOSMemory()
		before := residentBytes()
		kept := alloc()
		require.Greater(t, residentBytes()-before, int64(size*9/10), name)
		_ = kept
	}
	grows("fingerprint table", func() any { tab := newFPTable(size/8, false); return &tab })
	grows("numbered fingerprint table", func() any { tab := newFPTable(size/12, true); return &tab })
	grows("exact table", func() any { tab := newTable(size / slotSize); return &tab })
	grows("off a page", func() any {
		b := make([]byte, size+1)
		populate(b[1:])
		return b
	})
	b := make([]byte, 3*4096)
	populate(b[1:])
	require.Equal(t, make([]byte, len(b)), b, "contents unchanged")

	// Past populateMax, a table is left to its faults.
	saved := populateMax
	defer func() { populateMax = saved }()
	populateMax = size / 4
	debug.FreeOSMemory()
	before := residentBytes()
	tab := newFPTable(size/8, false)
	require.Less(t, residentBytes()-before, int64(size/2), "a table past populateMax")
	_ = tab
}
