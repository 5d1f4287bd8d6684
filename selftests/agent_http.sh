#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# flowctl agent over HTTP. A data namespace (fsa) gets known traffic with
# accounting and the prefix sampler on; the agent serves it (-n fsa) while
# listening in a management namespace (fsam), so scrapes do not move the
# counters they read. Clients in two more namespaces: fsac is allowed,
# fsax is not. /metrics must give flowctl -j stats' numbers and nft's
# counts; a read-and-reset through the agent gives what trafgen sent (as
# nft counted it) and the next one gives nothing; the kept window reads
# again and is acknowledged; a request from fsax, one without the key and
# one with a wrong key are refused (403), counted, and change nothing.
# Last, an agent inside fsa serves it to localhost.
source "$(dirname "$0")/lib.sh"
fs_require_module
command -v trafgen >/dev/null || skip_all "trafgen (netsniff-ng) not installed"
command -v nft >/dev/null || skip_all "nft not installed"
command -v curl >/dev/null || skip_all "curl not installed"

smp_topo fsa || skip_all "cannot build the topology"
ns=fsa
ns_add fsam fsac fsax || skip_all "cannot add namespaces"
ip link add m-c netns fsam type veth peer name c-m netns fsac
ip link add m-x netns fsam type veth peer name x-m netns fsax
ip -n fsam addr add 10.78.1.1/24 dev m-c
ip -n fsac addr add 10.78.1.2/24 dev c-m
ip -n fsam addr add 10.78.2.1/24 dev m-x
ip -n fsax addr add 10.78.2.2/24 dev x-m
for d in "fsam m-c" "fsam m-x" "fsac c-m" "fsax x-m"; do
	set -- $d
	ip -n "$1" link set "$2" up
done

tmp=$(mktemp -d)
trap 'kill $agent $agent2 2>/dev/null; fs_cleanup; ip link del "$smp_gen" 2>/dev/null; rm -rf "$tmp"' EXIT
key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$key" >"$tmp/key"
chmod 600 "$tmp/key"

# http NS METHOD PATH [KEY] [HOST:PORT]: the body on stdout, the status
# code in $tmp/code, the response headers in $tmp/hdr.
http() {
	local args=(-sS -m 10 -D "$tmp/hdr" -o "$tmp/out" -w '%{http_code}')
	local url=http://${5:-10.78.1.1:9728}$3
	rm -f "$tmp/out"
	[ "$2" = POST ] && args+=(--data '')
	[ -n "${4:-}" ] && args+=(-H "Authorization: Bearer $4")
	ip netns exec "$1" curl "${args[@]}" "$url" >"$tmp/code" 2>"$tmp/err"
	[ -f "$tmp/out" ] && cat "$tmp/out"
	return 0
}

# put NS BODY [KEY] [HOST:PORT]: PUT /sampler/prefixes with BODY, as http.
put() {
	local args=(-sS -m 10 -D "$tmp/hdr" -o "$tmp/out" -w '%{http_code}'
		    -X PUT -H 'Content-Type: application/json' --data-binary "$2")
	rm -f "$tmp/out"
	[ -n "${3:-}" ] && args+=(-H "Authorization: Bearer $3")
	ip netns exec "$1" curl "${args[@]}" \
		"http://${4:-10.78.1.1:9728}/sampler/prefixes" >"$tmp/code" 2>"$tmp/err"
	[ -f "$tmp/out" ] && cat "$tmp/out"
	return 0
}

# The monitored prefixes as "PREFIX/DEPTH ..." (flowctl -j prefixes).
monitored() {
	$FLOWCTL -n $ns -j prefixes |
		jq -r '[.prefixes[] | "\(.prefix)/\(.depth)"] | sort | join(" ")'
}

# metric NAME[{LABELS}] FILE: a sample's value.
metric() {
	awk -v n="$1" '$1 == n { print $2 }' "$2"
}

