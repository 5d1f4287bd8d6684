#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# flowctl balance on Open vSwitch's userspace datapath (datapath_type
# netdev: no openvswitch kernel module). The test starts its own
# ovsdb-server and ovs-vswitchd with a run directory of their own, and a
# bridge with ports 1 (the clients' namespace), 2 to 5 (four module
# hosts, each a namespace) and 6 (a server namespace, the return side).
# "flowctl balance install" computes the assignment of a configuration's
# loads (IPv4 and IPv6) and installs it; the clients then send from
# source addresses in every loaded prefix and the server sends back to
# them. Each host counts what reaches it with nft (netdev ingress): the
# counts must be exactly what "flowctl balance lookup" says of each
# address, in both directions. The switch must hold the rule count "show"
# gives, all with the generation's cookie, and a rule of someone else's
# untouched; prefix tracking must be set on table 0. A second install with
# other loads replaces the generation: the old cookie is gone, the new
# rule count is there, and traffic follows the new assignment.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ovs_lib.sh"
tmp=$(mktemp -d)
br=bobr
trap 'ovs_stop; fs_cleanup; rm -rf "$tmp"' EXIT
ovs_start
# Cached datapath flows live 60 s instead of 10: the test reads them
# after a round of traffic that takes longer than 10 s under emulation.
vsctl set Open_vSwitch . other_config:max-idle=60000

check "bridge $br on the userspace datapath" \
	vsctl add-br $br -- set Bridge $br datapath_type=netdev fail-mode=secure

# Namespaces: boc (clients, port 1), boh1..boh4 (hosts, ports 2..5), bos
# (server, port 6). The switch's side of each veth is o-NAME.
ns_add boc boh1 boh2 boh3 boh4 bos || skip_all "cannot add namespaces"
port=1
for n in c h1 h2 h3 h4 s; do
	ip link add o-$n type veth peer name i-$n netns bo$n || skip_all "veth"
	ip link set o-$n up
	ip -n bo$n link set i-$n up
	vsctl add-port $br o-$n -- set Interface o-$n ofport_request=$port ||
		not_ok "port o-$n"
	port=$((port + 1))
done
for h in 1 2 3 4; do
	ip netns exec boh$h nft -f - <<NFT || skip_all "nft cannot load a table"
table netdev bo {
	chain in {
		type filter hook ingress device i-h$h priority 0; policy accept;
		udp dport 5000 counter comment "fwd"
		udp dport 6000 counter comment "ret"
	}
}
NFT
done
check_eq "ports 1 to 6 on the bridge" "1 2 3 4 5 6" \
	"$(for n in c h1 h2 h3 h4 s; do vsctl get Interface o-$n ofport; done | xargs)"

# Someone else's rule on the same table: the balancer must leave it.
check "a rule that is not the balancer's (cookie 0x1234)" \
	ofctl add-flow $br "cookie=0x1234,priority=5,arp,actions=drop"

conf() {
	cat <<EOF
bridge $br
client-port 1
server-port 6
key src
host 1 port 2 capacity 100
host 2 port 3 capacity 100
host 3 port 4 capacity 100
host 4 port 5 capacity 100
$(cat)
EOF
}
conf >"$tmp/a.conf" <<'EOF'
load 10.1.0.0/16 400
load 10.2.0.0/16 300
load 10.3.0.0/16 200
load 10.4.0.0/16 100
load 10.5.0.0/16 100
load fd00:1::/32 200
load fd00:2::/32 100
EOF
conf >"$tmp/b.conf" <<'EOF'
load 10.1.0.0/16 100
load 10.2.0.0/16 100
load 10.3.0.0/16 100
load 10.4.0.0/16 600
load 10.5.0.0/16 200
load fd00:1::/32 50
load fd00:2::/32 250
EOF

# The source addresses the clients send from: two in each loaded prefix.
srcs4=(10.1.0.7 10.1.200.9 10.2.0.7 10.2.130.1 10.3.0.7 10.3.77.3
       10.4.0.7 10.4.255.254 10.5.0.7 10.5.128.1)
