#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# flowctl export ipfix when things go wrong, and every record accounted
# for: the UDP collector down then up (refused datagrams counted, templates
# sent again, the rest collected); the TCP collector down, up, killed and
# back (records held and delivered, none lost); a burst of ended records
# larger than the exporter's netlink socket buffer, while the exporter is
# stopped (the loss counted by the exporter and, the same number, in
# events_dropped of flowctl status).
#
# The debug kernel's run leaves out the parts that exercise only the
# exporter (case_on in lib.sh: usage, udp, tcp) and keeps the burst, whose
# loss the kernel counts; the stock kernels run them all.
source "$(dirname "$0")/lib.sh"
fs_require_module
command -v nfcapd >/dev/null && command -v nfdump >/dev/null ||
	skip_all "nfdump (nfcapd, nfdump) is not installed"
export TZ=UTC

topo_router el
r=elr
$FLOWCTL -n $r config set acct on idle-timeout 600 fin-timeout 300 \
	active-timeout 3600 || skip_all "cannot turn accounting on"
work=$(mktemp -d)

nfcapd_start() {	# DIR
	mkdir -p "$1"
	ip netns exec $r nfcapd -b 127.0.0.1 -p 4739 -w "$1" -t 3600 \
		>>"$work/nfcapd.log" 2>&1 &
	nf=$!
	port_wait $r udp 4739 || diag "nfcapd is not listening on 4739"
}

nfcapd_stop() {
	kill -TERM $nf
	wait $nf
}

nf_count() {	# DIR: records nfcapd stored there
	nfdump -R "$1" -o json 2>/dev/null | jq length
}

# traffic N: N pings each way (2 records), then every record ends.
traffic() {
	ip netns exec elc ping -q -c "$1" -i 0.05 10.2.0.2 >/dev/null
	ip netns exec elc ping -q -c "$1" -i 0.05 fd02::2 >/dev/null
	$FLOWCTL -n $r records flush >/dev/null
	sleep 2
}

# ustat LOG NAME: a counter from a new SIGUSR1 report in LOG (waited for:
# its last line, "disconnects", shows it complete).
ustat() {
	local i n
	n=$(grep -c '^disconnects ' "$1")
	kill -USR1 $exp
	for i in $(seq 100); do
		[ "$(grep -c '^disconnects ' "$1")" -gt "$n" ] && break
		sleep 0.1
	done
	awk -v n="$2" '$1 == n { v = $2 } END { print v }' "$1"
}

# relay_start OUT: fs-ipfix-relay from TCP 4740 to nfcapd, once listening.
relay_start() {
	ip netns exec $r "$RELAY" 127.0.0.1 4740 127.0.0.1 4739 >"$1" 2>/dev/null &
	relay=$!
	port_wait $r tcp 4740 || diag "fs-ipfix-relay is not listening on 4740"
}

stat_of() {	# FILE NAME: a counter from the exporter's final JSON
	jq -r ".$2" "$1"
}

# --- Collectors that cannot work: told, and what can be retried is.
if case_on usage; then
	out=$($FLOWCTL -n $r export ipfix --collector 2001:db8::1:4739 2>&1)
	check_eq "a collector that does not parse is a usage error" 2 "$?"
	check_match "and says how to write it" \
		'invalid collector "2001:db8::1:4739": write an IPv6 address in brackets' "$out"
	out=$($FLOWCTL -n $r export ipfix --collector 127.0.0.1:0 2>&1)
	check_match "port 0 is refused" "the port must be a number from 1 to 65535" "$out"
	out=$($FLOWCTL -n $r export ipfix --collector 127.0.0.1 --transport sctp 2>&1)
	check_match "so is an unknown transport" 'invalid transport "sctp": udp or tcp' "$out"
	$FLOWCTL -n $r export ipfix --collector no-such-collector.invalid:4739 \
		--transport tcp --reconnect-max 1 >/dev/null 2>"$work/unresolved.log" &
	exp=$!
	sleep 3
	check "a collector that does not resolve: the exporter keeps running" \
		kill -0 $exp
	check_match "and says why" \
		'collector no-such-collector.invalid:4739: cannot resolve "no-such-collector.invalid"' \
		"$(cat "$work/unresolved.log")"
	kill -TERM $exp
	wait $exp
	check_eq "and exits 0 on SIGTERM" 0 "$?"
