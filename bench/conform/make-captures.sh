#!/usr/bin/env bash
# make-captures.sh records real Linux captures for `tcpcheck conform`
# over an impaired network: two namespaces (tcpc-a 10.99.0.1 / fd99::1,
# tcpc-b 10.99.0.2 / fd99::2) joined by TUN devices and netlab's
# user-space wire, which loses, duplicates, reorders, delays and
# black-holes packets (this kernel has no netem). It needs root, Linux,
# Go, iproute2 and tcpdump, sends traffic only inside the namespaces it
# makes (all named tcpc-*) and deletes them again. Every run is bounded
# (netlab's -for, and timeout(1) around each client).
#
#	sudo bench/conform/make-captures.sh [OUTDIR]
#
# OUTDIR defaults to cmd/tcpcheck/testdata/conform/netlab, where the
# captures (128 bytes of each packet, gzipped) are test data that
# TestConformNetlabCaptures checks with default flags. Each is named after
# its scenario, with the side it was captured on.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/cmd/tcpcheck/testdata/conform/netlab}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap cleanup EXIT

cleanup() {
	[ -n "${wire_pid:-}" ] && kill "$wire_pid" 2>/dev/null || true
	for ns in tcpc-a tcpc-b; do
		if ip netns list | grep -q "^$ns\b"; then
			ip netns pids "$ns" | xargs -r kill 2>/dev/null || true
			ip netns del "$ns"
		fi
	done
	rm -rf "$work"
}

(cd "$root" && go build -o "$work/netlab" ./bench/conform/netlab)

# up WIRE-FLAGS...: the two namespaces and the wire between them.
up() {
	for side in a b; do
		ip netns add "tcpc-$side"
		ip netns exec "tcpc-$side" ip link set lo up
		ip netns exec "tcpc-$side" ip tuntap add dev "tun-$side" mode tun
	done
	"$work/netlab" wire tcpc-a tun-a tcpc-b tun-b -for 90s "$@" &
	wire_pid=$!
	sleep 0.3
	local n=1
	for side in a b; do
		ip netns exec "tcpc-$side" ip addr add "10.99.0.$n/24" dev "tun-$side"
		ip netns exec "tcpc-$side" ip -6 addr add "fd99::$n/64" dev "tun-$side" nodad
		ip netns exec "tcpc-$side" ip link set "tun-$side" up
		n=2
	done
}

down() {
	kill "$wire_pid" 2>/dev/null || true
	wait "$wire_pid" 2>/dev/null || true
	wire_pid=
	ip netns pids tcpc-a | xargs -r kill 2>/dev/null || true
	ip netns pids tcpc-b | xargs -r kill 2>/dev/null || true
	ip netns del tcpc-a
	ip netns del tcpc-b
}

# capture SIDE FILE: tcpdump on SIDE's TUN device, once it listens.
capture() {
	local side=$1 file=$2
	rm -f "$work/tcpdump.log"
	ip netns exec "tcpc-$side" tcpdump -Z root -U --immediate-mode -s 128 -i "tun-$side" -w "$file" tcp 2>"$work/tcpdump.log" &
	tcpdump_pid=$!
	for _ in $(seq 50); do
		grep -q listening "$work/tcpdump.log" 2>/dev/null && return
		sleep 0.1
	done
	echo "tcpdump did not start: $(cat "$work/tcpdump.log")" >&2
	exit 1
}

# scenario NAME SIDE LATE "WIRE-FLAGS" "SERVE-ARGS" "DIAL-ARGS": the
# server in tcpc-b, the client in tcpc-a, captured on SIDE, the capture
# started LATE seconds after the client.
scenario() {
	local name=$1 side=$2 late=$3 wireflags=$4 serveargs=$5 dialargs=$6
	local file="$work/$name.pcap"
	# shellcheck disable=SC2086
	up $wireflags
	# shellcheck disable=SC2086
	ip netns exec tcpc-b timeout 80 "$work/netlab" serve $serveargs &
	local serve_pid=$!
	sleep 0.3
	[ "$late" = 0 ] && capture "$side" "$file"
	local start
	start=$(date +%s.%N)
	# shellcheck disable=SC2086
	ip netns exec tcpc-a timeout 80 "$work/netlab" dial $dialargs &
	local dial_pid=$!
	if [ "$late" != 0 ]; then
		sleep "$late"
		capture "$side" "$file"
	fi
	wait "$dial_pid" || echo "$name: client exited $?" >&2
	wait "$serve_pid" || true
	sleep 1
	kill -INT "$tcpdump_pid"
	wait "$tcpdump_pid" || true
	down
	gzip -9 -n -c "$file" >"$out/$name.pcap.gz"
	printf '%-28s %6d packets  %5.1fs\n' "$name.pcap.gz" "$(tcpdump -r "$file" 2>/dev/null | wc -l)" "$(echo "$(date +%s.%N) - $start" | bc)"
}

v4=10.99.0.2:9000
v6='[fd99::2]:9000'
scenario bulk-loss-a a 0 "-loss 0.02 -delay 20ms" "$v4 -mode sink" "$v4 -mode bulk -bytes 1000000"
scenario bulk-reorder-dup-a a 0 "-reorder 0.05 -dup 0.03 -delay 10ms -jitter 5ms" "$v4 -mode sink" "$v4 -mode bulk -bytes 1000000"
scenario bulk-jitter-b b 0 "-delay 5ms -jitter 10ms -loss 0.01" "$v6 -mode sink" "$v6 -mode bulk -bytes 1000000"
scenario recv-upstream-loss-b b 0 "-loss 0.03 -ab-only -delay 10ms" "$v4 -mode sink" "$v4 -mode bulk -bytes 1000000"
scenario zero-window-a a 0 "-delay 2ms" "$v4 -mode slow" "$v4 -mode bulk -bytes 300000"
scenario keepalive-live-a a 0 "-delay 5ms" "$v4 -mode sink" "$v4 -mode idle -idle 4s"
scenario keepalive-vanished-a a 0 "-delay 5ms -blackhole-after 2s" "$v4 -mode sink -for 15s" "$v4 -mode idle -idle 12s"
scenario user-timeout-a a 0 "-delay 5ms -blackhole-after 1500ms" "$v4 -mode sink -for 15s" "$v4 -mode stall"
scenario timewait-reuse-a a 0 "-delay 5ms" "$v4 -mode close-first -n 3" "$v4 -mode reuse -n 3 -port 40000"
scenario late-capture-a a 0.5 "-delay 30ms -loss 0.01" "$v4 -mode sink" "$v4 -mode bulk -bytes 2000000"
scenario many-v4-a a 0 "-delay 5ms -loss 0.01 -reorder 0.02" "$v4 -mode echo -n 120" "$v4 -mode many -n 120"
scenario many-v6-b b 0 "-delay 5ms -loss 0.01 -dup 0.02" "$v6 -mode echo -n 120" "$v6 -mode many -n 120"
