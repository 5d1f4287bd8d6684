#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# State migration and FlowOS, the idle phase (mig_lib.sh's topology): A
# and B have the same FlowOS tcp flow with guard and count attached.
#  - migrate send refuses to start while B's PMs differ, saying what
#    differs, and changes nothing on either host (flowctl's check: the
#    debug kernel's run leaves it out, case_on "differ" in lib.sh);
#  - a TCP connection open before the migration keeps its session (and
#    guard's state) on A and survives; A reports it as the session left;
#  - a TCP connection opened during the idle phase (IPv4, and IPv6) gets
#    no session on A:
#    its packets pass through A, daisy-chained to B, whose guard saw the
#    handshake and admits it;
#  - count's totals on A and B together, and the flow records on A and B
#    together, equal what nft counted on the router.
source "$(dirname "$0")/lib.sh"
fs_require_module
fos_modprobe

TCPPAT=${TCPPAT:-$FS_REPO/selftests/tools/fs-tcppat}
[ -x "$TCPPAT" ] || skip_all "selftest tools not built (make -C ctl nlraw)"

source "$(dirname "$0")/mig_lib.sh"

tmp=$(mktemp -d)
ip netns exec mgr nft -f - <<'NFT'
table inet migfos {
	chain fos_forward {
		type filter hook forward priority 0; policy accept;
		tcp dport 7200 counter comment "long_up"
		tcp sport 7200 counter comment "long_down"
		tcp dport 7201 counter comment "new_up"
		tcp sport 7201 counter comment "new_down"
		tcp dport 7202 counter comment "new6_up"
		tcp sport 7202 counter comment "new6_down"
	}
}
NFT
nft_fos() {	# COMMENT: packets the router forwarded
	ip netns exec mgr nft -j list table inet migfos | nft_counter "$1" packets
}
# sess NETNS PORT: the flow's sessions to PORT on the server.
sess() {
	$FLOWCTL -n "$1" -j flow sessions web |
		jq --argjson p "$2" '[.[] | select(.proto == 6 and .port_b == $p)] | length'
}
# res NETNS PORT PM TYPE: PM's result TYPE for the session to PORT, or 0.
res() {
	local id
	id=$($FLOWCTL -n "$1" -j pm show web | jq -r --arg pm "$3" \
		'[.[] | select(.pm == $pm) | .id][0]')
	$FLOWCTL -n "$1" -j flow sessions web | jq -r --argjson p "$2" \
		--argjson a "$id" --arg t "$4" '[.[] | select(.proto == 6 and
		.port_b == $p) | .results[] | select(.id == $a) |
		.values[$t] // 0] | add // 0'
}
# counted NETNS PORT: count's packets of the session, both ways.
counted() {
	echo $(($(res "$1" "$2" count 2) + $(res "$1" "$2" count 4)))
}

for ns in mga mgb; do
	$FLOWCTL -n $ns flow add web proto tcp stream tcp idle-timeout 900 \
		>/dev/null || diag "flow add on $ns failed"
	$FLOWCTL -n $ns pm attach web guard order 0 >/dev/null ||
		diag "guard on $ns failed"
done
$FLOWCTL -n mga pm attach web count order 10 >/dev/null || diag "count on A failed"

# --- B's PMs differ: refused, nothing changes -------------------------------
# A's records but those of the migration's own TCP connection (port 7000).
recs() {
	$FLOWCTL -n mga -j records |
		jq '[.[] | select(.dport != 7000 and .sport != 7000)] | length'
}
if case_on differ; then
	recs_a=$(recs)
	ip netns exec mgb $FLOWCTL migrate receive --listen 10.4.0.2:7000 \
		>/dev/null 2>"$tmp/refuse.recv" &
	recv_pid=$!
	port_wait mgb tcp 7000 || diag "the receiver did not start"
	ip netns exec mga $FLOWCTL migrate send dst 10.2.0.0/24 src 10.2.0.0/24 \
		--to 10.4.0.2:7000 --via 10.4.0.2 --idle-max 100 \
		>/dev/null 2>"$tmp/refuse.send"
	check_eq "migrate send fails while B's PMs differ" 1 "$?"
	check_match "... naming the flow and both pipelines" \
		'FlowOS flow "web": PMs on A "guard, count", on B "guard"' \
		"$(cat "$tmp/refuse.send")"
	wait $recv_pid
	check_eq "the receiver refuses it too" 1 "$?"
	check_match "... saying why" 'PMs on A "guard, count", on B "guard"' \
		"$(cat "$tmp/refuse.recv")"
	check_eq "no migration on A or B, A's records stay" "[] [] $recs_a" \
		"$($FLOWCTL -n mga -j migrate show) $($FLOWCTL -n mgb -j migrate show) $(recs)"