fi

# --- UDP: collector down, then up.
if case_on udp; then
	d=$work/udp
	mkdir -p "$d"
	$FLOWCTL -n $r -j export ipfix --collector 127.0.0.1:4739 --flush-interval 200 \
		--template-refresh 3600 >"$d/stats.json" 2>"$d/export.log" &
	exp=$!
	sleep 1
	traffic 5
	down_recv=$(ustat "$d/export.log" received)
	down_lost=$(ustat "$d/export.log" lost_collector)
	check "udp: records ended while the collector was down ($down_recv)" \
		test "${down_recv:-0}" -ge 4
	check_eq "udp: each one counted lost, from the ICMP errors" "$down_recv" "$down_lost"
	check_match "udp: the exporter says why" "collector 127.0.0.1:4739: Connection refused" \
		"$(cat "$d/export.log")"
	nfcapd_start "$d/nf"
	traffic 5
	kill -TERM $exp
	wait $exp
	check_eq "udp: the exporter kept running and exits 0" 0 "$?"
	sleep 1
	nfcapd_stop
	recv=$(stat_of "$d/stats.json" received)
	exported=$(stat_of "$d/stats.json" exported)
	check_eq "udp: received = exported + lost" "$recv" \
		"$((exported + $(stat_of "$d/stats.json" lost_collector)))"
	check_eq "udp: lost only while the collector was down" "$down_lost" \
		"$(stat_of "$d/stats.json" lost_collector)"
	check_eq "udp: the collector, back, decoded every record sent since (templates sent again)" \
		"$exported" "$(nf_count "$d/nf")"
	check "udp: templates more than once" test "$(stat_of "$d/stats.json" templates)" -ge 2
fi

# --- TCP: collector down, then up; then killed, and back.
if case_on tcp; then
	d=$work/tcp
	mkdir -p "$d"
	$FLOWCTL -n $r -j export ipfix --collector 127.0.0.1:4740 --transport tcp \
		--flush-interval 200 --reconnect-max 1 >"$d/stats.json" 2>"$d/export.log" &
	exp=$!
	sleep 1
	traffic 5
	held=$(ustat "$d/export.log" received)
	check "tcp: records ended while the collector was down ($held)" \
		test "${held:-0}" -ge 4
	check_eq "tcp: none exported yet, none lost" "0 0 0" \
		"$(ustat "$d/export.log" exported) $(ustat "$d/export.log" lost_collector) $(ustat "$d/export.log" lost_buffer)"
	check_match "tcp: the exporter says why" "collector 127.0.0.1:4740: cannot connect: Connection refused" \
		"$(cat "$d/export.log")"
	nfcapd_start "$d/nf"
	relay_start "$d/relay1.out"
	# The exporter retries at most a second apart: delivered within 10 s.
	for i in $(seq 20); do
		[ "$(ustat "$d/export.log" exported)" = "$held" ] && break
		sleep 0.5
	done
	check_eq "tcp: the held records delivered once the collector is up" "$held" \
		"$(ustat "$d/export.log" exported)"
	# The collector dies (and its connection with it), then comes back.
	kill -KILL $relay
	wait $relay 2>/dev/null
	sleep 1
	traffic 5
	relay_start "$d/relay2.out"
	for i in $(seq 20); do
		[ "$(ustat "$d/export.log" connects)" = 2 ] && break
		sleep 0.5
	done
	traffic 3
	kill -TERM $exp
	wait $exp
	check_eq "tcp: the exporter kept running and exits 0" 0 "$?"
	kill -TERM $relay
	wait $relay
	sleep 1
	nfcapd_stop
	recv=$(stat_of "$d/stats.json" received)
	check_eq "tcp: every record exported, none lost" "$recv 0 0 0" \
		"$(stat_of "$d/stats.json" exported) $(stat_of "$d/stats.json" lost_kernel) $(stat_of "$d/stats.json" lost_collector) $(stat_of "$d/stats.json" lost_buffer)"
	check_eq "tcp: both sessions' records in the collector, none twice" \
		"$recv" "$(nf_count "$d/nf")"
	check_eq "tcp: connected twice, lost the connection once" "2 1" \
		"$(stat_of "$d/stats.json" connects) $(stat_of "$d/stats.json" disconnects)"
	check_match "tcp: the loss of the connection is reported" \
		"collector 127.0.0.1:4740: (the collector closed the connection|connection lost)" \
		"$(cat "$d/export.log")"
	check_match "tcp: so is the new connection" "connected \(TCP\)" "$(cat "$d/export.log")"
