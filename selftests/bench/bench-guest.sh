#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of "make bench" (run by the stock-kernel VM's init): forwarding
# through a router namespace with N concurrent UDP flows, for
#   none        no module
#   flowstream  flowstream.ko, accounting on in the router namespace
#   netflow     ipt_NETFLOW, "-j NETFLOW" in the router's FORWARD chain
#   conntrack   nf_conntrack (enable_hooks=1, acct=1)
# then the memory each one takes per flow record with 1,000,000 records.
#
# Topology: pktgen on g0 (this namespace) -> r0 [bench-rt: forwards] r1 ->
# s1 [bench-sk]. Static neighbours, no ARP; the sink drops every packet at
# once (its neighbour entry in the router is a MAC that is not s1's).
# Flows differ in UDP source port and IPv4 source address; the port and
# address ranges have coprime lengths so that pktgen, stepping both on each
# packet, goes through every pair: exactly N flows.
#
# BENCH_CONF (a file written by bench.sh) names the modules. Results are
# lines "bench pps VARIANT FLOWS ROUND PPS DELIVERED SENT USEC" and
# "bench mem VARIANT RECORDS SLAB_BYTES HASH_BYTES MEMFREE_BYTES OBJSIZE",
# for bench.sh to tabulate; the checks that make the numbers meaningful
# (every flow in the table, nothing lost) are TAP lines.
set -euo pipefail

# shellcheck disable=SC1090
. "$BENCH_CONF"
export XTABLES_LIBDIR

rt=bench-rt sk=bench-sk
sink_mac=02:00:00:00:00:99
pg=/proc/net/pktgen
rounds=${BENCH_ROUNDS:-3}
variants=(none flowstream netflow conntrack)
flowcounts=(1000 100000)
buckets=0

tap_n=0 tap_failed=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
diag() { echo "# $*"; }

# nsys NETNS KEY VALUE: write a sysctl (a /proc/sys path) in NETNS ("-":
# this one).
nsys() {
	if [ "$1" = - ]; then
		echo "$3" >"/proc/sys/$2"
	else
		ip netns exec "$1" sh -c "echo $3 >/proc/sys/$2"
	fi
}

# fs_stat NAME: a flowstream counter of the router namespace.
fs_stat() {
	ip netns exec $rt awk -v n="$1" '$1 == n { print $2 }' /proc/net/flowstream/stat
}

