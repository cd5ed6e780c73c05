package fuzz

import (
	"pgregory.net/rapid"

	"github.com/tcpcheck/tcpcheck/model"
)

// isnChoices are the initial sequence numbers SegmentConfigs draws from:
// small ones that read well, and ones just below 2^32 so that exchanges
// cross the wrap.
var isnChoices = []uint32{0, 100, 4294967290, 4294967295}

// SegmentConfigs draws configurations of the segment model small enough
// that a walk of a few dozen steps is quick and often reaches an end:
// A connects to B listening (or listening and connecting: simultaneous
// open), 0–2 data segments each way, channel capacity 3–6, 0–2 losses,
// 0–1 duplicates, reordering or not, 1–3 retries, 1–2 ISN choices per side
// from {0, 100, 4294967290, 4294967295}, 1–2 incarnations, closing, early
// closing and aborting or not, a SYN queue of 0–2 entries with 0–2
// spoofed SYNs. The variant is TCP; set Variant on what it draws to fuzz
// another. Every draw shrinks toward the simplest configuration.
func SegmentConfigs() *rapid.Generator[model.Config] {
	return rapid.Custom(func(t *rapid.T) model.Config {
		cfg := model.Config{
			Roles:        [2]model.Role{model.Connector, model.Listener},
			Capacity:     rapid.IntRange(3, 6).Draw(t, "capacity"),
			ISNStep:      1 << 30,
			Incarnations: rapid.IntRange(1, 2).Draw(t, "incarnations"),
			RcvWnd:       4096,
		}
		if rapid.Bool().Draw(t, "simultaneous open") {
			cfg.Roles[model.B] |= model.Connector
		}
		cfg.Data[model.A] = rapid.IntRange(0, 2).Draw(t, "data-a")
		cfg.Data[model.B] = rapid.IntRange(0, 2).Draw(t, "data-b")
		cfg.MaxLosses = rapid.IntRange(0, 2).Draw(t, "max-losses")
		cfg.MaxDups = rapid.IntRange(0, 1).Draw(t, "max-dups")
		cfg.Reorder = rapid.Bool().Draw(t, "reorder")
		cfg.MaxRetries = rapid.IntRange(1, 3).Draw(t, "max-retries")
		for _, side := range []model.Side{model.A, model.B} {
			cfg.ISNs[side] = rapid.SliceOfNDistinct(rapid.SampledFrom(isnChoices), 1, 2, rapid.ID).Draw(t, "isn-"+side.String())
		}
		cfg.Close = rapid.Bool().Draw(t, "close")
		cfg.EarlyClose = cfg.Close && rapid.Bool().Draw(t, "early-close")
		cfg.Abort = rapid.Bool().Draw(t, "abort")
		return cfg
	})
}