# The independent counts: every packet the sampler sees (prerouting),
# every packet accounting sees (input but loopback, and postrouting).
ip netns exec $ns nft -f - <<'NFT' || skip_all "nft cannot load a table"
table inet fsa {
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		ip daddr 10.9.0.0/18 counter comment "sub0"
		ip daddr 10.9.64.0/18 counter comment "sub1"
		ip daddr 10.9.128.0/18 counter comment "sub2"
		ip daddr 10.9.192.0/18 counter comment "sub3"
		counter comment "all"
	}
	chain in {
		type filter hook input priority 0; policy accept;
		iif "lo" accept
		counter comment "in"
	}
	chain post {
		type filter hook postrouting priority 0; policy accept;
		counter comment "out"
	}
}
NFT

$FLOWCTL -n $ns config set acct on idle-timeout 600 ||
	skip_all "cannot turn accounting on"
check "sampler on: rate 1, deterministic, key dst" \
	$FLOWCTL -n $ns sampler set enable on rate 1 mode deterministic key dst
check "monitor 10.9.0.0/16 depth 2" $FLOWCTL -n $ns prefix add 10.9.0.0/16 depth 2

ip netns exec fsam $FLOWCTL -n $ns agent --listen 0.0.0.0:9728 \
	--allow 10.78.1.2 --key-file "$tmp/key" 2>"$tmp/agent.log" &
agent=$!
check "the agent listens on 9728 in fsam" port_wait fsam tcp 9728

# Traffic: sub-prefix i gets 7 (i + 1) packets; 25 go to fsa's address.
sent=()
for i in 0 1 2 3; do
	n=$((7 * (i + 1)))
	sent+=("$n")
	check "trafgen: $n packets to 10.9.$((i * 64 + 3)).1" \
		smp_send "$n" "10.9.$((i * 64 + 3)).1"
done
check "trafgen: 25 packets to fsa itself" smp_send 25 10.66.0.2
smp_settle $ns

# --- /metrics against flowctl -j stats and nft ----------------------------
http fsac GET /metrics "$key" >"$tmp/m1"
check_eq "GET /metrics: 200" 200 "$(cat "$tmp/code")"
check_match "Content-Type is the Prometheus text format" \
	"Content-Type: text/plain; version=0.0.4" "$(cat "$tmp/hdr")"
