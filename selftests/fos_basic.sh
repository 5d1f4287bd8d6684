#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# FlowOS flows take forwarded packets and send every one on: counted
# against nftables on the same router (forward chain before the flow,
# postrouting after the merger), with and without the count PM, whose
# per-session results match what was sent; IPv4 and IPv6, ICMP, UDP and
# TCP; priorities; procfs and sysfs; another namespace is not touched.
source "$(dirname "$0")/lib.sh"
fs_require_module
fos_modprobe

# Traffic scale: FS_FOS_SCALE packets per ping, UDP datagrams x10;
# FS_FOS_TCP bytes per TCP transfer.
n=${FS_FOS_SCALE:-50}
tb=${FS_FOS_TCP:-2097152}

topo_router fb
topo_router fx
ip netns exec fbr nft -f - <<'NFT'
table inet fsb {
	chain fwdc {
		type filter hook forward priority 0; policy accept;
		icmp type { echo-request, echo-reply } counter comment "icmp4"
		icmpv6 type { echo-request, echo-reply } counter comment "icmp6"
		ip saddr 10.1.0.2 ip daddr 10.2.0.2 meta l4proto icmp counter comment "icmp4_cs"
		ip saddr 10.2.0.2 ip daddr 10.1.0.2 meta l4proto icmp counter comment "icmp4_sc"
		udp dport 5201 counter comment "udp_up"
		udp sport 5201 counter comment "udp_down"
		tcp dport 5201 counter comment "tcp_up"
		tcp sport 5201 counter comment "tcp_down"
		counter comment "fwd"
	}
	chain postc {
		type filter hook postrouting priority 0; policy accept;
		iifname "rc" oifname "rs" counter comment "out"
		iifname "rs" oifname "rc" counter comment "out"
	}
}
NFT
snap() {
	ip netns exec fbr nft -j list table inet fsb
}

$FLOWCTL -n fbr -j flow show | jq -e 'length == 0' >/dev/null
check_eq "no flow at first" 0 $?
out=$($FLOWCTL -n fbr flow add all idle-timeout 3600 2>&1)
check_match "flow add prints the flow's id" "^id 1" "$out"
check_match "status shows the flowos feature on" "flowos" "$($FLOWCTL -n fbr status)"

ip netns exec fbs iperf3 -s -D -p 5201
port_wait fbs tcp6 5201 || diag "iperf3 did not start"
ip netns exec fbc ping -c "$n" -i 0.01 -q 10.2.0.2 >/dev/null
check_eq "ping over IPv4 through a flow without PMs: no loss" 0 $?
ip netns exec fbc ping -6 -c "$n" -i 0.01 -q fd02::2 >/dev/null
check_eq "ping over IPv6 through the flow: no loss" 0 $?
udp=$(ip netns exec fbc iperf3 -c 10.2.0.2 -p 5201 -u -b 2M -l 400 \
	-k $((n * 10)) -J)
check_eq "iperf3 UDP: no datagram lost" 0 \
	"$(jq '.end.sum.lost_packets' <<<"$udp")"
check_eq "iperf3 UDP: none out of order" 0 \
	"$(jq '[.end.streams[].udp.out_of_order] | add' <<<"$udp")"
tcp=$(ip netns exec fbc iperf3 -c fd02::2 -p 5201 -n "$tb" -J)
# iperf3 -n sends whole blocks (128 KiB): at least the bytes asked for.
check "iperf3 TCP over IPv6: all bytes sent ($(jq '.end.sum_sent.bytes' <<<"$tcp") >= $tb)" \
	test "$(jq '.end.sum_sent.bytes' <<<"$tcp")" -ge "$tb"

nft=$(snap)
in=$(fos_stat fbr all packets_in)
check_eq "packets taken = nft's forward count" "$(nft_counter fwd packets <<<"$nft")" "$in"
check_eq "bytes taken = nft's forward bytes" "$(nft_counter fwd bytes <<<"$nft")" \
	"$(fos_stat fbr all bytes_in)"
