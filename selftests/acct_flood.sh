#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A flood of 200,000 distinct UDP flows (trafgen) against a limit of 65,536
# records. With "refuse" the table fills to the limit and every further
# packet is counted as refused; with "evict" a second flood of new flows
# keeps the table at the limit by ending the oldest records. Every packet
# that reached the hooks is accounted or counted by reason (their sum equals
# nft's count), procfs and flowctl list exactly the live records, and
# unloading the module in the middle of a flood is clean.
#
# FS_FLOOD_FLOWS and FS_FLOOD_LIMIT scale it down: the debug kernel under
# emulation forwards a few hundred packets a second, so make check runs it
# at full size on the stock kernel and small on the debug one.
source "$(dirname "$0")/lib.sh"
fs_require_module
command -v trafgen >/dev/null || skip_all "trafgen (netsniff-ng) not installed"
command -v nft >/dev/null || skip_all "nft not installed"

flows=${FS_FLOOD_FLOWS:-200000}
limit=${FS_FLOOD_LIMIT:-65536}
more=$((flows / 2))

ns_add ffl
ip link add ff-gen type veth peer name ff-rx netns ffl || skip_all "no veth"
ip link set ff-gen up
ip -n ffl addr add 10.66.0.2/16 dev ff-rx
ip -n ffl link set ff-rx up
ip netns exec ffl sysctl -qw net.ipv4.conf.all.rp_filter=0
ip netns exec ffl sysctl -qw net.ipv4.conf.ff-rx.rp_filter=0
ip netns exec ffl sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec ffl sysctl -qw net.ipv6.conf.ff-rx.disable_ipv6=1
# veth hands each packet to the receiving CPU's backlog; a deep one loses
# fewer of an unpaced flood. Packets dropped there never reach a hook and
# are in neither count.
old_backlog=$(sysctl -n net.core.netdev_max_backlog)
sysctl -qw net.core.netdev_max_backlog=100000
# No port-unreachable answers: the flood is one way, nft counts it all.
ip netns exec ffl nft -f - <<'NFT' || skip_all "nft cannot load a table"
table inet fsf {
	chain fs_input {
		type filter hook input priority 0; policy accept;
		iifname "ff-rx" counter comment "in"
	}
	chain fs_output {
		type filter hook output priority 0; policy accept;
		meta l4proto icmp drop
	}
}
NFT
mac=$(ip netns exec ffl cat /sys/class/net/ff-rx/address)

# Source address and port both step by one per packet: 5 addresses and
# 64,512 ports (coprime counts) give 322,560 distinct flows before the
# first repeats; each flood has its own destination port.
conf=/tmp/acct_flood.conf
tgconf() {	# DPORT
	cat >"$conf" <<CONF
{
	eth(da=$mac, type=0x0800),
	ipv4(saddr=dinc(172098817, 172098821), daddr=10.66.0.2, ttl=64),
	udp(sp=dinc(1024, 65535), dp=$1),
	fill(0x00, 18)
}
CONF
}
flood() {	# PACKETS DPORT
	tgconf "$2"
	echo "acct_flood: trafgen $1 packets to port $2" >/dev/kmsg
	# trafgen writes a temporary file in its working directory.
	(cd /tmp && trafgen -q --dev ff-gen --conf "$conf" -n "$1" --cpus 1) \
		>/tmp/acct_flood.log 2>&1 || { sed "s/^/#   /" /tmp/acct_flood.log; return 1; }
}
nft_in() {
	ip netns exec ffl nft -j list table inet fsf | nft_packets in
}
live() { echo $(($(stat_value records_created ffl) - $(stat_value records_ended ffl))); }
# The last packets of a flood may still be in the backlog.
settle() {
	local n=-1 _
	for _ in $(seq 50); do
		[ "$n" = "$(nft_in)" ] && return
		n=$(nft_in)
		sleep 0.2
	done
}