$FLOWCTL -n $ns -j stats >"$tmp/stats"
nftj=$(ip netns exec $ns nft -j list table inet fsa)
check_eq "flowstream_up 1" 1 "$(metric flowstream_up "$tmp/m1")"
for pair in acct_packets:flowstream_acct_packets_total \
	    acct_bytes:flowstream_acct_bytes_total \
	    records_created:flowstream_records_created_total \
	    records_ended:flowstream_records_ended_total \
	    smp_sampled:flowstream_sampler_sampled_packets_total \
	    smp_unmatched:flowstream_sampler_unmatched_packets_total \
	    smp_windows:flowstream_sampler_windows_total \
	    config_changes:flowstream_config_changes_total \
	    nl_rejected:flowstream_netlink_rejected_total \
	    notify_failed:flowstream_notify_failed_total \
	    acct_fragments:flowstream_acct_fragments_total \
	    records_evicted:flowstream_records_evicted_total \
	    events_sent:flowstream_events_sent_total \
	    events_dropped:flowstream_events_dropped_total \
	    acct_drop_limit:'flowstream_acct_dropped_packets_total{reason="limit"}' \
	    acct_drop_nomem:'flowstream_acct_dropped_packets_total{reason="nomem"}' \
	    acct_drop_malformed:'flowstream_acct_dropped_packets_total{reason="malformed"}' \
	    smp_drop_malformed:'flowstream_sampler_dropped_packets_total{reason="malformed"}' \
	    mig_exported:flowstream_migration_records_exported_total \
	    mig_imported:flowstream_migration_records_imported_total \
	    mig_merged:flowstream_migration_records_merged_total \
	    mig_batches_refused:flowstream_migration_batches_refused_total \
	    mig_taken_back:flowstream_migration_records_taken_back_total \
	    mig_takeback_failed:flowstream_migration_records_takeback_failed_total; do
	check_eq "${pair#*:} is stats' ${pair%%:*}" \
		"$(jq -r ".${pair%%:*}" "$tmp/stats")" "$(metric "${pair#*:}" "$tmp/m1")"
done
check_eq "flowctl stats' request came after the scrape's: nl_requests + 1" \
	"$(jq -r .nl_requests "$tmp/stats")" \
	"$(($(metric flowstream_netlink_requests_total "$tmp/m1") + 1))"
check_eq "one sample for each of stats' counters" \
	"$(jq -r 'keys | length' "$tmp/stats")" \
	"$(grep -cE '^flowstream_(netlink|config|notify|acct|records|events|sampler|migration)_' "$tmp/m1")"
check_eq "acct packets: nft's input + postrouting" \
	"$(($(nft_packets in <<<"$nftj") + $(nft_packets out <<<"$nftj")))" \
	"$(metric flowstream_acct_packets_total "$tmp/m1")"
check_eq "sampled packets (rate 1): nft's prerouting count" \
	"$(nft_packets all <<<"$nftj")" \
	"$(metric flowstream_sampler_sampled_packets_total "$tmp/m1")"
check "the traffic was counted (over 95 packets sampled)" \
	test "$(metric flowstream_sampler_sampled_packets_total "$tmp/m1")" -ge 95
check_eq "features: acct and sampler on, flowos off" "1 1 0" \
	"$(metric 'flowstream_feature_enabled{feature="acct"}' "$tmp/m1") $(metric 'flowstream_feature_enabled{feature="sampler"}' "$tmp/m1") $(metric 'flowstream_feature_enabled{feature="flowos"}' "$tmp/m1")"
check "counters are TYPE counter, up and uptime gauges" \
	grep -qzE '# TYPE flowstream_acct_packets_total counter.*# TYPE flowstream_up gauge|# TYPE flowstream_up gauge.*# TYPE flowstream_acct_packets_total counter' "$tmp/m1"
check_eq "samples: 6 gauges, stats' counters, 8 of the agent's" \
	"$((6 + $(jq -r 'keys | length' "$tmp/stats") + 8))" "$(grep -vc '^#' "$tmp/m1")"
check_eq "every sample's family has one HELP and one TYPE line" "" \
	"$(awk '/^# HELP/ { h[$3]++ } /^# TYPE/ { t[$3]++ }
		!/^#/ { n = $1; sub(/\{.*/, "", n); if (h[n] != 1 || t[n] != 1) print n }' "$tmp/m1")"
check_eq "a family's samples are together (no name comes back)" "" \
	"$(awk '!/^#/ { n = $1; sub(/\{.*/, "", n); if (n != last && seen[n]) print n; seen[n] = 1; last = n }' "$tmp/m1")"

# --- the sampler: read-and-reset through the agent ------------------------
win=$($FLOWCTL -n $ns -j sampler show | jq .window)
http fsac POST /sampler/reset "$key" >"$tmp/r1"
check_eq "POST /sampler/reset: 200" 200 "$(cat "$tmp/code")"
check_eq "it took window $win" "$win" "$(jq .window.number "$tmp/r1")"
q='.prefixes[] | select(.prefix == "10.9.0.0/16")'
for i in 0 1 2 3; do
	check_eq "sub-prefix $i: the ${sent[i]} packets sent, as nft counted" \
		"${sent[i]} $(nft_packets "sub$i" <<<"$nftj") ${sent[i]}" \
		"$(jq -r "$q | .subprefixes[$i] | \"\(.sampled_packets) \(.packets) \(.packets_high)\"" "$tmp/r1")"
	check_eq "sub-prefix $i: ${sent[i]} x 60 bytes" "$((sent[i] * 60))" \
		"$(jq -r "$q | .subprefixes[$i].bytes" "$tmp/r1")"
done
check_eq "unmatched: the 25 to fsa itself" 25 "$(jq .unmatched.sampled_packets "$tmp/r1")"
check "the window has its interval" \
	jq -e '.window.start_ms > 0 and .window.end_ms >= .window.start_ms and .window.rate == 1' "$tmp/r1"
$FLOWCTL -n $ns -j prefixes --window "$win" >"$tmp/kept"
check_eq "the same document as flowctl -j prefixes --window $win" \
	"$(jq -S . "$tmp/kept")" "$(jq -S . "$tmp/r1")"
http fsac GET "/sampler?window=$win" "$key" >"$tmp/again"
check_eq "GET /sampler?window=$win reads the kept window again" \
	"$(jq -S . "$tmp/r1")" "$(jq -S . "$tmp/again")"

