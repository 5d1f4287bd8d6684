#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# State migration, first slice: the flow records of a prefix move from
# router A to router B while traffic runs through A, then the route moves
# to B. A's and B's records together count exactly what nft counted on the
# path (nothing twice, nothing lost), B's record of a moved flow carries
# on A's counts and first-seen time, and the receivers see no loss,
# duplicate or reordering.
# The topology is mig_lib.sh's.
source "$(dirname "$0")/lib.sh"
fs_require_module

UDPSEQ=${UDPSEQ:-$FS_REPO/selftests/tools/fs-udpseq}
TCPPAT=${TCPPAT:-$FS_REPO/selftests/tools/fs-tcppat}
[ -x "$UDPSEQ" ] && [ -x "$TCPPAT" ] || skip_all "selftest tools not built (make -C ctl nlraw)"
N=${FS_MIG_PACKETS:-8000}	# datagrams of the numbered stream, 1 ms apart
SHORT=${FS_MIG_SHORT:-40}	# short flows before the move, 3 datagrams each

source "$(dirname "$0")/mig_lib.sh"

tmp=$(mktemp -d)
# Short flows before the move, into a sink (killed at the end).
ip netns exec mgs "$UDPSEQ" recv 5400 100000 600 >/dev/null &
port_wait mgs udp6 5400 || diag "the sink did not start"
ip netns exec mgc bash -c "for i in \$(seq $SHORT); do
	\"$UDPSEQ\" send 10.2.0.2 5400 3 0; done"
# The receivers of the long streams wait up to 30 s for their first datagram.
ip netns exec mgs "$UDPSEQ" recv 5300 $N 30 >"$tmp/seq" &
seq_pid=$!
ip netns exec mgs "$UDPSEQ" recv 5301 $N 30 >"$tmp/seq6" &
seq6_pid=$!
ip netns exec mgs "$TCPPAT" recv 7100 --count 300 --pause 3000 --timeout 10 \
	>"$tmp/tcp.s" 2>&1 &
tcps_pid=$!
port_wait mgs udp6 5300 && port_wait mgs udp6 5301 &&
	port_wait mgs tcp6 7100 || diag "a receiver did not start"
# Each stream from one CPU: veth hands a packet to the backlog of the CPU
# that sends it, so a sender that moved between CPUs could have its own
# packets overtake each other on any path, migration or not.
ip netns exec mgc taskset -c 0 "$UDPSEQ" send 10.2.0.2 5300 $N 1000 &
ip netns exec mgc taskset -c 1 "$UDPSEQ" send fd02::2 5301 $N 1000 &
ip netns exec mgc "$TCPPAT" send 10.2.0.2 7100 --count 300 --pause 3000 \
	--timeout 10 >"$tmp/tcp.c" 2>&1 &
tcpc_pid=$!
# A has counted part of each stream before its record leaves.
for _ in $(seq 100); do
	[ "$($FLOWCTL -n mga -j records |
	     jq '[.[] | select(.proto == 17 and .packets >= 100 and
			   (.dport == 5300 or .dport == 5301))] | length')" = 2 ] &&
		break
	sleep 0.1
done

q4='.proto == 17 and .dport == 5300'
q6='.proto == 17 and .dport == 5301'
first_a=$($FLOWCTL -n mga -j records | jq "[.[] | select($q4)][0].first_ms")
ip netns exec mgb $FLOWCTL -j migrate receive --listen 10.4.0.2:7000 \
	>"$tmp/recv" 2>"$tmp/recv.err" &
recv_pid=$!
port_wait mgb tcp 7000 || diag "the receiver did not start"
ip netns exec mga $FLOWCTL -j migrate send dst 10.2.0.0/24 fd02::/64 \
	src 10.2.0.0/24 fd02::/64 --to 10.4.0.2:7000 --batch 8 \
	>"$tmp/send" 2>"$tmp/send.err"
