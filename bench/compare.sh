#!/usr/bin/env bash
# Runs SPIN and tcpcheck side by side on the same models, on this machine,
# in one run, checks that the state counts agree, and prints the ratios of
# issue 17's targets 1 and 2 (docs/performance.md).
#
# Usage: bench/compare.sh [quick]
#   quick: only the small models (diagram K=1; segment lifecycle,
#   simultaneous, abort, and lifecycle with a delayed duplicate).
#
# Each configuration runs RUNS times (default 3), interleaved with the
# others so that a change in the machine's load falls on all of them (the
# tcpcheck rows in the reverse order every other run), and the median is
# kept. Rates are states per CPU second (user + system) for
# SPIN and one worker, so that a busy machine measures the work and not
# the wait for a core; the speedup of two workers over one is wall clock,
# printed as the ratio of the medians and, below it, as each run's own
# ratio of the two, run one after the other (this machine has slow
# stretches of minutes, in which two workers lose more than one: a pair
# shares its stretch, where the medians may not).
#
# COMPARE_MODES (default "exact 1,fingerprint 1,fingerprint 2") picks the
# tcpcheck rows: store and workers, comma-separated. Given, RUNS defaults
# to 1 and SPIN -DBITSTATE is not run: CI runs only "exact 1", the
# state-count oracle.
#
# Exits 1 when SPIN and tcpcheck store different numbers of states on any
# model (bench/segment.pml is a twin of package model's rules, so a
# difference is a bug in one of them), when stores or worker counts
# disagree, or when SPIN reports an error.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
if [ -n "${COMPARE_MODES:-}" ]; then
	runs=${RUNS:-1} bitstate_too=
else
	runs=${RUNS:-3} bitstate_too=1
fi
IFS=, read -ra modes <<<"${COMPARE_MODES:-exact 1,fingerprint 1,fingerprint 2}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v spin >/dev/null; then
	apt-get update -qq && apt-get install -y -qq spin >/dev/null
fi
go build -o "$work/tcpbench" ./bench/tcpbench

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$(go version); $(spin -V); $(gcc --version | head -1); median of $runs interleaved run(s)"
echo

# field NAME LINE: the value of NAME=... in a tcpbench line.
field() { sed -n "s/.*[ ^]$1=\([^ ]*\).*/\1/p" <<<" $2"; }

# median: the median of the numbers on stdin.
median() { sort -g | awk '{a[NR]=$1} END{if (NR==0) print 0; else if (NR%2) print a[(NR+1)/2]; else {v=(a[NR/2]+a[NR/2+1])/2; printf (v>=1000 ? "%.0f\n" : "%.2f\n"), v}}'; }

# ratio A B: A/B to two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b>0 ? a/b : 0)}'; }

# rate N CPU: N/CPU, or 0 if CPU is 0 (too short to time).
rate() { awk -v n="$1" -v c="$2" 'BEGIN{printf "%.0f", (c>0 ? n/c : 0)}'; }

# spin_build DIR PML DEFINES CFLAGS: generate and compile pan in DIR.
spin_build() {
	mkdir -p "$1"
	(cd "$1" && cp "$root/bench/$2" . && spin $3 -a "$2" >/dev/null && gcc -O2 -DNOREDUCE -DSAFETY $4 -o pan pan.c)
}

# spin_run DIR ARGS: run pan; prints "states cpu_seconds memory_mb".
spin_run() {
	(cd "$1" && /usr/bin/time -f "%U %S" -o time.out ./pan -m200000 $2 >pan.out 2>&1) || true
	if grep -q "errors: [1-9]" "$1/pan.out"; then
		echo "SPIN found an error in $1" >&2
		echo "error" >"$1/failed"
	fi
	echo "$(awk '/states, stored/{print $1}' "$1/pan.out") $(awk '{print $1+$2}' "$1/time.out") $(awk '/total actual memory usage/{print $1}' "$1/pan.out")"
}

mismatches=0
printf '%-20s %-36s %10s %12s %12s %7s\n' model tool states "states/s" "bytes/state" ratio
row() { printf '%-20s %-36s %10s %12s %12s %7s\n' "$@"; }

