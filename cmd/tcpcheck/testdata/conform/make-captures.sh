#!/usr/bin/env bash
# make-captures.sh records the real-kernel captures that `tcpcheck conform`
# is tested on. It needs root, Linux, Go, iproute2, nftables and tcpdump
# (apt-get install iproute2 nftables tcpdump), and touches nothing outside
# the network namespaces it makes (all named tcpc-*) and deletes again.
#
#	sudo ./make-captures.sh [OUTDIR]     # default: this directory
#
# Each scenario of scenarios/scenarios.go runs in a fresh namespace with
# only loopback up; nft rules in table inet tcpc (hook input) drop chosen
# segments after tcpdump has seen them leave. The two simultaneous
# scenarios need segments that cross, which loopback never does, so they
# run in two namespaces joined by TUN devices and a user-space wire that
# holds each packet 100ms. Captures keep 128 bytes of each packet
# (headers: tcpcheck reads lengths from the IP header), so they stay small.
# The tests never run this script: they read the committed captures.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "${1:-$here}" && pwd)
work=$(mktemp -d)
trap 'cleanup' EXIT

cleanup() {
	for ns in $(ip netns list | awk '/^tcpc-/ {print $1}'); do
		ip netns pids "$ns" | xargs -r kill 2>/dev/null || true
		ip netns del "$ns"
	done
	rm -rf "$work"
}

(cd "$here/scenarios" && go build -o "$work/scenarios" scenarios.go)

# capture NS IFACE FILE: start tcpdump in NS and wait until it listens.
capture() {
	local ns=$1 iface=$2 file=$3
	rm -f "$work/tcpdump.log"
	ip netns exec "$ns" tcpdump -Z root -U --immediate-mode -s 128 -i "$iface" -w "$file" tcp 2>"$work/tcpdump.log" &
	tcpdump_pid=$!
	for _ in $(seq 50); do
		grep -q listening "$work/tcpdump.log" 2>/dev/null && return
		sleep 0.1
	done
	echo "tcpdump did not start: $(cat "$work/tcpdump.log")" >&2
	exit 1
}

stop_capture() {
	sleep 0.3
	kill -INT "$tcpdump_pid"
	wait "$tcpdump_pid" || true
}

# lo NAME [IFACE]: one loopback scenario, captured on IFACE (lo, or any
# for the Linux cooked v2 link type).
lo() {
	local name=$1 iface=${2:-lo} file=${3:-$1}
	local ns=tcpc-$name
	ip netns add "$ns"
	ip netns exec "$ns" ip link set lo up
	ip netns exec "$ns" sysctl -q -w net.ipv4.tcp_fastopen=3
	ip netns exec "$ns" nft add table inet tcpc
	ip netns exec "$ns" nft add chain inet tcpc input '{ type filter hook input priority 0; }'
	capture "$ns" "$iface" "$work/$file.pcap"
	ip netns exec "$ns" "$work/scenarios" lo "$name"
	stop_capture
	ip netns del "$ns"
	mv "$work/$file.pcap" "$out/$file.pcap"
	echo "$file.pcap: $(tcpdump -r "$out/$file.pcap" 2>/dev/null | wc -l) segments"
}

# simultaneous NAME ARGS-A ARGS-B: the peers in tcpc-a (192.0.2.1) and
# tcpc-b (192.0.2.2), joined by the wire; captured on A's TUN device.
simultaneous() {
	local name=$1 args_a=$2 args_b=$3
	for side in a b; do
		ip netns add "tcpc-$side"
		ip netns exec "tcpc-$side" ip link set lo up
		ip netns exec "tcpc-$side" ip tuntap add dev "tun-$side" mode tun
	done
	"$work/scenarios" wire tcpc-a tun-a tcpc-b tun-b 100ms &
	local wire_pid=$!
	sleep 0.2
	for side in a b; do
		local addr=192.0.2.1
		[ "$side" = b ] && addr=192.0.2.2
		ip netns exec "tcpc-$side" ip addr add "$addr/24" dev "tun-$side"
		ip netns exec "tcpc-$side" ip link set "tun-$side" up
	done
	capture tcpc-a tun-a "$work/$name.pcap"
	# shellcheck disable=SC2086
	ip netns exec tcpc-a "$work/scenarios" peer $args_a &
	local a_pid=$!
	# shellcheck disable=SC2086
	ip netns exec tcpc-b "$work/scenarios" peer $args_b
	wait "$a_pid"
	stop_capture
	kill "$wire_pid"
	wait "$wire_pid" 2>/dev/null || true
	ip netns del tcpc-a
	ip netns del tcpc-b
	mv "$work/$name.pcap" "$out/$name.pcap"
	echo "$name.pcap: $(tcpdump -r "$out/$name.pcap" 2>/dev/null | wc -l) segments"
}

for name in normal normal-ipv6 three-segment-close rst-unread linger-zero closed-port \
	lost-syn lost-third-ack fin-retransmit half-close bulk several fast-open; do
	lo "$name"
done
lo three-segment-close any any-sll2

now=$(date +%s%N)
start=$((now + 1000000000))
# Both connect at the same instant from fixed ports; A closes first later.
simultaneous simultaneous-open \
	"-local 192.0.2.1:5001 -remote 192.0.2.2:5002 -start $start -close $((start + 1000000000))" \
	"-local 192.0.2.2:5002 -remote 192.0.2.1:5001 -start $start"
now=$(date +%s%N)
close=$((now + 1500000000))
# B listens, A connects; both shut down at the same instant.
simultaneous simultaneous-close \
	"-local 192.0.2.1:5001 -remote 192.0.2.2:5002 -close $close" \
	"-local 192.0.2.2:5002 -listen -close $close"