http fsac POST /sampler/reset "$key" >"$tmp/r2"
check_eq "the second read-and-reset: 200, window $((win + 1))" "200 $((win + 1))" \
	"$(cat "$tmp/code") $(jq .window.number "$tmp/r2")"
check_eq "the second read is reset: nothing sampled anywhere" "0 0" \
	"$(jq -r "[$q | .subprefixes[].sampled_packets] | add" "$tmp/r2") $(jq .unmatched.sampled_packets "$tmp/r2")"
check "its window starts where the first ended" \
	jq -e --argjson e "$(jq .window.end_ms "$tmp/r1")" '.window.start_ms >= $e' "$tmp/r2"
http fsac GET "/sampler?window=$win" "$key" >/dev/null
check_eq "window $win is no longer kept: 404" 404 "$(cat "$tmp/code")"
http fsac POST "/sampler/ack?window=$((win + 1))" "$key" >"$tmp/ack"
check_eq "POST /sampler/ack?window=$((win + 1)): 200" "200 $((win + 1))" \
	"$(cat "$tmp/code") $(jq .acked "$tmp/ack")"
check_eq "the kept window is gone" 0 \
	"$($FLOWCTL -n $ns -j sampler show | jq '.kept_window // 0')"
http fsac GET /sampler "$key" >"$tmp/cur"
check_eq "GET /sampler: the current window, not reset by reading" \
	"200 $((win + 2))" "$(cat "$tmp/code") $(jq .window.number "$tmp/cur")"
http fsac GET /sampler/reset "$key" >/dev/null
check_eq "GET on /sampler/reset: 405" 405 "$(cat "$tmp/code")"
http fsac GET /nothing "$key" >/dev/null
check_eq "an unknown path: 404" 404 "$(cat "$tmp/code")"
http fsac GET "/sampler?window=x" "$key" >/dev/null
check_eq "a bad window number: 400" 400 "$(cat "$tmp/code")"

# --- refusals --------------------------------------------------------------
http fsax POST /sampler/reset "$key" 10.78.2.1:9728 >"$tmp/body"
check_eq "from a client address not allowed: 403" 403 "$(cat "$tmp/code")"
http fsac POST /sampler/reset >"$tmp/body"
check_eq "without the key: 403" 403 "$(cat "$tmp/code")"
http fsac POST /sampler/reset "${key%?}x" >"$tmp/body"
check_eq "with a wrong key (its last character): 403" 403 "$(cat "$tmp/code")"
http fsac GET /metrics "${key}0" >"$tmp/body"
check_eq "with the key and more: 403" 403 "$(cat "$tmp/code")"
check_eq "refused resets reset nothing: still window $((win + 2))" "$((win + 2))" \
	"$($FLOWCTL -n $ns -j sampler show | jq .window)"
http fsac GET /metrics "$key" >"$tmp/m2"
check_eq "refused: 1 for the address, 3 for the key" "1 3" \
	"$(metric 'flowstream_agent_refused_total{reason="address"}' "$tmp/m2") $(metric 'flowstream_agent_refused_total{reason="key"}' "$tmp/m2")"
check_eq "the agent answered 14 requests before this one" 15 \
	"$(metric flowstream_agent_requests_total "$tmp/m2")"

# --- /status ----------------------------------------------------------------
http fsac GET /status "$key" >"$tmp/status"
check_eq "GET /status: 200" 200 "$(cat "$tmp/code")"
check_eq "status: protocol 1, a key, serving fsa" "1 true fsa" \
	"$(jq -r '"\(.agent.protocol) \(.agent.key) \(.netns.name)"' "$tmp/status")"
check_eq "status: fsa's namespace inode" \
	"$(stat -L -c %i /run/netns/$ns)" "$(jq .netns.inode "$tmp/status")"
# migrate has no switch: it is on wherever the module is loaded.
check_eq "status: the capabilities on" "acct sampler migrate" \
	"$(jq -r '.features | join(" ")' "$tmp/status")"
check_eq "status: the module version is flowctl version's" \
	"$($FLOWCTL -n $ns -j version | jq -r .module)" "$(jq -r .version.module "$tmp/status")"
check_eq "status: the sampler's settings" "true 1 deterministic dst" \
	"$(jq -r '.sampler | "\(.enable) \(.rate) \(.mode) \(.key)"' "$tmp/status")"

