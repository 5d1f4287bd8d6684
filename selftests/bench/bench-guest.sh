#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of "make bench" (run by the stock-kernel VM's init): forwarding
# through a router namespace with N concurrent UDP flows, for
#   none        no module
#   noop        fs-nophook.ko: hooks that do nothing where accounting's sit
#               (the floor: netfilter's dispatch alone)
#   flowstream  flowstream.ko, accounting on in the router namespace
#   netflow     ipt_NETFLOW, "-j NETFLOW" in the router's FORWARD chain
#   conntrack   nf_conntrack (enable_hooks=1, acct=1)
# then, at 1,000 flows, sampling in blocks of short measurements, each
# variant next to a baseline measured in the same stretch (the host's load
# moves the rate by tens of percent from one minute to the next):
#   off-P        flowstream loaded, sampler and accounting off (no hooks:
#                no module's cost), P monitored prefixes
#   smp-rR-P     flowstream's prefix sampler in the router namespace, random
#                mode, 1 in R (1: every packet looked up; 100; 16M: 2^24,
#                practically nothing sampled) over P monitored /24 prefixes
#                of depth 4 (10, 1k, 10k), keyed by source address; the
#                traffic's sources are in the first prefix
#   acct-1k      flowstream's accounting (sampler off), against off-1k
#   noop-smp     fs-nophook.ko's no-op hooks where the sampler's sit
#                (PRE_ROUTING, -500), against off-1k
#   tc-off       act_sample and the rest loaded, no qdisc
#   tc-sample    tc matchall on the router's ingress, "action sample rate 100
#                group 1" (act_sample, psample; nobody listens to the group)
#   nft-off      nf_tables and nft_numgen loaded, no table
#   nft-numgen   nftables in the router's prerouting (priority -500):
#                "numgen random mod 100 0 counter"
# then FlowOS at 1,000 flows in blocks of its own, each variant against
# none measured in the same round (here: flowstream, the count PM and the
# NFQUEUE modules loaded, nothing of theirs in the packet path: no flow,
# so no FlowOS hook, and no nftables table):
#   fos-flow     flowstream, one FlowOS flow matching everything, no PM
#                (a session holding nothing passes its packet at once)
#   fos-merge    the same flow building a tcp stream: the UDP packets,
#                units as in an ip stream, are held and sent on by the
#                merger thread (no PM)
#   fos-count    that flow with the count PM attached
#   nfq-count    fs-nfq (an NFQUEUE program doing count's job in userspace)
#                behind "queue num 0" in the router's forward hook
#   nfq-scan     fs-nfq also scanning each payload for a byte pattern
#   cls-N        flowstream with N (1, 10, 100, 1k) FlowOS flows of four
#                match shapes that the traffic does not match: it passes
#                untouched after the classifier's lookup (bench-flows.c)
# then FlowOS with real TCP (part fostcp): fs-tcpbulk sends TCP_BYTES from
# this namespace to a receiver in the sink namespace through the router,
# the stream holding the pattern once every TCP_PERIOD bytes, for
#   none         nothing in the path (the modules loaded)
#   fos-tcp      a flow building the tcp stream, no PM
#   fos-match    that flow with the match PM counting the pattern
#   nfq-scan     fs-nfq copying whole packets and counting the pattern in
#                each
#   fos-pipe     replace (pattern -> TCP_REPLACE), then match (of the
#                replacement) and count side by side (BENCH_TCP_PIPE=mc:
#                match of the pattern and count, without replace)
#   nfq-count    fs-nfq counting packets and bytes
# (tcp_measure checks each one's counts); then state migration (part
# mig): for each N of BENCH_MIG_STATES, flowstream moving the router's N
# flow records to a namespace B on a link of the router's own (flowctl
# migrate send/receive) against conntrackd (FTFW over UDP) moving the
# same flows' N conntrack entries into B's table, both timed; and last
# the memory each accounting variant takes per flow record with
# 1,000,000 records.
#
# Topology: pktgen on g0 (this namespace) -> r0 [bench-rt: forwards] r1 ->
# s1 [bench-sk]. Static neighbours, no ARP; the sink drops every packet at
# once (its neighbour entry in the router is a MAC that is not s1's).
# Flows differ in UDP source port and IPv4 source address; the port and
# address ranges have coprime lengths so that pktgen, stepping both on each
# packet, goes through every pair: exactly N flows.
#
# The guest is instruction-counted (bench.sh): its clock is the count of
# instructions executed, so a measurement's rate is instructions per
# packet. Before each measurement the guest idles a second (no host time
# under -icount sleep=off), so that the work the last change left behind
# (RCU callbacks, deferred frees, workqueue items) is done and not counted.
#
# Every measurement has a warm-up round (round 0) that is run and checked
# but not reported: in some runs the first round after a module or table
# was loaded cost about 280 instructions a packet more than the rounds
# after it (nft numgen, and flowstream in two runs of six), inside
# pktgen's own run time, for a reason not found yet. The per-CPU receive
# backlog is raised to 10,000 packets: with one vCPU, receive work the
# kernel defers to ksoftirqd lets pktgen run ahead of it, and the
# default 1,000 overflowed for conntrack (packets and records lost).
#
# BENCH_CONF (a file written by bench.sh) names the modules. Results are
# lines "bench pps VARIANT FLOWS ROUND PPS DELIVERED SENT USEC",
# "bench smp VARIANT BASELINE ROUND PPS DELIVERED SENT USEC" (BASELINE "-"
# for a baseline), "bench fos ..." (the same fields) and
# "bench tcp VARIANT ROUND NS BUSY PACKETS IPBYTES DATAPACKETS BYTES",
# "bench mem VARIANT RECORDS SLAB_BYTES HASH_BYTES MEMFREE_BYTES OBJSIZE",
# "bench mig N ROUND FS_NS FS_WIRE CT_NS CT_WIRE",
# for bench.sh to tabulate; the checks that make the numbers meaningful
# (every flow in the table, nothing lost, samples taken at the rate and
# matched) are TAP lines.
set -euo pipefail

# shellcheck disable=SC1090
. "$BENCH_CONF"
export XTABLES_LIBDIR

rt=bench-rt sk=bench-sk
sink_mac=02:00:00:00:00:99
pg=/proc/net/pktgen
rounds=${BENCH_ROUNDS:-3}
fos_rounds=$rounds
smp_rounds=${BENCH_SMP_ROUNDS:-6}
smp_pkts=${BENCH_SMP_PKTS:-30000}
fos_pkts=${BENCH_FOS_PKTS:-50000}
# shellcheck disable=SC2206
variants=(${BENCH_VARIANTS:-none noop flowstream netflow conntrack})
parts=" ${BENCH_PARTS:-main smp mem fos fostcp fosmem} "
flowcounts=(1000 100000)
buckets=0
tag=smp		# of the block lines: "bench smp ..." or "bench fos ..."

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

# kunload MODULE...: rmmod each one that is loaded. tc actions and nftables
# objects are freed after an RCU grace period, so a module may still be busy
# for a moment after its last user went: one more try a second later.
kunload() {
	local m
	for m in "$@"; do
		grep -q "^$m " /proc/modules || continue
		rmmod "$m" 2>/dev/null || { sleep 1; rmmod "$m"; } || diag "rmmod $m failed"
	done
}

