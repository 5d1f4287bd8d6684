#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prefix sampling counts exactly what it should. trafgen sends a known
# number of packets into each sub-prefix of a monitored prefix, from one
# CPU, in multiples of the rate: deterministic sampling must then take
# exactly 1 in N of each sub-prefix's packets, and the estimates (N times
# the samples) must equal nft's count of the same packets. Then the source
# address as the key, IPv6 at rate 1 (every packet, so background traffic
# cannot shift the count), procfs and sysfs.
source "$(dirname "$0")/lib.sh"
fs_require_module
command -v trafgen >/dev/null || skip_all "trafgen (netsniff-ng) not installed"
command -v nft >/dev/null || skip_all "nft not installed"

smp_topo fsc || skip_all "cannot build the topology"
ns=fsc
rate=10

# The independent count, in front of nothing but our own hook.
ip netns exec $ns nft -f - <<'NFT' || skip_all "nft cannot load a table"
table inet fsc {
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		ip daddr 10.9.0.0/18 counter comment "sub0"
		ip daddr 10.9.64.0/18 counter comment "sub1"
		ip daddr 10.9.128.0/18 counter comment "sub2"
		ip daddr 10.9.192.0/18 counter comment "sub3"
		ip saddr 10.66.0.1 counter comment "from_gen"
		ip6 daddr fd09::/32 counter comment "v6"
		counter comment "all"
	}
}
NFT

$FLOWCTL -n $ns sampler set enable on rate $rate mode deterministic key dst
check_eq "sampling is on" "true deterministic $rate dst" \
	"$($FLOWCTL -n $ns -j sampler show | jq -r '"\(.enable) \(.mode) \(.rate) \(.key)"')"
check "add 10.9.0.0/16 depth 2" $FLOWCTL -n $ns prefix add 10.9.0.0/16 depth 2
check "add 10.10.0.0/24 depth 0" $FLOWCTL -n $ns prefix add 10.10.0.0/24

# Sub-prefix i gets (i + 1) * 4 * rate packets.
sent=()
for i in 0 1 2 3; do
	n=$(((i + 1) * 4 * rate))
	sent+=("$n")
	check "trafgen: $n packets to 10.9.$((i * 64 + 5)).1" \
		smp_send "$n" "10.9.$((i * 64 + 5)).1"
done
check "trafgen: 30 packets to 10.10.0.77" smp_send 30 10.10.0.77
check "trafgen: 20 packets to 10.11.0.1 (in no prefix)" smp_send 20 10.11.0.1
smp_settle $ns

snap=$(mktemp)
$FLOWCTL -n $ns -j prefixes >"$snap"
nftj=$(ip netns exec $ns nft -j list table inet fsc)
for i in 0 1 2 3; do
	q=".prefixes[] | select(.prefix == \"10.9.0.0/16\") | .subprefixes[$i]"
	check_eq "sub-prefix $i is 10.9.$((i * 64)).0/18" "10.9.$((i * 64)).0/18" \
		"$(jq -r "$q.prefix" "$snap")"
	check_eq "sub-prefix $i: exactly 1 in $rate sampled" \
		"$((sent[i] / rate))" "$(jq -r "$q.sampled_packets" "$snap")"
	check_eq "sub-prefix $i: the estimate is nft's count" \
		"$(nft_packets "sub$i" <<<"$nftj")" "$(jq -r "$q.packets" "$snap")"
	check "sub-prefix $i: the 95% interval holds it" \
		jq -e "$q | .packets_low <= .packets and .packets <= .packets_high" "$snap"
	check_eq "sub-prefix $i: sampled bytes are 1 in $rate of 60-byte packets" \
		"$((sent[i] / rate * 60))" "$(jq -r "$q.sampled_bytes" "$snap")"
	# Under 30 samples: the sampled bytes, plus max-len (1500) for each
	# packet the packet interval allows beyond those.
	check "sub-prefix $i: the byte interval holds nft's bytes" \
		jq -e --argjson b "$(($(nft_packets "sub$i" <<<"$nftj") * 60))" \
		"$q | .bytes_low <= \$b and \$b <= .bytes_high and .bytes_high == .sampled_bytes + (.packets_high - .sampled_packets) * 1500" "$snap"