fi
$FLOWCTL -n mgb pm attach web count order 10 >/dev/null || diag "count on B failed"

# --- the idle phase ---------------------------------------------------------
# A long connection, open before the migration; both ends pause half-way
# across the idle phase (2 s) and the export, until the send has ended
# (a fixed pause ran out first on a slow guest).
ip netns exec mgs "$TCPPAT" recv 7200 --count 200 --resume "$tmp/long.go" \
	--timeout 20 --seed 5 >"$tmp/long.s" 2>&1 &
long_s=$!
port_wait mgs tcp6 7200 || diag "the long receiver did not start"
ip netns exec mgc "$TCPPAT" send 10.2.0.2 7200 --count 200 \
	--resume "$tmp/long.go" --timeout 20 --seed 5 >"$tmp/long.c" 2>&1 &
long_c=$!
for _ in $(seq 50); do
	[ "$(sess mga 7200)" = 1 ] && break
	sleep 0.1
done
check_eq "the long connection has its session on A" 1 "$(sess mga 7200)"

ip netns exec mgb $FLOWCTL -j migrate receive --listen 10.4.0.2:7000 \
	>"$tmp/recv" 2>"$tmp/recv.err" &
recv_pid=$!
port_wait mgb tcp 7000 || diag "the receiver did not start"
ip netns exec mga $FLOWCTL -j migrate send dst 10.2.0.0/24 src 10.2.0.0/24 \
	dst fd02::/64 src fd02::/64 --to 10.4.0.2:7000 --via 10.4.0.2 \
	--via fd04::2 --idle-max 2000 \
	>"$tmp/send" 2>"$tmp/send.err" &
send_pid=$!
mig_wait_added mga || diag "A has not added the migration after 10 s"
# New connections in the idle phase, over IPv4 and IPv6: through A,
# chained to B. They run while the export happens.
ip netns exec mgs "$TCPPAT" recv 7201 --count 50 --timeout 10 --seed 7 \
	>"$tmp/new.s" 2>&1 &
new_s=$!
ip netns exec mgs "$TCPPAT" recv 7202 --count 20 --timeout 10 --seed 9 \
	>"$tmp/new6.s" 2>&1 &
new6_s=$!
port_wait mgs tcp6 7201 && port_wait mgs tcp6 7202 ||
	diag "the new receivers did not start"
ip netns exec mgc "$TCPPAT" send 10.2.0.2 7201 --count 50 --timeout 10 \
	--seed 7 >"$tmp/new.c" 2>&1 &
new_c=$!
ip netns exec mgc "$TCPPAT" send fd02::2 7202 --count 20 --timeout 10 \
	--seed 9 >"$tmp/new6.c" 2>&1 &
new6_c=$!

wait $send_pid
check_eq "migrate send succeeded" 0 "$?"
# Still open after the export: its last packets, at least, come after it.
long_after=0
kill -0 $long_c 2>/dev/null && long_after=1
touch "$tmp/long.go"
sed 's/^/# send: /' "$tmp/send.err"