# hooks LABEL STATE_CMD: after STATE_CMD, the cost of one call of each hook
# in the router namespace (fs-hookbench.ko, which refuses to stay loaded),
# five times: "bench hook LABEL HOOK PRIORITY NS_X1000 REP".
hooks() {
	local holder rep
	$2
	ns_holder
	for rep in 1 2 3 4 5; do
		dmesg -c >/dev/null
		insmod "$HOOKBENCH_KO" pid=$holder iters=200000 2>/dev/null || true
		dmesg | sed -n 's/.*fs-hookbench: //p' | while read -r h p ns; do
			echo "bench hook $1 $h $p $ns $rep"
		done
	done
	kill $holder
	wait $holder 2>/dev/null || true
	if dmesg | grep -q 'fs-hookbench: baseline'; then
		ok "hook calls timed: $1"
	else
		not_ok "hook calls timed: $1 (no fs-hookbench output)"
	fi
}

# ns_holder: start a process in the router namespace that sleeps, for a
# module that takes the namespace from a process (pid=); sets holder once
# the process is in the namespace ("ip netns exec" enters it after fork).
ns_holder() {
	local want
	want=$(ip netns exec $rt readlink /proc/self/ns/net)
	ip netns exec $rt sleep 100000 &
	holder=$!
	while [ "$(readlink /proc/$holder/ns/net 2>/dev/null)" != "$want" ]; do
		sleep 0.1
	done
}

# nophook on|off [WHERE]: fs-nophook.ko's no-op hooks (at=WHERE: acct or
# smp) in the router namespace, or none. A process in the namespace
# names it to the module.
nop_holder=
nophook() {
	if [ "$1" = on ] && [ -z "$nop_holder" ]; then
		ns_holder
		nop_holder=$holder
		insmod "$NOPHOOK_KO" pid=$nop_holder at="$2"
	elif [ "$1" = off ] && [ -n "$nop_holder" ]; then
		kunload fs_nophook
		kill $nop_holder
		wait $nop_holder 2>/dev/null || true
		nop_holder=
	fi
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
	10000) a=16 p=625 ;;
	100000) a=32 p=3125 ;;
	1000000) a=64 p=15625 ;;
	*) echo "flows: $1?" >&2; return 1 ;;
	esac
	pgset "src_min 10.1.0.1"
	pgset "src_max 10.1.0.$a"
	pgset "udp_src_min 10000"
	pgset "udp_src_max $((10000 + p))"
}

# runtimes: "PID COMM NS" of every task, from /proc/PID/schedstat.
runtimes() {
	local d
	for d in /proc/[0-9]*; do
		[ -r "$d/schedstat" ] || continue
		printf '%s %s %s\n' "${d#/proc/}" "$(cat "$d/comm" 2>/dev/null)" \
			"$(cut -d' ' -f1 "$d/schedstat" 2>/dev/null)"
	done
}

# net_rx: NET_RX softirqs run so far (one CPU).
net_rx() {
	awk '$1 == "NET_RX:" { print $2 }' /proc/softirqs
}

# send COUNT: send COUNT packets; sets sent, usec, delivered and netrx (the
# NET_RX softirqs that ran meanwhile), and adds sent to sent_total. With
# BENCH_DIAG=1, also says which tasks ran 1 ms or more meanwhile, and the
# softirqs and interrupts, for a measurement whose rounds disagree. With
# drain=1 (variants that hold packets in threads or a process: they may
# still be on their way when pktgen ends), delivered counts what the sink
# had right after pktgen's run, the rate's numerator, and late what
# arrived after it (waited for up to 20 s): delivered + late must be sent.
sent_total=0 drain=0 late=0
send() {
	local rx0 res before nr0
	pgset "count $1"
	rx0=$(sink_rx)
	if [ "${BENCH_DIAG:-0}" = 1 ]; then
		before=$(runtimes)
		cp /proc/softirqs /tmp/softirqs0
	fi
	nr0=$(net_rx)
	echo start >$pg/pgctrl
	netrx=$(($(net_rx) - nr0))
	if [ "${BENCH_DIAG:-0}" = 1 ]; then
		runtimes | awk -v b="$before" 'BEGIN { n = split(b, l, "\n")
			for (i = 1; i <= n; i++) { split(l[i], f, " "); t[f[1]] = f[3] } }
			{ d = $3 - t[$1]; if (d >= 1000000) printf "# diag: %s %s %.1f ms\n", $1, $2, d / 1e6 }'
		paste /tmp/softirqs0 /proc/softirqs | awk 'NR > 1 { printf "# diag: softirq %s %d\n", $1, $4 - $2 }'
	fi
	res=$(grep -A1 "Result: OK" $pg/g0 | tr '\n' ' ')
	usec=$(sed -n 's/.*Result: OK: \([0-9]*\)(.*/\1/p' <<<"$res")
	sent=$(sed -n 's/.*usec, \([0-9]*\) (.*/\1/p' <<<"$res")
	delivered=$(($(sink_rx) - rx0))
	[ -n "$usec" ] && [ -n "$sent" ] || { diag "pktgen: $res"; return 1; }
	sent_total=$((sent_total + sent))
	late=0
	[ "$drain" = 1 ] || return 0
	local i
	for i in $(seq 200); do
		late=$(($(sink_rx) - rx0 - delivered))
		[ $((delivered + late)) -lt "$sent" ] || break
		sleep 0.1
	done
}

# ns_count NETNS: conntrack entries in NETNS.
ns_count() {
	ip netns exec "$1" cat /proc/sys/net/netfilter/nf_conntrack_count
}

# records VARIANT N: live flow records (or connections) of VARIANT; N for
# the variants that keep none.
records() {
	case $1 in
	none | noop* | tc-* | nft-* | smp-* | off-* | acct-* | cls-*) echo "$2" ;;
	fos-*) $FLOWCTL -n $rt -j flow show | jq -r '.[] | select(.name == "all") | .stats.sessions' ;;
	nfq-*) nfq_total sessions ;;
	flowstream) echo $(($(fs_stat records_created) - $(fs_stat records_ended))) ;;
	netflow) sed -n 's/^Flows: active \([0-9]*\) .*/\1/p' /proc/net/stat/ipt_netflow ;;
	conntrack) ns_count $rt ;;
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
	noop) nophook on acct ;;
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
	tc-sample)
		# sch_ingress, cls_matchall, psample, act_sample: the
		# initramfs has no modules.dep for the kernel to load them
		for ko in $TC_KOS; do
			kload "$ko"
		done ;;
	nft-numgen)
		for ko in $NFT_KOS; do
			kload "$ko"
		done ;;
	esac
}

# nft_sampled: packets nft-numgen's rule counted.
nft_sampled() {
	ip netns exec $rt nft list chain ip bench pre |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p'
}

# smp_prefixes N: monitor the first N of the /24 prefixes 10.1.0.0/24,
# 10.1.1.0/24, ... (10.40.15.0/24 the 10,000th), each of depth 4: add the
# ones not yet monitored. pktgen's sources are in the first.
smp_npfx=0
smp_prefixes() {
	local i=$smp_npfx
	[ "$1" -gt "$i" ] || return 0
	$BENCH_PREFIXES -n $rt add "10.$((1 + i / 256)).$((i % 256)).0/24" \
		"$(($1 - i))" 4
	smp_npfx=$1
}

# smp_state RATE ACCT [NOP]: the sampler on at 1 in RATE, or off ("off"),
# accounting on or off, and fs-nophook's hooks where the sampler's sit if
# NOP is "nop"; setting what is in force already changes nothing.
smp_state() {
	if [ "${3:-}" = nop ]; then
		nophook on smp
	else
		nophook off
	fi
	if [ "$1" = off ]; then
		$FLOWCTL -n $rt sampler set enable off
	else
		$FLOWCTL -n $rt sampler set enable on rate "$1"
	fi
	$FLOWCTL -n $rt config set acct "$2" >/dev/null
}

# smp_det RATE: the sampler on at exactly 1 in RATE (deterministic mode),
# accounting off.
smp_det() {
	$FLOWCTL -n $rt sampler set enable on rate "$1" mode deterministic
	$FLOWCTL -n $rt config set acct off >/dev/null
}

