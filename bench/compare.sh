#!/usr/bin/env bash
# Runs SPIN and tcpcheck side by side on the same models, on this machine,
# in one run, checks that the state counts agree, and prints the table of
# docs/performance.md. Usage: bench/compare.sh [quick]
#   quick: only the small models (diagram K=1; segment lifecycle,
#   simultaneous, abort, and lifecycle with a delayed duplicate).
# COMPARE_MODES (default "exact 1,exact 2,fingerprint 1,fingerprint 2")
# picks the tcpcheck rows: store and workers, comma-separated; CI runs
# only "exact 1", the state-count oracle.
# Exits 1 when SPIN and tcpcheck store different numbers of states on
# any model (bench/segment.pml is a twin of package model's rules, so a
# difference is a bug in one of them) or SPIN reports an error.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v spin >/dev/null; then
	apt-get update -qq && apt-get install -y -qq spin >/dev/null
fi
go build -o "$work/tcpbench" ./bench/tcpbench

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "$(go version); $(spin -V); $(gcc --version | head -1)"
echo

# field NAME LINE: the value of NAME=... in a tcpbench line.
field() { sed -n "s/.*[ ^]$1=\([^ ]*\).*/\1/p" <<<" $2"; }

# spin_run NAME PML OFFSET DEFINES: compile pan with gcc -O2, exact storage,
# and run it; sets spin_states, spin_secs, spin_bytes.
spin_run() {
	local pml=$2 defines=$4 n=$5
	local w=$(( $(printf '%s' "$n" | awk '{print int(log($1)/log(2))+1}') ))
	(cd "$work" && cp "$root/bench/$pml" . && spin $defines -a "$pml" >/dev/null &&
		gcc -O2 -DNOREDUCE -DSAFETY -o pan pan.c && ./pan -m200000 -w"$w" >pan.out 2>&1) || true
	spin_states=$(awk '/states, stored/{print $1}' "$work/pan.out")
	spin_secs=$(awk '/elapsed time/{print $4}' "$work/pan.out")
	spin_bytes=$(awk '/total actual memory usage/{print $1}' "$work/pan.out")
	if grep -q "errors: [1-9]" "$work/pan.out"; then
		echo "SPIN found an error in $1" >&2
		mismatches=$((mismatches + 1))
	fi
}

mismatches=0
printf '%-20s %-26s %10s %8s %10s %16s %8s\n' model tool states seconds states/s bytes/st "vs SPIN"
row() { printf '%-20s %-26s %10s %8s %10s %16s %8s\n' "$@"; }

bench() { # NAME PML OFFSET SPIN-DEFINES TCPBENCH-ARGS
	local name=$1 pml=$2 offset=$3 defines=$4 args=$5
	local base
	base=$("$work/tcpbench" $args -workers 1 -store exact)
	local n; n=$(field states "$base")
	spin_run "$name" "$pml" "$offset" "$defines" "$n"
	local spin_rate; spin_rate=$(awk -v n="$spin_states" -v s="$spin_secs" 'BEGIN{printf "%.0f", (s>0 ? n/s : 0)}')
	row "$name" "SPIN (gcc -O2)" "$spin_states" "$spin_secs" "$spin_rate" \
		"$(awk -v m="$spin_bytes" -v n="$spin_states" 'BEGIN{printf "%.0f", m*1048576/n}')" "1.00"
	if [ "$spin_states" != "$((n + offset))" ]; then
		echo "  MISMATCH: SPIN stored $spin_states states, tcpcheck $n (+$offset expected)"
		mismatches=$((mismatches + 1))
	fi
	local modes
	IFS=, read -ra modes <<<"${COMPARE_MODES:-exact 1,exact 2,fingerprint 1,fingerprint 2}"
	for mode in "${modes[@]}"; do
		set -- $mode
		local out
		if [ "$1 $2" = "exact 1" ]; then out=$base; else out=$("$work/tcpbench" $args -workers "$2" -store "$1"); fi
		local rate secs
		rate=$(field states_per_s "$out"); secs=$(field seconds "$out")
		row "" "tcpcheck $1 w=$2" "$(field states "$out")" "$secs" "$rate" \
			"$(field peak_rss_bytes_per_state "$out") ($(field store_bytes_per_state "$out"))" \
			"$(awk -v a="$rate" -v b="$spin_rate" 'BEGIN{printf "%.2f", (b>0 ? a/b : 0)}')"
	done
}

bench "diagram K=1" diagram.pml 1 "-DK=1" "-model diagram -k 1"
bench "segment lifecycle" segment.pml 0 "-DMAXLOSSES=1 -DMAXDUPS=0 -DCAP=5 -DREORDER=0 -DDATA_A=1 -DDATA_B=1" \
	"-model segment -preset lifecycle -isn-a 100 -isn-b 1000"
bench "segment simultaneous" segment.pml 0 "-DMAXLOSSES=1 -DMAXDUPS=0 -DCAP=5 -DREORDER=0 -DDATA_A=0 -DDATA_B=0 -DROLE_B=3 -DEARLYCLOSE=1" \
	"-model segment -preset simultaneous -isn-a 100 -isn-b 1000"
bench "segment abort" segment.pml 0 "-DMAXLOSSES=0 -DMAXDUPS=0 -DCAP=5 -DREORDER=0 -DDATA_A=1 -DDATA_B=1 -DABORT=1" \
	"-model segment -preset abort -isn-a 100 -isn-b 1000"
bench "segment dup" segment.pml 0 "-DMAXLOSSES=1 -DMAXDUPS=1 -DCAP=8 -DREORDER=0 -DDATA_A=1 -DDATA_B=1" \
	"-model segment -preset lifecycle -max-dups 1 -capacity 8 -isn-a 100 -isn-b 1000"
if [ "${1:-}" != quick ]; then
	bench "diagram K=2" diagram.pml 1 "-DK=2" "-model diagram -k 2"
	bench "segment lossy" segment.pml 0 "" "-model segment -preset lossy -isn-a 100 -isn-b 1000"
fi
echo
echo "bytes/st: for SPIN its 'total actual memory usage' (hash table -w sized to the states, DFS stack);"
echo "for tcpcheck the process's peak resident set, and in parentheses the store alone (Stats.StoreBytes)."
if [ "$mismatches" -gt 0 ]; then
	echo "FAIL: $mismatches model(s) where SPIN and tcpcheck disagree on the state count" >&2
	exit 1
fi
