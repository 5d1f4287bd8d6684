#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for flowstream selftests: TAP output, namespaces, tools.
# Source it from a test; the test ends with "tap_done".
#
# Results are TAP lines ("ok N - ...", "not ok N - ..."); a test with
# nothing to run calls skip_all, which exits 4 (kselftest's skip code).

FS_REPO=${FS_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
FLOWCTL=${FLOWCTL:-$FS_REPO/ctl/flowctl}
NLRAW=${NLRAW:-$FS_REPO/selftests/tools/fs-nlraw}
RELAY=${RELAY:-$FS_REPO/selftests/tools/fs-ipfix-relay}
FS_KO=${FS_KO:-$FS_REPO/kmod/flowstream.ko}

tap_n=0
tap_failed=0
fs_netns=()

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}

diag() {
	echo "# $*"
}

# check DESC CMD...: one result, passing if CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" == "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "expected: '$2'"
		diag "got:      '$3'"
	fi
}

# check_match DESC REGEX ACTUAL
check_match() {
	if [[ $3 =~ $2 ]]; then
		ok "$1"
	else
		not_ok "$1"
		diag "expected to match: '$2'"
		diag "got: '$3'"
	fi
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 4
}

tap_done() {
	echo "1..$tap_n"
	[ $tap_failed -eq 0 ]
	exit $?
}

# case_on NAME: whether the test runs its case NAME. All run, unless
# FS_SKIP_<test> (the test's file name without .sh) lists NAME among its
# comma-separated names: the debug kernel's run leaves out the cases that
# exercise only userspace (flowctl's stream handling, its options) or the
# kernel paths another case of the test already covers there; the stock
# kernels run them all.
case_on() {
	local var list

	var=FS_SKIP_$(basename "$0" .sh)
	list=${!var-}
	if [[ ",$list," == *",$1,"* ]]; then
		diag "case $1 left out here ($var=$list)"
		return 1
	fi
	return 0
}

# ns_add NAME...: new network namespaces, removed when the test exits.
ns_add() {
	local ns
	for ns in "$@"; do
		ip netns add "$ns" || return 1
		fs_netns+=("$ns")
		ip -n "$ns" link set lo up
	done
}

# veth_pair NS1 NS2 ADDR1/LEN ADDR2/LEN: a veth link between two namespaces.
veth_pair() {
	local a=$1 b=$2
	ip link add "v-$a" netns "$a" type veth peer name "v-$b" netns "$b" || return 1
	ip -n "$a" addr add "$3" dev "v-$a"
	ip -n "$b" addr add "$4" dev "v-$b"
	ip -n "$a" link set "v-$a" up
	ip -n "$b" link set "v-$b" up
}