srcs6=(fd00:1::7 fd00:1:8000::1 fd00:2::7 fd00:2:ffff::9)

# send NS DEV DPORT SADDR DADDR PACKETS: UDP from SADDR to DADDR.
send() {
	local f=$tmp/tg.$RANDOM.conf eth=0x0800 l3
	if [[ $4 == *:* ]]; then
		eth=0x86dd
		l3="ipv6(sa=$4, da=$5, hoplimit=64), udp(sp=4000, dp=$3), fill(0x00, 12)"
	else
		l3="ipv4(saddr=$4, daddr=$5, ttl=64), udp(sp=4000, dp=$3), fill(0x00, 32)"
	fi
	echo "{ eth(da=ff:ff:ff:ff:ff:ff, type=$eth), $l3 }" >"$f"
	(cd "$tmp" && ip netns exec "$1" trafgen -q --dev "$2" --conf "$f" \
		-n "$6" --cpus 1) >"$f.log" 2>&1 ||
		{ sed 's/^/#   /' "$f.log"; return 1; }
}

# counts DIR: each host's counter (fwd or ret), "h1 h2 h3 h4".
counts() {
	local h
	for h in 1 2 3 4; do
		ip netns exec boh$h nft -j list table netdev bo | nft_packets "$1"
	done | xargs
}

# settle: wait until the hosts' counters stop moving.
settle() {
	local a=x b _
	for _ in $(seq 50); do
		b="$(counts fwd) $(counts ret)"
		[ "$a" = "$b" ] && return
		a=$b
		sleep 0.3
	done
}

# host_of CONF ADDR: the host "flowctl balance lookup" names.
host_of() {
	$FLOWCTL -j balance lookup "$1" "$2" | jq -r .host
}

# round CONF N: send N packets from each source (fwd, client side) and to
# each of them (ret, server side); the hosts' counts must grow exactly by
# what the assignment of CONF says.
round() {
	local conf=$1 n=$2 exp=(0 0 0 0 0) a h i k
	local fwd_b ret_b fwd_a ret_a
	fwd_b=($(counts fwd))
	ret_b=($(counts ret))
	for a in "${srcs4[@]}"; do
		send boc i-c 5000 "$a" 192.0.2.1 "$n" || not_ok "send from $a"
		send bos i-s 6000 192.0.2.1 "$a" "$n" || not_ok "send to $a"
		h=$(host_of "$conf" "$a")
		exp[h]=$((exp[h] + n))
	done
	for a in "${srcs6[@]}"; do
		send boc i-c 5000 "$a" 2001:db8::1 "$n" || not_ok "send from $a"
		send bos i-s 6000 2001:db8::1 "$a" "$n" || not_ok "send to $a"
		h=$(host_of "$conf" "$a")
		exp[h]=$((exp[h] + n))
	done
	settle
	fwd_a=($(counts fwd))
	ret_a=($(counts ret))
	k=""
	for i in 0 1 2 3; do
		k+="$((fwd_a[i] - fwd_b[i])) "
	done
	check_eq "$(basename "$conf"): clients' packets per host (src-keyed rules)" \
		"${exp[*]:1}" "${k% }"
	k=""
	for i in 0 1 2 3; do
		k+="$((ret_a[i] - ret_b[i])) "
	done
	check_eq "$(basename "$conf"): return packets per host (dst-keyed rules)" \
		"${exp[*]:1}" "${k% }"
}

# balancer_rules COOKIE[/MASK]: the rules with that cookie.
balancer_rules() {
	ofctl dump-flows $br "cookie=$1" | grep -c ' cookie='
}

tag=0x666c6f77
# --- first install -----------------------------------------------------------
$FLOWCTL balance show "$tmp/a.conf" | sed 's/^/# /'
out=$($FLOWCTL -j balance install "$tmp/a.conf" 2>"$tmp/err")
rc=$?
check_eq "balance install a.conf: exit 0 $(cat "$tmp/err")" 0 $rc
gen1=$(jq -r .generation <<<"$out")
want1=$(jq -r .switch_rules <<<"$out")
check_eq "first generation is 1" 1 "$gen1"
check_eq "rules installed = switch rules of show" "$want1" \
	"$(jq -r .rules_installed <<<"$out")"
