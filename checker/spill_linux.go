package checker

import (
	"os"
	"syscall"
)

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