fs_cleanup() {
	local ns
	for ns in "${fs_netns[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}
trap fs_cleanup EXIT

# The module must be loaded when a test starts.
fs_require_module() {
	grep -q '^flowstream ' /proc/modules || skip_all "flowstream.ko is not loaded"
}

# stat_value NAME [NETNS]: a counter from /proc/net/flowstream/stat.
stat_value() {
	local f=/proc/net/flowstream/stat
	if [ -n "${2:-}" ]; then
		ip netns exec "$2" awk -v n="$1" '$1 == n { print $2 }' $f
	else
		awk -v n="$1" '$1 == n { print $2 }' $f
	fi
}

# port_wait NETNS udp|udp6|tcp|tcp6 PORT: wait, up to 10 s, until a socket
# in NETNS is bound to PORT (TCP: listening on it), so that a test does
# not race a server's start; fails if none is.
port_wait() {
	local i hex listen=0
	hex=$(printf '%04X' "$3")
	[[ $2 == tcp* ]] && listen=1
	for i in $(seq 100); do
		ip netns exec "$1" awk -v p="$hex" -v l=$listen '
			NR > 1 && split($2, a, ":") == 2 && a[2] == p &&
				(!l || $4 == "0A") { f = 1 }
			END { exit !f }' "/proc/net/$2" && return 0
		sleep 0.1
	done
	return 1
}

# topo_router PREFIX: namespaces PREFIXc (client), PREFIXr (router) and
# PREFIXs (server); client 10.1.0.2/fd01::2 -- 10.1.0.1/fd01::1 router
# 10.2.0.1/fd02::1 -- 10.2.0.2/fd02::2 server, the router forwarding.
# Interfaces: in PREFIXr, "rc" faces the client and "rs" the server.
topo_router() {
	local c=${1}c r=${1}r s=${1}s
	ns_add "$c" "$r" "$s" || return 1
	ip link add cr netns "$c" type veth peer name rc netns "$r"
	ip link add rs netns "$r" type veth peer name sr netns "$s"
	ip -n "$c" addr add 10.1.0.2/24 dev cr
	ip -n "$c" addr add fd01::2/64 dev cr nodad
	ip -n "$r" addr add 10.1.0.1/24 dev rc
	ip -n "$r" addr add fd01::1/64 dev rc nodad
	ip -n "$r" addr add 10.2.0.1/24 dev rs
	ip -n "$r" addr add fd02::1/64 dev rs nodad
	ip -n "$s" addr add 10.2.0.2/24 dev sr
	ip -n "$s" addr add fd02::2/64 dev sr nodad
	for dev in "$c cr" "$r rc" "$r rs" "$s sr"; do
		set -- $dev
		ip -n "$1" link set "$2" up
	done
	ip -n "$c" route add default via 10.1.0.1
	ip -n "$c" -6 route add default via fd01::1
	ip -n "$s" route add default via 10.2.0.1
	ip -n "$s" -6 route add default via fd02::1
	ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$r" sysctl -qw net.ipv6.conf.all.forwarding=1
}

# jrecords NETNS JQ_FILTER [FLOWCTL FILTER...]: jq over flowctl -j records.
jrecords() {
	local ns=$1 q=$2
	shift 2
	$FLOWCTL -n "$ns" -j records "$@" | jq -r "$q"
}

# nlraw_refused NETNS DESC ERRNO EXTACK_REGEX ARGS...: fs-nlraw's request
# ARGS in NETNS is refused with ERRNO and an extended ACK matching the
# regex.
nlraw_refused() {
	local ns=$1 desc=$2 err=$3 re=$4 out
	shift 4
	out=$($NLRAW -n "$ns" "$@")
	check_match "$desc" "^errno=$err extack=\"$re\"" "$out"
}

# nft_packets COMMENT: packets of the rule with that comment, from
# "nft -j list ..." on standard input.
nft_packets() {
	jq --arg c "$1" '.nftables[] | select(.rule.comment == $c) | .rule.expr[] |
			 select(.counter) | .counter.packets'
}

# check_acct_totals NETNS RECORDS: the global figures in sysfs hold at least
# this namespace's RECORDS live records and its table (other tests'
# namespaces may still be going away).
check_acct_totals() {
	local par=/sys/module/flowstream/parameters buckets min
	buckets=$($FLOWCTL -n "$1" -j config show | jq .buckets)
	check "sysfs: acct_records counts the live records ($(cat $par/acct_records))" \
		test "$(cat $par/acct_records)" -ge "$2"
	check "sysfs: acct_tables counts this namespace ($(cat $par/acct_tables))" \
		test "$(cat $par/acct_tables)" -ge 1
	min=$(($2 * $(cat $par/acct_record_size) + buckets * 8))
	check "sysfs: acct_memory holds records and buckets ($(cat $par/acct_memory) >= $min)" \
		test "$(cat $par/acct_memory)" -ge "$min"
}

# --- prefix sampling -------------------------------------------------------

# smp_topo NETNS: a veth from this namespace (NETNS-g, 10.66.0.1) into
# NETNS (NETNS-r, 10.66.0.2/16), which receives what smp_send sends. IPv6
# is off on NETNS-r (smp_ipv6 turns it on): nothing but our packets then
# reaches NETNS's hooks. NETNS does not forward: packets to addresses it
# does not own pass PRE_ROUTING, where they are sampled, and are dropped.
smp_topo() {
	ns_add "$1" || return 1
	smp_ns=$1
	smp_gen=$1-g
	ip link add "$smp_gen" type veth peer name "$1-r" netns "$1" || return 1
	ip addr add 10.66.0.1/16 dev "$smp_gen"
	ip link set "$smp_gen" up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$1-r.disable_ipv6=1"
	ip netns exec "$1" sysctl -qw net.ipv4.conf.all.rp_filter=0
	ip netns exec "$1" sysctl -qw "net.ipv4.conf.$1-r.rp_filter=0"
	ip -n "$1" addr add 10.66.0.2/16 dev "$1-r"
	ip -n "$1" link set "$1-r" up
	smp_mac=$(ip netns exec "$1" cat "/sys/class/net/$1-r/address")
	trap 'fs_cleanup; ip link del "$smp_gen" 2>/dev/null' EXIT
}

smp_ipv6() {
	ip netns exec "$smp_ns" sysctl -qw "net.ipv6.conf.$smp_ns-r.disable_ipv6=0"
}

# smp_trafgen PACKETS CONF [GAP]: send with trafgen from one CPU, so that
# the receiving side handles every packet on that CPU; GAP (e.g. 100us)
# between packets.
smp_trafgen() {
	local conf=/tmp/smp_trafgen.$$.$RANDOM.conf
	printf '%s\n' "$2" >"$conf"
	# trafgen writes a temporary file in its working directory.
	(cd /tmp && trafgen -q --dev "$smp_gen" --conf "$conf" -n "$1" --cpus 1 \
		${3:+-t "$3"}) \
		>"$conf.log" 2>&1 || { sed "s/^/#   /" "$conf.log"; return 1; }
	rm -f "$conf" "$conf.log"
}

# smp_send PACKETS DST [SRC]: UDP packets of 60 IP bytes to DST.
smp_send() {
	smp_trafgen "$1" "{ eth(da=$smp_mac, type=0x0800), ipv4(saddr=${3:-10.66.0.1}, daddr=$2, ttl=64), udp(sp=4000, dp=5000), fill(0x00, 32) }"
}

# smp_send6 PACKETS DST: UDP packets of 60 IP bytes to DST.
smp_send6() {
	smp_ipv6
	smp_trafgen "$1" "{ eth(da=$smp_mac, type=0x86dd), ipv6(sa=fd66::1, da=$2, hoplimit=64), udp(sp=4000, dp=5000), fill(0x00, 12) }"
}

# smp_settle NETNS: wait for the receive backlog to drain (nft's "all"
# counter of table inet TABLE=NETNS stops moving).
smp_settle() {
	local n=-1 m _
	for _ in $(seq 50); do
		m=$(ip netns exec "$1" nft -j list table inet "$1" | nft_packets all)
		[ "$n" = "$m" ] && return
		n=$m
		sleep 0.2
	done
}

# FlowOS: PM modules are loaded on demand by the kernel's modprobe, which
# here is a script that insmods them from FS_PM_DIR (the built tree).
FS_PM_DIR=${FS_PM_DIR:-$FS_REPO/pm}

# fos_modprobe: make the kernel's module requests for flowstream-pm-NAME
# load $FS_PM_DIR/flowstream-pm-NAME.ko (other requests fail).
fos_modprobe() {
	local w=/tmp/fs-modprobe
	cat >$w <<EOS
#!/bin/bash
for m; do :; done
case \$m in
flowstream-pm-*) exec insmod "$FS_PM_DIR/\$m.ko" ;;
esac
exit 1
EOS
	chmod +x $w
	echo $w >/proc/sys/kernel/modprobe
}

