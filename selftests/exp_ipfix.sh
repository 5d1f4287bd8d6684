#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# flowctl export ipfix feeds nfdump's collector. What nfcapd stores is what
# the module reported (every field of every record, as flowctl monitor
# printed it), the traffic's totals are what nftables counted on the same
# path, and nfcapd saw no sequence failure. Over UDP to 127.0.0.1 and over
# TCP to [::1] (through fs-ipfix-relay, which only cuts the stream into
# datagrams); IPv4 and IPv6; TCP, UDP and ICMP; ended records and
# active-timeout reports.
source "$(dirname "$0")/lib.sh"
fs_require_module
command -v nfcapd >/dev/null && command -v nfdump >/dev/null ||
	skip_all "nfdump (nfcapd, nfdump) is not installed"
export TZ=UTC

topo_router ei
r=eir
$FLOWCTL -n $r config set acct on idle-timeout 600 fin-timeout 300 \
	active-timeout 3600 || skip_all "cannot turn accounting on"

# nft_setup: the independent count, nft rule counters on the same packets,
# from zero; and DSCP 46 (EF) on the client's IPv4 echo requests.
nft_setup() {
	ip netns exec $r nft delete table inet eic 2>/dev/null
	ip netns exec $r nft -f - <<'NFT'
table inet eic {
	chain forward_c {
		type filter hook forward priority 0; policy accept;
		icmp type echo-request counter comment "ping4_req"
		icmp type echo-reply counter comment "ping4_rep"
		icmpv6 type echo-request counter comment "ping6_req"
		meta nfproto ipv4 tcp dport 5201 counter comment "tcp4_up"
		meta nfproto ipv4 tcp sport 5201 counter comment "tcp4_down"
		meta nfproto ipv6 tcp dport 5201 counter comment "tcp6_up"
		udp dport 5201 counter comment "udp_up"
	}
}
NFT
}
ip netns exec eic nft -f - <<'NFT'
table ip eic_dscp {
	chain out {
		type filter hook output priority 0; policy accept;
		icmp type echo-request ip dscp set ef
	}
}
NFT
ip netns exec eis iperf3 -s -D -p 5201
work=$(mktemp -d)
sleep 1

# nft COMMENT: "packets bytes" of the counter with that comment.
nft_count() {
	jq -r --arg c "$1" '.nftables[] | select(.rule.comment == $c) |
		.rule.expr[] | select(.counter) | "\(.counter.packets) \(.counter.bytes)"' \
		"$dir/nft.json"
}

# One line per record, the same fields from both sides: protocol,
# addresses, ports (ICMP type and code), interfaces, packets, bytes, first
# and last ms, type of service, TCP flags as nfdump writes them.
JQ_DEFS='
def flg: . as $f | [[128,"C"],[64,"E"],[32,"U"],[16,"A"],[8,"P"],[4,"R"],[2,"S"],[1,"F"]] |
	map(if (($f / .[0]) | floor) % 2 == 1 then .[1] else "." end) | join("");