tc_on=0
# tc_state on|off: the ingress qdisc with the sample filter, or none.
tc_state() {
	if [ "$1" = on ] && [ $tc_on = 0 ]; then
		tc -n $rt qdisc add dev r0 ingress
		tc -n $rt filter add dev r0 ingress matchall \
			action sample rate 100 group 1
		tc_on=1
	elif [ "$1" = off ] && [ $tc_on = 1 ]; then
		tc -n $rt qdisc del dev r0 ingress
		tc_on=0
	fi
}

nft_on=0
# nft_state on|off: the prerouting table with the numgen rule, or none.
# Priority -500: where flowstream's sampler hooks, ahead of defragmentation.
nft_state() {
	if [ "$1" = on ] && [ $nft_on = 0 ]; then
		ip netns exec $rt nft -f - <<-EOF
		table ip bench {
			chain pre {
				type filter hook prerouting priority -500; policy accept;
				numgen random mod 100 0 counter
			}
		}
		EOF
		nft_on=1
	elif [ "$1" = off ] && [ $nft_on = 1 ]; then
		ip netns exec $rt nft delete table ip bench
		nft_on=0
	fi
}

nfq_pid='' nfq_out=/tmp/fs-nfq.out
# nfq_total KEY: a total of fs-nfq's (its -o file), asked for with SIGUSR1.
nfq_total() {
	local i
	rm -f $nfq_out
	kill -USR1 "$nfq_pid"
	for i in $(seq 100); do
		[ ! -f $nfq_out ] || break
		sleep 0.1
	done
	awk -v k="$1" '$1 == k { print $2 }' $nfq_out
}

# fos_flowos COUNTER: a sum of the router namespace's FlowOS counters.
fos_flowos() {
	ip netns exec $rt awk -v n="$1" '$1 == n { print $2 }' /proc/net/flowstream/flowos
}

# fos_on VARIANT: set up a variant of the FlowOS part from none (the
# modules loaded once for the part: loading one was seen to leave some
# runs after it a few hundred instructions a packet dearer, see the top);
# fos_off VARIANT takes it down again. The flow of fos-flow and fos-count
# holds up to 65,536 packets (256 MiB; the namespace's own bound, 64 MiB
# by default, comes first): pktgen on the one vCPU may run ahead of the PM
# and merger threads, and the default 8,192 would drop. No run so far
# dropped a packet or had any still on its way when pktgen ended.
fos_base=0 fos_in0=0
fos_on() {
	case $1 in
	none) ;;
	fos-*)
		# shellcheck disable=SC2046
		$FLOWCTL -n $rt flow add all idle-timeout 3600 max-sessions 65536 \
			max-held 65536 max-held-bytes 268435456 \
			$([ "$1" != fos-merge ] || echo stream tcp) >/dev/null
		[ "$1" != fos-count ] ||
			$FLOWCTL -n $rt pm attach all count >/dev/null ;;
	nfq-*)
		rm -f /tmp/fs-nfq.ready
		if [ "$1" = nfq-scan ]; then
			ip netns exec $rt "$NFQ" -q 0 -o $nfq_out -r /tmp/fs-nfq.ready \
				-p "$NFQ_PATTERN" &
		else
			ip netns exec $rt "$NFQ" -q 0 -c 128 -o $nfq_out -r /tmp/fs-nfq.ready &
		fi
		nfq_pid=$!
		for _ in $(seq 100); do
			[ ! -f /tmp/fs-nfq.ready ] || break
			sleep 0.1
		done
		[ -f /tmp/fs-nfq.ready ] || diag "fs-nfq did not bind its queue"
		ip netns exec $rt nft -f - <<-EOF
		table ip fsq {
			chain qf {
				type filter hook forward priority 0; policy accept;
				queue num 0
			}
		}
		EOF
		;;
	cls-*) $BENCH_FLOWS -n $rt add 0 "$(cls_n "$1")" ;;
	esac
	fos_base=$sent_total
	fos_in0=$(fos_flowos packets_in)
}

fos_off() {
	case $1 in
	none) ;;
	fos-*) $FLOWCTL -n $rt flow del all ;;
	nfq-*)
		ip netns exec $rt nft delete table ip fsq
		kill "$nfq_pid"
		wait "$nfq_pid" 2>/dev/null || true
		nfq_pid='' ;;
	cls-*) $BENCH_FLOWS -n $rt del 0 "$(cls_n "$1")" ;;
	esac
}

# fos_modules load|unload [tcp]: what the FlowOS parts' variants use
# (tcp: also the match and replace PMs).
fos_modules() {
	if [ "$1" = load ]; then
		kload "$FS_KO" acct_enable=0
		kload "$PM_COUNT_KO"
		if [ "${2:-}" = tcp ]; then
			kload "$PM_MATCH_KO"
			kload "$PM_REPLACE_KO"
		fi
		for ko in $NFQ_KOS; do
			kload "$ko"
		done
	else
		kunload flowstream_pm_count flowstream_pm_match flowstream_pm_replace \
			flowstream nft_queue nfnetlink_queue nf_tables nfnetlink
	fi
}

# cls_n cls-N: the number of flows N stands for.
cls_n() {
	case ${1#cls-} in
	1k) echo 1000 ;;
	*) echo "${1#cls-}" ;;
	esac
}

fos_cur=none
# fos_state VARIANT: from whatever is set up to VARIANT, set up afresh.
fos_state() {
	fos_off "$fos_cur"
	fos_cur=none
	fos_on "$1"
	fos_cur=$1
}

# fos_verify VARIANT ROUND: after a measurement, the variant's own counts
# against the packets pktgen sent since it was set up (the warm-up runs
# and every timed run): FlowOS's flow took and sent on every one, count
# and fs-nfq counted every one in their sessions, the classifier's flows
# took none.
fos_verify() {
	local v=$1 want=$((sent_total - fos_base)) got show sess
	case $v in
	fos-*)
		show=$($FLOWCTL -n $rt -j flow show)
		got=$(jq -r '.[] | select(.name == "all") | .stats | "\(.packets_in) \(.packets_out) \(.packets_in -
			.packets_out - .bypass_sessions - .bypass_held - .bypass_nomem -
			.drop_sessions - .drop_held - .drop_nomem - .drop_pm -
			.drop_teardown - .drop_dev - .drop_output - .held)"' <<<"$show")
		if [ "$got" = "$want $want 0" ]; then
			ok "$v round $2: the flow took and sent on all $want packets"
		else
			not_ok "$v round $2: the flow's in, out, balance: $got; sent $want"
		fi
		[ "$v" = fos-count ] || return 0
		sess=$($FLOWCTL -n $rt -j flow sessions all)
		got=$(jq '[.[] | .results[0].values // {} | (.["2"] // 0) + (.["4"] // 0)] | add' <<<"$sess")
		if [ "$got" = "$want" ]; then
			ok "$v round $2: count's sessions total the $want packets sent"
		else
			not_ok "$v round $2: count's sessions total $got packets, sent $want"
		fi ;;
	nfq-*)
		got="$(nfq_total packets) $(nfq_total unparsed) $(nfq_total overflow) $(nfq_total matched)"
		if [ "$got" = "$want 0 0 0" ]; then
			ok "$v round $2: fs-nfq's sessions total the $want packets sent"
		else
			not_ok "$v round $2: fs-nfq's packets, unparsed, overflow, matched: $got; sent $want"
		fi ;;
	cls-*)
		got="$(fos_flowos flows) $(($(fos_flowos packets_in) - fos_in0))"
		if [ "$got" = "$(cls_n "$v") 0" ]; then
			ok "$v round $2: $(cls_n "$v") flows, none took a packet"
		else
			not_ok "$v round $2: flows and packets taken: $got, not $(cls_n "$v") 0"
		fi ;;
	esac
}

