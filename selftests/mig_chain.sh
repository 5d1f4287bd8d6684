#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# State migration with daisy-chaining (the idle phase): "migrate send
# --via" makes A send every forwarded packet of the set that has no flow
# record on A to B, over the link they share. Flows that start during the
# idle phase get their records on B only; after the export the long flows'
# packets follow them to B through A, until the switch's rule moves and
# the migration is deleted. A's and B's records together count what nft
# counted on the path (A's records that ended before the export too, as
# "monitor" reports them), A's mig_chained is what B received from A, and
# the receivers see no loss, duplicate or reordering. The idle phase ends
# by rate (--idle-rate): short flows that run until A has added the
# migration, then stop, end on A in it (A's idle-timeout is 3 s), then the
# states left stop falling, and it ends well before --idle-max. (They stop
# only once the phase has begun: a slow debug guest took longer than their
# idle-timeout to start it.) The topology is mig_lib.sh's.
source "$(dirname "$0")/lib.sh"
fs_require_module

UDPSEQ=${UDPSEQ:-$FS_REPO/selftests/tools/fs-udpseq}
TCPPAT=${TCPPAT:-$FS_REPO/selftests/tools/fs-tcppat}
[ -x "$UDPSEQ" ] && [ -x "$TCPPAT" ] || skip_all "selftest tools not built (make -C ctl nlraw)"
N=${FS_MIG_PACKETS:-8000}	# datagrams of each numbered stream, 1 ms apart
IDLE=${FS_MIG_IDLE_FLOWS:-30}	# short flows in the idle phase, 3 datagrams each
SHORT=${FS_MIG_SHORT_FLOWS:-5}	# short flows just before it, that end on A in it

source "$(dirname "$0")/mig_lib.sh"

tmp=$(mktemp -d)
ip netns exec mgs "$UDPSEQ" recv 5401 100000 600 >/dev/null &
ip netns exec mgs "$UDPSEQ" recv 5400 100000 600 >/dev/null &
port_wait mgs udp6 5401 && port_wait mgs udp6 5400 || diag "a sink did not start"
# A's records that end (idle-timeout 3 s there), for the accounting.
$FLOWCTL -n mga config set idle-timeout 3 || diag "cannot set A's idle-timeout"
$FLOWCTL -n mga -j monitor >"$tmp/ended" 2>"$tmp/ended.err" &
mon_pid=$!
mig_streams_start

set4='(.src | startswith("10.2.0.")) or (.dst | startswith("10.2.0."))'
set6='(.src | startswith("fd02::")) or (.dst | startswith("fd02::"))'
set_records() {	# NETNS: records of the migrated set
	$FLOWCTL -n "$1" -j records | jq "[.[] | select($set4 or $set6)] | length"
}

# B waits through A's idle phase (A's HELLO gives --idle-max) on top of
# its own --timeout (the default, 10 s).
ip netns exec mgb $FLOWCTL -j migrate receive --listen 10.4.0.2:7000 \
	>"$tmp/recv" 2>"$tmp/recv.err" &
recv_pid=$!
port_wait mgb tcp 7000 || diag "the receiver did not start"
# Short flows before the idle phase, a datagram every 200 ms each, until A
# has added the migration; their records then end on A 3 to 4 s after
# their last datagram, in the phase's first window (15 s).
short_pids=()
for _ in $(seq "$SHORT"); do
	ip netns exec mgc "$UDPSEQ" send 10.2.0.2 5400 100000 200000 &
	short_pids+=($!)
done
for _ in $(seq 100); do
	[ "$($FLOWCTL -n mga -j records |
	     jq '[.[] | select(.proto == 17 and .dport == 5400)] | length')" = "$SHORT" ] &&
		break
	sleep 0.1
done
ip netns exec mga $FLOWCTL -j migrate send dst 10.2.0.0/24 fd02::/64 \
	src 10.2.0.0/24 fd02::/64 --to 10.4.0.2:7000 --batch 8 \
	--via 10.4.0.2 --via fd04::2 --idle-max 45000 --idle-rate 1 --idle-window 15000 \
	>"$tmp/send" 2>"$tmp/send.err" &
send_pid=$!
# The idle phase: flows that start now have their records on B only.
mig_wait_added mga || diag "A has not added the migration after 10 s"
kill "${short_pids[@]}" 2>/dev/null
wait "${short_pids[@]}" 2>/dev/null
ip netns exec mgc bash -c "for i in \$(seq $IDLE); do
	\"$UDPSEQ\" send 10.2.0.2 5401 3 0; done"
