#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# replace at the start of TCP streams, with segments reordered and
# duplicated on both ends' links (netem): many short connections whose
# streams start with the pattern, written in small pieces, so that the
# first segments of a stream are often held for reordering while copies
# of them arrive. A copy of a held segment carries bytes the stream has
# not reached; it must not reach the receiver with its bytes unreplaced
# (FOS_UNIT_AHEAD: the engine drops such copies after a read-write PM, and
# cuts a packet that carries bytes past its unit at the unit's end). Each
# receiver checks every byte against the replaced stream, and replace's
# counts are checked against what was sent.
#
# FS_PMS_STARTS: the number of connections (40).
source "$(dirname "$0")/lib.sh"
fs_require_module
fos_modprobe

TCPPAT=${TCPPAT:-$FS_REPO/selftests/tools/fs-tcppat}
[ -x "$TCPPAT" ] || skip_all "$TCPPAT is not built (make -C ctl nlraw)"

conns=${FS_PMS_STARTS:-40}
# Occurrences each way per connection, the first at byte 0.
n=4
P='MAGIC\x01\\PAT'
R='magic\xfe/pat'
opts=(--count "$n" --start 1 --mss 100 --chunk 12 --timeout 20
      --pattern "$P" --replace "$R")

topo_router rs
for l in "rsc cr" "rss sr"; do
	set -- $l
	ip netns exec "$1" tc qdisc add dev "$2" root netem delay 10ms 5ms \
		reorder 50% 50% duplicate 40% ||
		diag "netem on $2 failed"
done
$FLOWCTL -n rsr flow add starts proto tcp stream tcp idle-timeout 900 \
	>/dev/null
check_eq "flow with stream tcp added" 0 $?
r=$($FLOWCTL -n rsr -j pm attach starts replace args "$P $R" | jq -r .id)
check_match "replace attached" '^[0-9]+$' "$r"

# kv LINE KEY: the value of KEY=VALUE in fs-tcppat's output line.
kv() {
	sed -n "s/.*\<$2=\([^ ]*\).*/\1/p" <<<"$1" | tail -1
}

# One connection each, IPv4 and IPv6 in turn, one after the other: a
# stream's start is where the copies of held segments come.
out=/tmp/fs-starts.$$
ok_c=0 ok_s=0 pat=0 rep=0 bad=
for i in $(seq "$conns"); do
	port=$((7100 + i))
	addr=10.2.0.2
	((i % 2)) || addr=fd02::2
	ip netns exec rss "$TCPPAT" recv "$port" "${opts[@]}" --seed "$i" \
		>"$out.s" 2>&1 &
	spid=$!
	port_wait rss tcp6 "$port" || diag "fs-tcppat recv $port did not start"
	ip netns exec rsc "$TCPPAT" send "$addr" "$port" "${opts[@]}" \
		--seed "$i" >"$out.c" 2>&1
	rc=$?
	wait $spid
	rs=$?
	c=$(cat "$out.c") s=$(cat "$out.s")
	[ "$rc" == 0 ] && ok_c=$((ok_c + 1))
	[ "$rs" == 0 ] && ok_s=$((ok_s + 1))
	if [ "$rc" != 0 ] || [ "$rs" != 0 ]; then
		bad+=" $port"
		diag "port $port ($addr): client: $c"
		diag "port $port ($addr): server: $s"
	fi
	pat=$((pat + $(kv "$c" recv_pattern) + $(kv "$s" recv_pattern)))
	rep=$((rep + $(kv "$c" recv_replacement) + $(kv "$s" recv_replacement)))
done
rm -f "$out.c" "$out.s"

check_eq "clients got the replaced stream exactly, every byte${bad:+ (not:$bad)}" \
	"$conns" "$ok_c"
check_eq "servers got the replaced stream exactly, every byte" \
	"$conns" "$ok_s"
check_eq "receivers got PATTERN 0 times" 0 "$pat"
check_eq "receivers got REPLACEMENT $((2 * n * conns)) times" \
	"$((2 * n * conns))" "$rep"

# replace's results over every session: 2/3 replaced, 4/5 missed, 6/7
# copies of held segments dropped.
sum() {
	$FLOWCTL -n rsr -j flow sessions starts | jq --argjson a "$r" \
		--arg t "$1" '[.[] | select(.proto == 6) | .results[] |
		select(.id == $a) | .values[$t] // 0] | add // 0'
}
check_eq "sessions: one per connection" "$conns" \
	"$($FLOWCTL -n rsr -j flow sessions starts | jq '[.[] | select(.proto == 6)] | length')"
check_eq "replace: replaced A->B = sent" "$((n * conns))" "$(sum 2)"
check_eq "replace: replaced B->A = sent" "$((n * conns))" "$(sum 3)"
check_eq "replace: none missed" 0 "$(( $(sum 4) + $(sum 5) ))"
check "segments were reordered on the way ($(fos_stat rsr starts tcp_ooo))" \
	test "$(fos_stat rsr starts tcp_ooo)" -gt 0
diag "copies of held segments dropped by replace: $(( $(sum 6) + $(sum 7) )), by the flow: $(fos_stat rsr starts drop_pm)"

$FLOWCTL -n rsr pm detach starts "$r"
check_eq "replace detached" 0 $?
check "replace's module can go once detached" rmmod flowstream_pm_replace
for _ in $(seq 20); do
	[ "$(fos_balance rsr starts)" == 0 ] &&
		[ "$(fos_stat rsr starts held)" == 0 ] && break
	sleep 0.5
done
check_eq "flow: counters add up" 0 "$(fos_balance rsr starts)"
check_eq "flow: nothing held" 0 "$(fos_stat rsr starts held)"
check_eq "flow: no bytes held" 0 "$(fos_stat rsr starts held_bytes)"
$FLOWCTL -n rsr flow del starts
tap_done