bench() { # NAME PML OFFSET SPIN-DEFINES TCPBENCH-ARGS [bitstate]
	local name=$1 pml=$2 offset=$3 defines=$4 args=$5 bitstate=${6:-}
	[ -n "$bitstate_too" ] || bitstate=
	local out n w
	rm -rf "$work/spin" "$work/bits"
	spin_build "$work/spin" "$pml" "$defines" ""
	[ -n "$bitstate" ] && spin_build "$work/bits" "$pml" "$defines" "-DBITSTATE"
	local -a spin=() bits=()
	local -A cpu=() wall=() bytes=() states=()
	local pairs="" # per run, two workers' wall-clock rate over one's
	local spin_states="" spin_mb="" s c m mode prev="" prev_rate=
	# SPIN's hash table sized to the states (as a user would), at most
	# half full: a warm-up run of tcpcheck counts them. tcpcheck is told
	# the same count (-expected-states: its table is made once, at most
	# 60% full, instead of grown).
	n=$(field states "$("$work/tcpbench" $args -workers 1 -store fingerprint)")
	w=$(awk -v n="$n" 'BEGIN{print int(log(n)/log(2))+2}')
	local -a order=("${modes[@]}") reversed=()
	for ((k = ${#modes[@]} - 1; k >= 0; k--)); do reversed+=("${modes[k]}"); done
	for r in $(seq "$runs"); do
		read -r s c m < <(spin_run "$work/spin" "-w$w")
		spin_states=$s spin_mb=$m
		spin+=("$(rate "$s" "$c")")
		if [ -n "$bitstate" ]; then
			read -r s c m < <(spin_run "$work/bits" "-w$((w + 5))")
			bits+=("$(rate "$s" "$c")")
		fi
		# The tcpcheck rows in the given order in odd runs, the reverse in
		# even ones: on this machine a run of two workers right after one
		# of one worker was slower (a median of 305 ms on diagram K=2,
		# six alternated runs) than one after a run of two (274 ms).
		order=("${modes[@]}")
		[ $((r % 2)) = 0 ] && order=("${reversed[@]}")
		prev=""
		for mode in "${order[@]}"; do
			set -- $mode
			out=$("$work/tcpbench" $args -workers "$2" -store "$1" -expected-states "$n")
			states[$mode]=$(field states "$out")
			cpu[$mode]+="$(field states_per_cpu_s "$out") "
			wall[$mode]+="$(field states_per_s "$out") "
			bytes[$mode]=$(field peak_rss_bytes_per_state "$out")
			case "$prev/$mode" in
			"fingerprint 1/fingerprint 2") pairs+="$(ratio "$(field states_per_s "$out")" "$prev_rate") " ;;
			"fingerprint 2/fingerprint 1") pairs+="$(ratio "$prev_rate" "$(field states_per_s "$out")") " ;;
			esac
			prev=$mode prev_rate=$(field states_per_s "$out")
		done
	done
	[ -e "$work/spin/failed" ] && mismatches=$((mismatches + 1))
	local spin_rate
	spin_rate=$(printf '%s\n' "${spin[@]}" | median)
	row "$name" "SPIN (gcc -O2), per CPU s" "$spin_states" "$spin_rate" \
		"$(awk -v m="$spin_mb" -v n="$spin_states" 'BEGIN{printf "%.0f", m*1048576/n}')" "1.00"
	local bits_rate=""
	if [ -n "$bitstate" ]; then
		bits_rate=$(printf '%s\n' "${bits[@]}" | median)
		row "" "SPIN -DBITSTATE, per CPU s" "" "$bits_rate" "" "$(ratio "$bits_rate" "$spin_rate")"
	fi
	local first="${modes[0]}"
	n=${states[$first]}
	if [ "$spin_states" != "$((n + offset))" ]; then
		echo "  MISMATCH: SPIN stored $spin_states states, tcpcheck $n (+$offset expected)"
		mismatches=$((mismatches + 1))
	fi
	local -A med=()
	for mode in "${modes[@]}"; do
		set -- $mode
		if [ "${states[$mode]}" != "$n" ]; then
			echo "  MISMATCH: tcpcheck $mode stored ${states[$mode]} states, $first $n"
			mismatches=$((mismatches + 1))
		fi
		med[$mode]=$(tr ' ' '\n' <<<"${cpu[$mode]}" | grep . | median)
		row "" "tcpcheck $1 w=$2, per CPU s" "${states[$mode]}" "${med[$mode]}" "${bytes[$mode]}" "$(ratio "${med[$mode]}" "$spin_rate")"
	done
	if [ -n "${med[fingerprint 1]:-}" ]; then
		echo "  target 1: fingerprint, one worker, vs SPIN: $(ratio "${med[fingerprint 1]}" "$spin_rate") (>= 3)$([ -n "$bits_rate" ] && echo "; vs SPIN -DBITSTATE: $(ratio "${med[fingerprint 1]}" "$bits_rate") (>= 1.5)")"
	fi
	if [ -n "${wall[fingerprint 1]:-}" ] && [ -n "${wall[fingerprint 2]:-}" ]; then
		local w1 w2
		w1=$(tr ' ' '\n' <<<"${wall[fingerprint 1]}" | grep . | median)
		w2=$(tr ' ' '\n' <<<"${wall[fingerprint 2]}" | grep . | median)
		echo "  target 2: two workers vs one, fingerprint, wall clock: $(ratio "$w2" "$w1") (>= 1.7; $w1 and $w2 states/s)"
		if [ -n "$pairs" ]; then
			echo "            the runs' own ratios (one worker and two, one after the other): median $(tr ' ' '\n' <<<"$pairs" | grep . | median) of $pairs"
		fi
	fi
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
	bench "segment lossy" segment.pml 0 "" "-model segment -preset lossy -isn-a 100 -isn-b 1000" bitstate
fi
echo
echo "states/s: per CPU second (user + system) for SPIN and every tcpcheck row; target 2 compares wall clock."
echo "bytes/state: for SPIN its 'total actual memory usage' (hash table -w sized to the states, half full); for tcpcheck the peak resident set over the states."
echo "ratio: against SPIN's default on the model's first line. The small models are too quick to time (0: under 10 ms)."
if [ "$mismatches" -gt 0 ]; then
	echo "FAIL: $mismatches model(s) where SPIN and tcpcheck disagree on the state count" >&2
	exit 1
fi
