#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# FlowOS limits: a session's held packets, a flow's sessions and the
# packets held in the namespace are bounded; past a bound each flow's policy drops or bypasses the packet,
# and every packet is accounted for: taken = sent on + given up (by
# reason) + held, and the server receives exactly what was sent on or
# bypassed (nft's count).
source "$(dirname "$0")/lib.sh"
fs_require_module
fos_modprobe

k=${FS_FOS_FLOOD:-3000}

topo_router fl
ip netns exec fls nft -f - <<'NFT'
table inet fsl {
	chain inc {
		type filter hook input priority 0; policy accept;
		udp dport 5201 counter comment "rx"
	}
}
NFT
ip netns exec flc nft -f - <<'NFT'
table inet fsl {
	chain inc {
		type filter hook input priority 0; policy accept;
		udp sport 5201 counter comment "rx"
	}
}
NFT
# rx: UDP packets of the test received, at the server and at the client
# (iperf3's server answers each stream's first datagram).
rx() {
	echo $(( $(ip netns exec fls nft -j list table inet fsl | nft_counter rx packets) +
		 $(ip netns exec flc nft -j list table inet fsl | nft_counter rx packets) ))
}
ip netns exec fls iperf3 -s -D -p 5201
port_wait fls tcp6 5201 || diag "iperf3 did not start"

# flood FLOW [IPERF3 OPTIONS]: UDP datagrams as fast as the client can.
flood() {
	ip netns exec flc iperf3 -c 10.2.0.2 -p 5201 -u -b 0 -l 64 -k "$k" \
		"$@" >/dev/null
	sleep 1
}

for policy in drop bypass; do
	$FLOWCTL -n flr flow add lim proto udp policy $policy \
		max-session-held 1 idle-timeout 3600 >/dev/null
	$FLOWCTL -n flr pm attach lim count >/dev/null
	r0=$(rx)
	flood
	given=$(fos_stat flr lim ${policy}_held)
	check "policy $policy: packets over max-session-held given up ($given)" \
		test "$given" -gt 0
	check_eq "policy $policy: counters add up" 0 "$(fos_balance flr lim)"
	check_eq "policy $policy: nothing held once the flood is over" 0 \
		"$(fos_stat flr lim held)"
	if [ $policy = drop ]; then
		exp=$(fos_stat flr lim packets_out)
	else
		exp=$(( $(fos_stat flr lim packets_out) + given ))
	fi
	check_eq "policy $policy: the hosts got what was sent on or bypassed" \
		"$exp" $(( $(rx) - r0 ))
	check_eq "policy $policy: the other reason stays zero" 0 \
		"$(fos_stat flr lim $([ $policy = drop ] && echo bypass || echo drop)_held)"
	$FLOWCTL -n flr flow del lim
done

# The namespace's limit over all its flows (config fos-max-held): room for
# one packet, the flow's own limits far above.
$FLOWCTL -n flr config set fos-max-held 1 >/dev/null
check_eq "config: the namespace's fos-max-held" "fos-max-held 1" \
	"$($FLOWCTL -n flr config show | grep '^fos-max-held ')"
$FLOWCTL -n flr flow add lim proto udp idle-timeout 3600 >/dev/null
$FLOWCTL -n flr pm attach lim count >/dev/null
r0=$(rx)
flood
given=$(fos_stat flr lim drop_held)
check "namespace fos-max-held: packets over it given up ($given)" \
	test "$given" -gt 0
check_eq "namespace fos-max-held: counters add up" 0 "$(fos_balance flr lim)"
check_eq "namespace fos-max-held: the hosts got what was sent on" \
	"$(fos_stat flr lim packets_out)" $(( $(rx) - r0 ))
$FLOWCTL -n flr flow del lim
out=$($FLOWCTL -n flr config set fos-max-held 0 2>&1)
check_eq "fos-max-held 0: exit 1" 1 $?
check_match "... with the kernel's message" "^Error: " "$out"
check_eq "... and nothing changed" "fos-max-held 1" \
	"$($FLOWCTL -n flr config show | grep '^fos-max-held ')"
$FLOWCTL -n flr config set fos-max-held 65536 fos-max-held-bytes 67108864 >/dev/null
check_eq "config: the limits back at their defaults" \
	"fos-max-held 65536 fos-max-held-bytes 67108864" \
	"$($FLOWCTL -n flr config show | grep '^fos-max-held' | tr '\n' ' ' | sed 's/ $//')"

# max-sessions: four parallel streams, room for two sessions.
for policy in drop bypass; do
	$FLOWCTL -n flr flow add lim proto udp policy $policy max-sessions 2 \
		idle-timeout 3600 >/dev/null
	r0=$(rx)
	flood -P 4 2>/dev/null
	given=$(fos_stat flr lim ${policy}_sessions)
	check "policy $policy: packets of sessions over max-sessions given up ($given)" \
		test "$given" -gt 0
	check_eq "policy $policy: two sessions live" 2 "$(fos_stat flr lim sessions)"
	check_eq "policy $policy: counters add up (sessions)" 0 "$(fos_balance flr lim)"
	if [ $policy = drop ]; then
		exp=$(fos_stat flr lim packets_out)
	else
		exp=$(( $(fos_stat flr lim packets_out) + given ))
	fi
	check_eq "policy $policy: the hosts got what was sent on (sessions)" \
		"$exp" $(( $(rx) - r0 ))
	$FLOWCTL -n flr flow del lim
done

# Idle sessions end: a 10 s idle-timeout. The ping runs for 4 s with
# echoes 0.2 s apart, so its session lives while it runs (a loaded debug
# guest must not end it between two echoes, nor between the ping's end
# and the check, which reads both counters at once: a CI run on a host
# loaded with four VMs once took over 5 s for the two reads it made) and
# ends after it.
$FLOWCTL -n flr flow add idle proto icmp idle-timeout 10 >/dev/null
$FLOWCTL -n flr pm attach idle count >/dev/null
ip netns exec flc ping -c 20 -i 0.2 -q 10.2.0.2 >/dev/null &
pingpid=$!
for i in $(seq 50); do
	[ "$(fos_stat flr idle sessions_created)" = 1 ] && break
	sleep 0.1
done
check_eq "a ping session lives" 1 "$(fos_stat flr idle sessions)"
wait $pingpid
check_eq "it lives as long as the ping: one session for 20 echoes" "1 0" \
	"$($FLOWCTL -n flr -j flow show | jq -r '.[] | select(.name == "idle") |
		"\(.stats.sessions_created) \(.stats.sessions_ended)"')"
for i in $(seq 125); do
	[ "$(fos_stat flr idle sessions)" = 0 ] && break
	sleep 0.2
done
check_eq "it ends when idle" 0 "$(fos_stat flr idle sessions)"
check_eq "ended sessions are counted" 1 "$(fos_stat flr idle sessions_ended)"
check_eq "the attachment holds no session state" 0 \
	"$($FLOWCTL -n flr -j pm show idle | jq '.[0].stats.sessions')"
$FLOWCTL -n flr flow del idle
check "count's module unloads once its flows are gone" rmmod flowstream_pm_count
tap_done
