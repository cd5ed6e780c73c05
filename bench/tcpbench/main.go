// Command tcpbench explores one model with the checker, checking nothing,
// and prints the figures compare.sh tabulates beside SPIN's: states,
// seconds, states per second and bytes per state.
//
//	go run ./bench/tcpbench -model diagram -k 2 -workers 2 -store fingerprint
//	go run ./bench/tcpbench -model segment -preset lossy -isn-a 100 -isn-b 1000
//
// Diagram K=3 (1.65·10^9 states; docs/performance.md, target 6) needs the
// table sized once and the frontier spilled to disk, and a memory bound:
// a table for that many states at 60% load takes 22 GB, and under the
// bound it is sized for 85% instead (15.5 GB):
//
//	tcpbench -model diagram -k 3 -store fingerprint -workers 2 \
//		-expected-states 1651400568 -frontier-memory 2147483648 -spill-dir /var/tmp \
//		-max-memory 19000000000
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tcpcheck/tcpcheck/bench"
	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
)

func main() {
	var (
		which      = flag.String("model", "diagram", "diagram (K copies of Figure 5's model) or segment")
		k          = flag.Int("k", 1, "diagram: copies")
		preset     = flag.String("preset", "lossy", "segment: preset")
		isnA       = flag.String("isn-a", "", "segment: A's ISNs, comma-separated")
		isnB       = flag.String("isn-b", "", "segment: B's ISNs, comma-separated")
		dataA      = flag.Int("data-a", -1, "segment: A's data segments")
		dataB      = flag.Int("data-b", -1, "segment: B's data segments")
		losses     = flag.Int("max-losses", -1, "segment: losses")
		dups       = flag.Int("max-dups", -1, "segment: duplicates")
		capacity   = flag.Int("capacity", -1, "segment: channel capacity")
		workers    = flag.Int("workers", 1, "goroutines computing successors")
		store      = flag.String("store", "exact", "exact or fingerprint")
		maxMemory  = flag.Int64("max-memory", 0, "stop before the process holds this many bytes (0: no limit)")
		cpuProfile = flag.String("cpuprofile", "", "write a CPU profile of the search to this file")
		maxStates  = flag.Int("max-states", 0, "stop after this many states (0: no limit)")
		graph      = flag.Bool("graph", false, "keep the explored graph, as temporal properties need")
		curve      = flag.Duration("curve", 0, "print a line of the figures so far at this period (the throughput curve)")
		expected   = flag.Int("expected-states", 0, "size the store's table for this many states at the start (0: grow it)")
		frontier   = flag.Int64("frontier-memory", 0, "bytes of the frontier kept in memory, the rest spilled to disk (0: max-memory/8, or no bound)")
		spillDir   = flag.String("spill-dir", "", "directory of the spilled frontier (default: the system's temporary directory)")
	)
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fail(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	kind := checker.ExactStore
	if *store == "fingerprint" {
		kind = checker.FingerprintStore
	}
	var (
		res outcome
		err error
	)
	switch *which {
	case "diagram":
		p, perr := bench.NewProduct(*k)
		if perr != nil {
			fail(perr)
		}
		opts := checker.Options[bench.ProductState, bench.ProductAction]{Store: kind, Workers: *workers, MaxMemory: *maxMemory, MaxStates: *maxStates, KeepGraph: *graph, MaxGraphEdges: math.MaxInt,
			ExpectedStates: *expected, FrontierMemory: *frontier, SpillDir: *spillDir}
		setCurve(&opts.Progress, &opts.ProgressInterval, *curve)
		res, err = run(p, opts)
	case "segment":
		cfg, cerr := model.LookupPreset(*preset)
		if cerr != nil {
			fail(cerr)
		}
		for _, x := range []struct {
			s    string
			into *[]uint32
		}{{*isnA, &cfg.ISNs[model.A]}, {*isnB, &cfg.ISNs[model.B]}} {
			if x.s != "" {
				*x.into = parseISNs(x.s)
			}
		}
		for _, x := range []struct {
			v    int
			into *int
		}{{*dataA, &cfg.Data[model.A]}, {*dataB, &cfg.Data[model.B]}, {*losses, &cfg.MaxLosses}, {*dups, &cfg.MaxDups}, {*capacity, &cfg.Capacity}} {
			if x.v >= 0 {
				*x.into = x.v
			}
		}
		m, merr := model.New(cfg)
		if merr != nil {
			fail(merr)
		}
		opts := checker.Options[model.State, model.Action]{Store: kind, Workers: *workers, MaxMemory: *maxMemory, MaxStates: *maxStates, KeepGraph: *graph, MaxGraphEdges: math.MaxInt,
			ExpectedStates: *expected, FrontierMemory: *frontier, SpillDir: *spillDir}
		setCurve(&opts.Progress, &opts.ProgressInterval, *curve)
		res, err = run(m, opts)
	default:
		fail(fmt.Errorf("unknown model %q", *which))
	}
	if err != nil {
		fail(err)
	}
	peak := peakRSS()
	cpu := cpuSeconds()
	stats := res.stats
	fmt.Printf("states=%d generated=%d depth=%d seconds=%.3f cpu_seconds=%.3f states_per_cpu_s=%.0f states_per_s=%.0f store_bytes_per_state=%.1f search_bytes_per_state=%.1f peak_rss_bytes_per_state=%.1f peak_rss=%d spilled_bytes=%d collision_probability=%.3g stop=%q\n",
		stats.Distinct, stats.Generated, stats.Depth, stats.Elapsed.Seconds(), cpu, float64(stats.Distinct)/max(cpu, 1e-9), stats.StatesPerSecond(),
		float64(stats.StoreBytes)/float64(max(stats.Distinct, 1)), float64(stats.SearchBytes)/float64(max(stats.Distinct, 1)),
		float64(peak)/float64(max(stats.Distinct, 1)), peak, stats.SpilledBytes, res.collision, res.stop)
}

// outcome is what main prints of a search.
type outcome struct {
	stats     checker.Stats
	stop      string
	collision float64
}

func run[S comparable, A any](sys checker.System[S, A], opts checker.Options[S, A]) (outcome, error) {
	// As tcpcheck check does: garbage kept to a quarter of what the search
	// holds (GOGC=25), so that peak RSS is what the search holds.
	debug.SetGCPercent(25)
	runtime.GC()
	// SIGTERM (timeout's) or Ctrl-C stops the search with its figures so
	// far, and the files of a spilled frontier removed.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	res, err := checker.Explore(ctx, sys, opts)
	if err != nil {
		return outcome{}, err
	}
	return outcome{res.Stats, res.StopReason, res.CollisionProbability}, nil
}

func parseISNs(s string) []uint32 {
	var out []uint32
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			fail(err)
		}
		out = append(out, uint32(v))
	}
	return out
}

// setCurve makes the search print its figures every period: states,
// seconds, CPU seconds and what the search holds, one line each, for
// bench/stress-curve.sh.
func setCurve(progress *func(checker.Stats), interval *time.Duration, period time.Duration) {
	if period <= 0 {
		return
	}
	*interval = period
	*progress = func(s checker.Stats) {
		fmt.Printf("curve states=%d generated=%d depth=%d seconds=%.3f cpu_seconds=%.3f search_bytes=%d spilled_bytes=%d rss=%d\n",
			s.Distinct, s.Generated, s.Depth, s.Elapsed.Seconds(), cpuSeconds(), s.SearchBytes, s.SpilledBytes, residentBytes())
	}
}

// residentBytes is the process's resident set now (VmRSS), in bytes.
func residentBytes() int64 { return statusBytes("VmRSS:") }

// peakRSS is the process's peak resident set (VmHWM), in bytes.
func peakRSS() int64 { return statusBytes("VmHWM:") }

// statusBytes reads a size in kB from /proc/self/status.
func statusBytes(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "tcpbench:", err)
	os.Exit(1)
}