check_eq "packets sent on = packets taken" "$in" "$(fos_stat fbr all packets_out)"
check_eq "packets sent on = nft's postrouting count" \
	"$(nft_counter out packets <<<"$nft")" "$(fos_stat fbr all packets_out)"
check_eq "nothing held, dropped or bypassed" 0 "$(fos_balance fbr all)"
check_eq "procfs flowos: packets_in" "$in" "$(fos_proc fbr packets_in)"
check_eq "procfs flowos: flows" 1 "$(fos_proc fbr flows)"
check_match "procfs flowos_flows lists the flow" "^1 all 0 ip 0 $in " \
	"$(ip netns exec fbr tail -n 1 /proc/net/flowstream/flowos_flows)"
par=/sys/module/flowstream/parameters
check "sysfs fos_packets_in covers this namespace ($(cat $par/fos_packets_in))" \
	test "$(cat $par/fos_packets_in)" -ge "$in"
check "sysfs fos_flows counts the flow" test "$(cat $par/fos_flows)" -ge 1

sess=$($FLOWCTL -n fbr -j flow sessions all)
icmp4=$(jq '[.[] | select(.proto == 1 and .addr_a == "10.1.0.2")][0]' <<<"$sess")
# One ICMP session per pair of addresses: echo and any error the hosts
# sent (a port unreachable for a late UDP datagram, say), as nft counted.
check_eq "ICMP session: packets client to server = nft's" \
	"$(nft_counter icmp4_cs packets <<<"$nft")" "$(jq .packets_ab <<<"$icmp4")"
check_eq "ICMP session: packets server to client = nft's" \
	"$(nft_counter icmp4_sc packets <<<"$nft")" "$(jq .packets_ba <<<"$icmp4")"
check_eq "ICMP session: bytes both ways = nft's" \
	$(( $(nft_counter icmp4_cs bytes <<<"$nft") + $(nft_counter icmp4_sc bytes <<<"$nft") )) \
	"$(jq '.bytes_ab + .bytes_ba' <<<"$icmp4")"
check "ICMP session: the n echo requests and replies at least" \
	test "$(jq .packets_ab <<<"$icmp4")" -ge "$n" -a "$(jq .packets_ba <<<"$icmp4")" -ge "$n"

# The count PM, loaded on demand.
rmmod flowstream_pm_count 2>/dev/null
out=$($FLOWCTL -n fbr pm attach all count 2>&1)
check_match "pm attach loads the count PM's module on demand" "^id 1" "$out"
check "its module is loaded" grep -q '^flowstream_pm_count ' /proc/modules
base=$(snap)
ip netns exec fbc ping -c "$n" -i 0.01 -q 10.2.0.2 >/dev/null
check_eq "ping through count: no loss" 0 $?
udp=$(ip netns exec fbc iperf3 -c 10.2.0.2 -p 5201 -u -b 2M -l 400 \
	-k $((n * 10)) -J)
check_eq "iperf3 UDP through count: no datagram lost" 0 \
	"$(jq '.end.sum.lost_packets' <<<"$udp")"
check_eq "iperf3 UDP through count: none out of order" 0 \
	"$(jq '[.end.streams[].udp.out_of_order] | add' <<<"$udp")"
tcp=$(ip netns exec fbc iperf3 -c 10.2.0.2 -p 5201 -n "$tb" -J)
# iperf3 -n sends whole blocks (128 KiB): at least the bytes asked for.
check "iperf3 TCP through count: all bytes sent ($(jq '.end.sum_sent.bytes' <<<"$tcp") >= $tb)" \
	test "$(jq '.end.sum_sent.bytes' <<<"$tcp")" -ge "$tb"
nft=$(snap)
sess=$($FLOWCTL -n fbr -j flow sessions all)
# The IPv4 ICMP session: count saw what nft counted since the attach.
icmp4=$(jq '[.[] | select(.proto == 1 and .addr_a == "10.1.0.2" and
	(.results | length) == 1)][0]' <<<"$sess")
res=$(jq '.results[0].values' <<<"$icmp4")
dn() {
	echo $(( $(nft_counter "$1" "$2" <<<"$nft") - $(nft_counter "$1" "$2" <<<"$base") ))
}
check_eq "count: ICMP packets client to server = nft's" "$(dn icmp4_cs packets)" \
	"$(jq '.["2"]' <<<"$res")"
