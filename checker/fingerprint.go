package checker

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"math/bits"
	"reflect"
	"unsafe"
)

// A fingerprinter hashes states of type S to 64 bits.
//
// The hash must not depend on the run: the runtime's map hash, which
// hash/maphash uses, is keyed at random in every process even with a fixed
// seed, so a collision, and with it the figures of a FingerprintStore
// search, could change from one run to the next. Instead, the fingerprinter
// reads the type of S once and hashes the bytes of its fields with a fixed
// xxHash64-style mix. It hashes exactly what == compares: padding and blank
// (_) fields are skipped, +0 and -0 hash alike, a string by its contents.
// The fingerprint of a state is then the same in every run on machines of
// the same byte order and word size.
//
// A type holding pointers, interfaces or channels (which the style of this
// project rules out for states) has no such layout; it falls back to
// maphash.Comparable with a seed made once per run.
type fingerprinter[S comparable] struct {
	parts []part
	// fallback is set when S has no fixed layout.
	fallback bool
	seed     maphash.Seed
}

type partKind uint8

const (
	plainPart   partKind = iota // integers and booleans: equal iff the bytes are
	float32Part                 // +0 and -0 are equal
	float64Part
	stringPart
)

// A part is a run of bytes of a state at a fixed offset, hashed one way.
type part struct {
	kind      partKind
	off, size uintptr
}

func newFingerprinter[S comparable]() *fingerprinter[S] {
	parts, ok := layout(reflect.TypeFor[S](), 0, nil)
	if !ok {
		return &fingerprinter[S]{fallback: true, seed: maphash.MakeSeed()}
	}
	return &fingerprinter[S]{parts: parts}
}

// layout appends to parts the parts of a value of type t at offset off. It
// reports false if t holds a pointer, an interface or a channel.
func layout(t reflect.Type, off uintptr, parts []part) ([]part, bool) {
	switch t.Kind() {
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return appendPlain(parts, off, t.Size()), true
	case reflect.Float32:
		return append(parts, part{float32Part, off, 4}), true
	case reflect.Float64:
		return append(parts, part{float64Part, off, 8}), true
	case reflect.Complex64:
		return append(parts, part{float32Part, off, 4}, part{float32Part, off + 4, 4}), true
	case reflect.Complex128:
		return append(parts, part{float64Part, off, 8}, part{float64Part, off + 8, 8}), true
	case reflect.String:
		return append(parts, part{stringPart, off, t.Size()}), true
	case reflect.Array:
		elem, ok := layout(t.Elem(), 0, nil)
		if !ok {
			return nil, false
		}
		size := t.Elem().Size()
		if len(elem) == 1 && elem[0].kind == plainPart && elem[0].size == size {
			// No padding: the whole array is one run of bytes.
			return appendPlain(parts, off, size*uintptr(t.Len())), true
		}
		for i := range t.Len() {
			for _, p := range elem {
				p.off += off + uintptr(i)*size
				if p.kind == plainPart {
					parts = appendPlain(parts, p.off, p.size)
				} else {
					parts = append(parts, p)
				}
			}
		}
		return parts, true
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Name == "_" {
				continue // == ignores blank fields
			}
			var ok bool
			if parts, ok = layout(f.Type, off+f.Offset, parts); !ok {
				return nil, false
			}
		}
		return parts, true
	}
	return nil, false
}

// appendPlain appends a plain run of bytes, joining it to the last part if
// they are adjacent.
func appendPlain(parts []part, off, size uintptr) []part {
	if size == 0 {
		return parts
	}
	if n := len(parts); n > 0 {
		last := &parts[n-1]
		if last.kind == plainPart && last.off+last.size == off {
			last.size += size
			return parts
		}
	}
	return append(parts, part{plainPart, off, size})
}

// Constants of xxHash64.
const (
	prime1 uint64 = 11400714785074694791
	prime2 uint64 = 14029467366897019727
	prime3 uint64 = 1609587929392839161
	prime4 uint64 = 9650029242287828579
	prime5 uint64 = 2870177450012600261
)