fi

# --- A burst of ended records larger than the exporter's socket buffer.
d=$work/burst
mkdir -p "$d"
nfcapd_start "$d/nf"
$FLOWCTL -n $r -j export ipfix --collector 127.0.0.1:4739 --rcvbuf 4096 \
	--flush-interval 200 >"$d/stats.json" 2>"$d/export.log" &
exp=$!
sleep 1
# 1500 UDP datagrams through the router from ephemeral ports: some 1460
# flows (the kernel picks a port already used now and then), one packet
# each.
ip netns exec els nft -f - <<'NFT'
table inet els {
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 9 counter drop
	}
}
NFT
ip netns exec elc bash -c 'for p in $(seq 20000 21499); do
	echo x > /dev/udp/10.2.0.2/9 2>/dev/null || true
done'
sent0=$(stat_value events_sent $r)
drop0=$(stat_value events_dropped $r)
# The exporter stopped while the records end, so that its socket overruns
# for sure: reading as they come, it was once seen to keep up with the
# debug kernel's work item.
kill -STOP $exp
ended=$($FLOWCTL -n $r records flush | awk '$1 == "flushed" { print $2 }')
for i in $(seq 60); do
	[ "$(ip netns exec $r awk '$1 == "events_sent" || $1 == "events_dropped" { n += $2 }
		END { print n }' /proc/net/flowstream/stat)" -ge $((sent0 + drop0 + ended)) ] && break
	sleep 0.5
done
diag "burst: $ended records ended, all reported after $i polls"
kill -CONT $exp
sleep 3
# One more record after the burst shows any loss at its tail.
traffic 1
kill -TERM $exp
wait $exp
sleep 1
nfcapd_stop
sent=$(($(stat_value events_sent $r) - sent0))
dropped=$(($(stat_value events_dropped $r) - drop0))
recv=$(stat_of "$d/stats.json" received)
lost=$(stat_of "$d/stats.json" lost_kernel)
check "burst: the socket overran ($(stat_of "$d/stats.json" overruns) times, $lost records)" \
	test "$lost" -gt 0
check_eq "burst: received + lost = every record the module reported" \
	"$((sent + dropped))" "$((recv + lost))"
check_eq "burst: the module counted the same loss in events_dropped" "$lost" "$dropped"
check_match "burst: flowctl status shows it" "events_dropped $(stat_value events_dropped $r)" \
	"$($FLOWCTL -n $r status)"
check_match "burst: the exporter logged it" "lost [0-9]+ records from the kernel" \
	"$(cat "$d/export.log")"
check_eq "burst: the collector has every record received" \
	"$(stat_of "$d/stats.json" exported)" "$(nf_count "$d/nf")"
check_eq "burst: all received exported" "$recv" "$(stat_of "$d/stats.json" exported)"

rm -rf "$work"
tap_done
