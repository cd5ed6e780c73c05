package checker

import (
	"os"
	"syscall"
	"unsafe"
)

// removeWhileOpen: a file may be removed while it is open and still be
// read and written (and mapped) until it is closed.
const removeWhileOpen = true

// mapFile maps the first size bytes of f into memory, read only, to be
// read from start to end.
func mapFile(f *os.File, size int) ([]byte, error) {
	data, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	syscall.Madvise(data, syscall.MADV_SEQUENTIAL) // advice only: a failure changes nothing
	return data, nil
}

func unmapFile(data []byte) { syscall.Munmap(data) }

// dropPages gives back the pages of b, a part of a mapped file: they are
// read from the file again if b is.
func dropPages(b []byte) { syscall.Madvise(b, syscall.MADV_DONTNEED) }

// adviseHugePages asks the kernel to back the words of a large table with
// huge pages (transparent huge pages, where they are enabled only on
// request): a probe of a table of gigabytes misses the TLB as well as the
// cache, and with 2 MiB pages the page walk itself stays in the cache.
func adviseHugePages(w []uint64) {
	const huge = 2 << 20
	if len(w)*8 < 64*huge {
		return
	}
	b := bytesOf(w)
	start := (huge - int(uintptr(unsafe.Pointer(&b[0]))%huge)) % huge
	end := len(b) - (len(b)-start)%huge
	syscall.Madvise(b[start:end], syscall.MADV_HUGEPAGE) // advice only: a failure changes nothing
}

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14), which the
// syscall package does not name.
const madvPopulateWrite = 23

// populate makes the pages of s, a table's slots, resident and writable
// when the table is made. The inserts write every page of a table in
// time, since fingerprints fall anywhere, and a page first written by an
// insert costs a fault in the middle of the search — two where a look-up
// had mapped the zero page first — and two workers' faults wait on each
// other in the kernel: on diagram K=2 with two workers, the
// level-synchronous inserts took 31–39 ms with the faults and 18–21 ms
// with the table populated (a patch touching one word a page, six pairs;
// one worker: no difference).
//
// One madvise call where the kernel knows the advice; one word a page
// written where it does not, or where s does not start on a page. Not
// past populateMax.
func populate[T any](s []T) {
	b := bytesOf(s)
	if len(b) == 0 || len(b) > populateMax || syscall.Madvise(b, madvPopulateWrite) == nil {
		return
	}
	touchPages(b)
}
