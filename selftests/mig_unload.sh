#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# State migration torn down under traffic. While A daisy-chains a stream's
# packets to B (a "migrate send --via" in its idle phase): unloading
# flowstream is clean, the send fails and says so, B's receiver ends, the
# stream loses nothing and the module loads again; then, with a send
# killed its migration goes (the kernel takes it back), and with a
# migration without an owner daisy-chaining, deleting A's namespace is
# clean and its state goes. The VM checks the console for
# splats (and the debug kernel for leaks) after the test. The topology is
# mig_lib.sh's.
# A numbered stream whose record on A predates the migration (so A keeps
# forwarding it itself) runs across the unload: it must lose nothing, and
# get nothing twice or out of order.
source "$(dirname "$0")/lib.sh"
fs_require_module

UDPSEQ=${UDPSEQ:-$FS_REPO/selftests/tools/fs-udpseq}
[ -x "$UDPSEQ" ] || skip_all "selftest tools not built (make -C ctl nlraw)"
[ -n "${FS_KO:-}" ] && [ -f "$FS_KO" ] || skip_all "FS_KO (flowstream.ko to load again) not set"
# Datagrams of the stream, 2 ms apart: it must outlast the start of the
# send (flowctl starts slowly on the debug kernel, which sets 30000).
N=${FS_MIG_UNLOAD_PACKETS:-10000}

source "$(dirname "$0")/mig_lib.sh"

tmp=$(mktemp -d)
# pms_unload: processing modules an earlier test loaded hold flowstream
# (each uses its symbols). One still attached in a namespace that test
# deleted goes only once the namespace's teardown has detached it, which
# can take seconds on the debug kernel: try each for up to 60 s.
pms_unload() {
	local m _

	for m in $(awk '/^flowstream_pm_/ { print $1 }' /proc/modules); do
		for _ in $(seq 600); do
			rmmod "$m" 2>/dev/null && break
			sleep 0.1
		done
		grep -q "^$m " /proc/modules && diag "cannot unload $m"
	done
	[ "$(cat /sys/module/flowstream/refcnt)" = 0 ] ||
		diag "flowstream still held: refcnt $(cat /sys/module/flowstream/refcnt)"
}
chained() {	# NETNS: packets its migration chained, from procfs
	ip netns exec "$1" awk 'NR == 2 { print $3 }' /proc/net/flowstream/migrations
}
# wait_gone PID SECONDS: until PID has exited, at most SECONDS.
wait_gone() {
	local _
	for _ in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}
# chain_start NAME IDLE_MS: a receiver on B and a daisy-chaining send on A
# of the server's prefix, until A chains packets of the stream.
chain_start() {
	ip netns exec mgb $FLOWCTL -j migrate receive --listen 10.4.0.2:7000 \
		>"$tmp/$1.recv" 2>"$tmp/$1.recv.err" &
	recv_pid=$!
	port_wait mgb tcp 7000 || diag "the receiver did not start"
	ip netns exec mga $FLOWCTL -j migrate send dst 10.2.0.0/24 \
		--to 10.4.0.2:7000 --via 10.4.0.2 --idle-max "$2" \
		>"$tmp/$1.send" 2>"$tmp/$1.send.err" &
	send_pid=$!
	mig_wait_added mga || diag "A has not added the migration after 10 s"
	for _ in $(seq 100); do
		[ "$(chained mga)" -gt 0 ] 2>/dev/null && return 0
		sleep 0.1
	done
	diag "A chained nothing in 10 s"
}

pms_unload

# The stream starts before the migration: its record on A is live, so A
# forwards it itself.
ip netns exec mgs "$UDPSEQ" recv 5300 "$N" 10 >"$tmp/seq" &
seq_pid=$!
port_wait mgs udp6 5300 || diag "the receiver did not start"
ip netns exec mgc taskset -c 0 "$UDPSEQ" send 10.2.0.2 5300 "$N" 2000 &
gen_pid=$!
for _ in $(seq 100); do
	[ "$($FLOWCTL -n mga -j records |
	     jq '[.[] | select(.dport == 5300 and .packets >= 10)] | length')" = 1 ] &&
		break
	sleep 0.1
