#!/usr/bin/env bash
# Runs SPIN and tcpcheck side by side on the same models, on this machine,
# in one run, checks that the state counts agree, and prints the ratios of
# issue 17's targets 1 and 2. Each configuration runs RUNS times (default
# 3), interleaved with the others so that a change in the machine's load
# falls on all of them, and the median is kept.
#
# Rates: states per CPU second (user + system) for one worker and for
# SPIN, so that a busy machine measures the work and not the wait; wall
# clock for the speedup of two workers over one.
#
# Usage: bench/compare.sh [quick]
#   quick: only the small models (diagram K=1, segment lifecycle).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v spin >/dev/null; then
	apt-get update -qq && apt-get install -y -qq spin >/dev/null
fi
go build -o "$work/tcpbench" ./bench/tcpbench

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$(go version); $(spin -V); $(gcc --version | head -1); median of $runs interleaved runs"
echo

# field NAME LINE: the value of NAME=... in a tcpbench line.
field() { sed -n "s/.*[ ^]$1=\([^ ]*\).*/\1/p" <<<" $2"; }

# median: the median of the numbers on stdin.
median() { sort -g | awk '{a[NR]=$1} END{if (NR==0) print 0; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# spin_build DIR PML DEFINES CFLAGS: generate and compile pan in DIR.
spin_build() {
	mkdir -p "$1"
	(cd "$1" && cp "$root/bench/$2" . && spin $3 -a "$2" >/dev/null && gcc -O2 -DNOREDUCE -DSAFETY $4 -o pan pan.c)
}

# spin_run DIR ARGS: run pan; prints "states cpu_seconds memory_mb".
spin_run() {
	(cd "$1" && /usr/bin/time -f "%U %S" -o time.out ./pan -m200000 $2 >pan.out 2>&1) || true
	if grep -q "errors: [1-9]" "$1/pan.out"; then echo "SPIN found an error in $1" >&2; fi
	echo "$(awk '/states, stored/{print $1}' "$1/pan.out") $(awk '{print $1+$2}' "$1/time.out") $(awk '/total actual memory usage/{print $1}' "$1/pan.out")"
}

printf '%-18s %-28s %10s %14s %12s %9s\n' model tool states "states/s" "bytes/state" "ratio"
row() { printf '%-18s %-28s %10s %14s %12s %9s\n' "$@"; }

bench() { # NAME PML OFFSET SPIN-DEFINES TCPBENCH-ARGS [bitstate]
	local name=$1 pml=$2 offset=$3 defines=$4 args=$5 bitstate=${6:-}
	local first n w
	first=$("$work/tcpbench" $args -workers 1 -store fingerprint)
	n=$(field states "$first")
	w=$(awk -v n="$n" 'BEGIN{print int(log(n)/log(2))+2}')
	spin_build "$work/spin" "$pml" "$defines" ""
	[ -n "$bitstate" ] && spin_build "$work/bits" "$pml" "$defines" "-DBITSTATE"
	local -a spin=() bits=() fp1=() fp2w=() fp1w=() ex1=()
	local spin_states="" spin_mb="" fp_bytes="" ex_bytes="" out
	for _ in $(seq "$runs"); do
		read -r s c m < <(spin_run "$work/spin" "-w$w")
		spin_states=$s spin_mb=$m
		spin+=("$(awk -v n="$s" -v c="$c" 'BEGIN{printf "%.0f", (c>0 ? n/c : 0)}')")
		if [ -n "$bitstate" ]; then
			read -r s c m < <(spin_run "$work/bits" "-w$((w + 4))")
			bits+=("$(awk -v n="$s" -v c="$c" 'BEGIN{printf "%.0f", (c>0 ? n/c : 0)}')")
		fi
		out=$("$work/tcpbench" $args -workers 1 -store fingerprint)
		fp1+=("$(field states_per_cpu_s "$out")") fp1w+=("$(field states_per_s "$out")")
		fp_bytes=$(field peak_rss_bytes_per_state "$out")
		out=$("$work/tcpbench" $args -workers 2 -store fingerprint)
		fp2w+=("$(field states_per_s "$out")")
		[ "$(field states "$out")" = "$n" ] || echo "  MISMATCH: 2 workers stored $(field states "$out") states, 1 worker $n"
		out=$("$work/tcpbench" $args -workers 1 -store exact)
		ex1+=("$(field states_per_cpu_s "$out")")
		ex_bytes=$(field peak_rss_bytes_per_state "$out")
		[ "$(field states "$out")" = "$n" ] || echo "  MISMATCH: the exact store stored $(field states "$out") states, the fingerprint store $n"
	done
	local spin_rate bits_rate fp1_rate fp1w_rate fp2w_rate ex1_rate
	spin_rate=$(printf '%s\n' "${spin[@]}" | median)
	fp1_rate=$(printf '%s\n' "${fp1[@]}" | median)
	fp1w_rate=$(printf '%s\n' "${fp1w[@]}" | median)
	fp2w_rate=$(printf '%s\n' "${fp2w[@]}" | median)
	ex1_rate=$(printf '%s\n' "${ex1[@]}" | median)
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b>0 ? a/b : 0)}'; }
	row "$name" "SPIN (gcc -O2) per CPU s" "$spin_states" "$spin_rate" \
		"$(awk -v m="$spin_mb" -v n="$spin_states" 'BEGIN{printf "%.0f", m*1048576/n}')" "1.00"
	if [ "$spin_states" != "$((n + offset))" ]; then
		echo "  MISMATCH: SPIN stored $spin_states states, tcpcheck $n (+$offset expected)"
	fi
	if [ -n "$bitstate" ]; then
		bits_rate=$(printf '%s\n' "${bits[@]}" | median)
		row "" "SPIN -DBITSTATE per CPU s" "" "$bits_rate" "" "$(ratio "$bits_rate" "$spin_rate")"
	fi
	row "" "tcpcheck exact w=1 per CPU s" "$n" "$ex1_rate" "$ex_bytes" "$(ratio "$ex1_rate" "$spin_rate")"
	row "" "tcpcheck fp w=1 per CPU s" "$n" "$fp1_rate" "$fp_bytes" "$(ratio "$fp1_rate" "$spin_rate")"
	row "" "tcpcheck fp w=1 wall" "$n" "$fp1w_rate" "" ""
	row "" "tcpcheck fp w=2 wall" "$n" "$fp2w_rate" "" "$(ratio "$fp2w_rate" "$fp1w_rate")"
	echo "  target 1: fingerprint, one worker, vs SPIN: $(ratio "$fp1_rate" "$spin_rate") (>= 3)$([ -n "$bitstate" ] && echo "; vs SPIN -DBITSTATE: $(ratio "$fp1_rate" "$bits_rate") (>= 1.5)")"
	echo "  target 2: two workers vs one, wall clock: $(ratio "$fp2w_rate" "$fp1w_rate") (>= 1.7)"
}

bench "diagram K=1" diagram.pml 1 "-DK=1" "-model diagram -k 1"
bench "segment lifecycle" segment.pml 0 "-DMAXLOSSES=1 -DMAXDUPS=0 -DCAP=5 -DREORDER=0 -DDATA_A=1 -DDATA_B=1" \
	"-model segment -preset lifecycle -isn-a 100 -isn-b 1000"
if [ "${1:-}" != quick ]; then
	bench "diagram K=2" diagram.pml 1 "-DK=2" "-model diagram -k 2"
	bench "segment lossy" segment.pml 0 "" "-model segment -preset lossy -isn-a 100 -isn-b 1000" bitstate
fi
echo
echo "bytes/state: for SPIN its 'total actual memory usage' (hash table -w sized to the states);"
echo "for tcpcheck the process's peak resident set divided by the states."
echo "ratio: against SPIN's default on the model's first line; for w=2, against w=1 (wall clock)."