done
check_eq "10.9.0.0/16 total: the sum of its sub-prefixes" 40 \
	"$(jq -r '.prefixes[] | select(.prefix == "10.9.0.0/16") | .total.sampled_packets' "$snap")"
check_eq "10.10.0.0/24: 3 of 30 packets" 3 \
	"$(jq -r '.prefixes[] | select(.prefix == "10.10.0.0/24") | .total.sampled_packets' "$snap")"
check_eq "10.10.0.0/24 has one sub-prefix, itself" "10.10.0.0/24" \
	"$(jq -r '.prefixes[] | select(.prefix == "10.10.0.0/24") | .subprefixes | map(.prefix) | join(",")' "$snap")"
check_eq "unmatched: 2 of 20 packets" 2 "$(jq -r .unmatched.sampled_packets "$snap")"
check_eq "the window reports the rate and mode" "$rate deterministic dst" \
	"$(jq -r '.window | "\(.rate) \(.mode) \(.key)"' "$snap")"
check "the window has a start and an end" \
	jq -e '.window.start_ms > 0 and .window.end_ms >= .window.start_ms' "$snap"
win=$(jq .window.number "$snap")
check_eq "the window's number is sampler show's" "$win" "$($FLOWCTL -n $ns -j sampler show | jq .window)"
check_eq "smp_sampled counts every sample" 45 "$(stat_value smp_sampled $ns)"
check_eq "smp_unmatched counts the unmatched ones" 2 "$(stat_value smp_unmatched $ns)"
check_eq "every packet reached the hook (nft)" 450 "$(nft_packets all <<<"$nftj")"

# procfs shows the same window.
proc=$(ip netns exec $ns cat /proc/net/flowstream/prefixes)
check_match "procfs: the window line" "^window start_ms=[0-9]+ end_ms=[0-9]+ rate=$rate mode=deterministic key=dst number=$win kept=0 max_len=1500"$'\n' "$proc"
check_match "procfs: unmatched" $'\n''unmatched sampled_packets=2 sampled_bytes=120 est_packets=20 ' "$proc"
check_match "procfs: the prefix's total" $'\n''prefix 10.9.0.0/16 depth=2 start_ms=[0-9]+ sampled_packets=40 sampled_bytes=2400 est_packets=400 ' "$proc"
check_match "procfs: sub-prefix 3" $'\n''sub 10.9.192.0/18 prefix=10.9.0.0/16 index=3 sampled_packets=16 sampled_bytes=960 est_packets=160 ' "$proc"
check_eq "procfs: one line per sub-prefix and prefix" 7 \
	"$(grep -cE '^(sub|prefix) ' <<<"$proc")"

# Memory: the formula of sampler.rst, whatever the number of CPUs: 72
# bytes per prefix and 48 per counter (the unmatched ones among them), 64
# per tree node (two leaves, one branch); sysfs's global figure holds it.
mem=$($FLOWCTL -n $ns -j sampler show | jq .memory)
check_eq "sampler memory is 72 x 3 + 48 x 6 + 64 x 3 bytes" 696 "$mem"
check "sysfs smp_memory holds it" \
	test "$(cat /sys/module/flowstream/parameters/smp_memory)" -ge "$mem"
check_eq "sampler show: 2 prefixes, 5 counters" "2 5" \
	"$($FLOWCTL -n $ns -j sampler show | jq -r '"\(.prefixes) \(.counters)"')"

# Keyed on the source: the generator's address is in 10.66.0.0/24.
check "key src (a new window)" $FLOWCTL -n $ns sampler set key src
check "add 10.66.0.0/24 depth 8" $FLOWCTL -n $ns prefix add 10.66.0.0/24 depth 8
check "trafgen: 50 packets from 10.66.0.1" smp_send 50 10.11.0.1
smp_settle $ns
$FLOWCTL -n $ns -j prefixes >"$snap"
check_eq "key src: 10.66.0.1/32 got 5 of 50" 5 \
	"$(jq -r '.prefixes[] | select(.prefix == "10.66.0.0/24") | .subprefixes[1] | select(.prefix == "10.66.0.1/32") | .sampled_packets' "$snap")"