done
# New flows during the idle phase (a source port each), chained to B.
ip netns exec mgs "$UDPSEQ" recv 5401 1000000 120 >/dev/null &
sink_pid=$!
port_wait mgs udp6 5401 || diag "the sink did not start"
flows() {	# keep starting short flows, one a 100 ms
	local i=0
	while :; do
		"$UDPSEQ" send 10.2.0.2 5401 3 0 $((30000 + i % 20000))
		i=$((i + 1))
		sleep 0.1
	done
}
export -f flows
export UDPSEQ
ip netns exec mgc bash -c flows &
flows_pid=$!

# 1. rmmod while A daisy-chains and its send is in the idle phase.
chain_start unload 60000
c=$(chained mga)
check "unload: A daisy-chains new flows to B ($c packets)" test "$c" -gt 0
echo "mig_unload: rmmod while daisy-chaining" >/dev/kmsg
check "unload: rmmod flowstream while A daisy-chains" rmmod flowstream
wait_gone "$send_pid" 60 || diag "the send did not end in 60 s"
wait "$send_pid"
check_eq "unload: migrate send fails" 1 "$?"
sed 's/^/# unload send: /' "$tmp/unload.send.err"
check_match "unload: and says why" "the flowstream module went away" \
	"$(cat "$tmp/unload.send.err")"
wait_gone "$recv_pid" 30 || { diag "B's receiver still waits: stopped"; kill "$recv_pid"; }
wait "$recv_pid"
check "unload: B's receiver ends, failing (A gave it up)" test "$?" -ne 0
sed 's/^/# unload receive: /' "$tmp/unload.recv.err"
check "unload: and load again" insmod "$FS_KO"
kill -0 "$gen_pid" 2>/dev/null ||
	diag "the stream ended before the unload: make FS_MIG_UNLOAD_PACKETS larger"
wait "$gen_pid"
wait "$seq_pid"
check_eq "unload: the stream across it lost nothing, nothing twice or out of order" \
	"received=$N lost=0 dup=0 reordered=0" "$(cat "$tmp/seq")"
for ns in mga mgb; do
	$FLOWCTL -n $ns config set acct on idle-timeout 600 fin-timeout 300 ||
		diag "cannot turn accounting on in $ns"
done

# 2. A's namespace deleted while a migration daisy-chains. A send killed
# (SIGKILL) cannot delete its migration: the kernel does when the send's
# socket closes (an owned migration), and A forwards the set itself
# again. A migration added without an owner (fs-nlraw's MIG_ADD) stays
# and daisy-chains until deleted: A's namespace is deleted under it.
chain_start netns 600000
kill -KILL "$send_pid"
wait "$send_pid" 2>/dev/null
for _ in $(seq 100); do
	[ "$($FLOWCTL -n mga -j migrate show | jq length)" = 0 ] && break
	sleep 0.1
done
check_eq "netns: the killed send's migration went with its socket" 0 \
	"$($FLOWCTL -n mga -j migrate show | jq length)"
out=$($NLRAW -n mga 24 nest:19 nest:3 1:u8:2 2:bin:0a020000 3:u8:24 end \
	9:bin:0a040002 end)
check_eq "netns: a migration without an owner is added" 'errno=0 extack=""' "$out"
check_eq "netns: and stays after the socket that added it closed" 1 \
	"$($FLOWCTL -n mga -j migrate show | jq length)"
c=$(chained mga)
sleep 1
check "netns: and daisy-chains on ($c, then $(chained mga) packets)" \
	test "$(chained mga)" -gt "$c"
tables=$(cat /sys/module/flowstream/parameters/acct_tables)
echo "mig_unload: ip netns del while daisy-chaining" >/dev/kmsg
check "netns: ip netns del of A while it daisy-chains" ip netns del mga
for _ in $(seq 100); do
	[ "$(cat /sys/module/flowstream/parameters/acct_tables)" -lt "$tables" ] && break
	sleep 0.1
done
check "netns: A's state is gone (sysfs acct_tables $tables, now $(cat /sys/module/flowstream/parameters/acct_tables))" \
	test "$(cat /sys/module/flowstream/parameters/acct_tables)" -lt "$tables"
kill "$recv_pid" 2>/dev/null
wait "$recv_pid" 2>/dev/null

kill "$flows_pid" 2>/dev/null
wait "$flows_pid" 2>/dev/null
kill "$sink_pid" 2>/dev/null
wait "$sink_pid" 2>/dev/null
rm -rf "$tmp"
tap_done
