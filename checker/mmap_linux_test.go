package checker

import (
	"os"
	"runtime"
	"runtime/debug"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// A table is resident when it is made (populate): the pages of its
// memory are resident before anything is stored, for both stores'
// tables, and where madvise refuses (a slice not starting on a page) the
// pages are written one by one instead. Residence is asked of the kernel
// page by page (mincore), not read from the process's resident memory,
// which the runtime and other goroutines change meanwhile.
func TestTablesMadeResident(t *testing.T) {
	const size = 64 << 20
	grows := func(name string, alloc func() [][]byte) {
		t.Helper()
		debug.FreeOSMemory()
		for _, b := range alloc() {
			resident, pages := residentPages(t, b)
			require.Greater(t, resident, pages*9/10, name)
		}
	}
	grows("fingerprint table", func() [][]byte { tab := newFPTable(size/8, false); return [][]byte{bytesOf(tab.slots)} })
	grows("numbered fingerprint table", func() [][]byte {
		tab := newFPTable(size/12, true)
		return [][]byte{bytesOf(tab.slots), bytesOf(tab.nums)}
	})
	grows("exact table", func() [][]byte { tab := newTable(size / slotSize); return [][]byte{tab.slots} })
	grows("off a page", func() [][]byte {
		b := make([]byte, size+1)
		populate(b[1:])
		return [][]byte{b[1:]}
	})
	b := make([]byte, 3*4096)
	populate(b[1:])
	require.Equal(t, make([]byte, len(b)), b, "contents unchanged")

	// Past populateMax, a table is left to its faults.
	saved := populateMax
	defer func() { populateMax = saved }()
	populateMax = size / 4
	debug.FreeOSMemory()
	tab := newFPTable(size/8, false)
	resident, pages := residentPages(t, bytesOf(tab.slots))
	require.Less(t, resident, pages/2, "a table past populateMax")
}

// residentPages is how many of the pages b lies on are resident, of how
// many.
func residentPages(t *testing.T, b []byte) (resident, pages int) {
	t.Helper()
	page := uintptr(os.Getpagesize())
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b))) &^ (page - 1)
	end := uintptr(unsafe.Pointer(unsafe.SliceData(b))) + uintptr(len(b))
	vec := make([]byte, (end-start+page-1)/page)
	_, _, errno := syscall.Syscall(syscall.SYS_MINCORE, start, end-start, uintptr(unsafe.Pointer(unsafe.SliceData(vec))))
	require.Zero(t, errno, "mincore")
	for _, v := range vec {
		resident += int(v & 1)
	}
	runtime.KeepAlive(b)
	return resident, len(vec)
}