check_eq "key src: the destinations' prefixes saw nothing in this window" 0 \
	"$(jq -r '[.prefixes[] | select(.prefix != "10.66.0.0/24") | .total.sampled_packets] | add' "$snap")"
check_eq "key src: every sample matched" 0 "$(jq -r .unmatched.sampled_packets "$snap")"
# None sampled in 10.66.0.0/32: the packets could still be up to
# packets_high, and so the bytes up to max-len each.
q='.prefixes[] | select(.prefix == "10.66.0.0/24") | .subprefixes[0]'
check "none sampled: bytes [0, packets_high x 1500], not [0, 0]" \
	jq -e "$q | .sampled_packets == 0 and .packets_high > 0 and .bytes_low == 0 and .bytes_high == .packets_high * 1500" "$snap"
win=$(jq .window.number "$snap")
check "max-len 9000" $FLOWCTL -n $ns sampler set max-len 9000
$FLOWCTL -n $ns -j prefixes >"$snap"
check "max-len scales the byte bound" \
	jq -e "$q | .bytes_high == .packets_high * 9000" "$snap"
check_eq "max-len changes no window and no count" "$win 5" \
	"$(jq -r '"\(.window.number) \(.prefixes[] | select(.prefix == "10.66.0.0/24") | .total.sampled_packets)"' "$snap")"

# IPv6 at rate 1: every packet, whatever else the link carries.
check "rate 1, key dst" $FLOWCTL -n $ns sampler set rate 1 key dst
check "add fd09::/32 depth 12" $FLOWCTL -n $ns prefix add fd09::/32 depth 12
ip netns exec $ns nft reset counters table inet fsc >/dev/null
check "trafgen: 37 IPv6 packets to fd09:0:30::1" smp_send6 37 fd09:0:30::1
check "trafgen: 11 IPv6 packets to fd09:0:fff0::1" smp_send6 11 fd09:0:fff0::1
smp_settle $ns
$FLOWCTL -n $ns -j prefixes >"$snap"
nftj=$(ip netns exec $ns nft -j list table inet fsc)
q='.prefixes[] | select(.prefix == "fd09::/32")'
check_eq "fd09::/32 has 4096 sub-prefixes" 4096 "$(jq -r "$q | .subprefixes | length" "$snap")"
check_eq "fd09:0:30::/44 (index 3): all 37, exactly" "fd09:0:30::/44 37 37 37" \
	"$(jq -r "$q | .subprefixes[3] | \"\\(.prefix) \\(.sampled_packets) \\(.packets_low) \\(.packets_high)\"" "$snap")"
check_eq "fd09:0:fff0::/44 (index 4095): all 11" "fd09:0:fff0::/44 11" \
	"$(jq -r "$q | .subprefixes[4095] | \"\\(.prefix) \\(.sampled_packets)\"" "$snap")"
check_eq "nft counted 48 packets to fd09::/32" 48 "$(nft_packets v6 <<<"$nftj")"
check_eq "fd09::/32 total is nft's count" "$(nft_packets v6 <<<"$nftj")" \
	"$(jq -r "$q | .total.packets" "$snap")"
check_eq "prefixes in address order, IPv4 first" "10.9.0.0/16 10.10.0.0/24 10.66.0.0/24 fd09::/32" \
	"$(jq -r '[.prefixes[].prefix] | join(" ")' "$snap")"

check "del fd09::/32" $FLOWCTL -n $ns prefix del fd09::/32
check "sampling off" $FLOWCTL -n $ns sampler set enable off
check_eq "off: the feature bit is clear" "" \
	"$($FLOWCTL -n $ns -j status | jq -r '.features[]? | select(. == "sampler")')"
rm -f "$snap"
tap_done
