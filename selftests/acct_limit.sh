#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The record table never exceeds max-records. With "refuse" the packets of
# new flows are not accounted and counted in acct_drop_limit; with "evict"
# the oldest records end (reported as evicted). Either way every packet is
# accounted or counted as dropped: their sum equals what nft counted.
source "$(dirname "$0")/lib.sh"
fs_require_module

ns_add fla flb
# No IPv6: no neighbour discovery or MLD packets besides the test's own.
for ns in fla flb; do
	ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec $ns sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
veth_pair fla flb 10.8.0.1/24 10.8.0.2/24
ip netns exec flb nft -f - <<'NFT'
table inet fsl {
	chain fs_input {
		type filter hook input priority 0; policy accept;
		iifname "lo" accept
		counter comment "in"
	}
	chain fs_output {
		type filter hook output priority 0; policy accept;
		oifname "lo" accept
		counter comment "out"
	}
}
NFT
$FLOWCTL -n flb config set acct on max-records 16 overload refuse idle-timeout 600 ||
	skip_all "cannot turn accounting on"
nft_total() {
	ip netns exec flb nft -j list table inet fsl |
		jq '[.nftables[] | select(.rule.comment == "in" or .rule.comment == "out") |
		     .rule.expr[] | select(.counter) | .counter.packets] | add'
}

# 60 UDP flows: one datagram each to a different port (answered by ICMP
# port unreachable).
udp_flows() {
	ip netns exec fla bash -c "for p in \$(seq $1 $2); do echo x >/dev/udp/10.8.0.2/\$p; done"
}

udp_flows 2000 2059
sleep 1
check_eq "refuse: the table holds max-records records" 16 "$(jrecords flb length)"
drops=$(stat_value acct_drop_limit flb)
check "refuse: packets of flows without a record are counted ($drops)" test "$drops" -gt 0
check_eq "refuse: accounted + refused packets = what nft saw" "$(nft_total)" \
	"$(($(stat_value acct_packets flb) + drops))"
check_eq "refuse: nothing evicted" 0 "$(stat_value records_evicted flb)"

check_acct_totals flb 16

mon=$(mktemp)
$FLOWCTL -n flb -j monitor >"$mon" &
monpid=$!
sleep 1
$FLOWCTL -n flb config set overload evict
udp_flows 3000 3039
sleep 2
check_eq "evict: the table still holds max-records records" 16 "$(jrecords flb length)"
ev=$(stat_value records_evicted flb)
check "evict: old records were evicted ($ev)" test "$ev" -ge 40
check_eq "evict: no more refused packets" "$drops" "$(stat_value acct_drop_limit flb)"
check_eq "evict: accounted + refused packets = what nft saw" "$(nft_total)" \
	"$(($(stat_value acct_packets flb) + drops))"
# flb's ICMP port unreachables are flow records too (one per type and
# code), and when one is sent depends on ICMP's rate limit: it may be
# created after some of the datagrams. So: every other record is that
# ICMP one, and the UDP records left are exactly the newest ones.
check_eq "evict: the other records are flb's ICMP port unreachables" "" \
	"$(jrecords flb '.[] | select(.proto != 17 and .proto != 1) | .proto')"
udp_left=$(jrecords flb '[.[] | select(.proto == 17) | .dport] | sort | .[]')
nudp=$(echo "$udp_left" | grep -c .)
check "evict: at least 15 of the 16 records are UDP ($nudp)" test "$nudp" -ge 15
check_eq "evict: the newest flows are the ones left" \
	"$(seq $((3040 - nudp)) 3039)" "$udp_left"
kill -INT $monpid
wait $monpid
check_eq "evict: every eviction was reported to the monitor" "$ev" \
	"$(jq -s '[.[] | select(.end == "evicted")] | length' "$mon")"

# Lowering the limit below the count keeps the records (no new ones).
$FLOWCTL -n flb config set max-records 100
check_eq "buckets were sized when accounting was turned on" "buckets 64" \
	"$($FLOWCTL -n flb config show | grep buckets)"
tap_done
