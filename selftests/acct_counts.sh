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

# The counter of the rule commented COUNTER in TABLE.
nft_count() {	# NETNS TABLE COUNTER packets|bytes
	ip netns exec "$1" nft -j list table inet "$2" |
		jq -r ".nftables[] | select(.rule.comment == \"$3\") |
		       .rule.expr[] | select(.counter) | .counter.$4"
}

# flowstream's sum over records selected by a jq condition.
fs_sum() {	# NETNS JQ_CONDITION packets|bytes
	jflows "$1" "[.[] | select($2) | .$3] | add // 0"
}

same_as_nft() {	# DESC NETNS JQ_CONDITION TABLE COUNTER
	local p b
	p=$(nft_count "$2" "$4" "$5" packets)
	b=$(nft_count "$2" "$4" "$5" bytes)
	check_eq "$1: packets as nft counts ($p)" "$p" "$(fs_sum "$2" "$3" packets)"
	check_eq "$1: bytes as nft counts ($b)" "$b" "$(fs_sum "$2" "$3" bytes)"
}

rc_if=$(ip netns exec far cat /sys/class/net/rc/ifindex)
rs_if=$(ip netns exec far cat /sys/class/net/rs/ifindex)
sr_if=$(ip netns exec fas cat /sys/class/net/sr/ifindex)

ip netns exec fac ping -q -c 20 -i 0.05 -Q 184 10.2.0.2 >/dev/null
ip netns exec fac ping -q -c 15 -i 0.05 -s 1000 fd02::2 >/dev/null
same_as_nft "forwarded IPv4 echo requests" far \
	'.family == "inet" and .icmp_type == 8' fsc ping4_req
same_as_nft "forwarded IPv4 echo replies" far \
	'.family == "inet" and .icmp_type == 0' fsc ping4_rep
same_as_nft "forwarded IPv6 echo requests" far \
	'.family == "inet6" and .icmp_type == 128' fsc ping6_req
check_eq "one record per ICMP direction and family" 1 \
	"$(jflows far '[.[] | select(.family == "inet" and .icmp_type == 8)] | length')"
check_eq "echo request record: ingress and egress interfaces" "$rc_if $rs_if" \
	"$(jflows far '.[] | select(.family == "inet" and .icmp_type == 8) | "\(.iif) \(.oif)"')"
check_eq "echo request record: DSCP 46 from ping -Q 184" 46 \
	"$(jflows far '.[] | select(.family == "inet" and .icmp_type == 8) | .dscp')"
check_eq "echo request record: addresses" "10.1.0.2 10.2.0.2" \
	"$(jflows far '.[] | select(.family == "inet" and .icmp_type == 8) | "\(.src) \(.dst)"')"

ip netns exec fas iperf3 -s -D -p 5201
sleep 1
ip netns exec fac iperf3 -c 10.2.0.2 -p 5201 -t 2 >/dev/null
check_eq "iperf3 TCP over IPv4 ran" 0 "$?"
ip netns exec fac iperf3 -c fd02::2 -p 5201 -t 2 >/dev/null
check_eq "iperf3 TCP over IPv6 ran" 0 "$?"
ip netns exec fac iperf3 -c 10.2.0.2 -p 5201 -u -b 20M -t 2 >/dev/null
check_eq "iperf3 UDP ran" 0 "$?"
sleep 1

same_as_nft "forwarded TCP to the server" far '.proto == 6 and .dport == 5201' fsc tcp_up
same_as_nft "forwarded TCP from the server" far '.proto == 6 and .sport == 5201' fsc tcp_down
same_as_nft "forwarded UDP to the server" far '.proto == 17 and .dport == 5201' fsc udp_up
same_as_nft "forwarded UDP from the server" far '.proto == 17 and .sport == 5201' fsc udp_down
same_as_nft "TCP received by the server" fas '.proto == 6 and .dport == 5201' fss in_tcp
same_as_nft "TCP sent by the server" fas '.proto == 6 and .sport == 5201' fss out_tcp

check_eq "server: received TCP records have the ingress interface and no egress" \
	"$sr_if 0" "$(jflows fas '[.[] | select(.proto == 6 and .dport == 5201)] | map("\(.iif) \(.oif)") | unique | join(",")')"
check_eq "server: sent TCP records have the egress interface and no ingress" \
	"0 $sr_if" "$(jflows fas '[.[] | select(.proto == 6 and .sport == 5201)] | map("\(.iif) \(.oif)") | unique | join(",")')"
# SYN, ACK and FIN seen on every finished client-to-server connection.
check_eq "TCP records carry SYN, ACK and FIN" true \
	"$(jflows far '[.[] | select(.proto == 6 and .dport == 5201) | (.tcp_flags % 32) as $f | (($f % 2) == 1 and (($f / 2 | floor) % 2) == 1 and (($f / 16 | floor) % 2) == 1)] | all')"

# The totals in procfs add up with the records.
check_eq "acct_packets equals the packets of all live records (router)" \
	"$(fs_sum far 'true' packets)" "$(stat_value acct_packets far)"
check_eq "/proc/net/flowstream/flows has a line per record" \
	"$(jflows far length)" "$(ip netns exec far cat /proc/net/flowstream/flows | wc -l)"
check_eq "nothing was refused, malformed or dropped" "0 0 0" \
	"$(stat_value acct_drop_limit far) $(stat_value acct_drop_malformed far) $(stat_value acct_drop_nomem far)"

# flowctl's own views agree with the dump.
check_eq "flows proto icmp shows the ICMP records only" \
	"$(jflows far '[.[] | select(.proto == 1)] | length')" \
	"$($FLOWCTL -n far -j flows proto icmp | jq length)"
check_eq "flows top 1 by bytes is the biggest record" \
	"$(jflows far 'max_by(.bytes) | .bytes')" \
	"$($FLOWCTL -n far -j flows top 1 by bytes | jq '.[0].bytes')"
key=$(jflows far '.[] | select(.family == "inet" and .icmp_type == 8) | "proto icmp src \(.src) dst \(.dst) type 8 code 0 ifindex \(.iif)"')
# shellcheck disable=SC2086
check_eq "flow get finds the echo request record" \
	"$(fs_sum far '.family == "inet" and .icmp_type == 8' packets)" \
	"$($FLOWCTL -n far -j flow get $key | jq .packets)"

out=$($FLOWCTL -n far -j flows flush proto icmp)
check_match "flush proto icmp ends the ICMP records" '"flushed": ?[1-9]' "$out"
check_eq "no ICMP record left" 0 "$(jflows far '[.[] | select(.proto == 1)] | length')"
check "TCP records survive the ICMP flush" test "$(jflows far '[.[] | select(.proto == 6)] | length')" -gt 0

$FLOWCTL -n far config set acct off
check_match "turning accounting off empties the table" \
	"flow accounting is off" "$($FLOWCTL -n far flows 2>&1)"
tap_done