// sum returns the fingerprint of *s.
func (f *fingerprinter[S]) sum(s *S) uint64 {
	if f.fallback {
		return maphash.Comparable(f.seed, *s)
	}
	p := unsafe.Pointer(s)
	h := prime5
	for _, pt := range f.parts {
		at := unsafe.Add(p, pt.off)
		switch pt.kind {
		case plainPart:
			h = mixBytes(h, unsafe.Slice((*byte)(at), pt.size))
		case float32Part:
			x := *(*float32)(at)
			if x == 0 {
				x = 0 // -0 == +0
			}
			h = mixWord(h, uint64(math.Float32bits(x)))
		case float64Part:
			x := *(*float64)(at)
			if x == 0 {
				x = 0
			}
			h = mixWord(h, math.Float64bits(x))
		case stringPart:
			str := *(*string)(at)
			h = mixWord(h, uint64(len(str)))
			h = mixBytes(h, unsafe.Slice(unsafe.StringData(str), len(str)))
		}
	}
	return avalanche(h)
}

// avalanche is how xxHash64 ends: every bit of h affects every bit of the
// result.
func avalanche(h uint64) uint64 {
	h ^= h >> 33
	h *= prime2
	h ^= h >> 29
	h *= prime3
	h ^= h >> 32
	return h
}

func mixWord(h, w uint64) uint64 {
	w *= prime2
	w = bits.RotateLeft64(w, 31)
	w *= prime1
	h ^= w
	return bits.RotateLeft64(h, 27)*prime1 + prime4
}

func mixBytes(h uint64, b []byte) uint64 {
	for len(b) >= 8 {
		h = mixWord(h, binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	if len(b) > 0 {
		var w uint64
		for i := len(b) - 1; i >= 0; i-- {
			w = w<<8 | uint64(b[i])
		}
		// The length of a tail is fixed by the type (or mixed in before,
		// for a string), so the tail needs no marker.
		h = mixWord(h, w)
	}
	return h
}

// The fingerprint of an encoding, or of a Packer's words, is computed
// the way wyhash does (github.com/wangyi-fudan/wyhash, public domain):
// each pair of 64-bit words is folded into the state by one 64×64→128-bit
// multiplication whose two halves are xored ("mum"), and the length and a
// last fold end it. That is one multiplication for 16 bytes where the
// xxHash64 round of the fingerprinter takes two for 8, and the
// fingerprints of the fast path are computed for every transition.
const (
	wy0 = 0xa0761d6478bd642f
	wy1 = 0xe7037ed1a0b428db
	wy2 = 0x8ebc6af09c88c6e3
	wy3 = 0x589965cc75374cc3
)

// mum is wyhash's mix: the 128-bit product of a and b, halves xored.
func mum(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// hashBytes is the fingerprint of an encoded state: its bytes read as
// little-endian words, the last one padded with zeros, hashed as
// hashWords hashes words, with the length in bytes.
func hashBytes(b []byte) uint64 {
	n := uint64(len(b))
	h := wy0 ^ n
	for len(b) >= 16 {
		h = mum(binary.LittleEndian.Uint64(b)^wy1, binary.LittleEndian.Uint64(b[8:])^h)
		b = b[16:]
	}
	if len(b) > 0 {
		var x, y uint64
		if len(b) >= 8 {
			x, b = binary.LittleEndian.Uint64(b), b[8:]
			y = tail(b)
		} else {
			x = tail(b)
		}
		h = mum(x^wy1, y^wy2^h)
	}
	return mum(h^wy3, n^wy1)
}

// tail reads the fewer than eight bytes of b as a little-endian word.
func tail(b []byte) uint64 {
	var w uint64
	for i := len(b) - 1; i >= 0; i-- {
		w = w<<8 | uint64(b[i])
	}
	return w
}

// hashWords is hashBytes of the bytes of w in little-endian order
// (appendWords), computed from the words themselves.
func hashWords(w []uint64) uint64 {
	n := uint64(8 * len(w))
	h := wy0 ^ n
	for len(w) >= 4 {
		h = mum(w[0]^wy1, w[1]^h)
		h = mum(w[2]^wy1, w[3]^h)
		w = w[4:]
	}
	if len(w) >= 2 {
		h = mum(w[0]^wy1, w[1]^h)
		w = w[2:]
	}
	if len(w) == 1 {
		h = mum(w[0]^wy1, wy2^h)
	}
	return mum(h^wy3, n^wy1)
}
