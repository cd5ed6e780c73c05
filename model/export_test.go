package model

// Mutant is one of the mutation test's deliberate bugs (mutants_test.go):
// TCP with one rule replaced.
type Mutant struct {
	Name    string
	Rule    string
	Section string
	Bug     string
	Variant Variant
}

// Mutants returns the mutation test's mutants, each as a variant of TCP.
func Mutants() []Mutant {
	out := make([]Mutant, 0, len(mutants))
	for _, m := range mutants {
		tcp, ok := LookupRule(m.rule)
		if !ok {
			panic("mutant " + m.name + ": TCP has no rule " + m.rule)
		}
		v := mustVariant("mutant/"+m.name, m.bug, Rule{Name: m.rule, Section: m.section, Summary: m.bug, Apply: m.apply(tcp.Apply)})
		out = append(out, Mutant{Name: m.name, Rule: m.rule, Section: m.section, Bug: m.bug, Variant: v})
	}
	return out
}

// LimitPacking lowers the limits of m's packed form to n distinct
// endpoints, segments and SYN queues each (maxPacked* stand for all
// three), so that a test can reach them.
func (m *Model) LimitPacking(n int) {
	m.packing.endpoints.max, m.packing.segments.max, m.packing.backlogs.max = n, n, n
}

// PackedComponents is how many distinct endpoints, segments and SYN
// queues m's packed form has numbered.
func (m *Model) PackedComponents() (endpoints, segments, backlogs int) {
	p := m.packing
	return p.endpoints.count(), p.segments.count(), p.backlogs.count()
}

func (c *components[T]) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.all)
}