def ms: (.[0:19] + "Z" | fromdateiso8601) * 1000 + (.[20:23] | tonumber);
'
mon_lines() {
	jq -r "$JQ_DEFS"'select(.src) | [.proto, .src, .dst, (.sport // .icmp_type),
		(.dport // .icmp_code), .iif, .oif, .packets, .bytes, .first_ms,
		.last_ms, .dscp * 4, (.tcp_flags | flg)] | map(tostring) | join(" ")' "$1" | sort
}
nf_lines() {
	jq -r "$JQ_DEFS"'.[] | [.proto, (.src4_addr // .src6_addr),
		(.dst4_addr // .dst6_addr), (.src_port // .icmp_type),
		(.dst_port // .icmp_code), .input_snmp, .output_snmp, .in_packets,
		.in_bytes, (.first | ms), (.last | ms), .src_tos, (.tcp_flags // "........")] |
		map(tostring) | join(" ")' "$1" | sort
}

# nf_sum JQ_SELECT: "packets bytes" of the collected records selected.
nf_sum() {
	jq -r "[.[] | select($1)] | \"\\(map(.in_packets) | add // 0) \\(map(.in_bytes) | add // 0)\"" \
		"$dir/nf.json"
}

stat_of() {	# NAME: a counter from the exporter's final JSON
	jq -r ".$1" "$dir/stats.json"
}

# round NAME udp|tcp: traffic, exported and collected, then compared.
round() {
	local name=$1 transport=$2 collector exp mon nf relay=
	dir=$work/$name
	mkdir -p "$dir/nf"
	ip netns exec $r nfcapd -b 127.0.0.1 -p 4739 -w "$dir/nf" -t 3600 \
		>"$dir/nfcapd.log" 2>&1 &
	nf=$!
	collector=127.0.0.1:4739
	if [ "$transport" = tcp ]; then
		ip netns exec $r "$RELAY" ::1 4740 127.0.0.1 4739 \
			>"$dir/relay.out" 2>"$dir/relay.log" &
		relay=$!
		collector=[::1]:4740
		port_wait $r tcp6 4740 || diag "fs-ipfix-relay is not listening on 4740"
	fi
	port_wait $r udp 4739 || diag "nfcapd is not listening on 4739"
	$FLOWCTL -n $r monitor -j >"$dir/monitor.json" 2>"$dir/monitor.log" &
	mon=$!
	$FLOWCTL -n $r -j export ipfix --collector $collector \
		--transport "$transport" --domain 7 --flush-interval 200 \
		>"$dir/stats.json" 2>"$dir/export.log" &
	exp=$!
	sleep 1
	nft_setup

	ip netns exec eic ping -q -c 20 -i 0.05 10.2.0.2 >/dev/null
	ip netns exec eic ping -q -c 15 -i 0.05 -s 1000 fd02::2 >/dev/null
	ip netns exec eic iperf3 -c 10.2.0.2 -p 5201 -n 2M >/dev/null
	check_eq "$name: iperf3 TCP over IPv4 ran" 0 "$?"
	ip netns exec eic iperf3 -c fd02::2 -p 5201 -n 1M >/dev/null
	check_eq "$name: iperf3 TCP over IPv6 ran" 0 "$?"
	ip netns exec eic iperf3 -c 10.2.0.2 -p 5201 -u -b 10M -n 500K >/dev/null
	check_eq "$name: iperf3 UDP ran" 0 "$?"
	sleep 1
	ip netns exec $r nft -j list table inet eic >"$dir/nft.json"
	# Every record ends now and is reported.
	$FLOWCTL -n $r records flush >/dev/null
	sleep 2
	kill -TERM $exp
	wait $exp
	check_eq "$name: the exporter exits 0" 0 "$?"
	kill -TERM $mon
	wait $mon
	sleep 1
	if [ -n "$relay" ]; then
		kill -TERM $relay
		wait $relay
	fi
	kill -TERM $nf
	wait $nf
	# -R: nfcapd starts a new file at each full hour (-t), so maybe two.
	nfdump -R "$dir/nf" -o json >"$dir/nf.json" 2>"$dir/nfdump.log"
	check_eq "$name: nfdump reads what nfcapd wrote" 0 "$?"

	check_eq "$name: every record received was exported, none lost" \
		"$(stat_of received) 0 0 0" \
		"$(stat_of exported) $(stat_of lost_kernel) $(stat_of lost_collector) $(stat_of lost_buffer)"
	check_eq "$name: nfcapd stored as many records as were exported" \
		"$(stat_of exported)" "$(jq length "$dir/nf.json")"
	check_eq "$name: as many as flowctl monitor printed" \
		"$(grep -c '"src"' "$dir/monitor.json")" "$(jq length "$dir/nf.json")"
	mon_lines "$dir/monitor.json" >"$dir/mon.lines"
	nf_lines "$dir/nf.json" >"$dir/nf.lines"
	if cmp -s "$dir/mon.lines" "$dir/nf.lines"; then
		ok "$name: every field of every record as the module reported it"
	else
		not_ok "$name: every field of every record as the module reported it"
		diff "$dir/mon.lines" "$dir/nf.lines" | head -20 | sed 's/^/#   /'
	fi
	check_match "$name: nfcapd counted no sequence failure" \
		"Sequence failures: 0" "$(nfdump -R "$dir/nf" -I)"

	check_eq "$name: IPv4 echo requests as nft counts" "$(nft_count ping4_req)" \
		"$(nf_sum '.proto == 1 and .icmp_type == 8')"
	check_eq "$name: IPv4 echo replies as nft counts" "$(nft_count ping4_rep)" \
		"$(nf_sum '.proto == 1 and .icmp_type == 0')"
	check_eq "$name: IPv6 echo requests as nft counts" "$(nft_count ping6_req)" \
		"$(nf_sum '.proto == 58 and .icmp_type == 128')"
	check_eq "$name: TCP over IPv4 to the server as nft counts" "$(nft_count tcp4_up)" \
		"$(nf_sum '.proto == 6 and .dst4_addr == "10.2.0.2" and .dst_port == 5201')"
	check_eq "$name: TCP over IPv4 from the server as nft counts" "$(nft_count tcp4_down)" \
		"$(nf_sum '.proto == 6 and .src4_addr == "10.2.0.2" and .src_port == 5201')"
	check_eq "$name: TCP over IPv6 to the server as nft counts" "$(nft_count tcp6_up)" \
		"$(nf_sum '.proto == 6 and .dst6_addr == "fd02::2" and .dst_port == 5201')"
	check_eq "$name: UDP to the server as nft counts" "$(nft_count udp_up)" \
		"$(nf_sum '.proto == 17 and .dst_port == 5201')"
	check_eq "$name: DSCP 46 of the IPv4 echo requests as ipClassOfService 184" "184" \
		"$(jq -r '[.[] | select(.proto == 1 and .icmp_type == 8) | .src_tos] | unique | join(",")' "$dir/nf.json")"
	check_match "$name: flushed records end as forcedEnd (4)" \
		"0x04 forced end" "$(nfdump -R "$dir/nf" -o raw | grep 'end reason' | sort -u)"
	if [ "$transport" = tcp ]; then
		check_eq "$name: one TCP connection, templates first" "1 1 0" \
			"$(stat_of connects) $(stat_of templates) $(stat_of disconnects)"
		check_match "$name: the relay passed every message" \
			"messages $(stat_of messages) .*connections 1" "$(cat "$dir/relay.out")"
	else
		check_eq "$name: the templates went once (refresh 60 s)" 1 "$(stat_of templates)"
	fi
	if grep -q "lost\|not delivered" "$dir/export.log"; then
		not_ok "$name: the exporter reported no loss"
		sed 's/^/#   /' "$dir/export.log"
	else
		ok "$name: the exporter reported no loss"
	fi
}

round udp4 udp
round tcp6 tcp

# Active-timeout reports of a long flow: deltas that add up to the flow.
dir=$work/active
mkdir -p "$dir/nf"
$FLOWCTL -n $r config set active-timeout 2 >/dev/null
ip netns exec $r nfcapd -b 127.0.0.1 -p 4739 -w "$dir/nf" -t 3600 >"$dir/nfcapd.log" 2>&1 &
nf=$!
port_wait $r udp 4739 || diag "nfcapd is not listening on 4739"
$FLOWCTL -n $r -j export ipfix --collector 127.0.0.1:4739 --flush-interval 200 \
	>"$dir/stats.json" 2>"$dir/export.log" &
exp=$!
sleep 1
nft_setup
ip netns exec eic ping -q -c 60 -i 0.1 10.2.0.2 >/dev/null
ip netns exec $r nft -j list table inet eic >"$dir/nft.json"
$FLOWCTL -n $r records flush >/dev/null
sleep 2
kill -TERM $exp
wait $exp
sleep 1
kill -TERM $nf
wait $nf
nfdump -R "$dir/nf" -o json >"$dir/nf.json" 2>/dev/null
check_eq "active: the echo requests' reports add up to nft's count" \
	"$(nft_count ping4_req)" "$(nf_sum '.proto == 1 and .icmp_type == 8')"
n=$(jq '[.[] | select(.proto == 1 and .icmp_type == 8)] | length' "$dir/nf.json")
check "active: a 6 s flow with a 2 s active timeout is reported in parts ($n)" \
	test "$n" -ge 2
check_match "active: reports end as activeTimeout (2)" "0x02 active timeout" \
	"$(nfdump -R "$dir/nf" -o raw | grep 'end reason' | sort -u)"

rm -rf "$work"
tap_done