wait $new_c
check_eq "the new connection works: client ($(cat "$tmp/new.c"))" 0 "$?"
wait $new_s
check_eq "... server ($(cat "$tmp/new.s"))" 0 "$?"
wait $new6_c
check_eq "the new IPv6 connection works: client ($(cat "$tmp/new6.c"))" 0 "$?"
wait $new6_s
check_eq "... server ($(cat "$tmp/new6.s"))" 0 "$?"
for p in 7201 7202; do
	check_eq "$p: it has no session on A" 0 "$(sess mga $p)"
	check_eq "$p: it has its session on B" 1 "$(sess mgb $p)"
	check "$p: B's guard admitted it ($(res mgb $p guard 2) packets passed)" \
		test "$(res mgb $p guard 2)" -gt 0
	check_eq "$p: ... and dropped none of it" 0 "$(res mgb $p guard 3)"
done
check "A's flow chained its packets to B (mig_chained $(fos_stat mga web mig_chained))" \
	test "$(fos_stat mga web mig_chained)" -gt 0
check_eq "every next hop had a route" "0 0" \
	"$(fos_stat mga web mig_noroute) $(stat_value mig_chain_noroute mga)"
check_eq "migrate show: the long connection's session is left on A" 1 \
	"$($FLOWCTL -n mga -j migrate show | jq '.[0].sessions')"
check_eq "/proc/net/flowstream/migrations: the same" 1 \
	"$(ip netns exec mga awk 'NR == 2 { print $8 }' /proc/net/flowstream/migrations)"

wait $long_c
check_eq "the long connection survived: client ($(cat "$tmp/long.c"))" 0 "$?"
wait $long_s
check_eq "... server ($(cat "$tmp/long.s"))" 0 "$?"
check_eq "it stayed on A: no session on B" "1 0" "$(sess mga 7200) $(sess mgb 7200)"
check_eq "A's guard dropped nothing" 0 "$(res mga 7200 guard 3)"
q7200='.proto == 6 and (.dport == 7200 or .sport == 7200)'
if [ "$long_after" = 1 ]; then
	check "after the export A counted its packets in a new record ($(rec_sum mga "$q7200"))" \
		test "$(rec_sum mga "$q7200")" -gt 0
else
	diag "the long connection ended before the export (a slow guest): A's new record not checked"
fi

# The ends are done; their last ACKs may still be in the flows.
last=
for round in $(seq 20); do
	now="$(fos_stat mga web held) $(fos_stat mgb web held) $(counted mga 7200) $(counted mgb 7201) $(counted mgb 7202)"
	[ "$now" == "$last" ] && [ "${now%% *}" == 0 ] && break
	last=$now
	sleep 0.5
done
diag "held on A and B, count's packets, stood still after $round rounds: $now"
for c in "long:7200" "new:7201" "new6:7202"; do
	name=${c%%:*} port=${c#*:}
	n=$(($(nft_fos ${name}_up) + $(nft_fos ${name}_down)))
	a=$(counted mga $port) b=$(counted mgb $port)
	check_eq "$name: count on A ($a) and on B ($b) add up to nft's count" \
		"$n" $((a + b))
	q=".proto == 6 and (.dport == $port or .sport == $port)"
	a=$(rec_sum mga "$q") b=$(rec_sum mgb "$q")
	check_eq "$name: A's records ($a) and B's ($b) add up to nft's count" \
		"$n" $((a + b))
done
for ns in mga mgb; do
	check_eq "$ns: the flow's counters add up" 0 "$(fos_balance $ns web)"
done
n=$(($(nft_fos new_up) + $(nft_fos new_down) + $(nft_fos new6_up) + $(nft_fos new6_down)))
check_eq "A chained exactly the new connections' packets (flow, migration)" \
	"$n $n" "$(fos_stat mga web mig_chained) $($FLOWCTL -n mga -j migrate show | jq '.[0].chained')"

id=$($FLOWCTL -n mga -j migrate show | jq '.[0].id')
check "migrate del $id" $FLOWCTL -n mga migrate del "$id"
wait $recv_pid
check_eq "migrate receive succeeded" 0 "$?"
sed 's/^/# receive: /' "$tmp/recv.err"
for ns in mga mgb; do
	$FLOWCTL -n $ns flow del web || diag "flow del on $ns failed"
done
rmmod flowstream_pm_count flowstream_pm_guard 2>/dev/null ||
	diag "the PM modules did not unload"
rm -rf "$tmp"
tap_done
