#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# flowctl balance run, the balancer's controller, end to end: Open
# vSwitch's userspace datapath (as bal_ovs.sh: no openvswitch kernel
# module) with a clients' namespace on port 1 and four module hosts in
# namespaces on ports 2 to 5, each with flowstream's sampler (rate 1,
# key src; a stale 10.0.0.0/12 at depth 8 that the controller replaces)
# and a "flowctl agent" serving it (with a key) from a management
# namespace, where the controller runs too. A fifth host's "agent"
# answers garbage (busybox nc). The controller tells each host which
# prefixes to monitor (PUT /sampler/prefixes): its own at depth 8, the
# default host 10.0.0.0/12 at depth 4; after each install, every host's
# monitored prefixes (flowctl -j prefixes) are its assignment's.
#
# The clients send Zipf-like traffic over the sixteen /16s of 10.0.0.0/12
# (256, 128, 3 x 64, 5 x 32 and 6 x 16 packets per round, times
# FS_BALRUN_SCALE), each /16's sources spread evenly over it. The
# controller runs one cycle per round (SIGUSR1 after each), so each
# sampler window holds one round:
#   - the first cycle (no traffic yet) installs everything on the default
#     host; the first round's cycle rebalances and installs generation 2;
#   - steady rounds then install nothing (hysteresis), the switch holds
#     the rule count of the state file ("flowctl -j balance show"'s
#     format), and each host's packets, counted by nft on the host, are
#     within max-imbalance of its share, and match the loads the
#     controller gave it;
#   - one host's agent stopped: after --failures 2 cycles it is out, its
#     prefixes go to the others (no rule names it, it gets no packets,
#     the others are within max-imbalance of a third each);
#   - its agent back: it is taken back and gets traffic again;
#   - the garbage agent was counted and the controller stops cleanly on
#     SIGTERM.
source "$(dirname "$0")/lib.sh"
fs_require_module
source "$(dirname "$0")/ovs_lib.sh"
scale=${FS_BALRUN_SCALE:-1}
tmp=$(mktemp -d)
br=brbr
agents=()
ctl=
trap '[ -n "$ctl" ] && kill $ctl 2>/dev/null; kill ${agents[*]} 2>/dev/null; ovs_stop; fs_cleanup; rm -rf "$tmp"' EXIT
ovs_start

check "bridge $br on the userspace datapath" \
	vsctl add-br $br -- set Bridge $br datapath_type=netdev fail-mode=secure

# Namespaces: brc (clients, port 1), brh1..brh4 (hosts, ports 2..5), brm
# (management: the agents and the controller, on its loopback).
ns_add brc brh1 brh2 brh3 brh4 brm || skip_all "cannot add namespaces"
port=1
for n in c h1 h2 h3 h4; do
	ip link add o-$n type veth peer name i-$n netns br$n || skip_all "veth"
	ip link set o-$n up
	ip netns exec br$n sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n br$n link set i-$n up
	vsctl add-port $br o-$n -- set Interface o-$n ofport_request=$port ||
		not_ok "port o-$n"
	port=$((port + 1))
done
for h in 1 2 3 4; do
	ip netns exec brh$h nft -f - <<NFT || skip_all "nft cannot load a table"
table netdev br {
	chain in {
		type filter hook ingress device i-h$h priority 0; policy accept;
		ip saddr 10.0.0.0/12 udp dport 5000 counter comment "fwd"
	}
}
NFT
	check "brh$h: sampler rate 1, key src; a stale 10.0.0.0/12 depth 8" eval \
		"$FLOWCTL -n brh$h sampler set enable on rate 1 mode deterministic key src &&
		 $FLOWCTL -n brh$h prefix add 10.0.0.0/12 depth 8"
done

key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$key" >"$tmp/key"
chmod 600 "$tmp/key"

# agent_start H: host H's agent, in brm on 127.0.0.1:974H.
agent_start() {
	ip netns exec brm $FLOWCTL -n brh$1 agent --listen 127.0.0.1:974$1 \
		--key-file "$tmp/key" 2>>"$tmp/agent$1.log" &
	agents[$1]=$!
	port_wait brm tcp 974$1
}
for h in 1 2 3 4; do
	check "host $h's agent listens on 127.0.0.1:974$h" agent_start $h