# fos_stat NETNS FLOW COUNTER: a flow's counter from flowctl -j flow show.
fos_stat() {
	$FLOWCTL -n "$1" -j flow show | jq -r --arg f "$2" --arg c "$3" \
		'.[] | select(.name == $f) | .stats[$c]'
}

# fos_proc NETNS COUNTER: a namespace's sum from /proc/net/flowstream/flowos.
fos_proc() {
	ip netns exec "$1" awk -v n="$2" '$1 == n { print $2 }' \
		/proc/net/flowstream/flowos
}

# nft_counter COMMENT FIELD: packets or bytes of the rule with that comment,
# from "nft -j list ..." on standard input.
nft_counter() {
	jq --arg c "$1" --arg f "$2" '[.nftables[] | select(.rule.comment == $c) |
		.rule.expr[] | select(.counter) | .counter[$f]] | add // 0'
}

# fos_balance NETNS FLOW: the flow's counters add up: every packet taken
# was sent on, given up (dropped or bypassed, by reason) or is held; a
# packet a PM released in part was sent on as two.
fos_balance() {
	$FLOWCTL -n "$1" -j flow show | jq -r --arg f "$2" '.[] |
		select(.name == $f) | .stats | .packets_in + (.split // 0) -
		.packets_out -
		.bypass_sessions - .bypass_held - .bypass_nomem -
		.drop_sessions - .drop_held - .drop_nomem - .drop_pm -
		.drop_teardown - .drop_dev - .drop_output - .held'
}

# mig_monitor NETNS FILE: "flowctl migrate monitor -j" in NETNS into FILE
# (its pid in mon_pid), once it has joined the migrate group.
mig_monitor() {
	ip netns exec "$1" $FLOWCTL -j migrate monitor >"$2" 2>"$2.err" &
	mon_pid=$!
	for _ in $(seq 100); do
		grep -q "monitoring migration events" "$2.err" && return 0
		sleep 0.1
	done
	diag "the monitor in $1 did not start: $(cat "$2.err")"
}

# mig_events FILE ID: the events of migration ID in a monitor's FILE, a
# phase change as phase:PHASE, runs of one event as one, on one line.
mig_events() {
	jq -r --argjson id "$2" 'select(.id == $id) |
		if .event == "phase" then "phase:" + .phase else .event end' "$1" |
		uniq | tr '\n' ' '
}
