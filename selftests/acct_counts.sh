#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Flow accounting counts exactly what nftables counts on the same path:
# forwarded traffic on a router, received and sent traffic on a server;
# IPv4 and IPv6, ICMP, TCP and UDP; DSCP and TCP flags.
source "$(dirname "$0")/lib.sh"
fs_require_module

topo_router fa
# Records live long enough to be read after the traffic ends.
for ns in far fas; do
	$FLOWCTL -n $ns config set acct on idle-timeout 600 fin-timeout 300 ||
		skip_all "cannot turn accounting on"
done
check_match "accounting is on in the router" "acct on" "$($FLOWCTL -n far config show)"

# The independent count: nft rule counters on the same packets.
ip netns exec far nft -f - <<'NFT'
table inet fsc {
	chain fs_forward {
		type filter hook forward priority 0; policy accept;
		icmp type echo-request counter comment "ping4_req"
		icmp type echo-reply counter comment "ping4_rep"
		icmpv6 type echo-request counter comment "ping6_req"
		tcp dport 5201 counter comment "tcp_up"
		tcp sport 5201 counter comment "tcp_down"
		udp dport 5201 counter comment "udp_up"
		udp sport 5201 counter comment "udp_down"
	}
}
NFT
ip netns exec fas nft -f - <<'NFT'
table inet fss {
	chain fs_input {
		type filter hook input priority 0; policy accept;
		tcp dport 5201 counter comment "in_tcp"
	}
	chain fs_output {
		type filter hook output priority 0; policy accept;
		tcp sport 5201 counter comment "out_tcp"
	}
}
NFT

# Both counts are read once into files after the traffic (snap NETNS
# TABLE), then compared.
snapdir=$(mktemp -d)
snap() {
	ip netns exec "$1" cat /proc/net/flowstream/flows | wc -l >"$snapdir/$1.proc0"
	$FLOWCTL -n "$1" -j records >"$snapdir/$1.flows"
	ip netns exec "$1" cat /proc/net/flowstream/flows | wc -l >"$snapdir/$1.proc1"
	ip netns exec "$1" nft -j list table inet "$2" >"$snapdir/$1.nft"
}

same_as_nft() {	# DESC NETNS JQ_CONDITION COUNTER_COMMENT
	local got
	got=$(jq -r --arg c "$4" '.nftables[] | select(.rule.comment == $c) |
		.rule.expr[] | select(.counter) | "\(.counter.packets) \(.counter.bytes)"' \
		"$snapdir/$2.nft")
	check_eq "$1: packets and bytes as nft counts ($got)" "$got" \
		"$(jq -r "[.[] | select($3)] | \"\\(map(.packets) | add // 0) \\(map(.bytes) | add // 0)\"" \
		"$snapdir/$2.flows")"
}

# jq over a snapshot of the records.
jsnap() {	# NETNS JQ_FILTER
	jq -r "$2" "$snapdir/$1.flows"
}

rc_if=$(ip netns exec far cat /sys/class/net/rc/ifindex)
rs_if=$(ip netns exec far cat /sys/class/net/rs/ifindex)
sr_if=$(ip netns exec fas cat /sys/class/net/sr/ifindex)

ip netns exec fac ping -q -c 20 -i 0.05 -Q 184 10.2.0.2 >/dev/null
ip netns exec fac ping -q -c 15 -i 0.05 -s 1000 fd02::2 >/dev/null
ip netns exec fas iperf3 -s -D -p 5201
sleep 1
ip netns exec fac iperf3 -c 10.2.0.2 -p 5201 -t 2 >/dev/null
check_eq "iperf3 TCP over IPv4 ran" 0 "$?"
ip netns exec fac iperf3 -c fd02::2 -p 5201 -t 2 >/dev/null
check_eq "iperf3 TCP over IPv6 ran" 0 "$?"
ip netns exec fac iperf3 -c 10.2.0.2 -p 5201 -u -b 20M -t 2 >/dev/null
check_eq "iperf3 UDP ran" 0 "$?"
sleep 1
# Background packets (neighbour discovery, MLD) may come at any time: the
# records' sum must lie between the counter read before and after.
acct_before=$(stat_value acct_packets far)
snap far fsc
snap fas fss
acct_after=$(stat_value acct_packets far)

same_as_nft "forwarded IPv4 echo requests" far '.family == "inet" and .icmp_type == 8' ping4_req
same_as_nft "forwarded IPv4 echo replies" far '.family == "inet" and .icmp_type == 0' ping4_rep
same_as_nft "forwarded IPv6 echo requests" far '.family == "inet6" and .icmp_type == 128' ping6_req
same_as_nft "forwarded TCP to the server" far '.proto == 6 and .dport == 5201' tcp_up
same_as_nft "forwarded TCP from the server" far '.proto == 6 and .sport == 5201' tcp_down
same_as_nft "forwarded UDP to the server" far '.proto == 17 and .dport == 5201' udp_up
same_as_nft "forwarded UDP from the server" far '.proto == 17 and .sport == 5201' udp_down
same_as_nft "TCP received by the server" fas '.proto == 6 and .dport == 5201' in_tcp
same_as_nft "TCP sent by the server" fas '.proto == 6 and .sport == 5201' out_tcp

