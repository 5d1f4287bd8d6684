#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The pattern PMs on a "stream tcp" flow, with segments reordered (delay
# jitter and netem's reorder) and duplicated on both ends' links: fs-tcppat sends known patterns at
# known places both ways, split across small segments, and checks what
# arrives byte for byte.
#  - match counts every occurrence sent, each way (IPv4);
#  - replace (order 10), then match for REPLACEMENT and match for PATTERN
#    side by side (order 20): every occurrence replaced, the receivers get
#    the replaced stream exactly (IPv6);
#  - replace (order 0), then match for REPLACEMENT and count side by side
#    (order 10), three PMs at once: the receivers get the replaced stream
#    exactly, every byte; match counts every replacement; count's packets
#    and bytes each way equal nftables' on the router's egress (IPv4); a
#    second read-write PM overlapping replace's window is refused;
#  - guard: a connection opened before it was attached breaks (its packets
#    are dropped), one opened after works;
#  - a PM's module cannot be unloaded while attached, can be after;
#  - the flow's counters add up.
source "$(dirname "$0")/lib.sh"
fs_require_module
fos_modprobe

TCPPAT=${TCPPAT:-$FS_REPO/selftests/tools/fs-tcppat}
[ -x "$TCPPAT" ] || skip_all "$TCPPAT is not built (make -C ctl nlraw)"

# Occurrences each way per connection; FS_PMS_SCALE changes it.
n=${FS_PMS_SCALE:-100}
# PATTERN and REPLACEMENT as PM arguments and fs-tcppat options.
P='MAGIC\x01\\PAT'
R='magic\xfe/pat'
opts=(--count "$n" --mss 100 --chunk 30 --timeout 20)

topo_router ps
for l in "psc cr" "pss sr"; do
	set -- $l
	ip netns exec "$1" tc qdisc add dev "$2" root netem delay 5ms 2ms \
		reorder 25% 50% duplicate 5% ||
		diag "netem on $2 failed"
done
# Sessions outlive the slowest lane's checks (the debug kernel).
$FLOWCTL -n psr flow add pat proto tcp stream tcp idle-timeout 900 >/dev/null
check_eq "flow with stream tcp added" 0 $?

# pair NAME PORT ADDR [fs-tcppat options]: a connection both ways; the
# ends' output lines in $NAME_s and $NAME_c, exit codes in $NAME_rs,
# $NAME_rc.
pair() {
	local name=$1 port=$2 addr=$3 out=/tmp/fs-pms.$$.$1 rs rc
	shift 3
	ip netns exec pss "$TCPPAT" recv "$port" "$@" >"$out.s" 2>&1 &
	local spid=$!
	port_wait pss tcp6 "$port" || diag "fs-tcppat recv did not start"
	ip netns exec psc "$TCPPAT" send "$addr" "$port" "$@" >"$out.c" 2>&1
	rc=$?
	wait $spid
	rs=$?
	printf -v "${name}_s" '%s' "$(cat "$out.s")"
	printf -v "${name}_c" '%s' "$(cat "$out.c")"
	printf -v "${name}_rs" '%s' "$rs"
	printf -v "${name}_rc" '%s' "$rc"
	rm -f "$out.s" "$out.c"
}

# kv LINE KEY: the value of KEY=VALUE in fs-tcppat's output line.
kv() {
	sed -n "s/.*\<$2=\([^ ]*\).*/\1/p" <<<"$1" | tail -1
}

# res PORT ATT_ID TYPE: a PM's result for the TCP session to PORT.
res() {
	$FLOWCTL -n psr -j flow sessions pat | jq -r --argjson p "$1" \
		--argjson a "$2" --arg t "$3" '[.[] | select(.proto == 6 and
		.port_b == $p) | .results[] | select(.id == $a) |
		.values[$t]][0]'
}

attach() {
	$FLOWCTL -n psr -j pm attach pat "$@" | jq -r .id
}

# --- bad arguments --------------------------------------------------------
out=$($FLOWCTL -n psr pm attach pat match args 'A\q' 2>&1)
check_match "match refuses a bad escape, saying why" "bad escape" "$out"
out=$($FLOWCTL -n psr pm attach pat replace args 'AB ABC' 2>&1)
check_match "replace refuses different lengths, saying why" \
	"differ in length" "$out"
out=$($FLOWCTL -n psr pm attach pat replace args 'AB' 2>&1)
check_match "replace refuses a missing REPLACEMENT" "PATTERN REPLACEMENT" "$out"
check_eq "nothing attached" 0 "$($FLOWCTL -n psr -j pm show pat | jq length)"