# kload KO [PARAM=VALUE...]: insmod unless already loaded.
kload() {
	local ko=$1 name
	shift
	name=$(basename "$ko" .ko)
	name=${name//-/_}
	grep -q "^$name " /proc/modules || insmod "$ko" "$@"
}

kunload() {
	local m
	for m in "$@"; do
		grep -q "^$m " /proc/modules || continue
		rmmod "$m" || diag "rmmod $m failed"
	done
}

topology() {
	ip netns add $rt
	ip netns add $sk
	ip -n $rt link set lo up
	ip -n $sk link set lo up
	ip link add g0 type veth peer name r0 netns $rt
	ip -n $rt link add r1 type veth peer name s1 netns $sk
	# No IPv6: no router solicitations or MLD reports among the flows.
	nsys - net/ipv6/conf/g0/disable_ipv6 1
	nsys $rt net/ipv6/conf/all/disable_ipv6 1
	nsys $sk net/ipv6/conf/all/disable_ipv6 1
	ip addr add 10.0.1.1/24 dev g0
	ip -n $rt addr add 10.0.1.2/24 dev r0
	ip -n $rt addr add 10.0.2.1/24 dev r1
	ip link set g0 up
	ip -n $rt link set r0 up
	ip -n $rt link set r1 up
	ip -n $sk link set s1 up
	nsys $rt net/ipv4/ip_forward 1
	nsys $rt net/ipv4/conf/all/rp_filter 0
	nsys $rt net/ipv4/conf/r0/rp_filter 0
	ip -n $rt route add 10.1.0.0/16 via 10.0.1.1
	ip -n $rt neigh replace 10.0.2.2 lladdr $sink_mac dev r1 nud permanent
	ip neigh replace 10.0.1.2 lladdr "$(ip -n $rt -j link show r0 | jq -r '.[0].address')" \
		dev g0 nud permanent

	kload "$PKTGEN_KO"
	echo "rem_device_all" >$pg/kpktgend_0
	echo "add_device g0" >$pg/kpktgend_0
	pgset "pkt_size 64"
	pgset "clone_skb 0"
	pgset "delay 0"
	pgset "dst 10.0.2.2"
	pgset "dst_mac $(ip -n $rt -j link show r0 | jq -r '.[0].address')"
	pgset "udp_dst_min 9"
	pgset "udp_dst_max 9"
}

pgset() {
	echo "$1" >$pg/g0
	grep -q "Result: OK" $pg/g0 || { diag "pktgen: '$1': $(grep Result $pg/g0)"; return 1; }
}

sink_rx() {
	ip -n $sk -j -s link show s1 | jq -r '.[0].stats64.rx.packets'
}

# flows N: pktgen's source ranges for exactly N flows (A addresses times
# P ports, A and P coprime); each set contains the smaller ones.
flows() {
	local a p
	case $1 in
	1000) a=8 p=125 ;;
	100000) a=32 p=3125 ;;
	1000000) a=64 p=15625 ;;
	*) echo "flows: $1?" >&2; return 1 ;;
	esac
	pgset "src_min 10.1.0.1"
	pgset "src_max 10.1.0.$a"
	pgset "udp_src_min 10000"
	pgset "udp_src_max $((10000 + p))"
}

# send COUNT: send COUNT packets; sets sent, usec and delivered.
send() {
	local rx0 res
	pgset "count $1"
	rx0=$(sink_rx)
	echo start >$pg/pgctrl
	res=$(grep -A1 "Result: OK" $pg/g0 | tr '\n' ' ')
	usec=$(sed -n 's/.*Result: OK: \([0-9]*\)(.*/\1/p' <<<"$res")
	sent=$(sed -n 's/.*usec, \([0-9]*\) (.*/\1/p' <<<"$res")
	delivered=$(($(sink_rx) - rx0))
	[ -n "$usec" ] && [ -n "$sent" ] || { diag "pktgen: $res"; return 1; }
}

# records VARIANT: live flow records (or connections) of VARIANT.
records() {
	case $1 in
	none) echo 0 ;;
	flowstream) echo $(($(fs_stat records_created) - $(fs_stat records_ended))) ;;
	netflow) sed -n 's/^Flows: active \([0-9]*\) .*/\1/p' /proc/net/stat/ipt_netflow ;;
	conntrack) ip netns exec $rt cat /proc/sys/net/netfilter/nf_conntrack_count ;;
	esac
}

# hash_bytes VARIANT: bytes of the variant's hash table.
hash_bytes() {
	case $1 in
	flowstream)
		local b
		b=$($FLOWCTL -n $rt -j config show | jq -r '.buckets')
		# hlist heads plus at most 1024 bucket locks (spinlock_t: 4 bytes)
		echo $((b * 8 + (b < 1024 ? b : 1024) * 4)) ;;
	netflow) echo $(($(cat /sys/module/ipt_NETFLOW/parameters/hashsize) * 8)) ;;
	conntrack) echo $(($(cat /proc/sys/net/netfilter/nf_conntrack_buckets) * 8)) ;;
	esac
}

objsize() {
	case $1 in
	flowstream) cat /sys/module/flowstream/parameters/acct_record_size ;;
	netflow) cat /sys/kernel/slab/ipt_netflow/object_size ;;
	conntrack) cat /sys/kernel/slab/nf_conntrack/object_size ;;
	esac
}