# --- PUT /sampler/prefixes: the set, all or nothing ----------------------
set1='{"prefixes": [{"prefix": "10.9.0.0/17", "depth": 3}, {"prefix": "10.9.128.0/17", "depth": 1}, {"prefix": "fd00::/16", "depth": 4}]}'
put fsac "$set1" "$key" >"$tmp/p1"
check_eq "PUT /sampler/prefixes: 200, 3 added, 10.9.0.0/16 removed" \
	"200 3 1 0" "$(cat "$tmp/code") $(jq -r '"\(.added) \(.removed) \(.kept)"' "$tmp/p1")"
check_eq "flowctl -j prefixes shows the set" \
	"10.9.0.0/17/3 10.9.128.0/17/1 fd00::/16/4" "$(monitored)"
put fsac "$set1" "$key" >"$tmp/p2"
check_eq "the same set again: 200, nothing touched" "200 0 0 3" \
	"$(cat "$tmp/code") $(jq -r '"\(.added) \(.removed) \(.kept)"' "$tmp/p2")"
smp_send 8 10.9.3.1 >/dev/null
smp_settle $ns
set2='{"prefixes": [{"prefix": "10.9.0.0/17", "depth": 3}, {"prefix": "10.10.0.0/16", "depth": 2}]}'
put fsac "$set2" "$key" >"$tmp/p3"
check_eq "a changed set: 1 kept, 1 added, 2 removed" "200 1 1 2" \
	"$(cat "$tmp/code") $(jq -r '"\(.kept) \(.added) \(.removed)"' "$tmp/p3")"
check_eq "flowctl -j prefixes shows it" "10.10.0.0/16/2 10.9.0.0/17/3" "$(monitored)"
check_eq "the kept prefix kept its counts (8 packets to 10.9.3.1)" 8 \
	"$($FLOWCTL -n $ns -j prefixes | jq '.prefixes[] | select(.prefix == "10.9.0.0/17") | .total.sampled_packets')"
before=$(monitored)
nbad=0
for bad in 'not json' '{"prefixes": [' '[]' '{"prefixes": {}}' \
	   '{"prefixes": [{"prefix": "10.9.0.1/16"}]}' \
	   '{"prefixes": [{"prefix": "10.9.0.0/16", "depth": 17}]}' \
	   '{"prefixes": [{"prefix": "10.9.0.0/16"}, {"prefix": "10.9.4.0/24"}]}' \
	   '{"prefixes": [{"prefix": "10.9.0.0/16", "dept": 2}]}' \
	   '{"prefixes": [{"prefix": "10.11.0.0/16"}], "more": 1}'; do
	put fsac "$bad" "$key" >"$tmp/pb"
	check_eq "400 with a message for '$bad'" "400 true" \
		"$(cat "$tmp/code") $(jq '.error | length > 0' "$tmp/pb")"
	nbad=$((nbad + 1))
done
check_eq "the bad bodies changed nothing" "$before" "$(monitored)"
check_match "the overlap is named" "10.9.4.0/24 overlaps 10.9.0.0/16" \
	"$(put fsac '{"prefixes": [{"prefix": "10.9.0.0/16"}, {"prefix": "10.9.4.0/24"}]}' "$key")"
check "max-prefixes 4" $FLOWCTL -n $ns sampler set max-prefixes 4
put fsac '{"prefixes": [{"prefix": "10.9.0.0/17", "depth": 3}, {"prefix": "10.20.0.0/16"}, {"prefix": "10.21.0.0/16"}, {"prefix": "10.22.0.0/16"}, {"prefix": "10.23.0.0/16"}]}' \
	"$key" >"$tmp/pf"
check_eq "over the module's max-prefixes: 409, the module's reason" "409 true" \
	"$(cat "$tmp/code") $(jq '.error | test("max-prefixes")' "$tmp/pf")"
