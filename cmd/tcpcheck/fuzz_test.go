package main

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Go fuzz targets for every parser of outside input: the command line
// (flags, presets, properties, model knobs, sizes and ISN lists) here, and
// capture files in package capture (FuzzCheck). Each must end in an
// exit code, never a panic, and bad input must get one clear line.
// .ci/run runs each for a few seconds; docs/fuzzing.md has the command
// for a longer run.

// fuzzArgs are command lines to start from, NUL-separated (an argument
// never holds a NUL).
var fuzzArgs = []string{
	"",
	"--preset\x00handshake\x00--max-losses\x002\x00--max-retries\x001",
	"--preset\x00simultaneous\x00--reorder\x00--data-a\x001",
	"--isn-a\x004294967290,7\x00--isn-b\x000\x00--incarnations\x002",
	"--a\x00listen+connect\x00--b\x00listen\x00--early-close\x00--abort",
	"--model\x00diagram\x00--preset\x00unconstrained",
	"--property\x00stream-integrity\x00--property\x00deadlock-free\x00--variant\x00bug-data-in-syn-sent",
	"--syn-backlog\x002\x00--attacker\x003\x00--variant\x00no-syn-cookies",
	"--start\x00established\x00--capacity=2\x00--spurious-retransmit\x00--rfc1337",
	"--json\x00--all\x00--dfs\x00--store\x00fingerprint\x00--max-memory\x0016GiB",
	"--rcv-wnd\x001\x00--isn-step\x000\x00--data-b\x00200",
	"-h",
	"--capacity\x00x",
	"extra",
}

// commandLine runs tcpcheck with the fuzzer's arguments, then bounds that
// keep any run short; a later flag wins, so the fuzzer cannot lift them.
// If the fuzzer's last argument is a flag that takes the first bound as
// its value, the bound's number is left as an unexpected argument: bad
// usage, no search.
func commandLine(t *testing.T, command string, args string, bounds ...string) {
	var line []string
	if args != "" {
		line = strings.Split(args, "\x00")
	}
	line = append(append([]string{command}, line...), bounds...)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), line, strings.NewReader(""), &stdout, &stderr)
	switch code {
	case exitOK, exitViolation, exitIncomplete:
		if stderr.Len() > 0 {
			t.Fatalf("%q: exit %d with %q on stderr", line, code, stderr.String())
		}
	case exitUsage:
		if n := strings.Count(stderr.String(), "\n"); n != 1 || !strings.HasSuffix(stderr.String(), "\n") {
			t.Fatalf("%q: exit 2 with %d lines on stderr, not one: %q", line, n, stderr.String())
		}
	default:
		t.Fatalf("%q: exit %d", line, code)
	}
}

func FuzzCheckFlags(f *testing.F) {
	for _, a := range fuzzArgs {
		f.Add(a)
	}
	f.Fuzz(func(t *testing.T, args string) {
		// --trace-dot= and --cpuprofile= write no file wherever the
		// fuzzer pointed them.
		commandLine(t, "check", args, "--max-states", "200", "--workers", "1", "--trace-dot=", "--cpuprofile=")
	})
}

func FuzzSimulateFlags(f *testing.F) {
	for _, a := range fuzzArgs {
		f.Add(a)
	}
	f.Add("--seed\x0018446744073709551615\x00--walks\x0010")
	f.Fuzz(func(t *testing.T, args string) {
		commandLine(t, "simulate", args, "--walks", "3", "--steps", "100")
	})
}

// parseISNs accepts a comma-separated list of 32-bit numbers, one per
// field, and nothing else: what it returns prints back to a list it reads
// the same way.
func FuzzParseISNs(f *testing.F) {
	for _, s := range []string{"0", "4294967295,1000", " 7 , 8", "4294967296", "1,,2", "-1", "0x10", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		isns, err := parseISNs(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("%q: error on more than one line: %q", s, err)
			}
			return
		}
		if len(isns) != strings.Count(s, ",")+1 {
			t.Fatalf("%q: %d numbers from %d fields", s, len(isns), strings.Count(s, ",")+1)
		}
		var fields []string
		for _, v := range isns {
			fields = append(fields, strconv.FormatUint(uint64(v), 10))
		}
		again, err := parseISNs(strings.Join(fields, ","))
		if err != nil || !slices.Equal(isns, again) {
			t.Fatalf("%q gave %v, which reads back as %v, %v", s, isns, again, err)
		}
	})
}
