#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Records end on idle timeout, on TCP FIN/RST (fin-timeout) and by flush;
# long flows are reported every active timeout and keep counting; flowctl
# monitor receives every ended record, in sequence.
source "$(dirname "$0")/lib.sh"
fs_require_module

ns_add fea feb
# No IPv6: no neighbour discovery or MLD records besides the test's own.
for ns in fea feb; do
	ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec $ns sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
veth_pair fea feb 10.7.0.1/24 10.7.0.2/24
$FLOWCTL -n feb config set acct on idle-timeout 2 fin-timeout 1 active-timeout 3600 ||
	skip_all "cannot turn accounting on"
ip netns exec feb nft -f - <<'NFT'
table inet fse {
	chain fs_input {
		type filter hook input priority 0; policy accept;
		tcp dport 5201 counter comment "tcp_in"
	}
}
NFT
ifb=$(ip netns exec feb cat /sys/class/net/v-feb/ifindex)

mon=$(mktemp)
$FLOWCTL -n feb -j monitor >"$mon" &
monpid=$!
sleep 1

# Idle timeout.
ip netns exec fea ping -q -c 3 -i 0.2 10.7.0.2 >/dev/null
sleep 4
req=$(jq -c 'select(.icmp_type == 8)' "$mon")
check_eq "idle: the echo request record ended as idle" idle "$(jq -r .end <<<"$req")"
check_eq "idle: with its 3 packets and 252 bytes" "3 252" "$(jq -r '"\(.packets) \(.bytes)"' <<<"$req")"
check_eq "idle: received on the veth" "$ifb" "$(jq -r .iif <<<"$req")"
check_eq "idle: the reply record ended too" idle "$(jq -r 'select(.icmp_type == 0) | .end' "$mon")"
check_eq "idle: no record left" 0 "$(jrecords feb 'length')"

# End of connection. Under emulation the gap between the last data and
# the FIN can exceed a short idle timeout, so make idle the longer one.
$FLOWCTL -n feb config set idle-timeout 30
ip netns exec feb iperf3 -s -1 -D -p 5201
sleep 1
ip netns exec fea iperf3 -c 10.7.0.2 -p 5201 -t 1 >/dev/null
# Each connection (control and data) is closed by FIN, or by a reset from
# the server when it closes with data unread (iperf3 may, on a slow
# guest: the client's side then sends neither). The records that see one
# end as eof fin-timeout later, at least three of the four directions;
# under emulation with a debug kernel that can take seconds: wait for
# it, up to 30 s.
for _ in $(seq 60); do
	[ "$(jq -s '[.[] | select(.proto == 6 and (.dport == 5201 or .sport == 5201) and .end == "eof")] | length' "$mon")" -ge 3 ] &&
		break
	sleep 0.5
done
sleep 1
# A packet that comes after its record ended as eof (a late ACK) starts
# a record of its own, which the flush ends: count every record, check
# the end of those that saw FIN or RST.
$FLOWCTL -n feb records flush proto tcp >/dev/null
sleep 1
check_eq "eof: every TCP record that saw FIN or RST ended as eof" eof \
	"$(jq -r 'select(.proto == 6 and (.tcp_flags % 2 == 1 or (.tcp_flags / 4 | floor) % 2 == 1)) | .end' "$mon" | sort -u)"
# The data connection: the client-to-server record with the most bytes,
# and the server-to-client one of the same ports.
check_eq "eof: the data connection was closed (FIN or RST) and its closing records ended as eof" eof \
	"$(jq -s -r '[.[] | select(.proto == 6)] as $t | ($t | map(select(.dport == 5201)) | max_by(.bytes)) as $d
		| [$t[] | select((.sport == $d.sport and .dport == 5201) or (.sport == 5201 and .dport == $d.sport))
			| select(.tcp_flags % 2 == 1 or (.tcp_flags / 4 | floor) % 2 == 1) | .end] | unique | join(",")' "$mon")"
nft_in=$(ip netns exec feb nft -j list table inet fse |
	 jq '.nftables[] | select(.rule.comment == "tcp_in") | .rule.expr[] | select(.counter) | .counter.bytes')
check_eq "eof: the ended records hold the bytes nft counted ($nft_in)" "$nft_in" \
	"$(jq -s '[.[] | select(.proto == 6 and .dport == 5201) | .bytes] | add' "$mon")"

# Active timeout: a long flow is reported every interval and counts on.
$FLOWCTL -n feb config set active-timeout 2 idle-timeout 60
ip netns exec fea ping -q -c 25 -i 0.2 10.7.0.2 >/dev/null
$FLOWCTL -n feb records flush proto icmp >/dev/null
sleep 2
act=$(jq -s '[.[] | select(.icmp_type == 8 and .end == "active")] | length' "$mon")
check "active: the 5 s ping was reported at least once as active ($act)" test "$act" -ge 1
# The flush reports what the last interval counted (nothing to report if
# an active report had just emptied it).
check_eq "active: the flush left no echo record" 0 \
	"$(jrecords feb '[.[] | select(.icmp_type == 8)] | length')"
check_eq "active: the reports add up to the 25 packets sent" 25 \
	"$(jq -s '[.[] | select(.icmp_type == 8 and (.end == "active" or .end == "flushed")) | .packets] | add' "$mon")"

kill -INT $monpid
wait $monpid
check_eq "monitor: no record lost" 0 "$(jq -s '[.[] | select(.lost)] | length' "$mon")"
check_eq "monitor: sequence numbers without gaps" true \
	"$(jq -s '[.[] | select(.seq) | .seq] | (max - min + 1) == length' "$mon")"
check_eq "monitor: got every record the kernel sent" "$(stat_value events_sent feb)" \
	"$(jq -s '[.[] | select(.seq)] | length' "$mon")"
check_eq "no event dropped" 0 "$(stat_value events_dropped feb)"
tap_done