check_eq "show agrees: 2 per prefix and 4 defaults" \
	"$(( $($FLOWCTL -j balance show "$tmp/a.conf" | jq .prefixes) * 2 + 4 ))" "$want1"
check_eq "the switch holds $want1 rules with cookie generation 1" "$want1" \
	"$(balancer_rules ${tag}00000001/-1)"
check_eq "and no other balancer rule" "$want1" \
	"$(balancer_rules ${tag}00000000/0xffffffff00000000)"
check_eq "the other rule is still there" 1 "$(balancer_rules 0x1234/-1)"
ft=$(vsctl --bare get Bridge $br flow_tables:0)
check "prefix tracking: table 0 has a Flow_Table record" test -n "$ft"
check_eq "prefix tracking fields as show says" \
	"$($FLOWCTL -j balance show "$tmp/a.conf" | jq -r .prefix_tracking | tr , '\n' | sort | xargs)" \
	"$(vsctl --bare get Flow_Table "$ft" prefixes | tr -d '"[]' | tr ', ' '\n\n' | sed '/^$/d' | sort | xargs)"
ofctl dump-flows $br | sed 's/^/# /'
round "$tmp/a.conf" 20
# Prefix tracking keeps the datapath's cache wildcarded: no cached flow
# of the clients' IPv4 traffic matches a whole source address (no rule
# is a /32), some match a source prefix.
ovs-appctl -t "$ovs_run/ovs-vswitchd.ctl" dpctl/dump-flows >"$tmp/dp" 2>&1
grep -E 'ipv[46]\((src|dst)=' "$tmp/dp" | sed 's/^/# /'
grep -q 'ipv4(' "$tmp/dp" || head -n 5 "$tmp/dp" | sed 's/^/# /'
check_eq "datapath flows with a whole client source address" 0 \
	"$(grep -cE 'ipv4\(src=10\.[0-9.]+,' "$tmp/dp")"
check "datapath flows with a client source prefix" \
	grep -qE 'ipv4\(src=10\.[0-9.]+/' "$tmp/dp"

# --- a changed assignment ----------------------------------------------------
out=$($FLOWCTL -j balance install "$tmp/b.conf" 2>"$tmp/err")
rc=$?
check_eq "balance install b.conf: exit 0 $(cat "$tmp/err")" 0 $rc
want2=$(jq -r .switch_rules <<<"$out")
check_eq "second generation is 2" 2 "$(jq -r .generation <<<"$out")"
check_eq "it replaced the $want1 rules of generation 1" "$want1" \
	"$(jq -r .rules_replaced <<<"$out")"
check_eq "generation 1's cookie is gone" 0 "$(balancer_rules ${tag}00000001/-1)"
check_eq "the switch holds $want2 rules of generation 2" "$want2" \
	"$(balancer_rules ${tag}00000002/-1)"
check_eq "and no other balancer rule" "$want2" \
	"$(balancer_rules ${tag}00000000/0xffffffff00000000)"
check_eq "the other rule is still there" 1 "$(balancer_rules 0x1234/-1)"
moved=0
for a in "${srcs4[@]}" "${srcs6[@]}"; do
	[ "$(host_of "$tmp/a.conf" "$a")" != "$(host_of "$tmp/b.conf" "$a")" ] &&
		moved=$((moved + 1))
done
check "the new assignment moves some of the sources ($moved)" test $moved -gt 0
round "$tmp/b.conf" 20

# --- errors ---------------------------------------------------------------------
sed "s/^bridge .*/bridge nosuchbr/" "$tmp/b.conf" >"$tmp/c.conf"
out=$($FLOWCTL balance install "$tmp/c.conf" 2>&1)
rc=$?
check_eq "install on a bridge that does not exist fails" 1 $rc
check_match "with ovs-ofctl's reason" "nosuchbr.*ovs-ofctl exited with status" "$out"
check_eq "and generation 2 stays" "$want2" "$(balancer_rules ${tag}00000002/-1)"

tap_done