check_eq "no flow that started in the idle phase has a record on A" 0 \
	"$($FLOWCTL -n mga -j records | jq '[.[] | select(.dport == 5401)] | length')"
wait $send_pid
check_eq "migrate send succeeded" 0 "$?"
sed 's/^/# send: /' "$tmp/send.err"
idle=$(jq -r '"\(.idle_end) \(.idle_ms) \(.idle_states_start) \(.idle_states_end)"' "$tmp/send")
read -r idle_end idle_ms idle_start idle_left <<<"$idle"
# By rate; or empty where the streams' records ended in it too (a fast
# guest ends the 8,000 datagrams within the window).
check "the idle phase ended by the states left: $idle_end (rate or empty)" \
	test "$idle_end" = rate -o "$idle_end" = empty
check "it ended before --idle-max, by rate after a window ($idle_ms ms)" \
	test "$idle_ms" -lt 45000 -a \( "$idle_end" = empty -o "$idle_ms" -ge 15000 \)
check "states of the set ended on A in it ($idle_start, then $idle_left)" \
	test "$idle_left" -lt "$idle_start"
show=$($FLOWCTL -n mga -j migrate show)
check_eq "the migration stays, daisy-chaining through both next hops" \
	'1 ["10.4.0.2","fd04::2"]' "$(echo "$show" | jq -c -r '"\(length) \(.[0].via)"')"
check_eq "after the export A has no record of the set: its packets go to B" \
	0 "$(set_records mga)"
sleep 1	# the streams go on through A to B
check "A chains the streams ($(stat_value mig_chained mga) packets)" \
	test "$(stat_value mig_chained mga)" -gt "$IDLE"
check_eq "and creates no record of the set" 0 "$(set_records mga)"
check_eq "every next hop had a route" 0 "$(stat_value mig_chain_noroute mga)"

mig_route_to_b
sleep 0.5	# what A still chains arrives at B
id=$(echo "$show" | jq '.[0].id')
check "migrate del $id: A stops daisy-chaining" $FLOWCTL -n mga migrate del "$id"
check_eq "A has no migration left" 0 "$($FLOWCTL -n mga -j migrate show | jq length)"
check "migrate del of a deleted migration fails" \
	bash -c "! $FLOWCTL -n mga migrate del $id 2>/dev/null"
wait $recv_pid
check_eq "migrate receive succeeded" 0 "$?"
sed 's/^/# receive: /' "$tmp/recv.err"
check_eq "B imported what A sent" \
	"$(jq -r '"\(.records) \(.packets) \(.bytes)"' "$tmp/send")" \
	"$(jq -r '"\(.records) \(.packets) \(.bytes)"' "$tmp/recv")"

mig_streams_check
sleep 0.5
kill $mon_pid
wait $mon_pid
# A's records that ended (idle, eof; those handed out are not reported).
ended_sum() {	# JQ_CONDITION
	jq -s "[.[] | select(.packets != null and ($1)) | .packets] | add // 0" "$tmp/ended"
}

check_eq "B counted what A chained (nft on B: from A)" \
	"$(nft_get mgb from_a)" "$(stat_value mig_chained mga)"
check "the short flows' records ended on A ($(ended_sum '.proto == 17 and .dport == 5400') packets)" \
	test "$(ended_sum '.proto == 17 and .dport == 5400')" -gt 0
check_eq "the idle phase's flows: all their packets on B's records" \
	"$(nft_get mgr idle) $((3 * IDLE))" \
	"$(rec_sum mgb '.proto == 17 and .dport == 5401') $(nft_get mgr idle)"
for c in "seq:.proto == 17 and .dport == 5300" \
	 "seq6:.proto == 17 and .dport == 5301" \
	 "idle:.proto == 17 and .dport == 5401" \
	 "short:.proto == 17 and .dport == 5400" \
	 "tcp_up:.proto == 6 and .dport == 7100" \
	 "tcp_down:.proto == 6 and .sport == 7100"; do
	name=${c%%:*} q=${c#*:}
	a=$(rec_sum mga "$q") e=$(ended_sum "$q") b=$(rec_sum mgb "$q") n=$(nft_get mgr $name)
	check_eq "$name: A's records ($a, ended $e) and B's ($b) add up to nft's count" \
		"$n" $((a + e + b))
done
rm -rf "$tmp"
tap_done
