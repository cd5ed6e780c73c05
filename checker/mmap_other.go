//go:build !linux

package checker

import (
	"io"
	"os"
)

// removeWhileOpen: the file of a level is removed when the level is
// done, not while it is open (Windows forbids it).
const removeWhileOpen = false

// mapFile reads the first size bytes of f: where the checker does not
// map files, a level spilled to disk is read back into memory whole when
// it is expanded.
func mapFile(f *os.File, size int) ([]byte, error) {
	data := make([]byte, size)
	_, err := io.ReadFull(io.NewSectionReader(f, 0, int64(size)), data)
	return data, err
}

func unmapFile([]byte) {}

func dropPages([]byte) {}

func adviseHugePages([]uint64) {}

// populate makes the pages of s resident and writable before it is used
// (see the Linux populate): one word a page written.
func populate[T any](s []T) {
	if b := bytesOf(s); len(b) <= populateMax {
		touchPages(b)
	}
}