done
# Host 5's "agent" answers every request with a broken window.
garbage=0
if command -v busybox >/dev/null && busybox nc --help 2>&1 | grep -q -- '-e PROG'; then
	cat >"$tmp/garbage.sh" <<'EOF'
#!/bin/sh
cr=$(printf '\r')
while IFS= read -r l && [ "$l" != "$cr" ] && [ -n "$l" ]; do :; done
printf 'HTTP/1.0 200 OK\r\nContent-Length: 34\r\n\r\n{"window": {"number": "seven", [[['
EOF
	chmod +x "$tmp/garbage.sh"
	ip netns exec brm busybox nc -ll -p 9749 -e "$tmp/garbage.sh" \
		2>/dev/null &
	agents[5]=$!
	{ port_wait brm tcp 9749 || port_wait brm tcp6 9749; } && garbage=1
fi
[ $garbage = 1 ] || diag "no busybox nc: host 5's agent does not answer at all"

cat >"$tmp/bal.conf" <<EOF
bridge $br
client-port 1
key src
max-imbalance 1.1
target 1.05
agent-key-file $tmp/key
sampler-depth 8
sampler-default 10.0.0.0/12 depth 4
host 1 port 2 capacity 100 agent 127.0.0.1:9741
host 2 port 3 capacity 100 agent 127.0.0.1:9742
host 3 port 4 capacity 100 agent 127.0.0.1:9743
host 4 port 5 capacity 100 agent 127.0.0.1:9744
host 5 port 7 capacity 100 agent 127.0.0.1:9749
EOF
maxi=1.1

# Traffic: /16 number i of 10.0.0.0/12 gets counts[i] * scale packets a
# round, from sources spaced evenly over it (trafgen's dinc on the
# address's last two bytes), so any split of it down to that spacing
# gets its share exactly. /16s with the same count go in one trafgen
# run (one packet block each; trafgen sends them in turn).
counts=(256 128 64 64 64 32 32 32 32 32 16 16 16 16 16 16)
# A gap between packets: ovs-vswitchd, emulated and after a new
# generation (every flow an upcall again), lost 11 of a round's 832
# packets sent back to back in one 6.12 run.
gap=${FS_BALRUN_GAP:-100us}
round_total=0
for c in "${counts[@]}"; do
	round_total=$((round_total + c * scale))
done
send_round() {
	local c i f n
	for c in 256 128 64 32 16; do
		f=$tmp/tg.$c.conf
		: >"$f"
		n=0
		for i in "${!counts[@]}"; do
			[ "${counts[i]}" = $c ] || continue
			echo "{ eth(da=ff:ff:ff:ff:ff:ff, type=0x0800), ipv4(saddr=10.$i.0.0, saddr[2:2]=dinc(0, 65535, $((65536 / (c * scale)))), daddr=192.0.2.1, ttl=64), udp(sp=4000, dp=5000), fill(0x00, 32) }" >>"$f"
			n=$((n + 1))
		done
		(cd "$tmp" && ip netns exec brc trafgen -q --dev i-c --conf "$f" \
			-n $((n * c * scale)) --cpus 1 -t "$gap") >"$f.log" 2>&1 ||
			{ sed 's/^/#   /' "$f.log"; return 1; }
	done
}

# counts_now: each host's counter, "h1 h2 h3 h4".
counts_now() {
	local h
	for h in 1 2 3 4; do
		ip netns exec brh$h nft -j list table netdev br | nft_packets fwd
	done | xargs
}

# settle: wait until the hosts' counters stop moving (the same three
# times in a row, 0.3 s apart).
settle() {
	local a=x b _ same=0
	for _ in $(seq 100); do
		b=$(counts_now)
		if [ "$a" = "$b" ]; then
			same=$((same + 1))
			[ $same -ge 2 ] && return
		else
			same=0
		fi
		a=$b
		sleep 0.3
	done
}

