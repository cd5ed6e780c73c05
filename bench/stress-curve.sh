#!/usr/bin/env bash
# The throughput curve of issue 17, target 3, and the memory check of
# target 4: explores the stress preset (fingerprint store, one worker) up
# to N states, printing every few seconds the states stored, the rates over
# the last window (states and transitions per CPU second: the machine may
# be shared), and
# what the search says it holds beside the resident memory, per state.
#
# Usage: bench/stress-curve.sh [N] [--graph]
#   N        states to stop at (default 50000000; the preset is widened
#            with A's ISNs {2^32-1, 100, 200000} so that it has ~10^8)
#   --graph  keep the explored graph too, as temporal properties need
#            (the figures then show what the graph costs a state)
# MAX_MEMORY (bytes, default 7.5e9) bounds the run; FRONTIER_MEMORY
# (bytes, default MAX_MEMORY/8) bounds the frontier held in memory, the
# rest spilled to disk; CURVE (default 1s) is the period of the lines.
set -euo pipefail
cd "$(dirname "$0")/.."
max=${1:-50000000}
graph=
[ "${2:-}" = --graph ] && graph=-graph
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/tcpbench" ./bench/tcpbench

"$work/tcpbench" -model segment -preset stress -isn-a 4294967295,100,200000 -store fingerprint -workers 1 \
	-max-states "$max" -max-memory "${MAX_MEMORY:-7500000000}" -frontier-memory "${FRONTIER_MEMORY:-0}" -curve "${CURVE:-1s}" $graph | awk '
function field(name,   i, kv) {
	for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) return kv[2] }
	return ""
}
BEGIN { printf "%12s %9s %14s %14s %16s %14s %14s\n", "states", "cpu s", "window st/s", "window tr/s", "held B/state", "RSS B/state", "held/RSS" }
/^curve / {
	n = field("states"); g = field("generated"); c = field("cpu_seconds"); held = field("search_bytes"); rss = field("rss")
	rate = (c > pc) ? (n - pn) / (c - pc) : 0
	trate = (c > pc) ? (g - pg) / (c - pc) : 0
	printf "%12d %9.1f %14.0f %14.0f %16.1f %14.1f %14.2f\n", n, c, rate, trate, held / n, rss / n, held / rss
	pg = g
	if (!at1m && n >= 1000000) { at1m = rate; at1mT = trate; at1mStates = n; at1mCum = n / c }
	ns[++k] = n; gs[k] = g; cs[k] = c
	pn = n; pc = c
}
/^states=/ { final = $0 }
END {
	print ""
	print final
	# The rate near the end: over the lines of the last tenth of the
	# states, so that one window with a growth of the table does not
	# stand for the whole.
	for (i = 1; i <= k && ns[i] < 0.9 * ns[k]; i++) {}
	if (at1m > 0 && i < k) {
		last = (ns[k] - ns[i]) / (cs[k] - cs[i]); lastT = (gs[k] - gs[i]) / (cs[k] - cs[i])
		printf "states per CPU s near %d states: %.0f; from %d to %d states: %.0f; ratio %.2f (target >= 0.70)\n", at1mStates, at1m, ns[i], ns[k], last, last / at1m
		printf "transitions per CPU s: %.0f and %.0f; ratio %.2f\n", at1mT, lastT, lastT / at1mT
		# What a run to that many states reports: its states over its
		# CPU seconds, from the start (the figure tcpcheck check prints).
		printf "whole-run states per CPU s: %.0f to %d states, %.0f to %d; ratio %.2f\n", at1mCum, at1mStates, ns[k] / cs[k], ns[k], (ns[k] / cs[k]) / at1mCum
	}
}'
