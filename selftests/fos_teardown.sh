#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# FlowOS teardown while traffic flows and packets are held: a flow
# deleted, the output device deleted, the router's namespace deleted, a PM
# module unloaded (refused while attached), flowstream unloaded with
# flows. The harness fails the run on any splat or leak; the counters
# still add up where the flow survives.
source "$(dirname "$0")/lib.sh"
fs_require_module
fos_modprobe

secs=${FS_FOS_SECS:-3}

# flood NS ADDR: UDP from the client for $secs seconds, in the background.
# When the path goes (a device or a namespace deleted), iperf3's client
# may wait for its server's results over a control connection that can
# no longer get through: it is killed after 10 more seconds.
flood() {
	ip netns exec "$1" timeout -s KILL $((secs + 10)) \
		iperf3 -c "$2" -p 5201 -u -b 0 -l 200 -t "$secs" >/dev/null 2>&1 &
}

topo_router fd
ip netns exec fds iperf3 -s -D -p 5201
port_wait fds tcp6 5201 || diag "iperf3 did not start"

# A flow deleted under traffic.
$FLOWCTL -n fdr flow add all idle-timeout 3600 >/dev/null
$FLOWCTL -n fdr pm attach all count >/dev/null
flood fdc 10.2.0.2
sleep 1
check "PM module unload refused while attached" \
	bash -c '! rmmod flowstream_pm_count 2>/dev/null'
check "flow deleted under traffic" $FLOWCTL -n fdr flow del all
wait
check_eq "no flow left" 0 "$($FLOWCTL -n fdr -j flow show | jq length)"
check "PM module unloads once its flow is gone" rmmod flowstream_pm_count

# The output device deleted under traffic, packets held.
$FLOWCTL -n fdr flow add all idle-timeout 3600 >/dev/null
$FLOWCTL -n fdr pm attach all count >/dev/null
flood fdc 10.2.0.2
sleep 1
ip -n fdr link del rs
wait
sleep 1
check_eq "device deleted: nothing held" 0 "$(fos_stat fdr all held)"
check_eq "device deleted: counters add up" 0 "$(fos_balance fdr all)"
check "device deleted: the flow still answers" $FLOWCTL -n fdr flow show all

# The router's namespace deleted under traffic.
topo_router fe
ip netns exec fes iperf3 -s -D -p 5201
port_wait fes tcp6 5201 || diag "iperf3 did not start"
$FLOWCTL -n fer flow add all idle-timeout 3600 >/dev/null
$FLOWCTL -n fer pm attach all count >/dev/null
flows=$(cat /sys/module/flowstream/parameters/fos_flows)
flood fec 10.2.0.2
sleep 1
check "router namespace deleted under traffic" ip netns del fer
wait
for i in $(seq 50); do
	[ "$(cat /sys/module/flowstream/parameters/fos_flows)" -lt "$flows" ] && break
	sleep 0.2
done
check "its flow is gone from the module's sums" \
	test "$(cat /sys/module/flowstream/parameters/fos_flows)" -lt "$flows"

# A flow with more sessions than the idle reaper ends in one pass (1024
# batches of 64): deleting it ends every one of them (each holds the flow,
# and one left behind would keep flowstream from unloading). trafgen sends
# one UDP packet per session: 5 source addresses and 64,512 source ports
# step together, distinct for 322,560 packets. Packets a full backlog lost
# make no session; the counts are the namespace's sums.
$FLOWCTL -n fdr flow del all
topo_router fm
many=${FS_FOS_MANY:-70000}
$FLOWCTL -n fmr flow add many proto udp idle-timeout 3600 \
	max-sessions $((many + 1024)) >/dev/null
mac=$(ip netns exec fmr cat /sys/class/net/rc/address)
cat >/tmp/fos_many.conf <<CONF
{
	eth(da=$mac, type=0x0800),
	ipv4(saddr=dinc(167837698, 167837702), daddr=10.2.0.2, ttl=64),
	udp(sp=dinc(1024, 65535), dp=9),
	fill(0x00, 18)
}
CONF
old_backlog=$(sysctl -n net.core.netdev_max_backlog)
sysctl -qw net.core.netdev_max_backlog=100000
created0=$(fos_proc fmr sessions_created)
ended0=$(fos_proc fmr sessions_ended)
check "trafgen sends $many packets of distinct sessions" \
	ip netns exec fmc bash -c "cd /tmp && trafgen -q --dev cr \
		--conf /tmp/fos_many.conf -n $many --cpus 1 >/dev/null 2>&1"
n=-1
for _ in $(seq 50); do
	[ "$n" = "$(fos_stat fmr many sessions)" ] && break
	n=$(fos_stat fmr many sessions)
	sleep 0.2
done
sysctl -qw net.core.netdev_max_backlog="$old_backlog"
created=$(($(fos_proc fmr sessions_created) - created0))
check "sessions were made ($created)" test "$created" -gt 0
check_eq "every session made is live" "$created" \
	"$(fos_stat fmr many sessions)"
[ "$many" -le 65536 ] ||
	check "more than 65,536 of them ($created)" test "$created" -gt 65536
check "the flow with them deleted" $FLOWCTL -n fmr flow del many
check_eq "deleting it ended every session" "$created" \
	"$(($(fos_proc fmr sessions_ended) - ended0))"
rm -f /tmp/fos_many.conf

# flowstream unloaded with flows (without PMs) under traffic.
rmmod flowstream_pm_count 2>/dev/null
topo_router fg
ip netns exec fgs iperf3 -s -D -p 5201
port_wait fgs tcp6 5201 || diag "iperf3 did not start"
$FLOWCTL -n fgr flow add all >/dev/null
flood fgc 10.2.0.2
sleep 1
check "flowstream unloads with a flow under traffic" rmmod flowstream
wait
check "flowstream loads again" insmod "$FS_KO"
check "traffic passes after" ip netns exec fgc ping -c 2 -q 10.2.0.2
tap_done