# The controller measures rates (a window's packets over its length) and
# the test sends a round per window: the windows must be of one length,
# or steady traffic would look unsteady (a host whose estimate is held
# while its polls fail would stand out). Cycles are paced: one every
# "period" seconds, from the start; FS_BALRUN_PERIOD, or three times what
# the first round took (at least 30 s), leaves room for a round and its
# checks in each. The controller runs with --alpha 1 (each host's last
# window, no moving average): averaging from the first cycle's empty
# windows, the hosts' estimates would still be rising when one is held,
# and the held one would stand out too (the unit tests cover the average).
ncycle=0
period=${FS_BALRUN_PERIOD:-0}
last=

# now: seconds since the epoch, with microseconds.
now() {
	echo "$EPOCHREALTIME"
}

# cycle_now: make the controller run its next cycle, "period" after the
# last, and wait for its decision line.
cycle_now() {
	local _ wait
	ncycle=$((ncycle + 1))
	if [ $ncycle -gt 1 ]; then
		if [ "$period" = 0 ]; then
			period=$(awk -v a="$last" -v b="$(now)" \
				'BEGIN { p = 3 * (b - a); printf "%.1f", (p < 30 ? 30 : p) }')
			diag "cycles every $period s"
		fi
		wait=$(awk -v a="$last" -v b="$(now)" -v p="$period" \
			'BEGIN { w = a + p - b; printf "%.3f", (w > 0 ? w : 0) }')
		[ "$wait" = 0.000 ] && diag "cycle $ncycle: late by more than the period"
		sleep "$wait"
		kill -USR1 $ctl
		last=$(awk -v a="$last" -v p="$period" 'BEGIN { printf "%.6f", a + p }')
		[ "$wait" = 0.000 ] && last=$(now)
	else
		last=$(now)
	fi
	for _ in $(seq 600); do
		grep -q "cycle=$ncycle decision=" "$tmp/ctl.log" && return 0
		kill -0 $ctl 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# decision N: the decision line of cycle N.
decision() {
	grep "cycle=$1 decision=" "$tmp/ctl.log"
}

# field LINE KEY: the value of KEY=VALUE in LINE.
field() {
	tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}

tag=0x666c6f77
# switch_rules GEN: the balancer's rules of generation GEN on the switch.
switch_rules() {
	ofctl dump-flows $br "cookie=$tag$(printf %08x "$1")/-1" | grep -c ' cookie='
}

# measure WHAT HOSTS...: send a round, check that every packet reached one
# of the four hosts, that each host in HOSTS got at most max-imbalance
# times its share (an equal part of the round), and that each got the
# part of the round the controller's state gives it (within 3 points).
# Sets "got" to the counts of hosts 1 to 4.
measure() {
	local what=$1 before after i sum=0 h
	shift
	before=($(counts_now))
	send_round || not_ok "$what: trafgen"
	settle
	after=($(counts_now))
	got=()
	for i in 0 1 2 3; do
		got[i + 1]=$((after[i] - before[i]))
		sum=$((sum + got[i + 1]))
	done
	diag "$what: per host ${got[*]} of $round_total"
	check_eq "$what: every packet reached a host" "$round_total" "$sum"
	for h in "$@"; do
		check "$what: host $h's packets within $maxi of its share ($((got[h])) of $round_total / $#)" \
			awk -v g="${got[h]}" -v t="$round_total" -v n=$# -v m=$maxi \
			'BEGIN { exit !(g <= m * t / n) }'
		check "$what: host $h's part as the controller's model ($(jq -r --argjson h $h '.hosts[] | select(.id == $h) | .load' "$tmp/state.json") of $(jq -r .total "$tmp/state.json"))" \
			awk -v g="${got[h]}" -v t="$round_total" \
			-v l="$(jq -r --argjson h $h '.hosts[] | select(.id == $h) | .load' "$tmp/state.json")" \
			-v lt="$(jq -r .total "$tmp/state.json")" \
			'BEGIN { d = g / t - l / lt; exit !(d < 0.03 && d > -0.03) }'
	done
}

# check_state WHAT: the switch holds exactly the state's rules.
check_state() {
	local gen rules
	gen=$(jq -r .generation "$tmp/state.json")
	rules=$(jq -r .switch_rules "$tmp/state.json")
	check_eq "$1: the switch holds the state's $rules rules, generation $gen" \
		"$rules" "$(switch_rules "$gen")"
	check_eq "$1: and no other balancer rule" "$rules" \
		"$(ofctl dump-flows $br "cookie=${tag}00000000/0xffffffff00000000" | grep -c ' cookie=')"
	check_eq "$1: 2 rules per prefix and 4 defaults" \
		"$(($(jq .prefixes "$tmp/state.json") * 2 + 4))" "$rules"
}

# monitored H: host H's monitored prefixes, "PREFIX/DEPTH ..." sorted.
monitored() {
	$FLOWCTL -n brh$1 -j prefixes |
		jq -r '[.prefixes[] | "\(.prefix)/\(.depth)"] | sort | join(" ")'
}

# assigned H: what the state file says host H monitors: the default host
# 10.0.0.0/12 at depth 4, another its rules' prefixes at depth 8 (less
# where the address ends first).
assigned() {
	jq -r --argjson h "$1" 'if .default_host == $h then "10.0.0.0/12/4"
		else [.rules[] | select(.host == $h) | .prefix |
		      "\(.)/\([8, 32 - (split("/")[1] | tonumber)] | min)"] |
		     sort | join(" ") end' "$tmp/state.json"
}

# check_samplers WHAT HOSTS...: each host's sampler monitors its part.
check_samplers() {
	local what=$1 h
	shift
	for h in "$@"; do
		check_eq "$what: host $h monitors its assignment's prefixes" \
			"$(assigned $h)" "$(monitored $h)"
	done
}

# --- start: no traffic yet ---------------------------------------------------
ip netns exec brm $FLOWCTL balance run "$tmp/bal.conf" --interval 3600 \
	--timeout 5 --failures 2 --alpha 1 --state "$tmp/state.json" \
	>"$tmp/ctl.log" 2>&1 &
ctl=$!
check "cycle 1 (at start)" cycle_now
line=$(decision 1)
diag "$line"
check_eq "cycle 1 installs generation 1 (reason first)" "install first 1" \
	"$(field "$line" decision) $(field "$line" reason) $(field "$line" generation)"
check_state "generation 1"
check_samplers "generation 1" 1 2 3 4
check_eq "cycle 1: 4 pushes, 1 failed (host 5)" "4 1" \
	"$(field "$line" sampler_pushes) $(field "$line" sampler_push_failures)"

# --- the first round: rebalanced -----------------------------------------------
send_round || not_ok "round 1: trafgen"
settle
check "cycle 2" cycle_now
line=$(decision 2)
diag "$line"
check_eq "cycle 2 installs generation 2" "install 2" \
	"$(field "$line" decision) $(field "$line" generation)"
check "the imbalance before was over the maximum ($(field "$line" imbalance_before))" \
	awk -v b="$(field "$line" imbalance_before)" -v m=$maxi 'BEGIN { exit !(b > m) }'
check "and after, at most the target ($(field "$line" imbalance))" \
	awk -v b="$(field "$line" imbalance)" 'BEGIN { exit !(b <= 1.05) }'
if [ $garbage = 1 ]; then
	check_match "host 5 (garbage) was taken out" \
		"event=host-down host=5 failures=2" "$(grep 'cycle=2 ' "$tmp/ctl.log")"
fi
check_state "generation 2"
check_samplers "generation 2" 1 2 3 4

# --- steady rounds: nothing installed, measured shares --------------------------
measure "steady round 1" 1 2 3 4
check "cycle 3" cycle_now
line=$(decision 3)
diag "$line"
check_eq "cycle 3 keeps generation 2 (steady)" "keep steady 2" \
	"$(field "$line" decision) $(field "$line" reason) $(field "$line" generation)"
measure "steady round 2" 1 2 3 4
check "cycle 4" cycle_now
line=$(decision 4)
check_eq "cycle 4 keeps generation 2 (steady)" "keep steady 2" \
	"$(field "$line" decision) $(field "$line" reason) $(field "$line" generation)"
check_state "after the steady rounds"
check_samplers "after the steady rounds" 1 2 3 4
check_eq "no push in the steady cycles" "0 0" \
	"$(field "$(decision 3)" sampler_pushes) $(field "$line" sampler_pushes)"

# --- a host's agent stops ---------------------------------------------------------
victim=$(jq -r '[.hosts[] | select((.default | not) and .prefixes > 0)][0].id' "$tmp/state.json")
check "a host other than the default one has prefixes ($victim)" \
	test "$victim" != null
kill ${agents[victim]}
wait ${agents[victim]} 2>/dev/null
send_round || not_ok "trafgen"
settle
check "cycle 5" cycle_now
check_match "cycle 5: host $victim's poll failed (1)" \
	"event=poll-failed host=$victim .*reason=connect failures=1" \
	"$(grep 'cycle=5 ' "$tmp/ctl.log")"
check_eq "cycle 5 keeps generation 2" "keep 2" \
	"$(field "$(decision 5)" decision) $(field "$(decision 5)" generation)"
send_round || not_ok "trafgen"
settle
check "cycle 6" cycle_now
line=$(decision 6)
diag "$line"
check_match "cycle 6: host $victim is out" "event=host-down host=$victim failures=2" \
	"$(grep 'cycle=6 ' "$tmp/ctl.log")"
check_eq "cycle 6 installs generation 3 (reason hosts)" "install hosts 3" \
	"$(field "$line" decision) $(field "$line" reason) $(field "$line" generation)"
check_match "its prefixes moved from it" ":$victim>" "$(field "$line" moves)"
check_eq "no rule names host $victim, nor is it the default" "0 true" \
	"$(jq --argjson v $victim '[.rules[] | select(.host == $v)] | length' "$tmp/state.json") $(jq --argjson v $victim '.default_host != $v' "$tmp/state.json")"
check_state "host $victim out"
others=()
for h in 1 2 3 4; do
	[ $h = "$victim" ] || others+=($h)
done
check_samplers "host $victim out" "${others[@]}"
measure "host $victim out" "${others[@]}"
check_eq "host $victim got no packet" 0 "${got[victim]}"

# --- it comes back ------------------------------------------------------------------
check "cycle 7" cycle_now
check "host $victim's agent again" agent_start $victim
send_round || not_ok "trafgen"
settle
check "cycle 8" cycle_now
line=$(decision 8)
diag "$line"
check_match "cycle 8: host $victim is back" "event=host-up host=$victim" \
	"$(grep 'cycle=8 ' "$tmp/ctl.log")"
check_eq "cycle 8 installs (reason hosts)" "install hosts" \
	"$(field "$line" decision) $(field "$line" reason)"
check_state "host $victim back"
check_samplers "host $victim back" 1 2 3 4
measure "host $victim back" 1 2 3 4
check "host $victim gets packets again (${got[victim]})" test "${got[victim]}" -gt 0

# --- stop -------------------------------------------------------------------------
kill -TERM $ctl
wait $ctl
check_eq "the controller exits 0 on SIGTERM" 0 $?
ctl=
check_match "and says so" "event=stop cycles=8" "$(cat "$tmp/ctl.log")"
if [ $garbage = 1 ]; then
	check "host 5's garbage was counted, every cycle" \
		grep -q "event=host-stats host=5 down=1 polls=0 .*garbage=8" "$tmp/ctl.log"
fi
check "the pushes were counted per host" \
	grep -q "event=host-stats host=1 .*sampler_pushes=[1-9]" "$tmp/ctl.log"
check_eq "no decision failed" 0 "$(grep -c 'decision=error\|decision=install-failed' "$tmp/ctl.log")"
check_eq "every line is KEY=VALUE words after \"balance\"" 0 \
	"$(grep -cvE '^balance( [a-z_]+=("[^"]*"|[^ "]*))+$' "$tmp/ctl.log")"
grep -E 'decision=|event=host' "$tmp/ctl.log" | sed 's/^/# /'

tap_done