# ---- the fostcp part: TCP through the router --------------------------
# fs-tcpbulk sends TCP_BYTES from this namespace (g0) to a receiver in the
# sink namespace (s1, 10.0.2.2), through the router; the stream repeats a
# block of TCP_PERIOD bytes ending in NFQ_PATTERN, so it holds exactly
# TCP_BYTES / TCP_PERIOD occurrences. For this part the sink is a real
# host: its address, a route back, and the router's neighbour entry for it
# with s1's own MAC (pktgen's parts have a MAC nobody has there). TCP
# keeps no metrics per destination in either end's namespace: with them,
# a connection started from the RTT, ssthresh and window of the one
# before it, another variant's (nfq-count after nfq-count cost 5.7% more
# than after fos-pipe).
tcp_port=5001 tcp_ready=/tmp/fs-tcpbulk.ready tcp_recv=/tmp/fs-tcpbulk.recv

mac() {
	ip ${1:+-n "$1"} -j link show "$2" | jq -r '.[0].address'
}

tcp_topology() {
	if [ "$1" = on ]; then
		ip -n $sk addr add 10.0.2.2/24 dev s1
		ip -n $sk route add 10.0.1.0/24 via 10.0.2.1
		ip -n $sk neigh replace 10.0.2.1 lladdr "$(mac $rt r1)" dev s1 nud permanent
		ip -n $rt neigh replace 10.0.2.2 lladdr "$(mac $sk s1)" dev r1 nud permanent
		ip -n $rt neigh replace 10.0.1.1 lladdr "$(mac "" g0)" dev r0 nud permanent
		ip route add 10.0.2.0/24 via 10.0.1.2 dev g0
		nsys - net/ipv4/tcp_no_metrics_save 1
		nsys $sk net/ipv4/tcp_no_metrics_save 1
		ip tcp_metrics flush all 2>/dev/null || true
		ip -n $sk tcp_metrics flush all 2>/dev/null || true
	else
		ip route del 10.0.2.0/24 via 10.0.1.2 dev g0
		ip -n $rt neigh replace 10.0.2.2 lladdr $sink_mac dev r1 nud permanent
		ip -n $sk addr del 10.0.2.2/24 dev s1
	fi
}

# tcp_ifc: the router's interface counters, "r0 rx packets, bytes, tx
# packets, bytes, then r1's".
tcp_ifc() {
	ip -n $rt -j -s link show | jq -r '[.[] | select(.ifname == "r0" or .ifname == "r1")] |
		sort_by(.ifname) | [.[] | .stats64 | .rx.packets, .rx.bytes, .tx.packets, .tx.bytes] |
		map(tostring) | join(" ")'
}

# tcp_att PM [ARGS...]: attach PM to the flow "all", print its id.
tcp_att() {
	$FLOWCTL -n $rt -j pm attach all "$@" | jq -r .id
}

# tcp_on VARIANT: set a variant of the fostcp part up from none; the
# attachments' ids in att_m (match), att_r (replace), att_c (count).
# fos-pipe is replace, then match (of the replacement) and count side by
# side; with BENCH_TCP_PIPE=mc, match (of the pattern) and count alone.
att_m='' att_r='' att_c=''
tcp_on() {
	att_m='' att_r='' att_c=''
	case $1 in
	none) ;;
	fos-*)
		$FLOWCTL -n $rt flow add all stream tcp idle-timeout 3600 max-sessions 65536 \
			max-held 65536 max-held-bytes 67108864 max-session-held 65536 >/dev/null
		case $1 in
		fos-match) att_m=$(tcp_att match args "$NFQ_PATTERN") ;;
		fos-pipe)
			if [ "${BENCH_TCP_PIPE:-rmc}" = mc ]; then
				att_m=$(tcp_att match order 20 args "$NFQ_PATTERN")
			else
				att_r=$(tcp_att replace order 10 args "$NFQ_PATTERN $TCP_REPLACE")
				att_m=$(tcp_att match order 20 args "$TCP_REPLACE")
			fi
			att_c=$(tcp_att count order 20) ;;
		esac ;;
	nfq-*) fos_on "$1" ;;
	esac
}

tcp_off() {
	case $1 in
	none) ;;
	fos-*) $FLOWCTL -n $rt flow del all ;;
	nfq-*) fos_off "$1" ;;
	esac
}

tcp_cur=none
tcp_state() {
	tcp_off "$tcp_cur"
	tcp_cur=none
	tcp_on "$1"
	tcp_cur=$1
}

# tcp_res ATT KEY: attachment ATT's result KEY summed over the flow's
# sessions (0 if none).
tcp_res() {
	$FLOWCTL -n $rt -j flow sessions all | jq -r --argjson a "$1" --arg k "$2" \
		'[.[] | .results[]? | select(.id == $a) | .values[$k] // 0] | add // 0'
}

# tcp_check NAME GOT WANT: a TAP line.
tcp_check() {
	if [ "$2" = "$3" ]; then
		ok "$1: $2"
	else
		not_ok "$1: $2, not $3"
	fi
}