# --- match ---------------------------------------------------------------
m=$(attach match args "$P")
check_match "match attached (loaded on demand)" '^[0-9]+$' "$m"
pair m 7001 10.2.0.2 "${opts[@]}" --pattern "$P" --seed 11
check_eq "match run: client verifies the server's stream ($m_c)" 0 "$m_rc"
check_eq "match run: server verifies the client's stream ($m_s)" 0 "$m_rs"
check_eq "client sent $n patterns" "$n" "$(kv "$m_c" sent_patterns)"
check_eq "match: occurrences A->B = sent" "$n" "$(res 7001 "$m" 2)"
check_eq "match: occurrences B->A = sent" "$n" "$(res 7001 "$m" 3)"
check_eq "match: bytes scanned A->B = client's stream" \
	"$(kv "$m_c" sent_bytes)" "$(res 7001 "$m" 4)"
check_eq "match: bytes scanned B->A = server's stream" \
	"$(kv "$m_s" sent_bytes)" "$(res 7001 "$m" 5)"
check "segments were reordered on the way ($(fos_stat psr pat tcp_ooo))" \
	test "$(fos_stat psr pat tcp_ooo)" -gt 0
check "match's module cannot go while attached" \
	test -n "$(rmmod flowstream_pm_match 2>&1)"
$FLOWCTL -n psr pm detach pat "$m"
check_eq "match detached" 0 $?

# --- replace, then match R and match P side by side ----------------------
r=$(attach replace order 10 args "$P $R")
mr=$(attach match order 20 args "$R")
mp=$(attach match order 20 args "$P")
check_match "replace, match R, match P attached" '^[0-9]+ [0-9]+ [0-9]+$' \
	"$r $mr $mp"
pair r 7002 fd02::2 "${opts[@]}" --pattern "$P" --replace "$R" --seed 22
check_eq "replace run: client gets the replaced stream exactly ($r_c)" 0 "$r_rc"
check_eq "replace run: server gets the replaced stream exactly ($r_s)" 0 "$r_rs"
check_eq "server received REPLACEMENT $n times" "$n" "$(kv "$r_s" recv_replacement)"
check_eq "server received PATTERN 0 times" 0 "$(kv "$r_s" recv_pattern)"
check_eq "client received REPLACEMENT $n times" "$n" "$(kv "$r_c" recv_replacement)"
check_eq "client received PATTERN 0 times" 0 "$(kv "$r_c" recv_pattern)"
check_eq "replace: replaced A->B" "$n" "$(res 7002 "$r" 2)"
check_eq "replace: replaced B->A" "$n" "$(res 7002 "$r" 3)"
check_eq "replace: none missed" 0 "$(( $(res 7002 "$r" 4) + $(res 7002 "$r" 5) ))"
diag "replace: duplicates of held segments dropped: $(res 7002 "$r" 6) + $(res 7002 "$r" 7)"
check_eq "match after replace: REPLACEMENT A->B" "$n" "$(res 7002 "$mr" 2)"
check_eq "match after replace: REPLACEMENT B->A" "$n" "$(res 7002 "$mr" 3)"
check_eq "match after replace: PATTERN A->B" 0 "$(res 7002 "$mp" 2)"
check_eq "match after replace: PATTERN B->A" 0 "$(res 7002 "$mp" 3)"
check_eq "both matches scanned the same bytes" "$(res 7002 "$mr" 4)" \
	"$(res 7002 "$mp" 4)"
for a in "$mp" "$mr" "$r"; do
	$FLOWCTL -n psr pm detach pat "$a" || diag "detach $a failed"
done
check "replace's module can go once detached" rmmod flowstream_pm_replace
check "match's module can go once detached" rmmod flowstream_pm_match

# --- replace, then match and count side by side --------------------------
# Three PMs at once (IPv4): replace at order 0, then match (for
# REPLACEMENT) and count, read-only and overlapping, at order 10. replace
# keeps only the bytes of a partial occurrence: the engine splits the
# segment it starts in and sends the part before it on, so the receiver
# acknowledges that and the sender goes on to send the rest. On a "tcp"
# flow count is handed one unit per packet, in stream order, and counts
# those no PM before it dropped: exactly the packets the merger sends on
# (both parts of a split one), each one skb whose IP length count adds.
# nftables counts the same packets on its own, at the router's
# postrouting hook, where the merger's ip_forward_finish() leads them
# (before any GSO split at the device): count's packets and bytes each
# way must equal nft's. Duplicates replace dropped reach neither; copies
# the TCP stream found nothing new in are units and are sent on, so both
# count them.
ip netns exec psr nft -f - <<'NFT'
table inet fspms {
	chain post {
		type filter hook postrouting priority 0; policy accept;
		tcp dport 7005 counter comment "ab"
		tcp sport 7005 counter comment "ba"
	}
}
NFT
check_eq "nft counters on the router's egress" 0 $?
check_eq "pm info: count takes ip, tcp and udp flows" '["ip","tcp","udp"]' \
	"$($FLOWCTL -n psr -j pm info count | jq -c .streams)"
