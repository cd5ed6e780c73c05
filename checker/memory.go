package checker

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// memoryGauge reads the memory the Go runtime holds for the process:
// everything it has mapped, less what it has returned to the system.
type memoryGauge struct {
	samples []metrics.Sample
}

func (g *memoryGauge) inUse() int64 {
	if g.samples == nil {
		g.samples = []metrics.Sample{
			{Name: "/memory/classes/total:bytes"},
			{Name: "/memory/classes/heap/released:bytes"},
		}
	}
	metrics.Read(g.samples)
	return int64(g.samples[0].Value.Uint64() - g.samples[1].Value.Uint64())
}

// exceeds reports whether allocating more bytes would take the memory in
// use past limit. Garbage not yet collected counts at first; before
// saying yes, it collects it and looks again.
func (g *memoryGauge) exceeds(limit, more int64) bool {
	if g.inUse()+more <= limit {
		return false
	}
	runtime.GC()
	debug.FreeOSMemory()
	return g.inUse()+more > limit
}
