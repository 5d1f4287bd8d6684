#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The state migration selftests' topology, sourced after lib.sh:
#
#   client (mgc) -- router (mgr) --+-- A (mga) --+-- server (mgs, 10.2.0.2,
#                                  +-- B (mgb) --+          fd02::2)
#                                  A and B share a link (10.4.0.0/24,
#                                  fd04::/64), over which the state goes
#                                  and daisy-chained packets too.
#
# The router sends the server's prefix to A, the server answers through A;
# mig_route_to_b moves both to B (the switch's rule change). Accounting is
# on in A and B; nft counts on the router, A and B what they forward, by
# comment (nft_get NETNS COMMENT); rec_sum NETNS JQ_CONDITION sums the
# packets of the flow records that match.

ns_add mgc mgr mga mgb mgs
link() {	# NS1 DEV1 ADDR1 NS2 DEV2 ADDR2 [ADDR6_1 ADDR6_2]
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$4" addr add "$6" dev "$5"
	[ -n "${7:-}" ] && ip -n "$1" addr add "$7" dev "$2" nodad
	[ -n "${8:-}" ] && ip -n "$4" addr add "$8" dev "$5" nodad
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}
link mgc cr 10.1.0.2/24 mgr rc 10.1.0.1/24 fd01::2/64 fd01::1/64
link mgr ra 10.3.0.1/24 mga r0 10.3.0.2/24 fd03::1/64 fd03::2/64
link mgr rb 10.5.0.1/24 mgb r0 10.5.0.2/24 fd05::1/64 fd05::2/64
link mga s0 10.6.0.1/24 mgs sa 10.6.0.2/24 fd06::1/64 fd06::2/64
link mgb s0 10.7.0.1/24 mgs sb 10.7.0.2/24 fd07::1/64 fd07::2/64
link mga ab 10.4.0.1/24 mgb ba 10.4.0.2/24 fd04::1/64 fd04::2/64
ip -n mgs addr add 10.2.0.2/32 dev lo
ip -n mgs addr add fd02::2/128 dev lo
for ns in mgr mga mgb mgs; do
	ip netns exec $ns sysctl -qw net.ipv4.ip_forward=1
	ip netns exec $ns sysctl -qw net.ipv6.conf.all.forwarding=1
	ip netns exec $ns sysctl -qw net.ipv4.conf.all.rp_filter=0
	ip netns exec $ns sysctl -qw net.ipv4.conf.default.rp_filter=0
done
ip -n mgc route add default via 10.1.0.1
ip -n mgc -6 route add default via fd01::1
ip -n mgr route add 10.2.0.2/32 via 10.3.0.2
ip -n mgr -6 route add fd02::2/128 via fd03::2
for ns in mga mgb; do
	n=3; [ $ns = mgb ] && n=5
	ip -n $ns route add 10.1.0.0/24 via 10.$n.0.1
	ip -n $ns -6 route add fd01::/64 via fd0$n::1
done
ip -n mga route add 10.2.0.2/32 via 10.6.0.2
ip -n mga -6 route add fd02::2/128 via fd06::2
ip -n mgb route add 10.2.0.2/32 via 10.7.0.2
ip -n mgb -6 route add fd02::2/128 via fd07::2
ip -n mgs route add default via 10.6.0.1
ip -n mgs -6 route add default via fd06::1
sleep 1	# IPv6 neighbours and routes settle

for ns in mga mgb; do
	$FLOWCTL -n $ns config set acct on idle-timeout 600 fin-timeout 300 ||
		skip_all "cannot turn accounting on"
done

# The independent counts: every packet crosses the router once (and A or
# B once); A and B count what they forward too.
for ns in mgr mga mgb; do
	ip netns exec $ns nft -f - <<'NFT'
table inet mig {
	chain fs_forward {
		type filter hook forward priority 0; policy accept;
		udp dport 5300 counter comment "seq"
		udp dport 5301 counter comment "seq6"
		udp dport 5400 counter comment "short"
		tcp dport 7100 counter comment "tcp_up"
		tcp sport 7100 counter comment "tcp_down"
		udp dport 5401 counter comment "idle"
		iifname "ba" counter comment "from_a"
	}
}
NFT
done
nft_get() {	# NETNS COMMENT
	ip netns exec "$1" nft -j list table inet mig | nft_counter "$2" packets
}
# rec_sum NETNS JQ_CONDITION: packets of the records that match.
rec_sum() {
	$FLOWCTL -n "$1" -j records | jq "[.[] | select($2) | .packets] | add // 0"
}