# tcp_measure VARIANT ROUND: one transfer of TCP_BYTES; prints
# "bench tcp VARIANT ROUND NS BUSY PACKETS IPBYTES DATAPACKETS BYTES"
# (NS the sender's guest time from before connect to the receiver's
# close, BUSY the time tasks ran meanwhile, PACKETS the packets the
# router forwarded both ways, IPBYTES their IP bytes, DATAPACKETS those
# towards the receiver) and checks the transfer and the variant's counts.
tcp_measure() {
	local v=$1 round=$2 c0 out rpid src rrc rout i j d kw split
	local occ=$((TCP_BYTES / TCP_PERIOD)) ns busy fwd ipb datap got want show
	local opts=(-P "$TCP_PERIOD" -p "$NFQ_PATTERN" -x "$TCP_REPLACE")
	sleep 1			# settle: see the top
	read -r -a c0 <<<"$(tcp_ifc)"
	rm -f $tcp_ready
	if [ "$v" = fos-pipe ] && [ "${BENCH_TCP_PIPE:-rmc}" != mc ]; then
		opts+=(-R)
	fi
	ip netns exec $sk "$TCPBULK" "${opts[@]}" -r $tcp_ready recv $tcp_port >$tcp_recv 2>&1 &
	rpid=$!
	for i in $(seq 100); do
		[ ! -f $tcp_ready ] || break
		sleep 0.1
	done
	src=0
	kw=$(kw_ns)
	out=$("$TCPBULK" "${opts[@]}" send 10.0.2.2 $tcp_port "$TCP_BYTES" 2>&1) || src=$?
	kw=$((($(kw_ns) - kw)))
	rrc=0
	wait $rpid || rrc=$?
	rout=$(cat $tcp_recv)
	# The last ACKs may still be in the flow or the program: wait until
	# the router sent on all it received. A FlowOS flow may send a data
	# packet as two: when a PM releases part of one (replace holding back
	# the start of a possible occurrence at its end), the engine splits
	# it (the flow's split counter; the receiver still gets every byte).
	split=0
	for i in $(seq 200); do
		read -r -a d <<<"$(tcp_ifc)"
		for j in 0 1 2 3 4 5 6 7; do
			d[j]=$((d[j] - c0[j]))
		done
		case $v in
		fos-*)
			split=$($FLOWCTL -n $rt -j flow show |
				jq '[.[] | select(.name == "all") | .stats.split] | add // 0') ;;
		esac
		[ "$((d[0] + split))" != "${d[6]}" ] || [ "${d[4]}" != "${d[2]}" ] || break
		sleep 0.1
	done
	# d: r0 rx p, b, tx p, b; r1 rx p, b, tx p, b. Forwarded: r0 rx
	# (towards the receiver) and r1 rx (back), each with a 14-byte
	# Ethernet header in its bytes.
	fwd=$((d[0] + d[4]))
	ipb=$((d[1] + d[5] - 14 * fwd))
	datap=${d[0]}
	ns=$(sed -n 's/.*ns=\([0-9]*\).*/\1/p' <<<"$out")
	busy=$(sed -n 's/.*busy=\(-\?[0-9]*\).*/\1/p' <<<"$out")
	if [ "$src" != 0 ] || [ "$rrc" != 0 ] || [ -z "$ns" ] ||
	   [ "$out" != "bytes=$TCP_BYTES ns=$ns busy=$busy" ] ||
	   [ "$rout" != "bytes=$TCP_BYTES verify=ok" ]; then
		not_ok "tcp $v round $round: sender ($src) '$out', receiver ($rrc) '$rout'"
		return 0
	fi
	ok "tcp $v round $round: $TCP_BYTES bytes sent and received, verified"
	if [ "$round" = 0 ]; then
		diag "warm-up, not reported: tcp $v: $ns ns, busy $busy, $fwd packets"
	else
		echo "bench tcp $v $round $ns $busy $fwd $ipb $datap $TCP_BYTES"
	fi
	[ "$busy" -lt 0 ] || [ $((ns - busy)) -le $((ns / 100)) ] ||
		diag "tcp $v round $round: the CPU was idle $(((ns - busy) * 100 / ns))% of the transfer"
	[ $((kw * 100)) -le "$ns" ] ||
		diag "tcp $v round $round: kernel workers ran $kw of $ns ns"
	tcp_check "tcp $v round $round: the router sent on every packet it took (r0 and the flow's splits, r1)" \
		"${d[6]} ${d[2]}" "$((d[0] + split)) ${d[4]}"
	case $v in
	fos-*)
		show=$($FLOWCTL -n $rt -j flow show)
		got=$(jq -r '.[] | select(.name == "all") | .stats | "\(.sessions) \(.packets_in) \(.packets_out) \(.packets_in +
			.split - .packets_out - .bypass_sessions - .bypass_held - .bypass_nomem -
			.drop_sessions - .drop_held - .drop_nomem - .drop_pm -
			.drop_teardown - .drop_dev - .drop_output - .held)"' <<<"$show")
		tcp_check "tcp $v round $round: the flow's sessions, in, out, balance" "$got" \
			"1 $fwd $((fwd + split)) 0"
		if [ -n "$att_r" ]; then
			tcp_check "tcp $v round $round: replace's replaced, missed both ways" \
				"$(tcp_res "$att_r" 2) $(tcp_res "$att_r" 4) $(tcp_res "$att_r" 3) $(tcp_res "$att_r" 5)" \
				"$occ 0 0 0"
		fi
		if [ -n "$att_m" ]; then
			tcp_check "tcp $v round $round: match's occurrences and bytes both ways" \
				"$(tcp_res "$att_m" 2) $(tcp_res "$att_m" 4) $(tcp_res "$att_m" 3) $(tcp_res "$att_m" 5)" \
				"$occ $TCP_BYTES 0 0"
		fi
		if [ -n "$att_c" ]; then
			# count runs after replace: it sees the split packets,
			# as the router sends them (its tx bytes).
			tcp_check "tcp $v round $round: count's packets and IP bytes (both ways)" \
				"$(($(tcp_res "$att_c" 2) + $(tcp_res "$att_c" 4))) $(($(tcp_res "$att_c" 3) + $(tcp_res "$att_c" 5)))" \
				"$((fwd + split)) $((d[3] + d[7] - 14 * (d[2] + d[6])))"
		fi ;;
	nfq-*)
		got="$(nfq_total sessions) $(nfq_total packets) $(nfq_total bytes) $(nfq_total unparsed) $(nfq_total overflow)"
		tcp_check "tcp $v round $round: fs-nfq's sessions, packets, bytes, unparsed, overflow" \
			"$got" "1 $fwd $ipb 0 0"
		if [ "$v" = nfq-scan ]; then
			# Each packet on its own: an occurrence split between two
			# data packets is not seen, at most one per boundary.
			got=$(nfq_total occurrences)
			if [ "$(nfq_total truncated)" = 0 ] && [ "$got" -le "$occ" ] &&
			   [ "$got" -ge $((occ - datap)) ]; then
				ok "tcp $v round $round: fs-nfq found $got of $occ occurrences in $datap data packets, none truncated"
			else
				not_ok "tcp $v round $round: fs-nfq found $got of $occ occurrences in $datap data packets, $(nfq_total truncated) truncated"
			fi
		else
			tcp_check "tcp $v round $round: fs-nfq (no pattern) matched" "$(nfq_total matched)" 0
		fi ;;
	esac
}

