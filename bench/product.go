// Package bench holds what the side-by-side benchmark against SPIN runs:
// the diagram model with K independent connection pairs (the product of K
// copies of the Figure 5 model), the Promela renderings of the same models
// in this folder, and the script compare.sh that runs both tools and
// prints the table of docs/performance.md.
//
// The product folds MCtcp's two constraints into Next, as the Promela
// renderings fold them into their guards, so that both tools explore
// exactly the same states: SPIN has no action or state constraints.
package bench

import (
	"encoding/binary"
	"fmt"
	"iter"

	"github.com/tcpcheck/tcpcheck/model/diagram"
)

// MaxCopies bounds K: 1182^2 states take a second, 1182^3 (1.65·10^9)
// half an hour and a machine's memory (docs/performance.md, target 6).
const MaxCopies = 3

// Product is K independent copies of the diagram model under MCtcp's
// setup. It is a checker.System and a checker.Encoder.
type Product struct {
	K int
	m *diagram.Model
}

// ProductState is the state of each copy; copies past K stay zero.
type ProductState [MaxCopies]diagram.State

// ProductAction is an action of one copy.
type ProductAction struct {
	Copy   uint8
	Action diagram.Action
}

func (a ProductAction) String() string { return fmt.Sprintf("#%d %v", a.Copy, a.Action) }

// NewProduct returns the product of k copies, 1 <= k <= MaxCopies.
func NewProduct(k int) (*Product, error) {
	if k < 1 || k > MaxCopies {
		return nil, fmt.Errorf("bench: K must be 1 to %d, not %d", MaxCopies, k)
	}
	return &Product{K: k, m: diagram.New(diagram.DefaultConfig())}, nil
}

// Init yields every combination of the copies' initial states.
func (p *Product) Init() iter.Seq[ProductState] {
	return func(yield func(ProductState) bool) {
		var s ProductState
		p.init(&s, 0, yield)
	}
}

func (p *Product) init(s *ProductState, c int, yield func(ProductState) bool) bool {
	if c == p.K {
		return yield(*s)
	}
	for t := range p.m.Init() {
		if !p.m.StateConstraint(t) {
			continue
		}
		s[c] = t
		if !p.init(s, c+1, yield) {
			return false
		}
	}
	return true
}

// Next yields the transitions of each copy in turn that MCtcp's action
// and state constraints allow.
func (p *Product) Next(s ProductState) iter.Seq2[ProductAction, ProductState] {
	return func(yield func(ProductAction, ProductState) bool) {
		for c := range p.K {
			for a, t := range p.m.Next(s[c]) {
				if !p.m.ActionConstraint(s[c], a, t) || !p.m.StateConstraint(t) {
					continue
				}
				next := s
				next[c] = t
				if !yield(ProductAction{uint8(c), a}, next) {
					return
				}
			}
		}
	}
}

// AppendState appends the copies' encodings, one after another.
func (p *Product) AppendState(b []byte, s ProductState) []byte {
	for c := range p.K {
		b = p.m.AppendState(b, s[c])
	}
	return b
}

// DecodeState splits b into the copies' encodings: each is two peers of a
// byte and a uvarint.
func (p *Product) DecodeState(b []byte) ProductState {
	var s ProductState
	for c := range p.K {
		n := 0
		for range 2 {
			_, k := binary.Uvarint(b[n+1:])
			n += 1 + k
		}
		s[c] = p.m.DecodeState(b[:n])
		b = b[n:]
	}
	return s
}

// The product is also a checker.Packer, so that it is explored on the
// checker's fast path: copy c takes words 3c to 3c+2, as the diagram
// model packs it, and AppendNext computes each copy's successors with the
// model's AppendNext and keeps those MCtcp's constraints allow, as Next
// does.

// PackedWords is three words per copy.
func (p *Product) PackedWords() int { return p.K * p.m.PackedWords() }

// Pack writes each copy's words into w.
func (p *Product) Pack(w []uint64, s ProductState) bool {
	n := p.m.PackedWords()
	for c := range p.K {
		p.m.Pack(w[c*n:(c+1)*n], s[c]) // every diagram State packs
	}
	return true
}

// Unpack returns the state whose words Pack wrote in w.
func (p *Product) Unpack(w []uint64) ProductState {
	var s ProductState
	n := p.m.PackedWords()
	for c := range p.K {
		s[c] = p.m.Unpack(w[c*n : (c+1)*n])
	}
	return s
}

// AppendNext appends the packed successors of w and their actions, in
// the order of Next: each copy's, as the diagram model's
// AppendNextConstrainedAt computes them in the product's words.
func (p *Product) AppendNext(w []uint64, succ []uint64, acts []ProductAction) ([]uint64, []ProductAction, bool) {
	n := p.m.PackedWords()
	if acts == nil { // the caller wants no actions
		for c := range p.K {
			succ, _ = p.m.AppendNextConstrainedAt(w, c*n, succ, nil)
		}
		return succ, nil, true
	}
	var bufActs [64]diagram.Action
	for c := range p.K {
		var copyActs []diagram.Action
		succ, copyActs = p.m.AppendNextConstrainedAt(w, c*n, succ, bufActs[:0])
		for _, a := range copyActs {
			acts = append(acts, ProductAction{uint8(c), a})
		}
	}
	return succ, acts, true
}