# acct_records (sysfs: live records over all namespaces) sampled while the
# floods run; other namespaces carry no traffic, their share only shrinks.
par=/sys/module/flowstream/parameters
sample_max() {	# FILE: the largest value seen, until killed
	local m=0 v
	while :; do
		v=$(cat $par/acct_records)
		if [ "$v" -gt "$m" ]; then
			m=$v
			echo "$m" >"$1"
		fi
		sleep 0.05
	done
}

$FLOWCTL -n ffl config set acct on max-records "$limit" overload refuse idle-timeout 600 ||
	skip_all "cannot turn accounting on"
base=$(cat $par/acct_records)
echo 0 >/tmp/acct_flood.max
sample_max /tmp/acct_flood.max &
sampler=$!

check "trafgen sends $flows packets of distinct flows" flood "$flows" 9
settle
seen=$(nft_in)
acc=$(stat_value acct_packets ffl)
ref=$(stat_value acct_drop_limit ffl)
diag "received $seen, accounted $acc, refused $ref, live records $(live)"
check "refuse: more flows arrived than the limit ($seen > $limit)" test "$seen" -gt "$limit"
check_eq "refuse: the flood filled the table to the limit" "$limit" "$(live)"
check_eq "refuse: accounted + refused = received" "$seen" "$((acc + ref))"
check_eq "refuse: one packet per record, the rest refused" "$((seen - limit))" "$ref"
check_eq "refuse: nothing evicted" 0 "$(stat_value records_evicted ffl)"
check_eq "refuse: procfs lists every live record" "$limit" \
	"$(ip netns exec ffl cat /proc/net/flowstream/flows | wc -l)"
check_eq "refuse: flowctl dumps every live record" "$limit" "$(jrecords ffl length)"
check_acct_totals ffl "$limit"

$FLOWCTL -n ffl config set overload evict
ev0=$(stat_value records_evicted ffl)
ended0=$(stat_value records_ended ffl)
check "trafgen sends $more packets of new flows" flood "$more" 10
settle
seen2=$(($(nft_in) - seen))
acc2=$(($(stat_value acct_packets ffl) - acc))
ev=$(($(stat_value records_evicted ffl) - ev0))
diag "received $seen2, accounted $acc2, evicted $ev, live records $(live)"
check_eq "evict: the table stays at the limit" "$limit" "$(live)"
check_eq "evict: every packet accounted" "$seen2" "$acc2"
check_eq "evict: no packet refused" "$ref" "$(stat_value acct_drop_limit ffl)"
check_eq "evict: each new flow evicted one record" "$seen2" "$ev"
check_eq "evict: every ended record was an evicted one" "$ev" \
	"$(($(stat_value records_ended ffl) - ended0))"
check_eq "evict: procfs lists every live record" "$limit" \
	"$(ip netns exec ffl cat /proc/net/flowstream/flows | wc -l)"
kill "$sampler"
wait "$sampler" 2>/dev/null
max=$(cat /tmp/acct_flood.max)
check "sampled during the floods: the table reached the limit, never more ($max, $base elsewhere)" \
	test "$max" -ge "$limit" -a "$max" -le "$((limit + base))"
check_eq "no malformed packet in the flood" 0 "$(stat_value acct_drop_malformed ffl)"
check_eq "no allocation failure" 0 "$(stat_value acct_drop_nomem ffl)"

# Unload in the middle of a flood, with the table full and evicting.
tgconf 11
(cd /tmp && exec trafgen -q --dev ff-gen --conf "$conf" -n "$((flows * 5))" --cpus 1) \
	>/dev/null 2>&1 &
gen=$!
sleep 3
echo "acct_flood: rmmod during the flood" >/dev/kmsg
check "trafgen is flooding" kill -0 "$gen"
check "unload during the flood" rmmod flowstream
# trafgen finishes its count on SIGTERM.
kill -KILL "$gen" 2>/dev/null
wait "$gen" 2>/dev/null
check "and load again" insmod "$FS_KO"
sysctl -qw net.core.netdev_max_backlog="$old_backlog"
rm -f "$conf" /tmp/acct_flood.log /tmp/acct_flood.max
tap_done