r=$(attach replace order 0 args "$P $R")
mr=$(attach match order 10 args "$R")
c=$(attach count order 10)
check_match "replace, match R, count attached to the tcp flow" \
	'^[0-9]+ [0-9]+ [0-9]+$' "$r $mr $c"
pipe="replace 0 match 10 count 10"
order() {
	$FLOWCTL -n psr -j pm show pat | jq -r 'sort_by(.order, .id) |
		map("\(.pm) \(.order)") | join(" ")'
}
check_eq "orders: replace 0, match and count 10" "$pipe" "$(order)"
# A second read-write PM would share replace's window, or split the
# read-only stage: refused with a message, nothing changed.
out=$($FLOWCTL -n psr pm attach pat guard order 0 2>&1)
check_match "a second read-write PM at replace's order is refused, saying why" \
	"order 0 is taken by replace; a read-write PM shares none" "$out"
out=$($FLOWCTL -n psr pm attach pat replace order 10 args "$R $P" 2>&1)
check_match "a read-write PM in the read-only stage is refused, saying why" \
	"order 10 is taken by (match|count); a read-write PM shares none" "$out"
check_eq "... and the pipeline is unchanged" "$pipe" "$(order)"
split=$(fos_stat psr pat split)
pair p 7005 10.2.0.2 "${opts[@]}" --pattern "$P" --replace "$R" --seed 55
check_eq "pipeline run: client gets the replaced stream exactly ($p_c)" 0 "$p_rc"
check_eq "pipeline run: server gets the replaced stream exactly ($p_s)" 0 "$p_rs"
check_eq "server received every byte the client sent" \
	"$(kv "$p_c" sent_bytes)" "$(kv "$p_s" recv_bytes)"
check_eq "client received every byte the server sent" \
	"$(kv "$p_s" sent_bytes)" "$(kv "$p_c" recv_bytes)"
check_eq "server received REPLACEMENT $n times, PATTERN 0" "$n 0" \
	"$(kv "$p_s" recv_replacement) $(kv "$p_s" recv_pattern)"
check_eq "client received REPLACEMENT $n times, PATTERN 0" "$n 0" \
	"$(kv "$p_c" recv_replacement) $(kv "$p_c" recv_pattern)"
check_eq "replace: replaced A->B, B->A" "$n $n" \
	"$(res 7005 "$r" 2) $(res 7005 "$r" 3)"
check_eq "replace: none missed" "0 0" "$(res 7005 "$r" 4) $(res 7005 "$r" 5)"
check "segments were split at a partial occurrence ($split -> $(fos_stat psr pat split))" \
	test "$(fos_stat psr pat split)" -gt "$split"
check_eq "match after replace: REPLACEMENT A->B" "$n" "$(res 7005 "$mr" 2)"
check_eq "match after replace: REPLACEMENT B->A" "$n" "$(res 7005 "$mr" 3)"
check_eq "match: bytes scanned A->B = client's stream" \
	"$(kv "$p_c" sent_bytes)" "$(res 7005 "$mr" 4)"
check_eq "match: bytes scanned B->A = server's stream" \
	"$(kv "$p_s" sent_bytes)" "$(res 7005 "$mr" 5)"
# The ends are done; their last ACKs may still be on a netem link or in
# the flow. Wait until the flow holds nothing and count stands still.
cnt() {
	echo "$(res 7005 "$c" 2) $(res 7005 "$c" 3) $(res 7005 "$c" 4)" \
		"$(res 7005 "$c" 5)"
}
last=
for round in $(seq 20); do
	now="$(fos_stat psr pat held) $(cnt)"
	[ "$now" == "$last" ] && [ "${now%% *}" == 0 ] && break
	last=$now
	sleep 0.5
done
diag "held, then count's figures, stood still after $round rounds: $now"
nft=$(ip netns exec psr nft -j list table inet fspms)
cab=$(res 7005 "$c" 2) cba=$(res 7005 "$c" 4)
check_eq "count: packets A->B = nft's on the router's egress" \
	"$(nft_counter ab packets <<<"$nft")" "$cab"
check_eq "count: bytes A->B = nft's" "$(nft_counter ab bytes <<<"$nft")" \
	"$(res 7005 "$c" 3)"