check_eq "and the previous set restored" "$before" "$(monitored)"
check "max-prefixes back to 16384" $FLOWCTL -n $ns sampler set max-prefixes 16384
put fsax "$set1" "$key" 10.78.2.1:9728 >/dev/null
check_eq "PUT from a client address not allowed: 403" 403 "$(cat "$tmp/code")"
put fsac "$set1" >/dev/null
check_eq "PUT without the key: 403" 403 "$(cat "$tmp/code")"
put fsac "$set1" "${key%?}x" >/dev/null
check_eq "PUT with a wrong key: 403" 403 "$(cat "$tmp/code")"
check_eq "refused PUTs changed nothing" "$before" "$(monitored)"
http fsac GET /sampler/prefixes "$key" >/dev/null
check_eq "GET on /sampler/prefixes: 405, Allow: PUT" "405 1" \
	"$(cat "$tmp/code") $(grep -ci '^Allow: PUT' "$tmp/hdr")"
http fsac GET /status "$key" >"$tmp/status3"
check_eq "status counts the sets: 3 applied, $((nbad + 1)) invalid, 1 failed" \
	"3 $((nbad + 1)) 1 0" \
	"$(jq -r '.agent.prefix_sets | "\(.applied) \(.invalid) \(.failed) \(.undo_failed)"' "$tmp/status3")"
http fsac GET /metrics "$key" >"$tmp/m5"
check_eq "so does /metrics" "3 $((nbad + 1)) 1" \
	"$(metric 'flowstream_agent_prefix_sets_total{result="applied"}' "$tmp/m5") $(metric 'flowstream_agent_prefix_sets_total{result="invalid"}' "$tmp/m5") $(metric 'flowstream_agent_prefix_sets_total{result="failed"}' "$tmp/m5")"

kill -TERM $agent
wait $agent
check_eq "SIGTERM stops the agent, status 0" 0 $?
# 16 before the PUTs; then 3 + 10 bad + 1 overlap + 1 over the limit + 3
# refused + 1 GET + /status + /metrics.
check_match "it logs what it served" "stopped \\($((16 + 3 + nbad + 1 + 1 + 3 + 3)) requests, 7 refused\\)" "$(cat "$tmp/agent.log")"
agent=

# --- an agent inside fsa, localhost only by default ------------------------
ip netns exec $ns $FLOWCTL agent --listen 127.0.0.1:9729 2>"$tmp/agent2.log" &
agent2=$!
check "the agent in fsa listens on 127.0.0.1:9729" port_wait $ns tcp 9729
http $ns GET /metrics "" 127.0.0.1:9729 >"$tmp/m3"
check_eq "from localhost without a key: 200, up" "200 1" \
	"$(cat "$tmp/code") $(metric flowstream_up "$tmp/m3")"
http $ns GET /status "" 127.0.0.1:9729 >"$tmp/status2"
check_eq "it serves the namespace it runs in" \
	"$(stat -L -c %i /run/netns/$ns)" "$(jq .netns.inode "$tmp/status2")"
check_eq "no name, no key" "null false" \
	"$(jq -r '"\(.netns.name) \(.agent.key)"' "$tmp/status2")"
kill -TERM $agent2
wait $agent2
check_eq "SIGTERM stops it, status 0" 0 $?
agent2=

# [::] takes IPv4 too: 127.0.0.1 comes as ::ffff:127.0.0.1 and is allowed
# as 127.0.0.1; ::1 is not in the list.
ip netns exec fsac $FLOWCTL -n $ns agent --listen '[::]:9730' --allow 127.0.0.1 \
	2>"$tmp/agent3.log" &
agent2=$!
check "an agent on [::]:9730 in fsac" port_wait fsac tcp6 9730
http fsac GET /metrics "" 127.0.0.1:9730 >"$tmp/m4"
check_eq "[::] serves IPv4 clients: 200 from 127.0.0.1, allowed" "200 1" \
	"$(cat "$tmp/code") $(metric flowstream_up "$tmp/m4")"
http fsac GET /metrics "" '[::1]:9730' >/dev/null
check_eq "::1 is not allowed: 403" 403 "$(cat "$tmp/code")"
kill -TERM $agent2
wait $agent2
agent2=

check "the agent refuses a key file with a short key" \
	sh -c "! printf 'short\n' >$tmp/short || ! $FLOWCTL agent --key-file $tmp/short 2>/dev/null"
check "and a namespace that is not there" \
	sh -c "! $FLOWCTL -n fsa-none agent 2>/dev/null"
tap_done
