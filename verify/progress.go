package verify

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/tcpcheck/tcpcheck/checker"
)

// ProgressMode says when a search reports its progress.
type ProgressMode int

const (
	// ProgressAuto: a live line redrawn every second on a terminal, a
	// line every ten seconds on a file or a pipe (a CI log), nothing on
	// any other writer.
	ProgressAuto ProgressMode = iota
	// ProgressAlways: a line every ten seconds on any writer, terminal
	// or not.
	ProgressAlways
	// ProgressNever: nothing.
	ProgressNever
)

// ParseProgressMode reads "auto", "always" or "never".
func ParseProgressMode(s string) (ProgressMode, error) {
	switch s {
	case "auto":
		return ProgressAuto, nil
	case "always":
		return ProgressAlways, nil
	case "never":
		return ProgressNever, nil
	}
	return 0, fmt.Errorf("progress: unknown mode %q (known: auto, always, never)", s)
}

// ProgressLogInterval is the period of progress lines in a log.
const ProgressLogInterval = 10 * time.Second

// ProgressWriter reports a search's progress on a writer, stderr as a
// rule: either a live line redrawn in place on a terminal, or lines in a
// stable format a log keeps and grep finds,
//
//	progress: elapsed=10s states=1234567 distinct=456789 depth=21 frontier=12345 states/s=45679 memory=312MiB
//
// where states counts every state generated, distinct those stored, and
// states/s distinct states per second. A nil *ProgressWriter reports
// nothing.
type ProgressWriter struct {
	// Every, when set, replaces the period Interval returns.
	Every time.Duration

	w     io.Writer
	live  bool
	lines int
}

// NewProgressWriter returns the progress writer for w in mode, or nil
// when mode says nothing is written there.
func NewProgressWriter(w io.Writer, mode ProgressMode) *ProgressWriter {
	switch mode {
	case ProgressNever:
		return nil
	case ProgressAlways:
		return &ProgressWriter{w: w}
	}
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return nil
	}
	return &ProgressWriter{w: w, live: fi.Mode()&os.ModeCharDevice != 0}
}

// Interval is how often Update should be called: every second for a live
// line, every ProgressLogInterval for a log.
func (p *ProgressWriter) Interval() time.Duration {
	switch {
	case p != nil && p.Every > 0:
		return p.Every
	case p != nil && p.live:
		return time.Second
	}
	return ProgressLogInterval
}

// Func returns Update as the checker's progress callback, or nil for a
// nil writer.
func (p *ProgressWriter) Func() func(checker.Stats) {
	if p == nil {
		return nil
	}
	return p.Update
}

// Update reports the figures of a search so far.
func (p *ProgressWriter) Update(s checker.Stats) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if p.live {
		fmt.Fprintf(p.w, "\r\033[K%d states, depth %d, frontier %d, %.0f states/s, %s in use, %s",
			s.Distinct, s.Depth, s.Frontier, s.StatesPerSecond(), bytesText(ms.HeapAlloc), s.Elapsed.Round(time.Second))
		return
	}
	p.lines++
	fmt.Fprintf(p.w, "progress: elapsed=%s states=%d distinct=%d depth=%d frontier=%d states/s=%.0f memory=%dMiB\n",
		s.Elapsed.Round(time.Second), s.Generated, s.Distinct, s.Depth, s.Frontier, s.StatesPerSecond(), ms.HeapAlloc>>20)
}

// UpdateWalks reports the figures of a simulation so far, in a log's
// format: walks taken, steps, distinct states seen, steps per second.
func (p *ProgressWriter) UpdateWalks(elapsed time.Duration, walks, steps, distinct int) {
	if p == nil {
		return
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rate := float64(steps) / max(elapsed.Seconds(), 1e-9)
	if p.live {
		fmt.Fprintf(p.w, "\r\033[K%d walks, %d steps, %d distinct states, %.0f steps/s, %s in use, %s",
			walks, steps, distinct, rate, bytesText(ms.HeapAlloc), elapsed.Round(time.Second))
		return
	}
	p.lines++
	fmt.Fprintf(p.w, "progress: elapsed=%s walks=%d steps=%d distinct=%d steps/s=%.0f memory=%dMiB\n",
		elapsed.Round(time.Second), walks, steps, distinct, rate, ms.HeapAlloc>>20)
}

// Done ends the report: it clears a live line, and in a log that has had
// progress lines writes one last line with the final figures of a
// search (stats), so that a log shows where the search ended.
func (p *ProgressWriter) Done(stats *checker.Stats) {
	switch {
	case p == nil:
	case p.live:
		fmt.Fprint(p.w, "\r\033[K")
	case p.lines > 0 && stats != nil:
		p.Update(*stats)
	}
}

func bytesText(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
}

// DoneWalks ends the report of a simulation as Done ends a search's: a
// live line cleared, or in a log that has had progress lines one last
// line with the final figures.
func (p *ProgressWriter) DoneWalks(elapsed time.Duration, walks, steps, distinct int) {
	switch {
	case p == nil:
	case p.live:
		fmt.Fprint(p.w, "\r\033[K")
	case p.lines > 0:
		p.UpdateWalks(elapsed, walks, steps, distinct)
	}
}