# The switch's rule moves: both directions to B.
mig_route_to_b() {
	ip -n mgr route replace 10.2.0.2/32 via 10.5.0.2
	ip -n mgr -6 route replace fd02::2/128 via fd05::2
	ip -n mgs route replace default via 10.7.0.1
	ip -n mgs -6 route replace default via fd07::1
}

# mig_streams_start: the long streams through A (the set's traffic), with
# $N datagrams of a numbered UDP stream over IPv4 and over IPv6 and a TCP
# transfer checked byte for byte at both ends, their outputs in $tmp;
# returns once A has counted part of each UDP stream and has the TCP
# connection's two records. The receivers wait
# up to 30 s for their first datagram.
mig_streams_start() {
	ip netns exec mgs "$UDPSEQ" recv 5300 $N 30 >"$tmp/seq" &
	seq_pid=$!
	ip netns exec mgs "$UDPSEQ" recv 5301 $N 30 >"$tmp/seq6" &
	seq6_pid=$!
	ip netns exec mgs "$TCPPAT" recv 7100 --count 300 --pause 3000 --timeout 10 \
		>"$tmp/tcp.s" 2>&1 &
	tcps_pid=$!
	port_wait mgs udp6 5300 && port_wait mgs udp6 5301 &&
		port_wait mgs tcp6 7100 || diag "a receiver did not start"
	# Each stream from one CPU: veth hands a packet to the backlog of the CPU
	# that sends it, so a sender that moved between CPUs could have its own
	# packets overtake each other on any path, migration or not.
	ip netns exec mgc taskset -c 0 "$UDPSEQ" send 10.2.0.2 5300 $N 1000 &
	ip netns exec mgc taskset -c 1 "$UDPSEQ" send fd02::2 5301 $N 1000 &
	ip netns exec mgc "$TCPPAT" send 10.2.0.2 7100 --count 300 --pause 3000 \
		--timeout 10 >"$tmp/tcp.c" 2>&1 &
	tcpc_pid=$!
	# A has counted part of each stream before its record leaves, and
	# has both directions' records of the TCP connection (its first
	# segments can come after the UDP streams' hundredth datagram).
	for _ in $(seq 100); do
		[ "$($FLOWCTL -n mga -j records |
		     jq '[.[] | select((.proto == 17 and .packets >= 100 and
					(.dport == 5300 or .dport == 5301)) or
				       (.proto == 6 and
					(.dport == 7100 or .sport == 7100)))] | length')" = 4 ] &&
			break
		sleep 0.1
	done
}

# mig_streams_check: wait for the streams; every datagram arrived once and
# in order, the TCP bytes intact at both ends.
mig_streams_check() {
	wait $seq_pid
	check_eq "IPv4 stream: every datagram arrived once, in order" \
		"received=$N lost=0 dup=0 reordered=0" "$(cat "$tmp/seq")"
	wait $seq6_pid
	check_eq "IPv6 stream: every datagram arrived once, in order" \
		"received=$N lost=0 dup=0 reordered=0" "$(cat "$tmp/seq6")"
	wait $tcpc_pid
	check_match "TCP: the server's bytes arrived intact" "verify=ok" "$(cat "$tmp/tcp.c")"
	wait $tcps_pid
	check_match "TCP: the client's bytes arrived intact" "verify=ok" "$(cat "$tmp/tcp.s")"
}

# mig_wait_added NS: wait (up to 10 s) until a backgrounded "migrate send"
# has added its migration in NS, so that its idle phase has begun. Read
# in procfs (a header line, then one a migration): starting flowctl-net
# takes seconds on the debug kernel.
mig_wait_added() {
	local _

	for _ in $(seq 200); do
		[ "$(ip netns exec "$1" cat /proc/net/flowstream/migrations |
		     wc -l)" -ge 2 ] && return 0
		sleep 0.05
	done
	return 1
}
