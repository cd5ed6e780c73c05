package fuzz

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// Checks makes n the number of checks rapid.Check runs in this test
// binary, unless -rapid.checks or the RAPID_CHECKS variable gives one: a
// package's fixed budget, which a longer run overrides from the command
// line. Call it in a test, before rapid.Check.
func Checks(n int) {
	f := rapidFlag("checks")
	if _, ok := os.LookupEnv("RAPID_CHECKS"); ok {
		return
	}
	given := false
	flag.Visit(func(g *flag.Flag) { given = given || g == f })
	if !given {
		set(f, strconv.Itoa(n))
	}
}

// Finds runs prop with rapid for up to checks checks (-short does not
// shorten them) and reports whether it failed, with rapid's report of the
// shrunk failure: the assertion of a test that shows a property-based
// test catches a planted bug. It saves no fail file, which rapid would
// replay first on the next run, hiding how long finding the bug takes. It
// sets rapid's flags for the time of the call, so tests that call it must
// not run in parallel.
func Finds(checks int, prop func(*rapid.T)) (report string, found bool) {
	if testing.Short() {
		checks *= 5 // rapid runs a fifth of its checks under -short
	}
	for name, value := range map[string]string{"checks": strconv.Itoa(checks), "nofailfile": "true"} {
		f := rapidFlag(name)
		old := f.Value.String()
		set(f, value)
		defer set(f, old)
	}
	rec := &recorder{}
	rapid.Check(rec, prop)
	return rec.log.String(), rec.failed
}

// rapidFlag is rapid's flag -rapid.name.
func rapidFlag(name string) *flag.Flag {
	f := flag.Lookup("rapid." + name)
	if f == nil || !flag.Parsed() {
		panic("fuzz: call from a test, with pgregory.net/rapid linked in")
	}
	return f
}

func set(f *flag.Flag, value string) {
	if err := f.Value.Set(value); err != nil {
		panic(err) // our own values: a bad one is a programming error
	}
}

// recorder is a rapid.TB that records a failure instead of failing a
// test.
type recorder struct {
	failed bool
	log    strings.Builder
}

func (r *recorder) Helper()                          {}
func (r *recorder) Name() string                     { return "fuzz.Finds" }
func (r *recorder) Logf(format string, args ...any)  { fmt.Fprintf(&r.log, format+"\n", args...) }
func (r *recorder) Log(args ...any)                  { fmt.Fprintln(&r.log, args...) }
func (r *recorder) Skipf(format string, args ...any) { r.Logf(format, args...) }
func (r *recorder) Skip(args ...any)                 { r.Log(args...) }
func (r *recorder) SkipNow()                         {}
func (r *recorder) Errorf(format string, args ...any) {
	r.Logf(format, args...)
	r.failed = true
}
func (r *recorder) Error(args ...any) {
	r.Log(args...)
	r.failed = true
}
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }
func (r *recorder) Fatal(args ...any)                 { r.Error(args...) }
func (r *recorder) FailNow()                          { r.failed = true }
func (r *recorder) Fail()                             { r.failed = true }
func (r *recorder) Failed() bool                      { return r.failed }