# block BASELINE CMD VARIANT CMD...: BENCH_SMP_ROUNDS short measurements
# (BENCH_SMP_PKTS packets) of the baseline and each variant at 1,000
# flows, CMD (a command line, word-split) setting each one's state from
# any other. Every other round goes backwards, so that a steady drift of
# the host's speed falls on both sides of the baseline alike.
block() {
	local names=() cmds=() i k
	while [ $# -ge 2 ]; do
		names+=("$1")
		cmds+=("$2")
		shift 2
	done
	for k in $(seq 0 "$smp_rounds"); do
		for i in $(seq 0 $((${#names[@]} - 1))); do
			[ $((k % 2)) = 1 ] || i=$((${#names[@]} - 1 - i))
			# shellcheck disable=SC2086
			${cmds[$i]}
			measure "${names[$i]}" 1000 "$k" \
				"$([ "$i" = 0 ] && echo - || echo "${names[0]}")" "$smp_pkts"
		done
	done
}

# kw_ns: nanoseconds (here: instructions) kernel workers have run so far.
kw_ns() {
	local d c t s=0
	for d in /proc/[0-9]*; do
		read -r c <"$d/comm" 2>/dev/null || continue
		[[ $c == kworker* ]] || continue
		read -r t _ <"$d/schedstat" 2>/dev/null || continue
		s=$((s + t))
	done
	echo "$s"
}

# timed VARIANT N ROUND COUNT: the timed run of a measurement, taken again
# (up to three times) when it measured something else than the packets'
# path, so that every reported round measures the same thing:
#  - Each packet normally has its receive work done in a NET_RX softirq
#    of its own, run as pktgen's transmit ends. When the kernel defers
#    softirq work to ksoftirqd instead (a softirq round that ran past its
#    2 ms budget, say a long timer), pktgen runs ahead of it and ksoftirqd
#    then takes the backlog in batches, which costs several hundred
#    instructions a packet less: ipt_NETFLOW measured 820 cheaper in one
#    round so taken.
#  - Periodic work of a kernel worker that has nothing to do with the
#    packets at hand can land in the run: conntrack's garbage collector
#    walking 100,000 entries added 470 instructions a packet to one round
#    of 1,000,000 (once a minute on a real host, spread over its packets;
#    here it falls in a one-second run or not). A run in which kernel
#    workers used more than 1% of it is taken again.
timed() {
	local try kw
	for try in 1 2 3 4; do
		runs=$try
		kw=$(kw_ns)
		send "$4"
		kw=$((($(kw_ns) - kw) / 1000))
		if [ "$netrx" -lt $(($4 * 99 / 100)) ]; then
			diag "$1 $2 round $3: receive work went to ksoftirqd ($netrx NET_RX softirqs for $4 packets), measured again"
		elif [ "$kw" -gt $((usec / 100)) ]; then
			diag "$1 $2 round $3: kernel workers ran $kw of $usec us, measured again"
		else
			return 0
		fi
	done
	not_ok "$1, $2 flows, round $3: the run measured something else in 4 runs of 4"
}

# measure VARIANT N ROUND [BASELINE COUNT]: N flows of VARIANT, set up
# already: the flows created first, then the timed run (PKTS packets, or
# COUNT); prints the result ("pps" line, or "smp" line when BASELINE is
# given) and checks it.
measure() {
	local v=$1 n=$2 round=$3 base=${4:-} count=${5:-$PKTS}
	local live smp0 unm0 smp=0 unm=0 sampled='' lo hi nft0=0
	sleep 1			# settle: see the top
	flows "$n"
	[ "$v" != nft-numgen ] || nft0=$(nft_sampled)
	send "$n"			# warm: every flow created
	case $v in
	smp-* | off-*)
		smp0=$(fs_stat smp_sampled)
		unm0=$(fs_stat smp_unmatched) ;;
	esac
	timed "$v" "$n" "$round" "$((n > count ? n : count / n * n))"
	live=$(records "$v" "$n")
	if [ "$round" = 0 ]; then
		diag "warm-up, not reported: $v $n: $((delivered * 1000000 / usec)) pps"
	elif [ -n "$base" ]; then
		echo "bench $tag $v $base $round $((delivered * 1000000 / usec)) $delivered $sent $usec"
	else
		echo "bench pps $v $n $round $((delivered * 1000000 / usec)) $delivered $sent $usec"
	fi
	case $v in
	smp-* | off-*)
		smp=$(($(fs_stat smp_sampled) - smp0))
		unm=$(($(fs_stat smp_unmatched) - unm0)) ;;
	esac
	# Packets sampled in the timed runs (more than one when a run was
	# measured again), and the bounds they must be in: rate 1 all of
	# them (nothing else arrives); rate 100 within 50% of sent / 100
	# (about 30 standard deviations at 100,000 packets); rate 2^24 next
	# to none.
	local all=$((sent * runs))
	case $v in
	smp-r1-*) sampled=$smp lo=$all hi=$((all + 10)) ;;
	smp-r100-*) sampled=$smp lo=$((all / 200)) hi=$((all / 67)) ;;
	smp-r16M-*) sampled=$smp lo=0 hi=5 ;;
	off-*) sampled=$smp lo=0 hi=0 ;;
	nft-numgen)
		# the warm run's samples too
		sampled=$(($(nft_sampled) - nft0)) lo=$(((all + n) / 200)) hi=$(((all + n) / 67)) ;;
	esac
	if [ "$v" != none ] && [ "$live" != "$n" ]; then
		not_ok "$v, $n flows, round $round: $live records, not $n"
	elif [ $((delivered + late)) != "$sent" ]; then
		not_ok "$v, $n flows, round $round: $((delivered + late)) of $sent packets delivered"
	elif [ -n "$sampled" ] && { [ "$sampled" -lt "$lo" ] || [ "$sampled" -gt "$hi" ]; }; then
		not_ok "$v, $n flows, round $round: $sampled packets sampled, not $lo to $hi"
	elif [ "$unm" != 0 ]; then
		not_ok "$v, $n flows, round $round: $unm sampled packets unmatched"
	else
		ok "$v, $n flows, round $round: $sent packets, all delivered${sampled:+, $sampled sampled}"
	fi
	[ "$late" = 0 ] || diag "$v $n round $round: $late packets arrived after pktgen's run"
	[ "$tag" != fos ] || fos_verify "$v" "$round"
}

teardown() {
	case $1 in
	none) ;;
	noop) nophook off ;;
	flowstream) kunload flowstream ;;
	tc-sample)
		tc_state off
		kunload act_sample psample cls_matchall sch_ingress ;;
	nft-numgen)
		nft_state off
		kunload nft_numgen nf_tables nfnetlink ;;
	netflow)
		ip netns exec $rt iptables-legacy -F FORWARD
		kunload ipt_NETFLOW iptable_filter ip_tables x_tables ;;
	conntrack)
		kunload nf_conntrack nf_defrag_ipv6 nf_defrag_ipv4 ;;
	esac
}

# --- The mig part: state migration against conntrackd. A is the router
# namespace (its N flow records and, with nf_conntrack loaded, its N
# conntrack entries come from the same pktgen run), B a namespace on a
# link of A's own (m0 10.0.9.1 -- m1 10.0.9.2) that carries nothing but
# the state. Times are guest time: instructions.
mb=bench-mb
mig_port=7000

mig_topology() {
	ip netns add $mb
	ip -n $mb link set lo up
	ip -n $rt link add m0 type veth peer name m1 netns $mb
	nsys $mb net/ipv6/conf/all/disable_ipv6 1
	ip -n $rt addr add 10.0.9.1/24 dev m0
	ip -n $mb addr add 10.0.9.2/24 dev m1
	ip -n $rt link set m0 up
	ip -n $mb link set m1 up
}