echo4='.[] | select(.family == "inet" and .icmp_type == 8)'
check_eq "one record per ICMP direction and family" 1 "$(jsnap far "[$echo4] | length")"
check_eq "echo request record: addresses, interfaces and DSCP 46 (ping -Q 184)" \
	"10.1.0.2 10.2.0.2 $rc_if $rs_if 46" \
	"$(jsnap far "$echo4 | \"\\(.src) \\(.dst) \\(.iif) \\(.oif) \\(.dscp)\"")"
check_eq "server: received TCP records have the ingress interface and no egress" \
	"$sr_if 0" "$(jsnap fas '[.[] | select(.proto == 6 and .dport == 5201)] | map("\(.iif) \(.oif)") | unique | join(",")')"
check_eq "server: sent TCP records have the egress interface and no ingress" \
	"0 $sr_if" "$(jsnap fas '[.[] | select(.proto == 6 and .sport == 5201)] | map("\(.iif) \(.oif)") | unique | join(",")')"
# SYN and ACK on every client-to-server connection, each closed by FIN or
# RST in one direction or the other: the server resets a connection it
# closes with data unread (iperf3 may, on a slow guest), and the client's
# side then sends neither. FIN on at least one connection. Flags shown
# as client-to-server/server-to-client.
conn='[.[] | select(.proto == 6)] as $t | [$t[] | select(.dport == 5201) | . as $r
	| [$r] + [$t[] | select(.sport == 5201 and .dport == $r.sport and
				.src == $r.dst and .dst == $r.src)]]'
tcp_flags=$(jsnap far "$conn"' | map("\(.[0].tcp_flags)/\(.[1:] | map(.tcp_flags) | join("+"))") | join(" ")')
check_eq "TCP connections: SYN and ACK, closed by FIN or RST (flags: $tcp_flags)" true \
	"$(jsnap far 'def bit($b): (. / $b | floor) % 2 == 1; '"$conn"' | map((.[0].tcp_flags | bit(2) and bit(16)) and
		any(.[]; .tcp_flags | bit(1) or bit(4))) | all')"
check_eq "a TCP connection closed by FIN" true \
	"$(jsnap far '[.[] | select(.proto == 6 and (.dport == 5201 or .sport == 5201)) | .tcp_flags % 2 == 1] | any')"

# The totals in procfs add up with the records.
sum=$(jsnap far 'map(.packets) | add')
check "acct_packets agrees with the live records (router: $acct_before <= $sum <= $acct_after)" \
	test "$acct_before" -le "$sum" -a "$sum" -le "$acct_after"
# procfs is read just before and just after the dump: a background packet
# (neighbour discovery, MLD) may add a record in between, so the dump's
# count must lie between the two.
n_dump=$(jsnap far length)
n_proc0=$(cat "$snapdir/far.proc0")
n_proc1=$(cat "$snapdir/far.proc1")
check "/proc/net/flowstream/flows has a line per record ($n_proc0 <= $n_dump <= $n_proc1)" \
	test "$n_proc0" -le "$n_dump" -a "$n_dump" -le "$n_proc1"
check_eq "nothing was refused, malformed or dropped" "0 0 0" \
	"$(stat_value acct_drop_limit far) $(stat_value acct_drop_malformed far) $(stat_value acct_drop_nomem far)"

# flowctl's own views agree with the dump.
check_eq "records proto icmp shows the ICMP records only" \
	"$(jsnap far '[.[] | select(.proto == 1)] | length')" \
	"$($FLOWCTL -n far -j records proto icmp | jq length)"
check_eq "the deprecated name flows lists the same, and -j adds nothing to stderr" \
	"$($FLOWCTL -n far -j records proto icmp | jq length)" \
	"$($FLOWCTL -n far -j flows proto icmp 2>&1 | jq length)"
check_match "flows in text mode: a one-line note on stderr" \
	'^Note: "flowctl flows" is deprecated, use "flowctl records"$' \
	"$($FLOWCTL -n far flows proto icmp 2>&1 >/dev/null)"
check_eq "records top 1 by bytes is the biggest record" \
	"$(jsnap far 'max_by(.bytes) | .bytes')" \
	"$($FLOWCTL -n far -j records top 1 by bytes | jq '.[0].bytes')"
key=$(jsnap far "$echo4 | \"proto icmp src \\(.src) dst \\(.dst) type 8 code 0 ifindex \\(.iif)\"")
# shellcheck disable=SC2086
check_eq "record get finds the echo request record" \
	"$(jsnap far "$echo4 | .packets")" \
	"$($FLOWCTL -n far -j record get $key | jq .packets)"

out=$($FLOWCTL -n far -j records flush proto icmp)
check_match "flush proto icmp ends the ICMP records" '"flushed": ?[1-9]' "$out"
check_eq "no ICMP record left" 0 "$(jrecords far '[.[] | select(.proto == 1)] | length')"
check "TCP records survive the ICMP flush" test "$(jrecords far '[.[] | select(.proto == 6)] | length')" -gt 0

$FLOWCTL -n far config set acct off
check_match "turning accounting off empties the table" \
	"flow accounting is off" "$($FLOWCTL -n far records 2>&1)"
tap_done
