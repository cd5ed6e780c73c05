#!/usr/bin/env bash
# run.sh measures `tcpcheck conform` against issue 16's targets, in one
# run on this machine:
#
#   - a 40 MB bulk loopback transfer (lo's MTU set to 1500 in a fresh
#     namespace and GSO off, so that it is some 40,000 segments, as on a
#     real link):
#     under 1 s;
#   - 1 MB over a delayed, lossy link (testdata/conform/netlab/
#     bulk-loss-a: 2% loss, 20 ms delay): under 1 s;
#   - throughput within 3x of `tcpdump -nn -r FILE >/dev/null` on the
#     same file: the ratio of the two times, each the best of 5 runs,
#     taken in turn. The start-up of each program is printed too: on a
#     small capture it is most of the time.
#
# Then the Go benchmarks (package capture) on a synthetic 40 MB capture.
# Making the loopback capture needs root (a namespace, tcpdump); with
# CAPTURE=FILE an existing capture is measured instead.
#
#	sudo bench/conform/run.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'ip netns del tcpc-lo 2>/dev/null || true; rm -rf "$work"' EXIT

(cd "$root" && go build -o "$work/tcpcheck" ./cmd/tcpcheck && go build -o "$work/netlab" ./bench/conform/netlab)

bulk=${CAPTURE:-}
if [ -z "$bulk" ]; then
	bulk="$work/bulk40.pcap"
	ip netns add tcpc-lo
	ip netns exec tcpc-lo ip link set lo mtu 1500 gso_max_segs 1 gso_max_size 1500 up # no GSO: tcpdump sees wire-sized segments
	ip netns exec tcpc-lo timeout 60 "$work/netlab" serve 127.0.0.1:9000 -mode sink &
	sleep 0.3
	ip netns exec tcpc-lo tcpdump -Z root -s 128 -i lo -w "$bulk" tcp 2>"$work/tcpdump.log" &
	tcpdump_pid=$!
	for _ in $(seq 50); do grep -q listening "$work/tcpdump.log" && break; sleep 0.1; done
	ip netns exec tcpc-lo timeout 60 "$work/netlab" dial 127.0.0.1:9000 -mode bulk -bytes 41943040
	sleep 0.5
	kill -INT "$tcpdump_pid"
	wait "$tcpdump_pid" || true
	ip netns del tcpc-lo
fi
lossy="$work/bulk-loss-a.pcap"
gunzip -c "$root/cmd/tcpcheck/testdata/conform/netlab/bulk-loss-a.pcap.gz" >"$lossy"

# best CMD...: the shortest of 5 wall-clock times of CMD, in seconds.
best() {
	local b=
	for _ in 1 2 3 4 5; do
		local s e t
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		e=$(date +%s%N)
		t=$(( (e - s) / 1000 ))
		if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
	done
	echo "$b"
}

printf '%-18s %9s %12s %12s %7s\n' capture segments conform tcpdump ratio
for f in "$bulk" "$lossy"; do
	segs=$(tcpdump -nn -r "$f" 2>/dev/null | wc -l)
	c=$(best "$work/tcpcheck" conform "$f")
	d=$(best tcpdump -nn -r "$f")
	printf '%-18s %9d %10.3fs %10.3fs %6.2fx\n' "$(basename "$f")" "$segs" \
		"$(echo "$c / 1000000" | bc -l)" "$(echo "$d / 1000000" | bc -l)" "$(echo "$c / $d" | bc -l)"
done
# Process start-up alone: on a small capture it is most of either time.
printf '%-18s %9s %10.3fs %10.3fs\n' start-up - \
	"$(echo "$(best "$work/tcpcheck" help) / 1000000" | bc -l)" "$(echo "$(best tcpdump --version) / 1000000" | bc -l)"
"$work/tcpcheck" conform "$bulk" "$lossy" | grep -E 'segment\(s\)|result'

cd "$root" && go test ./capture -run '^$' -bench . -benchtime 10x