check_eq "count: packets B->A = nft's" "$(nft_counter ba packets <<<"$nft")" \
	"$cba"
check_eq "count: bytes B->A = nft's" "$(nft_counter ba bytes <<<"$nft")" \
	"$(res 7005 "$c" 5)"
check "count: IP bytes A->B ($(res 7005 "$c" 3)) hold the client's stream" \
	test "$(res 7005 "$c" 3)" -gt "$(kv "$p_c" sent_bytes)"
diag "count: $cab + $cba packets; replace dropped $(res 7005 "$r" 6) +" \
	"$(res 7005 "$r" 7) duplicates"
for a in "$c" "$mr" "$r"; do
	$FLOWCTL -n psr pm detach pat "$a" || diag "detach $a failed"
done
ip netns exec psr nft delete table inet fspms
check "count's module can go once detached" rmmod flowstream_pm_count
check "match's module can go once detached" rmmod flowstream_pm_match
check "replace's module can go once detached" rmmod flowstream_pm_replace

# --- guard ---------------------------------------------------------------
# Both ends stop after half their stream until guard is attached (its
# module loaded beforehand: loading it can take seconds in an emulated VM),
# which the resume file tells them; a fixed pause lost that race on the
# debug kernel when attaching took longer than the pause.
$FLOWCTL -n psr pm info guard >/dev/null || diag "pm info guard failed"
resume=/tmp/fs-pms.$$.old.go
rm -f "$resume"
ip netns exec pss "$TCPPAT" recv 7003 "${opts[@]}" --timeout 6 \
	--resume "$resume" --seed 33 >/tmp/fs-pms.$$.old.s 2>&1 &
old_s=$!
port_wait pss tcp6 7003 || diag "fs-tcppat recv did not start"
ip netns exec psc "$TCPPAT" send 10.2.0.2 7003 "${opts[@]}" --timeout 6 \
	--resume "$resume" --seed 33 >/tmp/fs-pms.$$.old.c 2>&1 &
old_c=$!
# The connection is open (the client's socket established) before guard.
est=0
for _ in $(seq 200); do
	ip netns exec psc awk 'NR > 1 && $3 ~ /:1B5B$/ && $4 == "01" { f = 1 }
		END { exit !f }' /proc/net/tcp /proc/net/tcp6 && { est=1; break; }
	sleep 0.1
done
[ $est = 1 ] || diag "the old connection was not established after 20 s"
g=$(attach guard)
check_match "guard attached while a connection is open" '^[0-9]+$' "$g"
drops=$(fos_stat psr pat drop_pm)
touch "$resume"
wait $old_c
rc=$?
old=$(cat /tmp/fs-pms.$$.old.c)
check_eq "the connection opened before guard breaks: client times out ($old)" \
	2 "$rc"
check_match "... with a timeout" "verify=timeout" "$old"
check "guard dropped its packets (drop_pm $(fos_stat psr pat drop_pm) > $drops)" \
	test "$(fos_stat psr pat drop_pm)" -gt "$drops"
check "guard counts them as dropped ($(res 7003 "$g" 3))" \
	test "$(res 7003 "$g" 3)" -gt 0
kill $old_s 2>/dev/null
wait $old_s 2>/dev/null
rm -f /tmp/fs-pms.$$.old.*

pair g 7004 10.2.0.2 "${opts[@]}" --pattern "$P" --seed 44
check_eq "a connection opened after guard works: client ($g_c)" 0 "$g_rc"
check_eq "... server ($g_s)" 0 "$g_rs"
check_eq "guard dropped none of it" 0 "$(res 7004 "$g" 3)"
check "guard passed it ($(res 7004 "$g" 2) packets)" \
	test "$(res 7004 "$g" 2)" -gt 0
check "guard's module cannot go while attached" \
	test -n "$(rmmod flowstream_pm_guard 2>&1)"
$FLOWCTL -n psr pm detach pat "$g"
check_eq "guard detached" 0 $?
check "guard's module can go once detached" rmmod flowstream_pm_guard

# The old connection's ends are gone; its last packets may be in flight.
for _ in $(seq 20); do
	[ "$(fos_balance psr pat)" == 0 ] && [ "$(fos_stat psr pat held)" == 0 ] &&
		break
	sleep 0.5
done
check_eq "flow: counters add up" 0 "$(fos_balance psr pat)"
check_eq "flow: nothing held" 0 "$(fos_stat psr pat held)"
# replace's writes make packets private (a new truesize): what is given
# back is what was charged.
check_eq "flow: no bytes held" 0 "$(fos_stat psr pat held_bytes)"
$FLOWCTL -n psr flow del pat
tap_done