setup() {
	case $1 in
	none) ;;
	flowstream)
		kload "$FS_KO" acct_enable=0
		$FLOWCTL -n $rt config set acct on idle-timeout 3600 active-timeout 3600 \
			max-records "$MAX_RECORDS" >/dev/null
		buckets=$($FLOWCTL -n $rt -j config show | jq -r '.buckets') ;;
	netflow)
		# the same number of hash buckets as flowstream, no export
		for ko in $XT_KOS; do
			kload "$ko"
		done
		kload "$NETFLOW_KO" destination= hashsize="$buckets" maxflows=2000000 \
			inactive_timeout=3600 active_timeout=3600
		ip netns exec $rt iptables-legacy -I FORWARD -j NETFLOW ;;
	conntrack)
		for ko in $CT_KOS; do
			kload "$ko"
		done
		kload "$CONNTRACK_KO" hashsize="$buckets" enable_hooks=1 acct=1
		nsys - net/netfilter/nf_conntrack_max 2000000
		nsys $rt net/netfilter/nf_conntrack_acct 1
		nsys $rt net/netfilter/nf_conntrack_udp_timeout 3600 ;;
	esac
}

teardown() {
	case $1 in
	none) ;;
	flowstream) kunload flowstream ;;
	netflow)
		ip netns exec $rt iptables-legacy -F FORWARD
		kunload ipt_NETFLOW iptable_filter ip_tables x_tables ;;
	conntrack)
		kunload nf_conntrack nf_defrag_ipv6 nf_defrag_ipv4 ;;
	esac
}

meminfo() {
	awk -v k="$1:" '$1 == k { print $2 * 1024 }' /proc/meminfo
}

topology
diag "guest: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, $(($(meminfo MemTotal) >> 20)) MiB"

# flowstream's bucket count for MAX_RECORDS sizes every variant's table.
setup flowstream
teardown flowstream
diag "hash buckets for every variant: $buckets"

# Throughput: each round measures every variant, so that a slower or
# busier stretch of the host touches them all alike.
for round in $(seq 1 "$rounds"); do
	for v in "${variants[@]}"; do
		setup "$v"
		for n in "${flowcounts[@]}"; do
			flows "$n"
			send "$n"			# warm: every flow created
			send "$((n > PKTS ? n : PKTS / n * n))"
			live=$(records "$v")
			echo "bench pps $v $n $round $((delivered * 1000000 / usec)) $delivered $sent $usec"
			if [ "$v" != none ] && [ "$live" != "$n" ]; then
				not_ok "$v, $n flows, round $round: $live records, not $n"
			elif [ "$delivered" != "$sent" ]; then
				not_ok "$v, $n flows, round $round: $delivered of $sent packets delivered"
			else
				ok "$v, $n flows, round $round: $sent packets, all delivered, $n records"
			fi
		done
		teardown "$v"
	done
done

# Memory with 1,000,000 records: slab growth while the table fills (every
# cache: records, conntrack's extensions, anything else per flow) plus the
# hash table; MemFree's drop from before the module was loaded counts all
# of it, module and bookkeeping included.
for v in flowstream netflow conntrack; do
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 2
	free0=$(meminfo MemFree)
	setup "$v"
	slab0=$(meminfo Slab)
	flows 1000000
	send 1000000
	live=$(records "$v")
	slab1=$(meminfo Slab)
	free1=$(meminfo MemFree)
	echo "bench mem $v $live $((slab1 - slab0)) $(hash_bytes "$v") $((free0 - free1)) $(objsize "$v")"
	check_n=1000000
	if [ "$live" = $check_n ]; then
		ok "$v: $check_n records"
	else
		not_ok "$v: $live records after $sent packets, not $check_n"
	fi
	teardown "$v"
done

kunload pktgen
ip netns del $rt
ip netns del $sk
echo "1..$tap_n"
[ $tap_failed -eq 0 ]
