#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# State migration, first slice: the flow records of a prefix move from
# router A to router B while traffic runs through A, then the route moves
# to B. A's and B's records together count exactly what nft counted on the
# path (nothing twice, nothing lost), B's record of a moved flow carries
# on A's counts and first-seen time, and the receivers see no loss,
# duplicate or reordering. The stream is authenticated (--key-file) and
# the receiver serves a second migration (--keep).
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
# Both hosts' migration events, as the migrate group tells them; started
# first, as flowctl takes seconds to start on the debug kernel, which the
# streams must not spend.
mig_monitor mga "$tmp/ev.a"
mon_a=$mon_pid
mig_monitor mgb "$tmp/ev.b"
mon_b=$mon_pid
# Short flows before the move, into a sink (killed at the end).
ip netns exec mgs "$UDPSEQ" recv 5400 100000 600 >/dev/null &
port_wait mgs udp6 5400 || diag "the sink did not start"
# Each from its own source port (ephemeral ones may collide: one record).
ip netns exec mgc bash -c "for i in \$(seq $SHORT); do
	\"$UDPSEQ\" send 10.2.0.2 5400 3 0 \$((20000 + i)); done"
mig_streams_start

q4='.proto == 17 and .dport == 5300'
q6='.proto == 17 and .dport == 5301'
first_a=$($FLOWCTL -n mga -j records | jq "[.[] | select($q4)][0].first_ms")
# Authenticated (--key-file on both sides), and B's receiver serves one
# migration after the other (--keep) as its systemd unit runs it.
echo "mig-move-$RANDOM-0123456789abcdef" >"$tmp/key"
ip netns exec mgb $FLOWCTL -j migrate receive --listen 10.4.0.2:7000 \
	--key-file "$tmp/key" --keep >"$tmp/recv" 2>"$tmp/recv.err" &
recv_pid=$!
port_wait mgb tcp 7000 || diag "the receiver did not start"
ip netns exec mga $FLOWCTL -j migrate send dst 10.2.0.0/24 fd02::/64 \
	src 10.2.0.0/24 fd02::/64 --to 10.4.0.2:7000 --batch 8 \
	--key-file "$tmp/key" >"$tmp/send" 2>"$tmp/send.err"
check_eq "migrate send succeeded (authenticated)" 0 "$?"
mig_route_to_b
# recv_lines N: wait (up to 5 s) for the receiver's Nth migration's line.
recv_lines() {
	local i
	for i in $(seq 50); do
		[ "$(wc -l <"$tmp/recv")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
recv_lines 1
check_eq "migrate receive took it (status 0) and keeps listening" "0 yes" \
	"$(head -1 "$tmp/recv" | jq .status) $(kill -0 $recv_pid 2>/dev/null && echo yes)"
# A second migration to the same receiver, of a prefix with no flows.
ip netns exec mga $FLOWCTL -j migrate send dst 10.99.0.0/24 \
	--to 10.4.0.2:7000 --key-file "$tmp/key" >"$tmp/send2" 2>>"$tmp/send.err"
check_eq "a second migration through the --keep receiver succeeds" 0 "$?"
recv_lines 2
check_eq "the receiver took it too, with no records" "0 0" \
	"$(sed -n 2p "$tmp/recv" | jq -r '"\(.status) \(.records)"')"
kill -TERM $recv_pid
wait $recv_pid
check_eq "the --keep receiver ends on SIGTERM with status 0" 0 "$?"
sed 's/^/# send: /' "$tmp/send.err"
sed 's/^/# receive: /' "$tmp/recv.err"
head -1 "$tmp/recv" >"$tmp/recv1"

# The events: A added, copied, handed records out, was done, deleted; B
# added, took records in, was done, deleted. Their last counts are the
# migration's.
sleep 0.5
kill -TERM $mon_a $mon_b
wait $mon_a
check_eq "A's migrate monitor ends on SIGTERM with status 0" 0 "$?"
wait $mon_b
mid_a=$(jq .migration "$tmp/send")
check_eq "A's events (migrate monitor)" "added phase:copy exported phase:done deleted " \
	"$(mig_events "$tmp/ev.a" "$mid_a")"
check_eq "A's last event counts every record and batch sent" \
	"$(jq -r '"\(.records) \(.packets) \(.bytes)"' "$tmp/send")" \
	"$(jq -r --argjson id "$mid_a" 'select(.id == $id) | "\(.exported) \(.packets) \(.bytes)"' "$tmp/ev.a" | tail -1)"
# One event per part of the export dump, which holds one or more batches.
n=$(jq --argjson id "$mid_a" 'select(.id == $id and .event == "exported")' "$tmp/ev.a" | jq -s length)
check "A announced the export's parts (1 to $(jq .batches "$tmp/send"): $n)" \
	test "$n" -ge 1 -a "$n" -le "$(jq .batches "$tmp/send")"
mid_b=$(jq -s '[.[] | select(.event == "added")][0].id' "$tmp/ev.b")
check_eq "B's events (migrate monitor)" "added phase:copy imported phase:done deleted " \
	"$(mig_events "$tmp/ev.b" "$mid_b")"
check_eq "B's last event counts every record imported" "$(jq .records "$tmp/send")" \
	"$(jq --argjson id "$mid_b" 'select(.id == $id) | .imported' "$tmp/ev.b" | tail -1)"
check_eq "B's events say its prefixes" '["dst 10.2.0.0/24","dst fd02::/64","src 10.2.0.0/24","src fd02::/64"]' \
	"$(jq -c -s --argjson id "$mid_b" '[.[] | select(.id == $id)][0].prefixes | sort' "$tmp/ev.b")"
sed 's/^/# monitor A: /' "$tmp/ev.a.err"
sed 's/^/# monitor B: /' "$tmp/ev.b.err"

sent=$(jq -r '"\(.records) \(.packets) \(.bytes)"' "$tmp/send")
check_eq "B imported what A sent (records packets bytes: $sent)" "$sent" \
	"$(jq -r '"\(.records) \(.packets) \(.bytes)"' "$tmp/recv1")"
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

mig_streams_check
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