check_eq "migrate send succeeded" 0 "$?"
mig_route_to_b
wait $recv_pid
check_eq "migrate receive succeeded" 0 "$?"
sed 's/^/# send: /' "$tmp/send.err"
sed 's/^/# receive: /' "$tmp/recv.err"

sent=$(jq -r '"\(.records) \(.packets) \(.bytes)"' "$tmp/send")
check_eq "B imported what A sent (records packets bytes: $sent)" "$sent" \
	"$(jq -r '"\(.records) \(.packets) \(.bytes)"' "$tmp/recv")"
check "at least the short flows, the streams and the TCP connection moved" \
	test "$(jq .records "$tmp/send")" -ge $((SHORT + 4))
check "in several batches ($(jq .batches "$tmp/send"))" \
	test "$(jq .batches "$tmp/send")" -ge 3
check_eq "nothing came back to A, nothing lost" "0 0" \
	"$(jq -r '"\(.records_back) \(.records_lost)"' "$tmp/send")"
check_eq "send and receive deleted their migrations" "[] []" \
	"$($FLOWCTL -n mga -j migrate show) $($FLOWCTL -n mgb -j migrate show)"
check_eq "A's mig_exported counts them" "$(jq .records "$tmp/send")" \
	"$(stat_value mig_exported mga)"
check_eq "B's mig_imported counts them" "$(jq .records "$tmp/send")" \
	"$(stat_value mig_imported mgb)"

wait $seq_pid
check_eq "IPv4 stream: every datagram arrived once, in order" \
	"received=$N lost=0 dup=0 reordered=0" "$(cat "$tmp/seq")"
wait $seq6_pid
check_eq "IPv6 stream: every datagram arrived once, in order" \
	"received=$N lost=0 dup=0 reordered=0" "$(cat "$tmp/seq6")"
wait $tcpc_pid
check_match "TCP: the server's bytes arrived intact" "verify=ok" "$(cat "$tmp/tcp.c")"
wait $tcps_pid
check_match "TCP: the client's bytes arrived intact" "verify=ok" "$(cat "$tmp/tcp.s")"
sleep 0.5

for c in "seq:$q4" "seq6:$q6" "short:.proto == 17 and .dport == 5400" \
	 "tcp_up:.proto == 6 and .dport == 7100" \
	 "tcp_down:.proto == 6 and .sport == 7100"; do
	name=${c%%:*} q=${c#*:}
	a=$(rec_sum mga "$q") b=$(rec_sum mgb "$q") n=$(nft_get mgr $name)
	check_eq "$name: A's records ($a) and B's ($b) add up to nft's count" \
		"$n" $((a + b))
done
# B's record of the stream is A's carried on: it counts what B forwarded
# plus what A had counted when the record left A.
for c in "seq:$q4" "seq6:$q6"; do
	name=${c%%:*} q=${c#*:}
	a=$(rec_sum mga "$q") b=$(rec_sum mgb "$q")
	na=$(nft_get mga $name) nb=$(nft_get mgb $name)
	check_match "$name: A and B forwarded some of it ($na, $nb)" \
		'^[1-9][0-9]* [1-9][0-9]*$' "$na $nb"
	check "$name: B's record holds A's counts ($b - $nb forwarded by B > 0)" \
		test $((b - nb)) -gt 0
	check_eq "$name: what left A ($na - $a) is what B's record has beyond its own" \
		$((na - a)) $((b - nb))
done
first_b=$($FLOWCTL -n mgb -j records | jq "[.[] | select($q4)][0].first_ms")
check_match "A and B had a record of the IPv4 stream" '^[0-9]+ [0-9]+$' \
	"$first_a $first_b"
check "B's record keeps the first-seen time ($first_b, on A $first_a)" \
	test $((first_b - first_a)) -le 20 -a $((first_a - first_b)) -le 20
rm -rf "$tmp"
tap_done
