#!/usr/bin/env bash
# Issue 17, target 5: a temporal property decided at scale. Runs
# `tcpcheck check` with eventually-closed (which keeps the explored graph
# for the liveness analysis) on the lossy preset widened to more than
# 2·10^7 states, under --max-memory, and prints the states, the verdict,
# what the search said it held and the peak resident memory.
#
# Usage: bench/temporal-scale.sh [MAX_LOSSES [MAX_MEMORY]]
#   MAX_LOSSES: the preset's loss budget (default 5: 24,542,977 states;
#   4: 16,403,717; 3: 9,224,369)
#   MAX_MEMORY: the bound given to --max-memory (default 16GB)
set -euo pipefail
cd "$(dirname "$0")/.."
losses=${1:-5}
limit=${2:-16GB}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/tcpcheck" ./cmd/tcpcheck

rc=0
/usr/bin/time -v -o "$work/time" "$work/tcpcheck" check --preset lossy --max-losses "$losses" \
	--property eventually-closed --max-memory "$limit" --json >"$work/out.json" || rc=$?
python3 - "$work/out.json" "$work/time" "$rc" <<'EOF'
import json, re, sys
out, timefile, rc = sys.argv[1], sys.argv[2], sys.argv[3]
d = json.load(open(out))
t = open(timefile).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) * 1024
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1)
cpu = float(re.search(r"User time \(seconds\): (\S+)", t).group(1)) + float(re.search(r"System time \(seconds\): (\S+)", t).group(1))
p = d["properties"][0]
n = d["states"]
print(f"config: {d['config_line']}")
print(f"states={n} generated={d['generated']} depth={d['depth']} result={d['result']} exit={rc}")
print(f"{p['id']}: {p['status']}")
print(f"held: {d['bytes_per_state']:.1f} B/state ({d['bytes_per_state'] * n / 2**30:.2f} GiB); peak RSS {rss / 2**30:.2f} GiB ({rss / max(n, 1):.1f} B/state); max-memory {d['max_memory'] / 2**30:.2f} GiB")
print(f"wall {wall}, cpu {cpu:.1f} s")
EOF