# epoch_ns TIME: an EPOCHREALTIME value (seconds, microseconds) in
# nanoseconds.
epoch_ns() {
	local t=$1
	echo $((10#${t//[.,]/} * 1000))
}

# now_ns: the guest's clock in nanoseconds (no process started).
now_ns() {
	epoch_ns "$EPOCHREALTIME"
}

# m0_tx: bytes A has sent on its link to B.
m0_tx() {
	ip -n $rt -j -s link show m0 | jq -r '.[0].stats64.tx.bytes'
}

# mig_records NETNS: NETNS's flow records of the traffic (sources in
# 10.1.0.0/16).
mig_records() {
	$FLOWCTL -n "$1" -j records |
		jq '[.[] | select(.src | startswith("10.1."))] | length'
}

# ctd_conf NAME ADDR PEER DEV: a conntrackd configuration in /tmp: FTFW
# over UDP on the A-B link, the traffic's UDP entries only (the link's
# own addresses ignored), the peer's entries injected straight into the
# kernel's table (no external cache).
ctd_conf() {
	cat >"/tmp/ctd-$1.conf" <<CONF
Sync {
	Mode FTFW {
		DisableExternalCache on
	}
	UDP {
		IPv4_address $2
		IPv4_Destination_Address $3
		Port 3780
		Interface $4
		SndSocketBuffer 67108864
		RcvSocketBuffer 67108864
		Checksum on
	}
}
General {
	HashSize 65536
	HashLimit 2000000
	LogFile /tmp/ctd-$1.log
	Syslog off
	LockFile /tmp/ctd-$1.lock
	UNIX {
		Path /tmp/ctd-$1.ctl
	}
	NetlinkBufferSize 2097152
	NetlinkBufferSizeMaxGrowth 67108864
	Filter From Userspace {
		Protocol Accept {
			UDP
		}
		Address Ignore {
			IPv4_address 127.0.0.1
			IPv4_address 10.0.9.1
			IPv4_address 10.0.9.2
		}
	}
}
CONF
}

# wait_sock PATH: until PATH is a socket (up to 20 s; a read with a
# time-out as the pause: no process started).
wait_sock() {
	local i
	for i in $(seq 10000); do
		[ -S "$1" ] && return 0
		read -r -t 0.002 -u 9 _ || true
	done
	return 1
}

# mig_modules load|unload: flowstream (accounting on in A and B),
# nf_conntrack with its hooks and ctnetlink, UDP entries kept an hour.
mig_modules() {
	local ko ns
	if [ "$1" = load ]; then
		kload "$FS_KO" acct_enable=0
		for ns in $rt $mb; do
			$FLOWCTL -n $ns config set acct on idle-timeout 3600 \
				active-timeout 3600 max-records "$MAX_RECORDS" >/dev/null
		done
		for ko in $CT_KOS; do
			kload "$ko"
		done
		kload "$CONNTRACK_KO" hashsize="$buckets" enable_hooks=1
		for ko in $CTNL_KOS; do
			kload "$ko"
		done
		nsys - net/netfilter/nf_conntrack_max 2000000
		for ns in $rt $mb; do
			nsys $ns net/netfilter/nf_conntrack_udp_timeout 3600
			nsys $ns net/netfilter/nf_conntrack_udp_timeout_stream 3600
		done
	else
		kunload nf_conntrack_netlink nfnetlink nf_conntrack \
			nf_defrag_ipv6 nf_defrag_ipv4 flowstream
	fi
}

# mig_fs N ROUND: flowstream moves A's N records to B: "migrate receive"
# on B, then "migrate send" of the traffic's sources on A, no --via (no
# idle phase: every record copied at once), timed from its start to its
# end (B has acknowledged every batch by then). Sets fs_ns, fs_wire.
mig_fs() {
	local n=$1 round=$2 t0 t1 tx0 rrc=0 src=0 sent recs a b
	# The records' interfaces, A's r0 and r1: B's m1 (B has no other).
	ip netns exec $mb $FLOWCTL -j migrate receive --listen 10.0.9.2:$mig_port \
		--map-if r0=m1 --map-if r1=m1 --timeout 600 >/tmp/mig.recv 2>/tmp/mig.recv.err &
	local rpid=$!
	for _ in $(seq 200); do
		ip netns exec $mb grep -q ":$(printf %04X $mig_port) 00000000:0000 0A" \
			/proc/net/tcp && break
		sleep 0.05
	done
	sleep 1			# settle: see the top
	tx0=$(m0_tx)
	t0=$(now_ns)
	ip netns exec $rt $FLOWCTL -j migrate send src 10.1.0.0/16 \
		--to 10.0.9.2:$mig_port --timeout 600 >/tmp/mig.send 2>/tmp/mig.send.err || src=$?
	t1=$(now_ns)
	fs_wire=$(($(m0_tx) - tx0))
	fs_ns=$((t1 - t0))
	wait $rpid || rrc=$?
	sent=$(jq -r '"\(.records) \(.records_back) \(.records_lost)"' /tmp/mig.send 2>/dev/null || true)
	recs=$(jq -r .records /tmp/mig.recv 2>/dev/null || true)
	a=$(mig_records $rt)
	b=$(mig_records $mb)
	if [ "$src" = 0 ] && [ "$rrc" = 0 ] && [ "$sent" = "$n 0 0" ] &&
	   [ "$recs" = "$n" ] && [ "$a" = 0 ] && [ "$b" = "$n" ]; then
		ok "mig flowstream $n round $round: $n records moved, A has 0, B $n"
	else
		not_ok "mig flowstream $n round $round: send ($src) '$sent', receive ($rrc) '$recs', A $a, B $b records"
		sed 's/^/# send: /' /tmp/mig.send.err
		sed 's/^/# receive: /' /tmp/mig.recv.err
		fs_ns=0
	fi
}

# mig_ctd N ROUND: conntrackd moves A's N conntrack entries to B. B's
# daemon runs already, its table empty of the traffic; timed from the
# start of A's daemon (which dumps A's table into its cache) and its
# "conntrackd -B" (a bulk send of that cache) until B's kernel table
# holds the N entries, read every 2 ms by a poller in B that starts no
# process. Sets ct_ns, ct_wire.
mig_ctd() {
	local n=$1 round=$2 t0 t1 tx0 base got apid bpid ppid
	ctd_conf a 10.0.9.1 10.0.9.2 m0
	ctd_conf b 10.0.9.2 10.0.9.1 m1
	rm -f /tmp/ctd-[ab].ctl /tmp/ctd-[ab].lock /tmp/ctd-[ab].log /tmp/ctd.done
	# B's table empty (flowctl's connection ended in it), so that no
	# entry of its own leaves it while the poller counts
	ip netns exec $mb conntrack -F 2>/dev/null || true
	ip netns exec $mb conntrackd -C /tmp/ctd-b.conf >/tmp/ctd-b.out 2>&1 &
	bpid=$!
	wait_sock /tmp/ctd-b.ctl || diag "mig ctd: B's conntrackd did not start"
	sleep 1			# settle: see the top
	base=$(ns_count $mb)
	# The poller: B's count at base + N (the link's own entry, if it
	# is made meanwhile, ends the wait one entry early); it gives up
	# when the count has not moved for 20 s.
	ip netns exec $mb bash -c '
		exec 9<>/tmp/ctd.fifo
		last=-1 same=0
		while [ $same -lt 10000 ]; do
			read -r c </proc/sys/net/netfilter/nf_conntrack_count
			[ "$c" -ge "$1" ] && { echo "$EPOCHREALTIME" >/tmp/ctd.done; exit 0; }
			if [ "$c" = $last ]; then
				same=$((same + 1))
			else
				last=$c same=0
			fi
			read -r -t 0.002 -u 9 _
		done
		exit 1' poller $((base + n)) &
	ppid=$!
	tx0=$(m0_tx)
	t0=$(now_ns)
	ip netns exec $rt conntrackd -C /tmp/ctd-a.conf >/tmp/ctd-a.out 2>&1 &
	apid=$!
	wait_sock /tmp/ctd-a.ctl || diag "mig ctd: A's conntrackd did not start"
	ip netns exec $rt conntrackd -C /tmp/ctd-a.conf -B || diag "mig ctd: conntrackd -B failed"
	if wait $ppid; then
		t1=$(epoch_ns "$(<"/tmp/ctd.done")")
		ct_ns=$((t1 - t0))
	else
		ct_ns=0
	fi
	ct_wire=$(($(m0_tx) - tx0))
	got=$(ip netns exec $mb conntrack -L -p udp --dport 9 2>/dev/null | grep -c 'src=10\.1\.' || true)
	if [ "$ct_ns" -gt 0 ] && [ "$got" = "$n" ]; then
		ok "mig conntrackd $n round $round: B's table has the $n entries"
	else
		not_ok "mig conntrackd $n round $round: B's table has $got entries of $n (count $(ns_count $mb), base $base)"
		kill -0 $apid 2>/dev/null || diag "mig ctd: A's conntrackd has ended"
		kill -0 $bpid 2>/dev/null || diag "mig ctd: B's conntrackd has ended"
		ip netns exec $rt conntrackd -C /tmp/ctd-a.conf -s 2>&1 | sed 's/^/# conntrackd -s A: /' || true
		ip netns exec $mb conntrackd -C /tmp/ctd-b.conf -s 2>&1 | sed 's/^/# conntrackd -s B: /' || true
		ip netns exec $mb conntrack -L 2>&1 | head -n 5 | sed 's/^/# B: /' || true
		sed 's/^/# conntrackd A: /' /tmp/ctd-a.log /tmp/ctd-a.out 2>/dev/null || true
		sed 's/^/# conntrackd B: /' /tmp/ctd-b.log /tmp/ctd-b.out 2>/dev/null || true
		ct_ns=0
	fi
	kill $apid $bpid 2>/dev/null || true
	wait $apid $bpid 2>/dev/null || true
}

# mig_measure N ROUND: N flows through A (records and conntrack entries),
# then flowstream's migration of the records and conntrackd's of the
# entries; "bench mig N ROUND FS_NS FS_WIRE CT_NS CT_WIRE" (wire: bytes
# A sent on the link meanwhile).
mig_measure() {
	local n=$1 round=$2 a
	mig_modules load
	flows "$n"
	# Not timed: packets that the receive backlog could not take (the
	# kernel deferring receive work to ksoftirqd, pktgen running ahead)
	# are sent again, the flows already there only counted once more.
	local try
	for try in 1 2 3; do
		send "$n"
		a="$(records flowstream "$n") $(ns_count $rt)"
		[ "$a" != "$n $n" ] || break
		diag "mig $n round $round: A has $a records and conntrack entries after pktgen's run $try, sent again"
	done
	if [ "$a" != "$n $n" ]; then
		not_ok "mig $n round $round: A has $a records and conntrack entries, not $n"
	else
		mig_fs "$n" "$round"
		mig_ctd "$n" "$round"
		if [ "$round" = 0 ]; then
			diag "warm-up, not reported: mig $n: flowstream $fs_ns ns, conntrackd $ct_ns ns"
		elif [ "$fs_ns" -gt 0 ] && [ "$ct_ns" -gt 0 ]; then
			echo "bench mig $n $round $fs_ns $fs_wire $ct_ns $ct_wire"
		fi
	fi
	mig_modules unload
}

meminfo() {
	awk -v k="$1:" '$1 == k { print $2 * 1024 }' /proc/meminfo
}

topology
nsys - net/core/netdev_max_backlog 10000
diag "guest: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, $(($(meminfo MemTotal) >> 20)) MiB"

# flowstream's bucket count for MAX_RECORDS sizes every variant's table.
setup flowstream
teardown flowstream
diag "hash buckets for every variant: $buckets"

# Throughput: each round measures every variant.
# (without the part, not even its warm-up round)
[[ $parts == *" main "* ]] || rounds=-1
for round in $(seq 0 "$rounds"); do
	for v in "${variants[@]}"; do
		setup "$v"
		for n in "${flowcounts[@]}"; do
			measure "$v" "$n" "$round"
		done
		teardown "$v"
	done
done

if [[ $parts == *" smp "* ]]; then
	# Sampling, in blocks that switch between a baseline and the variants
	# without loading modules: the sampler's hooks come and go with "enable",
	# the prefix set only grows (10, then 1,000, then 10,000).
	kload "$FS_KO" acct_enable=0
	$FLOWCTL -n $rt config set idle-timeout 3600 active-timeout 3600 >/dev/null
	$FLOWCTL -n $rt sampler set mode random key src max-prefixes 16384 max-counters 262144
	smp_prefixes 10
	block off-10 "smp_state off off" smp-r1-10 "smp_state 1 off" \
		smp-r100-10 "smp_state 100 off"
	smp_prefixes 1000
	block off-1k "smp_state off off" smp-r100-1k "smp_state 100 off" \
		smp-r16M-1k "smp_state 16777216 off" acct-1k "smp_state off on" \
		noop-smp "smp_state off off nop"
	hooks smp-r16M+acct "smp_state 16777216 on"
	# Deterministic 1 in 100 here: in random mode the number of sampled
	# calls among 200,000 varies by about 1% from one repetition to the
	# next, and with it the cost per call.
	hooks smp-r100 "smp_det 100"
	$FLOWCTL -n $rt sampler set mode random
	hooks smp-r1 "smp_state 1 off"
	smp_state off off
	smp_prefixes 10000
	block off-10k "smp_state off off" smp-r1-10k "smp_state 1 off" \
		smp-r100-10k "smp_state 100 off"
	smp_state 1 off
	diag "sampler with 10,000 prefixes: $($FLOWCTL -n $rt sampler show | tr '\n' ' ')"
	teardown flowstream
	setup tc-sample
	block tc-off "tc_state off" tc-sample "tc_state on"
	teardown tc-sample
	setup nft-numgen
	block nft-off "nft_state off" nft-numgen "nft_state on"
	hooks nft-numgen "nft_state on"
	nft_state off
	teardown nft-numgen
fi

if [[ $parts == *" fos "* ]]; then
	# FlowOS against NFQUEUE, and the classifier's cost with 1, 10, 100
	# and 1,000 flows: every variant set up afresh (flows added, the
	# program started) for each of its measurements.
	fos_modules load
	drain=1
	tag=fos smp_rounds=$fos_rounds smp_pkts=$fos_pkts block none "fos_state none" \
		fos-flow "fos_state fos-flow" fos-merge "fos_state fos-merge" \
		fos-count "fos_state fos-count" \
		nfq-count "fos_state nfq-count" nfq-scan "fos_state nfq-scan" \
		cls-1 "fos_state cls-1" cls-10 "fos_state cls-10" \
		cls-100 "fos_state cls-100" cls-1k "fos_state cls-1k"
	fos_state none
	fos_modules unload
	drain=0
fi

if [[ $parts == *" fostcp "* ]]; then
	# FlowOS's TCP stream, match and the pipeline against NFQUEUE, with
	# real TCP: every variant set up afresh for each transfer, the order
	# reversed every other round (as the blocks above).
	fos_modules load tcp
	tcp_topology on
	# shellcheck disable=SC2206
	tcp_variants=(${BENCH_TCP_VARIANTS:-none fos-tcp fos-match nfq-scan fos-pipe nfq-count})
	for k in $(seq 0 "$fos_rounds"); do
		for i in $(seq 0 $((${#tcp_variants[@]} - 1))); do
			[ $((k % 2)) = 1 ] || i=$((${#tcp_variants[@]} - 1 - i))
			tcp_state "${tcp_variants[$i]}"
			tcp_measure "${tcp_variants[$i]}" "$k"
		done
	done
	tcp_state none
	tcp_topology off
	fos_modules unload
fi

if [[ $parts == *" fosmem "* ]]; then
	# FlowOS's memory per session and its threads: one flow with count
	# attached takes 100,000 UDP sessions (one packet each); slab growth
	# over the live sessions, after the held packets have left, is what a
	# session costs (its entry, count's state, the stream's bookkeeping).
	# Threads: every "flowstream/" kernel thread, against the CPU count.
	fos_modules load
	flows 100000
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 2
	$FLOWCTL -n $rt flow add all idle-timeout 3600 max-sessions 131072 \
		max-held 65536 max-held-bytes 268435456 >/dev/null
	$FLOWCTL -n $rt pm attach all count >/dev/null
	slab0=$(meminfo Slab)
	drain=1
	send 100000
	drain=0
	sleep 2
	slab1=$(meminfo Slab)
	sess=$($FLOWCTL -n $rt -j flow show | jq -r '.[] | select(.name == "all") | .stats.sessions')
	held=$($FLOWCTL -n $rt -j flow show | jq -r '.[] | select(.name == "all") | .stats.held')
	thr=$(cat /proc/[0-9]*/comm 2>/dev/null | grep -c '^flowstream/')
	echo "bench fosmem $sess $((slab1 - slab0)) $thr $(nproc) $held"
	if [ "$sess" = 100000 ] && [ "$held" = 0 ]; then
		ok "fosmem: 100000 sessions, nothing held"
	else
		not_ok "fosmem: $sess sessions and $held packets held, not 100000 and 0"
	fi
	$FLOWCTL -n $rt flow del all
	fos_modules unload
	flows 1000
fi

if [[ $parts == *" mig "* ]]; then
	# State migration: flowstream's records against conntrackd's
	# entries, N of each (BENCH_MIG_STATES), every N in every round.
	mig_topology
	mkfifo /tmp/ctd.fifo
	exec 9<>/tmp/ctd.fifo
	# shellcheck disable=SC2206
	mig_states=(${BENCH_MIG_STATES:-1000 10000 100000})
	for k in $(seq 0 "$fos_rounds"); do
		for n in "${mig_states[@]}"; do
			mig_measure "$n" "$k"
		done
	done
	exec 9<&-
	ip netns del $mb
	flows 1000
fi

if [[ $parts == *" mem "* ]]; then
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
		live=$(records "$v" 0)
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
fi

kunload pktgen
ip netns del $rt
ip netns del $sk
echo "1..$tap_n"
[ $tap_failed -eq 0 ]