check_eq "count: ICMP packets server to client = nft's" "$(dn icmp4_sc packets)" \
	"$(jq '.["4"]' <<<"$res")"
check_eq "count: ICMP bytes client to server = nft's" "$(dn icmp4_cs bytes)" \
	"$(jq '.["3"]' <<<"$res")"
check_eq "count: ICMP bytes server to client = nft's" "$(dn icmp4_sc bytes)" \
	"$(jq '.["5"]' <<<"$res")"
# UDP: every session with count's state, summed, against nft's deltas.
d_up=$(( $(nft_counter udp_up packets <<<"$nft") - $(nft_counter udp_up packets <<<"$base") ))
d_dn=$(( $(nft_counter udp_down packets <<<"$nft") - $(nft_counter udp_down packets <<<"$base") ))
c=$(jq '[.[] | select(.proto == 17) | .results[0].values // {} |
	(.["2"] // 0) + (.["4"] // 0)] | add' <<<"$sess")
check_eq "count: UDP packets both ways = nft's ($d_up + $d_dn)" $((d_up + d_dn)) "$c"
d_tcp=$(( $(nft_counter tcp_up bytes <<<"$nft") + $(nft_counter tcp_down bytes <<<"$nft") -
	  $(nft_counter tcp_up bytes <<<"$base") - $(nft_counter tcp_down bytes <<<"$base") ))
c=$(jq '[.[] | select(.proto == 6 and (.results | length) == 1) |
	.results[0].values | .["3"] + .["5"]] | add' <<<"$sess")
check_eq "count: TCP bytes both ways = nft's" "$d_tcp" "$c"
att=$($FLOWCTL -n fbr -j pm show all)
check_eq "attachment: units = packets since attach" \
	$(( $(nft_counter fwd packets <<<"$nft") - $(nft_counter fwd packets <<<"$base") )) \
	"$(jq '.[0].stats.units' <<<"$att")"
check_eq "flow: packets sent on = taken" "$(fos_stat fbr all packets_in)" \
	"$(fos_stat fbr all packets_out)"
check_eq "flow: sent on = nft's postrouting count" \
	"$(nft_counter out packets <<<"$nft")" "$(fos_stat fbr all packets_out)"
check_eq "flow: counters add up" 0 "$(fos_balance fbr all)"

# Priorities: a higher one takes ICMP from "all".
$FLOWCTL -n fbr flow add ping prio 10 proto icmp idle-timeout 3600 >/dev/null
before=$(fos_stat fbr all packets_in)
ip netns exec fbc ping -c 10 -i 0.01 -q 10.2.0.2 >/dev/null
check_eq "ping through the higher-priority flow: no loss" 0 $?
check_eq "the higher-priority flow took the ping" 20 "$(fos_stat fbr ping packets_in)"
check_eq "the lower-priority flow did not" "$before" "$(fos_stat fbr all packets_in)"

# Another namespace is untouched.
check_eq "the other router has no flow" 0 "$($FLOWCTL -n fxr -j flow show | jq length)"
ip netns exec fxc ping -c 10 -i 0.01 -q 10.2.0.2 >/dev/null
check_eq "ping through the other router" 0 $?
check_eq "its packets are not this router's" 20 "$(fos_stat fbr ping packets_in)"
check_eq "the other router's sums stay zero" 0 "$(fos_proc fxr packets_in)"

# Deleting flows: traffic passes, the namespace's sums keep their counts.
total=$(fos_proc fbr packets_in)
$FLOWCTL -n fbr flow del ping
$FLOWCTL -n fbr flow del all
check_eq "flows deleted" 0 "$($FLOWCTL -n fbr -j flow show | jq length)"
ip netns exec fbc ping -c 5 -i 0.01 -q 10.2.0.2 >/dev/null
check_eq "ping with no flow" 0 $?
check_eq "procfs flowos keeps deleted flows' counts" "$total" "$(fos_proc fbr packets_in)"
check "count's module can go once detached" rmmod flowstream_pm_count
tap_done
